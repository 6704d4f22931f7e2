/* The QMP server: listeners and clients on the main loop, per-client reader and bounded output
 * queue. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "monitor/json-out.h"
#include "monitor/json-reader.h"
#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "vmm/config.h"
#include "vmm/mainloop.h"
#include "vmm/socket.h"

#define IN_SIZE	      (256u << 10) /* one read() */
#define OUT_PAUSE     (1u << 20)   /* stop reading a client's requests while this much is unsent */
#define OUT_LIMIT     (16u << 20)  /* past this much unsent output a client is dropped */
#define ACCEPT_BATCH  16	   /* accept()s per wake-up of a listener */
#define STOP_FLUSH_MS 2000	   /* how long monitor_stop() tries to deliver the last replies */

struct listener {
	const struct chardev_spec *spec;
	int fd;
	struct watch *w;
	bool paused; /* out of file descriptors: accept later */
	char name[160];
};

struct client {
	struct client *next;
	struct listener *l;
	int fd;
	struct watch *w;
	uint32_t events;
	struct json_reader rd;
	struct qmp_session s;
	char *in;
	size_t in_pos, in_len;
	struct outbuf out;
	size_t out_head;
	bool eof, dead, batching;
};

static struct {
	struct machine *m;
	struct mainloop *loop;
	struct listener listeners[CONFIG_MAX_MONITORS];
	int nr_listeners;
	struct client *clients;
	int busy; /* inside a callback: dead clients are freed on the way out */
	bool quitting;
	char *greeting;
	size_t greeting_len;
} mon;

struct machine *monitor_machine(void)
{
	return mon.m;
}

static size_t queued(const struct client *c)
{
	return c->out.len - c->out_head;
}

static void client_kill(struct client *c, const char *why)
{
	struct listener *l;

	if (c->dead)
		return;
	if (why)
		fprintf(stderr, "tinyvmm: QMP client on %s dropped: %s\n", c->l->name, why);
	c->dead = true;
	mainloop_remove(mon.loop, c->w);
	close(c->fd);
	c->fd = -1;
	for (l = mon.listeners; l < mon.listeners + mon.nr_listeners; l++) {
		if (l->paused && mainloop_modify(mon.loop, l->w, EPOLLIN) == 0)
			l->paused = false;
	}
}

static void reap(void)
{
	struct client **p = &mon.clients;

	if (mon.busy)
		return;
	while (*p) {
		struct client *c = *p;

		if (!c->dead) {
			p = &c->next;
			continue;
		}
		*p = c->next;
		json_reader_destroy(&c->rd);
		outbuf_free(&c->out);
		free(c->in);
		free(c);
	}
}

/* Writes what the socket takes now; never blocks. */
static void flush(struct client *c)
{
	while (!c->dead && queued(c)) {
		ssize_t n = send(c->fd, c->out.data + c->out_head, queued(c), MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_kill(c, NULL); /* the peer went away */
			return;
		}
		c->out_head += (size_t)n;
	}
	if (c->out_head == c->out.len) {
		c->out_head = c->out.len = 0;
	} else if (c->out_head > c->out.len / 2) {
		memmove(c->out.data, c->out.data + c->out_head, queued(c));
		c->out.len -= c->out_head;
		c->out_head = 0;
	}
}

static void send_line(struct client *c, const char *line, size_t len)
{
	if (c->dead)
		return;
	if (queued(c) + len > OUT_LIMIT) {
		client_kill(c, "more than 16 MiB of output unread");
		return;
	}
	outbuf_append(&c->out, line, len);
	if (c->out.failed) {
		client_kill(c, "out of memory");
		return;
	}
	if (!c->batching)
		flush(c);
}

static void send_obj(struct client *c, json_object *o)
{
	size_t len;
	char *line = json_out_line(o, &len);

	if (!line) {
		client_kill(c, "out of memory");
		return;
	}
	send_line(c, line, len);
	free(line);
}

void qmp_server_broadcast(const char *line, size_t len)
{
	struct client *c;

	for (c = mon.clients; c; c = c->next) {
		if (c->s.negotiated)
			send_line(c, line, len);
	}
	reap();
}

void qmp_server_quitting(void)
{
	mon.quitting = true;
}

/* Epoll interest: input while requests may be read, output while replies wait. */
static void update_events(struct client *c)
{
	uint32_t want = 0;

	if (c->dead)
		return;
	if (!c->eof && !mon.quitting && c->in_pos == c->in_len && queued(c) < OUT_PAUSE)
		want |= EPOLLIN;
	if (queued(c))
		want |= EPOLLOUT;
	if (want != c->events && mainloop_modify(mon.loop, c->w, want) == 0)
		c->events = want;
}

static bool on_value(void *opaque, json_object *obj, const char *error)
{
	struct client *c = opaque;
	json_object *rsp;

	if (c->dead || mon.quitting) {
		json_object_put(obj);
		return false;
	}
	if (error)
		rsp = qmp_error_response(ERROR_CLASS_GENERIC_ERROR, error);
	else
		rsp = qmp_dispatch(&c->s, obj);
	json_object_put(obj);
	if (rsp)
		send_obj(c, rsp);
	json_object_put(rsp);
	return !c->dead && !mon.quitting && queued(c) < OUT_PAUSE;
}

/* Runs the buffered requests, as far as the output queue allows. */
static void process_input(struct client *c)
{
	c->batching = true;
	while (!c->dead && !mon.quitting && c->in_pos < c->in_len && queued(c) < OUT_PAUSE)
		c->in_pos += json_reader_feed(&c->rd, c->in + c->in_pos, c->in_len - c->in_pos,
					      on_value, c);
	c->batching = false;
	if (mon.quitting)
		c->in_pos = c->in_len;
	flush(c);
}

static void on_client(int fd, uint32_t events, void *opaque)
{
	struct client *c = opaque;
	ssize_t n;

	mon.busy++;
	if ((events & EPOLLOUT) && !c->dead) {
		flush(c);
		if (queued(c) < OUT_PAUSE)
			process_input(c);
	}
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->dead && c->in_pos == c->in_len &&
	    !c->eof) {
		n = read(fd, c->in, IN_SIZE);
		if (n > 0) {
			c->in_pos = 0;
			c->in_len = (size_t)n;
			process_input(c);
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			c->eof = true;
		}
	} else if ((events & (EPOLLHUP | EPOLLERR)) && !c->dead) {
		flush(c); /* fails if the peer is gone for good */
	}
	/* at EOF: the replies already due still go out (socat waits for them), then close */
	if (!c->dead && c->eof && (c->in_pos == c->in_len || mon.quitting) && !queued(c))
		client_kill(c, NULL);
	update_events(c);
	mon.busy--;
	reap();
}

static void client_new(struct listener *l, int fd)
{
	struct client *c = calloc(1, sizeof(*c));

	if (!c || !(c->in = malloc(IN_SIZE)) || !json_reader_init(&c->rd)) {
		fprintf(stderr, "tinyvmm: QMP client on %s refused: out of memory\n", l->name);
		goto fail;
	}
	c->l = l;
	c->fd = fd;
	c->events = EPOLLIN;
	c->w = mainloop_add_fd(mon.loop, fd, EPOLLIN, on_client, c);
	if (!c->w) {
		fprintf(stderr, "tinyvmm: QMP client on %s refused: %s\n", l->name,
			strerror(errno));
		goto fail;
	}
	c->next = mon.clients;
	mon.clients = c;
	send_line(c, mon.greeting, mon.greeting_len);
	update_events(c);
	return;
fail:
	if (c) {
		json_reader_destroy(&c->rd);
		free(c->in);
	}
	free(c);
	close(fd);
}

static void on_listener(int fd, uint32_t events, void *opaque)
{
	struct listener *l = opaque;
	int cfd = -1, n;

	mon.busy++;
	/* a few at a time: clients that connect and vanish are reaped between batches */
	for (n = 0; n < ACCEPT_BATCH && (cfd = socket_accept(fd)) >= 0; n++)
		client_new(l, cfd);
	if (n < ACCEPT_BATCH &&
	    (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)) {
		fprintf(stderr,
			"tinyvmm: QMP on %s: cannot accept: %s (retrying when a client leaves)\n",
			l->name, strerror(errno));
		if (mainloop_modify(mon.loop, l->w, 0) == 0)
			l->paused = true;
	}
	mon.busy--;
	reap();
}

/* wait=on: blocks start-up until a client connects, as QEMU does. */
static bool wait_for_client(struct listener *l)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	sigset_t pending;
	int cfd;

	fprintf(stderr, "tinyvmm: waiting for a QMP connection on %s\n", l->name);
	for (;;) {
		if (poll(&pfd, 1, 100) > 0) {
			cfd = socket_accept(l->fd);
			if (cfd >= 0) {
				client_new(l, cfd);
				return true;
			}
		}
		/* signals go to the main loop's signalfd, which is not running yet */
		sigemptyset(&pending);
		if (sigpending(&pending) == 0 &&
		    (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
		     sigismember(&pending, SIGHUP))) {
			fprintf(stderr,
				"tinyvmm: terminating on signal while waiting for a client\n");
			return false;
		}
	}
}

static bool make_greeting(void)
{
	json_object *g = json_object_new_object(), *qmp = json_object_new_object();

	json_object_object_add(qmp, "version", qmp_version_json());
	json_object_object_add(qmp, "capabilities", json_object_new_array());
	json_object_object_add(g, "QMP", qmp);
	mon.greeting = json_out_line(g, &mon.greeting_len);
	json_object_put(g);
	return mon.greeting != NULL;
}

bool monitor_start(struct machine *m, const struct vm_config *cfg, struct mainloop *loop)
{
	char err[256];
	int i;

	mon.m = m;
	mon.loop = loop;
	machine_add_listener(m, qmp_events_on_vm_event, NULL);
	if (!make_greeting()) {
		fprintf(stderr, "tinyvmm: -qmp: out of memory\n");
		return false;
	}
	for (i = 0; i < cfg->nr_qmp; i++) {
		struct listener *l = &mon.listeners[mon.nr_listeners];

		l->spec = &cfg->qmp[i];
		socket_describe(l->spec, l->name, sizeof(l->name));
		if ((l->spec->kind != CHR_UNIX && l->spec->kind != CHR_TCP) || !l->spec->server) {
			fprintf(stderr,
				"tinyvmm: -qmp %s: only unix and tcp servers (server=on) "
				"are supported\n",
				l->name);
			return false;
		}
		l->fd = socket_listen(l->spec, err, sizeof(err));
		if (l->fd < 0) {
			fprintf(stderr, "tinyvmm: -qmp: %s\n", err);
			return false;
		}
		mon.nr_listeners++;
		l->w = mainloop_add_fd(loop, l->fd, EPOLLIN, on_listener, l);
		if (!l->w) {
			fprintf(stderr, "tinyvmm: -qmp %s: %s\n", l->name, strerror(errno));
			return false;
		}
		if (l->spec->wait && !wait_for_client(l))
			return false;
	}
	return true;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Delivers what is queued, waiting at most STOP_FLUSH_MS in all. */
static void flush_all(void)
{
	long long end = now_ms() + STOP_FLUSH_MS;
	struct pollfd pfd;
	struct client *c;

	for (c = mon.clients; c; c = c->next) {
		while (!c->dead && queued(c) && now_ms() < end) {
			pfd.fd = c->fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, (int)(end - now_ms())) > 0)
				flush(c);
		}
	}
}

void monitor_stop(void)
{
	struct client *c;
	char junk[4096];
	int i;

	if (mon.m)
		machine_remove_listener(mon.m, qmp_events_on_vm_event, NULL);
	flush_all();
	for (c = mon.clients; c; c = c->next) {
		if (c->dead)
			continue;
		/* EOF for the client; unread input would make close() reset the connection */
		shutdown(c->fd, SHUT_WR);
		while (read(c->fd, junk, sizeof(junk)) > 0)
			;
		client_kill(c, NULL);
	}
	reap();
	for (i = 0; i < mon.nr_listeners; i++) {
		mainloop_remove(mon.loop, mon.listeners[i].w);
		close(mon.listeners[i].fd);
		socket_cleanup(mon.listeners[i].spec);
	}
	mon.nr_listeners = 0;
	free(mon.greeting);
	mon.greeting = NULL;
	mon.m = NULL;
}
