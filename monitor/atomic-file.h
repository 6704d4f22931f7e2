/* The files of pmemsave, memsave and dump: atomic for a plain file, else written through. */
#ifndef MONITOR_ATOMIC_FILE_H
#define MONITOR_ATOMIC_FILE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "monitor/error.h"
#include "vmm/guest-mem.h"

/*
 * What the name is decides how it is written (QEMU writes through the path; we keep its
 * effect on everything but a plain file, which we replace atomically):
 * - nothing there, or a regular file with one link: a temporary file beside it, renamed
 *   over it on commit; it gets the old file's mode and (where allowed) owner, or, new, the
 *   mode create_mode & ~umask.
 * - a regular file with several hard links: truncated and written in place, so every name
 *   sees the new data.
 * - a character device, FIFO or block device: opened without waiting (a FIFO nobody reads:
 *   "No such device or address") and written in order, zeros included.
 * - a symlink: the rules above for the file it resolves to; the link stays a link. A link
 *   to nothing is refused ("No such file or directory"): nothing is created where a link
 *   points. A directory: "Is a directory"; a socket: "No such device or address".
 * - /dev/fdset/ID (QEMU's name for fd set ID, monitor/fds.h): a duplicate of the set's newest
 *   write-only descriptor, written through as a passed descriptor is (atomic_file_open_fd).
 * A FIFO or device that takes nothing for ATOMIC_FILE_STALL_MS fails the write
 * ("Connection timed out"), so a reader that stops cannot hold the caller for good.
 */
#define ATOMIC_FILE_STALL_MS 5000

struct atomic_file {
	char *path;	     /* as named, for messages */
	char *target;	     /* the file written: path with a final symlink resolved */
	char *tmp;	     /* the temporary renamed over target; NULL when writing through */
	int fd;		     /* -1 when closed */
	bool stream;	     /* a FIFO, device or passed descriptor: in order, no holes, no size */
	bool nonblock_set;   /* we made a passed descriptor non-blocking: undone at close */
	uint64_t end;	     /* the furthest byte written (the size a regular file gets) */
	atomic_bool *cancel; /* set (by another thread): a write into a stream stops at once */
};

/* Opens path for writing; false with QEMU's "Could not open 'PATH': ..." in errp. */
bool atomic_file_open(struct atomic_file *f, const char *path, mode_t create_mode, Error **errp);
/*
 * Takes fd, a descriptor passed to the monitor (getfd's, or an fd set's duplicate): written in
 * order from its current offset, never truncated, replaced or renamed, and closed at the end.
 * One that can block (a pipe, socket or device) is non-blocking while we write, so a reader that
 * stops makes the write fail after ATOMIC_FILE_STALL_MS. name is for messages.
 */
bool atomic_file_open_fd(struct atomic_file *f, const char *name, int fd, Error **errp);
/*
 * Writes len bytes of buf at file offset off: on a regular file pages of zeros become holes
 * (guest_mem_save), a stream takes them in order only (off must be what was written so
 * far). 0 or -errno.
 */
int atomic_file_write(struct atomic_file *f, uint64_t off, const void *buf, uint64_t len);
/*
 * The same for guest RAM [gpa, gpa+len) (all RAM), with the bytes under the debugger's
 * breakpoints written as they were (guest_mem_unpatch): dumps never show its int3s.
 */
int atomic_file_write_ram(struct atomic_file *f, uint64_t off, const struct guest_mem *gm,
			  uint64_t gpa, uint64_t len);
/* Finishes the file (size, close, rename) and releases f, also on failure. 0 or -errno. */
int atomic_file_commit(struct atomic_file *f);
/* Closes and releases f, removing the temporary file; safe on a closed or failed f. */
void atomic_file_abort(struct atomic_file *f);

#endif
