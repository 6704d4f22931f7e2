/* info status: query-status as QEMU's hmp_info_status prints it. */
#include "hmp/hmp-int.h"
#include "qapi-commands.h"

void hmp_format_query_status(HmpOut *out, const StatusInfo *ret)
{
	hmp_printf(out, "VM status: %s%s", ret->running ? "running" : "paused",
		   ret->singlestep ? " (single step mode)" : "");
	if (!ret->running && ret->status != RUN_STATE_PAUSED)
		hmp_printf(out, " (%s)", RunState_str[ret->status]);
	hmp_printf(out, "\n");
}
