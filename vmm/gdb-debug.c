/* The debugger's breakpoints, watchpoints and single-step on KVM: int3 bytes, debug registers. */
#include "vmm/gdb-debug.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/guest-mem.h"
#include "vmm/machine.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"

#define INT3	  0xcc
#define DR6_BS	  (1u << 14) /* single-step */
#define DR7_FIXED 0x0600     /* GE and the reserved bit that reads 1, as QEMU sets them */
#define EXC_DB	  1
#define EXC_BP	  3

struct sw_bp {
	uint64_t addr;
	int refs;
};

struct hw_bp {
	uint64_t addr, len;
	int type; /* 0: none, else a gdb_bp_type */
};

/* One VM per process: the debugger's state is the process's. */
static struct sw_bp sw[GDB_MAX_SW_BP];
static struct guest_mem_patch patches[GDB_MAX_SW_BP]; /* sw[i]'s byte, for guest_mem_read() */
static int nr_sw;
static struct hw_bp hw[GDB_MAX_HW_BP];
static bool stepping[CONFIG_MAX_VCPUS];

static int sw_find(uint64_t addr)
{
	int i;

	for (i = 0; i < nr_sw; i++)
		if (sw[i].addr == addr)
			return i;
	return -1;
}

static int sw_insert(struct machine *m, struct vcpu *v, uint64_t addr)
{
	uint64_t gpa;
	uint8_t *p, int3 = INT3;
	int i = sw_find(addr);

	if (i >= 0) {
		sw[i].refs++;
		return 0;
	}
	if (nr_sw == GDB_MAX_SW_BP)
		return -ENOSPC;
	if (paging_translate(m, v, addr, &gpa) < 0 || !(p = guest_mem_ptr(&m->mem, gpa, 1)))
		return -EINVAL;
	sw[nr_sw] = (struct sw_bp){ addr, 1 };
	patches[nr_sw] = (struct guest_mem_patch){ gpa, *p };
	nr_sw++;
	m->mem.patches = patches;
	m->mem.nr_patches = nr_sw;
	memcpy(p, &int3, 1);
	return 0;
}

/* Puts the original byte back (unless a reset reloaded the guest under it) and drops slot i. */
static void sw_drop(struct machine *m, int i)
{
	uint8_t *p = guest_mem_ptr(&m->mem, patches[i].gpa, 1);

	if (p && *p == INT3)
		*p = patches[i].orig;
	nr_sw--;
	sw[i] = sw[nr_sw];
	patches[i] = patches[nr_sw];
	m->mem.nr_patches = nr_sw;
}

static bool hw_len_ok(int type, uint64_t addr, uint64_t len)
{
	if (type == GDB_BP_HW)
		return true;
	return (len == 1 || len == 2 || len == 4 || len == 8) && !(addr & (len - 1));
}

int gdb_bp_insert(struct machine *m, struct vcpu *v, int type, uint64_t addr, uint64_t len)
{
	int i;

	if (type == GDB_BP_SW)
		return sw_insert(m, v, addr);
	if (type < GDB_BP_HW || type > GDB_WATCH_ACCESS || !hw_len_ok(type, addr, len))
		return -EINVAL;
	for (i = 0; i < GDB_MAX_HW_BP; i++) {
		if (!hw[i].type) {
			hw[i] = (struct hw_bp){ addr, type == GDB_BP_HW ? 1 : len, type };
			return 0;
		}
	}
	return -ENOSPC;
}

int gdb_bp_remove(struct machine *m, int type, uint64_t addr, uint64_t len)
{
	int i;

	if (type == GDB_BP_SW) {
		i = sw_find(addr);
		if (i < 0)
			return -ENOENT;
		if (--sw[i].refs == 0)
			sw_drop(m, i);
		return 0;
	}
	for (i = 0; i < GDB_MAX_HW_BP; i++) {
		if (hw[i].type == type && hw[i].addr == addr &&
		    (type == GDB_BP_HW || hw[i].len == len)) {
			hw[i].type = 0;
			return 0;
		}
	}
	return -ENOENT;
}

void gdb_debug_reset(struct machine *m)
{
	while (nr_sw)
		sw_drop(m, nr_sw - 1);
	memset(hw, 0, sizeof(hw));
	memset(stepping, 0, sizeof(stepping));
	gdb_debug_apply(m, stepping);
}

/* DR7 for the slots in use: enable (G), type (00 exec, 01 write, 11 access) and length. */
static uint64_t dr7(void)
{
	static const unsigned rw[] = {
		[GDB_BP_HW] = 0, [GDB_WATCH_WRITE] = 1, [GDB_WATCH_READ] = 3, [GDB_WATCH_ACCESS] = 3
	};
	static const unsigned lens[9] = { [1] = 0, [2] = 1, [4] = 3, [8] = 2 };
	uint64_t v = DR7_FIXED;
	int i;

	for (i = 0; i < GDB_MAX_HW_BP; i++)
		if (hw[i].type)
			v |= (2u << (i * 2)) | (rw[hw[i].type] << (16 + i * 4)) |
			     ((uint64_t)lens[hw[i].len] << (18 + i * 4));
	return v;
}

static bool any_hw(void)
{
	int i;

	for (i = 0; i < GDB_MAX_HW_BP; i++)
		if (hw[i].type)
			return true;
	return false;
}

/* KVM_GUESTDBG_BLOCKIRQ where the kernel has it (KVM_CAP_SET_GUEST_DEBUG2 lists the flags). */
static uint32_t block_irq(struct machine *m)
{
	int caps = ioctl(m->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);

	return caps > 0 && (caps & KVM_GUESTDBG_BLOCKIRQ) ? KVM_GUESTDBG_BLOCKIRQ : 0;
}

static int set_guest_debug(struct vcpu *v, uint32_t extra)
{
	struct kvm_guest_debug dbg = { 0 };
	int i;

	if (nr_sw)
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	if (any_hw()) {
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
		for (i = 0; i < GDB_MAX_HW_BP; i++)
			dbg.arch.debugreg[i] = hw[i].type ? hw[i].addr : 0;
		dbg.arch.debugreg[7] = dr7();
	}
	if (stepping[v->index])
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | block_irq(v->m);
	if (extra)
		dbg.control |= KVM_GUESTDBG_ENABLE | extra;
	return ioctl(v->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0 ? -errno : 0;
}

int gdb_debug_apply(struct machine *m, const bool *step)
{
	int i, r;

	for (i = 0; i < m->nr_vcpus; i++) {
		stepping[i] = step[i];
		m->vcpus[i].debug_exit = false;
		r = set_guest_debug(&m->vcpus[i], 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The slot whose hit dr6 reports, or -1. */
static int hw_hit(const struct kvm_debug_exit_arch *a)
{
	int i;

	for (i = 0; i < GDB_MAX_HW_BP; i++)
		if ((a->dr6 & (1u << i)) && hw[i].type)
			return i;
	return -1;
}

void gdb_debug_exit(struct vcpu *v)
{
	const struct kvm_debug_exit_arch *a = &v->run->debug.arch;
	bool ours;

	if (a->exception == EXC_BP)
		ours = sw_find(a->pc) >= 0;
	else
		ours = ((a->dr6 & DR6_BS) && stepping[v->index]) || hw_hit(a) >= 0;
	if (!ours) { /* the guest's own: deliver it */
		set_guest_debug(v, a->exception == EXC_BP ? KVM_GUESTDBG_INJECT_BP
							  : KVM_GUESTDBG_INJECT_DB);
		return;
	}
	v->debug_info = *a;
	v->debug_exit = true;
	vm_request_debug(v->m, v->index);
}

bool gdb_debug_watch_hit(const struct vcpu *v, int *type, uint64_t *addr)
{
	int i;

	if (!v->debug_exit || v->debug_info.exception != EXC_DB)
		return false;
	i = hw_hit(&v->debug_info);
	if (i < 0 || hw[i].type == GDB_BP_HW)
		return false;
	*type = hw[i].type;
	*addr = hw[i].addr;
	return true;
}
