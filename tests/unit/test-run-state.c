/* Unit test of the run-state machine without KVM: transitions, request records, listeners. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "vmm/machine.h"
#include "vmm/mainloop.h"

static struct machine m; /* no vCPUs: pausing and resuming are immediate */
static int events[VM_EVENT_POWERDOWN + 1], seen_by_second;
static bool last_guest;
static ShutdownCause last_cause;

static void on_event(void *opaque, enum vm_event ev, bool guest, ShutdownCause cause)
{
	events[ev]++;
	last_guest = guest;
	last_cause = cause;
}

static void second(void *opaque, enum vm_event ev, bool guest, ShutdownCause cause)
{
	CHECK(events[ev] > 0); /* told after the first listener */
	seen_by_second++;
}

/* Child process: the transition is refused by abort(). */
static bool aborts(RunState from, RunState to)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		close(STDERR_FILENO);
		m.state = from;
		vm_set_state(&m, to);
		_exit(0);
	}
	return waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGABRT;
}

int main(void)
{
	pthread_mutex_init(&m.lock, NULL);
	pthread_cond_init(&m.parked_cond, NULL);
	pthread_cond_init(&m.run_cond, NULL);
	m.loop = mainloop_new(&m.lock);
	CHECK(m.loop != NULL);
	CHECK(run_state_init(&m));
	CHECK_STR("prelaunch", RunState_str[m.state]);
	machine_add_listener(&m, on_event, NULL);
	machine_add_listener(&m, second, NULL);

	/* transitions: events only where the state really changes */
	pthread_mutex_lock(&m.lock);
	vm_cont(&m);
	vm_cont(&m);
	vm_stop(&m, RUN_STATE_PAUSED);
	vm_stop(&m, RUN_STATE_PAUSED);
	CHECK_U64(1, events[VM_EVENT_RESUME]);
	CHECK_U64(1, events[VM_EVENT_STOP]);
	CHECK_U64(2, seen_by_second);
	machine_remove_listener(&m, second, NULL);
	vm_cont(&m);
	CHECK_U64(2, events[VM_EVENT_RESUME]);
	CHECK_U64(2, seen_by_second);
	vm_stop(&m, RUN_STATE_INTERNAL_ERROR);
	CHECK_STR("internal-error", RunState_str[m.state]);
	vm_set_state(&m, RUN_STATE_RUNNING); /* what a reset does */
	pthread_mutex_unlock(&m.lock);

	/* a reset request made after a shutdown request does not lend it its cause */
	vm_request_shutdown(&m, true, SHUTDOWN_CAUSE_GUEST_SHUTDOWN, 3);
	vm_request_reset(&m, false, SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
	vm_request_shutdown(&m, false, SHUTDOWN_CAUSE_HOST_SIGNAL, 0); /* the first one decides */
	pthread_mutex_lock(&m.lock);
	mainloop_run(m.loop); /* serves the shutdown, which ends the loop */
	CHECK_U64(1, events[VM_EVENT_SHUTDOWN]);
	CHECK(last_guest);
	CHECK_STR("guest-shutdown", ShutdownCause_str[last_cause]);
	CHECK_U64(3, m.exit_code);
	CHECK_STR("shutdown", RunState_str[m.state]);

	/* nothing revives a shut-down VM: a late reset neither resets nor tells anyone */
	vm_reset(&m, false, SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
	vm_shutdown(&m, false, SHUTDOWN_CAUSE_HOST_SIGNAL, 1);
	CHECK_U64(0, events[VM_EVENT_RESET]);
	CHECK_U64(1, events[VM_EVENT_SHUTDOWN]);
	CHECK_U64(3, m.exit_code);
	CHECK_STR("shutdown", RunState_str[m.state]);
	pthread_mutex_unlock(&m.lock);

	/* the table: a shutdown is final; prelaunch is only left, never entered */
	CHECK(aborts(RUN_STATE_SHUTDOWN, RUN_STATE_RUNNING));
	CHECK(aborts(RUN_STATE_SHUTDOWN, RUN_STATE_PAUSED));
	CHECK(aborts(RUN_STATE_RUNNING, RUN_STATE_PRELAUNCH));
	CHECK(aborts(RUN_STATE_INTERNAL_ERROR, RUN_STATE_PAUSED));
	CHECK(!aborts(RUN_STATE_PAUSED, RUN_STATE_SHUTDOWN));

	run_state_destroy(&m);
	mainloop_free(m.loop);
	return check_report("run-state");
}
