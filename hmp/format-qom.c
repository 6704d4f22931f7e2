/* qom-list, qom-get and info qom-tree in QEMU 7.2's text. */
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"
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
	kids = n ? calloc(n, sizeof(*kids)) : NULL;
	if (n && !kids) {
		error_setg(errp, "Out of memory");
		return;
	}
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
