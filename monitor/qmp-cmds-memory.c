/* QMP memsave (guest-virtual) and pmemsave (guest-physical) into files (atomic-file.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/atomic-file.h"
#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"
#include "vmm/guest-mem.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"

#define PAGE_SIZE 4096ULL

/* A run of guest-physical RAM to write out. */
struct span {
	uint64_t gpa, len;
};

static void invalid_range(int64_t val, int64_t size, Error **errp)
{
	error_setg(errp, "Invalid addr 0x%016" PRIx64 "/size %" PRId64 " specified", (uint64_t)val,
		   size);
}

/* Writes the spans into filename, one after the other (atomic_file's rules). */
static void save(struct machine *m, const char *filename, const struct span *spans, size_t nr,
		 Error **errp)
{
	struct atomic_file f;
	uint64_t off = 0;
	size_t i;
	int err = 0;

	if (!atomic_file_open(&f, filename, 0666, errp))
		return;
	for (i = 0; i < nr && !err; off += spans[i++].len)
		err = atomic_file_write_ram(&f, off, &m->mem, spans[i].gpa, spans[i].len);
	if (err)
		atomic_file_abort(&f);
	else
		err = atomic_file_commit(&f);
	if (err)
		error_setg(errp, "Could not write '%s': %s", filename, strerror(-err));
}

static bool range_ok(int64_t val, int64_t size)
{
	return val >= 0 && size >= 0 && (uint64_t)val + (uint64_t)size >= (uint64_t)val &&
	       (uint64_t)val + (uint64_t)size <= (uint64_t)INT64_MAX + 1;
}

void qmp_pmemsave(int64_t val, int64_t size, const char *filename, Error **errp)
{
	struct machine *m = monitor_machine();
	struct span s = { (uint64_t)val, (uint64_t)size };

	if (!range_ok(val, size) || (size > 0 && !guest_mem_ptr(&m->mem, s.gpa, s.len))) {
		invalid_range(val, size, errp);
		return;
	}
	save(m, filename, &s, size > 0 ? 1 : 0, errp);
}

/* Translates [val, val+size) page by page into runs of contiguous RAM; NULL when a page is not. */
static struct span *virtual_spans(struct machine *m, struct vcpu *v, uint64_t gva, uint64_t size,
				  size_t *nr)
{
	struct span *spans = NULL, *grown;
	struct paging_regs regs;
	size_t n = 0, cap = 0;
	uint64_t gpa, len;

	if (paging_get_regs(v, &regs) < 0)
		return NULL;
	while (size > 0) {
		len = PAGE_SIZE - (gva & (PAGE_SIZE - 1));
		if (len > size)
			len = size;
		if (paging_translate_regs(m, &regs, gva, &gpa, NULL) < 0 ||
		    !guest_mem_ptr(&m->mem, gpa, len))
			goto fail;
		if (n && spans[n - 1].gpa + spans[n - 1].len == gpa &&
		    guest_mem_ptr(&m->mem, spans[n - 1].gpa, spans[n - 1].len + len)) {
			spans[n - 1].len += len;
		} else {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				grown = realloc(spans, cap * sizeof(*spans));
				if (!grown)
					goto fail;
				spans = grown;
			}
			spans[n].gpa = gpa;
			spans[n++].len = len;
		}
		gva += len;
		size -= len;
	}
	*nr = n;
	return spans ? spans : calloc(1, sizeof(*spans));
fail:
	free(spans);
	return NULL;
}

void qmp_memsave(int64_t val, int64_t size, const char *filename, bool has_cpu_index,
		 int64_t cpu_index, Error **errp)
{
	struct machine *m = monitor_machine();
	bool running = m->state == RUN_STATE_RUNNING;
	struct vcpu *v = monitor_vcpu(m, has_cpu_index ? cpu_index : 0, errp);
	struct span *spans = NULL;
	size_t nr = 0;

	if (!v)
		return;
	if (!range_ok(val, size)) {
		invalid_range(val, size, errp);
		return;
	}
	/* page tables and control registers are read with the vCPUs parked (no event) */
	if (running)
		vcpu_pause_all(m);
	spans = virtual_spans(m, v, (uint64_t)val, (uint64_t)size, &nr);
	if (!spans)
		invalid_range(val, size, errp);
	else
		save(m, filename, spans, nr, errp);
	if (running)
		vcpu_resume_all(m);
	free(spans);
}
