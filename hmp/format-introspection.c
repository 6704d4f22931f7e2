/* gva2gpa and info dump: the introspection commands' results as QEMU's HMP prints them. */
#include <inttypes.h>

#include "hmp/hmp-int.h"
#include "qapi-commands.h"

/* QEMU prints with %#: "gpa: 0x5000", and "gpa: 0" for zero; "Unmapped" otherwise. */
void hmp_format_x_gva2gpa(HmpOut *out, const GvaToGpaInfo *ret)
{
	if (!ret->mapped)
		hmp_printf(out, "Unmapped\n");
	else
		hmp_printf(out, "gpa: %#" PRIx64 "\n", ret->gpa);
}

void hmp_format_query_dump(HmpOut *out, const DumpQueryResult *ret)
{
	hmp_printf(out, "Status: %s\n", DumpStatus_str[ret->status]);
	if (ret->status == DUMP_STATUS_ACTIVE && ret->total > 0)
		hmp_printf(out, "Finished: %.2f %%\n",
			   100.0 * (double)ret->completed / (double)ret->total);
}
