/* QEMU's isabus-bridge (as microvm's): the system-bus device whose realize makes ISA bus isa.0. */
#include <stdio.h>

#include "vmm/qdev.h"

static bool realize(struct object *o, struct machine *m, char *err, size_t errlen)
{
	(void)m;
	if (qdev_bus_new(o, "ISA", "isa.0"))
		return true;
	snprintf(err, errlen, "Out of memory");
	return false;
}

const struct object_type isabus_bridge_type = {
	.name = "isabus-bridge", .parent = "sys-bus-device", .board_only = true, .realize = realize
};
