/* qom-list, qom-get, qom-set and info qom-tree in QEMU 7.2's text and syntax. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"
#include "monitor/json-reader.h"
#include "qapi-commands.h"
#include "qapi-hmp.h"
#include "vmm/object.h"

void hmp_format_qom_list(HmpOut *out, const ObjectPropertyInfoList *ret)
{
	for (; ret; ret = ret->next)
		hmp_printf(out, "%s (%s)\n", ret->value->name, ret->value->type);
}

void hmp_format_qom_get(HmpOut *out, json_object *ret)
{
	hmp_printf(out, "%s\n",
		   json_object_to_json_string_ext(ret, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct object *const *)a)->name, (*(struct object *const *)b)->name);
}

/* One object and, indented by two, its children sorted by name (QEMU's order). */
static void composition(HmpOut *out, const struct object *o, int indent, Error **errp)
{
	struct object **kids;
	size_t n = 0, i = 0;

	hmp_printf(out, "%*s/%s (%s)\n", indent, "", o->name, o->type->name);
	for (struct object *c = o->children; c; c = c->next)
		n++;
	kids = n ? zalloc(n * sizeof(*kids), errp) : NULL;
	if (n && !kids)
		return;
	for (struct object *c = o->children; c; c = c->next)
		kids[i++] = c;
	if (n) /* qsort() wants an array even for no element */
		qsort(kids, n, sizeof(*kids), by_name);
	for (i = 0; i < n && !*errp; i++)
		composition(out, kids[i], indent + 2, errp);
	free(kids);
}

void hmp_cmd_info_qom_tree(HmpOut *out, json_object *args, Error **errp)
{
	bool ambiguous;
	struct object *m = object_resolve_path("/machine", &ambiguous);

	(void)args;
	if (m)
		composition(out, m, 0, errp);
}

/* qom-set's text as the JSON value of its property's kind, as QEMU's string visitor reads it
 * (numbers in any C base, on/off and yes/no for bools); as a string when it is not one. */
static json_object *text_value(const char *path, const char *prop, const char *text)
{
	bool ambiguous;
	struct object *o = object_resolve_path(path, &ambiguous);
	struct object_prop *p = o ? object_prop_find(o, prop) : NULL;
	char *end;

	errno = 0;
	if (p && p->def->kind == PROP_BOOL) {
		if (!strcmp(text, "on") || !strcmp(text, "yes") || !strcmp(text, "true"))
			return json_object_new_boolean(true);
		if (!strcmp(text, "off") || !strcmp(text, "no") || !strcmp(text, "false"))
			return json_object_new_boolean(false);
	} else if (p && p->def->kind == PROP_INT) {
		long long v = strtoll(text, &end, 0);

		if (*text && !*end && !errno)
			return json_object_new_int64(v);
	} else if (p && p->def->kind == PROP_UINT) {
		unsigned long long v = strtoull(text, &end, 0);

		if (*text && *text != '-' && !*end && !errno)
			return json_object_new_uint64(v);
	}
	return json_object_new_string(text);
}

/* QEMU's hmp_qom_set: qom-set [-j] path property value (-j: the value is JSON). */
void hmp_cmd_qom_set(HmpOut *out, json_object *args, Error **errp)
{
	const char *path = json_object_get_string(json_object_object_get(args, "path"));
	const char *prop = json_object_get_string(json_object_object_get(args, "property"));
	const char *text = json_object_get_string(json_object_object_get(args, "value"));
	json_object *value;
	char err[128];

	(void)out;
	if (!json_object_get_boolean(json_object_object_get(args, "json"))) {
		value = text_value(path, prop, text);
	} else if (!json_parse_text(text, &value, err, sizeof(err))) {
		error_setg(errp, "%s", err);
		return;
	}
	qmp_qom_set(path, prop, value, errp);
	json_object_put(value);
}
