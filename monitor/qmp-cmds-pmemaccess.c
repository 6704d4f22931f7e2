/* QMP pmemaccess: starts a LibVMI memory-access server on a unix socket (monitor/pmemaccess.c). */
#include "monitor/monitor.h"
#include "monitor/pmemaccess.h"
#include "qapi-commands.h"

void qmp_pmemaccess(const char *path, Error **errp)
{
	pmemaccess_start(monitor_machine(), path, errp);
}
