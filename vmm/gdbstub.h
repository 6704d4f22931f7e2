/* The gdb remote stub: -gdb DEV, -s and HMP gdbserver; one debugger at a time, vCPUs as threads. */
#ifndef VMM_GDBSTUB_H
#define VMM_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/chardev.h"

struct machine;

/*
 * Parses -gdb's DEV as QEMU does: a bare port is tcp::PORT, a tcp: device always listens
 * without waiting (",wait=off,server=on" appended), unix:PATH[,server=on,wait=off] as given.
 * False with a message in err.
 */
bool gdbstub_parse(const char *dev, struct chardev_spec *spec, char *err, size_t errlen);
/*
 * Serves gdb on spec (replacing a server already open, and its debugger); spec NULL ends it.
 * Main thread, big lock held. False with a message in err.
 */
bool gdbstub_start(struct machine *m, const struct chardev_spec *spec, char *err, size_t errlen);
/* At exit: the debugger gets its last packets and EOF (gdbstub_flushed() says when). */
void gdbstub_shutdown(void);
bool gdbstub_flushed(void);
/* Frees the server and its client. */
void gdbstub_stop(void);

#endif
