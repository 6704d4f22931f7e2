/* PCI bus 0: config space rules of a function (header type 0), BARs, INTx and MSI. */
#ifndef VMM_DEV_PCI_H
#define VMM_DEV_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/iospace.h"

struct machine;
struct object;

#define PCI_CONFIG_SIZE	    256	 /* what configuration mechanism #1 reaches */
#define PCI_ECAM_FN_SIZE    4096 /* what ECAM reaches: 256..4095 read 0, writes are dropped */
#define PCI_NR_BARS	    6
#define PCI_NR_DEVFN	    256
#define PCI_DEVFN(slot, fn) ((uint8_t)((slot) << 3 | (fn)))
#define PCI_SLOT(devfn)	    ((devfn) >> 3)
#define PCI_FUNC(devfn)	    ((devfn)&7)
#define PCI_BAR_UNMAPPED    (~0ULL)

/* Config space offsets and bits (PCI Local Bus 3.0, chapter 6) */
#define PCI_VENDOR_ID		 0x00
#define PCI_DEVICE_ID		 0x02
#define PCI_COMMAND		 0x04
#define PCI_STATUS		 0x06
#define PCI_REVISION_ID		 0x08
#define PCI_CLASS_PROG		 0x09
#define PCI_CLASS_DEVICE	 0x0a
#define PCI_HEADER_TYPE		 0x0e
#define PCI_BASE_ADDRESS_0	 0x10
#define PCI_SUBSYSTEM_VENDOR_ID	 0x2c
#define PCI_SUBSYSTEM_ID	 0x2e
#define PCI_CAPABILITY_LIST	 0x34
#define PCI_INTERRUPT_LINE	 0x3c
#define PCI_INTERRUPT_PIN	 0x3d
#define PCI_COMMAND_IO		 0x0001
#define PCI_COMMAND_MEMORY	 0x0002
#define PCI_COMMAND_MASTER	 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_INTERRUPT	 0x0008
#define PCI_STATUS_CAP_LIST	 0x0010
#define PCI_BAR_SPACE_IO	 0x01
#define PCI_CAP_ID_MSI		 0x05
#define PCI_MSI_FLAGS_ENABLE	 0x0001
#define PCI_MSI_FLAGS_64BIT	 0x0080

/* The host bridge's windows (the DSDT's _CRS, the MCFG): RAM below 4 GiB ends at 0xc0000000. */
#define PCI_MMIO_BASE 0xc0000000ULL /* BARs go here: 512 MiB */
#define PCI_MMIO_SIZE 0x20000000ULL
#define PCI_ECAM_BASE 0xe0000000ULL /* MMCONFIG for bus 0 only: 32 slots x 8 functions x 4 KiB */
#define PCI_ECAM_SIZE 0x100000ULL
#define PCI_IO_BASE   0xc000 /* where firmware puts I/O BARs; the window is 0x0d00-0xffff */
#define PCI_IO_END    0x10000

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32 };

struct pci_bar {
	enum pci_bar_kind kind;
	uint64_t size;	  /* a power of two */
	const char *name; /* the region's name in info mtree, QEMU's */
	io_read_fn read;
	io_write_fn write;
	uint64_t mapped; /* where it is claimed in its address space now, or PCI_BAR_UNMAPPED */
};

struct pci_bus;

struct pci_device {
	const char *type; /* QEMU's type name: "edu" */
	const char *id;	  /* -device ...,id=ID, "" without one */
	struct pci_bus *bus;
	uint8_t devfn;
	uint8_t config[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE];	   /* bits a guest may write */
	uint8_t w1cmask[PCI_CONFIG_SIZE];  /* bits a guest clears by writing 1 */
	uint8_t power_on[PCI_CONFIG_SIZE]; /* config at reset, kept by pci_bus_add() */
	struct pci_bar bars[PCI_NR_BARS];
	void *opaque;			     /* handed to the BAR callbacks */
	unsigned cap_end;		     /* the byte after the last capability, 0 without any */
	uint8_t msi_cap;		     /* offset of the MSI capability, 0 without one */
	bool intx;			     /* the device asserts its interrupt (status bit 3) */
	int intx_line;			     /* the level last given to the IOAPIC */
	void (*reset)(struct pci_device *d); /* the device's own state back to power-on */
	void (*free)(struct pci_device *d);
};

struct pci_bus {
	struct machine *m;
	struct pci_device *devs[PCI_NR_DEVFN];
};

/* The header of a type 0 function: IDs, class (base << 16 | sub << 8 | prog-if), interrupt pin
 * (1 = INTA, 0 = none), QEMU's subsystem 1af4:1100, and the writable and RW1C masks. */
void pci_config_init(struct pci_device *d, uint16_t vendor, uint16_t device, uint8_t revision,
		     uint32_t class_code, uint8_t irq_pin);
/* Declares BAR i: its size (a power of two, 16 bytes or more for memory, 4 or more for I/O). */
void pci_add_bar(struct pci_device *d, int i, /* The host bridge's windows (the DSDT's _CRS, the
						 MCFG): RAM below 4 GiB ends at 0xc0000000. */
#define PCI_MMIO_BASE 0xc0000000ULL	      /* BARs go here: 512 MiB */
#define PCI_MMIO_SIZE 0x20000000ULL
#define PCI_ECAM_BASE 0xe0000000ULL /* MMCONFIG for bus 0 only: 32 slots x 8 functions x 4 KiB */
#define PCI_ECAM_SIZE 0x100000ULL
#define PCI_IO_BASE   0xc000 /* where firmware puts I/O BARs; the window is 0x0d00-0xffff */
#define PCI_IO_END    0x10000

		 enum pci_bar_kind kind, uint64_t size, const char *name, io_read_fn read,
		 io_write_fn write);
/* Adds a capability of size bytes, linked first in the list; its offset, or 0 when full. */
uint8_t pci_add_capability(struct pci_device *d, uint8_t id, uint8_t size);
/* A 64-bit MSI capability with one vector (QEMU's msi_init(dev, 0, 1, true, false)). */
uint8_t pci_add_msi(struct pci_device *d);

/* Puts d at devfn (-1: function 0 of the first free slot from 1); -EBUSY, -ENOSPC or -EINVAL. */
int pci_bus_add(struct pci_bus *bus, struct pci_device *d, int devfn);
/* A PCI device type's realize, after creating d: d goes on m's bus at the object's "addr"
 * ("SLOT[.FN]" in hex, "" for the first free slot) with the object's id; false with QEMU's
 * message in err, and d freed (d NULL: its creation ran out of memory). */
bool pci_device_realize(struct object *o, struct machine *m, struct pci_device *d, char *err,
			size_t errlen);
/* Its unrealize (qom-set realized=false, teardown): off the bus, BARs released, INTx low, freed. */
void pci_device_unrealize(struct object *o, struct machine *m);
struct pci_device *pci_bus_find(struct pci_bus *bus, uint8_t devfn);
/* Every function back to its power-on config (BARs unmapped, interrupt low), device reset. */
void pci_bus_reset(struct pci_bus *bus);
/* What firmware does before an OS runs: BARs placed in the bridge's windows, decoding and bus
 * mastering on, the interrupt line set to the INTx GSI. */
void pci_bus_assign(struct pci_bus *bus);
void pci_bus_free(struct pci_bus *bus);

/* Config space accesses of 1, 2 or 4 bytes at any offset below PCI_ECAM_FN_SIZE. */
uint32_t pci_config_read(struct pci_device *d, uint32_t off, unsigned size);
void pci_config_write(struct pci_device *d, uint32_t off, uint32_t val, unsigned size);

/* The BAR's address as the guest programmed it, PCI_BAR_UNMAPPED for 0 or one that does not
 * fit its address space (what query-pci reports). */
uint64_t pci_bar_address(const struct pci_device *d, int i);

/* Raises or lowers the device's interrupt: an MSI on a raise when MSI is enabled, else INTx
 * (unless the command register disables it). */
void pci_set_irq(struct pci_device *d, bool level);
/* Whether the device may master the bus (DMA). */
bool pci_bus_master(const struct pci_device *d);
/* The IOAPIC GSI that INTx pin (1..4) of a slot is wired to: the _PRT's routing. */
unsigned pci_intx_gsi(unsigned slot, unsigned pin);

#endif
