/* QMP run-state commands: query-status, stop, cont, system_reset, system_powerdown. */
#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"

StatusInfo *qmp_query_status(Error **errp)
{
	struct machine *m = monitor_machine();
	StatusInfo *info = zalloc(sizeof(*info), errp);

	if (info) {
		info->status = m->state;
		info->running = m->state == RUN_STATE_RUNNING; /* singlestep: false */
	}
	return info;
}

/* shutdown and internal-error need a reset first (QEMU's runstate_needs_reset()). */
static bool needs_reset(struct machine *m, const char *what, Error **errp)
{
	if (m->state != RUN_STATE_SHUTDOWN && m->state != RUN_STATE_INTERNAL_ERROR)
		return false;
	if (what)
		error_setg(errp, "Cannot %s the VM in state '%s': 'system_reset' is required", what,
			   RunState_str[m->state]);
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
	if (m->state == RUN_STATE_RUNNING) /* returns with every vCPU out of KVM_RUN; STOP sent */
		vm_stop(m, RUN_STATE_PAUSED);
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
	vm_reset(monitor_machine(), false, SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
}

void qmp_system_powerdown(Error **errp)
{
	vm_powerdown(monitor_machine());
}
