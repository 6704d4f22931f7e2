/* The run-state machine: one vm_set_state() with QEMU's idea of a transition table, requests. */
#include "vmm/run-state.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/machine.h"
#include "vmm/mainloop.h"
#include "vmm/vcpu.h"

#define TO(s) (1u << (s))
_Static_assert(RUN_STATE__MAX <= 32, "one bit per run state");

/* Where each state may go (QEMU's runstate_transitions_def); a shutdown is final. */
static const uint32_t legal[RUN_STATE__MAX] = {
	[RUN_STATE_PRELAUNCH] =
		TO(RUN_STATE_RUNNING) | TO(RUN_STATE_SHUTDOWN) | TO(RUN_STATE_INTERNAL_ERROR),
	[RUN_STATE_RUNNING] = TO(RUN_STATE_PAUSED) | TO(RUN_STATE_DEBUG) | TO(RUN_STATE_SHUTDOWN) |
			      TO(RUN_STATE_INTERNAL_ERROR),
	[RUN_STATE_DEBUG] =
		TO(RUN_STATE_RUNNING) | TO(RUN_STATE_SHUTDOWN) | TO(RUN_STATE_INTERNAL_ERROR),
	[RUN_STATE_PAUSED] =
		TO(RUN_STATE_RUNNING) | TO(RUN_STATE_SHUTDOWN) | TO(RUN_STATE_INTERNAL_ERROR),
	[RUN_STATE_INTERNAL_ERROR] = TO(RUN_STATE_RUNNING) | TO(RUN_STATE_SHUTDOWN),
	[RUN_STATE_SHUTDOWN] = 0,
};

void vm_set_state(struct machine *m, RunState state)
{
	if (state == m->state)
		return;
	if (!(legal[m->state] & TO(state))) {
		fprintf(stderr, "tinyvmm: invalid run state transition: '%s' -> '%s'\n",
			RunState_str[m->state], RunState_str[state]);
		abort();
	}
	m->state = state;
}

void machine_add_listener(struct machine *m, vm_listener_fn fn, void *opaque)
{
	if (m->nr_listeners == VM_MAX_LISTENERS) {
		fprintf(stderr, "tinyvmm: more than %d run-state listeners\n", VM_MAX_LISTENERS);
		abort();
	}
	m->listeners[m->nr_listeners++] = (struct vm_listener){ fn, opaque };
}

void machine_remove_listener(struct machine *m, vm_listener_fn fn, void *opaque)
{
	int i, k = 0;

	for (i = 0; i < m->nr_listeners; i++)
		if (m->listeners[i].fn != fn || m->listeners[i].opaque != opaque)
			m->listeners[k++] = m->listeners[i];
	m->nr_listeners = k;
}

static void emit(struct machine *m, enum vm_event ev, bool guest, ShutdownCause cause)
{
	int i;

	for (i = 0; i < m->nr_listeners; i++)
		m->listeners[i].fn(m->listeners[i].opaque, ev, guest, cause);
}

void vm_stop(struct machine *m, RunState state)
{
	bool was_running = m->state == RUN_STATE_RUNNING;

	vcpu_pause_all(m);
	vm_set_state(m, state);
	if (was_running)
		emit(m, VM_EVENT_STOP, false, SHUTDOWN_CAUSE_NONE);
}

void vm_cont(struct machine *m)
{
	if (m->state == RUN_STATE_RUNNING)
		return;
	vm_set_state(m, RUN_STATE_RUNNING);
	vcpu_resume_all(m);
	emit(m, VM_EVENT_RESUME, false, SHUTDOWN_CAUSE_NONE);
}

void vm_shutdown(struct machine *m, bool guest, ShutdownCause cause, int exit_code)
{
	if (m->state == RUN_STATE_SHUTDOWN)
		return;
	vcpu_pause_all(m);
	vm_set_state(m, RUN_STATE_SHUTDOWN);
	m->exit_code = exit_code;
	emit(m, VM_EVENT_SHUTDOWN, guest, cause);
	mainloop_quit(m->loop);
}

void vm_reset(struct machine *m, bool guest, ShutdownCause cause)
{
	int r;

	if (m->state == RUN_STATE_SHUTDOWN)
		return; /* the process is ending: a late reset changes nothing */
	vcpu_pause_all(m);
	r = machine_reset(m);
	if (r < 0) {
		fprintf(stderr, "tinyvmm: reset failed: %s\n", strerror(-r));
		vm_stop(m, RUN_STATE_INTERNAL_ERROR);
		return;
	}
	emit(m, VM_EVENT_RESET, guest, cause);
	if (m->state == RUN_STATE_INTERNAL_ERROR)
		vm_set_state(m, RUN_STATE_RUNNING); /* a reset brings a crashed guest back */
	vcpu_resume_all(m);
}

void vm_powerdown(struct machine *m)
{
	emit(m, VM_EVENT_POWERDOWN, false, SHUTDOWN_CAUSE_NONE);
}

static void request(struct machine *m, struct vm_request *r, bool guest, ShutdownCause cause,
		    int exit_code)
{
	uint64_t one = 1;

	m->vcpus_run = false; /* vcpu_resume_all() sets it again if the VM runs on */
	pthread_mutex_lock(&m->req_lock);
	if (!r->pending)
		*r = (struct vm_request){ true, guest, cause, exit_code };
	pthread_mutex_unlock(&m->req_lock);
	if (write(m->req_fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow in practice; nothing else can fail */
	}
}

/* Copies a pending request to *out and clears it; false if none is pending. */
static bool take(struct machine *m, struct vm_request *r, struct vm_request *out)
{
	pthread_mutex_lock(&m->req_lock);
	*out = *r;
	r->pending = false;
	pthread_mutex_unlock(&m->req_lock);
	return out->pending;
}

void vm_request_shutdown(struct machine *m, bool guest, ShutdownCause cause, int exit_code)
{
	request(m, &m->req_shutdown, guest, cause, exit_code);
}

void vm_request_reset(struct machine *m, bool guest, ShutdownCause cause)
{
	request(m, &m->req_reset, guest, cause, 0);
}

void vm_request_error(struct machine *m)
{
	request(m, &m->req_error, false, SHUTDOWN_CAUSE_NONE, EXIT_GUEST_CRASH);
}

void vm_request_debug(struct machine *m, int cpu)
{
	request(m, &m->req_debug, false, SHUTDOWN_CAUSE_NONE, cpu);
}

/* Serves requests on the main thread, big lock held: a shutdown first, and then nothing else. */
static void on_request(int fd, uint32_t events, void *opaque)
{
	struct machine *m = opaque;
	struct vm_request r;
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0)
		return;
	if (take(m, &m->req_shutdown, &r)) {
		vm_shutdown(m, r.guest, r.cause, r.exit_code);
		return;
	}
	if (take(m, &m->req_error, &r)) {
		vm_stop(m, RUN_STATE_INTERNAL_ERROR);
		if (!m->stay_on_error) {
			m->exit_code = r.exit_code;
			mainloop_quit(m->loop);
		}
	}
	if (take(m, &m->req_reset, &r))
		vm_reset(m, r.guest, r.cause);
	if (take(m, &m->req_debug, &r) && m->state == RUN_STATE_RUNNING) {
		m->debug_cpu = r.exit_code;
		vm_stop(m, RUN_STATE_DEBUG);
	}
}

bool run_state_init(struct machine *m)
{
	pthread_mutex_init(&m->req_lock, NULL);
	m->state = RUN_STATE_PRELAUNCH;
	m->req_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->req_fd < 0)
		return false;
	m->req_watch = mainloop_add_fd(m->loop, m->req_fd, EPOLLIN, on_request, m);
	return m->req_watch != NULL;
}

void run_state_destroy(struct machine *m)
{
	if (m->req_watch)
		mainloop_remove(m->loop, m->req_watch);
	if (m->req_fd >= 0)
		close(m->req_fd);
}
