/* Unit test: the object tree (vmm/object.c): defaults, base-first properties, paths, resolution. */
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vmm/object-types.h"

static const char *path_of(const char *path)
{
	static char buf[256];
	bool ambiguous;
	struct object *o = object_resolve_path(path, &ambiguous);
	char *s = o ? object_path(o) : NULL;

	snprintf(buf, sizeof(buf), "%s%s", ambiguous ? "ambiguous" : "", s ? s : "");
	free(s);
	return buf;
}

static struct object *unattached(const char *type)
{
	bool ambiguous;

	return object_new(type, object_resolve_path("/machine/unattached", &ambiguous), "device[]");
}

int main(void)
{
	struct object *cpu = unattached(OBJECT_CPU_TYPE);
	struct object *serial = unattached("isa-serial");

	CHECK(cpu && serial);
	CHECK(!unattached("isa-device")); /* abstract */
	CHECK(!unattached("no-such-type"));
	CHECK_STR("device[1]", serial->name);
	CHECK(!object_is_realized(serial));
	CHECK_STR("parent_bus", serial->props[0].def->name); /* the base type's first */
	CHECK_U64(0xffffffff, object_prop_find(serial, "iobase")->val.u); /* QEMU's -1: by index */
	CHECK_STR("", object_prop_find(serial, "chardev")->val.s);
	CHECK(object_set_str(serial, "chardev", "serial0") && object_set_uint(serial, "iobase", 1));
	CHECK(!object_set_uint(serial, "chardev", 1) && !object_set_str(serial, "nope", "x"));
	CHECK_STR("serial0", object_prop_find(serial, "chardev")->val.s);

	CHECK_STR("/", path_of("/"));
	CHECK_STR("/machine/unattached/device[1]", path_of("/machine/unattached/device[1]"));
	CHECK_STR("/machine/unattached", path_of("//machine//unattached/"));
	CHECK_STR("/machine/unattached/device[0]", path_of("unattached/device[0]"));
	CHECK_STR("/machine", path_of("machine"));
	CHECK_STR("ambiguous", path_of(""));
	CHECK_STR("", path_of("/machine/.."));
	CHECK_STR("", path_of("/machine/unattached/device[2]"));
	CHECK_STR("", path_of("device"));

	CHECK(object_type_is(object_type_find("kvm-pit"), "isa-device"));
	CHECK(!object_type_is(object_type_find("kvm-ioapic"), "isa-device"));
	CHECK(!object_type_find("nope"));
	object_tree_free();
	CHECK_STR("/machine", path_of("/machine")); /* a fresh tree */
	object_tree_free();
	return check_report("object");
}
