/* memory_read(), and x-read-memory: its result as a hex string at the QMP edge. */
#include <inttypes.h>
#include <stdlib.h>

#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"
#include "vmm/guest-mem.h"
#include "vmm/machine.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"

#define READ_MAX (1 << 20)

bool memory_read(struct machine *m, uint64_t addr, uint64_t len, bool virt, int64_t cpu, void *buf,
		 Error **errp)
{
	bool running = m->state == RUN_STATE_RUNNING, ok;
	struct vcpu *v = monitor_vcpu(m, cpu, errp);

	if (!v)
		return false;
	if (!virt) {
		ok = guest_mem_read(&m->mem, addr, buf, len);
	} else {
		/* page tables and control registers are read with the vCPUs parked (no event) */
		if (running)
			vcpu_pause_all(m);
		ok = paging_access_virt(m, v, addr, buf, len, false) == 0;
		if (running)
			vcpu_resume_all(m);
	}
	if (!ok)
		error_setg(errp, "Invalid addr 0x%016" PRIx64 "/size %" PRIu64 " specified", addr,
			   len);
	return ok;
}

char *qmp_x_read_memory(uint64_t addr, int64_t size, bool has_physical, bool physical,
			bool has_cpu_index, int64_t cpu_index, Error **errp)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t *buf;
	char *hex;
	int64_t i;

	if (size < 0 || size > READ_MAX || addr + (uint64_t)size < addr) {
		error_setg(errp, "Parameter 'size' must be between 0 and %d", READ_MAX);
		return NULL;
	}
	buf = zalloc((size_t)size + 1, errp);
	hex = buf ? zalloc((size_t)size * 2 + 1, errp) : NULL;
	if (!hex ||
	    !memory_read(monitor_machine(), addr, (uint64_t)size, !(has_physical && physical),
			 has_cpu_index ? cpu_index : 0, buf, errp)) {
		free(buf);
		free(hex);
		return NULL;
	}
	for (i = 0; i < size; i++) {
		hex[2 * i] = digits[buf[i] >> 4];
		hex[2 * i + 1] = digits[buf[i] & 15];
	}
	free(buf);
	return hex;
}
