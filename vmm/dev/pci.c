/* PCI bus 0: config space rules of a function (header type 0), BARs, INTx and MSI. */
#include "vmm/dev/pci.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/dev/pci-host.h"
#include "vmm/errmsg.h"
#include "vmm/le.h"
#include "vmm/machine.h"
#include "vmm/object.h"

#define STATUS_W1C    0xf900 /* parity, target and master aborts, SERR, detected parity */
#define CAP_FIRST     0x40   /* capabilities follow the 64-byte header */
#define MSI_ADDR_LO   4
#define MSI_ADDR_HI   8
#define MSI_DATA_64   12
#define MSI_CAP_SIZE  14
#define FIRST_GSI_PCI 16 /* IOAPIC pins 16..19: the four INTx lines, swizzled by slot */

void pci_config_init(struct pci_device *d, uint16_t vendor, uint16_t device, uint8_t revision,
		     uint32_t class_code, uint8_t irq_pin)
{
	uint8_t *c = d->config;

	le_put(c + PCI_VENDOR_ID, vendor, 2);
	le_put(c + PCI_DEVICE_ID, device, 2);
	c[PCI_REVISION_ID] = revision;
	c[PCI_CLASS_PROG] = (uint8_t)class_code;
	le_put(c + PCI_CLASS_DEVICE, (uint16_t)(class_code >> 8), 2);
	c[PCI_HEADER_TYPE] = 0;
	le_put(c + PCI_SUBSYSTEM_VENDOR_ID, 0x1af4, 2); /* QEMU's defaults, as its info pci shows */
	le_put(c + PCI_SUBSYSTEM_ID, 0x1100, 2);
	c[PCI_INTERRUPT_PIN] = irq_pin;
	/* what QEMU's pci_init_wmask() lets a guest write */
	le_put(d->wmask + PCI_COMMAND,
	       PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE,
	       2);
	d->wmask[0x0c] = 0xff; /* cache line size */
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
	le_put(d->w1cmask + PCI_STATUS, STATUS_W1C, 2);
}

void pci_add_bar(struct pci_device *d, int i, enum pci_bar_kind kind, uint64_t size,
		 const char *name, io_read_fn read, io_write_fn write)
{
	uint32_t low = kind == PCI_BAR_IO ? PCI_BAR_SPACE_IO : 0; /* memory: 32-bit, no prefetch */
	uint32_t mask = kind == PCI_BAR_IO ? ~3u : ~15u;

	d->bars[i] = (struct pci_bar){ kind, size, name, read, write, PCI_BAR_UNMAPPED };
	le_put(d->config + PCI_BASE_ADDRESS_0 + 4 * i, low, 4);
	/* the address bits below the size read back 0: an all-ones write returns the size mask */
	le_put(d->wmask + PCI_BASE_ADDRESS_0 + 4 * i, mask & ~(uint32_t)(size - 1), 4);
}

uint8_t pci_add_capability(struct pci_device *d, uint8_t id, uint8_t size)
{
	unsigned off = d->cap_end ? (d->cap_end + 3u) & ~3u : CAP_FIRST; /* packed from 0x40 up */

	if (off + size > PCI_CONFIG_SIZE)
		return 0;
	d->config[off] = id;
	d->config[off + 1] = d->config[PCI_CAPABILITY_LIST];
	d->config[PCI_CAPABILITY_LIST] = (uint8_t)off;
	le_put(d->config + PCI_STATUS, le_get(d->config + PCI_STATUS, 2) | PCI_STATUS_CAP_LIST, 2);
	d->cap_end = off + size;
	return (uint8_t)off;
}

uint8_t pci_add_msi(struct pci_device *d)
{
	uint8_t off = pci_add_capability(d, PCI_CAP_ID_MSI, MSI_CAP_SIZE);

	if (!off)
		return 0;
	le_put(d->config + off + 2, PCI_MSI_FLAGS_64BIT, 2);
	le_put(d->wmask + off + 2, 0x0071, 2); /* enable, multiple message enable */
	le_put(d->wmask + off + MSI_ADDR_LO, 0xfffffffc, 4);
	le_put(d->wmask + off + MSI_ADDR_HI, 0xffffffff, 4);
	le_put(d->wmask + off + MSI_DATA_64, 0xffff, 2);
	d->msi_cap = off;
	return off;
}

static uint16_t command(const struct pci_device *d)
{
	return le_get(d->config + PCI_COMMAND, 2);
}

uint64_t pci_bar_address(const struct pci_device *d, int i)
{
	const struct pci_bar *b = &d->bars[i];
	uint64_t addr = le_get(d->config + PCI_BASE_ADDRESS_0 + 4 * i, 4), limit;

	if (b->kind == PCI_BAR_IO) {
		if (!(command(d) & PCI_COMMAND_IO))
			return PCI_BAR_UNMAPPED;
		addr &= ~(uint64_t)3;
		limit = PCI_IO_END;
	} else if (b->kind == PCI_BAR_MEM32) {
		if (!(command(d) & PCI_COMMAND_MEMORY))
			return PCI_BAR_UNMAPPED;
		addr &= ~(uint64_t)15;
		limit = 1ULL << 32;
	} else {
		return PCI_BAR_UNMAPPED;
	}
	addr &= ~(b->size - 1);
	if (addr == 0 || addr + b->size > limit)
		return PCI_BAR_UNMAPPED;
	return addr;
}

static struct iospace *bar_space(struct pci_device *d, const struct pci_bar *b)
{
	return b->kind == PCI_BAR_IO ? &d->bus->m->pio : &d->bus->m->mmio;
}

/*
 * Every BAR of the bus where its register and the command register say: the ones that moved are
 * released first, then claimed at their new place. A BAR over another range (the host bridge's
 * ports or ECAM, another BAR) stays unclaimed until it or the other moves; one over RAM is claimed
 * but the guest's accesses there reach RAM (KVM's memory slots win), as on QEMU's pc.
 */
static void update_mappings(struct pci_bus *bus)
{
	for (int pass = 0; pass < 2; pass++) {
		for (int f = 0; f < PCI_NR_DEVFN; f++) {
			struct pci_device *d = bus->devs[f];

			for (int i = 0; d && i < PCI_NR_BARS; i++) {
				struct pci_bar *b = &d->bars[i];
				uint64_t want = pci_bar_address(d, i);

				if (b->kind == PCI_BAR_NONE || want == b->mapped)
					continue;
				if (pass == 0 && b->mapped != PCI_BAR_UNMAPPED) {
					iospace_unregister(bar_space(d, b), b->mapped);
					b->mapped = PCI_BAR_UNMAPPED;
				}
				if (pass == 1 && want != PCI_BAR_UNMAPPED &&
				    iospace_register(bar_space(d, b), b->name, want, b->size,
						     b->read, b->write, d->opaque) == 0)
					b->mapped = want;
			}
		}
	}
}

unsigned pci_intx_gsi(unsigned slot, unsigned pin)
{
	return FIRST_GSI_PCI + ((slot + pin - 1) & 3);
}

static bool msi_enabled(const struct pci_device *d)
{
	return d->msi_cap && (le_get(d->config + d->msi_cap + 2, 2) & PCI_MSI_FLAGS_ENABLE);
}

/* The INTx line follows the device's interrupt, unless the command register disables it. */
static void update_intx(struct pci_device *d)
{
	uint16_t status = le_get(d->config + PCI_STATUS, 2) & ~PCI_STATUS_INTERRUPT;
	int line =
		d->intx && d->config[PCI_INTERRUPT_PIN] && !(command(d) & PCI_COMMAND_INTX_DISABLE);

	le_put(d->config + PCI_STATUS, status | (d->intx ? PCI_STATUS_INTERRUPT : 0), 2);
	if (line != d->intx_line) {
		struct kvm_irq_level irq = {
			.irq = pci_intx_gsi(PCI_SLOT(d->devfn), d->config[PCI_INTERRUPT_PIN]),
			.level = (uint32_t)line,
		};

		d->intx_line = line;
		ioctl(d->bus->m->vm_fd, KVM_IRQ_LINE, &irq);
	}
}

static void signal_msi(struct pci_device *d)
{
	const uint8_t *cap = d->config + d->msi_cap;
	struct kvm_msi msi = {
		.address_lo = le_get(cap + MSI_ADDR_LO, 4),
		.address_hi = le_get(cap + MSI_ADDR_HI, 4),
		.data = le_get(cap + MSI_DATA_64, 2),
	};

	ioctl(d->bus->m->vm_fd, KVM_SIGNAL_MSI, &msi);
}

void pci_set_irq(struct pci_device *d, bool level)
{
	if (level && msi_enabled(d)) {
		if (pci_bus_master(d)) /* a message is a memory write by the device */
			signal_msi(d);
		return;
	}
	d->intx = level;
	update_intx(d);
}

bool pci_bus_master(const struct pci_device *d)
{
	return command(d) & PCI_COMMAND_MASTER;
}

uint32_t pci_config_read(struct pci_device *d, uint32_t off, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size && i < 4; i++)
		if (off + i < PCI_CONFIG_SIZE)
			v |= (uint32_t)d->config[off + i] << (8 * i);
	return v;
}

static bool touches(uint32_t off, unsigned size, uint32_t lo, uint32_t end)
{
	return off < end && off + size > lo;
}

void pci_config_write(struct pci_device *d, uint32_t off, uint32_t val, unsigned size)
{
	for (unsigned i = 0; i < size && i < 4 && off + i < PCI_CONFIG_SIZE; i++) {
		uint8_t *c = &d->config[off + i], b = (uint8_t)(val >> (8 * i));

		*c = (uint8_t)((*c & ~d->wmask[off + i]) | (b & d->wmask[off + i]));
		*c &= (uint8_t) ~(b & d->w1cmask[off + i]);
	}
	if (touches(off, size, PCI_COMMAND, PCI_COMMAND + 2) ||
	    touches(off, size, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_0 + 4 * PCI_NR_BARS))
		update_mappings(d->bus);
	if (touches(off, size, PCI_COMMAND, PCI_COMMAND + 2))
		update_intx(d);
}

int pci_bus_add(struct pci_bus *bus, struct pci_device *d, int devfn)
{
	if (devfn < -1 || devfn >= PCI_NR_DEVFN)
		return -EINVAL;
	if (devfn == -1) {
		for (devfn = PCI_DEVFN(1, 0); devfn < PCI_NR_DEVFN && bus->devs[devfn]; devfn += 8)
			;
		if (devfn >= PCI_NR_DEVFN)
			return -ENOSPC;
	}
	if (bus->devs[devfn])
		return -EBUSY;
	d->bus = bus;
	d->devfn = (uint8_t)devfn;
	memcpy(d->power_on, d->config, sizeof(d->config));
	bus->devs[devfn] = d;
	return 0;
}

/* One hex number at *s (no sign or space, as QEMU's), *s moved past it; ULONG_MAX when none. */
static unsigned long hex(const char **s)
{
	char *end;
	unsigned long v;

	if (!isxdigit((unsigned char)**s))
		return ULONG_MAX;
	v = strtoul(*s, &end, 16);
	*s = end;
	return v;
}

/* QEMU's pci-devfn property: "SLOT[.FN]" in hex; -1 for "" (any), -2 when ill-formed. */
static int parse_devfn(const char *s)
{
	unsigned long slot, fn = 0;

	if (!*s)
		return -1;
	slot = hex(&s);
	if (*s == '.') {
		s++;
		fn = hex(&s);
	}
	if (*s || slot > 31 || fn > 7)
		return -2;
	return PCI_DEVFN(slot, fn);
}

bool pci_device_realize(struct object *o, struct machine *m, struct pci_device *d, char *err,
			size_t errlen)
{
	const char *addr = object_get_str(o, "addr");
	int devfn = parse_devfn(addr), r = -EINVAL;
	struct pci_device *other;
	char where[8];

	if (!d)
		return errmsg(err, errlen, "Out of memory");
	/* -device ...,id=ID puts it at /machine/peripheral/ID */
	d->id = o->parent && !strcmp(o->parent->name, "peripheral") ? o->name : "";
	if (devfn == -2)
		snprintf(err, errlen, "Property '%s.addr' doesn't take value '%s'", d->type, addr);
	else if (!m->pci)
		snprintf(err, errlen, "No 'PCI' bus found for device '%s'", d->type);
	else if ((r = pci_bus_add(&m->pci->bus, d, devfn)) == -EBUSY) {
		other = m->pci->bus.devs[devfn];
		snprintf(err, errlen,
			 "PCI: slot %d function %d not available for %s, in use by %s,id=%s",
			 PCI_SLOT(devfn), PCI_FUNC(devfn), d->type, other->type,
			 *other->id ? other->id : "(null)");
	} else if (r == -ENOSPC) {
		snprintf(err, errlen,
			 "PCI: no slot/function available for %s, all in use or reserved", d->type);
	}
	if (r < 0) {
		d->free(d);
		return false;
	}
	/* addr now says where it is, as QEMU's pci-devfn prints it ("04.0"; info qtree) */
	snprintf(where, sizeof(where), "%02x.%x", PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));
	object_set_str(o, "addr", where);
	o->state = d;
	return true;
}

struct pci_device *pci_bus_find(struct pci_bus *bus, uint8_t devfn)
{
	return bus->devs[devfn];
}

void pci_bus_reset(struct pci_bus *bus)
{
	for (int f = 0; f < PCI_NR_DEVFN; f++) {
		struct pci_device *d = bus->devs[f];

		if (!d)
			continue;
		memcpy(d->config, d->power_on, sizeof(d->config));
		d->intx = false;
		update_intx(d);
		if (d->reset)
			d->reset(d);
	}
	update_mappings(bus);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void pci_bus_assign(struct pci_bus *bus)
{
	uint64_t io = PCI_IO_BASE, mem = PCI_MMIO_BASE;

	for (int f = 0; f < PCI_NR_DEVFN; f++) {
		struct pci_device *d = bus->devs[f];
		uint16_t cmd = 0;

		for (int i = 0; d && i < PCI_NR_BARS; i++) {
			struct pci_bar *b = &d->bars[i];
			uint64_t *next = b->kind == PCI_BAR_IO ? &io : &mem;
			uint64_t end =
				b->kind == PCI_BAR_IO ? PCI_IO_END : PCI_MMIO_BASE + PCI_MMIO_SIZE;
			uint64_t at = align_up(*next, b->size);
			uint8_t *reg = d->config + PCI_BASE_ADDRESS_0 + 4 * i;

			if (b->kind == PCI_BAR_NONE || at + b->size > end)
				continue;
			le_put(reg,
			       (uint32_t)at | (le_get(reg, 4) & (b->kind == PCI_BAR_IO ? 3u : 15u)),
			       4);
			*next = at + b->size;
			cmd |= b->kind == PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
		}
		if (!d)
			continue;
		le_put(d->config + PCI_COMMAND, command(d) | cmd | PCI_COMMAND_MASTER, 2);
		if (d->config[PCI_INTERRUPT_PIN])
			d->config[PCI_INTERRUPT_LINE] = (uint8_t)pci_intx_gsi(
				PCI_SLOT(d->devfn), d->config[PCI_INTERRUPT_PIN]);
	}
	update_mappings(bus);
}

void pci_bus_free(struct pci_bus *bus)
{
	for (int f = 0; f < PCI_NR_DEVFN; f++) {
		struct pci_device *d = bus->devs[f];

		if (d && d->free)
			d->free(d);
		bus->devs[f] = NULL;
	}
}

void pci_device_unrealize(struct object *o, struct machine *m)
{
	struct pci_device *d = o->state;

	memset(d->config + PCI_COMMAND, 0, 2); /* its BARs released, its INTx line lowered */
	update_mappings(d->bus);
	d->intx = false;
	update_intx(d);
	d->bus->devs[d->devfn] = NULL;
	d->free(d);
}

static const struct prop_def pci_device_props[] = {
	/* QEMU's is a pci-devfn ("int32", -1 by default); the same text here: "4", "4.0", "1f.7" */
	{ .name = "addr",
	  .kind = PROP_STR,
	  .qtype = "str",
	  .writable = true,
	  .desc = "Slot and optional function number, example: 06.0 or 06",
	  .qdev = 1 },
	{ 0 },
};
/* Every PCI function's type: on bus "PCI" (pci.0), at "addr". */
const struct object_type pci_device_type = { .name = "pci-device",
					     .parent = "device",
					     .abstract = true,
					     .bus_type = "PCI",
					     .props = pci_device_props };
