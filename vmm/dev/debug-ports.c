/* QEMU's debug ports: isa-debugcon (output; reads back "readback") and isa-debug-exit (a write
 * ends the VM). */
#include <stdio.h>

#include "vmm/chardev.h"
#include "vmm/errmsg.h"
#include "vmm/machine.h"
#include "vmm/qdev.h"

/* The default iobase of each; a write of v to the exit port ends the VM with exit status
 * (v << 1) | 1, as QEMU's. */
#define DEBUGCON_PORT	0xe9
#define DEBUG_EXIT_PORT 0x501

static uint64_t debugcon_read(void *opaque, uint64_t off, unsigned size)
{
	return object_get_uint(opaque, "readback"); /* lets a guest detect the port */
}

static void debugcon_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	struct object *o = opaque;
	uint8_t c = (uint8_t)value;

	chardev_write(o->state, &c, 1);
}

/* o->state: the chardev (the machine's), which a debugcon needs, as QEMU's. */
static bool debugcon_realize(struct object *o, struct machine *m, char *err, size_t errlen)
{
	const char *label = object_get_str(o, "chardev");
	struct chardev *chr;

	if (!*label)
		return errmsg(err, errlen, "Can't create debugcon device, empty char device");
	if (!(chr = machine_chardev_take(m, label, "isa-debugcon", err, errlen)))
		return false;
	if (!qdev_claim(o, &m->pio, "isa-debugcon", object_get_uint(o, "iobase"), 1, debugcon_read,
			debugcon_write, o, err, errlen)) {
		machine_chardev_release(m, chr);
		return false;
	}
	o->state = chr;
	return true;
}

static void debugcon_unrealize(struct object *o, struct machine *m)
{
	machine_chardev_release(m, o->state);
}

static const struct prop_def isa_debugcon_props[] = {
	PROP_UINT32("readback", DEBUGCON_PORT, 3),
	PROP_CHARDEV("chardev", 2),
	PROP_UINT32("iobase", DEBUGCON_PORT, 1),
	{ 0 },
};
const struct object_type isa_debugcon_type = { .name = "isa-debugcon",
					       .parent = "isa-device",
					       .category = "Misc",
					       .props = isa_debugcon_props,
					       .realize = debugcon_realize,
					       .unrealize = debugcon_unrealize };

static void exit_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	vm_request_shutdown(opaque, true, SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
			    (int)(((value << 1) | 1) & 0xff));
}

static bool exit_realize(struct object *o, struct machine *m, char *err, size_t errlen)
{
	return qdev_claim(o, &m->pio, "isa-debug-exit", object_get_uint(o, "iobase"),
			  object_get_uint(o, "iosize"), NULL, exit_write, m, err, errlen);
}

static const struct prop_def isa_debug_exit_props[] = {
	PROP_UINT32("iobase", DEBUG_EXIT_PORT, 1),
	PROP_UINT32("iosize", 2, 2),
	{ 0 },
};
const struct object_type isa_debug_exit_type = { .name = "isa-debug-exit",
						 .parent = "isa-device",
						 .category = "Misc",
						 .props = isa_debug_exit_props,
						 .realize = exit_realize };
