/* x /i and xp /i: instructions disassembled by capstone in the vCPU's mode, as QEMU's
 * monitor_disas. */
#include <capstone/capstone.h>
#include <inttypes.h>

#include "hmp/hmp-int.h"
#include "monitor/monitor.h"
#include "qapi-commands.h"

#define CR0_PE	   (1u << 0)
#define EFER_LMA   (1u << 10)
#define DESC_L	   (1u << 21) /* the attrs of query-registers' segments, as KVM's */
#define DESC_B	   (1u << 22)
#define INSN_MAX   15 /* bytes in one x86 instruction at most */
#define LINE_BYTES 8  /* bytes QEMU shows beside the instruction; the rest on lines of their own */

/* Capstone's mode for the code vCPU cpu runs now (64-bit, 32-bit or 16-bit); false: no vCPU. */
static bool cpu_mode(int64_t cpu, cs_mode *mode, Error **errp)
{
	CpuRegistersList *list = qmp_query_registers(true, cpu, errp);

	if (!list)
		return false;
	*mode = CS_MODE_16;
	if ((list->value->efer & EFER_LMA) && (list->value->cs->attrs & DESC_L))
		*mode = CS_MODE_64;
	else if ((list->value->cr0 & CR0_PE) && (list->value->cs->attrs & DESC_B))
		*mode = CS_MODE_32;
	CpuRegistersList_free(list);
	return true;
}

/* The bytes of one instruction at addr that can be read (fewer at the end of what is mapped). */
static size_t fetch(uint64_t addr, bool physical, int64_t cpu, uint8_t *buf)
{
	struct machine *m = monitor_machine();
	size_t n = 0;

	if (memory_read(m, addr, INSN_MAX, !physical, cpu, buf, NULL))
		return INSN_MAX;
	while (n < INSN_MAX && memory_read(m, addr + n, 1, !physical, cpu, buf + n, NULL))
		n++;
	return n;
}

static void print_insn(HmpOut *out, const cs_insn *insn)
{
	size_t i, shown = insn->size < LINE_BYTES ? insn->size : LINE_BYTES;

	hmp_printf(out, "0x%08" PRIx64 ":  ", insn->address);
	for (i = 0; i < shown; i++)
		hmp_printf(out, "%02x ", insn->bytes[i]);
	hmp_printf(out, "%*s %-8s %s\n", (int)(LINE_BYTES - shown) * 3, "", insn->mnemonic,
		   insn->op_str);
	for (; i < insn->size; i += LINE_BYTES) {
		hmp_printf(out, "0x%08" PRIx64 ": ", insn->address + i);
		for (size_t j = i; j < insn->size && j < i + LINE_BYTES; j++)
			hmp_printf(out, " %02x", insn->bytes[j]);
		hmp_printf(out, "\n");
	}
}

void hmp_disas(HmpOut *out, uint64_t addr, int64_t count, bool physical, Error **errp)
{
	int64_t cpu = out->s->cpu;
	uint8_t buf[INSN_MAX];
	cs_insn *insn;
	cs_mode mode;
	csh cs;

	if (!cpu_mode(cpu, &mode, errp))
		return;
	if (cs_open(CS_ARCH_X86, mode, &cs) != CS_ERR_OK) {
		error_setg(errp, "Cannot disassemble: the disassembler failed to start");
		return;
	}
	cs_option(cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	cs_option(cs, CS_OPT_SKIPDATA, CS_OPT_ON); /* an invalid byte is shown as ".byte" */
	do {					   /* x /0i shows one, as QEMU */
		size_t n = fetch(addr, physical, cpu, buf);

		if (n == 0 || cs_disasm(cs, buf, n, addr, 1, &insn) != 1) {
			hmp_printf(out, "0x%08" PRIx64 ": unable to read memory\n", addr);
			break;
		}
		print_insn(out, insn);
		addr += insn->size;
		cs_free(insn, 1);
	} while (--count > 0);
	cs_close(&cs);
}
