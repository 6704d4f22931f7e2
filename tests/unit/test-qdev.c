/* Unit test: devices from -device's text (vmm/qdev.c): placement, buses, properties by kind,
 * -global defaults, and QEMU's errors, on a machine without KVM (port I/O devices only). */
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vmm/chardev.h"
#include "vmm/machine.h"
#include "vmm/qdev.h"

static struct machine m;
static struct vm_config cfg;
static char err[512];

static const char *create(const char *opts)
{
	err[0] = '\0';
	return device_create_opts(&m, opts, err, sizeof(err)) ? "ok" : err;
}

static const char *path_of(struct object *o)
{
	static char buf[256];
	char *s = o ? object_path(o) : NULL;

	snprintf(buf, sizeof(buf), "%s", s ? s : "");
	free(s);
	return buf;
}

int main(void)
{
	bool amb;
	struct object *dc, *bus;
	char v[64];

	m.cfg = &cfg;
	iospace_init(&m.pio, "io", 0x10000);
	/* -serial and -debugcon (never taken here), then -chardev null,id=d */
	cfg.serial = (struct chardev_spec){ .kind = CHR_STDIO, .label = "serial0" };
	cfg.debugcon = (struct chardev_spec){ .kind = CHR_NONE, .label = "debugcon" };
	cfg.unused[0] = (struct chardev_spec){ .kind = CHR_NONE, .label = "d" };
	m.chardevs[0].spec = &cfg.serial;
	m.chardevs[1].spec = &cfg.debugcon;
	m.chardevs[2].spec = &cfg.unused[0];
	m.chardevs[2].chr = chardev_open(&cfg.unused[0], NULL, err, sizeof(err)); /* as at start-up */
	m.nr_chardevs = 3;
	cfg.globals[cfg.nr_globals++] = "isa-debugcon.readback=0x42";
	CHECK(qdev_create_unattached(&m, "isabus-bridge", NULL, err, sizeof(err)));
	CHECK(qdev_create_unattached(&m, "isa-debug-exit", NULL, err, sizeof(err)));
	bus = qdev_bus_find("isa.0");
	CHECK_STR("/machine/unattached/device[0]/isa.0", path_of(bus));
	CHECK_STR("/machine/unattached/sysbus", path_of(qdev_bus_find("main-system-bus")));
	CHECK_STR("main-system-bus", qdev_bus_name(qdev_system_bus()));

	CHECK_STR("ok", create("isa-debugcon,iobase=0x80,id=dc,chardev=d"));
	dc = object_resolve_path("/machine/peripheral/dc", &amb);
	CHECK(dc && object_is_realized(dc));
	CHECK_U64(0x42, object_get_uint(dc, "readback")); /* the -global */
	CHECK_U64(0x80, object_get_uint(dc, "iobase"));
	CHECK(object_get_link(dc, "parent_bus") == bus && bus->bus_children == dc);
	CHECK_U64(0x42, iospace_read(&m.pio, 0x80, 1));
	CHECK_STR("Property 'isa-debugcon.chardev' can't take value 'd': Device 'd' is in use",
		  create("isa-debugcon,iobase=0x81,chardev=d"));
	CHECK_STR("Property 'serial.chardev' can't find value 'debugcon'",
		  create("isa-serial,chardev=debugcon")); /* -debugcon none makes none */
	CHECK_STR("Can't create debugcon device, empty char device", create("isa-debugcon"));
	CHECK_STR("ok", create("driver=isa-debug-exit,iobase=0x81"));
	dc = object_resolve_path("/machine/peripheral-anon/device[0]", &amb);
	CHECK(dc && !strcmp(dc->type->name, "isa-debug-exit"));

	CHECK_STR("Duplicate ID 'dc' for device", create("isa-debug-exit,id=dc,iobase=0x90"));
	CHECK_STR("Range 0x501-0x502 of address space 'io' overlaps 'isa-debug-exit' at "
		  "0x501-0x502",
		  create("isa-debug-exit"));
	CHECK(!object_resolve_path("/machine/peripheral-anon/device[1]", &amb)); /* deleted */
	CHECK_STR("'nope' is not a valid device model name", create("nope,id=x"));
	CHECK_STR("'' is not a valid device model name", create(""));
	CHECK_STR("Parameter 'driver' expects a non-abstract device type", create("isa-device"));
	CHECK_STR("Parameter 'driver' expects a pluggable device type", create("kvm-pit"));
	CHECK_STR("Property 'isa-debugcon.realized' not found", create("isa-debugcon,realized=on"));
	CHECK_STR("Parameter 'iobase' expects integer", create("isa-debugcon,iobase=0x"));
	CHECK_STR("Parameter 'iobase' expects uint32_t", create("isa-debugcon,iobase=4294967296"));
	CHECK_STR("Parameter 'kbd-throttle' expects 'on' or 'off'", create("i8042,kbd-throttle=2"));
	CHECK_STR("Property 'isa-debugcon.chardev' can't find value 'a,b'",
		  create("isa-debugcon,iobase=0x91,chardev=a,,b"));
	CHECK_STR("Range 0x7c-0x83 of address space 'io' overlaps 'isa-debugcon' at 0x80-0x80",
		  create("isa-serial,iobase=0x7c,irq=5"));
	CHECK_STR("Bus 'isa.1' not found", create("isa-debugcon,bus=isa.1"));
	CHECK_STR("Device 'isa-debugcon' can't go on System bus",
		  create("isa-debugcon,bus=main-system-bus"));
	CHECK_STR("Parameter 'id' expects an identifier\nIdentifiers consist of letters, digits, "
		  "'-', '.', '_', starting with a letter.",
		  create("isa-debugcon,id=1x"));
	CHECK_STR("ok", create("i8042,kbd-throttle=on")); /* a bool's "on" */

	cfg.globals[cfg.nr_globals++] = "isa-device.nope=1"; /* a parent type's global applies */
	CHECK_STR("can't apply global isa-device.nope=1: Property 'isa-debugcon.nope' not found",
		  create("isa-debugcon,iobase=0x92"));

	CHECK(device_opts_get("driver=isa-serial,chardev=a,,b,id=x", NULL, v, sizeof(v)));
	CHECK_STR("isa-serial", v);
	CHECK(device_opts_get("isa-serial,chardev=a,,b,id=x", "chardev", v, sizeof(v)));
	CHECK_STR("a,b", v);
	CHECK(!device_opts_get("isa-serial,chardev=a,,id=x", "id", v, sizeof(v)));

	qdev_unrealize_all(&m);
	CHECK(!object_is_realized(dc) && !dc->state);
	object_tree_free();
	chardev_close(m.chardevs[2].chr);
	return check_report("qdev");
}
