/*
 * qapi-gen: emits PREFIXqapi-enums.[ch] (the enums, free of json-c, for vmm/ too) and
 * PREFIXqapi-types.[ch]: structs, lists, and their JSON converters.
 */
#include <stdlib.h>
#include <string.h>

#include "schema.h"

static void emit_enum_h(FILE *h, const struct type *t)
{
	char *up = upper_name(t->name);
	int i;

	fprintf(h, "\n/* %s */\ntypedef enum %s {\n", t->doc, t->name);
	for (i = 0; i < t->nvalues; i++) {
		char *v = upper_name(t->values[i]);

		fprintf(h, "\t%s_%s,\n", up, v);
		free(v);
	}
	fprintf(h, "\t%s__MAX\n} %s;\n", up, t->name);
	fprintf(h, "extern const char *const %s_str[%s__MAX];\n", t->name, up);
	fprintf(h, "bool %s_parse(const char *s, %s *out);\n", t->name, t->name);
	free(up);
}

static void emit_enum_c(FILE *c, const struct type *t)
{
	char *up = upper_name(t->name);
	int i;

	fprintf(c, "\nconst char *const %s_str[%s__MAX] = {\n", t->name, up);
	for (i = 0; i < t->nvalues; i++)
		fprintf(c, "\t\"%s\",\n", t->values[i]);
	fprintf(c, "};\n\nbool %s_parse(const char *s, %s *out)\n{\n\tint i;\n\n", t->name,
		t->name);
	fprintf(c, "\tfor (i = 0; i < %s__MAX; i++) {\n\t\tif (!strcmp(%s_str[i], s)) {\n", up,
		t->name);
	fprintf(c, "\t\t\t*out = (%s)i;\n\t\t\treturn true;\n\t\t}\n\t}\n\treturn false;\n}\n",
		t->name);
	free(up);
}

static void emit_struct_h(FILE *h, const struct type *t)
{
	fprintf(h, "\n/* %s */\nstruct %s {\n", t->doc, t->name);
	emit_fields(h, t->members, t->nmembers, true);
	fprintf(h, "};\nvoid %s_free(%s *p);\n", t->name, t->name);
	fprintf(h, "json_object *%s_to_json(const %s *p);\n", t->name, t->name);
	fprintf(h,
		"bool %s_from_json(json_object *obj, const char *what, %s **out, Error **errp);\n",
		t->name, t->name);
}

static void emit_struct_c(FILE *c, const struct type *t)
{
	char expr[300];
	int i;

	fprintf(c, "\nvoid %s_free(%s *p)\n{\n\tif (!p)\n\t\treturn;\n", t->name, t->name);
	for (i = 0; i < t->nmembers; i++) {
		snprintf(expr, sizeof(expr), "p->%s", t->members[i].c_name);
		emit_free(c, &t->members[i], expr, true);
	}
	fprintf(c, "\tfree(p);\n}\n");

	fprintf(c, "\njson_object *%s_to_json(const %s *p)\n{\n", t->name, t->name);
	fprintf(c, "\tjson_object *o = json_object_new_object();\n\n\tif (!p)\n\t\treturn o;\n");
	for (i = 0; i < t->nmembers; i++) {
		const struct member *m = &t->members[i];

		snprintf(expr, sizeof(expr), "p->%s", m->c_name);
		if (m->optional)
			fprintf(c, "\tif (p->has_%s)\n\t", m->c_name);
		fprintf(c, "\tjson_object_object_add(o, \"%s\", ", m->name);
		emit_to_json(c, m, expr);
		fprintf(c, ");\n");
	}
	fprintf(c, "\treturn o;\n}\n");

	fprintf(c,
		"\nbool %s_from_json(json_object *obj, const char *prefix, %s **out, Error "
		"**errp)\n"
		"{\n",
		t->name, t->name);
	fprintf(c, "\t%s *p = zalloc(sizeof(*p), errp);\n", t->name);
	emit_unpack(c, t->members, t->nmembers, "obj", "prefix", "p", true, false);
	fprintf(c, "\t*out = p;\n\treturn true;\nfail:\n\t%s_free(p);\n\treturn false;\n}\n",
		t->name);
}

static void emit_list_h(FILE *h, const struct type *t)
{
	struct member m = { .type = (struct type *)t };
	char ct[128];

	c_type(ct, sizeof(ct), &m, true);
	fprintf(h, "\ntypedef struct %sList {\n\tstruct %sList *next;\n\t%svalue;\n} %sList;\n",
		t->name, t->name, ct, t->name);
	fprintf(h, "void %sList_free(%sList *l);\n", t->name, t->name);
	fprintf(h, "json_object *%sList_to_json(const %sList *l);\n", t->name, t->name);
	fprintf(h,
		"bool %sList_from_json(json_object *obj, const char *what, %sList **out, "
		"Error **errp);\n",
		t->name, t->name);
	if (t->meta == META_STRUCT)
		fprintf(h,
			"/* Links a zeroed %s at *tail, then the new end; NULL with \"Out of "
			"memory\". */\n%s *%sList_append(%sList ***tail, Error **errp);\n",
			t->name, t->name, t->name, t->name);
}

static void emit_list_c(FILE *c, const struct type *t)
{
	struct member m = { .type = (struct type *)t };

	fprintf(c,
		"\nvoid %sList_free(%sList *l)\n{\n\twhile (l) {\n\t\t%sList *next = l->next;\n\n",
		t->name, t->name, t->name);
	fprintf(c, "\t");
	emit_free(c, &m, "l->value", true);
	fprintf(c, "\t\tfree(l);\n\t\tl = next;\n\t}\n}\n");

	fprintf(c, "\njson_object *%sList_to_json(const %sList *l)\n{\n", t->name, t->name);
	fprintf(c, "\tjson_object *a = json_object_new_array();\n\n\tfor (; l; l = l->next)\n");
	fprintf(c, "\t\tjson_object_array_add(a, ");
	emit_to_json(c, &m, "l->value");
	fprintf(c, ");\n\treturn a;\n}\n");

	if (t->meta == META_STRUCT) {
		fprintf(c, "\n%s *%sList_append(%sList ***tail, Error **errp)\n{\n", t->name,
			t->name, t->name);
		fprintf(c, "\t%sList *e = zalloc(sizeof(*e), errp);\n\n", t->name);
		fprintf(c, "\tif (!e || !(e->value = zalloc(sizeof(*e->value), errp))) {\n");
		fprintf(c, "\t\tfree(e);\n\t\treturn NULL;\n\t}\n\t**tail = e;\n");
		fprintf(c, "\t*tail = &e->next;\n\treturn e->value;\n}\n");
	}
	fprintf(c,
		"\nbool %sList_from_json(json_object *obj, const char *prefix, %sList **out, "
		"Error **errp)\n{\n",
		t->name, t->name);
	fprintf(c, "\t%sList *head = NULL, **tail = &head;\n\tsize_t i;\n\n", t->name);
	fprintf(c, "\tif (!qapi_array_check(obj, prefix, errp))\n\t\treturn false;\n");
	fprintf(c, "\tfor (i = 0; i < json_object_array_length(obj); i++) {\n");
	fprintf(c, "\t\t%sList *e = zalloc(sizeof(*e), errp);\n\t\tchar what[256];\n\n", t->name);
	fprintf(c, "\t\tif (!e)\n\t\t\tgoto fail;\n");
	fprintf(c, "\t\tsnprintf(what, sizeof(what), \"%%s[%%zu]\", prefix, i);\n");
	fprintf(c, "\t\t*tail = e;\n\t\ttail = &e->next;\n\t\t{\n");
	emit_from_json(c, &m, "json_object_array_get_idx(obj, i)", "what", "e->value", true);
	fprintf(c,
		"\t\t}\n\t}\n\t*out = head;\n\treturn true;\nfail:\n\t%sList_free(head);\n"
		"\treturn false;\n}\n",
		t->name);
}

/* The enums alone: no json-c, no monitor header, so vmm/ can use them. */
static bool emit_enums(const struct schema *s, const char *dir, const char *prefix)
{
	FILE *h = out_open(dir, prefix, "qapi-enums.h");
	FILE *c = out_open(dir, prefix, "qapi-enums.c");
	int i;

	if (!h || !c)
		return false;
	fprintf(h, "#ifndef QAPI_ENUMS_H\n#define QAPI_ENUMS_H\n\n#include <stdbool.h>\n");
	fprintf(c, "#include <string.h>\n\n#include \"%sqapi-enums.h\"\n", prefix);
	for (i = 0; i < s->ntypes; i++)
		if (s->types[i]->meta == META_ENUM)
			emit_enum_h(h, s->types[i]), emit_enum_c(c, s->types[i]);
	fprintf(h, "\n#endif\n");
	return out_close(h, dir, prefix, "qapi-enums.h") &&
	       out_close(c, dir, prefix, "qapi-enums.c");
}

bool emit_types(const struct schema *s, const char *dir, const char *prefix)
{
	FILE *h, *c;
	int i;

	if (!emit_enums(s, dir, prefix))
		return false;
	h = out_open(dir, prefix, "qapi-types.h");
	c = out_open(dir, prefix, "qapi-types.c");
	if (!h || !c)
		return false;
	fprintf(h,
		"#ifndef QAPI_TYPES_H\n#define QAPI_TYPES_H\n\n#include <json-c/json.h>\n"
		"#include <stdbool.h>\n#include <stdint.h>\n\n#include \"monitor/error.h\"\n"
		"#include \"schema/runtime.h\"\n#include \"%sqapi-enums.h\"\n",
		prefix);
	fprintf(c,
		"#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
		"#include \"%sqapi-types.h\"\n",
		prefix);
	fprintf(h, "\n");
	for (i = 0; i < s->ntypes; i++)
		if (s->types[i]->meta == META_STRUCT)
			fprintf(h, "typedef struct %s %s;\n", s->types[i]->name, s->types[i]->name);
	for (i = 0; i < s->ntypes; i++)
		if (s->types[i]->list_used)
			emit_list_h(h, s->types[i]);
	for (i = 0; i < s->ntypes; i++)
		if (s->types[i]->meta == META_STRUCT)
			emit_struct_h(h, s->types[i]), emit_struct_c(c, s->types[i]);
	for (i = 0; i < s->ntypes; i++)
		if (s->types[i]->list_used)
			emit_list_c(c, s->types[i]);
	fprintf(h, "\n#endif\n");
	return out_close(h, dir, prefix, "qapi-types.h") &&
	       out_close(c, dir, prefix, "qapi-types.c");
}
