/* info mtree: x-query-mtree's address spaces as QEMU prints them. */
#include <inttypes.h>

#include "hmp/hmp-int.h"
#include "qapi-commands.h"

void hmp_cmd_info_mtree(HmpOut *out, json_object *args, Error **errp)
{
	MtreeAddressSpaceList *spaces = qmp_x_query_mtree(errp), *as;
	const MtreeRangeList *l;

	for (as = spaces; as; as = as->next) {
		if (as != spaces)
			hmp_printf(out, "\n");
		hmp_printf(out, "address-space: %s\n", as->value->name);
		for (l = as->value->ranges; l; l = l->next) {
			const MtreeRange *r = l->value;

			hmp_printf(out, "  %016" PRIx64 "-%016" PRIx64 " (prio 0, %s): %s%s",
				   r->start, r->end, r->type, r->has_alias ? "alias " : "",
				   r->name);
			if (r->has_alias)
				hmp_printf(out, " @%s %016" PRIx64 "-%016" PRIx64, r->alias,
					   r->alias_offset, r->alias_offset + r->end - r->start);
			hmp_printf(out, "\n");
		}
	}
	MtreeAddressSpaceList_free(spaces);
}
