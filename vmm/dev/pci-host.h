/* The PCI host bridge (i440FX's IDs at 00:00.0): config mechanism #1 at 0xcf8/0xcfc and ECAM. */
#ifndef VMM_DEV_PCI_HOST_H
#define VMM_DEV_PCI_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/dev/pci.h"

#define PCI_CONFIG_ADDR_PORT 0xcf8
#define PCI_CONFIG_DATA_PORT 0xcfc
#define PCI_HOST_VENDOR	     0x8086 /* Intel 82441FX (440FX PMC), as QEMU's pc machine */
#define PCI_HOST_DEVICE	     0x1237

struct pci_host {
	struct pci_bus bus; /* pci.0 */
	struct pci_device dev;
	uint32_t config_addr; /* what the guest latched at 0xcf8 */
};

/* Creates the bridge, its bus and its ports and ECAM window in m's address spaces; -errno with
 * nothing claimed. */
int pci_host_create(struct machine *m, struct pci_host **out);
void pci_host_free(struct pci_host *h);
/* The board's host bridge, as QEMU's pc: the object /machine/i440fx (i440FX-pcihost) with its bus
 * pci.0, realized; false with the message in err. */
bool pci_host_add(struct machine *m, char *err, size_t errlen);

#endif
