/* Introspection services that outlive a command: detached dumps and pmemaccess servers. */
#ifndef MONITOR_INTROSPECTION_H
#define MONITOR_INTROSPECTION_H

#include "monitor/pmemaccess.h"

/*
 * After the main loop has ended and before machine_destroy() unmaps RAM: cancels and joins
 * a detached dump (its file is not created) and closes the pmemaccess servers (their sockets
 * are removed). Idempotent; with or without the big lock.
 */
void introspection_stop(void);

#endif
