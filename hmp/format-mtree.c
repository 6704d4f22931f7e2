/* info mtree: x-query-mtree's address spaces as QEMU prints them. */
#include <inttypes.h>

#include "hmp/hmp-int.h"

static const char *str(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

void hmp_cmd_info_mtree(HmpOut *out, json_object *args, Error **errp)
{
	json_object *spaces = hmp_call_qmp("x-query-mtree", NULL, errp);
	size_t i, j, n, m;

	if (!spaces)
		return;
	n = json_object_is_type(spaces, json_type_array) ? json_object_array_length(spaces) : 0;
	for (i = 0; i < n; i++) {
		json_object *as = json_object_array_get_idx(spaces, i), *ranges = NULL;

		if (i)
			hmp_printf(out, "\n");
		hmp_printf(out, "address-space: %s\n", str(as, "name"));
		json_object_object_get_ex(as, "ranges", &ranges);
		m = ranges ? json_object_array_length(ranges) : 0;
		for (j = 0; j < m; j++) {
			json_object *r = json_object_array_get_idx(ranges, j);
			const char *alias = str(r, "alias");
			bool aliased = *alias;

			hmp_printf(out, "  %016" PRIx64 "-%016" PRIx64 " (prio 0, %s): %s%s",
				   hmp_json_u64(r, "start"), hmp_json_u64(r, "end"), str(r, "type"),
				   aliased ? "alias " : "", str(r, "name"));
			if (aliased) {
				uint64_t off = hmp_json_u64(r, "alias-offset");

				hmp_printf(out, " @%s %016" PRIx64 "-%016" PRIx64, alias, off,
					   off + hmp_json_u64(r, "end") - hmp_json_u64(r, "start"));
			}
			hmp_printf(out, "\n");
		}
	}
	json_object_put(spaces);
}
