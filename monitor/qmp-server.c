/* The QMP server: listeners and clients on the main loop, each a stream with a JSON reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor/fds.h"
#include "monitor/json-out.h"
#include "monitor/json-reader.h"
#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"
#include "qapi-events.h"
#include "vmm/config.h"
#include "vmm/listener.h"
#include "vmm/mainloop.h"
#include "vmm/stream.h"

#define IN_SIZE	    (256u << 10) /* one read() */
#define OUT_PAUSE   (1u << 20)	 /* stop reading a client's requests while this much is unsent */
#define OUT_LIMIT   (16u << 20)	 /* past this much unsent output a client is dropped */
#define MAX_CLIENTS 256		 /* per listener; more are refused (logged) */
#define IN_BUDGET   (128u << 20) /* unfinished requests held by all clients together */

struct client {
	struct monitor_fds fds; /* first: see monitor_fds_on_stream() */
	struct client *next;
	struct listener *l;
	struct stream *st;
	struct json_reader rd;
	struct qmp_session s;
	bool pretty; /* pretty=on: QEMU's indented form */
};

/* A listener and the form its clients get. */
struct slot {
	struct listener *l;
	bool pretty;
};

static struct {
	struct machine *m;
	struct mainloop *loop;
	struct slot listeners[CONFIG_MAX_MONITORS];
	int nr_listeners;
	struct client *clients;
	json_object *greeting;
} mon;

struct machine *monitor_machine(void)
{
	return mon.m;
}

/* Sends o to c in c's form; text[form] caches it for the next client (NULL: no cache). */
static void send_obj(struct client *c, json_object *o, char *text[2], size_t len[2])
{
	char *own[2] = { NULL, NULL };
	size_t own_len[2];
	int f = c->pretty;

	if (!text) {
		text = own;
		len = own_len;
	}
	if (!text[f] && !(text[f] = json_out_line(o, f, &len[f])))
		stream_close(c->st, "out of memory");
	else
		stream_write(c->st, text[f], len[f]); /* past OUT_LIMIT the stream ends, logged */
	free(own[f]);
}

/* Called by the generated event_send_*(); takes event. One text per form, so every client sees
 * the same timestamp. */
void qmp_event_broadcast(json_object *event)
{
	char *text[2] = { NULL, NULL };
	size_t len[2];
	struct client *c;

	for (c = mon.clients; c; c = c->next) {
		if (c->s.negotiated)
			send_obj(c, event, text, len);
	}
	free(text[0]);
	free(text[1]);
	json_object_put(event);
}

static bool on_value(void *opaque, json_object *obj, const char *error)
{
	struct client *c = opaque;
	struct monitor_fds *prev;
	json_object *rsp;

	if (error) {
		rsp = qmp_error_response(ERROR_CLASS_GENERIC_ERROR, error);
	} else {
		prev = monitor_fds_enter(&c->fds);
		rsp = qmp_dispatch(&c->s, obj);
		monitor_fds_enter(prev);
	}
	json_object_put(obj);
	if (rsp)
		send_obj(c, rsp, NULL, NULL);
	json_object_put(rsp);
	/* one request at a time: the stream offers the rest when there is room for replies */
	return false;
}

/* What all clients hold of requests not yet complete. */
static size_t pending_input(void)
{
	const struct client *c;
	size_t n = 0;

	for (c = mon.clients; c; c = c->next)
		n += c->rd.in_value ? c->rd.bytes : 0;
	return n;
}

static size_t client_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct client *c = opaque;
	size_t n;

	if (pending_input() + len > IN_BUDGET) {
		stream_close(c->st, "the clients' unfinished requests exceed 128 MiB");
		return 0;
	}
	n = json_reader_feed(&c->rd, (const char *)buf, len, on_value, c);
	if (!n) /* a number or keyword that the chunk's first byte ended: now past it */
		n = json_reader_feed(&c->rd, (const char *)buf, len, on_value, c);
	return n;
}

static size_t client_room(void *opaque)
{
	struct client *c = opaque;

	return stream_queued(c->st) < OUT_PAUSE ? IN_SIZE : 0;
}

static void client_free(struct client *c)
{
	struct client **p;

	for (p = &mon.clients; *p != c; p = &(*p)->next)
		;
	*p = c->next;
	stream_free(c->st);
	json_reader_destroy(&c->rd);
	monitor_fds_release(&c->fds);
	listener_client_gone(c->l);
	free(c);
}

static void client_closed(void *opaque, const char *why)
{
	struct client *c = opaque;

	listener_client_dropped(c->l, why);
	client_free(c);
}

static const struct stream_ops client_ops = { .input = client_input,
					      .input_room = client_room,
					      .closed = client_closed,
					      .fds = monitor_fds_on_stream };
static const struct stream_config client_cfg = { .in_size = IN_SIZE,
						 .out_max = OUT_LIMIT,
						 .recv_fds = true };

static bool on_accept(void *opaque, int fd)
{
	struct client *c = calloc(1, sizeof(*c));

	if (c && json_reader_init(&c->rd))
		c->st = stream_new(mon.loop, fd, fd, &client_cfg, &client_ops, c);
	if (!c || !c->st) {
		fprintf(stderr, "tinyvmm: QMP client refused: out of memory\n");
		if (c)
			json_reader_destroy(&c->rd);
		free(c);
		close(fd);
		return false;
	}
	c->l = ((struct slot *)opaque)->l;
	c->pretty = ((struct slot *)opaque)->pretty;
	c->next = mon.clients;
	mon.clients = c;
	send_obj(c, mon.greeting, NULL, NULL);
	return true;
}

/* {"QMP": {"version": query-version's return, "capabilities": []}} */
static bool make_greeting(void)
{
	VersionInfo *v = qmp_query_version(NULL);
	json_object *qmp = json_object_new_object();

	mon.greeting = json_object_new_object();
	json_object_object_add(qmp, "version", v ? VersionInfo_to_json(v) : NULL);
	json_object_object_add(qmp, "capabilities", json_object_new_array());
	json_object_object_add(mon.greeting, "QMP", qmp);
	VersionInfo_free(v);
	return v && mon.greeting;
}

bool monitor_start(struct machine *m, const struct vm_config *cfg, struct mainloop *loop)
{
	static const struct listener_config lcfg = { .what = "QMP", .max_clients = MAX_CLIENTS };
	char err[256];
	int i;

	mon.m = m;
	mon.loop = loop;
	machine_add_listener(m, qmp_events_on_vm_event, NULL);
	if (!make_greeting()) {
		fprintf(stderr, "tinyvmm: -qmp: out of memory\n");
		return false;
	}
	if (!monitor_fdsets_add_inherited(cfg))
		return false;
	for (i = 0; i < cfg->nr_qmp; i++) {
		const struct chardev_spec *spec = &cfg->qmp[i];
		struct listener *l;

		if (spec->kind != CHR_UNIX && spec->kind != CHR_TCP) {
			fprintf(stderr, "tinyvmm: -qmp: only unix and tcp sockets are supported\n");
			return false;
		}
		/* clients find their listener in its slot */
		mon.listeners[mon.nr_listeners].pretty = spec->pretty;
		l = listener_open(loop, spec, &lcfg, on_accept, &mon.listeners[mon.nr_listeners],
				  err, sizeof(err));
		if (!l) {
			fprintf(stderr, "tinyvmm: -qmp: %s\n", err);
			return false;
		}
		mon.listeners[mon.nr_listeners++].l = l;
		if (spec->wait && !listener_wait(l))
			return false;
	}
	return true;
}

void monitor_shutdown(void)
{
	struct client *c;
	int i;

	if (mon.m)
		machine_remove_listener(mon.m, qmp_events_on_vm_event, NULL);
	for (i = 0; i < mon.nr_listeners; i++)
		listener_close(mon.listeners[i].l);
	mon.nr_listeners = 0;
	for (c = mon.clients; c; c = c->next) {
		c->l = NULL;
		stream_shutdown(c->st);
	}
}

bool monitor_flushed(void)
{
	return !mon.clients;
}

void monitor_stop(void)
{
	monitor_shutdown();
	while (mon.clients)
		client_free(mon.clients);
	json_object_put(mon.greeting);
	mon.greeting = NULL;
	mon.m = NULL;
	monitor_fdsets_free();
}
