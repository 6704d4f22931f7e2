/* One byte stream on the main loop: bounded non-blocking output, input paced by its consumer. */
#include "vmm/stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/outbuf.h"

struct stream {
	struct mainloop *loop;
	struct mainloop_soon soon; /* first member but one: container_of below */
	struct stream_config cfg;
	const struct stream_ops *ops;
	void *opaque;
	int in_fd, out_fd;
	bool out_socket, out_pollable;
	struct watch *in_w, *out_w; /* the same watch when in_fd == out_fd */
	uint8_t *in;
	size_t in_pos, in_len;
	struct outbuf out; /* bytes [out_head, out.len) are unwritten */
	size_t out_head;
	uint64_t dropped;
	bool in_eof, shutting_down, write_shut, ended;
	bool was_full;	 /* a write did not fit: tell ops->writable once there is room */
	const char *why; /* set when the stream failed; closed() reports it */
};

static struct stream *of_soon(struct mainloop_soon *soon)
{
	return (struct stream *)((char *)soon - offsetof(struct stream, soon));
}

static size_t queued(const struct stream *s)
{
	return s->out.len - s->out_head;
}

static void fail(struct stream *s, const char *why)
{
	if (!s->why)
		s->why = why ? why : "";
	stream_kick(s);
}

/* Writes what the fd takes now. */
static void flush(struct stream *s)
{
	while (queued(s) && !s->why) {
		const char *p = s->out.data + s->out_head;
		ssize_t n = s->out_socket
				    ? send(s->out_fd, p, queued(s), MSG_NOSIGNAL | MSG_DONTWAIT)
				    : write(s->out_fd, p, queued(s));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			fail(s, NULL); /* the peer went away */
			return;
		}
		s->out_head += (size_t)n;
	}
	if (s->out_head == s->out.len) {
		s->out_head = s->out.len = 0;
	} else if (s->out_head > s->out.len / 2) {
		memmove(s->out.data, s->out.data + s->out_head, queued(s));
		s->out.len -= s->out_head;
		s->out_head = 0;
	}
}

/* Offers buffered input to the consumer, as much as it takes. */
static void deliver(struct stream *s)
{
	while (s->in_pos < s->in_len && !s->why && !s->ended) {
		size_t n = s->in_len - s->in_pos, room, took;

		if (s->shutting_down) {
			s->in_pos = s->in_len; /* discarded: nobody will answer it now */
			break;
		}
		if (mainloop_quitting(s->loop))
			break; /* the VM is ending (quit): no further command runs */
		room = s->ops->input_room(s->opaque);
		if (!room)
			break;
		took = s->ops->input(s->opaque, s->in + s->in_pos, n < room ? n : room);
		s->in_pos += took;
		if (!took)
			break;
	}
	if (s->in_pos == s->in_len)
		s->in_pos = s->in_len = 0;
}

static bool wants_input(struct stream *s)
{
	if (!s->in_w || s->in_eof || s->why || s->in_len)
		return false;
	return s->shutting_down || s->ops->input_room(s->opaque) > 0;
}

static void update_events(struct stream *s)
{
	uint32_t in = wants_input(s) ? EPOLLIN : 0;
	uint32_t out = queued(s) && s->out_pollable && !s->why ? EPOLLOUT : 0;

	if (s->in_w && s->in_w == s->out_w) {
		mainloop_modify(s->loop, s->in_w, in | out);
		return;
	}
	if (s->in_w)
		mainloop_modify(s->loop, s->in_w, in);
	if (s->out_w)
		mainloop_modify(s->loop, s->out_w, out);
}

/*
 * The end of a polite shutdown, once the output is written: EOF to the peer, and what it sent
 * and nobody will answer is read away (bounded: a peer that keeps sending does not hold up the
 * exit), so that close() does not reset the connection under replies it has yet to read.
 */
static void drain_and_shut(struct stream *s)
{
	char junk[4096];
	int n;

	shutdown(s->out_fd, SHUT_WR);
	for (n = 0; n < 256 && read(s->in_fd, junk, sizeof(junk)) > 0; n++)
		;
	s->write_shut = true;
}

/* Everything a stream does between two sleeps of the loop; closed() is its last act. */
static void service(struct stream *s)
{
	bool socket = s->in_fd >= 0 && s->in_fd == s->out_fd;

	if (s->ended)
		return;
	flush(s);
	if (s->was_full && stream_write_room(s)) {
		s->was_full = false;
		if (s->ops->writable)
			s->ops->writable(s->opaque);
	}
	deliver(s);
	if (s->shutting_down && socket && !queued(s) && !s->why)
		drain_and_shut(s);
	/* a socket peer that closed gets the replies already due, then the stream ends */
	if (s->why || (socket && (s->in_eof || s->write_shut) && !s->in_len && !queued(s))) {
		s->ended = true;
		update_events(s);
		s->ops->closed(s->opaque, s->why && s->why[0] ? s->why : NULL);
		return;
	}
	update_events(s);
}

static void on_soon(struct mainloop_soon *soon)
{
	service(of_soon(soon));
}

/* read(), or with recv_fds recvmsg() handing the descriptors that came along to ops->fds. */
static ssize_t read_some(struct stream *s, size_t want)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * STREAM_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = s->in, .iov_len = want };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	int fds[STREAM_MAX_FDS], nfds = 0, i;
	struct cmsghdr *c;
	ssize_t n;

	if (!s->cfg.recv_fds)
		return read(s->in_fd, s->in, want);
	n = recvmsg(s->in_fd, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return n;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		size_t len = c->cmsg_len - CMSG_LEN(0);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (i = 0; i < (int)(len / sizeof(int)) && nfds < STREAM_MAX_FDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	if (nfds)
		s->ops->fds(s->opaque, fds, nfds);
	return n;
}

/* Reads what the consumer can take (all of it while shutting down: it is discarded). */
static void read_input(struct stream *s)
{
	size_t want = s->shutting_down ? s->cfg.in_size : s->ops->input_room(s->opaque);
	ssize_t n;

	if (want > s->cfg.in_size)
		want = s->cfg.in_size;
	if (!want || s->in_len)
		return;
	if (!s->in && !(s->in = malloc(s->cfg.in_size))) {
		fail(s, "out of memory");
		return;
	}
	n = read_some(s, want);
	if (n > 0)
		s->in_len = (size_t)n;
	else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		s->in_eof = true; /* a read error ends input as EOF does */
}

static void on_fd(int fd, uint32_t events, void *opaque)
{
	struct stream *s = opaque;

	if (fd == s->in_fd && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && wants_input(s))
		read_input(s);
	service(s);
}

static bool is_socket(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* A watch on fd, or NULL where epoll refuses it (regular files, /dev/null): those are never waited
 * for (input is not read, output is written at once). False on other failures. */
static bool watch(struct stream *s, int fd, uint32_t events, struct watch **w)
{
	*w = mainloop_add_fd(s->loop, fd, events, on_fd, s);
	return *w || errno == EPERM;
}

struct stream *stream_new(struct mainloop *loop, int in_fd, int out_fd,
			  const struct stream_config *cfg, const struct stream_ops *ops,
			  void *opaque)
{
	struct stream *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->loop = loop;
	s->soon.fn = on_soon;
	s->cfg = *cfg;
	s->ops = ops;
	s->opaque = opaque;
	s->in_fd = in_fd;
	s->out_fd = out_fd;
	if (in_fd >= 0 && !watch(s, in_fd, EPOLLIN, &s->in_w))
		goto fail;
	if (out_fd == in_fd)
		s->out_w = s->in_w;
	else if (out_fd >= 0 && !watch(s, out_fd, EPOLLOUT, &s->out_w))
		goto fail;
	s->out_socket = out_fd >= 0 && is_socket(out_fd);
	s->out_pollable = s->out_w != NULL;
	update_events(s);
	return s;
fail:
	mainloop_remove(loop, s->in_w);
	free(s);
	return NULL;
}

size_t stream_write(struct stream *s, const void *buf, size_t len)
{
	size_t room = stream_write_room(s);

	if (!s || s->ended || s->why || !len)
		return 0;
	if (len > room) {
		if (!s->cfg.drop_excess) {
			fail(s, "too much output unread");
			return 0;
		}
		s->dropped += len - room;
		s->was_full = true;
		len = room;
	}
	outbuf_append(&s->out, buf, len);
	if (s->out.failed) {
		fail(s, "out of memory");
		return 0;
	}
	if (s->out_pollable && queued(s) == len)
		flush(s); /* nothing was waiting: write now, in order with what follows */
	if (!stream_write_room(s))
		s->was_full = true;
	if (queued(s))
		stream_kick(s);
	return len;
}

size_t stream_queued(const struct stream *s)
{
	return s ? queued(s) : 0;
}

size_t stream_write_room(const struct stream *s)
{
	if (!s || s->ended || s->why)
		return 0;
	return queued(s) < s->cfg.out_max ? s->cfg.out_max - queued(s) : 0;
}

uint64_t stream_dropped(const struct stream *s)
{
	return s ? s->dropped : 0;
}

void stream_kick(struct stream *s)
{
	if (s && !s->ended)
		mainloop_soon(s->loop, &s->soon);
}

void stream_shutdown(struct stream *s)
{
	if (!s || s->ended)
		return;
	s->shutting_down = true;
	if (s->in_fd >= 0 && s->in_fd != s->out_fd) {
		mainloop_remove(s->loop, s->in_w); /* a terminal's input is simply left */
		s->in_w = NULL;
	}
	stream_kick(s);
}

void stream_close(struct stream *s, const char *why)
{
	if (s && !s->ended)
		fail(s, why);
}

void stream_free(struct stream *s)
{
	if (!s)
		return;
	mainloop_soon_cancel(s->loop, &s->soon);
	mainloop_remove(s->loop, s->in_w);
	if (s->out_w != s->in_w)
		mainloop_remove(s->loop, s->out_w);
	if (s->in_fd >= 0)
		close(s->in_fd);
	if (s->out_fd >= 0 && s->out_fd != s->in_fd)
		close(s->out_fd);
	free(s->in);
	outbuf_free(&s->out);
	free(s);
}
