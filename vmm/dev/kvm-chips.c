/* The in-kernel PIT and IOAPIC as objects: kvm_open() creates the chips with the VM, before the
 * vCPUs, so their types have no realize (the machine makes one of each; not for -device). */
#include "vmm/object.h"

const struct object_type pit_common_type = { .name = "pit-common",
					     .parent = "isa-device",
					     .abstract = true };
static const struct prop_def kvm_pit_props[] = { PROP_UINT32("iobase", UINT32_MAX, 1), { 0 } };
const struct object_type kvm_pit_type = { .name = "kvm-pit",
					  .parent = "pit-common",
					  .props = kvm_pit_props,
					  .qtree_gpio = "gpio-in \"\" 1" };

const struct object_type ioapic_common_type = { .name = "ioapic-common",
						.parent = "sys-bus-device",
						.abstract = true };
static const struct prop_def kvm_ioapic_props[] = { PROP_UINT32("gsi_base", 0, 1), { 0 } };
const struct object_type kvm_ioapic_type = {
	.name = "kvm-ioapic",
	.parent = "ioapic-common",
	.props = kvm_ioapic_props,
	.qtree_gpio = "gpio-in \"\" 24",
	.qtree_mmio = "mmio 00000000fec00000/0000000000001000", /* the in-kernel IOAPIC's */
};
