/* Every object type: QEMU's abstract bases, the machine, the CPU and the devices with their
 * properties. */
#include "vmm/object-types.h"

#include "vmm/dev/debug-ports.h"
#include "vmm/dev/power.h"

#define UINT32(n, v)                                                                              \
	{                                                                                         \
		.name = (n), .kind = PROP_UINT, .qtype = "uint32", .writable = true, .def.u = (v) \
	}
#define BOOL(n, v)                                                                              \
	{                                                                                       \
		.name = (n), .kind = PROP_BOOL, .qtype = "bool", .writable = true, .def.b = (v) \
	}
#define STR(n)                                                                  \
	{                                                                       \
		.name = (n), .kind = PROP_STR, .qtype = "str", .writable = true \
	}

static const struct object_type object = { .name = "object", .abstract = true };
static const struct object_type container = { .name = "container", .parent = "object" };
static const struct object_type machine = { .name = "machine",
					    .parent = "object",
					    .abstract = true };
static const struct object_type tinyvmm_machine = { .name = OBJECT_MACHINE_TYPE,
						    .parent = "machine" };

static const struct prop_def device_props[] = {
	{ .name = "realized", .kind = PROP_BOOL, .qtype = "bool" },
	{ .name = "hotplugged", .kind = PROP_BOOL, .qtype = "bool" },
	{ .name = "hotpluggable", .kind = PROP_BOOL, .qtype = "bool" },
	{ 0 },
};
static const struct object_type device = {
	.name = "device", .parent = "object", .abstract = true, .props = device_props
};
static const struct object_type isa_device = { .name = "isa-device",
					       .parent = "device",
					       .abstract = true };
static const struct object_type sys_bus_device = { .name = "sys-bus-device",
						   .parent = "device",
						   .abstract = true };

static const struct object_type cpu = { .name = "cpu", .parent = "device", .abstract = true };
static const struct object_type x86_64_cpu = { .name = "x86_64-cpu",
					       .parent = "cpu",
					       .abstract = true };
static const struct prop_def host_cpu_props[] = {
	{ .name = "apic-id", .kind = PROP_UINT, .qtype = "uint32", .writable = true },
	{ 0 },
};
static const struct object_type host_cpu = { .name = OBJECT_CPU_TYPE,
					     .parent = "x86_64-cpu",
					     .props = host_cpu_props };

/* Properties in QEMU's order. isa-serial as -serial's first: index 0 at COM1 (set at creation). */
static const struct prop_def isa_serial_props[] = {
	UINT32("irq", 4),
	UINT32("index", 0),
	UINT32("iobase", 0x3f8),
	BOOL("wakeup", false),
	STR("chardev"),
	UINT32("baudbase", 115200),
	{ 0 },
};
static const struct object_type isa_serial = { .name = "isa-serial",
					       .parent = "isa-device",
					       .props = isa_serial_props };

static const struct prop_def isa_debugcon_props[] = {
	UINT32("readback", DEBUGCON_PORT),
	STR("chardev"),
	UINT32("iobase", DEBUGCON_PORT),
	{ 0 },
};
static const struct object_type isa_debugcon = { .name = "isa-debugcon",
						 .parent = "isa-device",
						 .props = isa_debugcon_props };

static const struct prop_def isa_debug_exit_props[] = {
	UINT32("iobase", DEBUG_EXIT_PORT),
	UINT32("iosize", 2),
	{ 0 },
};
static const struct object_type isa_debug_exit = { .name = "isa-debug-exit",
						   .parent = "isa-device",
						   .props = isa_debug_exit_props };

static const struct prop_def i8042_props[] = {
	BOOL("extended-state", true),
	BOOL("kbd-throttle", false),
	{ 0 },
};
static const struct object_type i8042 = { .name = "i8042",
					  .parent = "isa-device",
					  .props = i8042_props };

static const struct object_type pit_common = { .name = "pit-common",
					       .parent = "isa-device",
					       .abstract = true };
static const struct prop_def kvm_pit_props[] = { UINT32("iobase", 0x40), { 0 } };
static const struct object_type kvm_pit = { .name = "kvm-pit",
					    .parent = "pit-common",
					    .props = kvm_pit_props };

static const struct object_type ioapic_common = { .name = "ioapic-common",
						  .parent = "sys-bus-device",
						  .abstract = true };
static const struct prop_def kvm_ioapic_props[] = { UINT32("gsi_base", 0), { 0 } };
static const struct object_type kvm_ioapic = { .name = "kvm-ioapic",
					       .parent = "ioapic-common",
					       .props = kvm_ioapic_props };

static const struct prop_def acpi_ged_props[] = { UINT32("ged-event", 0), { 0 } };
static const struct object_type acpi_ged = { .name = "acpi-ged",
					     .parent = "sys-bus-device",
					     .props = acpi_ged_props };

const struct object_type *const object_types[] = {
	&object,	 &container, &machine,	  &tinyvmm_machine, &device,	    &isa_device,
	&sys_bus_device, &cpu,	     &x86_64_cpu, &host_cpu,	    &isa_serial,    &isa_debugcon,
	&isa_debug_exit, &i8042,     &pit_common, &kvm_pit,	    &ioapic_common, &kvm_ioapic,
	&acpi_ged,
};
const int object_nr_types = sizeof(object_types) / sizeof(object_types[0]);
