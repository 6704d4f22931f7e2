/* tinyvmm's entry point: command line, machine, monitors, main loop, and one teardown ladder. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "vmm/chardev.h"
#include "vmm/cli.h"
#include "vmm/gdbstub.h"
#include "vmm/machine.h"
#include "vmm/mainloop.h"
#include "vmm/vcpu.h"
#include "hmp/hmp.h"
#include "hmp/readline.h"
#include "monitor/introspection.h"
#include "monitor/monitor.h"

#define FLUSH_MS 2000 /* how long the last replies and guest output may take at exit */

static void on_signal(int fd, uint32_t events, void *opaque)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	vm_shutdown(opaque, false, SHUTDOWN_CAUSE_HOST_SIGNAL, 0);
}

/* SIGINT/SIGTERM/SIGHUP arrive through a signalfd on the main loop; vCPU threads never see them. */
static int block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static bool timed_out;

static void on_flush_timeout(int fd, uint32_t events, void *opaque)
{
	timed_out = true;
}

static bool flushed(void *opaque)
{
	struct machine *m = opaque;
	bool done = monitor_flushed() && hmp_flushed() && gdbstub_flushed();

	for (int i = 0; i < m->nr_chardevs; i++) /* -serial's, -debugcon's, the devices' */
		done = done && chardev_flushed(m->chardevs[i].chr);
	return timed_out || done;
}

/* wait=on server sockets: the first client of each, before the vCPUs start (as QEMU's). */
static bool wait_chardevs(struct machine *m)
{
	bool ok = true;

	for (int i = 0; ok && i < m->nr_chardevs; i++)
		ok = chardev_wait(m->chardevs[i].chr);
	return ok;
}

/* Lets clients have their last replies and the guest's last output, for FLUSH_MS at most. */
static void flush_outputs(struct machine *m)
{
	struct watch *timer = mainloop_add_timer(m->loop, FLUSH_MS, on_flush_timeout, NULL);

	monitor_shutdown();
	hmp_shutdown();
	gdbstub_shutdown();
	if (timer)
		mainloop_run_until(m->loop, flushed, m);
	mainloop_remove(m->loop, timer);
}

static bool start_gdb(struct machine *m, const struct vm_config *cfg)
{
	char err[300];

	if (!cfg->has_gdb || gdbstub_start(m, &cfg->gdb, err, sizeof(err)))
		return true;
	fprintf(stderr, "tinyvmm: -gdb: %s\n", err);
	return false;
}

int main(int argc, char **argv)
{
	static struct vm_config cfg;
	static struct machine m;
	struct mainloop *loop;
	struct watch *sig_watch = NULL;
	char err[512];
	int sfd, code = 1;

	switch (cli_parse(argc, (const char *const *)argv, &cfg, err, sizeof(err))) {
	case CLI_EXIT_OK:
		return 0;
	case CLI_ERROR:
		fprintf(stderr, "tinyvmm: %s\n%s", err, cli_try_help());
		return 1;
	case CLI_RUN:
		break;
	}
	sfd = block_signals();
	loop = mainloop_new(&m.lock);
	if (sfd < 0 || !loop) {
		perror("tinyvmm: start-up");
		return 1;
	}
	if (!machine_create(&m, &cfg, loop)) {
		machine_destroy(&m);
		mainloop_free(loop);
		return 1;
	}
	m.stay_on_error = cfg.nr_qmp > 0 || cfg.nr_monitor > 0;
	qmp_set_hmp_backend(hmp_run_line); /* human-monitor-command runs HMP's interpreter */
	/* The big lock is held from here on, but while the loop sleeps: a wait=on socket serves the
	 * loop at start-up, so that a signal ends that wait too. */
	pthread_mutex_lock(&m.lock);
	sig_watch = mainloop_add_fd(loop, sfd, EPOLLIN, on_signal, &m);
	if (sig_watch && wait_chardevs(&m) && monitor_start(&m, &cfg, loop) &&
	    hmp_start(&m, &cfg, loop, hmp_readline_editor()) && start_gdb(&m, &cfg) &&
	    !mainloop_quitting(loop) && machine_start(&m)) {
		mainloop_run(loop);
		code = m.exit_code;
	} else if (mainloop_quitting(loop)) {
		code = m.exit_code; /* a signal while waiting for a client */
	}
	/* The teardown ladder: vCPUs end first, so only this thread touches devices afterwards. */
	pthread_mutex_unlock(&m.lock);
	vcpu_join_all(&m);
	pthread_mutex_lock(&m.lock);
	introspection_stop(); /* cancels a detached dump, joins it and the pmemaccess threads */
	flush_outputs(&m);
	hmp_stop();
	monitor_stop();
	gdbstub_stop();
	mainloop_remove(loop, sig_watch);
	pthread_mutex_unlock(&m.lock);
	machine_destroy(&m);
	mainloop_free(loop);
	close(sfd);
	return code;
}
