/* tinyvmm's entry point: command line, machine, monitors, main loop, clean exit. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "vmm/cli.h"
#include "vmm/machine.h"
#include "vmm/mainloop.h"
#include "hmp/hmp.h"
#include "hmp/readline.h"
#include "monitor/introspection.h"
#include "monitor/monitor.h"

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

int main(int argc, char **argv)
{
	static struct vm_config cfg;
	static struct machine m;
	struct mainloop *loop;
	struct watch *sig_watch;
	char err[512];
	int sfd, code;

	switch (cli_parse(argc, (const char *const *)argv, &cfg, err, sizeof(err))) {
	case CLI_EXIT_OK:
		return 0;
	case CLI_ERROR:
		fprintf(stderr, "tinyvmm: %s\nTry 'tinyvmm -h' for more information.\n", err);
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
		return 1;
	}
	m.stay_on_error = cfg.nr_qmp > 0 || cfg.nr_monitor > 0;
	sig_watch = mainloop_add_fd(loop, sfd, EPOLLIN, on_signal, &m);
	if (!monitor_start(&m, &cfg, loop)) {
		monitor_stop();
		machine_destroy(&m);
		mainloop_remove(loop, sig_watch);
		mainloop_free(loop);
		return 1;
	}
	if (!hmp_start(&m, &cfg, loop, hmp_readline_editor())) {
		hmp_stop();
		monitor_stop();
		machine_destroy(&m);
		return 1;
	}

	pthread_mutex_lock(&m.lock);
	if (machine_start(&m))
		mainloop_run(loop);
	else
		m.exit_code = 1;
	hmp_stop(); /* with the lock: vCPUs may still write to a muxed serial port */
	pthread_mutex_unlock(&m.lock);
	introspection_stop(); /* joins a detached dump before RAM goes */
	monitor_stop();

	code = m.exit_code;
	machine_destroy(&m);
	mainloop_remove(loop, sig_watch); /* freed by mainloop_free (LeakSanitizer) */
	mainloop_free(loop);
	close(sfd);
	return code;
}
