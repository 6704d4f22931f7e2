/* query-pci: bus 0's functions as their config space says now, in QEMU 7.2's shape. */
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"
#include "vmm/dev/pci-host.h"
#include "vmm/le.h"

/* The class names QEMU's info pci uses for the classes tinyvmm's functions can have. */
static const struct {
	uint16_t cls;
	const char *desc;
} class_names[] = {
	{ 0x0101, "IDE controller" }, { 0x0200, "Ethernet controller" },
	{ 0x0300, "VGA controller" }, { 0x0600, "Host bridge" },
	{ 0x0601, "ISA bridge" },     { 0x0604, "PCI bridge" },
	{ 0x0680, "Bridge" },
};

static PciMemoryRegionList *regions(const struct pci_device *d)
{
	PciMemoryRegionList *head = NULL, **tail = &head;

	for (int i = 0; i < PCI_NR_BARS; i++) {
		const struct pci_bar *b = &d->bars[i];
		PciMemoryRegion *r;

		if (b->kind == PCI_BAR_NONE)
			continue;
		r = PciMemoryRegionList_append(&tail, NULL);
		if (!r || !(r->type = strdup(b->kind == PCI_BAR_IO ? "io" : "memory"))) {
			PciMemoryRegionList_free(head);
			return NULL;
		}
		r->bar = i;
		r->address = (int64_t)pci_bar_address(d, i); /* -1 where it decodes nothing */
		r->size = (int64_t)b->size;
		r->has_prefetch = r->has_mem_type_64 = b->kind != PCI_BAR_IO;
	}
	return head;
}

/* Fills info (linked in the result: freed with it); false when out of memory. */
static bool device_info(PciDeviceInfo *info, const struct pci_device *d)
{
	uint16_t cls = le_get(d->config + PCI_CLASS_DEVICE, 2);

	if (!(info->class_info = calloc(1, sizeof(*info->class_info))) ||
	    !(info->id = calloc(1, sizeof(*info->id))) || !(info->qdev_id = strdup(d->id)))
		return false;
	info->bus = 0;
	info->slot = PCI_SLOT(d->devfn);
	info->function = PCI_FUNC(d->devfn);
	info->class_info->class = cls;
	for (size_t i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
		if (class_names[i].cls == cls &&
		    !(info->class_info->desc = strdup(class_names[i].desc)))
			return false;
	info->class_info->has_desc = info->class_info->desc != NULL;
	info->id->vendor = le_get(d->config + PCI_VENDOR_ID, 2);
	info->id->device = le_get(d->config + PCI_DEVICE_ID, 2);
	info->id->has_subsystem = info->id->has_subsystem_vendor = true;
	info->id->subsystem = le_get(d->config + PCI_SUBSYSTEM_ID, 2);
	info->id->subsystem_vendor = le_get(d->config + PCI_SUBSYSTEM_VENDOR_ID, 2);
	info->irq_pin = d->config[PCI_INTERRUPT_PIN];
	info->has_irq = info->irq_pin != 0;
	info->irq = d->config[PCI_INTERRUPT_LINE];
	for (int i = 0; i < PCI_NR_BARS; i++)
		if (d->bars[i].kind != PCI_BAR_NONE) /* the list of every BAR, once */
			return (info->regions = regions(d)) != NULL;
	return true;
}

PciInfoList *qmp_query_pci(Error **errp)
{
	struct pci_host *h = monitor_machine()->pci;
	PciInfoList *list = NULL, **ltail = &list;
	PciInfo *bus = PciInfoList_append(&ltail, NULL);
	PciDeviceInfoList **tail = bus ? &bus->devices : NULL;

	if (!bus)
		goto oom;
	for (int f = 0; h && f < PCI_NR_DEVFN; f++) { /* no host bridge: an empty bus 0 */
		PciDeviceInfo *info;

		if (!h->bus.devs[f])
			continue;
		info = PciDeviceInfoList_append(&tail, NULL);
		if (!info || !device_info(info, h->bus.devs[f]))
			goto oom;
	}
	return list;
oom:
	PciInfoList_free(list);
	error_setg(errp, "Out of memory");
	return NULL;
}
