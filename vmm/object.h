/* A tiny object model: types with typed properties, objects in a tree with QEMU's QOM paths. */
#ifndef VMM_OBJECT_H
#define VMM_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	union prop_value def; /* the default (PROP_STR: a literal) */
};

struct object_type {
	const char *name;
	const char *parent; /* NULL for "object" only */
	bool abstract;
	const struct prop_def *props; /* ended by an entry whose name is NULL, or NULL */
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
};

/* Every type, in registration order; NULL when name is unknown. */
const struct object_type *object_type_find(const char *name);
const struct object_type *object_type_at(int i); /* NULL past the end */
/* Whether t is type name or one of its descendants. */
bool object_type_is(const struct object_type *t, const char *name);

/* The root "/", created on first use with /machine, its containers and /objects. */
struct object *object_root(void);
/* A new child of parent named name ("device[]" takes the next free index), props at defaults. */
struct object *object_new(const char *type, struct object *parent, const char *name);
/* A child of /machine/unattached (devices and CPUs the machine creates itself), realized. */
struct object *object_new_unattached(const char *type);
/* Whether o is a device whose "realized" is true. */
bool object_is_realized(struct object *o);
/* Sets a property at creation (before realize); false when there is none such. */
bool object_set_uint(struct object *o, const char *prop, uint64_t v);
bool object_set_str(struct object *o, const char *prop, const char *v);
/* Frees the tree. */
void object_tree_free(void);

/* Resolves a path as QEMU's: absolute ("/machine/unattached/device[0]", empty components skipped)
 * or partial ("unattached/device[0]": the one object whose path ends so). NULL when there is none,
 * or several (*ambiguous set). */
struct object *object_resolve_path(const char *path, bool *ambiguous);
/* The absolute path of o, malloc'd; NULL without memory. */
char *object_path(const struct object *o);
struct object_prop *object_prop_find(struct object *o, const char *name);

#endif
