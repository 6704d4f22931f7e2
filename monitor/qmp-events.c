/* QMP events: the machine's run-state changes become STOP, RESUME, RESET, SHUTDOWN, POWERDOWN. */
#include <stdlib.h>

#include "monitor/json-out.h"
#include "monitor/qmp-internal.h"
#include "qapi-events.h"

/* Called by the generated event_send_*(); takes ownership of event. */
void qmp_event_broadcast(json_object *event)
{
	size_t len;
	char *line =
		json_out_line(event, &len); /* one text: every client sees the same timestamp */

	json_object_put(event);
	if (line)
		qmp_server_broadcast(line, len);
	free(line);
}

static ShutdownCause shutdown_cause(enum vm_cause c)
{
	switch (c) {
	case CAUSE_NONE:
		return SHUTDOWN_CAUSE_NONE;
	case CAUSE_HOST_ERROR:
		return SHUTDOWN_CAUSE_HOST_ERROR;
	case CAUSE_HOST_QMP_QUIT:
		return SHUTDOWN_CAUSE_HOST_QMP_QUIT;
	case CAUSE_HOST_QMP_SYSTEM_RESET:
		return SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET;
	case CAUSE_HOST_SIGNAL:
		return SHUTDOWN_CAUSE_HOST_SIGNAL;
	case CAUSE_HOST_UI:
		return SHUTDOWN_CAUSE_HOST_UI;
	case CAUSE_GUEST_SHUTDOWN:
		return SHUTDOWN_CAUSE_GUEST_SHUTDOWN;
	case CAUSE_GUEST_RESET:
		return SHUTDOWN_CAUSE_GUEST_RESET;
	case CAUSE_GUEST_PANIC:
		return SHUTDOWN_CAUSE_GUEST_PANIC;
	}
	return SHUTDOWN_CAUSE_NONE;
}

void qmp_events_on_vm_event(void *opaque, enum vm_event ev, bool guest, enum vm_cause cause)
{
	switch (ev) {
	case VM_EVENT_STOP:
		event_send_stop();
		break;
	case VM_EVENT_RESUME:
		event_send_resume();
		break;
	case VM_EVENT_RESET:
		event_send_reset(guest, shutdown_cause(cause));
		break;
	case VM_EVENT_SHUTDOWN:
		event_send_shutdown(guest, shutdown_cause(cause));
		break;
	case VM_EVENT_POWERDOWN:
		event_send_powerdown();
		break;
	}
}
