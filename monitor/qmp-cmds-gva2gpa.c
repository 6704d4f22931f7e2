/* QMP x-gva2gpa (HMP gva2gpa): a guest-virtual address through a vCPU's page tables. */
#include <errno.h>

#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"

GvaToGpaInfo *qmp_x_gva2gpa(uint64_t addr, bool has_cpu_index, int64_t cpu_index, Error **errp)
{
	struct machine *m = monitor_machine();
	bool running = m->state == RUN_STATE_RUNNING;
	struct vcpu *v = monitor_vcpu(m, has_cpu_index ? cpu_index : 0, errp);
	GvaToGpaInfo *info;
	uint64_t gpa;
	int err;

	if (!v)
		return NULL;
	/* the registers are read with the vCPUs parked (a transient pause: no event) */
	if (running)
		vcpu_pause_all(m);
	err = paging_translate(m, v, addr, &gpa);
	if (running)
		vcpu_resume_all(m);
	if (err && err != -EFAULT) {
		error_setg_errno(errp, -err, "Cannot read the registers of CPU %d", v->index);
		return NULL;
	}
	info = zalloc(sizeof(*info), errp);
	if (info) {
		info->mapped = info->has_gpa = !err;
		info->gpa = err ? 0 : gpa;
	}
	return info;
}
