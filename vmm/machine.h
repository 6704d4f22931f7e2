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
#include "vmm/run-state.h"

struct mainloop;
struct watch;
struct chardev;
struct vcpu;
struct pci_host;

/* Exit codes of the process (documented in README.md). */
#define EXIT_GUEST_CRASH 2

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

	RunState state;	 /* changed by vm_set_state() only */
	bool vcpus_run;	 /* vCPUs may enter KVM_RUN */
	bool vcpus_quit; /* vCPU threads must end */
	int nr_parked, nr_threads;
	pthread_cond_t parked_cond, run_cond;

	/* requests from any thread, served by the main loop (run-state.c) */
	pthread_mutex_t req_lock; /* the request records */
	int req_fd;		  /* eventfd */
	struct watch *req_watch;
	struct vm_request req_shutdown, req_reset, req_error, req_debug;
	int debug_cpu; /* the vCPU whose debug exit stopped the VM last (state debug) */
	int exit_code;
	bool stay_on_error; /* keep the process for inspection after a guest error */

	struct vm_listener listeners[VM_MAX_LISTENERS];
	int nr_listeners;
	int (*boot_reset)(struct machine *m); /* reloads the guest and sets vCPU entry state */
	void *boot_image;		      /* what boot_reset loads */
	size_t boot_image_size;
	void (*boot_release)(void *image); /* frees boot_image (free() when NULL) */

	struct chardev *serial_chr, *debugcon_chr; /* -serial's and -debugcon's (also below) */
	struct machine_chardev {
		const struct chardev_spec *spec;
		struct chardev *chr; /* opened at start-up */
		bool taken;	     /* by a device's chardev property */
	} chardevs[2 + CONFIG_MAX_CHARDEVS];
	int nr_chardevs;
	struct pci_host *pci; /* the host bridge and bus pci.0 (its realize sets it) */
};

/* Creates the VM, RAM, vCPUs and devices, and loads the guest; false with a message printed. */
bool machine_create(struct machine *m, const struct vm_config *cfg, struct mainloop *loop);
/* Starts the vCPU threads (running, or parked in prelaunch with -S). */
bool machine_start(struct machine *m);

/* Installs a loader's reset hook and runs it once (the first boot); false with a message. */
bool machine_set_boot(struct machine *m, int (*boot_reset)(struct machine *m));
/* With the vCPUs parked: irqchip and devices as at power-on, the guest reloaded; -errno. */
int machine_reset(struct machine *m);
/* The backend labelled label ("serial0", a -chardev id) for a device's chardev property, opened
 * and marked taken; NULL with QEMU's message naming owner ("Property 'OWNER.chardev' can't find
 * value 'x'") when there is none such or a device has it. */
struct chardev *machine_chardev_take(struct machine *m, const char *label, const char *owner,
				     char *err, size_t errlen);
/* Gives chr back (a realize that failed after taking it); NULL is ignored. */
void machine_chardev_release(struct machine *m, struct chardev *chr);
/* Ends and joins the vCPU threads, closes everything. */
void machine_destroy(struct machine *m);

#endif
