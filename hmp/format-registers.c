/* info registers [-a]: query-registers' result in QEMU's x86-64 layout (x86_cpu_dump_state). */
#include <inttypes.h>
#include <string.h>

#include "hmp/hmp-int.h"
#include "qapi-commands.h"

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

static void segment(HmpOut *out, const CpuRegisters *r, const SegmentRegister *s, const char *label)
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
	bool lma = r->efer & EFER_LMA;

	hmp_printf(out, "%-3s=%04x %016" PRIx64 " %08x %08x", label, (unsigned)s->selector, s->base,
		   (uint32_t)s->limit, attrs);
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
			hmp_printf(out, "%s [%c%c", (attrs & DESC_B) || lma ? "DS  " : "DS16",
				   attrs & DESC_E ? 'E' : '-', attrs & DESC_W ? 'W' : '-');
		}
		hmp_printf(out, "%c]", attrs & DESC_A ? 'A' : '-');
	} else {
		hmp_printf(out, "%s", sys_types[lma][(attrs >> 8) & 15]);
	}
	hmp_printf(out, "\n");
}

static void table(HmpOut *out, const DescriptorTable *t, const char *label)
{
	hmp_printf(out, "%s=     %016" PRIx64 " %08x\n", label, t->base, (uint32_t)t->limit);
}

static void dump_cpu(HmpOut *out, const CpuRegisters *r)
{
	const SegmentRegister *segs[] = { r->es, r->cs, r->ss, r->ds, r->fs, r->gs, r->ldt, r->tr };
	static const char *const labels[] = { "ES", "CS", "SS", "DS", "FS", "GS", "LDT", "TR" };
	uint64_t fl = r->rflags;
	size_t i;

	hmp_printf(out,
		   "RAX=%016" PRIx64 " RBX=%016" PRIx64 " RCX=%016" PRIx64 " RDX=%016" PRIx64 "\n"
		   "RSI=%016" PRIx64 " RDI=%016" PRIx64 " RBP=%016" PRIx64 " RSP=%016" PRIx64 "\n",
		   r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp);
	hmp_printf(out,
		   "R8 =%016" PRIx64 " R9 =%016" PRIx64 " R10=%016" PRIx64 " R11=%016" PRIx64 "\n"
		   "R12=%016" PRIx64 " R13=%016" PRIx64 " R14=%016" PRIx64 " R15=%016" PRIx64 "\n",
		   r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15);
	hmp_printf(out,
		   "RIP=%016" PRIx64 " RFL=%08x [%c%c%c%c%c%c%c] CPL=%d II=0 A20=1 SMM=0 HLT=%d\n",
		   r->rip, (uint32_t)fl, fl & 0x400 ? 'D' : '-', fl & 0x800 ? 'O' : '-',
		   fl & 0x80 ? 'S' : '-', fl & 0x40 ? 'Z' : '-', fl & 0x10 ? 'A' : '-',
		   fl & 0x4 ? 'P' : '-', fl & 0x1 ? 'C' : '-', (int)r->cpl, r->halted ? 1 : 0);
	for (i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
		segment(out, r, segs[i], labels[i]);
	table(out, r->gdt, "GDT");
	table(out, r->idt, "IDT");
	hmp_printf(out, "CR0=%08x CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%08x\n",
		   (uint32_t)r->cr0, r->cr2, r->cr3, (uint32_t)r->cr4);
	hmp_printf(out, "EFER=%016" PRIx64 "\n", r->efer);
}

void hmp_cmd_info_registers(HmpOut *out, json_object *args, Error **errp)
{
	bool every = json_object_get_boolean(json_object_object_get(args, "all"));
	CpuRegistersList *list = qmp_query_registers(!every, out->s->cpu, errp), *r;

	for (r = list; r; r = r->next) {
		if (every)
			hmp_printf(out, "\nCPU#%d\n", (int)r->value->cpu_index);
		dump_cpu(out, r->value);
	}
	CpuRegistersList_free(list);
}
