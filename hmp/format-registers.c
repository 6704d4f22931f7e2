/* info registers [-a]: query-registers' result in QEMU's x86-64 layout (x86_cpu_dump_state). */
#include <inttypes.h>
#include <string.h>

#include "hmp/hmp-int.h"

/* Segment attribute bits (QEMU's DESC_*_MASK, the packed flags query-registers reports). */
#define DESC_A	       (1u << 8)
#define DESC_W	       (1u << 9)  /* data: writable; code: readable */
#define DESC_E	       (1u << 10) /* data: expand-down; code: conforming */
#define DESC_CS	       (1u << 11)
#define DESC_S	       (1u << 12)
#define DESC_DPL_SHIFT 13
#define DESC_P	       (1u << 15)
#define DESC_L	       (1u << 21)
#define DESC_B	       (1u << 22)
#define CR0_PE	       1u
#define EFER_LMA       (1u << 10)

static uint64_t reg(json_object *r, const char *name)
{
	return hmp_json_u64(r, name);
}

static void segment(HmpOut *out, json_object *r, const char *key, const char *label)
{
	static const char *const sys_types[2][16] = {
		{ "Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate",
		  "IntGate16", "TrapGate16", "Reserved", "TSS32-avl", "Reserved", "TSS32-busy",
		  "CallGate32", "Reserved", "IntGate32", "TrapGate32" },
		{ "<hiword>", "Reserved", "LDT", "Reserved", "Reserved", "Reserved", "Reserved",
		  "Reserved", "Reserved", "TSS64-avl", "Reserved", "TSS64-busy", "CallGate64",
		  "Reserved", "IntGate64", "TrapGate64" },
	};
	json_object *s = NULL, *present = NULL;
	uint32_t attrs;
	bool lma = reg(r, "efer") & EFER_LMA;

	json_object_object_get_ex(r, key, &s);
	attrs = (uint32_t)hmp_json_u64(s, "attrs");
	hmp_printf(out, "%-3s=%04x %016" PRIx64 " %08x %08x", label,
		   (unsigned)hmp_json_u64(s, "selector"), hmp_json_u64(s, "base"),
		   (uint32_t)hmp_json_u64(s, "limit"), attrs);
	json_object_object_get_ex(s, "present", &present);
	if (!(reg(r, "cr0") & CR0_PE) ||
	    !(present ? json_object_get_boolean(present) : (attrs & DESC_P) != 0)) {
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

static void table(HmpOut *out, json_object *r, const char *key, const char *label)
{
	json_object *t = NULL;

	json_object_object_get_ex(r, key, &t);
	hmp_printf(out, "%s=     %016" PRIx64 " %08x\n", label, hmp_json_u64(t, "base"),
		   (uint32_t)hmp_json_u64(t, "limit"));
}

static void dump_cpu(HmpOut *out, json_object *r)
{
	static const char *const segs[][2] = {
		{ "es", "ES" }, { "cs", "CS" }, { "ss", "SS" },	  { "ds", "DS" },
		{ "fs", "FS" }, { "gs", "GS" }, { "ldt", "LDT" }, { "tr", "TR" },
	};
	uint64_t fl = reg(r, "rflags");
	size_t i;

	hmp_printf(out,
		   "RAX=%016" PRIx64 " RBX=%016" PRIx64 " RCX=%016" PRIx64 " RDX=%016" PRIx64 "\n"
		   "RSI=%016" PRIx64 " RDI=%016" PRIx64 " RBP=%016" PRIx64 " RSP=%016" PRIx64 "\n",
		   reg(r, "rax"), reg(r, "rbx"), reg(r, "rcx"), reg(r, "rdx"), reg(r, "rsi"),
		   reg(r, "rdi"), reg(r, "rbp"), reg(r, "rsp"));
	hmp_printf(out,
		   "R8 =%016" PRIx64 " R9 =%016" PRIx64 " R10=%016" PRIx64 " R11=%016" PRIx64 "\n"
		   "R12=%016" PRIx64 " R13=%016" PRIx64 " R14=%016" PRIx64 " R15=%016" PRIx64 "\n",
		   reg(r, "r8"), reg(r, "r9"), reg(r, "r10"), reg(r, "r11"), reg(r, "r12"),
		   reg(r, "r13"), reg(r, "r14"), reg(r, "r15"));
	hmp_printf(out,
		   "RIP=%016" PRIx64 " RFL=%08x [%c%c%c%c%c%c%c] CPL=%d II=0 A20=1 SMM=0 HLT=%d\n",
		   reg(r, "rip"), (uint32_t)fl, fl & 0x400 ? 'D' : '-', fl & 0x800 ? 'O' : '-',
		   fl & 0x80 ? 'S' : '-', fl & 0x40 ? 'Z' : '-', fl & 0x10 ? 'A' : '-',
		   fl & 0x4 ? 'P' : '-', fl & 0x1 ? 'C' : '-', (int)reg(r, "cpl"),
		   reg(r, "halted") ? 1 : 0);
	for (i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
		segment(out, r, segs[i][0], segs[i][1]);
	table(out, r, "gdt", "GDT");
	table(out, r, "idt", "IDT");
	hmp_printf(out, "CR0=%08x CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%08x\n",
		   (uint32_t)reg(r, "cr0"), reg(r, "cr2"), reg(r, "cr3"), (uint32_t)reg(r, "cr4"));
	hmp_printf(out, "EFER=%016" PRIx64 "\n", reg(r, "efer"));
}

void hmp_cmd_info_registers(HmpOut *out, json_object *args, Error **errp)
{
	json_object *all = NULL, *qargs = json_object_new_object(), *list;
	bool every;
	size_t i, n;

	every = json_object_object_get_ex(args, "all", &all) && json_object_get_boolean(all);
	if (!every)
		json_object_object_add(qargs, "cpu-index", json_object_new_int(out->s->cpu));
	list = hmp_call_qmp("query-registers", qargs, errp);
	json_object_put(qargs);
	if (!list)
		return;
	n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
	for (i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(list, i);

		if (every)
			hmp_printf(out, "\nCPU#%d\n", (int)reg(r, "cpu-index"));
		dump_cpu(out, r);
	}
	json_object_put(list);
}
