/* Devices on buses: creation from -device's text or the machine's, -global defaults, realize,
 * reset and teardown; the one path for every device. */
#include "vmm/qdev.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/errmsg.h"
#include "vmm/machine.h"

#define OPT_MAX 1024 /* one key=value of -device */

static struct object *container(const char *path)
{
	bool ambiguous;

	return object_resolve_path(path, &ambiguous);
}

const char *qdev_bus_type(const struct object_type *t)
{
	for (; t; t = object_type_parent(t))
		if (t->bus_type)
			return t->bus_type;
	return NULL;
}

struct object *qdev_bus_new(struct object *dev, const char *bus_type, const char *name)
{
	struct object *b = object_new(bus_type, dev, name);

	if (b)
		object_set_bool(b, "realized", true);
	return b;
}

static struct object *bus_search(struct object *o, const char *name, const char *type)
{
	if (object_type_is(o->type, "bus") &&
	    (name ? !strcmp(o->name, name) : !strcmp(o->type->name, type)))
		return o;
	for (struct object *c = o->children; c; c = c->next) {
		struct object *b = bus_search(c, name, type);

		if (b)
			return b;
	}
	return NULL;
}

struct object *qdev_system_bus(void)
{
	struct object *u = container("/machine/unattached");
	struct object *b = u ? object_child(u, "sysbus") : NULL;

	return b || !u ? b : qdev_bus_new(u, "System", "sysbus");
}

struct object *qdev_bus_find(const char *name)
{
	struct object *sys = qdev_system_bus();

	if (sys && !strcmp(name, "main-system-bus"))
		return sys;
	return object_root() ? bus_search(object_root(), name, NULL) : NULL;
}

const char *qdev_bus_name(struct object *b)
{
	return b == qdev_system_bus() ? "main-system-bus" : b->name;
}

/* -global TYPE.prop=val for every global naming o's type or one of its parents. */
static bool apply_globals(struct machine *m, struct object *o, char *err, size_t errlen)
{
	for (int i = 0; i < m->cfg->nr_globals; i++) {
		const char *g = m->cfg->globals[i], *dot = strchr(g, '.'), *eq = strchr(g, '=');
		char type[128], prop[128], msg[256];
		struct object_prop *p;

		if (!dot || !eq || eq < dot || (size_t)(dot - g) >= sizeof(type) ||
		    (size_t)(eq - dot) > sizeof(prop))
			continue; /* cli.c let only TYPE.prop=val through */
		snprintf(type, sizeof(type), "%.*s", (int)(dot - g), g);
		snprintf(prop, sizeof(prop), "%.*s", (int)(eq - dot - 1), dot + 1);
		if (!object_type_is(o->type, type))
			continue;
		p = object_prop_find(o, prop);
		if (!p || !p->def->writable)
			snprintf(msg, sizeof(msg), "Property '%s.%s' not found", o->type->name,
				 prop);
		if (!p || !p->def->writable || !object_parse_prop(p, eq + 1, msg, sizeof(msg)))
			return errmsg(err, errlen, "can't apply global %s: %s", g, msg);
	}
	return true;
}

struct object *qdev_new(struct machine *m, const char *type, struct object *parent,
			const char *name, char *err, size_t errlen)
{
	/* no parent: the containers could not be made (out of memory) */
	struct object *o = parent ? object_new(type, parent, name) : NULL;

	if (!o) {
		snprintf(err, errlen, "Out of memory");
		return NULL;
	}
	if (!apply_globals(m, o, err, errlen)) {
		object_delete(o);
		return NULL;
	}
	return o;
}

/* The bus a device of type t goes on: bus (bus= gave it) or the first of its bus type; NULL
 * with QEMU's message, or with *none set when t goes on no bus (a CPU). */
static struct object *bus_for(const struct object_type *t, struct object *bus, bool *none,
			      char *err, size_t errlen)
{
	const char *want = qdev_bus_type(t);

	*none = !want;
	if (!want)
		return NULL;
	if (!bus)
		bus = !strcmp(want, "System") ? qdev_system_bus()
					      : bus_search(object_root(), NULL, want);
	if (!bus)
		snprintf(err, errlen, "No '%s' bus found for device '%s'", want, t->name);
	else if (!object_type_is(bus->type, want))
		snprintf(err, errlen, "Device '%s' can't go on %s bus", t->name, bus->type->name);
	else
		return bus;
	return NULL;
}

static bool plug(struct object *o, char *err, size_t errlen)
{
	bool none;
	struct object *bus = bus_for(o->type, object_get_link(o, "parent_bus"), &none, err, errlen);

	if (bus)
		object_set_link(o, "parent_bus", bus);
	return bus || none;
}

static void release_claims(struct object *o)
{
	while (o->nr_claims--)
		iospace_unregister(o->claims[o->nr_claims].space, o->claims[o->nr_claims].base);
	o->nr_claims = 0;
}

bool qdev_realize(struct object *o, struct machine *m, char *err, size_t errlen)
{
	struct object *bus, **p;

	if (object_is_realized(o))
		return true;
	if (!plug(o, err, errlen) || (o->type->realize && !o->type->realize(o, m, err, errlen))) {
		release_claims(o);
		return false;
	}
	object_set_bool(o, "realized", true);
	bus = object_get_link(o, "parent_bus");
	for (p = bus ? &bus->bus_children : NULL; p && *p && *p != o; p = &(*p)->bus_next)
		;
	if (p && !*p) { /* plugged again after an unrealize: it keeps its place */
		o->bus_next = bus->bus_children;
		bus->bus_children = o;
	}
	return true;
}

void qdev_unrealize(struct object *o, struct machine *m)
{
	if (!object_is_realized(o))
		return;
	if (o->type->unrealize)
		o->type->unrealize(o, m);
	release_claims(o);
	o->state = NULL;
	object_set_bool(o, "realized", false);
}

/* The next key=value of opts (",," is a comma) into buf; false at the end or when too long. */
static bool next_opt(const char **opts, char *buf, size_t len, bool *too_long)
{
	const char *p = *opts;
	size_t n = 0;

	if (!*p)
		return false;
	for (; *p && !(*p == ',' && p[1] != ','); p++) {
		if (*p == ',')
			p++;
		if (n + 1 < len)
			buf[n] = *p;
		n++;
	}
	*too_long = n >= len;
	buf[n < len ? n : len - 1] = '\0';
	*opts = *p ? p + 1 : p;
	return true;
}

/* The driver of "TYPE,..." or "driver=TYPE,..." into buf (len OPT_MAX), opts past it. */
static void next_driver(const char **opts, char *buf)
{
	bool too_long;

	if (!next_opt(opts, buf, OPT_MAX, &too_long))
		buf[0] = '\0';
	if (!strncmp(buf, "driver=", 7))
		memmove(buf, buf + 7, strlen(buf + 7) + 1);
}

bool device_opts_get(const char *opts, const char *key, char *buf, size_t len)
{
	char kv[OPT_MAX];
	size_t n = key ? strlen(key) : 0;
	bool too_long, found = !key;

	next_driver(&opts, kv);
	if (!key)
		snprintf(buf, len, "%s", kv);
	while (!found && next_opt(&opts, kv, sizeof(kv), &too_long))
		if (!strncmp(kv, key, n) && kv[n] == '=') {
			snprintf(buf, len, "%s", kv + n + 1);
			found = true;
		}
	return found;
}

/* Sets o's properties from "k=v,..." (id= and bus= handled by the caller, skipped here). */
static bool set_props(struct object *o, const char *opts, char *err, size_t errlen)
{
	char kv[OPT_MAX];
	bool too_long;

	while (next_opt(&opts, kv, sizeof(kv), &too_long)) {
		char *eq = strchr(kv, '=');
		struct object_prop *p;
		struct object *bus;

		if (too_long)
			return errmsg(err, errlen, "Parameter too long");
		if (eq)
			*eq++ = '\0';
		if (!strcmp(kv, "id"))
			continue;
		if (!strcmp(kv, "bus")) {
			if (!(bus = qdev_bus_find(eq ? eq : "on")))
				return errmsg(err, errlen, "Bus '%s' not found", eq ? eq : "on");
			object_set_link(o, "parent_bus", bus);
			continue;
		}
		p = object_prop_find(o, kv);
		if (!p || !p->def->writable)
			return errmsg(err, errlen, "Property '%s.%s' not found", o->type->name, kv);
		if (!object_parse_prop(p, eq ? eq : "on", err, errlen))
			return false;
	}
	return true;
}

struct object *qdev_create_unattached(struct machine *m, const char *type, const char *props,
				      char *err, size_t errlen)
{
	struct object *o =
		qdev_new(m, type, container("/machine/unattached"), "device[]", err, errlen);

	if (!o)
		return NULL;
	if ((props && !set_props(o, props, err, errlen)) || !qdev_realize(o, m, err, errlen)) {
		object_delete(o);
		return NULL;
	}
	return o;
}

/* QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
static bool id_wellformed(const char *id)
{
	if (!isalpha((unsigned char)id[0]))
		return false;
	for (; *id; id++)
		if (!isalnum((unsigned char)*id) && !strchr("-._", *id))
			return false;
	return true;
}

/* The creatable type named name; NULL with QEMU's message. */
static const struct object_type *device_type(const char *name, char *err, size_t errlen)
{
	const struct object_type *t = object_type_find(name);

	if (!t || !object_type_is(t, "device"))
		snprintf(err, errlen, "'%s' is not a valid device model name", name);
	else if (t->abstract)
		snprintf(err, errlen, "Parameter 'driver' expects a non-abstract device type");
	else if (!qdev_type_creatable(t))
		snprintf(err, errlen, "Parameter 'driver' expects a pluggable device type");
	else
		return t;
	return NULL;
}

/* The value of id= in opts, into id (empty without one); false when it is ill-formed. */
static bool find_id(const char *opts, char *id, size_t len, bool *has, char *err, size_t errlen)
{
	char kv[OPT_MAX];
	bool too_long;

	bool bad = false;

	*has = false;
	id[0] = '\0';
	while (next_opt(&opts, kv, sizeof(kv), &too_long))
		if (!strncmp(kv, "id=", 3) || !strcmp(kv, "id")) {
			const char *v = kv[2] ? kv + 3 : "on";

			*has = true;
			bad = strlen(v) >= len || !id_wellformed(v);
			if (!bad)
				memcpy(id, v, strlen(v) + 1);
		}
	if (bad) {
		snprintf(err, errlen,
			 "Parameter 'id' expects an identifier\nIdentifiers consist of letters, "
			 "digits, '-', '.', '_', starting with a letter.");
		return false;
	}
	return true;
}

struct object *device_create_opts(struct machine *m, const char *opts, char *err, size_t errlen)
{
	char driver[OPT_MAX], id[128];
	const struct object_type *t;
	struct object *parent, *o;
	bool has_id;

	next_driver(&opts, driver);
	if (!(t = device_type(driver, err, errlen)) ||
	    !find_id(opts, id, sizeof(id), &has_id, err, errlen))
		return NULL;
	parent = container(has_id ? "/machine/peripheral" : "/machine/peripheral-anon");
	if (parent && has_id && object_child(parent, id)) {
		snprintf(err, errlen, "Duplicate ID '%s' for device", id);
		return NULL;
	}
	o = qdev_new(m, t->name, parent, has_id ? id : "device[]", err, errlen);
	if (!o)
		return NULL;
	if (!set_props(o, opts, err, errlen) || !qdev_realize(o, m, err, errlen)) {
		object_delete(o);
		return NULL;
	}
	return o;
}

void device_add_refused(const char *driver, const char *bus, char *err, size_t errlen)
{
	const struct object_type *t = device_type(driver, err, errlen);
	struct object *b = t && bus ? qdev_bus_find(bus) : NULL;
	bool none;

	if (t && bus && !b)
		snprintf(err, errlen, "Bus '%s' not found", bus);
	else if (t && (b = bus_for(t, b, &none, err, errlen)))
		snprintf(err, errlen, "Bus '%s' does not support hotplugging", qdev_bus_name(b));
	else if (t && none)
		snprintf(err, errlen, "Device '%s' does not support hotplugging", t->name);
}

void device_del_refused(const char *id, bool *not_found, char *err, size_t errlen)
{
	char path[300];
	bool ambiguous;
	struct object *o, *bus;

	snprintf(path, sizeof(path), "%s%s", id[0] == '/' ? "" : "/machine/peripheral/", id);
	o = strlen(id) < 256 ? object_resolve_path(path, &ambiguous) : NULL;
	*not_found = !o;
	if (!o)
		snprintf(err, errlen, "Device '%s' not found", id);
	else if (!object_type_is(o->type, "device"))
		snprintf(err, errlen, "%s is not a hotpluggable device", id);
	else if ((bus = object_get_link(o, "parent_bus")))
		snprintf(err, errlen, "Bus '%s' does not support hotplugging", qdev_bus_name(bus));
	else
		snprintf(err, errlen, "Device '%s' does not support hotplugging", o->type->name);
}

bool device_help(const char *opts, FILE *f, bool *asked, char *err, size_t errlen)
{
	char driver[OPT_MAX], kv[OPT_MAX];
	bool too_long;

	*asked = !strcmp(opts, "help") || !strcmp(opts, "?");
	if (*asked) {
		qdev_print_help(f);
		return true;
	}
	next_driver(&opts, driver);
	while (!*asked && next_opt(&opts, kv, sizeof(kv), &too_long))
		*asked = !strcmp(kv, "help") || !strcmp(kv, "?") || !strncmp(kv, "help=", 5);
	return !*asked || qdev_print_type_help(f, driver, err, errlen);
}

bool qdev_claim(struct object *o, struct iospace *s, const char *name, uint64_t base, uint64_t size,
		io_read_fn read, io_write_fn write, void *opaque, char *err, size_t errlen)
{
	int r = o->nr_claims < OBJECT_MAX_CLAIMS
			? iospace_register(s, name, base, size, read, write, opaque)
			: -ENOSPC;
	const struct io_range *c = NULL;

	if (r == 0) {
		o->claims[o->nr_claims++] = (struct object_claim){ s, base };
		return true;
	}
	for (int i = 0; r == -EEXIST && !c && i < s->nr; i++) /* the first it overlaps */
		if (s->ranges[i].base <= base + size - 1 &&
		    base <= s->ranges[i].base + s->ranges[i].size - 1)
			c = &s->ranges[i];
	if (c)
		snprintf(err, errlen,
			 "Range 0x%llx-0x%llx of address space '%s' overlaps '%s' at 0x%llx-0x%llx",
			 (unsigned long long)base, (unsigned long long)(base + size - 1), s->name,
			 c->name, (unsigned long long)c->base,
			 (unsigned long long)(c->base + c->size - 1));
	else
		snprintf(err, errlen,
			 "Cannot claim 0x%llx bytes at 0x%llx of address space '%s': %s",
			 (unsigned long long)size, (unsigned long long)base, s->name, strerror(-r));
	return false;
}

/* Every realized device from o on: o, its children, then its later siblings. */
static void each_device(struct object *o, void (*fn)(struct object *, void *), void *opaque)
{
	for (; o; o = o->next) {
		if (object_is_realized(o))
			fn(o, opaque);
		each_device(o->children, fn, opaque);
	}
}

/* The same, in reverse: the last sibling first, children before their parent. */
static void each_device_reverse(struct object *o, void (*fn)(struct object *, void *), void *opaque)
{
	if (!o)
		return;
	each_device_reverse(o->next, fn, opaque);
	each_device_reverse(o->children, fn, opaque);
	if (object_is_realized(o))
		fn(o, opaque);
}

static void reset_one(struct object *o, void *opaque)
{
	(void)opaque;
	if (o->type->reset)
		o->type->reset(o);
}

static void unrealize_one(struct object *o, void *opaque)
{
	qdev_unrealize(o, opaque);
}

void qdev_reset_all(void)
{
	struct object *m = container("/machine");

	if (m)
		each_device(m->children, reset_one, NULL);
}

void qdev_unrealize_all(struct machine *m)
{
	struct object *mo = container("/machine");

	if (mo)
		each_device_reverse(mo->children, unrealize_one, m);
}
