/* x-gdbserver, for HMP's gdbserver: the gdb stub started, moved or stopped. */
#include <stdio.h>
#include <string.h>

#include "monitor/monitor.h"
#include "qapi-commands.h"
#include "vmm/gdbstub.h"

char *qmp_x_gdbserver(bool has_device, const char *device, Error **errp)
{
	struct chardev_spec spec;
	char err[300], *line;

	if (!has_device)
		device = "tcp::1234";
	if (!strcmp(device, "none")) {
		gdbstub_start(monitor_machine(), NULL, err, sizeof(err));
		return strdup("Disabled gdbserver");
	}
	if (!gdbstub_parse(device, &spec, err, sizeof(err)) ||
	    !gdbstub_start(monitor_machine(), &spec, err, sizeof(err))) {
		error_setg(errp, "Could not open gdbserver on device '%s': %s", device, err);
		return NULL;
	}
	line = zalloc(strlen(device) + 64, errp);
	if (line)
		sprintf(line, "Waiting for gdb connection on device '%s'", device);
	return line;
}
