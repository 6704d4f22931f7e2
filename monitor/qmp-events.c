/* QMP events: the machine's run-state changes become STOP, RESUME, RESET, SHUTDOWN, POWERDOWN. */
#include "monitor/qmp-internal.h"
#include "qapi-events.h"

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
