/* The machine: creation, run-state changes and the requests vCPUs make of the main loop. */
#include "vmm/machine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/boot-linux.h"
#include "vmm/chardev.h"
#include "vmm/dev/debug-ports.h"
#include "vmm/dev/i8042.h"
#include "vmm/dev/power.h"
#include "vmm/dev/serial.h"
#include "vmm/loader.h"
#include "vmm/mainloop.h"
#include "vmm/vcpu.h"

#define COM1_BASE 0x3f8
#define COM1_IRQ  4

static const char *const state_names[] = {
	[VM_PRELAUNCH] = "prelaunch",
	[VM_RUNNING] = "running",
	[VM_PAUSED] = "paused",
	[VM_SHUTDOWN] = "shutdown",
	[VM_INTERNAL_ERROR] = "internal-error",
};

static const char *const cause_names[] = {
	[CAUSE_NONE] = "none",
	[CAUSE_HOST_ERROR] = "host-error",
	[CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
	[CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
	[CAUSE_HOST_SIGNAL] = "host-signal",
	[CAUSE_HOST_UI] = "host-ui",
	[CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
	[CAUSE_GUEST_RESET] = "guest-reset",
	[CAUSE_GUEST_PANIC] = "guest-panic",
};

const char *vm_state_name(enum vm_state s)
{
	return state_names[s];
}

const char *vm_cause_name(enum vm_cause c)
{
	return cause_names[c];
}

bool vm_is_running(const struct machine *m)
{
	return m->state == VM_RUNNING;
}

static void emit(struct machine *m, enum vm_event ev, bool guest, enum vm_cause cause)
{
	if (m->on_event)
		m->on_event(m->event_opaque, ev, guest, cause);
}

void vm_stop(struct machine *m, enum vm_state new_state)
{
	bool was_running = m->state == VM_RUNNING;

	vcpu_pause_all(m);
	m->state = new_state;
	if (was_running)
		emit(m, VM_EVENT_STOP, false, CAUSE_NONE);
}

void vm_cont(struct machine *m)
{
	if (m->state == VM_RUNNING)
		return;
	m->state = VM_RUNNING;
	vcpu_resume_all(m);
	emit(m, VM_EVENT_RESUME, false, CAUSE_NONE);
}

void vm_shutdown(struct machine *m, bool guest, enum vm_cause cause, int exit_code)
{
	if (m->state == VM_SHUTDOWN)
		return;
	vcpu_pause_all(m);
	m->state = VM_SHUTDOWN;
	m->exit_code = exit_code;
	emit(m, VM_EVENT_SHUTDOWN, guest, cause);
	mainloop_quit(m->loop);
}

bool machine_set_boot(struct machine *m, int (*boot_reset)(struct machine *m))
{
	int r;

	m->boot_reset = boot_reset;
	r = boot_reset(m);
	if (r < 0) {
		fprintf(stderr, "tinyvmm: cannot set up the vCPUs: %s\n", strerror(-r));
		return false;
	}
	return true;
}

void vm_reset(struct machine *m, bool guest, enum vm_cause cause)
{
	int r;

	vcpu_pause_all(m);
	r = kvm_restore_reset_state(m->vm_fd, &m->reset_state);
	if (r == 0)
		serial_reset(m->serial);
	if (r == 0 && m->boot_reset)
		r = m->boot_reset(m);
	if (r < 0) {
		fprintf(stderr, "tinyvmm: reset failed: %s\n", strerror(-r));
		vm_stop(m, VM_INTERNAL_ERROR);
		return;
	}
	emit(m, VM_EVENT_RESET, guest, cause);
	if (m->state == VM_INTERNAL_ERROR || m->state == VM_SHUTDOWN)
		m->state = VM_RUNNING; /* a reset brings a crashed guest back */
	vcpu_resume_all(m);
}

void vm_powerdown(struct machine *m)
{
	emit(m, VM_EVENT_POWERDOWN, false, CAUSE_NONE);
	if (m->on_powerdown)
		m->on_powerdown(m);
}

static void wake_main_loop(struct machine *m)
{
	uint64_t one = 1;

	if (write(m->req_fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow in practice; nothing else can fail */
	}
}

void vm_request_shutdown(struct machine *m, bool guest, enum vm_cause cause, int exit_code)
{
	if (!__atomic_exchange_n(&m->req_shutdown, true, __ATOMIC_SEQ_CST)) {
		m->req_guest = guest;
		m->req_cause = cause;
		m->exit_code = exit_code; /* the first request decides */
	}
	wake_main_loop(m);
}

void vm_request_reset(struct machine *m, bool guest, enum vm_cause cause)
{
	m->req_cause = cause;
	m->req_guest = guest;
	__atomic_store_n(&m->req_reset, true, __ATOMIC_SEQ_CST);
	wake_main_loop(m);
}

void vm_request_powerdown(struct machine *m)
{
	__atomic_store_n(&m->req_powerdown, true, __ATOMIC_SEQ_CST);
	wake_main_loop(m);
}

void vm_request_error(struct machine *m)
{
	__atomic_store_n(&m->req_error, true, __ATOMIC_SEQ_CST);
	wake_main_loop(m);
}

/* Serves requests on the main thread, big lock held. */
static void on_request(int fd, uint32_t events, void *opaque)
{
	struct machine *m = opaque;
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0)
		return;
	if (__atomic_exchange_n(&m->req_shutdown, false, __ATOMIC_SEQ_CST)) {
		vm_shutdown(m, m->req_guest, m->req_cause, m->exit_code);
		return;
	}
	if (__atomic_exchange_n(&m->req_error, false, __ATOMIC_SEQ_CST)) {
		vm_stop(m, VM_INTERNAL_ERROR);
		if (!m->stay_on_error) {
			m->exit_code = EXIT_GUEST_CRASH;
			mainloop_quit(m->loop);
		}
	}
	if (__atomic_exchange_n(&m->req_reset, false, __ATOMIC_SEQ_CST))
		vm_reset(m, m->req_guest, m->req_cause);
	if (__atomic_exchange_n(&m->req_powerdown, false, __ATOMIC_SEQ_CST))
		vm_powerdown(m);
}

static bool create_devices(struct machine *m)
{
	char err[256];
	int r;

	m->serial_chr = chardev_open(&m->cfg->serial, m->loop, err, sizeof(err));
	if (!m->serial_chr) {
		fprintf(stderr, "tinyvmm: -serial: %s\n", err);
		return false;
	}
	m->debugcon_chr = chardev_open(&m->cfg->debugcon, m->loop, err, sizeof(err));
	if (!m->debugcon_chr) {
		fprintf(stderr, "tinyvmm: -debugcon: %s\n", err);
		return false;
	}
	m->serial = serial_init(m, COM1_BASE, COM1_IRQ, m->serial_chr);
	r = m->serial ? debug_ports_init(m, m->debugcon_chr) : -ENOMEM;
	if (r == 0 && m->cfg->kernel) /* what Linux's ACPI tables describe */
		r = power_init(m);
	if (r == 0 && m->cfg->kernel)
		r = i8042_init(m);
	if (r < 0) {
		fprintf(stderr, "tinyvmm: cannot create devices: %s\n", strerror(-r));
		return false;
	}
	return true;
}

bool machine_create(struct machine *m, const struct vm_config *cfg, struct mainloop *loop)
{
	int i, r;

	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->parked_cond, NULL);
	pthread_cond_init(&m->run_cond, NULL);
	m->cfg = cfg;
	m->loop = loop;
	m->kvm_fd = m->vm_fd = m->req_fd = -1;
	m->state = VM_PRELAUNCH;
	iospace_init(&m->pio, "io", 0x10000);
	iospace_init(&m->mmio, "memory", 0);

	m->req_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->req_fd < 0 ||
	    !(m->req_watch = mainloop_add_fd(loop, m->req_fd, EPOLLIN, on_request, m))) {
		perror("tinyvmm: eventfd");
		return false;
	}
	if (!kvm_open(cfg->nr_vcpus, &m->kvm_fd, &m->vm_fd, &m->run_size, &m->cpuid))
		return false;
	r = guest_mem_init(&m->mem, m->vm_fd, cfg->ram_size);
	if (r < 0) {
		fprintf(stderr, "tinyvmm: cannot allocate %llu MiB of guest RAM: %s\n",
			(unsigned long long)(cfg->ram_size >> 20), strerror(-r));
		return false;
	}
	m->vcpus = calloc((size_t)cfg->nr_vcpus, sizeof(*m->vcpus));
	if (!m->vcpus)
		return false;
	for (i = 0; i < cfg->nr_vcpus; i++) {
		r = vcpu_create(m, &m->vcpus[i], i);
		m->nr_vcpus = i + 1;
		if (r < 0) {
			fprintf(stderr, "tinyvmm: cannot create vCPU %d: %s\n", i, strerror(-r));
			return false;
		}
	}
	r = kvm_save_reset_state(m->vm_fd, &m->reset_state);
	if (r < 0) {
		fprintf(stderr, "tinyvmm: cannot read the irqchip state: %s\n", strerror(-r));
		return false;
	}
	if (!create_devices(m))
		return false;
	if (cfg->kernel)
		return boot_linux_load(m, cfg);
	return loader_flat(m, cfg->flat);
}

bool machine_start(struct machine *m)
{
	int i, r;

	for (i = 0; i < m->nr_vcpus; i++) {
		r = vcpu_start(&m->vcpus[i]);
		if (r < 0) {
			fprintf(stderr, "tinyvmm: cannot start vCPU %d: %s\n", i, strerror(-r));
			return false;
		}
	}
	if (!m->cfg->start_paused) {
		m->state = VM_RUNNING;
		vcpu_resume_all(m);
	}
	return true;
}

void machine_destroy(struct machine *m)
{
	int i;

	vcpu_join_all(m);
	for (i = 0; i < m->nr_vcpus; i++)
		vcpu_destroy(&m->vcpus[i]);
	free(m->vcpus);
	serial_free(m->serial);
	chardev_close(m->serial_chr);
	chardev_close(m->debugcon_chr);
	guest_mem_destroy(&m->mem);
	free(m->cpuid);
	if (m->boot_release)
		m->boot_release(m->boot_image);
	else
		free(m->boot_image);
	if (m->req_watch)
		mainloop_remove(m->loop, m->req_watch);
	if (m->req_fd >= 0)
		close(m->req_fd);
	if (m->vm_fd >= 0)
		close(m->vm_fd);
	if (m->kvm_fd >= 0)
		close(m->kvm_fd);
}
