/* LibVMI's pmemaccess protocol: a unix-socket server for guest-physical memory reads and writes. */
#include "monitor/pmemaccess.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vmm/guest-mem.h"
#include "vmm/machine.h"
#include "vmm/mainloop.h"
#include "vmm/socket.h"

/*
 * Why the main loop and not a thread: a request is a pointer into RAM and one writev, so
 * the work is tiny and the big lock the main loop already holds costs nothing extra (a
 * thread would take and drop it per request, contending with the vCPUs' device exits and
 * the monitor). Every socket is non-blocking; each client is a small state machine:
 *
 *   header: one read() per wakeup into a 64 KiB buffer (pipelined headers are served
 *           from it); type 1 queues a reply, type 2 moves to "payload", 0 closes;
 *   payload: bytes go from the buffer, then straight from the socket, into guest RAM
 *           (or are discarded when the range is not RAM or too long), then a status reply;
 *   reply: data straight from guest RAM (or from a zero page) and the status byte, in one
 *           writev; while the socket is full the client waits for EPOLLOUT and is not read,
 *           so a client that does not read its replies costs no memory.
 *
 * Unknown types get one status byte 0 and nothing else; reads longer than
 * PMEMACCESS_MAX_LEN get one status byte 0 and no data (they cannot be answered in full).
 */

#define INBUF_SIZE  (64 * 1024)
#define MAX_CLIENTS 64

struct pma_server;

struct pma_client {
	struct pma_server *srv;
	struct pma_client *next;
	int fd;
	struct watch *watch;
	uint32_t events;
	/* input buffer: bytes [in_pos, in_len) are unread */
	uint8_t *in;
	size_t in_pos, in_len;
	/* a write request's payload still to come: into wr_dst, or discarded if NULL */
	uint64_t wr_left;
	uint8_t *wr_dst;
	uint8_t wr_status;
	/* the reply being sent: out_left bytes of out_data (zeros if NULL), then the status */
	const uint8_t *out_data;
	uint64_t out_left;
	bool out_status_pending;
	uint8_t out_status;
};

struct pma_server {
	struct pma_server *next;
	struct machine *m;
	struct chardev_spec spec;
	int fd;
	struct watch *watch;
	struct pma_client *clients;
	int nr_clients;
};

static struct pma_server *servers;
static bool atexit_done;
static const uint8_t zeros[64 * 1024];

static void client_free(struct pma_client *c, bool unwatch)
{
	struct pma_client **pp;

	for (pp = &c->srv->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	c->srv->nr_clients--;
	if (unwatch && c->watch)
		mainloop_remove(c->srv->m->loop, c->watch);
	close(c->fd);
	free(c->in);
	free(c);
}

/* Sends what the socket takes of the pending reply; false when it must wait (or failed). */
static bool flush_reply(struct pma_client *c, bool *dead)
{
	struct iovec iov[2];
	ssize_t n;
	int cnt;

	while (c->out_left || c->out_status_pending) {
		cnt = 0;
		if (c->out_left) {
			size_t len = c->out_data ? c->out_left : sizeof(zeros);

			if (len > c->out_left)
				len = c->out_left;
			iov[cnt].iov_base = (void *)(c->out_data ? c->out_data : zeros);
			iov[cnt++].iov_len = len;
		}
		if (c->out_status_pending &&
		    (!c->out_left || c->out_data || c->out_left <= sizeof(zeros))) {
			iov[cnt].iov_base = &c->out_status;
			iov[cnt++].iov_len = 1;
		}
		n = writev(c->fd, iov, cnt);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				*dead = true;
			return false;
		}
		if ((uint64_t)n >= c->out_left) {
			n -= (ssize_t)c->out_left;
			c->out_left = 0;
			if (n > 0)
				c->out_status_pending = false;
		} else {
			c->out_left -= (uint64_t)n;
			if (c->out_data)
				c->out_data += n;
		}
	}
	return true;
}

static void queue_reply(struct pma_client *c, const uint8_t *data, uint64_t len, uint8_t status)
{
	c->out_data = data;
	c->out_left = len;
	c->out_status = status;
	c->out_status_pending = true;
}

/* Starts serving one request header; false when the client asked to quit. */
static bool start_request(struct pma_client *c, const struct pmemaccess_request *req)
{
	const struct guest_mem *gm = &c->srv->m->mem;
	uint8_t *p;

	switch (req->type) {
	case PMEMACCESS_QUIT:
		return false;
	case PMEMACCESS_READ:
		if (req->length > PMEMACCESS_MAX_LEN) {
			queue_reply(c, NULL, 0, 0);
			break;
		}
		p = guest_mem_ptr(gm, req->address, req->length);
		queue_reply(c, p, req->length, p != NULL);
		break;
	case PMEMACCESS_WRITE:
		p = NULL;
		if (req->length <= PMEMACCESS_MAX_LEN)
			p = guest_mem_ptr(gm, req->address, req->length);
		c->wr_dst = p;
		c->wr_left = req->length;
		c->wr_status = p != NULL;
		if (!c->wr_left)
			queue_reply(c, NULL, 0, c->wr_status);
		break;
	default:
		queue_reply(c, NULL, 0, 0);
		break;
	}
	return true;
}

/* Consumes write payload bytes from buf; returns how many were used. */
static size_t take_payload(struct pma_client *c, const uint8_t *buf, size_t len)
{
	size_t n = len < c->wr_left ? len : (size_t)c->wr_left;

	if (c->wr_dst) {
		memcpy(c->wr_dst, buf, n);
		c->wr_dst += n;
	}
	c->wr_left -= n;
	if (!c->wr_left)
		queue_reply(c, NULL, 0, c->wr_status);
	return n;
}

/* Serves buffered input until a reply blocks or the buffer runs dry; false to close. */
static bool serve_buffered(struct pma_client *c, bool *dead)
{
	struct pmemaccess_request req;

	for (;;) {
		if ((c->out_left || c->out_status_pending) && !flush_reply(c, dead))
			return !*dead;
		if (c->wr_left) {
			if (c->in_pos == c->in_len)
				return true;
			c->in_pos += take_payload(c, c->in + c->in_pos, c->in_len - c->in_pos);
			continue;
		}
		if (c->in_len - c->in_pos < sizeof(req))
			return true;
		memcpy(&req, c->in + c->in_pos, sizeof(req));
		c->in_pos += sizeof(req);
		if (!start_request(c, &req))
			return false;
	}
}

/* One read() from the socket: into guest RAM for a long payload, else into the buffer. */
static ssize_t read_input(struct pma_client *c)
{
	ssize_t n;

	if (c->in_pos == c->in_len)
		c->in_pos = c->in_len = 0;
	if (c->wr_left && c->in_pos == c->in_len && c->wr_left >= INBUF_SIZE && c->wr_dst) {
		size_t want = c->wr_left > (1 << 30) ? (1 << 30) : (size_t)c->wr_left;

		n = read(c->fd, c->wr_dst, want);
		if (n > 0) {
			c->wr_dst += n;
			c->wr_left -= (uint64_t)n;
			if (!c->wr_left)
				queue_reply(c, NULL, 0, c->wr_status);
		}
		return n;
	}
	if (c->in_pos > 0 && INBUF_SIZE - c->in_len < sizeof(struct pmemaccess_request)) {
		memmove(c->in, c->in + c->in_pos, c->in_len - c->in_pos);
		c->in_len -= c->in_pos;
		c->in_pos = 0;
	}
	n = read(c->fd, c->in + c->in_len, INBUF_SIZE - c->in_len);
	if (n > 0)
		c->in_len += (size_t)n;
	return n;
}

static void set_events(struct pma_client *c, uint32_t events)
{
	if (c->events != events && mainloop_modify(c->srv->m->loop, c->watch, events) == 0)
		c->events = events;
}

static void on_client(int fd, uint32_t events, void *opaque)
{
	struct pma_client *c = opaque;
	bool dead = false;
	ssize_t n;

	if (c->out_left || c->out_status_pending) {
		/* EPOLLOUT: finish the reply, then serve what is already buffered */
		if (!serve_buffered(c, &dead))
			goto close;
	} else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		n = read_input(c);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			goto close;
		if (!serve_buffered(c, &dead))
			goto close;
	}
	set_events(c, (c->out_left || c->out_status_pending) ? EPOLLOUT : EPOLLIN);
	return;
close:
	client_free(c, true);
}

static void on_accept(int fd, uint32_t events, void *opaque)
{
	struct pma_server *s = opaque;
	struct pma_client *c;
	int cfd = socket_accept(fd);

	if (cfd < 0)
		return;
	if (s->nr_clients >= MAX_CLIENTS) {
		close(cfd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c)
		c->in = malloc(INBUF_SIZE);
	if (!c || !c->in) {
		if (c)
			free(c);
		close(cfd);
		return;
	}
	c->srv = s;
	c->fd = cfd;
	c->events = EPOLLIN;
	c->watch = mainloop_add_fd(s->m->loop, cfd, EPOLLIN, on_client, c);
	if (!c->watch) {
		free(c->in);
		free(c);
		close(cfd);
		return;
	}
	c->next = s->clients;
	s->clients = c;
	s->nr_clients++;
}

/* Closes everything; unwatch is false at exit, when the main loop (and its watches) is gone. */
static void stop_all(bool unwatch)
{
	struct pma_server *s;

	while ((s = servers)) {
		servers = s->next;
		while (s->clients)
			client_free(s->clients, unwatch);
		if (unwatch)
			mainloop_remove(s->m->loop, s->watch);
		close(s->fd);
		socket_cleanup(&s->spec);
		free(s);
	}
}

static void at_exit(void)
{
	stop_all(false);
}

bool pmemaccess_start(struct machine *m, const char *path, Error **errp)
{
	struct pma_server *s;
	char err[256];

	if (!path[0] || strlen(path) >= sizeof(s->spec.path)) {
		error_setg(errp, "Invalid socket path '%s'", path);
		return false;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		error_setg(errp, "Out of memory");
		return false;
	}
	s->m = m;
	s->spec.kind = CHR_UNIX;
	s->spec.server = true;
	memcpy(s->spec.path, path, strlen(path) + 1);
	s->fd = socket_listen(&s->spec, err, sizeof(err));
	if (s->fd < 0) {
		error_setg(errp, "pmemaccess: %s", err);
		free(s);
		return false;
	}
	s->watch = mainloop_add_fd(m->loop, s->fd, EPOLLIN, on_accept, s);
	if (!s->watch) {
		error_setg_errno(errp, errno, "pmemaccess: cannot watch '%s'", path);
		close(s->fd);
		socket_cleanup(&s->spec);
		free(s);
		return false;
	}
	if (!atexit_done && atexit(at_exit) == 0)
		atexit_done = true;
	s->next = servers;
	servers = s;
	return true;
}

void pmemaccess_stop_all(void)
{
	stop_all(true);
}
