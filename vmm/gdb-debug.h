/* The debugger's breakpoints, watchpoints and single-step on KVM: int3 bytes, debug registers. */
#ifndef VMM_GDB_DEBUG_H
#define VMM_GDB_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

struct machine;
struct vcpu;

/* gdb's Z types: 0 software breakpoint, 1 hardware breakpoint, 2 write, 3 read, 4 access watch */
enum gdb_bp_type { GDB_BP_SW, GDB_BP_HW, GDB_WATCH_WRITE, GDB_WATCH_READ, GDB_WATCH_ACCESS };

#define GDB_MAX_SW_BP 256 /* int3 bytes at once */
#define GDB_MAX_HW_BP 4	  /* the debug registers DR0-DR3 */

/*
 * Inserts a breakpoint at guest-virtual addr (translated through v's page tables; len: a
 * watchpoint's 1, 2, 4 or 8 bytes, aligned). 0, -EINVAL (bad type, length or address, or not
 * RAM), -ENOSPC (no slot left). Main thread, big lock held, vCPUs parked.
 */
int gdb_bp_insert(struct machine *m, struct vcpu *v, int type, uint64_t addr, uint64_t len);
/* Removes one; 0 or -ENOENT. */
int gdb_bp_remove(struct machine *m, int type, uint64_t addr, uint64_t len);
/* Removes every breakpoint and watchpoint and turns guest debugging off on every vCPU. */
void gdb_debug_reset(struct machine *m);
/*
 * Sets every vCPU's guest debugging (KVM_SET_GUEST_DEBUG) before the VM runs: the breakpoints,
 * and single-step for those whose step[] is true (no interrupts taken meanwhile, where KVM can).
 * 0 or -errno.
 */
int gdb_debug_apply(struct machine *m, const bool *step);
/*
 * A KVM_EXIT_DEBUG on v's thread (big lock held): the debugger's own hits stop the VM (state
 * debug, through vm_request_debug()); a guest's own int3 or #DB is given back to the guest.
 */
void gdb_debug_exit(struct vcpu *v);
/* For a watchpoint hit (v->debug_info): its type and address; false for any other stop. */
bool gdb_debug_watch_hit(const struct vcpu *v, int *type, uint64_t *addr);

#endif
