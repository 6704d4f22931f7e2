/* The machine: creation of the VM, its vCPUs and devices; start and teardown. */
#include "vmm/machine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/boot-linux.h"
#include "vmm/chardev.h"
#include "vmm/dev/debug-ports.h"
#include "vmm/dev/i8042.h"
#include "vmm/dev/power.h"
#include "vmm/dev/serial.h"
#include "vmm/object-types.h"
#include "vmm/loader.h"
#include "vmm/vcpu.h"

#define COM1_BASE 0x3f8
#define COM1_IRQ  4

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

int machine_reset(struct machine *m)
{
	int r = kvm_restore_reset_state(m->vm_fd, &m->reset_state);

	if (r == 0)
		serial_reset(m->serial);
	if (r == 0 && m->boot_reset)
		r = m->boot_reset(m);
	return r;
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

/* A chardev property's value: the backend's label, "" without one (as QEMU's). */
static const char *chardev_label(const struct chardev_spec *spec)
{
	return spec->kind != CHR_NONE ? spec->label : "";
}

/* The object tree: the CPUs first under /machine/unattached, then the devices, as QEMU's. */
static bool create_objects(struct machine *m)
{
	struct object *o;
	bool ok = object_root();

	for (int i = 0; ok && i < m->nr_vcpus; i++)
		ok = (m->vcpus[i].obj = o = object_new_unattached(OBJECT_CPU_TYPE)) &&
		     object_set_uint(o, "apic-id", i);
	ok = ok && object_new_unattached("kvm-ioapic") && object_new_unattached("kvm-pit");
	ok = ok && (o = object_new_unattached("isa-serial")) &&
	     object_set_uint(o, "iobase", COM1_BASE) && object_set_uint(o, "irq", COM1_IRQ) &&
	     object_set_str(o, "chardev", chardev_label(&m->cfg->serial));
	ok = ok && (o = object_new_unattached("isa-debugcon")) &&
	     object_set_str(o, "chardev", chardev_label(&m->cfg->debugcon));
	ok = ok && object_new_unattached("isa-debug-exit");
	if (m->cfg->kernel) /* the devices create_devices() adds for Linux */
		ok = ok && (o = object_new_unattached("acpi-ged")) &&
		     object_set_uint(o, "ged-event", 0x2 /* QEMU's ACPI_GED_PWR_DOWN_EVT */) &&
		     object_new_unattached("i8042");
	if (!ok)
		fprintf(stderr, "tinyvmm: cannot create the object tree: out of memory\n");
	return ok;
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
	iospace_init(&m->pio, "io", 0x10000);
	iospace_init(&m->mmio, "memory", 0);

	if (!run_state_init(m)) {
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
	if (!kvm_create_irqchip(m->vm_fd)) /* after the RAM: see kvm.h */
		return false;
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
	if (!create_devices(m) || !create_objects(m))
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
		vm_set_state(m, RUN_STATE_RUNNING);
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
	object_tree_free();
	serial_free(m->serial);
	chardev_close(m->serial_chr);
	chardev_close(m->debugcon_chr);
	guest_mem_destroy(&m->mem);
	free(m->cpuid);
	if (m->boot_release)
		m->boot_release(m->boot_image);
	else
		free(m->boot_image);
	run_state_destroy(m);
	if (m->vm_fd >= 0)
		close(m->vm_fd);
	if (m->kvm_fd >= 0)
		close(m->kvm_fd);
}
