/* Descriptor passing as QEMU 7.2: getfd/closefd, add-fd/remove-fd/query-fdsets, -add-fd. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor/fds.h"
#include "qapi-commands.h"
#include "vmm/config.h"

struct named_fd {
	struct named_fd *next;
	char *name;
	int fd;
};

/* One descriptor of a set; newest first, as QEMU's list. */
struct set_fd {
	struct set_fd *next;
	int fd;
	char *opaque; /* NULL: none given */
};

/* The sets, in increasing id. */
struct fdset {
	struct fdset *next;
	int64_t id;
	struct set_fd *fds;
};

static struct monitor_fds *cur;
static struct fdset *fdsets;

static void close_received(struct monitor_fds *m)
{
	while (m->nr_recv)
		close(m->recv[--m->nr_recv]);
}

void monitor_fds_on_stream(void *client, const int *fds, int n)
{
	struct monitor_fds *m = client;

	close_received(m);
	memcpy(m->recv, fds, (size_t)n * sizeof(*fds));
	m->nr_recv = n;
}

void monitor_fds_release(struct monitor_fds *m)
{
	struct named_fd *n;

	close_received(m);
	while ((n = m->named)) {
		m->named = n->next;
		close(n->fd);
		free(n->name);
		free(n);
	}
}

struct monitor_fds *monitor_fds_enter(struct monitor_fds *m)
{
	struct monitor_fds *prev = cur;

	cur = m;
	return prev;
}

/* QEMU's qemu_chr_fe_get_msgfd(): the first descriptor of the latest batch; the rest are closed. */
static int take_received(Error **errp)
{
	int fd;

	if (!cur || !cur->nr_recv) {
		error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
		return -1;
	}
	fd = cur->recv[0];
	cur->recv[0] = -1;
	while (cur->nr_recv > 1)
		close(cur->recv[--cur->nr_recv]);
	cur->nr_recv = 0;
	return fd;
}

/* The link that points at the descriptor named name, or at the list's end. */
static struct named_fd **find_named(const char *name)
{
	struct named_fd **p = &cur->named;

	while (*p && strcmp((*p)->name, name))
		p = &(*p)->next;
	return p;
}

void qmp_getfd(const char *fdname, Error **errp)
{
	struct named_fd **p, *n;
	int fd = take_received(errp);

	if (fd < 0)
		return;
	if (isdigit((unsigned char)fdname[0])) {
		close(fd);
		error_setg(errp, "Parameter 'fdname' expects a name not starting with a digit");
		return;
	}
	p = find_named(fdname);
	if (*p) {
		close((*p)->fd);
		(*p)->fd = fd;
		return;
	}
	n = zalloc(sizeof(*n), errp);
	if (!n || !(n->name = zstrdup(fdname, errp))) {
		free(n);
		close(fd);
		return;
	}
	n->fd = fd;
	*p = n;
}

/* Unlinks the descriptor named name; -1 if this connection has none of that name. */
static int unlink_named(const char *name)
{
	struct named_fd **p, *n;
	int fd;

	if (!cur || !*(p = find_named(name)))
		return -1;
	n = *p;
	*p = n->next;
	fd = n->fd;
	free(n->name);
	free(n);
	return fd;
}

void qmp_closefd(const char *fdname, Error **errp)
{
	int fd = unlink_named(fdname);

	if (fd < 0)
		error_setg(errp, "File descriptor named '%s' not found", fdname);
	else
		close(fd);
}

int monitor_fd_take(const char *name, Error **errp)
{
	int fd = unlink_named(name);

	if (fd < 0)
		error_setg(errp, "File descriptor named '%s' has not been found", name);
	return fd;
}

static struct fdset *find_set(int64_t id)
{
	struct fdset *s;

	for (s = fdsets; s && s->id < id; s = s->next)
		;
	return s && s->id == id ? s : NULL;
}

/* QEMU's monitor_fdset_add_fd(): into set id (has_id) or the lowest id free; fd is kept. */
static AddfdInfo *set_add(int fd, bool has_id, int64_t id, const char *opaque, Error **errp)
{
	struct fdset **p = &fdsets, *s, *made = NULL;
	AddfdInfo *info = calloc(1, sizeof(*info));
	struct set_fd *e = calloc(1, sizeof(*e));

	if (has_id && id < 0) {
		error_setg(errp, "Parameter 'fdset-id' expects a non-negative value");
		goto fail;
	}
	if (!has_id) /* the sets are in increasing id: the first gap */
		for (id = 0; *p && (*p)->id == id; p = &(*p)->next)
			id++;
	else
		while (*p && (*p)->id < id)
			p = &(*p)->next;
	s = *p && (*p)->id == id ? *p : (made = calloc(1, sizeof(*made)));
	if (!info || !e || !s || (opaque && !(e->opaque = strdup(opaque)))) {
		error_setg(errp, "Out of memory");
		goto fail;
	}
	if (made) {
		made->id = id;
		made->next = *p;
		*p = made;
	}
	e->fd = fd;
	e->next = s->fds;
	s->fds = e;
	info->fdset_id = id;
	info->fd = fd;
	return info;
fail:
	free(made);
	if (e)
		free(e->opaque);
	free(e);
	free(info);
	return NULL;
}

AddfdInfo *qmp_add_fd(bool has_fdset_id, int64_t fdset_id, bool has_opaque, const char *opaque,
		      Error **errp)
{
	int fd = take_received(errp);
	AddfdInfo *info;

	if (fd < 0)
		return NULL;
	info = set_add(fd, has_fdset_id, fdset_id, has_opaque ? opaque : NULL, errp);
	if (!info)
		close(fd);
	return info;
}

static void set_fd_free(struct set_fd *e)
{
	close(e->fd);
	free(e->opaque);
	free(e);
}

/* Removes the set itself once it holds nothing. */
static void drop_if_empty(struct fdset *s)
{
	struct fdset **p;

	if (s->fds)
		return;
	for (p = &fdsets; *p != s; p = &(*p)->next)
		;
	*p = s->next;
	free(s);
}

void qmp_remove_fd(int64_t fdset_id, bool has_fd, int64_t fd, Error **errp)
{
	struct fdset *s = find_set(fdset_id);
	struct set_fd **p = s ? &s->fds : NULL, *e;

	while (p && *p && has_fd && (*p)->fd != fd)
		p = &(*p)->next;
	if (!p || (has_fd && !*p)) {
		if (has_fd)
			error_setg(errp,
				   "File descriptor named 'fdset-id:%" PRId64 ", fd:%" PRId64
				   "' not found",
				   fdset_id, fd);
		else
			error_setg(errp, "File descriptor named 'fdset-id:%" PRId64 "' not found",
				   fdset_id);
		return;
	}
	/* the one descriptor, or all of them: closed now (QEMU 7.2 waits for a running VM) */
	while ((e = *p) && (!has_fd || e->fd == fd)) {
		*p = e->next;
		set_fd_free(e);
	}
	drop_if_empty(s);
}

/* The list QEMU gives: sets from the highest id, each set's descriptors oldest first. */
FdsetInfoList *qmp_query_fdsets(Error **errp)
{
	FdsetInfoList *head = NULL, *l = NULL;
	FdsetFdInfoList *fl;
	struct fdset *s;
	struct set_fd *e;

	for (s = fdsets; s; s = s->next) {
		if (!(l = zalloc(sizeof(*l), errp)) ||
		    !(l->value = zalloc(sizeof(*l->value), errp)))
			goto fail;
		l->next = head;
		head = l;
		l->value->fdset_id = s->id;
		for (e = s->fds; e; e = e->next) {
			if (!(fl = zalloc(sizeof(*fl), errp)))
				goto fail;
			fl->next = l->value->fds;
			l->value->fds = fl;
			if (!(fl->value = zalloc(sizeof(*fl->value), errp)))
				goto fail;
			fl->value->fd = e->fd;
			fl->value->has_opaque = e->opaque != NULL;
			if (e->opaque && !(fl->value->opaque = zstrdup(e->opaque, errp)))
				goto fail;
		}
	}
	return head;
fail:
	if (l && l != head)
		free(l);
	FdsetInfoList_free(head);
	return NULL;
}

int monitor_fdset_dup(const char *id, int flags)
{
	struct fdset *s;
	struct set_fd *e;
	char *end;
	long n;

	errno = 0;
	n = strtol(id, &end, 10);
	if (end == id || errno || *end || n < 0 || n > INT_MAX) {
		errno = EINVAL; /* QEMU's qemu_parse_fd() */
		return -1;
	}
	s = find_set(n);
	if (!s) {
		errno = ENOENT;
		return -1;
	}
	for (e = s->fds; e; e = e->next) {
		int fl = fcntl(e->fd, F_GETFL);

		if (fl == -1)
			return -1;
		if ((fl & O_ACCMODE) == (flags & O_ACCMODE))
			return fcntl(e->fd, F_DUPFD_CLOEXEC, 0);
	}
	errno = EACCES;
	return -1;
}

static bool add_inherited(const struct add_fd_spec *a)
{
	int dupfd = fcntl(a->fd, F_DUPFD_CLOEXEC, 0);
	Error *err = NULL;
	AddfdInfo *info;

	if (dupfd < 0) {
		fprintf(stderr, "tinyvmm: -add-fd: error duplicating fd: %s\n", strerror(errno));
		return false;
	}
	info = set_add(dupfd, true, a->set, a->has_opaque ? a->opaque : NULL, &err);
	if (!info) {
		fprintf(stderr, "tinyvmm: -add-fd: %s\n", error_get_pretty(err));
		error_free(err);
		close(dupfd);
		return false;
	}
	AddfdInfo_free(info);
	return true;
}

bool monitor_fdsets_add_inherited(const struct vm_config *cfg)
{
	int i, j;

	for (i = 0; i < cfg->nr_add_fd; i++)
		if (!add_inherited(&cfg->add_fd[i]))
			return false;
	for (i = 0; i < cfg->nr_add_fd; i++) { /* only the duplicates stay */
		for (j = 0; j < i && cfg->add_fd[j].fd != cfg->add_fd[i].fd; j++)
			;
		if (j == i)
			close(cfg->add_fd[i].fd);
	}
	return true;
}

void monitor_fdsets_free(void)
{
	struct fdset *s;
	struct set_fd *e;

	while ((s = fdsets)) {
		while ((e = s->fds)) {
			s->fds = e->next;
			set_fd_free(e);
		}
		fdsets = s->next;
		free(s);
	}
}
