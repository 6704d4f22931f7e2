/* The gdb stub's data packets: registers, memory through the page tables, breakpoints, threads. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/gdb-debug.h"
#include "vmm/gdb-int.h"
#include "vmm/gdb-regs.h"
#include "vmm/machine.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"

#define E_INVAL "E22" /* QEMU's answers: a bad argument */
#define E_FAULT "E14" /* memory that cannot be read or written */

static struct vcpu *g_vcpu(struct gdb_conn *c)
{
	return &c->m->vcpus[c->g_cpu];
}

static void put_hex(struct gdb_conn *c, const void *buf, size_t len)
{
	static char hex[GDB_MAX_PACKET + 1];

	gdb_hex(buf, len, hex);
	gdb_put(c, hex, 2 * len);
}

static void read_all_regs(struct gdb_conn *c)
{
	uint8_t regs[GDB_REGS_SIZE];

	if (gdb_regs_read(g_vcpu(c), regs) < 0)
		gdb_puts(c, E_INVAL);
	else
		put_hex(c, regs, sizeof(regs));
}

static void write_all_regs(struct gdb_conn *c, const char *hex, size_t len)
{
	uint8_t regs[GDB_REGS_SIZE];

	if (len != 2 * sizeof(regs) || !gdb_unhex(hex, regs, sizeof(regs)) ||
	    gdb_regs_write(g_vcpu(c), regs) < 0)
		gdb_puts(c, E_INVAL);
	else
		gdb_puts(c, "OK");
}

/* p N and P N=VALUE */
static void one_reg(struct gdb_conn *c, const char *arg, bool write)
{
	uint8_t regs[GDB_REGS_SIZE];
	uint64_t n;
	size_t off, size;

	if (!gdb_hex_num(&arg, "=", &n) || n >= GDB_NR_REGS || (write && *arg++ != '=')) {
		gdb_puts(c, E_INVAL);
		return;
	}
	gdb_reg_slot((int)n, &off, &size);
	if (gdb_regs_read(g_vcpu(c), regs) < 0 ||
	    (write && (strlen(arg) != 2 * size || !gdb_unhex(arg, regs + off, size) ||
		       gdb_regs_write(g_vcpu(c), regs) < 0))) {
		gdb_puts(c, E_INVAL);
		return;
	}
	if (write)
		gdb_puts(c, "OK");
	else
		put_hex(c, regs + off, size);
}

/* ADDR,LEN then sep; the length at most max */
static bool addr_len(const char **p, char sep, uint64_t max, uint64_t *addr, uint64_t *len)
{
	char seps[2] = { sep, '\0' };

	return gdb_hex_num(p, ",", addr) && *(*p)++ == ',' && gdb_hex_num(p, seps, len) &&
	       **p == sep && *len <= max;
}

static void read_mem(struct gdb_conn *c, const char *arg)
{
	static uint8_t buf[GDB_MAX_PACKET / 2];
	uint64_t addr, len;

	if (!addr_len(&arg, '\0', sizeof(buf), &addr, &len))
		gdb_puts(c, E_INVAL);
	else if (paging_access_virt(c->m, g_vcpu(c), addr, buf, len, false) < 0)
		gdb_puts(c, E_FAULT);
	else
		put_hex(c, buf, len);
}

/* M ADDR,LEN:HEX and X ADDR,LEN:BINARY */
static void write_mem(struct gdb_conn *c, char *arg, size_t arglen, bool binary)
{
	static uint8_t buf[GDB_MAX_PACKET];
	const char *p = arg;
	uint64_t addr, len;
	size_t datalen;

	if (!addr_len(&p, ':', sizeof(buf), &addr, &len)) {
		gdb_puts(c, E_INVAL);
		return;
	}
	p++;
	datalen = arglen - (size_t)(p - arg);
	if (binary) {
		datalen = gdb_unescape((char *)p, datalen);
		if (datalen != len) {
			gdb_puts(c, E_INVAL);
			return;
		}
		memcpy(buf, p, datalen);
	} else if (datalen != 2 * len || !gdb_unhex(p, buf, len)) {
		gdb_puts(c, E_INVAL);
		return;
	}
	gdb_puts(c, paging_access_virt(c->m, g_vcpu(c), addr, buf, len, true) < 0 ? E_FAULT : "OK");
}

/* Z/z TYPE,ADDR,KIND */
static void breakpoint(struct gdb_conn *c, const char *arg, bool insert)
{
	uint64_t type, addr, len;
	int r;

	if (!gdb_hex_num(&arg, ",", &type) || *arg++ != ',' ||
	    !addr_len(&arg, '\0', 8, &addr, &len)) {
		/* a kind with conditions after ';' is not supported */
		gdb_puts(c, E_INVAL);
		return;
	}
	if (type > GDB_WATCH_ACCESS) {
		gdb_puts(c, ""); /* an unsupported type */
		return;
	}
	r = insert ? gdb_bp_insert(c->m, g_vcpu(c), (int)type, addr, len)
		   : gdb_bp_remove(c->m, (int)type, addr, len);
	if (!r) {
		bool step[CONFIG_MAX_VCPUS] = { false };

		r = gdb_debug_apply(c->m, step);
	}
	gdb_puts(c, r ? E_INVAL : "OK");
}

/* qXfer:features:read:target.xml:OFFSET,LENGTH */
static void xfer_features(struct gdb_conn *c, const char *arg)
{
	static char out[GDB_MAX_PACKET];
	size_t total = strlen(gdb_target_xml);
	uint64_t off, len;

	if (strncmp(arg, "target.xml:", 11)) {
		gdb_puts(c, "E00");
		return;
	}
	arg += 11;
	if (!addr_len(&arg, '\0', UINT64_MAX, &off, &len) || off > total) {
		gdb_puts(c, E_INVAL);
		return;
	}
	if (len > GDB_MAX_PACKET - 1)
		len = GDB_MAX_PACKET - 1;
	if (len > total - off)
		len = total - off;
	out[0] = off + len < total ? 'm' : 'l';
	memcpy(out + 1, gdb_target_xml + off, len);
	gdb_put(c, out, len + 1);
}

static void thread_info(struct gdb_conn *c)
{
	char out[GDB_MAX_PACKET];
	size_t n = 0;
	int i;

	out[n++] = 'm';
	for (i = 0; i < c->m->nr_vcpus; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%x", i ? "," : "", i + 1);
	gdb_put(c, out, n);
}

static void thread_extra(struct gdb_conn *c, const char *arg)
{
	int cpu = gdb_thread_arg(c, arg);
	bool halted = false;
	char text[64];

	if (cpu < 1) {
		gdb_puts(c, E_INVAL);
		return;
	}
	vcpu_is_halted(&c->m->vcpus[cpu - 1], &halted);
	snprintf(text, sizeof(text), "CPU#%d [%s]", cpu - 1, halted ? "halted" : "running");
	put_hex(c, text, strlen(text));
}

/* Hg/Hc ID */
static void set_thread(struct gdb_conn *c, const char *arg)
{
	int cpu = gdb_thread_arg(c, arg + 1);

	if ((arg[0] != 'g' && arg[0] != 'c') || cpu == -2) {
		gdb_puts(c, E_INVAL);
		return;
	}
	if (cpu > 0)
		*(arg[0] == 'g' ? &c->g_cpu : &c->c_cpu) = cpu - 1;
	gdb_puts(c, "OK");
}

static bool query(struct gdb_conn *c, const char *pkt)
{
	char out[32];

	if (!strncmp(pkt, "qSupported", 10))
		gdb_puts(c,
			 "PacketSize=1000;qXfer:features:read+;vContSupported+;swbreak+;hwbreak+;"
			 "QStartNoAckMode+");
	else if (!strncmp(pkt, "qXfer:features:read:", 20))
		xfer_features(c, pkt + 20);
	else if (!strcmp(pkt, "qfThreadInfo"))
		thread_info(c);
	else if (!strcmp(pkt, "qsThreadInfo"))
		gdb_puts(c, "l");
	else if (!strncmp(pkt, "qThreadExtraInfo,", 17))
		thread_extra(c, pkt + 17);
	else if (!strcmp(pkt, "qC")) {
		snprintf(out, sizeof(out), "QC%x", c->g_cpu + 1);
		gdb_puts(c, out);
	} else if (!strcmp(pkt, "qAttached"))
		gdb_puts(c, "1");
	else if (!strcmp(pkt, "QStartNoAckMode")) {
		gdb_puts(c, "OK");
		c->no_ack = true;
	} else
		return false;
	return true;
}

bool gdb_cmd_data(struct gdb_conn *c, char *pkt, size_t len)
{
	int cpu;

	switch (pkt[0]) {
	case 'g':
		read_all_regs(c);
		return true;
	case 'G':
		write_all_regs(c, pkt + 1, len - 1);
		return true;
	case 'p':
	case 'P':
		one_reg(c, pkt + 1, pkt[0] == 'P');
		return true;
	case 'm':
		read_mem(c, pkt + 1);
		return true;
	case 'M':
	case 'X':
		write_mem(c, pkt + 1, len - 1, pkt[0] == 'X');
		return true;
	case 'Z':
	case 'z':
		breakpoint(c, pkt + 1, pkt[0] == 'Z');
		return true;
	case 'H':
		set_thread(c, pkt + 1);
		return true;
	case 'T':
		cpu = gdb_thread_arg(c, pkt + 1);
		gdb_puts(c, cpu > 0 ? "OK" : E_INVAL);
		return true;
	case 'q':
	case 'Q':
		return query(c, pkt);
	}
	return false;
}
