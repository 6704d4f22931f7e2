/* qom-list, qom-get, qom-set and qom-list-types over the object tree (vmm/object.h, vmm/qdev.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"
#include "vmm/qdev.h"

static struct object *resolve(const char *path, Error **errp)
{
	bool ambiguous;
	struct object *o = object_resolve_path(path, &ambiguous);

	if (ambiguous)
		error_setg(errp, "Path '%s' is ambiguous", path);
	else if (!o)
		error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found", path);
	return o;
}

/* Appends a property (child: a child<type>); false with *errp set. */
static bool list_add(ObjectPropertyInfoList ***tail, const char *name, Error **errp, bool child,
		     const char *type)
{
	ObjectPropertyInfo *p = ObjectPropertyInfoList_append(tail, errp);

	if (!p || !(p->name = zstrdup(name, errp)))
		return false;
	if (asprintf(&p->type, child ? "child<%s>" : "%s", type) < 0) {
		p->type = NULL;
		error_setg(errp, "Out of memory");
		return false;
	}
	return true;
}

ObjectPropertyInfoList *qmp_qom_list(const char *path, Error **errp)
{
	struct object *o = resolve(path, errp);
	ObjectPropertyInfoList *head = NULL, **tail = &head;
	bool ok = o && list_add(&tail, "type", errp, false, "string");

	for (int i = 0; ok && i < o->nr_props; i++)
		ok = list_add(&tail, o->props[i].def->name, errp, false, o->props[i].def->qtype);
	for (struct object *c = ok ? o->children : NULL; ok && c; c = c->next)
		ok = list_add(&tail, c->name, errp, true, c->type->name);
	if (!ok) {
		ObjectPropertyInfoList_free(head);
		return NULL;
	}
	return head;
}

static json_object *prop_to_json(const struct object_prop *p)
{
	switch (p->def->kind) {
	case PROP_BOOL:
		return json_object_new_boolean(p->val.b);
	case PROP_INT:
		return json_object_new_int64(p->val.i);
	case PROP_UINT:
		return json_object_new_uint64(p->val.u);
	case PROP_STR:
		return json_object_new_string(p->val.s);
	case PROP_LINK: {
		char *path = p->val.obj ? object_path(p->val.obj) : strdup("");
		json_object *v = path ? json_object_new_string(path) : NULL;

		free(path);
		return v;
	}
	}
	return NULL;
}

json_object *qmp_qom_get(const char *path, const char *property, Error **errp)
{
	struct object *o = resolve(path, errp);
	struct object_prop *p = o ? object_prop_find(o, property) : NULL;
	struct object *c = o && !p ? object_child(o, property) : NULL;
	json_object *v;
	char *s = NULL;

	if (!o)
		return NULL;
	if (!strcmp(property, "type"))
		v = json_object_new_string(o->type->name);
	else if (p)
		v = prop_to_json(p);
	else if (c) /* a child<> property reads as the child's path, as QEMU's */
		v = (s = object_path(c)) ? json_object_new_string(s) : NULL;
	else {
		error_setg(errp, "Property '%s.%s' not found", o->type->name, property);
		return NULL;
	}
	free(s);
	if (!v)
		error_setg(errp, "Out of memory");
	return v;
}

/* realized of a device -device can create: false unrealizes it (its ports and chardev given back,
 * its properties settable), true realizes it again, as QEMU's. */
static void set_realized(struct object *o, json_object *value, Error **errp)
{
	char err[512];

	if (!json_object_is_type(value, json_type_boolean))
		error_setg(errp, "Invalid parameter type for 'realized', expected: boolean");
	else if (!qdev_type_creatable(o->type))
		error_setg(errp, "Property '%s.realized' is not writable", o->type->name);
	else if (!json_object_get_boolean(value))
		qdev_unrealize(o, monitor_machine());
	else if (!qdev_realize(o, monitor_machine(), err, sizeof(err)))
		error_setg(errp, "%s", err);
}

/* A property of an unrealized device from JSON, with QEMU's errors. */
static void set_from_json(struct object_prop *p, json_object *value, Error **errp)
{
	const struct prop_def *d = p->def;
	char *s;

	switch (d->kind) {
	case PROP_UINT:
		if (!json_object_is_type(value, json_type_int))
			error_setg(errp, "Parameter '%s' expects uint64", d->name);
		else if (json_object_get_int64(value) < 0 ||
			 (d->max && json_object_get_uint64(value) > d->max))
			error_setg(errp, "Parameter '%s' expects %s_t", d->name, d->qtype);
		else
			p->val.u = json_object_get_uint64(value);
		return;
	case PROP_INT:
		if (!json_object_is_type(value, json_type_int))
			error_setg(errp, "Invalid parameter type for '%s', expected: integer",
				   d->name);
		else
			p->val.i = json_object_get_int64(value);
		return;
	case PROP_BOOL:
		qapi_bool_from_json(value, d->name, &p->val.b, errp);
		return;
	case PROP_STR:
		if (!json_object_is_type(value, json_type_string))
			error_setg(errp, "Invalid parameter type for '%s', expected: string",
				   d->name);
		else if (d->once && *p->val.s)
			error_setg(errp, "%s=%s conflicts, and override is not implemented",
				   d->name, json_object_get_string(value));
		else if ((s = zstrdup(json_object_get_string(value), errp))) {
			free((char *)p->val.s);
			p->val.s = s;
		}
		return;
	case PROP_LINK:
		break;
	}
	error_setg(errp, "Property '%s' is not writable", d->name);
}

void qmp_qom_set(const char *path, const char *property, json_object *value, Error **errp)
{
	struct object *o = resolve(path, errp);
	struct object_prop *p = o ? object_prop_find(o, property) : NULL;
	bool named;

	if (!o)
		return;
	named = o->parent && !strcmp(o->parent->name, "peripheral"); /* -device ...,id= */
	if (!p && strcmp(property, "type") && !object_child(o, property))
		error_setg(errp, "Property '%s.%s' not found", o->type->name, property);
	else if (p && !strcmp(property, "realized") && object_type_is(o->type, "device"))
		set_realized(o, value, errp);
	else if (!p || !p->def->writable)
		error_setg(errp, "Property '%s.%s' is not writable", o->type->name, property);
	else if (object_is_realized(o) && named)
		error_setg(errp,
			   "Attempt to set property '%s' on device '%s' (type '%s') after it was "
			   "realized",
			   property, o->name, o->type->name);
	else if (object_is_realized(o))
		error_setg(errp,
			   "Attempt to set property '%s' on anonymous device (type '%s') after it "
			   "was realized",
			   property, o->type->name);
	else
		set_from_json(p, value, errp);
}

/* Appends t's entry; false with *errp set. */
static bool type_info(ObjectTypeInfoList ***tail, const struct object_type *t, Error **errp)
{
	ObjectTypeInfo *i = ObjectTypeInfoList_append(tail, errp);

	if (!i || !(i->name = zstrdup(t->name, errp)))
		return false;
	i->has_abstract = i->abstract = t->abstract; /* QEMU's leaves it out when false */
	i->has_parent = t->parent;
	return !t->parent || (i->parent = zstrdup(t->parent, errp)) != NULL;
}

ObjectTypeInfoList *qmp_qom_list_types(bool has_implements, const char *implements,
				       bool has_abstract, bool abstract, Error **errp)
{
	ObjectTypeInfoList *head = NULL, **tail = &head;
	const struct object_type *t;

	for (int i = 0; (t = object_type_at(i)); i++) {
		if ((has_implements && !object_type_is(t, implements)) ||
		    (t->abstract && !(has_abstract && abstract)))
			continue;
		if (!type_info(&tail, t, errp)) {
			ObjectTypeInfoList_free(head);
			return NULL;
		}
	}
	return head;
}
