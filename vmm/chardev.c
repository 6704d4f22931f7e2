/* Character backends (stdio, file, unix/tcp server, none) behind the serial port and consoles. */
#include "vmm/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/listener.h"
#include "vmm/socket.h"
#include "vmm/stream.h"

#define CHR_OUT_MAX (64u << 10) /* guest output queued for a slow reader; the rest is dropped */
#define CHR_IN_SIZE 4096

struct chardev {
	struct chardev_spec spec;
	struct mainloop *loop;
	struct stream *st;    /* stdio, file, or the connected socket client */
	struct listener *srv; /* socket servers: one client at a time, as QEMU */
	const struct chardev_frontend *fe;
	void *opaque;
	const struct chardev_mux *mux;
	uint64_t dropped; /* output dropped before this stream */
};

static struct termios saved_tty;
static bool tty_saved;

static void restore_tty(void)
{
	if (tty_saved)
		tcsetattr(0, TCSANOW, &saved_tty);
}

/* Raw input as QEMU's stdio backend: no echo, no line editing; ^C still signals. */
static void stdio_raw(void)
{
	struct termios t;

	if (tty_saved || !isatty(0) || tcgetattr(0, &saved_tty) < 0)
		return;
	tty_saved = true;
	atexit(restore_tty);
	t = saved_tty;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_oflag |= OPOST;
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &t);
}

static size_t stream_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct chardev *c = opaque;

	if (c->mux)
		return c->mux->input(c->mux->opaque, buf, len);
	chardev_frontend_input(c, buf, len);
	return len;
}

static size_t stream_room(void *opaque)
{
	struct chardev *c = opaque;

	if (c->mux)
		return CHR_IN_SIZE; /* the mux takes what belongs to the frontend as it can */
	return chardev_frontend_room(c);
}

static void drop_stream(struct chardev *c)
{
	c->dropped += stream_dropped(c->st);
	stream_free(c->st);
	c->st = NULL;
}

static void stream_closed(void *opaque, const char *why)
{
	struct chardev *c = opaque;

	drop_stream(c);
	if (c->srv)
		listener_client_gone(c->srv); /* the next client may come */
}

static void stream_writable(void *opaque)
{
	struct chardev *c = opaque;

	if (c->fe && c->fe->writable)
		c->fe->writable(c->opaque);
}

static const struct stream_ops chr_ops = { .input = stream_input,
					   .input_room = stream_room,
					   .writable = stream_writable,
					   .closed = stream_closed };
static const struct stream_config chr_cfg = { .in_size = CHR_IN_SIZE,
					      .out_max = CHR_OUT_MAX,
					      .drop_excess = true };

static bool on_client(void *opaque, int fd)
{
	struct chardev *c = opaque;

	c->st = stream_new(c->loop, fd, fd, &chr_cfg, &chr_ops, c);
	if (!c->st)
		close(fd);
	return c->st != NULL;
}

/* stdout in a file description of our own, so that O_NONBLOCK does not reach the shell's. */
static int stdout_fd(void)
{
	struct stat st;
	int fd;

	if (fstat(1, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISSOCK(st.st_mode)) {
		fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	return fcntl(1, F_DUPFD_CLOEXEC, 3); /* a socket (written with MSG_DONTWAIT) or a file */
}

/* pipe: PATH.in and PATH.out, or PATH both ways (QEMU's); read-write, so a FIFO never waits. */
static bool open_pipe(const char *path, int *in, int *out, char *err, size_t errlen)
{
	const int flags = O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	char name[sizeof(((struct chardev_spec *)0)->path) + 4];

	snprintf(name, sizeof(name), "%s.in", path);
	*in = open(name, flags);
	snprintf(name, sizeof(name), "%s.out", path);
	*out = *in >= 0 ? open(name, flags) : -1;
	if (*in < 0 || *out < 0) {
		if (*in >= 0)
			close(*in);
		*in = open(path, flags);
		*out = *in >= 0 ? fcntl(*in, F_DUPFD_CLOEXEC, 3) : -1;
	}
	if (*in >= 0 && *out >= 0)
		return true;
	snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
	if (*in >= 0)
		close(*in);
	*in = -1;
	return false;
}

struct chardev *chardev_open(const struct chardev_spec *spec, struct mainloop *loop, char *err,
			     size_t errlen)
{
	static const struct listener_config lcfg = { .what = "chardev",
						     .max_clients = 1,
						     .hold_when_full = true };
	struct chardev *c = calloc(1, sizeof(*c));
	int in = -1, out = -1;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->spec = *spec;
	c->loop = loop;
	switch (spec->kind) {
	case CHR_NONE:
	case CHR_NULL:
		return c;
	case CHR_STDIO:
	case CHR_MON_STDIO:
		stdio_raw();
		in = fcntl(0, F_DUPFD_CLOEXEC, 3);
		out = stdout_fd();
		break;
	case CHR_FILE: /* a FIFO without a reader is refused at once, never waited for */
		out = open(spec->path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0644);
		if (out < 0) {
			snprintf(err, errlen, "cannot open '%s': %s", spec->path, strerror(errno));
			goto fail;
		}
		break;
	case CHR_PIPE:
		if (!open_pipe(spec->path, &in, &out, err, errlen))
			goto fail;
		break;
	case CHR_UNIX:
	case CHR_TCP:
		c->srv = listener_open(loop, spec, &lcfg, on_client, c, err, errlen);
		if (!c->srv)
			goto fail;
		return c;
	}
	c->st = stream_new(loop, in, out, &chr_cfg, &chr_ops, c);
	if (c->st)
		return c;
	snprintf(err, errlen, "cannot watch the backend: %s", strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
fail:
	chardev_close(c);
	return NULL;
}

void chardev_filename(const struct chardev_spec *spec, char *buf, size_t len)
{
	static const char *const plain[] = {
		[CHR_NONE] = "null", [CHR_NULL] = "null", [CHR_STDIO] = "stdio",
		[CHR_FILE] = "file", [CHR_PIPE] = "pipe", [CHR_MON_STDIO] = "mux"
	};
	char where[300];

	if (spec->kind != CHR_UNIX && spec->kind != CHR_TCP) {
		snprintf(buf, len, "%s", plain[spec->kind]);
		return;
	}
	socket_describe(spec, where, sizeof(where));
	snprintf(buf, len, "%s%s%s",
		 listener_clients(spec->label) > 0 ? "" : "disconnected:", where,
		 spec->server ? ",server=on" : "");
}

bool chardev_wait(struct chardev *c)
{
	if (!c || !c->srv || !c->spec.wait || c->st)
		return true;
	return listener_wait(c->srv);
}

void chardev_set_frontend(struct chardev *c, const struct chardev_frontend *fe, void *opaque)
{
	c->fe = fe;
	c->opaque = opaque;
	stream_kick(c->st);
}

void chardev_accept_input(struct chardev *c)
{
	if (c)
		stream_kick(c->st); /* the mux, if any, is offered the input again too */
}

size_t chardev_write(struct chardev *c, const void *buf, size_t len)
{
	if (c && c->mux) {
		c->dropped += len - c->mux->output(c->mux->opaque, buf, len);
		return len;
	}
	return chardev_backend_write(c, buf, len);
}

size_t chardev_write_room(const struct chardev *c)
{
	if (!c || !c->st)
		return CHR_OUT_MAX; /* nobody listening: output is dropped at once, as QEMU does */
	return stream_write_room(c->st);
}

void chardev_set_mux(struct chardev *c, const struct chardev_mux *mux)
{
	c->mux = mux;
	stream_kick(c->st);
}

void chardev_frontend_input(struct chardev *c, const uint8_t *buf, size_t len)
{
	if (c->fe)
		c->fe->input(c->opaque, buf, len);
}

size_t chardev_frontend_room(const struct chardev *c)
{
	if (!c->fe || !c->fe->room)
		return CHR_IN_SIZE; /* no frontend: input is read and dropped */
	return c->fe->room(c->opaque);
}

size_t chardev_backend_write(struct chardev *c, const void *buf, size_t len)
{
	if (!c || !c->st)
		return 0; /* nobody to read it: QEMU drops it silently too */
	return stream_write(c->st, buf, len);
}

bool chardev_flushed(const struct chardev *c)
{
	return !c || !c->st || !stream_queued(c->st);
}

void chardev_close(struct chardev *c)
{
	if (!c)
		return;
	drop_stream(c);
	if (c->dropped)
		fprintf(stderr, "tinyvmm: %llu bytes of guest output dropped: nobody read them\n",
			(unsigned long long)c->dropped);
	listener_close(c->srv);
	if (c->spec.kind == CHR_STDIO || c->spec.kind == CHR_MON_STDIO)
		restore_tty();
	free(c);
}
