/* QEMU's PCI test device (1b36:0005): I/O tests over an MMIO BAR and a port I/O BAR. */
#ifndef VMM_DEV_PCI_TESTDEV_H
#define VMM_DEV_PCI_TESTDEV_H

#include "vmm/dev/pci.h"

/* A new pci-testdev, not yet on a bus; NULL without memory. Freed by its pci_device's free(). */
struct pci_device *pci_testdev_create(void);

#endif
