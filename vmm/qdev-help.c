/* -device help and -device TYPE,help in QEMU 7.2's text, and the property list behind them and
 * device-list-properties. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmm/qdev.h"

/* QEMU's categories, in its order; a type without one is "Uncategorized". */
static const char *const categories[] = { "Controller/Bridge/Hub",
					  "USB",
					  "Storage",
					  "Network",
					  "Input",
					  "Display",
					  "Sound",
					  "Misc",
					  "CPU",
					  "Watchdog",
					  "Uncategorized" };
#define NR_CATEGORIES (sizeof(categories) / sizeof(categories[0]))

static const char *category_of(const struct object_type *t)
{
	for (; t; t = object_type_parent(t))
		if (t->category)
			return t->category;
	return "Uncategorized";
}

bool qdev_type_creatable(const struct object_type *t)
{
	return object_type_is(t, "device") && !t->abstract && t->realize && !t->board_only;
}

const struct object_type *qdev_type_for_props(const char *name, bool *not_found, char *err,
					      size_t errlen)
{
	const struct object_type *t = object_type_find(name);

	*not_found = !t;
	if (!t)
		snprintf(err, errlen, "Device '%s' not found", name);
	else if (!object_type_is(t, "device") || t->abstract)
		snprintf(err, errlen, "Parameter 'typename' expects a non-abstract device type");
	else
		return t;
	return NULL;
}

int qdev_type_props(const struct object_type *t, const struct prop_def **out, int max)
{
	const struct prop_def *all[OBJECT_MAX_PROPS];
	int n = object_type_props(t, all, OBJECT_MAX_PROPS), k = 0;

	for (int i = 0; i < n && i < OBJECT_MAX_PROPS; i++)
		if (all[i]->writable && k < max) /* not type, parent_bus, realized, hotplug* */
			out[k++] = all[i];
	return k;
}

static int by_name_nocase(const void *a, const void *b)
{
	return strcasecmp((*(const struct object_type *const *)a)->name,
			  (*(const struct object_type *const *)b)->name);
}

void qdev_print_help(FILE *f)
{
	const struct object_type *types[256], *t;
	int n = 0;

	for (int i = 0; (t = object_type_at(i)) && n < 256; i++)
		if (qdev_type_creatable(t))
			types[n++] = t;
	qsort(types, (size_t)n, sizeof(types[0]), by_name_nocase);
	for (size_t c = 0, headings = 0; c < NR_CATEGORIES; c++) {
		bool printed = false;

		for (int i = 0; i < n; i++) {
			t = types[i];
			if (strcmp(category_of(t), categories[c]))
				continue;
			if (!printed) /* a blank line before every heading but the first */
				fprintf(f, "%s%s devices:\n", headings++ ? "\n" : "",
					categories[c]);
			printed = true;
			fprintf(f, "name \"%s\"", t->name);
			if (qdev_bus_type(t))
				fprintf(f, ", bus %s", qdev_bus_type(t));
			if (t->desc)
				fprintf(f, ", desc \"%s\"", t->desc);
			fputc('\n', f);
		}
	}
}

static int by_prop_name(const void *a, const void *b)
{
	return strcmp((*(const struct prop_def *const *)a)->name,
		      (*(const struct prop_def *const *)b)->name);
}

bool qdev_print_type_help(FILE *f, const char *type, char *err, size_t errlen)
{
	bool not_found;
	const struct object_type *t = qdev_type_for_props(type, &not_found, err, errlen);
	const struct prop_def *props[OBJECT_MAX_PROPS];
	int n;

	if (!t)
		return false;
	n = qdev_type_props(t, props, OBJECT_MAX_PROPS);
	if (!n) {
		fprintf(f, "There are no options for %s.\n", t->name);
		return true;
	}
	qsort(props, (size_t)n, sizeof(props[0]), by_prop_name);
	fprintf(f, "%s options:\n", t->name);
	for (int i = 0; i < n; i++) {
		char line[256], def[128];
		int len =
			snprintf(line, sizeof(line), "  %s=<%s>", props[i]->name, props[i]->qtype);
		bool has_def = object_prop_default_json(props[i], def, sizeof(def));

		fputs(line, f);
		if (props[i]->desc || has_def) /* QEMU's column: 24 */
			fprintf(f, "%*s - %s", len < 24 ? 24 - len : 0, "",
				props[i]->desc ? props[i]->desc : "");
		if (has_def)
			fprintf(f, " (default: %s)", def);
		fputc('\n', f);
	}
	return true;
}
