/* QMP dump-guest-memory and query-dump: ELF64 cores of guest RAM, in the foreground or a thread. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "monitor/atomic-file.h"
#include "monitor/fds.h"
#include "monitor/introspection.h"
#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"
#include "qapi-events.h"
#include "vmm/elf-core.h"
#include "vmm/guest-mem.h"
#include "vmm/mainloop.h"
#include "vmm/vcpu.h"

/* Writes go straight from guest RAM (all-zero pages become holes: guest_mem_save), in chunks so
 * that progress and cancelling stay live. */
#define WRITE_CHUNK (32ULL << 20)

/*
 * One dump. As QEMU's dump_init: the VM is stopped (STOP) if it runs and resumed (RESUME)
 * after DUMP_COMPLETED. A detached dump is written by a thread that never takes the big
 * lock: it only reads RAM, which stays mapped until introspection_stop() has joined it; it
 * reports through an eventfd watched by the main loop, where the dump is finished.
 */
struct dump_job {
	struct machine *m;
	struct atomic_file file;
	void *hdr;
	size_t hdr_len;
	struct elf_core_seg
		segs[sizeof(((struct guest_mem *)0)->regions) / sizeof(struct mem_region)];
	int nr_segs;
	uint64_t total;
	_Atomic uint64_t completed;
	atomic_bool cancel;
	int err; /* errno of a failed write */
	bool resume;
	pthread_t thread;
	int efd;
	struct watch *watch;
};

/* What query-dump reports: the running job, or how the last one ended. */
static struct {
	DumpStatus status;
	uint64_t completed, total;
	struct dump_job *job;
} dump;

/* The file: headers and notes, then each segment from RAM. 0 or -errno. */
static int write_core(struct dump_job *j)
{
	uint64_t off, len, pos = j->hdr_len;
	int i, err = 0;

	err = atomic_file_write(&j->file, 0, j->hdr, j->hdr_len);
	for (i = 0; i < j->nr_segs && !err; i++) {
		for (off = 0; off < j->segs[i].size && !err; off += len, pos += len) {
			if (atomic_load(&j->cancel))
				return -ECANCELED;
			len = j->segs[i].size - off;
			if (len > WRITE_CHUNK)
				len = WRITE_CHUNK;
			err = atomic_file_write_ram(&j->file, pos, &j->m->mem, j->segs[i].gpa + off,
						    len);
			if (!err)
				atomic_fetch_add(&j->completed, len);
		}
	}
	return err;
}

static void job_free(struct dump_job *j)
{
	atomic_file_abort(&j->file);
	free(j->hdr);
	free(j);
}

static DumpQueryResult *query_result(Error **errp)
{
	DumpQueryResult *r = zalloc(sizeof(*r), errp);

	if (!r)
		return NULL;
	r->status = dump.status;
	r->completed = (int64_t)(dump.job ? atomic_load(&dump.job->completed) : dump.completed);
	r->total = (int64_t)(dump.job ? dump.job->total : dump.total);
	return r;
}

/* On the main thread with the big lock: finish or remove the file, report, resume. */
static void job_finish(struct dump_job *j, int err, Error **errp)
{
	struct machine *m = j->m;
	Error *local = NULL;
	DumpQueryResult *r;

	if (!err)
		err = atomic_file_commit(&j->file);
	if (err)
		error_setg_errno(&local, -err, "dump: failed to save memory");
	dump.status = err ? DUMP_STATUS_FAILED : DUMP_STATUS_COMPLETED;
	dump.completed = atomic_load(&j->completed);
	dump.total = j->total;
	dump.job = NULL;
	r = query_result(NULL);
	if (r) {
		event_send_dump_completed(r, local != NULL, local ? error_get_pretty(local) : NULL);
		DumpQueryResult_free(r);
	}
	if (j->resume && m->state == RUN_STATE_PAUSED)
		vm_cont(m);
	error_propagate(errp, local);
	job_free(j);
}

static void *dump_thread(void *opaque)
{
	struct dump_job *j = opaque;
	uint64_t one = 1;

	j->err = write_core(j);
	if (write(j->efd, &one, sizeof(one)) < 0)
		j->err = j->err ? j->err : -errno;
	return NULL;
}

static void on_dump_done(int fd, uint32_t events, void *opaque)
{
	struct dump_job *j = opaque;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno == EAGAIN)
		return;
	pthread_join(j->thread, NULL);
	mainloop_remove(j->m->loop, j->watch);
	close(j->efd);
	job_finish(j, j->err, NULL);
}

/* The RAM to dump: every region, or its intersection with [begin, begin+length). */
static bool collect_segments(struct dump_job *j, bool filter, uint64_t begin, uint64_t length,
			     Error **errp)
{
	const struct guest_mem *gm = &j->m->mem;
	uint64_t end = begin + length < begin ? UINT64_MAX : begin + length;
	bool begin_in_ram = false;
	int i;

	for (i = 0; i < gm->nr_regions; i++) {
		const struct mem_region *r = &gm->regions[i];
		uint64_t lo = r->gpa, hi = r->gpa + r->size;

		if (filter) {
			begin_in_ram |= begin >= lo && begin < hi;
			lo = lo > begin ? lo : begin;
			hi = hi < end ? hi : end;
			if (lo >= hi)
				continue;
		}
		j->segs[j->nr_segs].gpa = lo;
		j->segs[j->nr_segs].size = hi - lo;
		j->segs[j->nr_segs].hva = r->hva + (lo - r->gpa);
		j->total += hi - lo;
		j->nr_segs++;
	}
	if (filter && !begin_in_ram) {
		error_setg(errp, "Invalid parameter 'begin'");
		return false;
	}
	return true;
}

/* Registers of every vCPU (all parked) and the header built from them. */
static bool build_header(struct dump_job *j, Error **errp)
{
	struct machine *m = j->m;
	struct elf_core_cpu *cpus = zalloc((size_t)m->nr_vcpus * sizeof(*cpus), errp);
	int i, err = 0;

	if (!cpus)
		return false;
	for (i = 0; i < m->nr_vcpus && !err; i++) {
		cpus[i].index = m->vcpus[i].index;
		err = vcpu_get_regs(&m->vcpus[i], &cpus[i].regs, &cpus[i].sregs);
	}
	if (err)
		error_setg_errno(errp, -err, "dump: cannot read the registers of CPU %d", i - 1);
	else if (!(j->hdr = elf_core_header(cpus, m->nr_vcpus, j->segs, j->nr_segs, &j->hdr_len)))
		error_setg(errp, "Out of memory");
	free(cpus);
	return !err && j->hdr;
}

/* "file:PATH" gives PATH (*fd -1); "fd:NAME" takes getfd's descriptor NAME into *fd. */
static const char *protocol_target(const char *protocol, int *fd, Error **errp)
{
	*fd = -1;
	if (!strncmp(protocol, "fd:", 3)) {
		*fd = monitor_fd_take(protocol + 3, errp);
		return *fd < 0 ? NULL : protocol;
	}
	if (strncmp(protocol, "file:", 5)) {
		error_setg(errp, "Parameter 'protocol' expects file or fd");
		return NULL;
	}
	return protocol + 5;
}

static bool start_thread(struct dump_job *j, Error **errp)
{
	j->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (j->efd < 0) {
		error_setg_errno(errp, errno, "dump: eventfd");
		return false;
	}
	j->watch = mainloop_add_fd(j->m->loop, j->efd, EPOLLIN, on_dump_done, j);
	if (!j->watch || pthread_create(&j->thread, NULL, dump_thread, j) != 0) {
		error_setg(errp, "dump: cannot start the dump thread");
		if (j->watch)
			mainloop_remove(j->m->loop, j->watch);
		close(j->efd);
		return false;
	}
	return true;
}

/* The checks QEMU makes before it opens the file, in its order (HMP gives no format). */
static bool check_args(bool paging, bool has_begin, int64_t length, bool has_length,
		       DumpGuestMemoryFormat format, Error **errp)
{
	if (dump.job)
		error_setg(errp, "There is a dump in process, please wait.");
	else if (format != DUMP_GUEST_MEMORY_FORMAT_ELF)
		error_setg(errp, "Dump format '%s' is not supported",
			   DumpGuestMemoryFormat_str[format]);
	else if (paging)
		error_setg(errp,
			   "dump-guest-memory with paging is not supported: use paging false");
	else if (has_begin != has_length)
		error_setg(errp, "Parameter '%s' is missing", has_begin ? "length" : "begin");
	else if (has_length && length == 0)
		error_setg(errp, "Invalid parameter 'length'");
	else
		return true;
	return false;
}

/*
 * Starts a dump into path, or into the passed descriptor fd (>= 0, taken; path names it); it is
 * finished before returning unless detached.
 */
static void dump_start(const char *path, int fd, bool detach, bool filter, uint64_t begin,
		       uint64_t length, Error **errp)
{
	struct machine *m = monitor_machine();
	struct dump_job *j = zalloc(sizeof(*j), errp);
	bool ok;

	if (!j) {
		if (fd >= 0)
			close(fd);
		return;
	}
	j->m = m;
	j->file.fd = -1;
	ok = collect_segments(j, filter, begin, length, errp);
	if (ok)
		ok = fd >= 0 ? atomic_file_open_fd(&j->file, path, fd, errp)
			     : atomic_file_open(&j->file, path, 0600, errp);
	else if (fd >= 0)
		close(fd);
	if (!ok) {
		job_free(j);
		return;
	}
	j->file.cancel = &j->cancel; /* quit stops a write into a slow FIFO too */
	if (m->state == RUN_STATE_RUNNING) {
		vm_stop(m, RUN_STATE_PAUSED);
		j->resume = true;
	}
	if (!build_header(j, errp)) {
		if (j->resume)
			vm_cont(m);
		job_free(j);
		return;
	}
	dump.status = DUMP_STATUS_ACTIVE;
	dump.job = j;
	if (!detach) {
		job_finish(j, write_core(j), errp);
		return;
	}
	if (!start_thread(j, errp)) {
		dump.status = DUMP_STATUS_FAILED;
		dump.job = NULL;
		if (j->resume)
			vm_cont(m);
		job_free(j);
	}
}

void qmp_dump_guest_memory(bool paging, const char *protocol, bool has_detach, bool detach,
			   bool has_begin, int64_t begin, bool has_length, int64_t length,
			   bool has_format, DumpGuestMemoryFormat format, Error **errp)
{
	const char *path;
	int fd;

	if (!check_args(paging, has_begin, length, has_length,
			has_format ? format : DUMP_GUEST_MEMORY_FORMAT_ELF, errp))
		return;
	path = protocol_target(protocol, &fd, errp);
	if (path)
		dump_start(path, fd, has_detach && detach, has_begin, (uint64_t)begin,
			   (uint64_t)length, errp);
}

void qmp_x_hmp_dump_guest_memory(const char *filename, bool has_paging, bool paging,
				 bool has_detach, bool detach, bool has_begin, int64_t begin,
				 bool has_length, int64_t length, Error **errp)
{
	if (check_args(has_paging && paging, has_begin, length, has_length,
		       DUMP_GUEST_MEMORY_FORMAT_ELF, errp))
		dump_start(filename, -1, has_detach && detach, has_begin, (uint64_t)begin,
			   (uint64_t)length, errp);
}

DumpGuestMemoryCapability *qmp_query_dump_guest_memory_capability(Error **errp)
{
	DumpGuestMemoryCapability *cap = zalloc(sizeof(*cap), errp);

	if (cap)
		cap->formats = zalloc(sizeof(*cap->formats), errp);
	if (!cap || !cap->formats) {
		free(cap);
		return NULL;
	}
	cap->formats->value = DUMP_GUEST_MEMORY_FORMAT_ELF;
	return cap;
}

DumpQueryResult *qmp_query_dump(Error **errp)
{
	return query_result(errp);
}

void introspection_stop(void)
{
	struct dump_job *j = dump.job;

	if (j) { /* only a detached dump outlives its command */
		atomic_store(&j->cancel, true);
		pthread_join(j->thread, NULL);
		mainloop_remove(j->m->loop, j->watch);
		close(j->efd);
		dump.job = NULL;
		job_free(j);
	}
	pmemaccess_stop_all();
}
