/* qom-list-properties, device-list-properties, device_add and device_del over the types and
 * devices of vmm/qdev.h. */
#include <stdlib.h>
#include <string.h>

#include "monitor/qmp-internal.h"
#include "qapi-commands.h"
#include "vmm/qdev.h"

/* One ObjectPropertyInfo: name, QEMU's type, description and, with defaults, default-value. */
static bool add(ObjectPropertyInfoList ***tail, const char *name, const char *type,
		const struct prop_def *d, bool defaults, Error **errp)
{
	ObjectPropertyInfo *p = ObjectPropertyInfoList_append(tail, errp);
	char def[128];

	if (!p || !(p->name = zstrdup(name, errp)) || !(p->type = zstrdup(type, errp)))
		return false;
	p->has_description = d && d->desc;
	if (p->has_description && !(p->description = zstrdup(d->desc, errp)))
		return false;
	if (defaults && d && object_prop_default_json(d, def, sizeof(def)))
		p->has_default_value = (p->default_value = json_tokener_parse(def)) != NULL;
	return true;
}

static ObjectPropertyInfoList *list(const struct prop_def **props, int n, bool with_type,
				    bool defaults, Error **errp)
{
	ObjectPropertyInfoList *head = NULL, **tail = &head;
	bool ok = !with_type || add(&tail, "type", "string", NULL, false, errp);

	for (int i = 0; ok && i < n; i++)
		ok = add(&tail, props[i]->name, props[i]->qtype, props[i], defaults, errp);
	if (!ok) {
		ObjectPropertyInfoList_free(head);
		return NULL;
	}
	return head;
}

ObjectPropertyInfoList *qmp_qom_list_properties(const char *typename, Error **errp)
{
	const struct object_type *t = object_type_find(typename);
	const struct prop_def *props[OBJECT_MAX_PROPS];

	if (!t) {
		error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Class '%s' not found", typename);
		return NULL;
	}
	return list(props, object_type_props(t, props, OBJECT_MAX_PROPS), true, false, errp);
}

ObjectPropertyInfoList *qmp_device_list_properties(const char *typename, Error **errp)
{
	char err[256];
	bool not_found;
	const struct object_type *t = qdev_type_for_props(typename, &not_found, err, sizeof(err));
	const struct prop_def *props[OBJECT_MAX_PROPS];

	if (!t) {
		error_set(errp,
			  not_found ? ERROR_CLASS_DEVICE_NOT_FOUND : ERROR_CLASS_GENERIC_ERROR,
			  "%s", err);
		return NULL;
	}
	return list(props, qdev_type_props(t, props, OBJECT_MAX_PROPS), false, true, errp);
}

void qmp_device_add(const char *driver, bool has_bus, const char *bus, bool has_id, const char *id,
		    Error **errp)
{
	char err[256];

	(void)has_id;
	(void)id;
	device_add_refused(driver, has_bus ? bus : NULL, err, sizeof(err));
	error_setg(errp, "%s", err);
}

void qmp_device_del(const char *id, Error **errp)
{
	char err[300];
	bool not_found;

	device_del_refused(id, &not_found, err, sizeof(err));
	error_set(errp, not_found ? ERROR_CLASS_DEVICE_NOT_FOUND : ERROR_CLASS_GENERIC_ERROR, "%s",
		  err);
}
