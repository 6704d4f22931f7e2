/* info qtree in QEMU 7.2's text (buses and their devices with their qdev properties), and
 * device_add's line ("driver[,prop=value][,...]") passed to the QMP command. */
#include <string.h>

#include "hmp/hmp-int.h"
#include "qapi-commands.h"
#include "vmm/qdev.h"

/* One qdev property as QEMU's qdev_print_props(): "name = value". */
static void print_prop(HmpOut *out, int indent, const struct object_prop *p)
{
	hmp_printf(out, "%*s%s = ", indent, "", p->def->name);
	switch (p->def->kind) {
	case PROP_BOOL:
		hmp_printf(out, "%s\n", p->val.b ? "true" : "false");
		break;
	case PROP_INT:
		hmp_printf(out, "%lld (0x%llx)\n", (long long)p->val.i,
			   (unsigned long long)p->val.i);
		break;
	case PROP_UINT:
		hmp_printf(out, "%llu (0x%llx)\n", (unsigned long long)p->val.u,
			   (unsigned long long)p->val.u);
		break;
	case PROP_STR:
		hmp_printf(out, "\"%s\"\n", p->val.s);
		break;
	case PROP_LINK:
		hmp_printf(out, "\"%s\"\n", p->val.obj ? p->val.obj->name : "");
		break;
	}
}

static void print_bus(HmpOut *out, struct object *bus, int indent);

/* A type's fixed lines (qtree_gpio, qtree_mmio), each at indent. */
static void print_lines(HmpOut *out, const char *lines, int indent)
{
	while (lines && *lines) {
		int len = (int)strcspn(lines, "\n");

		hmp_printf(out, "%*s%.*s\n", indent, "", len, lines);
		lines += len + (lines[len] == '\n');
	}
}

/* "dev: TYPE, id "ID"", its interrupt lines, the type's qdev properties in QEMU's order (the
 * type's own first, then its parents'), its bus's lines (MMIO regions, PCI's), then the buses it
 * makes. */
static void print_dev(HmpOut *out, struct object *dev, int indent)
{
	bool anon = !dev->parent || strcmp(dev->parent->name, "peripheral");

	hmp_printf(out, "%*sdev: %s, id \"%s\"\n", indent, "", dev->type->name,
		   anon ? "" : dev->name);
	print_lines(out, dev->type->qtree_gpio, indent + 2);
	for (const struct object_type *t = dev->type; t; t = object_type_parent(t))
		for (int q = 1, more = 1; more; q++) {
			more = 0;
			for (const struct prop_def *d = t->props; d && d->name; d++)
				if (d->qdev == q) {
					print_prop(out, indent + 2, object_prop_find(dev, d->name));
					more = 1;
				}
		}
	if (object_type_is(dev->type, "pci-device")) /* QEMU's PCI bus adds these */
		hmp_qtree_pci_dev(out, object_get_str(dev, "addr"), indent + 2);
	print_lines(out, dev->type->qtree_mmio, indent + 2);
	for (struct object *c = dev->children; c; c = c->next)
		if (object_type_is(c->type, "bus"))
			print_bus(out, c, indent + 2);
}

static void print_bus(HmpOut *out, struct object *bus, int indent)
{
	hmp_printf(out, "%*sbus: %s\n", indent, "", qdev_bus_name(bus));
	hmp_printf(out, "%*stype %s\n", indent + 2, "", bus->type->name);
	for (struct object *d = bus->bus_children; d; d = d->bus_next)
		print_dev(out, d, indent + 2);
}

void hmp_cmd_info_qtree(HmpOut *out, json_object *args, Error **errp)
{
	struct object *sys = qdev_system_bus();

	(void)args;
	if (sys)
		print_bus(out, sys, 0);
}

void hmp_cmd_device_add(HmpOut *out, json_object *args, Error **errp)
{
	json_object *v;
	const char *opts =
		json_object_object_get_ex(args, "device", &v) ? json_object_get_string(v) : "";
	char driver[256], bus[256], id[256];
	bool has_bus = device_opts_get(opts, "bus", bus, sizeof(bus)),
	     has_id = device_opts_get(opts, "id", id, sizeof(id));

	(void)out;
	device_opts_get(opts, NULL, driver, sizeof(driver));
	qmp_device_add(driver, has_bus, bus, has_id, id, errp);
}
