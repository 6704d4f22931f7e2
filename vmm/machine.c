/* The machine: creation of the VM, its vCPUs, chardevs and devices; start and teardown. */
#include "vmm/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/boot-linux.h"
#include "vmm/chardev.h"
#include "vmm/cli.h"
#include "vmm/dev/pci-host.h"
#include "vmm/loader.h"
#include "vmm/object-types.h"
#include "vmm/qdev.h"
#include "vmm/vcpu.h"

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
		qdev_reset_all();
	if (r == 0 && m->boot_reset)
		r = m->boot_reset(m);
	return r;
}

/* The command line's backends a device's chardev property names: -serial's and -debugcon's, then
 * the -chardev's no -serial, -debugcon or -mon uses, all opened at start-up as QEMU opens every
 * -chardev, used or not (a server listens, a file is created). */
static bool open_chardevs(struct machine *m)
{
	char err[256];

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
	m->chardevs[0] = (struct machine_chardev){ &m->cfg->serial, m->serial_chr, false };
	m->chardevs[1] = (struct machine_chardev){ &m->cfg->debugcon, m->debugcon_chr, false };
	m->nr_chardevs = 2;
	for (int i = 0; i < m->cfg->nr_unused; i++) {
		struct chardev *chr = chardev_open(&m->cfg->unused[i], m->loop, err, sizeof(err));

		if (!chr) {
			fprintf(stderr, "tinyvmm: chardev '%s': %s\n", m->cfg->unused[i].label,
				err);
			return false;
		}
		m->chardevs[m->nr_chardevs++] =
			(struct machine_chardev){ .spec = &m->cfg->unused[i], .chr = chr };
	}
	return true;
}

struct chardev *machine_chardev_take(struct machine *m, const char *label, const char *owner,
				     char *err, size_t errlen)
{
	for (int i = 0; i < m->nr_chardevs; i++) {
		struct machine_chardev *c = &m->chardevs[i];

		/* -serial none and the default -debugcon none make no chardev, as in QEMU */
		if (strcmp(c->spec->label, label) || (i < 2 && c->spec->kind == CHR_NONE))
			continue;
		if (c->taken) {
			snprintf(err, errlen,
				 "Property '%s.chardev' can't take value '%s': Device '%s' is in "
				 "use",
				 owner, label, label);
			return NULL;
		}
		c->taken = true;
		return c->chr;
	}
	snprintf(err, errlen, "Property '%s.chardev' can't find value '%s'", owner, label);
	return NULL;
}

void machine_chardev_release(struct machine *m, struct chardev *chr)
{
	for (int i = 0; chr && i < m->nr_chardevs; i++)
		if (m->chardevs[i].chr == chr)
			m->chardevs[i].taken = false;
}

/* A device's chardev property: the backend's label, none without one (as QEMU's). */
static const char *chardev_prop(const struct chardev_spec *spec, char *buf, size_t len)
{
	snprintf(buf, len, "chardev=%s", spec->label);
	return spec->kind != CHR_NONE ? buf : NULL;
}

/* The board's isa-serial (-serial) or isa-debugcon (-debugcon): none without a backend, as
 * QEMU makes none with -serial none or without -debugcon. */
static bool create_console(struct machine *m, const char *type, const struct chardev_spec *spec,
			   char *err, size_t errlen)
{
	char prop[96];
	const char *chardev = chardev_prop(spec, prop, sizeof(prop));

	return !chardev || qdev_create_unattached(m, type, chardev, err, errlen);
}

/* The objects, as QEMU's: the CPUs first under /machine/unattached, then the board's devices
 * (those for Linux with -kernel: what its ACPI tables describe), then -device's in order. */
static bool create_devices(struct machine *m)
{
	char err[512], cpu[32];
	const char *what = NULL;
	bool ok = object_root() && qdev_system_bus();

	for (int i = 0; ok && i < m->nr_vcpus; i++) {
		snprintf(cpu, sizeof(cpu), "apic-id=%d", i);
		ok = (m->vcpus[i].obj =
			      qdev_create_unattached(m, OBJECT_CPU_TYPE, cpu, err, sizeof(err)));
	}
	ok = ok && pci_host_add(m, err, sizeof(err)) && /* /machine/i440fx, with pci.0 */
	     qdev_create_unattached(m, "kvm-ioapic", NULL, err, sizeof(err)) &&
	     qdev_create_unattached(m, "isabus-bridge", NULL, err, sizeof(err)) &&
	     qdev_create_unattached(m, "kvm-pit", "iobase=0x40", err, sizeof(err)) &&
	     create_console(m, "isa-serial", &m->cfg->serial, err, sizeof(err)) &&
	     create_console(m, "isa-debugcon", &m->cfg->debugcon, err, sizeof(err)) &&
	     qdev_create_unattached(m, "isa-debug-exit", NULL, err, sizeof(err));
	if (ok && m->cfg->kernel) /* 2: QEMU's ACPI_GED_PWR_DOWN_EVT */
		ok = qdev_create_unattached(m, "acpi-ged", "ged-event=2", err, sizeof(err)) &&
		     qdev_create_unattached(m, "i8042", NULL, err, sizeof(err));
	for (int i = 0; ok && i < m->cfg->nr_devices; i++)
		ok = device_create_opts(m, what = m->cfg->devices[i], err, sizeof(err));
	if (!ok) /* a -device's, or a -global's for the board's devices */
		fprintf(stderr, "tinyvmm: %s%s%s%s\n%s", what ? "-device " : "", what ? what : "",
			what ? ": " : "", err, cli_try_help());
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
	if (!open_chardevs(m) || !create_devices(m))
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
	qdev_unrealize_all(m);
	object_tree_free();
	for (i = 0; i < m->nr_chardevs; i++)
		chardev_close(m->chardevs[i].chr);
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
