/* x-query-mtree: the guest-physical and port address spaces, for HMP's info mtree. */
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"

/* Appends one range; false when out of memory. */
static bool add(MtreeRangeList ***tail, uint64_t start, uint64_t size, const char *type,
		const char *name, const char *alias, uint64_t alias_offset)
{
	MtreeRange *r = MtreeRangeList_append(tail, NULL);

	if (!r)
		return false;
	r->start = start;
	r->end = start + (size - 1);
	r->has_alias = r->has_alias_offset = alias != NULL;
	r->alias_offset = alias_offset;
	return (r->type = strdup(type)) && (r->name = strdup(name)) &&
	       (!alias || (r->alias = strdup(alias)));
}

/* In address order: RAM (QEMU's ram-below-4g and ram-above-4g aliases of pc.ram) and the MMIO
 * ranges between and above. */
static bool memory_ranges(struct machine *m, MtreeRangeList ***tail)
{
	static const char *const ram_names[] = { "ram-below-4g", "ram-above-4g" };
	const struct guest_mem *gm = &m->mem;
	const struct iospace *s = &m->mmio;
	int i = 0, r;

	for (r = 0; r <= gm->nr_regions; r++) {
		const struct mem_region *g = r < gm->nr_regions ? &gm->regions[r] : NULL;

		for (; i < s->nr && (!g || s->ranges[i].base < g->gpa); i++)
			if (!add(tail, s->ranges[i].base, s->ranges[i].size, "i/o",
				 s->ranges[i].name, NULL, 0))
				return false;
		if (!g)
			break;
		if (!add(tail, g->gpa, g->size, "ram", ram_names[r & 1], "pc.ram",
			 r ? gm->regions[0].size : 0))
			return false;
	}
	return true;
}

static bool io_ranges(struct machine *m, MtreeRangeList ***tail)
{
	const struct iospace *s = &m->pio;
	int i;

	for (i = 0; i < s->nr; i++)
		if (!add(tail, s->ranges[i].base, s->ranges[i].size, "i/o", s->ranges[i].name, NULL,
			 0))
			return false;
	return true;
}

MtreeAddressSpaceList *qmp_x_query_mtree(Error **errp)
{
	static const char *const names[] = { "I/O", "memory" }; /* QEMU's order */
	struct machine *m = monitor_machine();
	MtreeAddressSpaceList *head = NULL, **tail = &head;
	size_t i;

	for (i = 0; i < 2; i++) {
		MtreeAddressSpace *as = MtreeAddressSpaceList_append(&tail, NULL);
		MtreeRangeList **rtail = as ? &as->ranges : NULL;

		if (!as || !(as->name = strdup(names[i])) ||
		    !(i == 0 ? io_ranges(m, &rtail) : memory_ranges(m, &rtail)))
			goto oom;
	}
	return head;
oom:
	MtreeAddressSpaceList_free(head);
	error_setg(errp, "Out of memory");
	return NULL;
}
