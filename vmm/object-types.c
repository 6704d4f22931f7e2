/* Every object type: QEMU's abstract bases, the machine, the CPU, the buses, and the devices of
 * vmm/dev/device-list.h. */
#include "vmm/object-types.h"

static const struct object_type object = { .name = "object", .abstract = true };
static const struct object_type container = { .name = "container", .parent = "object" };
static const struct object_type machine = { .name = "machine",
					    .parent = "object",
					    .abstract = true };
static const struct object_type tinyvmm_machine = { .name = OBJECT_MACHINE_TYPE,
						    .parent = "machine" };

static const struct prop_def bus_props[] = {
	{ .name = "realized", .kind = PROP_BOOL, .qtype = "bool" },
	{ 0 },
};
static const struct object_type bus = {
	.name = "bus", .parent = "object", .abstract = true, .props = bus_props
};
static const struct object_type system_bus = { .name = "System", .parent = "bus" };
static const struct object_type isa_bus = { .name = "ISA", .parent = "bus" };
static const struct object_type pci_bus = { .name = "PCI", .parent = "bus" };

static const struct prop_def device_props[] = {
	{ .name = "parent_bus", .kind = PROP_LINK, .qtype = "link<bus>" },
	{ .name = "realized", .kind = PROP_BOOL, .qtype = "bool" },
	{ .name = "hotplugged", .kind = PROP_BOOL, .qtype = "bool" },
	{ .name = "hotpluggable", .kind = PROP_BOOL, .qtype = "bool" },
	{ 0 },
};
static const struct object_type device = {
	.name = "device",
	.parent = "object",
	.abstract = true,
	.props = device_props,
};
static const struct object_type isa_device = {
	.name = "isa-device", .parent = "device", .abstract = true, .bus_type = "ISA"
};
static const struct object_type sys_bus_device = {
	.name = "sys-bus-device", .parent = "device", .abstract = true, .bus_type = "System"
};

static const struct object_type cpu = { .name = "cpu", .parent = "device", .abstract = true };
static const struct object_type x86_64_cpu = { .name = "x86_64-cpu",
					       .parent = "cpu",
					       .abstract = true };
static const struct prop_def host_cpu_props[] = {
	{ .name = "apic-id", .kind = PROP_UINT, .qtype = "uint32", .writable = true },
	{ 0 },
};
/* Made by the machine with its vCPU (no realize: not for -device). */
static const struct object_type host_cpu = { .name = OBJECT_CPU_TYPE,
					     .parent = "x86_64-cpu",
					     .props = host_cpu_props };

#define DEVICE(t) extern const struct object_type t;
#include "vmm/dev/device-list.h"
#undef DEVICE

#define DEVICE(t) &t,
const struct object_type *const object_types[] = {
	&object,  &container, &machine,	   &tinyvmm_machine, &bus, &system_bus, &isa_bus,
	&pci_bus, &device,    &isa_device, &sys_bus_device,  &cpu, &x86_64_cpu, &host_cpu,
#include "vmm/dev/device-list.h"
};
#undef DEVICE
const int object_nr_types = sizeof(object_types) / sizeof(object_types[0]);
