/* gdb's view of an x86-64 vCPU: the register file QEMU's stub reports and its target.xml. */
#include "vmm/gdb-regs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/vcpu.h"

#define MSR_KERNEL_GS_BASE 0xc0000102
/* register numbers where each group starts, and its size */
#define R_RIP	 16
#define R_EFLAGS 17
#define R_SEG	 18 /* cs ss ds es fs gs */
#define R_BASES	 24 /* fs_base gs_base k_gs_base */
#define R_CTL	 27 /* cr0 cr2 cr3 cr4 cr8 efer */
#define R_ST	 33
#define R_FPCTL	 41 /* fctrl fstat ftag fiseg fioff foseg fooff fop */
#define R_XMM	 49
#define R_MXCSR	 65
#define FX_FCW	 0 /* FXSAVE offsets */
#define FX_FSW	 2
#define FX_MXCSR 24
#define FX_ST	 32
#define FX_XMM	 160

const char gdb_target_xml[] =
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target><architecture>i386:x86-64</architecture>"
	"<feature name=\"org.gnu.gdb.i386.core\">"
	"<flags id=\"x64_eflags\" size=\"4\">"
	"<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"PF\" start=\"2\" end=\"2\"/>"
	"<field name=\"AF\" start=\"4\" end=\"4\"/><field name=\"ZF\" start=\"6\" end=\"6\"/>"
	"<field name=\"SF\" start=\"7\" end=\"7\"/><field name=\"TF\" start=\"8\" end=\"8\"/>"
	"<field name=\"IF\" start=\"9\" end=\"9\"/><field name=\"DF\" start=\"10\" end=\"10\"/>"
	"<field name=\"OF\" start=\"11\" end=\"11\"/><field name=\"NT\" start=\"14\" end=\"14\"/>"
	"<field name=\"RF\" start=\"16\" end=\"16\"/><field name=\"VM\" start=\"17\" end=\"17\"/>"
	"<field name=\"AC\" start=\"18\" end=\"18\"/><field name=\"ID\" start=\"21\" end=\"21\"/>"
	"</flags>"
	"<reg name=\"rax\" bitsize=\"64\" type=\"int64\" regnum=\"0\"/>"
	"<reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>"
	"<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>"
	"<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>"
	"<reg name=\"eflags\" bitsize=\"32\" type=\"x64_eflags\"/>"
	"<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"fs_base\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"gs_base\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"k_gs_base\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"cr0\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"cr2\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"cr3\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"cr4\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"cr8\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"efer\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	"<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
	"<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>"
	"<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>"
	"<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/>"
	"</union>"
	"<reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm1\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm2\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm3\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm4\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm5\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm6\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm7\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm8\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm9\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm10\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm11\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm12\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm13\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm14\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm15\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\"/>"
	"</feature></target>";

static size_t reg_size(int n)
{
	if (n < 0 || n >= GDB_NR_REGS)
		return 0;
	if (n < R_EFLAGS || (n >= R_BASES && n < R_ST))
		return 8;
	if (n >= R_ST && n < R_FPCTL)
		return 10;
	if (n >= R_XMM && n < R_MXCSR)
		return 16;
	return 4;
}

void gdb_reg_slot(int n, size_t *off, size_t *size)
{
	int i;

	*off = 0;
	for (i = 0; i < n && i < GDB_NR_REGS; i++)
		*off += reg_size(i);
	*size = reg_size(n);
}

static void put(uint8_t *buf, int n, uint64_t val)
{
	size_t off, size;

	gdb_reg_slot(n, &off, &size);
	memcpy(buf + off, &val, size < 8 ? size : 8); /* little-endian, as x86 and gdb's layout */
}

static uint64_t get(const uint8_t *buf, int n)
{
	size_t off, size;
	uint64_t val = 0;

	gdb_reg_slot(n, &off, &size);
	memcpy(&val, buf + off, size < 8 ? size : 8);
	return val;
}

static int kernel_gs_base(struct vcpu *v, uint64_t *val, bool write)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} msrs = { .hdr.nmsrs = 1, .e.index = MSR_KERNEL_GS_BASE, .e.data = *val };

	if (ioctl(v->fd, write ? KVM_SET_MSRS : KVM_GET_MSRS, &msrs) != 1)
		return -EIO;
	*val = msrs.e.data;
	return 0;
}

int gdb_regs_read(struct vcpu *v, uint8_t *buf)
{
	const __u64 *gpr;
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_debugregs dbg;
	struct kvm_xsave *xs = malloc(sizeof(*xs));
	const uint8_t *fx;
	uint64_t xcr0, kgs = 0;
	uint16_t fcw, fsw;
	uint32_t mxcsr;
	int i, err = xs ? vcpu_get_regs(v, &r, &s) : -ENOMEM;

	if (!err)
		err = vcpu_get_fpu_debug(v, xs, &xcr0, &dbg);
	if (!err)
		err = kernel_gs_base(v, &kgs, false);
	if (err) {
		free(xs);
		return err;
	}
	memset(buf, 0, GDB_REGS_SIZE);
	gpr = &r.rax; /* rax rbx rcx rdx rsi rdi rsp rbp r8..r15 in struct kvm_regs */
	for (i = 0; i < 16; i++)
		put(buf, i, i == 6 ? r.rbp : i == 7 ? r.rsp : gpr[i]);
	put(buf, R_RIP, r.rip);
	put(buf, R_EFLAGS, r.rflags);
	put(buf, R_SEG + 0, s.cs.selector);
	put(buf, R_SEG + 1, s.ss.selector);
	put(buf, R_SEG + 2, s.ds.selector);
	put(buf, R_SEG + 3, s.es.selector);
	put(buf, R_SEG + 4, s.fs.selector);
	put(buf, R_SEG + 5, s.gs.selector);
	put(buf, R_BASES + 0, s.fs.base);
	put(buf, R_BASES + 1, s.gs.base);
	put(buf, R_BASES + 2, kgs);
	put(buf, R_CTL + 0, s.cr0);
	put(buf, R_CTL + 1, s.cr2);
	put(buf, R_CTL + 2, s.cr3);
	put(buf, R_CTL + 3, s.cr4);
	put(buf, R_CTL + 4, s.cr8);
	put(buf, R_CTL + 5, s.efer);
	fx = (const uint8_t *)xs->region;
	for (i = 0; i < 8; i++) {
		size_t off, size;

		gdb_reg_slot(R_ST + i, &off, &size);
		memcpy(buf + off, fx + FX_ST + 16 * i, size);
	}
	memcpy(&fcw, fx + FX_FCW, 2);
	memcpy(&fsw, fx + FX_FSW, 2);
	memcpy(&mxcsr, fx + FX_MXCSR, 4);
	put(buf, R_FPCTL + 0, fcw);
	put(buf, R_FPCTL + 1, fsw); /* ftag and the pointers read 0, as QEMU's */
	for (i = 0; i < 16; i++) {
		size_t off, size;

		gdb_reg_slot(R_XMM + i, &off, &size);
		memcpy(buf + off, fx + FX_XMM + 16 * i, size);
	}
	put(buf, R_MXCSR, mxcsr);
	free(xs);
	return 0;
}

int gdb_regs_write(struct vcpu *v, const uint8_t *buf)
{
	__u64 *gpr;
	uint64_t kgs = get(buf, R_BASES + 2);
	struct kvm_regs r;
	struct kvm_sregs s;
	int i, err = vcpu_get_regs(v, &r, &s);

	if (err)
		return err;
	gpr = &r.rax;
	for (i = 0; i < 16; i++)
		*(i == 6 ? &r.rbp : i == 7 ? &r.rsp : &gpr[i]) = get(buf, i);
	r.rip = get(buf, R_RIP);
	r.rflags = get(buf, R_EFLAGS);
	s.fs.base = get(buf, R_BASES + 0);
	s.gs.base = get(buf, R_BASES + 1);
	s.cr0 = get(buf, R_CTL + 0);
	s.cr2 = get(buf, R_CTL + 1);
	s.cr3 = get(buf, R_CTL + 2);
	s.cr4 = get(buf, R_CTL + 3);
	s.cr8 = get(buf, R_CTL + 4);
	s.efer = get(buf, R_CTL + 5);
	err = vcpu_set_regs(v, &r, &s);
	return err ? err : kernel_gs_base(v, &kgs, true);
}
