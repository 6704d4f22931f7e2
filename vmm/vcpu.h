/* vCPUs: one thread each running KVM_RUN, exit handling, pause/resume, register access. */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct machine;
struct object;

struct vcpu {
	struct machine *m;
	int index;
	struct object *obj; /* its object, /machine/unattached/device[index] */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	pid_t tid;
	bool started;
	bool parked;
	bool io_pending; /* the last exit needs KVM_RUN again to complete */
	bool stopped;	 /* ended by a guest error until the next reset */
	bool debug_hold; /* the debugger keeps it parked while the others run */
	bool debug_exit; /* a debug exit of the debugger's stopped it: debug_info says which */
	struct kvm_debug_exit_arch debug_info;
	struct kvm_lapic_state lapic_reset;
};

/* Creates vCPU index (fd, kvm_run mapping, CPUID, LAPIC LINTs); -errno on failure. */
int vcpu_create(struct machine *m, struct vcpu *v, int index);
/* Sets real-mode state at CS:IP = 0:entry; runnable decides whether it waits for INIT/SIPI. */
int vcpu_reset_real_mode(struct vcpu *v, uint16_t entry, bool runnable);
int vcpu_start(struct vcpu *v);
/* With the big lock held: returns once every vCPU thread is out of KVM_RUN and parked. */
void vcpu_pause_all(struct machine *m);
/* With the big lock held: lets the vCPUs run again if the machine is running. */
void vcpu_resume_all(struct machine *m);
/* Ends and joins every vCPU thread. Called without the big lock. */
void vcpu_join_all(struct machine *m);
void vcpu_destroy(struct vcpu *v);

/* Register access; the vCPU must be parked. 0 or -errno. */
int vcpu_get_regs(struct vcpu *v, struct kvm_regs *regs, struct kvm_sregs *sregs);
int vcpu_set_regs(struct vcpu *v, const struct kvm_regs *regs, const struct kvm_sregs *sregs);
int vcpu_is_halted(struct vcpu *v, bool *halted);
/* The x87/SSE/AVX state (KVM_GET_XSAVE: the FXSAVE layout in its first 512 bytes; KVM_GET_FPU
 * leaves MXCSR 0 while the SSE state is in its init state), XCR0 and the debug registers. */
int vcpu_get_fpu_debug(struct vcpu *v, struct kvm_xsave *xsave, uint64_t *xcr0,
		       struct kvm_debugregs *dbg);

#endif
