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

void qmp_events_on_vm_event(void *opaque, enum vm_event ev, bool guest, ShutdownCause cause)
{
	switch (ev) {
	case VM_EVENT_STOP:
		event_send_stop();
		break;
	case VM_EVENT_RESUME:
		event_send_resume();
		break;
	case VM_EVENT_RESET:
		event_send_reset(guest, cause);
		break;
	case VM_EVENT_SHUTDOWN:
		event_send_shutdown(guest, cause);
		break;
	case VM_EVENT_POWERDOWN:
		event_send_powerdown();
		break;
	}
}
