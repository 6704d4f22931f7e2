/* qapi-gen: emits PREFIXqapi-introspect.[ch]: what query-qmp-schema and query-commands return. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

static const char *type_name(const struct member *m, char *buf, size_t len)
{
	if (m->is_list)
		snprintf(buf, len, "[%s]", m->type->name);
	else
		snprintf(buf, len, "%s", m->type->name);
	return buf;
}

static json_object *members_json(const struct member *ms, int n)
{
	json_object *a = json_object_new_array();
	char buf[300];
	int i;

	for (i = 0; i < n; i++) {
		json_object *m = json_object_new_object();

		json_object_object_add(m, "name", json_object_new_string(ms[i].name));
		json_object_object_add(m, "type",
				       json_object_new_string(type_name(&ms[i], buf, sizeof(buf))));
		if (ms[i].optional)
			json_object_object_add(m, "default", NULL);
		json_object_array_add(a, m);
	}
	return a;
}

static void add_object(json_object *arr, const char *name, const struct member *ms, int n)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "meta-type", json_object_new_string("object"));
	json_object_object_add(o, "members", members_json(ms, n));
	json_object_array_add(arr, o);
}

static void add_entity(json_object *arr, const char *meta, const char *name, const char *arg,
		       const char *ret)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "meta-type", json_object_new_string(meta));
	json_object_object_add(o, "arg-type", json_object_new_string(arg));
	if (ret)
		json_object_object_add(o, "ret-type", json_object_new_string(ret));
	json_object_array_add(arr, o);
}

/* shown[i] of s->types[i]: SHOWN_TYPE, SHOWN_LIST ([T] is used by something shown). */
enum { SHOWN_TYPE = 1, SHOWN_LIST = 2 };

static int type_index(const struct schema *s, const struct type *t)
{
	int i;

	for (i = 0; s->types[i] != t; i++)
		;
	return i;
}

/* Marks what member m reaches: its type, its list, their members. */
static void show(const struct schema *s, const struct member *m, char *shown)
{
	int i = type_index(s, m->type), j;

	if (m->is_list)
		shown[i] |= SHOWN_LIST;
	if (shown[i] & SHOWN_TYPE)
		return;
	shown[i] |= SHOWN_TYPE;
	for (j = 0; j < m->type->nmembers; j++)
		show(s, &m->type->members[j], shown);
}

/* Builtins, and what a listed command or an event reaches: not an unlisted command's types. */
static char *shown_types(const struct schema *s)
{
	char *shown = calloc((size_t)s->ntypes, 1);
	int i, j;

	if (!shown)
		return NULL;
	for (i = 0; i < s->ntypes; i++)
		if (s->types[i]->meta == META_BUILTIN)
			shown[i] = SHOWN_TYPE;
	for (i = 0; i < s->ncommands; i++) {
		const struct command *c = &s->commands[i];

		if (c->unlisted)
			continue;
		for (j = 0; j < c->nmembers; j++)
			show(s, &c->members[j], shown);
		if (c->ret.type)
			show(s, &c->ret, shown);
	}
	for (i = 0; i < s->nevents; i++)
		for (j = 0; j < s->events[i].nmembers; j++)
			show(s, &s->events[i].members[j], shown);
	return shown;
}

static void add_type(json_object *arr, const struct type *t, char shown)
{
	json_object *o = json_object_new_object(), *vals;
	int i;

	json_object_object_add(o, "name", json_object_new_string(t->name));
	if (t->meta == META_BUILTIN) {
		json_object_object_add(o, "meta-type", json_object_new_string("builtin"));
		json_object_object_add(o, "json-type", json_object_new_string(t->json_type));
	} else if (t->meta == META_ENUM) {
		json_object_object_add(o, "meta-type", json_object_new_string("enum"));
		vals = json_object_new_array();
		for (i = 0; i < t->nvalues; i++)
			json_object_array_add(vals, json_object_new_string(t->values[i]));
		json_object_object_add(o, "values", vals);
	} else {
		json_object_put(o);
		add_object(arr, t->name, t->members, t->nmembers);
		o = NULL;
	}
	if (o)
		json_object_array_add(arr, o);
	if (shown & SHOWN_LIST) {
		char name[300];

		o = json_object_new_object();
		snprintf(name, sizeof(name), "[%s]", t->name);
		json_object_object_add(o, "name", json_object_new_string(name));
		json_object_object_add(o, "meta-type", json_object_new_string("array"));
		json_object_object_add(o, "element-type", json_object_new_string(t->name));
		json_object_array_add(arr, o);
	}
}

static json_object *schema_json(const struct schema *s)
{
	char arg[300], ret[300], *shown = shown_types(s);
	json_object *arr;
	int i;

	if (!shown)
		return NULL;
	arr = json_object_new_array();
	add_object(arr, "q_empty", NULL, 0);
	for (i = 0; i < s->ncommands; i++) {
		const struct command *c = &s->commands[i];

		if (c->unlisted)
			continue;
		snprintf(arg, sizeof(arg), "q_obj_%s-arg", c->name);
		if (c->nmembers)
			add_object(arr, arg, c->members, c->nmembers);
		add_entity(arr, "command", c->name, c->nmembers ? arg : "q_empty",
			   c->ret.type ? type_name(&c->ret, ret, sizeof(ret)) : "q_empty");
	}
	for (i = 0; i < s->nevents; i++) {
		const struct event *e = &s->events[i];

		snprintf(arg, sizeof(arg), "q_obj_%s-arg", e->name);
		if (e->nmembers)
			add_object(arr, arg, e->members, e->nmembers);
		add_entity(arr, "event", e->name, e->nmembers ? arg : "q_empty", NULL);
	}
	for (i = 0; i < s->ntypes; i++)
		if (shown[i] & SHOWN_TYPE)
			add_type(arr, s->types[i], shown[i]);
	free(shown);
	return arr;
}

/* Writes text as a C string literal, 100 characters a line. */
static void emit_string(FILE *f, const char *text)
{
	size_t i, col = 0;

	fprintf(f, "\t\"");
	for (i = 0; text[i]; i++, col++) {
		if (col >= 96) {
			fprintf(f, "\"\n\t\"");
			col = 0;
		}
		if (text[i] == '"' || text[i] == '\\')
			fputc('\\', f);
		fputc(text[i], f);
	}
	fprintf(f, "\";\n");
}

static void emit_getter(FILE *c, const char *fn, json_object *value)
{
	fprintf(c, "\nstatic const char %s_text[] =\n", fn);
	emit_string(c, json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN));
	fprintf(c, "\njson_object *%s(void)\n{\n\treturn json_tokener_parse(%s_text);\n}\n", fn,
		fn);
}

bool emit_introspect(const struct schema *s, const char *dir, const char *prefix)
{
	FILE *h = out_open(dir, prefix, "qapi-introspect.h");
	FILE *c = out_open(dir, prefix, "qapi-introspect.c");
	json_object *schema = schema_json(s), *cmds = json_object_new_array();
	int i;

	if (!h || !c || !schema)
		return false;
	for (i = 0; i < s->ncommands; i++) {
		json_object *o;

		if (s->commands[i].unlisted)
			continue;
		o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(s->commands[i].name));
		json_object_array_add(cmds, o);
	}
	fprintf(h,
		"#ifndef QAPI_INTROSPECT_H\n#define QAPI_INTROSPECT_H\n\n#include <json-c/json.h>\n"
		"\n/* query-qmp-schema's answer, QEMU's SchemaInfo list (a new reference). */\n"
		"json_object *qapi_introspect_schema(void);\n"
		"/* query-commands' answer: [{\"name\": ...}, ...] (a new reference). */\n"
		"json_object *qapi_introspect_commands(void);\n\n#endif\n");
	fprintf(c, "#include \"%sqapi-introspect.h\"\n", prefix);
	emit_getter(c, "qapi_introspect_schema", schema);
	emit_getter(c, "qapi_introspect_commands", cmds);
	json_object_put(schema);
	json_object_put(cmds);
	return out_close(h, dir, prefix, "qapi-introspect.h") &&
	       out_close(c, dir, prefix, "qapi-introspect.c");
}
