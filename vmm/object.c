/* The object tree: types, property values at their defaults, paths resolved as QEMU's QOM does. */
#include "vmm/object.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/errmsg.h"
#include "vmm/object-types.h"

/* Deeper than any chain of parent types in object-types.c. */
#define OBJECT_MAX_DEPTH 8

static struct object *root;

static void object_free(struct object *o);

const struct object_type *object_type_at(int i)
{
	return i >= 0 && i < object_nr_types ? object_types[i] : NULL;
}

const struct object_type *object_type_find(const char *name)
{
	for (int i = 0; i < object_nr_types; i++)
		if (!strcmp(object_types[i]->name, name))
			return object_types[i];
	return NULL;
}

const struct object_type *object_type_parent(const struct object_type *t)
{
	return t->parent ? object_type_find(t->parent) : NULL;
}

bool object_type_is(const struct object_type *t, const char *name)
{
	for (; t; t = object_type_parent(t))
		if (!strcmp(t->name, name))
			return true;
	return false;
}

int object_type_props(const struct object_type *t, const struct prop_def **out, int max)
{
	const struct object_type *chain[OBJECT_MAX_DEPTH];
	int depth = 0, n = 0;

	for (; t && depth < OBJECT_MAX_DEPTH; t = object_type_parent(t))
		chain[depth++] = t;
	while (depth--) /* the base type's properties first, as QEMU lists them */
		for (const struct prop_def *d = chain[depth]->props; d && d->name; d++, n++)
			if (n < max)
				out[n] = d;
	return n;
}

bool object_prop_default_json(const struct prop_def *d, char *buf, size_t len)
{
	switch (d->kind) {
	case PROP_BOOL:
		snprintf(buf, len, "%s", d->def.b ? "true" : "false");
		return true;
	case PROP_INT:
		snprintf(buf, len, "%lld", (long long)d->def.i);
		return true;
	case PROP_UINT:
		snprintf(buf, len, "%llu", (unsigned long long)d->def.u);
		return true;
	case PROP_STR: /* the literals of the tables need no escaping */
		snprintf(buf, len, "\"%s\"", d->def.s ? d->def.s : "");
		return d->def.s;
	case PROP_LINK:
		break;
	}
	return false;
}

/* The first free "device[N]" of parent, when name is "device[]" (QEMU's "device[*]"). */
static char *child_name(struct object *parent, const char *name)
{
	char *s = NULL;

	if (strcmp(name, "device[]"))
		return strdup(name);
	for (int n = 0;; n++) {
		if (asprintf(&s, "device[%d]", n) < 0)
			return NULL;
		if (!object_child(parent, s))
			return s;
		free(s);
	}
}

static struct object *object_alloc(const struct object_type *t, struct object *parent,
				   const char *name)
{
	struct object *o = calloc(1, sizeof(*o));
	const struct prop_def *defs[OBJECT_MAX_PROPS];
	int n = object_type_props(t, defs, OBJECT_MAX_PROPS);
	bool oom = n > OBJECT_MAX_PROPS;

	if (!o)
		return NULL;
	o->type = t;
	o->props = calloc((size_t)n ? (size_t)n : 1, sizeof(*o->props));
	o->name = parent ? child_name(parent, name) : strdup("");
	if (!o->props || !o->name) {
		free(o->props);
		free(o->name);
		free(o);
		return NULL;
	}
	for (int k = 0; k < n && !oom; k++) {
		o->props[k].def = defs[k];
		o->props[k].val = defs[k]->def;
		if (defs[k]->kind == PROP_STR)
			oom = !(o->props[k].val.s = strdup(defs[k]->def.s ? defs[k]->def.s : ""));
		o->nr_props = k + 1;
	}
	if (oom) {
		object_free(o);
		return NULL;
	}
	o->parent = parent;
	if (parent) { /* appended: children keep their creation order */
		struct object **p = &parent->children;

		while (*p)
			p = &(*p)->next;
		*p = o;
	}
	return o;
}

struct object *object_new(const char *type, struct object *parent, const char *name)
{
	const struct object_type *t = object_type_find(type);

	return t && !t->abstract && parent ? object_alloc(t, parent, name) : NULL;
}

struct object *object_root(void)
{
	struct object *m;

	if (root)
		return root;
	root = object_alloc(object_type_find("container"), NULL, "");
	m = root ? object_new(OBJECT_MACHINE_TYPE, root, "machine") : NULL;
	if (!m || !object_new("container", m, "unattached") ||
	    !object_new("container", m, "peripheral") ||
	    !object_new("container", m, "peripheral-anon") ||
	    !object_new("container", root, "objects")) {
		object_tree_free();
		return NULL;
	}
	return root;
}

struct object_prop *object_prop_find(struct object *o, const char *name)
{
	for (int i = 0; i < o->nr_props; i++)
		if (!strcmp(o->props[i].def->name, name))
			return &o->props[i];
	return NULL;
}

bool object_is_realized(struct object *o)
{
	struct object_prop *r = object_prop_find(o, "realized");

	return r && r->val.b;
}

bool object_set_uint(struct object *o, const char *prop, uint64_t v)
{
	struct object_prop *p = object_prop_find(o, prop);

	if (!p || p->def->kind != PROP_UINT)
		return false;
	p->val.u = v;
	return true;
}

bool object_set_bool(struct object *o, const char *prop, bool v)
{
	struct object_prop *p = object_prop_find(o, prop);

	if (!p || p->def->kind != PROP_BOOL)
		return false;
	p->val.b = v;
	return true;
}

bool object_set_link(struct object *o, const char *prop, struct object *v)
{
	struct object_prop *p = object_prop_find(o, prop);

	if (!p || p->def->kind != PROP_LINK)
		return false;
	p->val.obj = v;
	return true;
}

uint64_t object_get_uint(struct object *o, const char *prop)
{
	struct object_prop *p = object_prop_find(o, prop);

	return p && p->def->kind == PROP_UINT ? p->val.u : 0;
}

const char *object_get_str(struct object *o, const char *prop)
{
	struct object_prop *p = object_prop_find(o, prop);

	return p && p->def->kind == PROP_STR ? p->val.s : "";
}

struct object *object_get_link(struct object *o, const char *prop)
{
	struct object_prop *p = object_prop_find(o, prop);

	return p && p->def->kind == PROP_LINK ? p->val.obj : NULL;
}

/* QEMU's qemu_strtoi64/u64 with base 0: decimal, 0x hex or 0 octal, all of the text. */
static bool parse_number(const char *text, bool is_signed, union prop_value *v)
{
	char *end;

	errno = 0;
	if (is_signed)
		v->i = strtoll(text, &end, 0);
	else
		v->u = strtoull(text, &end, 0);
	return *text && !*end && !errno && !isspace((unsigned char)*text);
}

bool object_parse_prop(struct object_prop *p, const char *text, char *err, size_t errlen)
{
	const struct prop_def *d = p->def;
	union prop_value v;

	switch (d->kind) {
	case PROP_BOOL:
		if (strcmp(text, "on") && strcmp(text, "off") && strcmp(text, "yes") &&
		    strcmp(text, "no") && strcmp(text, "true") && strcmp(text, "false"))
			return errmsg(err, errlen, "Parameter '%s' expects 'on' or 'off'", d->name);
		p->val.b = !strcmp(text, "on") || !strcmp(text, "yes") || !strcmp(text, "true");
		return true;
	case PROP_INT:
		if (!parse_number(text, true, &v))
			return errmsg(err, errlen, "Parameter '%s' expects integer", d->name);
		p->val.i = v.i;
		return true;
	case PROP_UINT:
		if (!parse_number(text, text[0] == '-', &v))
			return errmsg(err, errlen, "Parameter '%s' expects integer", d->name);
		if (text[0] == '-' || (d->max && v.u > d->max))
			return errmsg(err, errlen, "Parameter '%s' expects %s_t", d->name,
				      d->qtype);
		p->val.u = v.u;
		return true;
	case PROP_STR: {
		char *s = strdup(text);

		if (!s)
			return errmsg(err, errlen, "Out of memory");
		free((char *)p->val.s);
		p->val.s = s;
		return true;
	}
	case PROP_LINK:
		break;
	}
	return errmsg(err, errlen, "Property '%s' cannot be set from text", d->name);
}

bool object_set_str(struct object *o, const char *prop, const char *v)
{
	struct object_prop *p = object_prop_find(o, prop);
	char *s = v ? strdup(v) : NULL;

	if (!p || p->def->kind != PROP_STR || !s) {
		free(s);
		return false;
	}
	free((char *)p->val.s);
	p->val.s = s;
	return true;
}

static void object_free(struct object *o)
{
	while (o->children) {
		struct object *c = o->children;

		o->children = c->next;
		object_free(c);
	}
	for (int i = 0; i < o->nr_props; i++)
		if (o->props[i].def->kind == PROP_STR)
			free((char *)o->props[i].val.s);
	free(o->props);
	free(o->name);
	free(o);
}

void object_delete(struct object *o)
{
	struct object **p = &o->parent->children;

	while (*p != o)
		p = &(*p)->next;
	*p = o->next;
	object_free(o);
}

void object_tree_free(void)
{
	if (root)
		object_free(root);
	root = NULL;
}

struct object *object_child(struct object *o, const char *name)
{
	for (struct object *c = o->children; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static struct object *child_find(struct object *o, const char *name, size_t len)
{
	for (struct object *c = o->children; c; c = c->next)
		if (strlen(c->name) == len && !memcmp(c->name, name, len))
			return c;
	return NULL;
}

/* The components of p ('/'-separated, empty ones skipped as QEMU's) from o down. */
static struct object *resolve_from(struct object *o, const char *p)
{
	while (o && *p) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len)
			o = child_find(o, p, len);
		p += len;
	}
	return o;
}

/* QEMU's partial path: the one object under o (or o) where p resolves; NULL, and *ambiguous
 * set, when there are several. */
static struct object *resolve_partial(struct object *o, const char *p, bool *ambiguous)
{
	struct object *found = resolve_from(o, p);

	for (struct object *c = o->children; c && !*ambiguous; c = c->next) {
		struct object *f = resolve_partial(c, p, ambiguous);

		if (f && found && f != found)
			*ambiguous = true;
		else if (f)
			found = f;
	}
	return *ambiguous ? NULL : found;
}

struct object *object_resolve_path(const char *path, bool *ambiguous)
{
	struct object *o = object_root();

	*ambiguous = false;
	if (!o)
		return NULL;
	return path[0] == '/' ? resolve_from(o, path) : resolve_partial(o, path, ambiguous);
}

char *object_path(const struct object *o)
{
	size_t len = 0;
	char *s;

	for (const struct object *p = o; p->parent; p = p->parent)
		len += 1 + strlen(p->name);
	s = malloc(len ? len + 1 : 2);
	if (!s)
		return NULL;
	if (!len)
		return strcpy(s, "/");
	s[len] = '\0';
	for (const struct object *p = o; p->parent; p = p->parent) {
		size_t n = strlen(p->name);

		len -= n;
		memcpy(s + len, p->name, n);
		s[--len] = '/';
	}
	return s;
}
