/* The QMP monitor: listeners and clients on the main loop, negotiation, dispatch, events. */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "monitor/error.h"

struct machine;
struct vm_config;
struct mainloop;

/*
 * Opens every -qmp listener of cfg on loop and hooks the machine's run-state
 * events; a wait=on listener serves the main loop until its first client connects.
 * Call before machine_start(), with the big lock. False with a message printed.
 */
bool monitor_start(struct machine *m, const struct vm_config *cfg, struct mainloop *loop);
/*
 * After the main loop, big lock held: closes the listeners (their sockets are removed) and lets
 * each client have its queued replies and EOF; monitor_flushed() once all have gone.
 */
void monitor_shutdown(void);
bool monitor_flushed(void);
/* Closes whatever is left. */
void monitor_stop(void);
/* The machine the qmp_* handlers act on (NULL before monitor_start). */
struct machine *monitor_machine(void);
/*
 * What runs human-monitor-command's line with vCPU cpu_index selected (-1: the default) and returns
 * the malloc'd output (NULL: out of memory): hmp/'s interpreter, registered by the program at
 * start-up, as monitor/ does not link hmp/. Without one, the command fails.
 */
typedef char *hmp_backend_fn(const char *line, int cpu_index);
void qmp_set_hmp_backend(hmp_backend_fn *run);

/*
 * Guest memory as the monitor reads it (QMP's x-read-memory, HMP's x and xp): len bytes at addr
 * into buf, guest-virtual through vCPU cpu's page tables (the vCPUs parked meanwhile, no event),
 * else guest-physical. False with errp set ("Invalid addr ... specified", or a bad cpu).
 */
bool memory_read(struct machine *m, uint64_t addr, uint64_t len, bool virt, int64_t cpu, void *buf,
		 Error **errp);

#endif
