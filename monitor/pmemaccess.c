/* LibVMI's pmemaccess protocol: a unix-socket server for guest-physical memory reads and writes. */
#include "monitor/pmemaccess.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "monitor/monitor.h"
#include "qapi-commands.h"
#include "vmm/guest-mem.h"
#include "vmm/machine.h"
#include "vmm/listener.h"

/*
 * The listening socket is watched by the main loop; each client it accepts is served by a
 * thread of its own with blocking I/O, as QEMU's original pmemaccess patch did. LibVMI sends
 * one request and waits for its answer, so what counts is the round trip: here a request
 * costs one read() and one sendmsg() straight from guest RAM, with no epoll round and no big
 * lock. Pipelined requests are read together into a 64 KiB buffer, and the replies to all
 * the reads among them go out in one sendmsg().
 *
 * The threads never take the big lock. They only read the RAM region table, which is fixed
 * once the machine is created, and guest RAM, which stays mapped until introspection_stop()
 * has joined them (machine_destroy() comes after). Bytes racing with a running vCPU are what
 * a LibVMI client gets from QEMU too.
 *
 * Only the main thread (or the exit handler) touches the lists, and a socket is closed only
 * after its thread has been joined, so a descriptor number is never reused under a thread.
 */

#define INBUF_SIZE  (64 * 1024)
#define MAX_CLIENTS 64
#define MAX_BATCH   64 /* replies sent in one sendmsg */

struct pma_server;

struct pma_client {
	struct pma_client *next;
	const struct guest_mem *mem;
	int fd;
	pthread_t thread;
	atomic_bool done;
	/* input buffer: bytes [in_pos, in_len) are unread */
	size_t in_pos, in_len;
	uint8_t in[INBUF_SIZE];
};

struct pma_server {
	struct pma_server *next;
	struct machine *m;
	struct listener *l;
	struct pma_client *clients;
	int nr_clients;
};

static struct pma_server *servers;
static const uint8_t zeros[64 * 1024];

/* Sends every byte of iov[0..cnt) (which it advances); false when the socket failed. */
static bool send_all(int fd, struct iovec *iov, int cnt)
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)cnt };
	ssize_t n;

	while (mh.msg_iovlen > 0) {
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		while (mh.msg_iovlen > 0 && (size_t)n >= mh.msg_iov->iov_len) {
			n -= (ssize_t)mh.msg_iov->iov_len;
			mh.msg_iov++;
			mh.msg_iovlen--;
		}
		if (mh.msg_iovlen > 0) {
			mh.msg_iov->iov_base = (uint8_t *)mh.msg_iov->iov_base + n;
			mh.msg_iov->iov_len -= (size_t)n;
		}
	}
	return true;
}

/* Sends len bytes of data (zeros if NULL) and the status byte, in one sendmsg when it can. */
static bool reply(int fd, const uint8_t *data, uint64_t len, uint8_t status)
{
	struct iovec iov[2];
	size_t n;

	do {
		n = data || len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		iov[0].iov_base = (void *)(data ? data : zeros);
		iov[0].iov_len = n;
		len -= n;
		if (data)
			data += n;
		iov[1].iov_base = &status;
		iov[1].iov_len = 1;
		if (!send_all(fd, iov, len ? 1 : 2))
			return false;
	} while (len);
	return true;
}

/* One read() into the buffer (compacted first when little room is left); false at EOF/error. */
static bool fill(struct pma_client *c)
{
	ssize_t n;

	if (c->in_pos == c->in_len) {
		c->in_pos = c->in_len = 0;
	} else if (INBUF_SIZE - c->in_len < sizeof(struct pmemaccess_request)) {
		memmove(c->in, c->in + c->in_pos, c->in_len - c->in_pos);
		c->in_len -= c->in_pos;
		c->in_pos = 0;
	}
	do
		n = read(c->fd, c->in + c->in_len, INBUF_SIZE - c->in_len);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return false;
	c->in_len += (size_t)n;
	return true;
}

/* Takes a write's left payload bytes: into dst, or discarded if NULL; false at EOF/error. */
static bool take_payload(struct pma_client *c, uint8_t *dst, uint64_t left)
{
	size_t n;
	ssize_t r;

	while (left > 0) {
		if (c->in_pos == c->in_len && dst && left >= INBUF_SIZE) {
			/* a long payload: straight from the socket into RAM */
			r = read(c->fd, dst, left > (1 << 30) ? (1 << 30) : (size_t)left);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return false;
			dst += r;
			left -= (uint64_t)r;
			continue;
		}
		if (c->in_pos == c->in_len && !fill(c))
			return false;
		n = c->in_len - c->in_pos;
		if (n > left)
			n = (size_t)left;
		if (dst) {
			memcpy(dst, c->in + c->in_pos, n);
			dst += n;
		}
		c->in_pos += n;
		left -= n;
	}
	return true;
}

/*
 * Adds the reply to a read of RAM (or one too long, or of an unknown type: the status byte 0
 * alone) to iov[*cnt...], its status byte in *status. False for what batch_reply() leaves to
 * serve(): quit, writes and reads of what is not RAM (answered with zeros).
 */
static bool batch_reply(struct pma_client *c, const struct pmemaccess_request *req,
			struct iovec *iov, int *cnt, uint8_t *status)
{
	uint8_t *p = NULL;

	if (req->type == PMEMACCESS_QUIT || req->type == PMEMACCESS_WRITE)
		return false;
	if (req->type == PMEMACCESS_READ && req->length <= PMEMACCESS_MAX_LEN) {
		p = guest_mem_ptr(c->mem, req->address, req->length);
		if (!p && req->length)
			return false;
		if (req->length)
			iov[(*cnt)++] = (struct iovec){ p, (size_t)req->length };
	}
	*status = p != NULL;
	iov[(*cnt)++] = (struct iovec){ status, 1 };
	return true;
}

/* Serves a request batch_reply() does not; false when the connection ends (quit, EOF, error). */
static bool serve(struct pma_client *c, const struct pmemaccess_request *req)
{
	uint8_t *p = NULL;

	if (req->type == PMEMACCESS_READ)
		return reply(c->fd, NULL, req->length, 0);
	if (req->type != PMEMACCESS_WRITE)
		return false;
	if (req->length <= PMEMACCESS_MAX_LEN)
		p = guest_mem_ptr(c->mem, req->address, req->length);
	return take_payload(c, p, req->length) && reply(c->fd, NULL, 0, p != NULL);
}

static void *client_thread(void *opaque)
{
	struct pma_client *c = opaque;
	struct pmemaccess_request req;
	struct iovec iov[2 * MAX_BATCH];
	uint8_t status[MAX_BATCH];
	int cnt, n;

	for (;;) {
		while (c->in_len - c->in_pos < sizeof(req)) {
			if (!fill(c))
				goto out;
		}
		/* the replies to all the reads already buffered go in one sendmsg */
		for (cnt = 0, n = 0; n < MAX_BATCH && c->in_len - c->in_pos >= sizeof(req); n++) {
			memcpy(&req, c->in + c->in_pos, sizeof(req));
			if (!batch_reply(c, &req, iov, &cnt, &status[n]))
				break;
			c->in_pos += sizeof(req);
		}
		if (cnt) {
			if (!send_all(c->fd, iov, cnt))
				break;
			continue;
		}
		c->in_pos += sizeof(req);
		if (!serve(c, &req))
			break;
	}
out:
	shutdown(c->fd, SHUT_RDWR); /* the client sees the end now, not when we are joined */
	atomic_store(&c->done, true);
	return NULL;
}

/* Ends one client: wakes its thread (if it still runs), joins it, closes the socket. */
static void client_free(struct pma_server *s, struct pma_client **pp)
{
	struct pma_client *c = *pp;

	*pp = c->next;
	s->nr_clients--;
	shutdown(c->fd, SHUT_RDWR);
	pthread_join(c->thread, NULL);
	close(c->fd);
	free(c);
}

/* Joins the threads whose clients have gone. */
static void reap(struct pma_server *s)
{
	struct pma_client **pp = &s->clients;

	while (*pp) {
		if (atomic_load(&(*pp)->done))
			client_free(s, pp);
		else
			pp = &(*pp)->next;
	}
}

/* Starts the thread with every signal blocked: they are the main thread's and the vCPUs'. */
static bool start_thread(struct pma_client *c)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&c->thread, NULL, client_thread, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err == 0;
}

/* A client is refused (and closed) when MAX_CLIENTS are served, counting only live ones. */
static bool on_accept(void *opaque, int cfd)
{
	struct pma_server *s = opaque;
	struct pma_client *c;

	reap(s);
	c = s->nr_clients < MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
	if (c) {
		c->mem = &s->m->mem;
		c->fd = cfd;
	}
	if (!c || fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) & ~O_NONBLOCK) < 0 || !start_thread(c)) {
		free(c);
		close(cfd);
		return false;
	}
	c->next = s->clients;
	s->clients = c;
	s->nr_clients++;
	return true;
}

void qmp_pmemaccess(const char *path, Error **errp)
{
	/* the count that matters is MAX_CLIENTS of live ones, kept above */
	static const struct listener_config lcfg = { .what = "pmemaccess", .max_clients = INT_MAX };
	struct chardev_spec spec = { .kind = CHR_UNIX, .server = true, .fd = -1 };
	struct machine *m = monitor_machine();
	struct pma_server *s;
	char err[256];

	if (!path[0] || strlen(path) >= sizeof(spec.path)) {
		error_setg(errp, "Invalid socket path '%s'", path);
		return;
	}
	s = zalloc(sizeof(*s), errp);
	if (!s)
		return;
	s->m = m;
	memcpy(spec.path, path, strlen(path) + 1);
	s->l = listener_open(m->loop, &spec, &lcfg, on_accept, s, err, sizeof(err));
	if (!s->l) {
		error_setg(errp, "pmemaccess: %s", err);
		free(s);
		return;
	}
	s->next = servers;
	servers = s;
}

void pmemaccess_stop_all(void)
{
	struct pma_server *s;

	while ((s = servers)) {
		servers = s->next;
		while (s->clients)
			client_free(s, &s->clients);
		listener_close(s->l);
		free(s);
	}
}
