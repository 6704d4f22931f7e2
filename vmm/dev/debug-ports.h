/* QEMU's debug ports: isa-debugcon at 0xe9 (output) and isa-debug-exit at 0x501 (ends the VM). */
#ifndef VMM_DEV_DEBUG_PORTS_H
#define VMM_DEV_DEBUG_PORTS_H

struct machine;
struct chardev;

#define DEBUGCON_PORT	0xe9
#define DEBUG_EXIT_PORT 0x501

/* A write of v to the exit port ends the VM with exit status (v << 1) | 1, as QEMU's. */
int debug_ports_init(struct machine *m, struct chardev *debugcon);

#endif
