/* The machine: KVM fds, RAM, address spaces, vCPUs, devices, run state and the big lock. */
#ifndef VMM_MACHINE_H
#define VMM_MACHINE_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/config.h"
#include "vmm/guest-mem.h"
#include "vmm/iospace.h"
#include "vmm/kvm.h"

struct mainloop;
struct watch;
struct chardev;
struct vcpu;

/* Run states and shutdown causes, spelled as QEMU's RunState and ShutdownCause. */
enum vm_state { VM_PRELAUNCH, VM_RUNNING, VM_PAUSED, VM_SHUTDOWN, VM_INTERNAL_ERROR };
enum vm_cause {
	CAUSE_NONE,
	CAUSE_HOST_ERROR,
	CAUSE_HOST_QMP_QUIT,
	CAUSE_HOST_QMP_SYSTEM_RESET,
	CAUSE_HOST_SIGNAL,
	CAUSE_HOST_UI,
	CAUSE_GUEST_SHUTDOWN,
	CAUSE_GUEST_RESET,
	CAUSE_GUEST_PANIC,
};
enum vm_event {
	VM_EVENT_STOP,
	VM_EVENT_RESUME,
	VM_EVENT_RESET,
	VM_EVENT_SHUTDOWN,
	VM_EVENT_POWERDOWN
};

/* Exit codes of the process (documented in README.md). */
#define EXIT_GUEST_CRASH 2

/* Told of every run-state event, on the main thread with the big lock held. */
typedef void (*vm_event_fn)(void *opaque, enum vm_event ev, bool guest, enum vm_cause cause);

struct machine {
	pthread_mutex_t lock; /* the big lock: machine and device state */
	const struct vm_config *cfg;
	struct mainloop *loop;
	int kvm_fd, vm_fd;
	int run_size;
	struct guest_mem mem;
	struct iospace pio, mmio;
	struct vcpu *vcpus;
	int nr_vcpus;
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID */
	struct kvm_reset_state reset_state;

	enum vm_state state;
	bool vcpus_run;	 /* vCPUs may enter KVM_RUN */
	bool vcpus_quit; /* vCPU threads must end */
	int nr_parked, nr_threads;
	pthread_cond_t parked_cond, run_cond;

	/* requests from any thread, served by the main loop */
	int req_fd; /* eventfd */
	struct watch *req_watch;
	bool req_shutdown, req_reset, req_powerdown, req_error;
	bool req_guest;
	enum vm_cause req_cause;
	int exit_code;
	bool stay_on_error; /* keep the process for inspection after a guest error */

	vm_event_fn on_event;
	void *event_opaque;
	void (*on_powerdown)(struct machine *m); /* the guest-visible power button, if any */
	int (*boot_reset)(struct machine *m);	 /* reloads the guest and sets vCPU entry state */
	void *boot_image;			 /* what boot_reset loads */
	size_t boot_image_size;
	void (*boot_release)(void *image); /* frees boot_image (free() when NULL) */

	struct chardev *serial_chr, *debugcon_chr;
	struct serial *serial;
};

/* Creates the VM, RAM, vCPUs and devices, and loads the guest; false with a message printed. */
bool machine_create(struct machine *m, const struct vm_config *cfg, struct mainloop *loop);
/* Starts the vCPU threads (running, or parked in prelaunch with -S). */
bool machine_start(struct machine *m);

/* Installs a loader's reset hook and runs it once (the first boot); false with a message. */
bool machine_set_boot(struct machine *m, int (*boot_reset)(struct machine *m));
/* Ends and joins the vCPU threads, closes everything. */
void machine_destroy(struct machine *m);

/* Run-state changes; call on the main thread with the big lock held. */
void vm_stop(struct machine *m, enum vm_state new_state);
void vm_cont(struct machine *m);
bool vm_is_running(const struct machine *m);
const char *vm_state_name(enum vm_state s);
const char *vm_cause_name(enum vm_cause c);

/* Requests served by the main loop; safe from any thread, with or without the lock. */
void vm_request_shutdown(struct machine *m, bool guest, enum vm_cause cause, int exit_code);
void vm_request_reset(struct machine *m, bool guest, enum vm_cause cause);
void vm_request_powerdown(struct machine *m);
void vm_request_error(struct machine *m);

/* The same, done now: on the main thread with the big lock held. */
void vm_shutdown(struct machine *m, bool guest, enum vm_cause cause, int exit_code);
void vm_reset(struct machine *m, bool guest, enum vm_cause cause);
void vm_powerdown(struct machine *m);

#endif
