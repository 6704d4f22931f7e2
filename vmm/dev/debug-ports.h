/* QEMU's debug ports: isa-debugcon at 0xe9 (output) and isa-debug-exit at 0x501 (ends the VM). */
#ifndef VMM_DEV_DEBUG_PORTS_H
#define VMM_DEV_DEBUG_PORTS_H

/* The default iobase of each; a write of v to the exit port ends the VM with exit status
 * (v << 1) | 1, as QEMU's. */
#define DEBUGCON_PORT	0xe9
#define DEBUG_EXIT_PORT 0x501

#endif
