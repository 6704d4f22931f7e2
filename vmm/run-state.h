/* The run-state machine: legal transitions, requests from any thread, events to listeners. */
#ifndef VMM_RUN_STATE_H
#define VMM_RUN_STATE_H

#include <stdbool.h>

#include "qapi-enums.h" /* RunState, ShutdownCause: the schema's, generated */

struct machine;

enum vm_event {
	VM_EVENT_STOP,
	VM_EVENT_RESUME,
	VM_EVENT_RESET,
	VM_EVENT_SHUTDOWN,
	VM_EVENT_POWERDOWN
};

/* Told of every run-state event, on the main thread with the big lock held. */
typedef void (*vm_listener_fn)(void *opaque, enum vm_event ev, bool guest, ShutdownCause cause);

struct vm_listener {
	vm_listener_fn fn;
	void *opaque;
};
#define VM_MAX_LISTENERS 4

/* One kind of request, made on any thread: the first one decides until the main loop serves it. */
struct vm_request {
	bool pending;
	bool guest; /* the guest asked */
	ShutdownCause cause;
	int exit_code; /* shutdown: the process's exit code */
};

/* The request eventfd on the machine's main loop; false with errno set. */
bool run_state_init(struct machine *m);
void run_state_destroy(struct machine *m);

/*
 * The one place the run state changes, on the main thread with the big lock held. A
 * transition the table does not allow is a programming error: it is printed, then abort().
 */
void vm_set_state(struct machine *m, RunState state);

/* Listeners are told in the order they were added; at most VM_MAX_LISTENERS. */
void machine_add_listener(struct machine *m, vm_listener_fn fn, void *opaque);
void machine_remove_listener(struct machine *m, vm_listener_fn fn, void *opaque);

/* Run-state changes; call on the main thread with the big lock held. */
void vm_stop(struct machine *m, RunState state);
void vm_cont(struct machine *m);

/*
 * Requests from a vCPU thread (a device or an exit, big lock held), served by the main loop.
 * Until then no vCPU enters KVM_RUN again, as QEMU stops the CPU that asked: a guest that
 * asked for a reset does not run on (into a triple fault, say) before the reset happens.
 */
void vm_request_shutdown(struct machine *m, bool guest, ShutdownCause cause, int exit_code);
void vm_request_reset(struct machine *m, bool guest, ShutdownCause cause);
void vm_request_error(struct machine *m);
/* A debugger's breakpoint, watchpoint or step hit on vCPU cpu: the VM stops in state debug. */
void vm_request_debug(struct machine *m, int cpu);

/* The same, done now: on the main thread with the big lock held. Nothing revives a shutdown. */
void vm_shutdown(struct machine *m, bool guest, ShutdownCause cause, int exit_code);
void vm_reset(struct machine *m, bool guest, ShutdownCause cause);
void vm_powerdown(struct machine *m);

#endif
