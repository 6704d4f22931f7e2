/* The gdb remote stub: the server and its one connection, run control and stop replies. */
#include "vmm/gdbstub.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/errmsg.h"
#include "vmm/gdb-debug.h"
#include "vmm/gdb-int.h"
#include "vmm/listener.h"
#include "vmm/machine.h"
#include "vmm/stream.h"
#include "vmm/vcpu.h"

#define GDB_OUT_MAX (1u << 20) /* a debugger that reads nothing is dropped past this */

struct gdbstub {
	struct machine *m;
	struct listener *l;
	struct gdb_conn *conn;
};

static struct gdbstub stub;

void gdb_put(struct gdb_conn *c, const char *payload, size_t len)
{
	c->last_len = gdb_frame(payload, len, c->last);
	stream_write(c->st, c->last, c->last_len);
}

void gdb_puts(struct gdb_conn *c, const char *s)
{
	gdb_put(c, s, strlen(s));
}

int gdb_thread_arg(struct gdb_conn *c, const char *s)
{
	uint64_t id;

	if (!strcmp(s, "-1"))
		return -1;
	if (!gdb_hex_num(&s, "", &id))
		return -2;
	if (id == 0)
		return 0;
	return id <= (uint64_t)c->m->nr_vcpus ? (int)id : -2;
}

/* The stop reply for the state the VM stopped in (QEMU's signals: TRAP, INT, ABRT). */
static void stop_reply(struct gdb_conn *c)
{
	static const char *const watch[] = { [GDB_WATCH_WRITE] = "watch",
					     [GDB_WATCH_READ] = "rwatch",
					     [GDB_WATCH_ACCESS] = "awatch" };
	struct machine *m = c->m;
	char out[128];
	int sig = 5, type, n;
	uint64_t addr;

	if (m->state == RUN_STATE_SHUTDOWN) {
		gdb_puts(c, "W00");
		return;
	}
	if (m->state == RUN_STATE_DEBUG)
		c->g_cpu = c->c_cpu = m->debug_cpu;
	else
		sig = m->state == RUN_STATE_INTERNAL_ERROR ? 6 : 2;
	n = snprintf(out, sizeof(out), "T%02xthread:%x;", sig, c->c_cpu + 1);
	if (m->state == RUN_STATE_DEBUG) {
		struct vcpu *v = &m->vcpus[m->debug_cpu];

		if (gdb_debug_watch_hit(v, &type, &addr))
			snprintf(out + n, sizeof(out) - (size_t)n, "%s:%llx;", watch[type],
				 (unsigned long long)addr);
		else if (v->debug_info.exception == 3)
			snprintf(out + n, sizeof(out) - (size_t)n, "swbreak:;");
		else if (v->debug_info.dr6 & 0xf)
			snprintf(out + n, sizeof(out) - (size_t)n, "hwbreak:;");
	}
	gdb_puts(c, out);
}

/* The VM stopped or went on: a debugger waiting for a stop hears of it. */
static void on_vm_event(void *opaque, enum vm_event ev, bool guest, ShutdownCause cause)
{
	struct gdb_conn *c = stub.conn;
	bool step[CONFIG_MAX_VCPUS] = { false };

	(void)opaque, (void)guest, (void)cause;
	if (!c)
		return;
	if (ev == VM_EVENT_RESUME) {
		c->waiting = true;
	} else if (ev == VM_EVENT_STOP && c->waiting) {
		c->waiting = false;
		stop_reply(c);
		gdb_debug_apply(c->m, step); /* no step left pending for a cont from the monitor */
	} else if (ev == VM_EVENT_SHUTDOWN) {
		stop_reply(c);
		stream_shutdown(c->st);
	}
}

/* Resumes with step[i]/run[i] per vCPU (neither: it stays parked), as QEMU's vCont. */
static void resume(struct gdb_conn *c, const bool *step, const bool *run)
{
	struct machine *m = c->m;
	int i;

	if (m->state == RUN_STATE_SHUTDOWN) {
		gdb_puts(c, "E22");
		return;
	}
	if (gdb_debug_apply(m, step) < 0) {
		gdb_puts(c, "E22");
		return;
	}
	for (i = 0; i < m->nr_vcpus; i++)
		m->vcpus[i].debug_hold = !step[i] && !run[i];
	c->waiting = true;
	vm_cont(m);
	vcpu_resume_all(m); /* vm_cont does nothing when the VM was running already */
}

/* c [ADDR] and s [ADDR]: the Hc thread (with an address: from there); the others run on. */
static void cont_or_step(struct gdb_conn *c, const char *arg, bool single)
{
	bool step[CONFIG_MAX_VCPUS] = { false }, run[CONFIG_MAX_VCPUS];
	uint64_t addr;
	int i;

	if (*arg) {
		struct kvm_regs r;
		struct vcpu *v = &c->m->vcpus[c->c_cpu];

		if (!gdb_hex_num(&arg, "", &addr) || vcpu_get_regs(v, &r, NULL) < 0) {
			gdb_puts(c, "E22");
			return;
		}
		r.rip = addr;
		vcpu_set_regs(v, &r, NULL);
	}
	for (i = 0; i < CONFIG_MAX_VCPUS; i++)
		run[i] = true;
	step[c->c_cpu] = single;
	resume(c, step, run);
}

/* vCont;ACTION[:ID];... with actions c, C SIG, s, S SIG (signals are ignored, as QEMU does) */
static void vcont(struct gdb_conn *c, char *arg)
{
	bool step[CONFIG_MAX_VCPUS] = { false }, run[CONFIG_MAX_VCPUS] = { false };
	bool set[CONFIG_MAX_VCPUS] = { false };
	char *tok, *save = NULL;
	int i;

	for (tok = strtok_r(arg, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		char act = tok[0], *colon = strchr(tok, ':');
		int cpu = colon ? gdb_thread_arg(c, colon + 1) : -1;

		if (colon)
			*colon = '\0';
		if ((act != 'c' && act != 's' && act != 'C' && act != 'S') || cpu == -2 ||
		    ((act == 'C' || act == 'S') && strlen(tok) != 3) ||
		    ((act == 'c' || act == 's') && tok[1])) {
			gdb_puts(c, "E22");
			return;
		}
		for (i = 0; i < c->m->nr_vcpus; i++) {
			if (set[i] || (cpu > 0 && cpu != i + 1))
				continue;
			set[i] = true;
			step[i] = tolower(act) == 's';
			run[i] = !step[i];
		}
	}
	resume(c, step, run);
}

static void detach(struct gdb_conn *c)
{
	bool run[CONFIG_MAX_VCPUS], step[CONFIG_MAX_VCPUS] = { false };
	int i;

	gdb_debug_reset(c->m);
	gdb_puts(c, "OK");
	for (i = 0; i < CONFIG_MAX_VCPUS; i++)
		run[i] = true;
	resume(c, step, run);
	c->waiting = false;
}

static void interrupt(struct gdb_conn *c)
{
	if (c->m->state == RUN_STATE_RUNNING)
		vm_stop(c->m, RUN_STATE_PAUSED); /* the STOP event sends the reply (T02), as QEMU */
}

static void packet(struct gdb_conn *c, char *pkt, size_t len)
{
	struct machine *m = c->m;
	bool running = m->state == RUN_STATE_RUNNING;

	if (running)
		vcpu_pause_all(m); /* registers and page tables are read with the vCPUs parked */
	if (pkt[0] == '?') {
		char out[32];

		snprintf(out, sizeof(out), "T05thread:%x;", c->c_cpu + 1);
		gdb_puts(c, out);
	} else if (pkt[0] == 'c' || pkt[0] == 's')
		cont_or_step(c, pkt + 1, pkt[0] == 's');
	else if (pkt[0] == 'C' || pkt[0] == 'S')
		cont_or_step(c, "", pkt[0] == 'S');
	else if (!strcmp(pkt, "vCont?"))
		gdb_puts(c, "vCont;c;C;s;S");
	else if (!strncmp(pkt, "vCont;", 6))
		vcont(c, pkt + 6);
	else if (pkt[0] == 'D')
		detach(c);
	else if (pkt[0] == 'k') {
		fprintf(stderr, "tinyvmm: terminated via GDBstub\n");
		mainloop_quit(m->loop);
	} else if (!gdb_cmd_data(c, pkt, len))
		gdb_puts(c, ""); /* not supported */
	if (running)
		vcpu_resume_all(m);
}

static size_t conn_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct gdb_conn *c = opaque;
	size_t i;

	for (i = 0; i < len; i++) {
		switch (gdb_rx_byte(&c->rx, buf[i])) {
		case GDB_RX_PACKET:
			if (!c->no_ack)
				stream_write(c->st, "+", 1);
			packet(c, c->rx.buf, c->rx.len);
			if (!stub.conn)
				return i + 1;
			break;
		case GDB_RX_BAD:
			if (!c->no_ack)
				stream_write(c->st, "-", 1);
			break;
		case GDB_RX_INTERRUPT:
			interrupt(c);
			break;
		case GDB_RX_NACK:
			if (c->last_len)
				stream_write(c->st, c->last, c->last_len);
			break;
		default:
			break;
		}
	}
	return len;
}

static size_t conn_room(void *opaque)
{
	struct gdb_conn *c = opaque;

	return stream_queued(c->st) < GDB_OUT_MAX / 2 ? 4096 : 0;
}

/* The debugger left: its breakpoints go, the vCPUs it held run with the others. */
static void conn_free(struct gdb_conn *c)
{
	int i;

	vcpu_pause_all(c->m); /* guest debugging is set with the vCPUs out of KVM_RUN */
	gdb_debug_reset(c->m);
	for (i = 0; i < c->m->nr_vcpus; i++)
		c->m->vcpus[i].debug_hold = false;
	vcpu_resume_all(c->m);
	stream_free(c->st);
	listener_client_gone(stub.l);
	stub.conn = NULL;
	free(c);
}

static void conn_closed(void *opaque, const char *why)
{
	listener_client_dropped(stub.l, why);
	conn_free(opaque);
}

static const struct stream_ops conn_ops = { .input = conn_input,
					    .input_room = conn_room,
					    .closed = conn_closed };
static const struct stream_config conn_cfg = { .in_size = 4096, .out_max = GDB_OUT_MAX };

/* A debugger connects: the VM stops (paused, as QEMU's gdbstub on a new connection). */
static bool on_accept(void *opaque, int fd)
{
	struct gdb_conn *c = calloc(1, sizeof(*c));

	(void)opaque;
	if (c)
		c->st = stream_new(stub.m->loop, fd, fd, &conn_cfg, &conn_ops, c);
	if (!c || !c->st) {
		fprintf(stderr, "tinyvmm: gdb client refused: out of memory\n");
		free(c);
		close(fd);
		return false;
	}
	c->m = stub.m;
	stub.conn = c;
	if (c->m->state == RUN_STATE_RUNNING)
		vm_stop(c->m, RUN_STATE_PAUSED);
	return true;
}

bool gdbstub_parse(const char *dev, struct chardev_spec *spec, char *err, size_t errlen)
{
	char buf[600];

	if (dev[0] && strspn(dev, "0123456789") == strlen(dev))
		snprintf(buf, sizeof(buf), "tcp::%s", dev);
	else
		snprintf(buf, sizeof(buf), "%s", dev);
	if (!strncmp(buf, "tcp:", 4) && strlen(buf) < sizeof(buf) - 20)
		strcat(buf, ",wait=off,server=on");
	if (!chardev_parse(buf, spec, err, errlen))
		return false;
	if (spec->kind != CHR_TCP && spec->kind != CHR_UNIX)
		return errmsg(err, errlen, "'%s' cannot serve gdb (tcp:, unix: or a port)", dev);
	snprintf(spec->label, sizeof(spec->label), "gdb");
	return true;
}

bool gdbstub_start(struct machine *m, const struct chardev_spec *spec, char *err, size_t errlen)
{
	static const struct listener_config lcfg = { .what = "gdb", .max_clients = 1 };
	static bool listening;

	gdbstub_stop();
	if (!spec)
		return true;
	stub.m = m;
	if (!listening) {
		machine_add_listener(m, on_vm_event, NULL);
		listening = true;
	}
	stub.l = listener_open(m->loop, spec, &lcfg, on_accept, NULL, err, errlen);
	if (!stub.l)
		return false;
	if (spec->wait && !listener_wait(stub.l)) {
		gdbstub_stop();
		snprintf(err, errlen, "interrupted while waiting for gdb");
		return false;
	}
	return true;
}

void gdbstub_shutdown(void)
{
	listener_close(stub.l);
	stub.l = NULL;
	if (stub.conn)
		stream_shutdown(stub.conn->st);
}

bool gdbstub_flushed(void)
{
	return !stub.conn;
}

void gdbstub_stop(void)
{
	if (stub.conn)
		conn_free(stub.conn);
	listener_close(stub.l);
	stub.l = NULL;
}
