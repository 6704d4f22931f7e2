/* Descriptors passed to the monitor: per connection (getfd) and the fd sets of /dev/fdset/N. */
#ifndef MONITOR_FDS_H
#define MONITOR_FDS_H

#include <stdbool.h>
#include <stdint.h>

#include "monitor/error.h"
#include "vmm/stream.h"

struct named_fd;

/* One monitor connection's descriptors; zero-initialized is empty. */
struct monitor_fds {
	int recv[STREAM_MAX_FDS]; /* those that came with the latest read that brought any */
	int nr_recv;
	struct named_fd *named; /* getfd's */
};

/*
 * A stream's ops->fds, for a client whose first member is its struct monitor_fds: the fds that
 * came with a read replace (close) any that came earlier and no command took. The next getfd or
 * add-fd takes the first; the others are closed then.
 */
void monitor_fds_on_stream(void *client, const int *fds, int n);
/* The connection is gone: closes everything it held. */
void monitor_fds_release(struct monitor_fds *m);
/*
 * Makes m the connection whose command runs now (NULL: one that cannot pass descriptors, as
 * human-monitor-command's); returns the one before, to restore after the command.
 */
struct monitor_fds *monitor_fds_enter(struct monitor_fds *m);

/* Takes the getfd descriptor named name from the running command's connection (QEMU's
 * monitor_get_fd: the name is gone afterwards); -1 with QEMU's error. */
int monitor_fd_take(const char *name, Error **errp);
/*
 * QEMU's /dev/fdset/ID open: a duplicate of the newest descriptor of set ID whose access mode
 * is flags' (O_WRONLY, O_RDWR ...), close-on-exec. -1 with errno: EINVAL (ID is not a number),
 * ENOENT (no such set), EACCES (no descriptor with that mode).
 */
int monitor_fdset_dup(const char *id, int flags);
struct vm_config;
/*
 * Every -add-fd fd=N,set=S[,opaque=STR] of cfg: N is duplicated into set S; then the inherited
 * descriptors are closed (as QEMU: one may go into several sets). False with a message printed.
 */
bool monitor_fdsets_add_inherited(const struct vm_config *cfg);
/* Closes every fd set (at exit). */
void monitor_fdsets_free(void);

#endif
