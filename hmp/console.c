/* Socket consoles (-monitor unix:/tcp:): text lines, several clients at once, each a stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hmp/hmp-int.h"
#include "monitor/fds.h"
#include "vmm/listener.h"
#include "vmm/stream.h"

#define CONSOLE_MAX_CLIENTS 16
#define CONSOLE_OUT_PAUSE   (1u << 20)	/* stop reading lines while this much output is unsent */
#define CONSOLE_OUT_MAX	    (16u << 20) /* a client that lets more pile up is dropped */

struct client {
	struct monitor_fds fds; /* first: see monitor_fds_on_stream() */
	struct client *next;
	struct hmp_server *srv;
	struct stream *st;
	struct hmp_session session;
	char line[HMP_LINE_MAX + 1];
	size_t len;
	bool too_long; /* discarding up to the next newline */
	bool skip_lf;  /* the last byte was '\r' */
};

struct hmp_server {
	struct mainloop *loop;
	struct listener *l;
	struct client *clients;
};

static void puts_client(struct client *c, const char *s)
{
	stream_write(c->st, s, strlen(s));
}

static void run_line(struct client *c)
{
	struct monitor_fds *prev;
	char *text;

	if (c->too_long) {
		c->too_long = false;
		puts_client(c, HMP_TOO_LONG HMP_PROMPT);
		return;
	}
	c->line[c->len] = '\0';
	c->len = 0;
	prev = monitor_fds_enter(&c->fds);
	text = hmp_session_run(&c->session, c->line);
	monitor_fds_enter(prev);
	if (text)
		puts_client(c, text);
	puts_client(c, HMP_PROMPT);
	free(text);
}

/* Takes bytes up to the end of the first complete line (the next waits for room). */
static size_t client_input(void *opaque, const uint8_t *buf, size_t n)
{
	struct client *c = opaque;
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = (char)buf[i];

		if (ch == '\n' && c->skip_lf) {
			c->skip_lf = false;
			continue;
		}
		c->skip_lf = ch == '\r';
		if (ch == '\n' || ch == '\r') {
			run_line(c);
			return i + 1;
		} else if (c->too_long) {
			continue; /* the rest of an over-long line */
		} else if (c->len < HMP_LINE_MAX) {
			c->line[c->len++] = ch;
		} else {
			c->too_long = true;
			c->len = 0;
		}
	}
	return n;
}

static size_t client_room(void *opaque)
{
	struct client *c = opaque;

	return stream_queued(c->st) < CONSOLE_OUT_PAUSE ? HMP_LINE_MAX + 1 : 0;
}

static void client_free(struct client *c)
{
	struct client **p;

	for (p = &c->srv->clients; *p != c; p = &(*p)->next)
		;
	*p = c->next;
	stream_free(c->st);
	monitor_fds_release(&c->fds);
	listener_client_gone(c->srv->l);
	free(c);
}

static void client_closed(void *opaque, const char *why)
{
	struct client *c = opaque;

	listener_client_dropped(c->srv->l, why);
	client_free(c);
}

static const struct stream_ops client_ops = { .input = client_input,
					      .input_room = client_room,
					      .closed = client_closed,
					      .fds = monitor_fds_on_stream };
static const struct stream_config client_cfg = { .in_size = 4096,
						 .out_max = CONSOLE_OUT_MAX,
						 .recv_fds = true };

static bool on_accept(void *opaque, int fd)
{
	struct hmp_server *srv = opaque;
	struct client *c = calloc(1, sizeof(*c));

	if (c)
		c->st = stream_new(srv->loop, fd, fd, &client_cfg, &client_ops, c);
	if (!c || !c->st) {
		fprintf(stderr, "tinyvmm: monitor client refused: out of memory\n");
		free(c);
		close(fd);
		return false;
	}
	c->srv = srv;
	c->next = srv->clients;
	srv->clients = c;
	puts_client(c, HMP_BANNER HMP_PROMPT);
	return true;
}

struct hmp_server *hmp_server_new(const struct chardev_spec *spec, struct mainloop *loop)
{
	static const struct listener_config lcfg = { .what = "HMP",
						     .max_clients = CONSOLE_MAX_CLIENTS };
	struct hmp_server *srv = calloc(1, sizeof(*srv));
	char err[256];

	if (!srv)
		return NULL;
	srv->loop = loop;
	srv->l = listener_open(loop, spec, &lcfg, on_accept, srv, err, sizeof(err));
	if (!srv->l) {
		fprintf(stderr, "tinyvmm: -monitor: %s\n", err);
		free(srv);
		return NULL;
	}
	if (spec->wait && !listener_wait(srv->l)) { /* as QEMU without wait=off */
		hmp_server_free(srv);
		return NULL;
	}
	return srv;
}

void hmp_server_shutdown(struct hmp_server *srv)
{
	struct client *c;

	listener_close(srv->l); /* no new client now */
	srv->l = NULL;
	for (c = srv->clients; c; c = c->next)
		stream_shutdown(c->st);
}

bool hmp_server_flushed(const struct hmp_server *srv)
{
	return !srv->clients;
}

void hmp_server_free(struct hmp_server *srv)
{
	while (srv->clients)
		client_free(srv->clients);
	listener_close(srv->l);
	free(srv);
}
