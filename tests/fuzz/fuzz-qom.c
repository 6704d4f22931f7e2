/* libFuzzer target: the object tree and devices (vmm/object.c, vmm/qdev.c) without KVM: QOM
 * paths, -device strings, -global defaults, properties from text, realize/unrealize, help. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/chardev.h"
#include "vmm/dev/pci-host.h"
#include "vmm/machine.h"
#include "vmm/qdev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINE 70000 /* past QEMU's limits: 64 KiB paths */

static struct machine m;
static struct vm_config cfg;
static char line[MAX_LINE + 1];

/* A machine with port I/O and MMIO spaces only (realize's KVM calls fail on fd -1), -serial and a
 * null -chardev "c" that devices may take, and the board's buses (isa.0, pci.0). */
static void machine_new(void)
{
	char err[256];

	memset(&m, 0, sizeof(m));
	memset(&cfg, 0, sizeof(cfg));
	m.cfg = &cfg;
	m.vm_fd = m.kvm_fd = -1;
	iospace_init(&m.pio, "io", 0x10000);
	iospace_init(&m.mmio, "memory", 0);
	cfg.serial = (struct chardev_spec){ .kind = CHR_NONE, .label = "serial0" };
	cfg.debugcon = (struct chardev_spec){ .kind = CHR_NONE, .label = "debugcon" };
	cfg.unused[0] = (struct chardev_spec){ .kind = CHR_NONE, .label = "c" };
	m.chardevs[0].spec = &cfg.serial;
	m.chardevs[1].spec = &cfg.debugcon;
	m.chardevs[2].spec = &cfg.unused[0];
	m.chardevs[2].chr = chardev_open(&cfg.unused[0], NULL, err, sizeof(err)); /* as at start */
	m.nr_chardevs = 3;
	if (!m.chardevs[2].chr ||
	    !qdev_create_unattached(&m, "isabus-bridge", NULL, err, sizeof(err)) ||
	    !pci_host_add(&m, err, sizeof(err)))
		abort();
}

static void machine_free(void)
{
	qdev_unrealize_all(&m);
	object_tree_free();
	chardev_close(m.chardevs[2].chr);
}

/* "PATH PROP VALUE": the property set from text (unrealized only), or realized toggled. */
static void set(char *arg)
{
	char *prop = strchr(arg, ' '), *val = prop ? strchr(prop + 1, ' ') : NULL, err[512];
	struct object *o;
	struct object_prop *p;
	bool ambiguous;

	if (!val)
		return;
	*prop++ = *val++ = '\0';
	o = object_resolve_path(arg, &ambiguous);
	p = o ? object_prop_find(o, prop) : NULL;
	if (!p)
		return;
	if (!strcmp(prop, "realized") && qdev_type_creatable(o->type)) {
		if (val[0] == '1')
			qdev_realize(o, &m, err, sizeof(err));
		else
			qdev_unrealize(o, &m);
	} else if (p->def->writable && !object_is_realized(o)) {
		object_parse_prop(p, val, err, sizeof(err));
	}
}

/*
 * Input: lines, each an operation letter and its argument: d -device string, g -global (kept
 * for the devices after it), p a QOM path resolved and printed, s "PATH PROP VALUE", h -device's
 * help forms, a device_add's driver, x device_del's id.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	char err[512], *g;
	size_t at = 0;

	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	machine_new();
	while (at < size) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t n = (nl ? (size_t)(nl - data) : size) - at;
		struct object *o;
		bool ambiguous, flag;
		char *path;

		memcpy(line, data + at, n < MAX_LINE ? n : MAX_LINE);
		line[n < MAX_LINE ? n : MAX_LINE] = '\0';
		at += n + 1;
		err[0] = '\0';
		switch (line[0]) {
		case 'd':
			if (!device_create_opts(&m, line + 1, err, sizeof(err)) && !err[0])
				abort(); /* a refusal always says why */
			break;
		case 'g':
			if (cfg.nr_globals < CONFIG_MAX_GLOBALS && (g = strdup(line + 1)))
				cfg.globals[cfg.nr_globals++] = g;
			break;
		case 'p':
			o = object_resolve_path(line + 1, &ambiguous);
			path = o ? object_path(o) : NULL;
			if (path && !object_resolve_path(path, &ambiguous))
				abort(); /* an object's path resolves */
			free(path);
			break;
		case 's':
			set(line + 1);
			break;
		case 'h':
			if (!device_help(line + 1, null, &flag, err, sizeof(err)) && !err[0])
				abort();
			break;
		case 'a':
			device_add_refused(line + 1, NULL, err, sizeof(err));
			if (!err[0])
				abort(); /* device_add is always refused */
			break;
		case 'x':
			device_del_refused(line + 1, &flag, err, sizeof(err));
			break;
		default:
			break;
		}
	}
	machine_free();
	while (cfg.nr_globals--)
		free((char *)cfg.globals[cfg.nr_globals]);
	return 0;
}
