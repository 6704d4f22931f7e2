/* libFuzzer target: bytes into a negotiated QMP session (reader, dispatch, handlers, writer) with
 * one real VM behind it. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hmp/hmp.h"
#include "monitor/json-out.h"
#include "monitor/json-reader.h"
#include "monitor/monitor.h"
#include "monitor/pmemaccess.h"
#include "monitor/qmp-internal.h"
#include "vmm/cli.h"
#include "vmm/machine.h"
#include "vmm/mainloop.h"

/*
 * Host side effects are neutralised at link time (-Wl,--wrap, see meson.build):
 * files and unix sockets may only be created, renamed or removed by plain name
 * inside the private temporary directory the process runs in (anything with a
 * '/' fails with EACCES); RLIMIT_FSIZE bounds each file. `quit` (and a guest
 * shutdown) only stop the main loop: the loop thread is joined, the machine
 * reset and the loop restarted before the next input.
 */
int __real_mkostemp(char *tmpl, int flags);
int __real_mkostemp64(char *tmpl, int flags);
int __real_rename(const char *from, const char *to);
int __real_unlink(const char *path);
int __real_bind(int fd, const struct sockaddr *sa, socklen_t len);
int __wrap_mkostemp(char *tmpl, int flags);
int __wrap_mkostemp64(char *tmpl, int flags);
int __wrap_rename(const char *from, const char *to);
int __wrap_unlink(const char *path);
int __wrap_bind(int fd, const struct sockaddr *sa, socklen_t len);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FILE_LIMIT (64u << 20)

static bool local(const char *path)
{
	if (path && *path && !strchr(path, '/'))
		return true;
	errno = EACCES;
	return false;
}

int __wrap_mkostemp(char *tmpl, int flags)
{
	return local(tmpl) ? __real_mkostemp(tmpl, flags) : -1;
}

/* with _FILE_OFFSET_BITS=64 (meson's default) glibc's headers make mkostemp() mkostemp64() */
int __wrap_mkostemp64(char *tmpl, int flags)
{
	return local(tmpl) ? __real_mkostemp64(tmpl, flags) : -1;
}

int __wrap_rename(const char *from, const char *to)
{
	return local(from) && local(to) ? __real_rename(from, to) : -1;
}

int __wrap_unlink(const char *path)
{
	return local(path) ? __real_unlink(path) : -1;
}

int __wrap_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (sa->sa_family == AF_UNIX && !local(((const struct sockaddr_un *)sa)->sun_path))
		return -1;
	if (sa->sa_family != AF_UNIX) {
		errno = EACCES; /* no network listeners from fuzz input */
		return -1;
	}
	return __real_bind(fd, sa, len);
}

static struct vm_config cfg;
static struct machine m;
static struct mainloop *loop;
static pthread_t loop_thread;
static int kick_fd = -1;
static struct watch *kick_watch; /* kept: LeakSanitizer cannot see epoll's copy */
static char dir[4096];

static void on_kick(int fd, uint32_t events, void *opaque)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* nothing to drain */
	}
}

static pthread_cond_t started_cond = PTHREAD_COND_INITIALIZER;
static bool started;

static void *loop_main(void *opaque)
{
	pthread_mutex_lock(&m.lock);
	started = true;
	pthread_cond_signal(&started_cond);
	mainloop_run(loop); /* clears the quit flag before it first drops the lock */
	pthread_mutex_unlock(&m.lock);
	return NULL;
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz-qmp: %s\n", what);
	exit(1);
}

/* Starts the main loop thread; returns once it waits in the loop (so a quit is seen). */
static void loop_start(void)
{
	pthread_mutex_lock(&m.lock);
	started = false;
	if (pthread_create(&loop_thread, NULL, loop_main, NULL))
		die("cannot start the main loop thread");
	while (!started)
		pthread_cond_wait(&started_cond, &m.lock);
	pthread_mutex_unlock(&m.lock);
}

static void empty_dir(void)
{
	struct dirent *e;
	DIR *d = opendir(".");

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			__real_unlink(e->d_name);
	if (d)
		closedir(d);
}

static void remove_dir(void)
{
	empty_dir();
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const args[] = {
		"tinyvmm", "-m", "32M", "-smp", "2", "-serial", "none"
	};
	struct rlimit fsize = { FILE_LIMIT, FILE_LIMIT };
	char err[256];

	snprintf(dir, sizeof(dir), "%s/tvmm-fuzz-qmp-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir) || chdir(dir) < 0)
		die("cannot make a private temporary directory");
	atexit(remove_dir);
	signal(SIGXFSZ, SIG_IGN); /* writes past FILE_LIMIT fail with EFBIG instead */
	signal(SIGPIPE, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &fsize);
	if (cli_parse((int)(sizeof(args) / sizeof(args[0])), args, &cfg, err, sizeof(err)) !=
	    CLI_RUN)
		die(err);
	loop = mainloop_new(&m.lock);
	if (!loop || !machine_create(&m, &cfg, loop) || !monitor_start(&m, &cfg, loop))
		die("cannot create the VM (is /dev/kvm usable?)");
	m.stay_on_error = true;
	qmp_set_hmp_backend(hmp_run_line); /* as main.c does */
	kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (kick_fd < 0 || !(kick_watch = mainloop_add_fd(loop, kick_fd, EPOLLIN, on_kick, NULL)))
		die("eventfd");
	pthread_mutex_lock(&m.lock);
	if (!machine_start(&m))
		die("cannot start the vCPUs");
	pthread_mutex_unlock(&m.lock);
	loop_start();
	return 0;
}

static bool on_value(void *opaque, json_object *obj, const char *error)
{
	struct qmp_session *s = opaque;
	json_object *rsp;
	size_t len;
	char *line;

	rsp = error ? qmp_error_response(ERROR_CLASS_GENERIC_ERROR, error) : qmp_dispatch(s, obj);
	json_object_put(obj);
	if (rsp) {
		line = json_out_line(rsp, false, &len);
		if (!line || len < 2 || line[len - 2] != '\r' || line[len - 1] != '\n')
			abort(); /* every reply is one CRLF-terminated line */
		free(line);
	}
	json_object_put(rsp);
	return true;
}

/* Back to a running machine, a live main loop and an empty directory. */
static void restore(void)
{
	uint64_t one = 1;

	if (m.state == RUN_STATE_SHUTDOWN) {
		/* quit (or a guest shutdown) asked the main loop to end: let it, then restart */
		if (write(kick_fd, &one, sizeof(one)) < 0)
			die("kick");
		pthread_join(loop_thread, NULL);
		pthread_mutex_lock(&m.lock);
		/* a shutdown is final (vm_set_state): the harness stands in for a new process */
		m.state = RUN_STATE_PAUSED;
		vm_reset(&m, false, SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
		pthread_mutex_unlock(&m.lock);
		loop_start();
	}
	pthread_mutex_lock(&m.lock);
	if (m.state != RUN_STATE_RUNNING && m.state != RUN_STATE_SHUTDOWN)
		vm_cont(&m);
	pmemaccess_stop_all();
	pthread_mutex_unlock(&m.lock);
	empty_dir();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qmp_session s = { .negotiated = true };
	struct json_reader rd;
	size_t done = 0;

	if (!json_reader_init(&rd))
		die("json_reader_init");
	pthread_mutex_lock(&m.lock);
	while (done < size)
		done += json_reader_feed(&rd, (const char *)data + done, size - done, on_value, &s);
	pthread_mutex_unlock(&m.lock);
	json_reader_destroy(&rd);
	restore();
	return 0;
}
