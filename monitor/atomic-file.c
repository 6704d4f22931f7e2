/* The files of pmemsave, memsave and dump: atomic for a plain file, else written through. */
#include "monitor/atomic-file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monitor/fds.h"
#include "vmm/guest-mem.h"

/* Closes f's descriptor, a passed one back in blocking mode first; 0 or -errno. */
static int close_fd(struct atomic_file *f)
{
	int fl = f->nonblock_set ? fcntl(f->fd, F_GETFL) : -1, err = 0;

	if (fl >= 0)
		fcntl(f->fd, F_SETFL, fl & ~O_NONBLOCK); /* the sender's copy shares the flags */
	f->nonblock_set = false;
	if (f->fd >= 0 && close(f->fd) < 0)
		err = -errno;
	f->fd = -1;
	return err;
}

static bool open_error(struct atomic_file *f, int err, Error **errp)
{
	error_setg(errp, "Could not open '%s': %s", f->path, strerror(err));
	atomic_file_abort(f);
	return false;
}

/* A temporary file beside target, with old's mode and owner (if it exists) or create_mode. */
static bool open_temp(struct atomic_file *f, const struct stat *old, mode_t create_mode,
		      Error **errp)
{
	mode_t mask = umask(0);

	umask(mask);
	if (asprintf(&f->tmp, "%s.XXXXXX", f->target) < 0) {
		f->tmp = NULL;
		return open_error(f, ENOMEM, errp);
	}
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		int err = errno;

		free(f->tmp); /* nothing to remove */
		f->tmp = NULL;
		return open_error(f, err, errp);
	}
	if (old && fchown(f->fd, old->st_uid, old->st_gid) < 0 &&
	    fchown(f->fd, (uid_t)-1, old->st_gid) < 0) {
		/* not allowed: the owner (or group) stays ours, still a usable file */
	}
	if (fchmod(f->fd, old ? old->st_mode & 07777 : create_mode & ~mask) < 0) {
		/* keep 0600 */
	}
	return true;
}

/* Opens what is there without waiting for a FIFO's reader, checking it is still what st saw. */
static bool open_through(struct atomic_file *f, const struct stat *st, Error **errp)
{
	struct stat now;

	f->stream = !S_ISREG(st->st_mode);
	f->fd = open(f->target, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW |
					(f->stream ? 0 : O_TRUNC));
	if (f->fd < 0)
		return open_error(f, errno, errp);
	if (fstat(f->fd, &now) < 0)
		return open_error(f, errno, errp);
	if (now.st_dev != st->st_dev || now.st_ino != st->st_ino)
		return open_error(f, EAGAIN, errp); /* replaced in between: try again */
	return true;
}

/* Starts f for name; false (Out of memory) with f released. */
static bool start(struct atomic_file *f, const char *name, Error **errp)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->path = zstrdup(name, errp);
	return f->path != NULL;
}

/* f writes through fd, a passed descriptor (atomic_file_open_fd()'s rules). */
static bool take_fd(struct atomic_file *f, int fd, Error **errp)
{
	struct stat st;
	int fl;

	f->fd = fd;
	f->stream = true;
	if (fstat(fd, &st) < 0)
		return open_error(f, errno, errp);
	fl = S_ISREG(st.st_mode) ? -1 : fcntl(fd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		f->nonblock_set = fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0;
	return true;
}

bool atomic_file_open_fd(struct atomic_file *f, const char *name, int fd, Error **errp)
{
	if (!start(f, name, errp)) {
		close(fd);
		return false;
	}
	return take_fd(f, fd, errp);
}

bool atomic_file_open(struct atomic_file *f, const char *path, mode_t create_mode, Error **errp)
{
	struct stat st;
	int fd;

	if (!start(f, path, errp))
		return false;
	if (!*path)
		return open_error(f, ENOENT, errp);
	if (!strncmp(path, "/dev/fdset/", 11)) {
		fd = monitor_fdset_dup(path + 11, O_WRONLY);
		return fd < 0 ? open_error(f, errno, errp) : take_fd(f, fd, errp);
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		f->target = realpath(path, NULL); /* a link to nothing: ENOENT */
	else
		f->target = strdup(path);
	if (!f->target)
		return open_error(f, errno, errp);
	if (stat(f->target, &st) < 0)
		return errno == ENOENT ? open_temp(f, NULL, create_mode, errp)
				       : open_error(f, errno, errp);
	if (S_ISREG(st.st_mode) && st.st_nlink == 1)
		return open_temp(f, &st, create_mode, errp);
	if (S_ISREG(st.st_mode) || S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) ||
	    S_ISBLK(st.st_mode))
		return open_through(f, &st, errp);
	return open_error(f, S_ISDIR(st.st_mode) ? EISDIR : ENXIO, errp);
}

/* All of buf, in order, waiting (at most ATOMIC_FILE_STALL_MS at a time) while it is full;
 * -ECANCELED as soon as f->cancel is seen set. */
static int write_stream(struct atomic_file *f, const uint8_t *buf, uint64_t len)
{
	struct pollfd p = { .fd = f->fd, .events = POLLOUT };

	while (len > 0) {
		ssize_t n = write(f->fd, buf, len > SSIZE_MAX ? SSIZE_MAX : (size_t)len);

		if (f->cancel && atomic_load(f->cancel))
			return -ECANCELED;
		if (n > 0) {
			buf += n;
			len -= (uint64_t)n;
		} else if (n < 0 && errno == EAGAIN) {
			n = poll(&p, 1, ATOMIC_FILE_STALL_MS);
			if (n == 0)
				return -ETIMEDOUT;
			if (n < 0 && errno != EINTR)
				return -errno;
		} else if (n < 0 && errno != EINTR) {
			return -errno;
		} else if (n == 0) {
			return -EIO;
		}
	}
	return 0;
}

int atomic_file_write(struct atomic_file *f, uint64_t off, const void *buf, uint64_t len)
{
	int err;

	if (!f->stream)
		err = guest_mem_save(f->fd, off, buf, len);
	else if (off != f->end)
		err = -ESPIPE;
	else
		err = write_stream(f, buf, len);
	if (!err && off + len > f->end)
		f->end = off + len;
	return err;
}

int atomic_file_commit(struct atomic_file *f)
{
	int err = 0, cerr;

	/* a zero tail is a hole that only the size makes part of the file */
	if (!f->stream && ftruncate(f->fd, (off_t)f->end) < 0)
		err = -errno;
	cerr = close_fd(f);
	err = err ? err : cerr;
	if (!err && f->tmp && rename(f->tmp, f->target) < 0)
		err = -errno;
	if (!err) {
		free(f->tmp); /* renamed: nothing to remove */
		f->tmp = NULL;
	}
	atomic_file_abort(f);
	return err;
}

void atomic_file_abort(struct atomic_file *f)
{
	close_fd(f);
	if (f->tmp)
		unlink(f->tmp);
	free(f->tmp);
	free(f->target);
	free(f->path);
	f->tmp = f->target = f->path = NULL;
}

/* The lowest patch in [gpa, end), or NULL. */
static const struct guest_mem_patch *next_patch(const struct guest_mem *gm, uint64_t gpa,
						uint64_t end)
{
	const struct guest_mem_patch *best = NULL;
	int i;

	for (i = 0; i < gm->nr_patches; i++)
		if (gm->patches[i].gpa >= gpa && gm->patches[i].gpa < end &&
		    (!best || gm->patches[i].gpa < best->gpa))
			best = &gm->patches[i];
	return best;
}

int atomic_file_write_ram(struct atomic_file *f, uint64_t off, const struct guest_mem *gm,
			  uint64_t gpa, uint64_t len)
{
	const struct guest_mem_patch *p;
	uint64_t end = gpa + len, upto;
	int err = 0;

	while (!err && gpa < end) {
		p = next_patch(gm, gpa, end);
		upto = p ? p->gpa : end;
		if (upto > gpa)
			err = atomic_file_write(f, off, guest_mem_ptr(gm, gpa, upto - gpa),
						upto - gpa);
		off += upto - gpa;
		gpa = upto;
		if (!err && p) {
			err = atomic_file_write(f, off++, &p->orig, 1);
			gpa++;
		}
	}
	return err;
}
