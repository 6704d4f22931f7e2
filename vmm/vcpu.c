/* vCPUs: one thread each running KVM_RUN, exit handling, pause/resume, register access. */
#include "vmm/vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/gdb-debug.h"
#include "vmm/machine.h"

#define SIG_KICK	 SIGUSR1
#define APIC_LVT0	 0x350
#define APIC_LVT1	 0x360
#define APIC_MODE_NMI	 0x400
#define APIC_MODE_EXTINT 0x700
#define APIC_LVT_MASKED	 0x10000
/* exits one instruction may still need once a pause is asked (a rep string op: 1024 a run) */
#define MAX_COMPLETING_RUNS 4096

static void kick_handler(int sig)
{
	(void)sig; /* only interrupts KVM_RUN */
}

static void set_cpuid(struct machine *m, struct vcpu *v)
{
	struct kvm_cpuid2 *c = m->cpuid;
	size_t bytes = sizeof(*c) + c->nent * sizeof(c->entries[0]);
	struct kvm_cpuid2 *mine = malloc(bytes);
	uint32_t i;

	if (!mine)
		return;
	memcpy(mine, c, bytes);
	for (i = 0; i < mine->nent; i++) {
		struct kvm_cpuid_entry2 *e = &mine->entries[i];

		if (e->function == 1) {
			e->ebx = (e->ebx & 0x0000ffff) | ((uint32_t)m->nr_vcpus << 16) |
				 ((uint32_t)v->index << 24);
			e->ecx |= 1u << 31; /* running under a hypervisor */
		} else if (e->function == 0xb || e->function == 0x1f) {
			e->edx = (uint32_t)v->index;
		}
	}
	if (ioctl(v->fd, KVM_SET_CPUID2, mine) < 0)
		fprintf(stderr, "tinyvmm: vCPU %d: KVM_SET_CPUID2: %s\n", v->index,
			strerror(errno));
	free(mine);
}

static void set_reg32(struct kvm_lapic_state *l, int off, uint32_t val)
{
	memcpy(&l->regs[off], &val, 4);
}

/* LINT0 ExtINT on vCPU 0 so the PIC reaches it; LINT1 NMI everywhere (as firmware does). */
static int setup_lapic(struct vcpu *v)
{
	if (ioctl(v->fd, KVM_GET_LAPIC, &v->lapic_reset) < 0)
		return -errno;
	set_reg32(&v->lapic_reset, APIC_LVT0,
		  v->index == 0 ? APIC_MODE_EXTINT : APIC_MODE_EXTINT | APIC_LVT_MASKED);
	set_reg32(&v->lapic_reset, APIC_LVT1, APIC_MODE_NMI);
	if (ioctl(v->fd, KVM_SET_LAPIC, &v->lapic_reset) < 0)
		return -errno;
	return 0;
}

int vcpu_create(struct machine *m, struct vcpu *v, int index)
{
	static bool handler_installed;
	int r;

	memset(v, 0, sizeof(*v));
	v->m = m;
	v->index = index;
	v->fd = ioctl(m->vm_fd, KVM_CREATE_VCPU, index);
	if (v->fd < 0)
		return -errno;
	v->run = mmap(NULL, (size_t)m->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		r = -errno;
		close(v->fd);
		v->fd = -1;
		v->run = NULL;
		return r;
	}
	set_cpuid(m, v);
	r = setup_lapic(v);
	if (r < 0)
		return r;
	if (!handler_installed) {
		struct sigaction sa = { .sa_handler = kick_handler }; /* no SA_RESTART */

		sigemptyset(&sa.sa_mask);
		sigaction(SIG_KICK, &sa, NULL);
		handler_installed = true;
	}
	return 0;
}

static void real_mode_seg(struct kvm_segment *s, uint16_t type)
{
	*s = (struct kvm_segment){ .base = 0,
				   .limit = 0xffff,
				   .selector = 0,
				   .type = (uint8_t)type,
				   .present = 1,
				   .s = 1 };
}

int vcpu_reset_real_mode(struct vcpu *v, uint16_t entry, bool runnable)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = entry, .rflags = 0x2 };
	struct kvm_mp_state mp = { .mp_state = runnable ? KVM_MP_STATE_RUNNABLE
							: KVM_MP_STATE_UNINITIALIZED };
	struct kvm_fpu fpu = { .fcw = 0x37f };

	fpu.mxcsr = 0x1f80;
	if (ioctl(v->fd, KVM_SET_LAPIC, &v->lapic_reset) < 0)
		return -errno;
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	real_mode_seg(&sregs.cs, 0xb);
	real_mode_seg(&sregs.ds, 0x3);
	real_mode_seg(&sregs.es, 0x3);
	real_mode_seg(&sregs.fs, 0x3);
	real_mode_seg(&sregs.gs, 0x3);
	real_mode_seg(&sregs.ss, 0x3);
	sregs.cr0 = 0x60000010;
	sregs.cr2 = sregs.cr3 = sregs.cr4 = 0;
	sregs.efer = 0;
	sregs.gdt.base = sregs.idt.base = 0;
	sregs.gdt.limit = sregs.idt.limit = 0xffff;
	/* as QEMU's reset (SVM's own would make TR a 16-bit TSS) */
	sregs.ldt = (struct kvm_segment){ .limit = 0xffff, .type = 0x2, .present = 1 };
	sregs.tr = (struct kvm_segment){ .limit = 0xffff, .type = 0xb, .present = 1 };
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0 || ioctl(v->fd, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(v->fd, KVM_SET_FPU, &fpu) < 0 || ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
		return -errno;
	v->stopped = false;
	v->io_pending = false;
	return 0;
}

static const char *exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
		[KVM_EXIT_NMI] = "NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "unknown";
}

static void handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	unsigned size = run->io.size;
	uint64_t bytes = (uint64_t)size * run->io.count;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t i;

	if ((size != 1 && size != 2 && size != 4) ||
	    run->io.data_offset + bytes > (uint64_t)v->m->run_size)
		return;
	for (i = 0; i < run->io.count; i++, data += size) {
		uint64_t val = 0;

		if (run->io.direction == KVM_EXIT_IO_OUT) {
			memcpy(&val, data, size);
			iospace_write(&v->m->pio, run->io.port, val, size);
		} else {
			val = iospace_read(&v->m->pio, run->io.port, size);
			memcpy(data, &val, size);
		}
	}
	v->io_pending = true;
}

static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	unsigned len = run->mmio.len;
	uint64_t val = 0;

	if (len == 0 || len > 8)
		return;
	if (run->mmio.is_write) {
		memcpy(&val, run->mmio.data, len);
		iospace_write(&v->m->mmio, run->mmio.phys_addr, val, len);
	} else {
		val = iospace_read(&v->m->mmio, run->mmio.phys_addr, len);
		memcpy(run->mmio.data, &val, len);
	}
	v->io_pending = true;
}

static void guest_error(struct vcpu *v, const char *what)
{
	fprintf(stderr, "tinyvmm: vCPU %d: %s\n", v->index, what);
	v->stopped = true;
	vm_request_error(v->m);
}

/* Handles one exit with the big lock held. */
static void handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	char msg[160];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		break;
	case KVM_EXIT_MMIO:
		handle_mmio(v);
		break;
	case KVM_EXIT_INTR:
		break;
	case KVM_EXIT_DEBUG:
		gdb_debug_exit(v);
		break;
	case KVM_EXIT_HLT: /* only without an in-kernel irqchip: nothing can wake it */
		fprintf(stderr, "tinyvmm: vCPU %d: halted\n", v->index);
		v->stopped = true;
		break;
	case KVM_EXIT_SHUTDOWN:
		fprintf(stderr,
			"tinyvmm: vCPU %d: triple fault (KVM_EXIT_SHUTDOWN), ending the VM\n",
			v->index);
		v->stopped = true;
		vm_request_shutdown(v->m, true, SHUTDOWN_CAUSE_GUEST_RESET, EXIT_GUEST_CRASH);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(msg, sizeof(msg),
			 "KVM_EXIT_FAIL_ENTRY, hardware entry failure reason 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		guest_error(v, msg);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(msg, sizeof(msg), "KVM_EXIT_INTERNAL_ERROR, suberror %u",
			 run->internal.suberror);
		guest_error(v, msg);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		v->stopped = true;
		if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
			vm_request_reset(v->m, true, SHUTDOWN_CAUSE_GUEST_RESET);
		else if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
			vm_request_shutdown(v->m, true, SHUTDOWN_CAUSE_GUEST_SHUTDOWN, 0);
		else
			guest_error(v, "KVM_EXIT_SYSTEM_EVENT (crash)");
		break;
	default:
		snprintf(msg, sizeof(msg), "unexpected KVM exit %u (%s)", run->exit_reason,
			 exit_name(run->exit_reason));
		guest_error(v, msg);
		break;
	}
}

/*
 * Finishes a pending I/O exit without running guest code, so registers are consistent. The
 * completing KVM_RUN can itself exit for the next fragment of the same instruction (an MMIO
 * access split at a page boundary or into 8-byte pieces, a string instruction): that exit is
 * emulated too, until KVM_RUN stops at the instruction boundary (EINTR). Past the bound the
 * last exit stays pending, and the next KVM_RUN completes it: nothing is dropped.
 */
static void complete_pending_io(struct vcpu *v)
{
	int i;

	for (i = 0; v->io_pending && i < MAX_COMPLETING_RUNS; i++) {
		v->run->immediate_exit = 1;
		v->io_pending = false;
		if (ioctl(v->fd, KVM_RUN, 0) == 0)
			handle_exit(v);
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct machine *m = v->m;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	v->tid = gettid();

	pthread_mutex_lock(&m->lock);
	for (;;) {
		int r;

		while (!m->vcpus_run || v->stopped || v->debug_hold || m->vcpus_quit) {
			complete_pending_io(v);
			if (m->vcpus_quit)
				goto out;
			v->parked = true;
			m->nr_parked++;
			pthread_cond_broadcast(&m->parked_cond);
			pthread_cond_wait(&m->run_cond, &m->lock);
			m->nr_parked--;
			v->parked = false;
		}
		v->run->immediate_exit = 0;
		pthread_mutex_unlock(&m->lock);
		r = ioctl(v->fd, KVM_RUN, 0);
		pthread_mutex_lock(&m->lock);
		v->io_pending = false;
		if (r < 0) {
			if (errno != EINTR && errno != EAGAIN) {
				char msg[96];

				snprintf(msg, sizeof(msg), "KVM_RUN failed: %s", strerror(errno));
				guest_error(v, msg);
			}
			continue;
		}
		handle_exit(v);
	}
out:
	m->nr_threads--;
	pthread_cond_broadcast(&m->parked_cond);
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	int r = pthread_create(&v->thread, NULL, vcpu_thread, v);

	if (r)
		return -r;
	v->started = true;
	v->m->nr_threads++;
	return 0;
}

static void kick_all(struct machine *m)
{
	int i;

	for (i = 0; i < m->nr_vcpus; i++) {
		struct vcpu *v = &m->vcpus[i];

		if (!v->started || v->parked)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(v->thread, SIG_KICK);
	}
}

void vcpu_pause_all(struct machine *m)
{
	m->vcpus_run = false;
	kick_all(m);
	while (m->nr_parked < m->nr_threads)
		pthread_cond_wait(&m->parked_cond, &m->lock);
}

void vcpu_resume_all(struct machine *m)
{
	m->vcpus_run = m->state == RUN_STATE_RUNNING;
	if (m->vcpus_run)
		pthread_cond_broadcast(&m->run_cond);
}

void vcpu_join_all(struct machine *m)
{
	int i;

	pthread_mutex_lock(&m->lock);
	m->vcpus_quit = true;
	kick_all(m);
	pthread_cond_broadcast(&m->run_cond);
	pthread_mutex_unlock(&m->lock);
	for (i = 0; i < m->nr_vcpus; i++) {
		if (m->vcpus[i].started)
			pthread_join(m->vcpus[i].thread, NULL);
		m->vcpus[i].started = false;
	}
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, (size_t)v->m->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

int vcpu_get_regs(struct vcpu *v, struct kvm_regs *regs, struct kvm_sregs *sregs)
{
	if (regs && ioctl(v->fd, KVM_GET_REGS, regs) < 0)
		return -errno;
	if (sregs && ioctl(v->fd, KVM_GET_SREGS, sregs) < 0)
		return -errno;
	return 0;
}

int vcpu_set_regs(struct vcpu *v, const struct kvm_regs *regs, const struct kvm_sregs *sregs)
{
	if (regs && ioctl(v->fd, KVM_SET_REGS, regs) < 0)
		return -errno;
	if (sregs && ioctl(v->fd, KVM_SET_SREGS, sregs) < 0)
		return -errno;
	return 0;
}

int vcpu_get_fpu_debug(struct vcpu *v, struct kvm_xsave *xsave, uint64_t *xcr0,
		       struct kvm_debugregs *dbg)
{
	struct kvm_xcrs xcrs;
	uint32_t i;

	if (ioctl(v->fd, KVM_GET_XSAVE, xsave) < 0 || ioctl(v->fd, KVM_GET_XCRS, &xcrs) < 0 ||
	    ioctl(v->fd, KVM_GET_DEBUGREGS, dbg) < 0)
		return -errno;
	*xcr0 = 1; /* x87 only: the reset value */
	for (i = 0; i < xcrs.nr_xcrs && i < KVM_MAX_XCRS; i++)
		if (xcrs.xcrs[i].xcr == 0)
			*xcr0 = xcrs.xcrs[i].value;
	return 0;
}

int vcpu_is_halted(struct vcpu *v, bool *halted)
{
	struct kvm_mp_state mp;

	if (ioctl(v->fd, KVM_GET_MP_STATE, &mp) < 0)
		return -errno;
	*halted = mp.mp_state == KVM_MP_STATE_HALTED;
	return 0;
}
