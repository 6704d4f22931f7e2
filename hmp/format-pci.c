/* info pci: query-pci's functions in QEMU 7.2's text; a PCI device's lines in info qtree. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hmp/hmp-int.h"
#include "qapi-hmp.h"

static void device(HmpOut *out, const PciDeviceInfo *d)
{
	const PciMemoryRegionList *l;

	hmp_printf(out, "  Bus %2" PRId64 ", device %3" PRId64 ", function %" PRId64 ":\n", d->bus,
		   d->slot, d->function);
	if (d->class_info->has_desc)
		hmp_printf(out, "    %s", d->class_info->desc);
	else
		hmp_printf(out, "    Class %04" PRId64, d->class_info->class);
	hmp_printf(out, ": PCI device %04" PRIx64 ":%04" PRIx64 "\n", d->id->vendor, d->id->device);
	if (d->id->has_subsystem_vendor && d->id->has_subsystem)
		hmp_printf(out, "      PCI subsystem %04" PRIx64 ":%04" PRIx64 "\n",
			   d->id->subsystem_vendor, d->id->subsystem);
	if (d->has_irq)
		hmp_printf(out, "      IRQ %" PRId64 ", pin %c\n", d->irq,
			   (char)('A' + d->irq_pin - 1));
	for (l = d->regions; l; l = l->next) {
		const PciMemoryRegion *r = l->value;
		uint64_t addr = (uint64_t)r->address, last = addr + (uint64_t)r->size - 1;

		hmp_printf(out, "      BAR%" PRId64 ": ", r->bar);
		if (!strcmp(r->type, "io"))
			hmp_printf(out, "I/O at 0x%04" PRIx64 " [0x%04" PRIx64 "].\n", addr, last);
		else
			hmp_printf(out, "%d bit%s memory at 0x%08" PRIx64 " [0x%08" PRIx64 "].\n",
				   r->mem_type_64 ? 64 : 32, r->prefetch ? " prefetchable" : "",
				   addr, last);
	}
	hmp_printf(out, "      id \"%s\"\n", d->qdev_id);
}

void hmp_format_query_pci(HmpOut *out, const PciInfoList *ret)
{
	for (; ret; ret = ret->next)
		for (const PciDeviceInfoList *d = ret->value->devices; d; d = d->next)
			device(out, d->value);
}

/* QEMU's pcibus_dev_print(): the function at addr ("SS.F", as the device's addr property says
 * once realized) from query-pci: its class, address and IDs, then where each BAR decodes. */
void hmp_qtree_pci_dev(HmpOut *out, const char *addr, int indent)
{
	unsigned slot, fn;
	PciInfoList *buses;

	if (sscanf(addr, "%x.%x", &slot, &fn) != 2 || !(buses = qmp_query_pci(NULL)))
		return;
	for (const PciDeviceInfoList *l = buses->value->devices; l; l = l->next) {
		const PciDeviceInfo *d = l->value;
		const PciDeviceId *id = d->id;
		char cls[32];

		if (d->slot != slot || d->function != fn)
			continue;
		snprintf(cls, sizeof(cls), "Class %04" PRIx64, d->class_info->class);
		hmp_printf(out,
			   "%*sclass %s, addr %02" PRIx64 ":%02x.%x, pci id %04" PRIx64
			   ":%04" PRIx64 " (sub %04" PRIx64 ":%04" PRIx64 ")\n",
			   indent, "", d->class_info->has_desc ? d->class_info->desc : cls, d->bus,
			   slot, fn, id->vendor, id->device, id->subsystem_vendor, id->subsystem);
		for (const PciMemoryRegionList *r = d->regions; r; r = r->next)
			hmp_printf(out, "%*sbar %" PRId64 ": %s at 0x%" PRIx64 " [0x%" PRIx64 "]\n",
				   indent, "", r->value->bar,
				   strcmp(r->value->type, "io") ? "mem" : "i/o",
				   (uint64_t)r->value->address,
				   (uint64_t)r->value->address + (uint64_t)r->value->size - 1);
	}
	PciInfoList_free(buses);
}
