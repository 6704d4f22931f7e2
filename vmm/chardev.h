/* Character backends (stdio, file, unix/tcp server, none) behind the serial port and consoles. */
#ifndef VMM_CHARDEV_H
#define VMM_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

struct mainloop;

enum chardev_kind { CHR_NONE, CHR_STDIO, CHR_FILE, CHR_UNIX, CHR_TCP, CHR_MON_STDIO };

/* A parsed backend option such as "unix:/tmp/s,server=on,wait=off". */
struct chardev_spec {
	enum chardev_kind kind;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* file or unix socket */
	char host[256];						/* tcp */
	uint16_t port;						/* tcp */
	bool server, wait;
};

/*
 * Parses QEMU's chardev shorthand: none, stdio, mon:stdio, file:PATH,
 * unix:PATH[,server=on|off][,wait=on|off] and tcp:[HOST]:PORT[,...] (with the
 * older "server" and "nowait" spellings). On error returns false with a
 * message in err.
 */
bool chardev_parse(const char *s, struct chardev_spec *spec, char *err, size_t errlen);

struct chardev;
typedef void (*chardev_input_fn)(void *opaque, const uint8_t *buf, size_t len);

/* Opens the backend; stdio is put in raw mode (signals kept) when it is a terminal. */
struct chardev *chardev_open(const struct chardev_spec *spec, struct mainloop *loop, char *err,
			     size_t errlen);
/* Guest (or monitor) output; never blocks on a socket client, drops when none is connected. */
void chardev_write(struct chardev *c, const void *buf, size_t len);
/* Input from the backend is delivered on the main loop thread. */
void chardev_set_input(struct chardev *c, chardev_input_fn fn, void *opaque);
/* Stops (or restarts) reading input; used when the receiver's buffer is full. */
void chardev_accept_input(struct chardev *c, bool on);
void chardev_close(struct chardev *c);

/*
 * A mux in front of a backend (hmp/mux.c, for mon:stdio): it receives the
 * backend's input, the frontend's output and the frontend's flow control, and
 * passes on what belongs to the frontend with the two calls after it.
 */
struct chardev_mux {
	void (*input)(void *opaque, const uint8_t *buf, size_t len);
	void (*output)(void *opaque, const void *buf, size_t len);
	void (*accept)(void *opaque, bool on);
	void *opaque;
};
/* Installs mux (NULL: removes it); the backend then keeps reading whatever the frontend says. */
void chardev_set_mux(struct chardev *c, const struct chardev_mux *mux);
/* Input to the frontend (the serial port), as if read from the backend without a mux. */
void chardev_frontend_input(struct chardev *c, const uint8_t *buf, size_t len);
/* Output to the backend, past the mux. */
void chardev_backend_write(struct chardev *c, const void *buf, size_t len);

#endif
