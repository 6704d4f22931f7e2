/* One byte stream on the main loop: bounded non-blocking output, input paced by its consumer. */
#ifndef VMM_STREAM_H
#define VMM_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/mainloop.h"

struct stream;

struct stream_ops {
	/*
	 * Bytes from the peer; returns how many it took. When it takes fewer than len (or
	 * input_room says 0) the rest stays buffered and nothing more is read until
	 * stream_kick().
	 */
	size_t (*input)(void *opaque, const uint8_t *buf, size_t len);
	/* How many bytes input() can take now. */
	size_t (*input_room)(void *opaque);
	/* Output that did not fit has room again (after a write returned less than asked). */
	void (*writable)(void *opaque);
	/*
	 * The stream ended: the peer closed it (after all its input was taken and the output
	 * written), a read or write failed, or too much output piled up (why says which; NULL
	 * for a plain close). Called once, on the main thread; the owner calls stream_free().
	 */
	void (*closed)(void *opaque, const char *why);
	/* With cfg->recv_fds: descriptors that came with a read (SCM_RIGHTS), before its bytes go
	 * to input(); the callee owns them and may not end or free the stream. */
	void (*fds)(void *opaque, const int *fds, int n);
};

struct stream_config {
	size_t in_size;	  /* the most read at once */
	size_t out_max;	  /* the most output queued */
	bool drop_excess; /* past out_max: drop the excess (counted) instead of ending */
	bool recv_fds;	  /* a unix socket: take descriptors passed with the bytes (ops->fds) */
};

/* The most descriptors taken with one read; more are closed by the kernel (as QEMU's 16). */
#define STREAM_MAX_FDS 16

/*
 * Serves in_fd (-1: none) and out_fd (-1: none; may equal in_fd) on loop. The stream owns both
 * fds and closes them at stream_free(). NULL when out of memory or epoll refuses.
 */
struct stream *stream_new(struct mainloop *loop, int in_fd, int out_fd,
			  const struct stream_config *cfg, const struct stream_ops *ops,
			  void *opaque);
/*
 * Queues output; never blocks. Returns the bytes accepted: all of them, or, past the bound, what
 * fit (drop_excess) or 0 with the stream ended. Any thread holding the big lock.
 */
size_t stream_write(struct stream *s, const void *buf, size_t len);
/* Bytes queued and not yet written. */
size_t stream_queued(const struct stream *s);
/* Bytes stream_write() would accept now. */
size_t stream_write_room(const struct stream *s);
/* Output dropped past the bound so far. */
uint64_t stream_dropped(const struct stream *s);
/* The consumer can take input again (or its state changed): served before the loop sleeps. */
void stream_kick(struct stream *s);
/*
 * Ends the stream politely: input is read and discarded, queued output is written, then the
 * peer gets EOF and closed() follows at once. Bound it with a timer (a peer that reads nothing).
 */
void stream_shutdown(struct stream *s);
/* Ends the stream at once (why: for closed(), NULL for a plain close); from owner callbacks. */
void stream_close(struct stream *s, const char *why);
/* Stops serving and frees; closes the fds. Safe inside the stream's own callbacks. */
void stream_free(struct stream *s);

#endif
