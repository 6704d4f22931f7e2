/* qapi-gen: the code fragments that convert one value between JSON and C, and free it. */
#include <string.h>

#include "schema.h"

static bool owns_memory(const struct member *m, bool owned)
{
	if (m->is_list || m->type->meta == META_STRUCT)
		return true;
	return owned && (is_builtin(m->type, "str") || is_builtin(m->type, "any"));
}

void emit_fields(FILE *f, const struct member *ms, int n, bool owned)
{
	char ct[128];
	int i;

	for (i = 0; i < n; i++) {
		if (ms[i].optional)
			fprintf(f, "\tbool has_%s;\n", ms[i].c_name);
		c_type(ct, sizeof(ct), &ms[i], owned);
		fprintf(f, "\t%s%s;\n", ct, ms[i].c_name);
	}
	if (!n)
		fprintf(f, "\tchar q_empty;\n");
}

void emit_params(FILE *f, const struct member *ms, int n, bool constify)
{
	char ct[128];
	int i;

	for (i = 0; i < n; i++) {
		if (ms[i].optional)
			fprintf(f, "bool has_%s, ", ms[i].c_name);
		c_type(ct, sizeof(ct), &ms[i], false);
		fprintf(f, "%s%s%s%s",
			constify && (ms[i].is_list || ms[i].type->meta == META_STRUCT) ? "const "
										       : "",
			ct, ms[i].c_name, i + 1 < n ? ", " : "");
	}
}

void emit_to_json(FILE *f, const struct member *m, const char *expr)
{
	const struct type *t = m->type;

	if (m->is_list)
		fprintf(f, "%sList_to_json(%s)", t->name, expr);
	else if (t->meta == META_STRUCT)
		fprintf(f, "%s_to_json(%s)", t->name, expr);
	else if (t->meta == META_ENUM)
		fprintf(f, "qapi_enum_to_json(%s_str, %d, (int)(%s))", t->name, t->nvalues, expr);
	else if (is_builtin(t, "str"))
		fprintf(f, "json_object_new_string((%s) ? (%s) : \"\")", expr, expr);
	else if (is_builtin(t, "int") || is_builtin(t, "int64"))
		fprintf(f, "json_object_new_int64(%s)", expr);
	else if (is_builtin(t, "uint64") || is_builtin(t, "size"))
		fprintf(f, "qapi_uint64_to_json(%s)", expr);
	else if (is_builtin(t, "bool"))
		fprintf(f, "json_object_new_boolean(%s)", expr);
	else if (is_builtin(t, "number"))
		fprintf(f, "json_object_new_double(%s)", expr);
	else
		fprintf(f, "json_object_get(%s)", expr);
}

void emit_from_json(FILE *f, const struct member *m, const char *json, const char *what,
		    const char *dest, bool owned)
{
	const struct type *t = m->type;

	if (m->is_list) {
		fprintf(f, "\t\tif (!%sList_from_json(%s, %s, &%s, errp))\n\t\t\tgoto fail;\n",
			t->name, json, what, dest);
	} else if (t->meta == META_STRUCT) {
		fprintf(f, "\t\tif (!%s_from_json(%s, %s, &%s, errp))\n\t\t\tgoto fail;\n", t->name,
			json, what, dest);
	} else if (t->meta == META_ENUM) {
		fprintf(f,
			"\t\tint e_;\n\n\t\tif (!qapi_enum_from_json(%s, %s, %s_str, %d, &e_, "
			"errp))\n"
			"\t\t\tgoto fail;\n\t\t%s = (%s)e_;\n",
			json, what, t->name, t->nvalues, dest, t->name);
	} else if (is_builtin(t, "any")) {
		fprintf(f, "\t\t%s = %s%s%s;\n", dest, owned ? "json_object_get(" : "", json,
			owned ? ")" : "");
	} else {
		const char *fn = "int", *extra = "";

		if (is_builtin(t, "str"))
			fn = owned ? "str_dup" : "str";
		else if (is_builtin(t, "uint64"))
			fn = "uint64", extra = "\"uint64\", ";
		else if (is_builtin(t, "size"))
			fn = "uint64", extra = "\"size\", ";
		else if (is_builtin(t, "bool"))
			fn = "bool";
		else if (is_builtin(t, "number"))
			fn = "number";
		fprintf(f, "\t\tif (!qapi_%s_from_json(%s, %s, %s&%s, errp))\n\t\t\tgoto fail;\n",
			fn, json, what, extra, dest);
	}
}

void emit_free(FILE *f, const struct member *m, const char *expr, bool owned)
{
	const struct type *t = m->type;

	if (!owns_memory(m, owned))
		return;
	if (m->is_list)
		fprintf(f, "\t%sList_free(%s);\n", t->name, expr);
	else if (t->meta == META_STRUCT)
		fprintf(f, "\t%s_free(%s);\n", t->name, expr);
	else if (is_builtin(t, "str"))
		fprintf(f, "\tfree(%s);\n", expr);
	else
		fprintf(f, "\tjson_object_put(%s);\n", expr);
}

void emit_unpack(FILE *f, const struct member *ms, int n, const char *obj, const char *prefix,
		 const char *dest, bool owned, bool extra)
{
	int i;

	if (!extra) { /* the members qapi_no_extra() knows */
		fprintf(f, "\tstatic const char *const names[] = { ");
		for (i = 0; i < n; i++)
			fprintf(f, "\"%s\", ", ms[i].name);
		fprintf(f, "NULL };\n");
	}
	fprintf(f, "%s\n", n ? "\tjson_object *v;\n\tbool present;\n\tchar what[256];\n" : "");
	if (owned) /* a struct member, in dest from zalloc() */
		fprintf(f, "\tif (!%s || !qapi_object_check(%s, %s, errp))\n\t\tgoto fail;\n", dest,
			obj, prefix);
	else /* command arguments: absent, or an object */
		fprintf(f,
			"\tif (%s && !json_object_is_type(%s, json_type_object)) {\n"
			"\t\terror_setg(errp, \"QMP input member 'arguments' must be an "
			"object\");\n"
			"\t\tgoto fail;\n\t}\n",
			obj, obj);
	for (i = 0; i < n; i++) {
		const struct member *m = &ms[i];
		char d[300];

		snprintf(d, sizeof(d), "%s->%s", dest, m->c_name);
		fprintf(f, "\tpresent = qapi_get(%s, \"%s\", &v);\n", obj, m->name);
		fprintf(f, "\tqapi_path(what, sizeof(what), %s, \"%s\");\n", prefix, m->name);
		if (m->optional)
			fprintf(f, "\tif (present) {\n\t\t%s->has_%s = true;\n", dest, m->c_name);
		else
			fprintf(f,
				"\tif (!present) {\n\t\tqapi_missing(what, errp);\n\t\tgoto fail;\n"
				"\t} else {\n");
		emit_from_json(f, m, "v", "what", d, owned);
		fprintf(f, "\t}\n");
	}
	if (!extra)
		fprintf(f, "\tif (!qapi_no_extra(%s, %s, names, errp))\n\t\tgoto fail;\n", obj,
			prefix);
}
