/* Character backends (stdio, file, unix/tcp server, none) behind the serial port and consoles. */
#ifndef VMM_CHARDEV_H
#define VMM_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

struct mainloop;

/* CHR_NONE: no backend ("none": -serial none, -debugcon's default); CHR_NULL: "null", a backend
 * that drops what it gets, as QEMU's. */
enum chardev_kind {
	CHR_NONE,
	CHR_NULL,
	CHR_STDIO,
	CHR_FILE,
	CHR_PIPE,
	CHR_UNIX,
	CHR_TCP,
	CHR_MON_STDIO
};

/* A parsed backend option such as "unix:/tmp/s,server=on,wait=off". */
struct chardev_spec {
	enum chardev_kind kind;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* file or unix socket */
	char host[256];						/* tcp */
	uint16_t port;						/* tcp */
	bool server, wait;
	bool mux;    /* stdio,mux=on: shared by the serial port and a monitor (mon:stdio) */
	bool pretty; /* a QMP monitor's pretty=on (-mon) or -qmp-pretty */
	int fd;	     /* socket: an inherited listening (server=on) or connected socket; -1: none */
	unsigned reconnect; /* client: seconds between connection attempts (0: connect once) */
	char label[64];	    /* QEMU's: an -chardev id, serial0, debugcon, compat_monitorN */
};

/*
 * Parses QEMU's chardev shorthand: none, stdio, mon:stdio, file:PATH,
 * unix:PATH[,server=on|off][,wait=on|off] and tcp:[HOST]:PORT[,...] (with the
 * older "server" and "nowait" spellings); without server=on a client that connects,
 * with reconnect=SECONDS again after a failure or a close. On error returns false with a
 * message in err.
 */
bool chardev_parse(const char *s, struct chardev_spec *spec, char *err, size_t errlen);
/*
 * Parses -chardev's BACKEND,id=ID[,...]: socket (path= | host=,port= | fd=; server, wait,
 * reconnect), stdio[,mux=on], file,path=, pipe,path= (PATH.in and PATH.out, or PATH), null.
 * The id goes to id. False with QEMU's message in err.
 */
bool chardev_parse_opts(const char *s, struct chardev_spec *spec, char *id, size_t idlen, char *err,
			size_t errlen);

struct chardev;
/* The frontend of a backend (a device, a console): called on the main thread, big lock held. */
struct chardev_frontend {
	/* Input: at most what room() said (any amount when room is NULL). */
	void (*input)(void *opaque, const uint8_t *buf, size_t len);
	size_t (*room)(void *opaque);
	/* Output that did not fit (chardev_write_room() was 0) has room again; may be NULL. */
	void (*writable)(void *opaque);
};

/*
 * Opens the backend; stdio is put in raw mode (signals kept) when it is a terminal. A socket
 * server serves one client at a time (the next waits in the backlog, as QEMU's).
 */
struct chardev *chardev_open(const struct chardev_spec *spec, struct mainloop *loop, char *err,
			     size_t errlen);
/*
 * wait=on: serves the main loop (big lock held) until the first client connects; false when a
 * signal ended the wait. True at once for every other backend.
 */
bool chardev_wait(struct chardev *c);
/* Attaches the frontend (fe is kept; NULL detaches). */
void chardev_set_frontend(struct chardev *c, const struct chardev_frontend *fe, void *opaque);
/* The frontend can take input again: the backend reads on. Any thread with the big lock. */
void chardev_accept_input(struct chardev *c);
/*
 * Output; never blocks. Queued up to a bound and written by the main loop; past the bound, or
 * with no client connected, bytes are dropped (past the bound: counted). Returns the bytes
 * queued.
 */
size_t chardev_write(struct chardev *c, const void *buf, size_t len);
/* Bytes chardev_write() would queue now (a UART's THRE). */
size_t chardev_write_room(const struct chardev *c);
/* Nothing is queued (at exit, queued output is written for a while). */
bool chardev_flushed(const struct chardev *c);
/* query-chardev's filename: "file", "stdio", "disconnected:unix:P,server=on"... */
void chardev_filename(const struct chardev_spec *spec, char *buf, size_t len);
/* Closes; the output dropped over the VM's life, if any, is logged on stderr. */
void chardev_close(struct chardev *c);

/*
 * A mux in front of a backend (hmp/mux.c, for mon:stdio): it receives the backend's input and
 * the frontend's output, returning how much it took (output it did not take is dropped and
 * counted), and passes on what belongs to the frontend with the calls after it.
 */
struct chardev_mux {
	size_t (*input)(void *opaque, const uint8_t *buf, size_t len);
	size_t (*output)(void *opaque, const void *buf, size_t len);
	void *opaque;
};
/* Installs mux (NULL: removes it). */
void chardev_set_mux(struct chardev *c, const struct chardev_mux *mux);
/* Input to the frontend, past the mux: at most chardev_frontend_room() bytes. */
void chardev_frontend_input(struct chardev *c, const uint8_t *buf, size_t len);
size_t chardev_frontend_room(const struct chardev *c);
/* Output to the backend, past the mux; returns the bytes queued. */
size_t chardev_backend_write(struct chardev *c, const void *buf, size_t len);

#endif
