/* info registers [-a]: query-registers in the layout of QEMU 7.2's x86_cpu_dump_state. */
#include <inttypes.h>
#include <string.h>

#include "hmp/hmp-int.h"
#include "monitor/monitor.h"
#include "qapi-commands.h"
#include "vmm/machine.h"

/* Segment attribute bits (QEMU's DESC_*_MASK, the packed flags query-registers reports). */
#define DESC_A	       (1u << 8)
#define DESC_W	       (1u << 9)  /* data: writable; code: readable */
#define DESC_E	       (1u << 10) /* data: expand-down; code: conforming */
#define DESC_CS	       (1u << 11)
#define DESC_S	       (1u << 12)
#define DESC_DPL_SHIFT 13
#define DESC_L	       (1u << 21)
#define DESC_B	       (1u << 22)
#define CR0_PE	       1u
#define EFER_LMA       (1u << 10)

/* QEMU's layout follows the CPU's mode: 64-bit registers and bases while CS is a 64-bit code
 * segment (HF_CS64), the 64-bit tables and control registers while long mode is active. */
struct mode {
	bool cs64, lma;
};

static void segment(HmpOut *out, const CpuRegisters *r, struct mode m, const SegmentRegister *s,
		    const char *label)
{
	static const char *const sys_types[2][16] = {
		{ "Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate",
		  "IntGate16", "TrapGate16", "Reserved", "TSS32-avl", "Reserved", "TSS32-busy",
		  "CallGate32", "Reserved", "IntGate32", "TrapGate32" },
		{ "<hiword>", "Reserved", "LDT", "Reserved", "Reserved", "Reserved", "Reserved",
		  "Reserved", "Reserved", "TSS64-avl", "Reserved", "TSS64-busy", "CallGate64",
		  "Reserved", "IntGate64", "TrapGate64" },
	};
	uint32_t attrs = (uint32_t)s->attrs;

	if (m.cs64)
		hmp_printf(out, "%-3s=%04x %016" PRIx64 " %08x %08x", label, (unsigned)s->selector,
			   s->base, (uint32_t)s->limit, attrs);
	else
		hmp_printf(out, "%-3s=%04x %08x %08x %08x", label, (unsigned)s->selector,
			   (uint32_t)s->base, (uint32_t)s->limit, attrs);
	if (!(r->cr0 & CR0_PE) || !s->present) {
		hmp_printf(out, "\n");
		return;
	}
	hmp_printf(out, " DPL=%u ", (attrs >> DESC_DPL_SHIFT) & 3);
	if (attrs & DESC_S) {
		if (attrs & DESC_CS) {
			hmp_printf(out, "%s [%c%c",
				   attrs & DESC_L   ? "CS64"
				   : attrs & DESC_B ? "CS32"
						    : "CS16",
				   attrs & DESC_E ? 'C' : '-', attrs & DESC_W ? 'R' : '-');
		} else {
			hmp_printf(out, "%s [%c%c", (attrs & DESC_B) || m.lma ? "DS  " : "DS16",
				   attrs & DESC_E ? 'E' : '-', attrs & DESC_W ? 'W' : '-');
		}
		hmp_printf(out, "%c]", attrs & DESC_A ? 'A' : '-');
	} else {
		hmp_printf(out, "%s", sys_types[m.lma][(attrs >> 8) & 15]);
	}
	hmp_printf(out, "\n");
}

static void table(HmpOut *out, struct mode m, const DescriptorTable *t, const char *label)
{
	if (m.lma)
		hmp_printf(out, "%s=     %016" PRIx64 " %08x\n", label, t->base,
			   (uint32_t)t->limit);
	else
		hmp_printf(out, "%s=     %08x %08x\n", label, (uint32_t)t->base,
			   (uint32_t)t->limit);
}

static void general(HmpOut *out, const CpuRegisters *r, struct mode m)
{
	uint64_t fl = r->rflags;
	char flags[8] = { fl & 0x400 ? 'D' : '-', fl & 0x800 ? 'O' : '-',
			  fl & 0x80 ? 'S' : '-',  fl & 0x40 ? 'Z' : '-',
			  fl & 0x10 ? 'A' : '-',  fl & 0x4 ? 'P' : '-',
			  fl & 0x1 ? 'C' : '-',	  0 };

	if (m.cs64) {
		hmp_printf(out,
			   "RAX=%016" PRIx64 " RBX=%016" PRIx64 " RCX=%016" PRIx64
			   " RDX=%016" PRIx64 "\n"
			   "RSI=%016" PRIx64 " RDI=%016" PRIx64 " RBP=%016" PRIx64
			   " RSP=%016" PRIx64 "\n",
			   r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp);
		hmp_printf(out,
			   "R8 =%016" PRIx64 " R9 =%016" PRIx64 " R10=%016" PRIx64
			   " R11=%016" PRIx64 "\n"
			   "R12=%016" PRIx64 " R13=%016" PRIx64 " R14=%016" PRIx64
			   " R15=%016" PRIx64 "\n",
			   r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15);
		hmp_printf(out, "RIP=%016" PRIx64 " RFL=%08x", r->rip, (uint32_t)fl);
	} else {
		hmp_printf(out,
			   "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\nESI=%08x EDI=%08x EBP=%08x "
			   "ESP=%08x\n",
			   (uint32_t)r->rax, (uint32_t)r->rbx, (uint32_t)r->rcx, (uint32_t)r->rdx,
			   (uint32_t)r->rsi, (uint32_t)r->rdi, (uint32_t)r->rbp, (uint32_t)r->rsp);
		hmp_printf(out, "EIP=%08x EFL=%08x", (uint32_t)r->rip, (uint32_t)fl);
	}
	hmp_printf(out, " [%s] CPL=%d II=0 A20=1 SMM=0 HLT=%d\n", flags, (int)r->cpl,
		   r->halted ? 1 : 0);
}

/* Vector register n of nq quadwords, highest first: two XMM a line ("XMM00=hi lo"), one YMM
 * ("YMM00=q3 q2 q1 q0") or ZMM ("ZMM00=q7 .. q0") a line. */
static void vector(HmpOut *out, const VectorRegister *v, int n, int nq)
{
	uint64_t q[8] = { 0 };
	const uint64List *e;
	int i = 0;

	for (e = v->q; e && i < 8; e = e->next)
		q[i++] = e->value;
	hmp_printf(out, "%s%02d=", nq == 2 ? "XMM" : nq == 4 ? "YMM" : "ZMM", n);
	for (i = nq - 1; i >= 0; i--)
		hmp_printf(out, "%016" PRIx64 "%s", q[i],
			   i			 ? " "
			   : nq == 2 && !(n & 1) ? " "
						 : "\n");
}

/* QEMU's CPU_DUMP_FPU part: x87 control, status and tags, FPR0-7, then the XMM, YMM or the
 * AVX-512 opmask and ZMM registers as XCR0 enables them (8 of them outside 64-bit code). */
static void fpu(HmpOut *out, const CpuRegisters *r, struct mode m)
{
	const FloatRegisterList *f;
	const VectorRegisterList *x;
	const uint64List *k;
	int i, nq = 0;

	hmp_printf(out, "FCW=%04x FSW=%04x [ST=%d] FTW=%02x MXCSR=%08x\n", (unsigned)r->fcw,
		   (unsigned)r->fsw, (int)(r->fsw >> 11) & 7, (unsigned)r->ftw, (uint32_t)r->mxcsr);
	for (f = r->fpr, i = 0; f; f = f->next, i++)
		hmp_printf(out, "FPR%d=%016" PRIx64 " %04x%s", i, f->value->mantissa,
			   (unsigned)f->value->exponent & 0xffff, i & 1 ? "\n" : " ");
	for (k = r->opmask, i = 0; k; k = k->next, i++)
		hmp_printf(out, "Opmask%02d=%016" PRIx64 "%s", i, k->value,
			   (i & 3) == 3 ? "\n" : " ");
	for (k = r->vector ? r->vector->value->q : NULL; k; k = k->next)
		nq++;
	for (x = r->vector, i = 0; x && i < (m.cs64 ? 32 : 8); x = x->next, i++)
		vector(out, x->value, i, nq);
}

/* As QEMU's x86_cpu_dump_state with CPU_DUMP_FPU. */
static void dump_cpu(HmpOut *out, const CpuRegisters *r)
{
	const SegmentRegister *segs[] = { r->es, r->cs, r->ss, r->ds, r->fs, r->gs, r->ldt, r->tr };
	static const char *const labels[] = { "ES", "CS", "SS", "DS", "FS", "GS", "LDT", "TR" };
	struct mode m = { .lma = r->efer & EFER_LMA };
	size_t i;

	m.cs64 = m.lma && (r->cs->attrs & DESC_L);
	general(out, r, m);
	for (i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
		segment(out, r, m, segs[i], labels[i]);
	table(out, m, r->gdt, "GDT");
	table(out, m, r->idt, "IDT");
	if (m.lma)
		hmp_printf(out, "CR0=%08x CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%08x\n",
			   (uint32_t)r->cr0, r->cr2, r->cr3, (uint32_t)r->cr4);
	else
		hmp_printf(out, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", (uint32_t)r->cr0,
			   (uint32_t)r->cr2, (uint32_t)r->cr3, (uint32_t)r->cr4);
	hmp_printf(out,
		   "DR0=%016" PRIx64 " DR1=%016" PRIx64 " DR2=%016" PRIx64 " DR3=%016" PRIx64
		   " \nDR6=%016" PRIx64 " DR7=%016" PRIx64 "\n",
		   r->dr0, r->dr1, r->dr2, r->dr3, r->dr6, r->dr7);
	hmp_printf(out, "EFER=%016" PRIx64 "\n", r->efer);
	fpu(out, r, m);
}

/* QEMU 7.2's hmp_info_registers: "\nCPU#N\n" before each dump; -a: every vCPU, vcpu: that one,
 * else the selected one. */
void hmp_cmd_info_registers(HmpOut *out, json_object *args, Error **errp)
{
	bool every = json_object_get_boolean(json_object_object_get(args, "all"));
	json_object *vcpu = json_object_object_get(args, "vcpu");
	int64_t cpu = vcpu ? json_object_get_int64(vcpu) : out->s->cpu;
	CpuRegistersList *list, *r;

	if (!every && (cpu < 0 || cpu >= monitor_machine()->nr_vcpus)) {
		hmp_printf(out, "CPU#%lld not available\n", (long long)cpu);
		return;
	}
	list = qmp_query_registers(!every, cpu, errp);

	for (r = list; r; r = r->next) {
		hmp_printf(out, "\nCPU#%d\n", (int)r->value->cpu_index);
		dump_cpu(out, r->value);
	}
	CpuRegistersList_free(list);
}
