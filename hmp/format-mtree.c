/* info mtree: x-query-mtree's address spaces in QEMU's shape (a root region per address space,
 * every vCPU's cpu-memory-N sharing memory's tree, the RAM that aliases point into). */
#include <inttypes.h>
#include <string.h>

#include "hmp/hmp-int.h"
#include "monitor/monitor.h"
#include "qapi-commands.h"
#include "vmm/machine.h"

/* One line: indent, range, priority and kind, the name, and an alias's target. */
static void range(HmpOut *out, int indent, const MtreeRange *r)
{
	hmp_printf(out, "%*s%016" PRIx64 "-%016" PRIx64 " (prio 0, %s): %s%s", indent, "", r->start,
		   r->end, r->type, r->has_alias ? "alias " : "", r->name);
	if (r->has_alias)
		hmp_printf(out, " @%s %016" PRIx64 "-%016" PRIx64, r->alias, r->alias_offset,
			   r->alias_offset + r->end - r->start);
	hmp_printf(out, "\n");
}

/* The root region of an address space and its ranges one level down. */
static void space(HmpOut *out, const MtreeAddressSpace *as, const char *root, uint64_t end)
{
	const MtreeRange top = {
		.start = 0, .end = end, .type = (char *)"i/o", .name = (char *)root
	};
	const MtreeRangeList *l;

	range(out, 2, &top);
	for (l = as->ranges; l; l = l->next)
		range(out, 4, l->value);
	hmp_printf(out, "\n");
}

void hmp_cmd_info_mtree(HmpOut *out, json_object *args, Error **errp)
{
	MtreeAddressSpaceList *spaces = qmp_x_query_mtree(errp), *as;
	int i, n = monitor_machine()->nr_vcpus;
	uint64_t ram = 0;

	for (as = spaces; as; as = as->next) {
		const MtreeRangeList *l;

		if (strcmp(as->value->name, "I/O")) {
			for (i = 0; i < n; i++) /* QEMU: each vCPU's view shares memory's root */
				hmp_printf(out, "address-space: cpu-memory-%d\n", i);
			hmp_printf(out, "address-space: memory\n");
			space(out, as->value, "system", UINT64_MAX);
			for (l = as->value->ranges; l; l = l->next)
				if (!strcmp(l->value->type, "ram"))
					ram += l->value->end - l->value->start + 1;
		} else {
			hmp_printf(out, "address-space: I/O\n");
			space(out, as->value, "io", 0xffff);
		}
	}
	if (ram) /* the region the RAM aliases point into */
		hmp_printf(out,
			   "memory-region: pc.ram\n  %016" PRIx64 "-%016" PRIx64
			   " (prio 0, ram): pc.ram\n\n",
			   (uint64_t)0, ram - 1);
	MtreeAddressSpaceList_free(spaces);
}
