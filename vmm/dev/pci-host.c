/* The PCI host bridge (i440FX's IDs at 00:00.0): config mechanism #1 at 0xcf8/0xcfc and ECAM. */
#include "vmm/dev/pci-host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/errmsg.h"
#include "vmm/machine.h"
#include "vmm/qdev.h"

#define CONFIG_ENABLE 0x80000000u

static uint32_t all_ones(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* The function a config address names on bus 0, or NULL (reads all ones, writes dropped). */
static struct pci_device *function(struct pci_host *h, unsigned bus, unsigned devfn)
{
	return bus == 0 ? pci_bus_find(&h->bus, (uint8_t)devfn) : NULL;
}

/* 0xcf8: only a dword access latches or returns the address (as on the 440FX). */
static uint64_t addr_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_host *h = opaque;

	return off == 0 && size == 4 ? h->config_addr : all_ones(size);
}

static void addr_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	struct pci_host *h = opaque;

	if (off == 0 && size == 4)
		h->config_addr = (uint32_t)value;
}

/* 0xcfc-0xcff: the register the latched address names, plus the port's offset. */
static struct pci_device *data_target(struct pci_host *h, uint64_t off, uint32_t *reg)
{
	uint32_t a = h->config_addr;

	if (!(a & CONFIG_ENABLE))
		return NULL;
	*reg = (a & 0xfc) + (uint32_t)off;
	return function(h, (a >> 16) & 0xff, (a >> 8) & 0xff);
}

static uint64_t data_read(void *opaque, uint64_t off, unsigned size)
{
	uint32_t reg;
	struct pci_device *d = data_target(opaque, off, &reg);

	return d ? pci_config_read(d, reg, size) : all_ones(size);
}

static void data_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	uint32_t reg;
	struct pci_device *d = data_target(opaque, off, &reg);

	if (d)
		pci_config_write(d, reg, (uint32_t)value, size);
}

/* ECAM: bus << 20 | devfn << 12 | register; an 8-byte access is two dwords. */
static uint64_t ecam_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_device *d = function(opaque, (unsigned)(off >> 20), (off >> 12) & 0xff);
	uint32_t reg = off & (PCI_ECAM_FN_SIZE - 1);

	if (!d)
		return size >= 8 ? ~0ULL : all_ones(size);
	if (size == 8)
		return pci_config_read(d, reg, 4) | (uint64_t)pci_config_read(d, reg + 4, 4) << 32;
	return pci_config_read(d, reg, size);
}

static void ecam_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	struct pci_device *d = function(opaque, (unsigned)(off >> 20), (off >> 12) & 0xff);
	uint32_t reg = off & (PCI_ECAM_FN_SIZE - 1);

	if (!d)
		return;
	pci_config_write(d, reg, (uint32_t)value, size >= 4 ? 4 : size);
	if (size == 8)
		pci_config_write(d, reg + 4, (uint32_t)(value >> 32), 4);
}

int pci_host_create(struct machine *m, struct pci_host **out)
{
	struct pci_host *h = calloc(1, sizeof(*h));
	int r, claimed = 0;

	if (!h)
		return -ENOMEM;
	h->bus.m = m;
	h->dev.type = "i440FX";
	h->dev.id = "";
	pci_config_init(&h->dev, PCI_HOST_VENDOR, PCI_HOST_DEVICE, 0x02, 0x060000, 0);
	r = pci_bus_add(&h->bus, &h->dev, 0);
	if (r == 0 && (r = iospace_register(&m->pio, "pci-conf-idx", PCI_CONFIG_ADDR_PORT, 4,
					    addr_read, addr_write, h)) == 0)
		claimed++;
	if (r == 0 && (r = iospace_register(&m->pio, "pci-conf-data", PCI_CONFIG_DATA_PORT, 4,
					    data_read, data_write, h)) == 0)
		claimed++;
	if (r == 0)
		r = iospace_register(&m->mmio, "pcie-mmcfg-mmio", PCI_ECAM_BASE, PCI_ECAM_SIZE,
				     ecam_read, ecam_write, h);
	if (r < 0) { /* nothing left claimed */
		if (claimed > 1)
			iospace_unregister(&m->pio, PCI_CONFIG_DATA_PORT);
		if (claimed > 0)
			iospace_unregister(&m->pio, PCI_CONFIG_ADDR_PORT);
		free(h);
		return r;
	}
	*out = h;
	return 0;
}

void pci_host_free(struct pci_host *h)
{
	if (!h)
		return;
	pci_bus_free(&h->bus);
	free(h);
}

/* o->state: the host (m->pci too); its bus pci.0 is the bus every PCI device plugs into. */
static bool host_realize(struct object *o, struct machine *m, char *err, size_t errlen)
{
	struct pci_host *h;
	int r;

	if (m->pci)
		return errmsg(err, errlen, "tinyvmm has one PCI host bridge");
	r = pci_host_create(m, &h);
	if (r < 0)
		return errmsg(err, errlen, "cannot create the PCI host bridge: %s", strerror(-r));
	if (!qdev_bus_new(o, "PCI", "pci.0")) {
		pci_host_free(h);
		snprintf(err, errlen, "Out of memory");
		return false;
	}
	o->state = m->pci = h;
	return true;
}

/* The functions on pci.0 go first, whatever the order of teardown (as QEMU's bus unrealize). */
static void host_unrealize(struct object *o, struct machine *m)
{
	struct object *bus = object_child(o, "pci.0");

	for (struct object *d = bus ? bus->bus_children : NULL; d; d = d->bus_next)
		qdev_unrealize(d, m);
	pci_host_free(o->state);
	m->pci = NULL;
}

/* The bus's functions (their config and the devices' own state) back to power-on. */
static void host_reset(struct object *o)
{
	struct pci_host *h = o->state;

	pci_bus_reset(&h->bus);
}

const struct object_type pci_host_bridge_type = { .name = "pci-host-bridge",
						  .parent = "sys-bus-device",
						  .abstract = true,
						  .category = "Controller/Bridge/Hub" };
const struct object_type i440fx_pcihost_type = { .name = "i440FX-pcihost",
						 .parent = "pci-host-bridge",
						 .board_only = true,
						 .realize = host_realize,
						 .unrealize = host_unrealize,
						 .reset = host_reset };

bool pci_host_add(struct machine *m, char *err, size_t errlen)
{
	bool ambiguous;
	struct object *o =
		qdev_new(m, "i440FX-pcihost", object_resolve_path("/machine", &ambiguous), "i440fx",
			 err, errlen);

	return o && qdev_realize(o, m, err, errlen);
}
