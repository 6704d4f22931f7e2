/* QEMU's educational PCI device (1234:11e8): MMIO registers, factorial, interrupts, DMA. */
#ifndef VMM_DEV_EDU_H
#define VMM_DEV_EDU_H

#include "vmm/dev/pci.h"

#define EDU_DMA_ERROR 0x08 /* tinyvmm's: the DMA command register's bit for a refused transfer */

/* A new edu, not yet on a bus; NULL without memory. Freed by its pci_device's free(). */
struct pci_device *edu_create(void);

#endif
