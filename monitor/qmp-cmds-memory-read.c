/* x-read-memory: guest memory as a hex string, for HMP's x and xp (virtual or physical). */
#include <inttypes.h>
#include <stdlib.h>

#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"
#include "vmm/guest-mem.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"

#define READ_MAX (1 << 20)

char *qmp_x_read_memory(uint64_t addr, int64_t size, bool has_physical, bool physical,
			bool has_cpu_index, int64_t cpu_index, Error **errp)
{
	static const char digits[] = "0123456789abcdef";
	struct machine *m = monitor_machine();
	bool running = m->state == RUN_STATE_RUNNING, ok;
	uint8_t *buf;
	char *hex;
	int64_t i;

	if (!has_cpu_index)
		cpu_index = 0;
	if (cpu_index < 0 || cpu_index >= m->nr_vcpus) {
		error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
		return NULL;
	}
	if (size < 0 || size > READ_MAX || addr + (uint64_t)size < addr) {
		error_setg(errp, "Parameter 'size' must be between 0 and %d", READ_MAX);
		return NULL;
	}
	buf = malloc((size_t)size + 1);
	hex = malloc((size_t)size * 2 + 1);
	if (!buf || !hex) {
		free(buf);
		free(hex);
		error_setg(errp, "Out of memory");
		return NULL;
	}
	if (has_physical && physical) {
		ok = guest_mem_read(&m->mem, addr, buf, (uint64_t)size);
	} else {
		/* page tables and control registers are read with the vCPUs parked (no event) */
		if (running)
			vcpu_pause_all(m);
		ok = paging_read_virt(m, &m->vcpus[cpu_index], addr, buf, (uint64_t)size) == 0;
		if (running)
			vcpu_resume_all(m);
	}
	if (!ok) {
		error_setg(errp, "Invalid addr 0x%016" PRIx64 "/size %" PRId64 " specified", addr,
			   size);
		free(buf);
		free(hex);
		return NULL;
	}
	for (i = 0; i < size; i++) {
		hex[2 * i] = digits[buf[i] >> 4];
		hex[2 * i + 1] = digits[buf[i] & 15];
	}
	hex[2 * size] = '\0';
	free(buf);
	return hex;
}
