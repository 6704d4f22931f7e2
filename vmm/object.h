/* A tiny object model: types with typed properties, objects in a tree with QEMU's QOM paths. */
#ifndef VMM_OBJECT_H
#define VMM_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct iospace;

#define OBJECT_MAX_CLAIMS 4 /* address ranges per device */

enum prop_kind { PROP_BOOL, PROP_INT, PROP_UINT, PROP_STR, PROP_LINK };

union prop_value {
	bool b;
	int64_t i;
	uint64_t u;
	const char *s;	    /* PROP_STR: owned by the object (a copy) */
	struct object *obj; /* PROP_LINK */
};

/* A property of a type; every object of the type (and of its subtypes) has a value for it. */
struct prop_def {
	const char *name;
	enum prop_kind kind;
	const char *qtype; /* QEMU's type string in qom-list: "uint32", "bool", "str", "link<T>" */
	bool writable;	   /* only until the object is realized */
	union prop_value def; /* the default (PROP_STR: a literal, or NULL: none) */
	uint64_t max;	      /* PROP_UINT: the largest value (0: UINT64_MAX) */
	const char *desc;     /* QEMU's description (device-list-properties), or NULL */
	int qdev;  /* info qtree's order: QEMU's qdev property position from 1; 0: not shown */
	bool once; /* set once only: qom-set refuses another value (QEMU's chardev properties) */
};

/* Property definitions as QEMU's qdev properties: settable until realize; q is the position in
 * info qtree (QEMU's declaration order), 0 for a property it does not show (QEMU's aliases). */
#define PROP_UINT32(n, v, q)                                                                       \
	{                                                                                          \
		.name = (n), .kind = PROP_UINT, .qtype = "uint32", .writable = true, .def.u = (v), \
		.max = UINT32_MAX, .qdev = (q)                                                     \
	}
#define PROP_BOOL(n, v, q)                                                                       \
	{                                                                                        \
		.name = (n), .kind = PROP_BOOL, .qtype = "bool", .writable = true, .def.b = (v), \
		.qdev = (q)                                                                      \
	}
/* A chardev's label ("" for none), as QEMU's chardev property */
#define PROP_CHARDEV(n, q)                                                               \
	{                                                                                \
		.name = (n), .kind = PROP_STR, .qtype = "str", .writable = true,         \
		.desc = "ID of a chardev to use as a backend", .qdev = (q), .once = true \
	}

/*
 * A device's life (the seam every device file plugs into):
 * - realize creates the device on m from its properties (ports, IRQ, backend), with the big
 *   lock held or before the vCPUs run. It returns true, or false with QEMU's message (no
 *   "tinyvmm: " prefix, no newline) in err[errlen] and nothing left claimed, as chardev_open().
 *   What the device keeps goes to o->state (NULL until realize; the device's own struct).
 * - unrealize (may be NULL: nothing to free) frees o->state at machine teardown, vCPUs joined.
 * - reset (may be NULL) puts the device back to power-on state at machine reset, vCPUs parked.
 * A type with a realize, neither abstract nor board_only, can be created by -device.
 */
typedef bool object_realize_fn(struct object *o, struct machine *m, char *err, size_t errlen);
typedef void object_unrealize_fn(struct object *o, struct machine *m);
typedef void object_reset_fn(struct object *o);

struct object_type {
	const char *name;
	const char *parent; /* NULL for "object" only */
	bool abstract;
	const struct prop_def *props; /* ended by an entry whose name is NULL, or NULL */
	/* devices: bus_type and category are inherited from the parent type when NULL */
	const char *bus_type; /* the type of bus it plugs into: "System", "ISA" ("PCI"...) */
	const char *category; /* -device help's heading: "Misc" (devices), "Input"... */
	const char *desc;     /* -device help's desc "...", or NULL */
	bool board_only;      /* made by the machine only (QEMU's user_creatable = false) */
	/* info qtree's lines QEMU 7.2 prints for the type, "\n"-separated (NULL: none): its
	 * interrupt lines before the properties (gpio-in "NAME" N, gpio-out ...), a sysbus
	 * device's MMIO regions after them (mmio ADDR/SIZE) */
	const char *qtree_gpio, *qtree_mmio;
	object_realize_fn *realize;
	object_unrealize_fn *unrealize;
	object_reset_fn *reset;
};

struct object_prop {
	const struct prop_def *def;
	union prop_value val;
};

struct object {
	const struct object_type *type;
	char *name; /* the child property's name in the parent: "machine", "device[0]" */
	struct object *parent, *children, *next;
	struct object_prop *props;
	int nr_props;
	void *state; /* a realized device's own state (its type's realize sets it) */
	/* a bus: its devices, last plugged first (QEMU's order); a device: the next on its bus */
	struct object *bus_children, *bus_next;
	/* a realized device: the ranges it claimed (qdev_claim()), given back at unrealize */
	struct object_claim {
		struct iospace *space;
		uint64_t base;
	} claims[OBJECT_MAX_CLAIMS];
	int nr_claims;
};

/* Every type, in registration order; NULL when name is unknown. */
const struct object_type *object_type_find(const char *name);
const struct object_type *object_type_at(int i); /* NULL past the end */
/* Whether t is type name or one of its descendants. */
bool object_type_is(const struct object_type *t, const char *name);
/* The properties of t's chain, the base type's first, into out (at most max); their number. */
int object_type_props(const struct object_type *t, const struct prop_def **out, int max);
/* More than any type has (device-list-properties, -device TYPE,help). */
#define OBJECT_MAX_PROPS 64
/* d's default as JSON text ("115200", "false", "\"delay\""); false when it has none. */
bool object_prop_default_json(const struct prop_def *d, char *buf, size_t len);
/* The parent type of t; NULL for "object". */
const struct object_type *object_type_parent(const struct object_type *t);

/* The root "/", created on first use with /machine, its containers and /objects. */
struct object *object_root(void);
/* A new child of parent named name ("device[]" takes the first free index), props at defaults;
 * NULL for an unknown or abstract type, or without memory. */
struct object *object_new(const char *type, struct object *parent, const char *name);
/* Removes o (and its children) from the tree and frees it. */
void object_delete(struct object *o);
/* A child of o by its name; NULL when none. */
struct object *object_child(struct object *o, const char *name);
/* Whether o is a device whose "realized" is true. */
bool object_is_realized(struct object *o);
/* Sets a property at creation (before realize); false when there is none such. */
bool object_set_uint(struct object *o, const char *prop, uint64_t v);
bool object_set_str(struct object *o, const char *prop, const char *v);
bool object_set_bool(struct object *o, const char *prop, bool v);
bool object_set_link(struct object *o, const char *prop, struct object *v);
/* Sets a property from its text (-device, -global): "0x3f8", "on"/"off", a string. False with
 * QEMU's message ("Parameter 'iobase' expects integer") in err. */
bool object_parse_prop(struct object_prop *p, const char *text, char *err, size_t errlen);
/* A property's value (realize reads its own properties); 0 or "" when there is none. */
uint64_t object_get_uint(struct object *o, const char *prop);
const char *object_get_str(struct object *o, const char *prop);
struct object *object_get_link(struct object *o, const char *prop);
/* Frees the tree (the devices unrealized before: qdev_unrealize_all()). */
void object_tree_free(void);

/* Resolves a path as QEMU's: absolute ("/machine/unattached/device[0]", empty components skipped)
 * or partial ("unattached/device[0]": the one object whose path ends so). NULL when there is none,
 * or several (*ambiguous set). */
struct object *object_resolve_path(const char *path, bool *ambiguous);
/* The absolute path of o, malloc'd; NULL without memory. */
char *object_path(const struct object *o);
struct object_prop *object_prop_find(struct object *o, const char *name);

#endif
