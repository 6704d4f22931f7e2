/* QMP run-state commands: query-status, stop, cont, system_reset, system_powerdown. */
#include <stdlib.h>

#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"

static RunState run_state(enum vm_state s)
{
	switch (s) {
	case VM_PRELAUNCH:
		return RUN_STATE_PRELAUNCH;
	case VM_RUNNING:
		return RUN_STATE_RUNNING;
	case VM_PAUSED:
		return RUN_STATE_PAUSED;
	case VM_SHUTDOWN:
		return RUN_STATE_SHUTDOWN;
	case VM_INTERNAL_ERROR:
		return RUN_STATE_INTERNAL_ERROR;
	}
	return RUN_STATE_INTERNAL_ERROR;
}

StatusInfo *qmp_query_status(Error **errp)
{
	struct machine *m = monitor_machine();
	StatusInfo *info = calloc(1, sizeof(*info));

	if (!info) {
		error_setg(errp, "Out of memory");
		return NULL;
	}
	info->status = run_state(m->state);
	info->running = m->state == VM_RUNNING;
	info->singlestep = false;
	return info;
}

/* shutdown and internal-error need a reset first (QEMU's runstate_needs_reset()). */
static bool needs_reset(struct machine *m, const char *what, Error **errp)
{
	if (m->state != VM_SHUTDOWN && m->state != VM_INTERNAL_ERROR)
		return false;
	if (what)
		error_setg(errp, "Cannot %s the VM in state '%s': 'system_reset' is required", what,
			   vm_state_name(m->state));
	else
		error_setg(errp, "Resetting the Virtual Machine is required");
	return true;
}

void qmp_stop(Error **errp)
{
	struct machine *m = monitor_machine();

	if (needs_reset(m, "stop", errp))
		return;
	/* paused or prelaunch: nothing to do and no event, as QEMU */
	if (m->state == VM_RUNNING)
		vm_stop(m, VM_PAUSED); /* returns with every vCPU out of KVM_RUN; STOP sent */
}

void qmp_cont(Error **errp)
{
	struct machine *m = monitor_machine();

	if (needs_reset(m, NULL, errp))
		return;
	vm_cont(m); /* from paused or prelaunch; a no-op (no event) when running */
}

void qmp_system_reset(Error **errp)
{
	vm_reset(monitor_machine(), false, CAUSE_HOST_QMP_SYSTEM_RESET);
}

void qmp_system_powerdown(Error **errp)
{
	vm_powerdown(monitor_machine());
}
