/* QMP machine queries: name, kvm, cpus-fast, memory-size-summary, registers. */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"
#include "vmm/object.h"
#include "vmm/vcpu.h"

#define CR0_PE 1u

struct vcpu *monitor_vcpu(struct machine *m, int64_t cpu_index, Error **errp)
{
	if (cpu_index >= 0 && cpu_index < m->nr_vcpus)
		return &m->vcpus[cpu_index];
	error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
	return NULL;
}

NameInfo *qmp_query_name(Error **errp)
{
	struct machine *m = monitor_machine();
	NameInfo *info = zalloc(sizeof(*info), errp);

	if (info && m->cfg->name && !(info->name = zstrdup(m->cfg->name, errp))) {
		NameInfo_free(info);
		return NULL;
	}
	if (info)
		info->has_name = info->name != NULL;
	return info;
}

KvmInfo *qmp_query_kvm(Error **errp)
{
	KvmInfo *info = zalloc(sizeof(*info), errp);

	if (info)
		info->enabled = info->present = true; /* there is no TCG here */
	return info;
}

/* Fills c (linked in the result: freed with it); false when out of memory. */
static bool cpu_info(CpuInfoFast *c, struct vcpu *v)
{
	c->cpu_index = v->index;
	c->thread_id = v->tid;
	c->target = SYS_EMU_TARGET_X86_64;
	if (!(c->props = calloc(1, sizeof(*c->props))) || !(c->qom_path = object_path(v->obj)))
		return false;
	c->props->has_socket_id = c->props->has_core_id = c->props->has_thread_id = true;
	c->props->socket_id = v->index; /* -smp N gives N sockets of one core, as QEMU */
	return true;
}

CpuInfoFastList *qmp_query_cpus_fast(Error **errp)
{
	struct machine *m = monitor_machine();
	CpuInfoFastList *head = NULL, **tail = &head;
	int i;

	for (i = 0; i < m->nr_vcpus; i++) {
		CpuInfoFast *c = CpuInfoFastList_append(&tail, NULL);

		if (!c || !cpu_info(c, &m->vcpus[i])) {
			CpuInfoFastList_free(head);
			error_setg(errp, "Out of memory");
			return NULL;
		}
	}
	return head;
}

MemoryInfo *qmp_query_memory_size_summary(Error **errp)
{
	MemoryInfo *info = zalloc(sizeof(*info), errp);

	if (info) {
		info->base_memory = monitor_machine()->mem.ram_size;
		info->has_plugged_memory = true; /* no hotplug: 0, as QEMU without DIMMs */
		info->plugged_memory = 0;
	}
	return info;
}

/* QEMU's SegmentCache flags: the descriptor's attribute bits in place (DESC_*_MASK). */
static SegmentRegister *segment(const struct kvm_segment *s)
{
	SegmentRegister *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->selector = s->selector;
	r->base = s->base;
	r->limit = s->limit;
	r->attrs = ((uint32_t)s->type | (uint32_t)s->s << 4 | (uint32_t)s->dpl << 5 |
		    (uint32_t)s->present << 7 | (uint32_t)s->avl << 12 | (uint32_t)s->l << 13 |
		    (uint32_t)s->db << 14 | (uint32_t)s->g << 15)
		   << 8;
	r->present = s->present;
	return r;
}

static DescriptorTable *table(const struct kvm_dtable *t)
{
	DescriptorTable *d = calloc(1, sizeof(*d));

	if (d) {
		d->base = t->base;
		d->limit = t->limit;
	}
	return d;
}

/* Offsets in the FXSAVE image that starts an XSAVE area. */
#define FX_FCW	 0
#define FX_FSW	 2
#define FX_FTW	 4 /* abridged: a bit per physical register, 1 = valid */
#define FX_MXCSR 24
#define FX_ST	 32 /* ST0-ST7, 16 bytes apart */
#define FX_XMM	 160

/* XSAVE components beyond x87 and SSE (XCR0 bit numbers). */
enum { XS_YMM = 2, XS_OPMASK = 5, XS_ZMM_HI256 = 6, XS_HI16_ZMM = 7 };
#define XCR0_AVX    (1u << 1 | 1u << XS_YMM)
#define XCR0_AVX512 (XCR0_AVX | 1u << XS_OPMASK | 1u << XS_ZMM_HI256 | 1u << XS_HI16_ZMM)

/* The 8 bytes at off in the XSAVE area (0 past its 4 KiB). */
static uint64_t xs_get(const struct kvm_xsave *x, size_t off)
{
	uint64_t v = 0;

	if (off + 8 <= sizeof(x->region)) /* x86: little-endian */
		memcpy(&v, (const uint8_t *)x->region + off, 8);
	return v;
}

/* Where KVM_GET_XSAVE puts an XSAVE component: its standard-format offset (CPUID 0xd). */
static size_t xs_offset(unsigned component)
{
	unsigned eax, ebx, ecx, edx;

	__cpuid_count(0xd, component, eax, ebx, ecx, edx);
	return ebx;
}

/* The quadwords at off[0..n-1] of the XSAVE area. */
static uint64List *quadwords(const struct kvm_xsave *x, const size_t *off, int n)
{
	uint64List *head = NULL, **tail = &head;
	int i;

	for (i = 0; i < n; i++) {
		uint64List *e = *tail = calloc(1, sizeof(*e));

		if (!e) {
			uint64List_free(head);
			return NULL;
		}
		e->value = xs_get(x, off[i]);
		tail = &e->next;
	}
	return head;
}

/* Vector register n's quadwords, as many as XCR0 enables (QEMU's XMM, YMM or ZMM lines); false
 * when out of memory. */
static bool vector(VectorRegister *r, const struct kvm_xsave *x, uint64_t xcr0, int n)
{
	size_t off[8] = { 0 };
	int nq = 2, i;

	if ((xcr0 & XCR0_AVX512) == XCR0_AVX512)
		nq = 8;
	else if ((xcr0 & XCR0_AVX) == XCR0_AVX)
		nq = 4;
	if (n < 16) {
		off[0] = FX_XMM + 16 * n, off[1] = off[0] + 8;
		if (nq >= 4)
			off[2] = xs_offset(XS_YMM) + 16 * n, off[3] = off[2] + 8;
		for (i = 4; i < nq; i++)
			off[i] = xs_offset(XS_ZMM_HI256) + 32 * n + 8 * (i - 4);
	} else {
		for (i = 0; i < nq; i++)
			off[i] = xs_offset(XS_HI16_ZMM) + 64 * (n - 16) + 8 * i;
	}
	return (r->q = quadwords(x, off, nq)) != NULL;
}

/* The x87, SSE, AVX and AVX-512 registers, in XSAVE's order. false: out of memory. */
static bool fpu_state(CpuRegisters *c, const struct kvm_xsave *x, uint64_t xcr0)
{
	FloatRegisterList **ft = &c->fpr;
	VectorRegisterList **vt = &c->vector;
	int i, nvec = (xcr0 & XCR0_AVX512) == XCR0_AVX512 ? 32 : 16;

	c->fcw = xs_get(x, FX_FCW) & 0xffff, c->fsw = xs_get(x, FX_FSW) & 0xffff;
	c->ftw = xs_get(x, FX_FTW) & 0xff, c->mxcsr = xs_get(x, FX_MXCSR) & 0xffffffff;
	c->xcr0 = xcr0;
	for (i = 0; i < 8; i++) {
		FloatRegister *f = FloatRegisterList_append(&ft, NULL); /* c's: freed with it */

		if (!f)
			return false;
		f->mantissa = xs_get(x, FX_ST + 16 * i);
		f->exponent = xs_get(x, FX_ST + 16 * i + 8) & 0xffff;
	}
	for (i = 0; i < nvec; i++) {
		VectorRegister *r = VectorRegisterList_append(&vt, NULL);

		if (!r || !vector(r, x, xcr0, i))
			return false;
	}
	if (nvec == 32) {
		size_t offs[8], base = xs_offset(XS_OPMASK);

		for (i = 0; i < 8; i++)
			offs[i] = base + 8 * i;
		c->has_opmask = true;
		if (!(c->opmask = quadwords(x, offs, 8)))
			return false;
	}
	return true;
}

/* One vCPU's registers; the vCPU is parked. NULL with errp set on failure. */
static CpuRegisters *registers(struct vcpu *v, Error **errp)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_xsave x; /* 4 KiB: the FXSAVE image and the XSAVE header */
	struct kvm_debugregs d;
	uint64_t xcr0;
	CpuRegisters *c;
	bool halted = false;
	int err = vcpu_get_regs(v, &r, &s);

	if (err == 0)
		err = vcpu_get_fpu_debug(v, &x, &xcr0, &d);
	if (err == 0)
		err = vcpu_is_halted(v, &halted);
	if (err < 0) {
		error_setg_errno(errp, -err, "Cannot read the registers of CPU %d", v->index);
		return NULL;
	}
	c = zalloc(sizeof(*c), errp);
	if (!c)
		return NULL;
	c->cpu_index = v->index;
	c->rax = r.rax, c->rbx = r.rbx, c->rcx = r.rcx, c->rdx = r.rdx;
	c->rsi = r.rsi, c->rdi = r.rdi, c->rbp = r.rbp, c->rsp = r.rsp;
	c->r8 = r.r8, c->r9 = r.r9, c->r10 = r.r10, c->r11 = r.r11;
	c->r12 = r.r12, c->r13 = r.r13, c->r14 = r.r14, c->r15 = r.r15;
	c->rip = r.rip, c->rflags = r.rflags;
	c->es = segment(&s.es), c->cs = segment(&s.cs), c->ss = segment(&s.ss);
	c->ds = segment(&s.ds), c->fs = segment(&s.fs), c->gs = segment(&s.gs);
	c->ldt = segment(&s.ldt), c->tr = segment(&s.tr);
	c->gdt = table(&s.gdt), c->idt = table(&s.idt);
	c->cr0 = s.cr0, c->cr2 = s.cr2, c->cr3 = s.cr3, c->cr4 = s.cr4, c->cr8 = s.cr8;
	c->efer = s.efer;
	c->apic_base = s.apic_base;
	/* QEMU's CPL comes from SS.DPL (0 in real mode) */
	c->cpl = (s.cr0 & CR0_PE) ? s.ss.dpl : 0;
	c->halted = halted;
	c->dr0 = d.db[0], c->dr1 = d.db[1], c->dr2 = d.db[2], c->dr3 = d.db[3];
	c->dr6 = d.dr6, c->dr7 = d.dr7;
	if (!fpu_state(c, &x, xcr0) || !c->es || !c->cs || !c->ss || !c->ds || !c->fs || !c->gs ||
	    !c->ldt || !c->tr || !c->gdt || !c->idt) {
		CpuRegisters_free(c);
		error_setg(errp, "Out of memory");
		return NULL;
	}
	return c;
}

CpuRegistersList *qmp_query_registers(bool has_cpu_index, int64_t cpu_index, Error **errp)
{
	struct machine *m = monitor_machine();
	bool running = m->state == RUN_STATE_RUNNING;
	CpuRegistersList *head = NULL, **tail = &head;
	int i, first = 0, last = m->nr_vcpus - 1;

	if (has_cpu_index) {
		if (!monitor_vcpu(m, cpu_index, errp))
			return NULL;
		first = last = (int)cpu_index;
	}
	/* every vCPU parked at once, so the values belong together; no STOP/RESUME for this */
	if (running)
		vcpu_pause_all(m);
	for (i = first; i <= last; i++) {
		CpuRegistersList *e = *tail = zalloc(sizeof(*e), errp);

		if (!e || !(e->value = registers(&m->vcpus[i], errp))) {
			CpuRegistersList_free(head); /* e too: it is linked */
			head = NULL;
			break;
		}
		tail = &e->next;
	}
	if (running)
		vcpu_resume_all(m);
	return head;
}
