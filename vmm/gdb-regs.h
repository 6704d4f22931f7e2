/* gdb's view of an x86-64 vCPU: the register file QEMU's stub reports and its target.xml. */
#ifndef VMM_GDB_REGS_H
#define VMM_GDB_REGS_H

#include <stddef.h>
#include <stdint.h>

struct vcpu;

#define GDB_NR_REGS   66  /* rax..r15 rip eflags cs..gs fs_base gs_base k_gs_base cr0..efer st0-7 */
#define GDB_REGS_SIZE 608 /* the g packet's bytes */

/* target.xml, as qXfer:features:read serves it. */
extern const char gdb_target_xml[];

/* Register n's offset and size in the g layout; size 0 when there is no register n. */
void gdb_reg_slot(int n, size_t *off, size_t *size);
/* Reads v's registers (v parked) into buf in the g layout; 0 or -errno. */
int gdb_regs_read(struct vcpu *v, uint8_t *buf);
/*
 * Writes them back from buf: the general registers, rip, eflags, fs_base, gs_base, k_gs_base,
 * the control registers and efer (segment selectors and the x87/SSE set are read-only). 0 or
 * -errno.
 */
int gdb_regs_write(struct vcpu *v, const uint8_t *buf);

#endif
