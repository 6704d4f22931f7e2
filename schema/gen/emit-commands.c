/* qapi-gen: emits PREFIXqapi-commands.[ch]: handler prototypes, marshallers, the command table. */
#include <stdlib.h>
#include <string.h>

#include "schema.h"

/* "StatusInfo *", "void ", "int64_t " ... */
static void ret_type(char *buf, size_t len, const struct command *c)
{
	if (!c->ret.type)
		snprintf(buf, len, "void ");
	else
		c_type(buf, len, &c->ret, true);
}

static void emit_prototype(FILE *h, const struct command *c)
{
	char rt[128];

	ret_type(rt, sizeof(rt), c);
	fprintf(h, "\n/* %s */\n%sqmp_%s(", c->doc, rt, c->c_name);
	emit_params(h, c->members, c->nmembers, false);
	fprintf(h, "%sError **errp);\n", c->nmembers ? ", " : "");
	fprintf(h, "void qmp_marshal_%s(json_object *args, json_object **ret, Error **errp);\n",
		c->c_name);
}

/*
 * The argument struct and its unpacker, shared by the QMP marshaller and the HMP caller: a command
 * with an hmp block has them public (declared in h), for qapi-hmp.c.
 */
static void emit_args(FILE *f, FILE *h, const struct command *c)
{
	const char *linkage = c->hmp ? "" : "static ";
	FILE *decl = c->hmp ? h : f;
	char expr[300];
	int i;

	fprintf(decl, "\nstruct q_obj_%s_arg {\n", c->c_name);
	emit_fields(decl, c->members, c->nmembers, false);
	fprintf(decl, "};\n");
	if (c->hmp)
		fprintf(h,
			"void q_obj_%s_arg_free(struct q_obj_%s_arg *a);\n"
			"bool q_obj_%s_arg_unpack(json_object *args, struct q_obj_%s_arg *a, "
			"Error **errp);\n",
			c->c_name, c->c_name, c->c_name, c->c_name);
	fprintf(f, "\n%svoid q_obj_%s_arg_free(struct q_obj_%s_arg *a)\n{\n", linkage, c->c_name,
		c->c_name);
	fprintf(f, "\t(void)a;\n");
	for (i = 0; i < c->nmembers; i++) {
		snprintf(expr, sizeof(expr), "a->%s", c->members[i].c_name);
		emit_free(f, &c->members[i], expr, false);
	}
	fprintf(f,
		"}\n\n%sbool q_obj_%s_arg_unpack(json_object *args, struct q_obj_%s_arg *a, "
		"Error **errp)\n{\n",
		linkage, c->c_name, c->c_name);
	emit_unpack(f, c->members, c->nmembers, "args", "\"\"", "a", false, c->extra_members);
	fprintf(f, "\treturn true;\nfail:\n\treturn false;\n}\n");
}

/* Unpacks (HMP: the console's vCPU as cpu-index), calls the handler into r; out on error. */
static void emit_call(FILE *f, const struct command *c, bool hmp)
{
	int i;

	fprintf(f, "\tif (!q_obj_%s_arg_unpack(args, &a, &err))\n\t\tgoto out;\n", c->c_name);
	if (hmp && c->hmp->cpu)
		fprintf(f, "\ta.has_cpu_index = true;\n\ta.cpu_index = hmp_out_cpu(out);\n");
	fprintf(f, "\t%sqmp_%s(", c->ret.type ? "r = " : "", c->c_name);
	for (i = 0; i < c->nmembers; i++) {
		if (c->members[i].optional)
			fprintf(f, "a.has_%s, ", c->members[i].c_name);
		fprintf(f, "a.%s, ", c->members[i].c_name);
	}
	fprintf(f, "&err);\n\tif (err)\n\t\tgoto out;\n");
}

static void emit_head(FILE *f, const struct command *c, const char *fn, const char *params)
{
	char rt[128];

	ret_type(rt, sizeof(rt), c);
	fprintf(f, "\nvoid %s_%s(%s)\n{\n\tError *err = NULL;\n\tstruct q_obj_%s_arg a;\n", fn,
		c->c_name, params, c->c_name);
	if (c->ret.type)
		fprintf(f, "\t%sr = %s;\n", rt, strchr(rt, '*') ? "NULL" : "0");
	fprintf(f, "\n\tmemset(&a, 0, sizeof(a));\n");
}

static void emit_tail(FILE *f, const struct command *c)
{
	fprintf(f, "out:\n");
	if (c->ret.type)
		emit_free(f, &c->ret, "r", true);
	fprintf(f, "\tq_obj_%s_arg_free(&a);\n\terror_propagate(errp, err);\n}\n", c->c_name);
}

static void emit_marshal(FILE *f, const struct command *c)
{
	emit_head(f, c, "qmp_marshal", "json_object *args, json_object **ret, Error **errp");
	emit_call(f, c, false);
	if (!c->ret.type) {
		fprintf(f, "\t*ret = json_object_new_object();\n");
	} else if (is_builtin(c->ret.type, "any") && !c->ret.is_list) {
		fprintf(f, "\t*ret = r ? r : json_object_new_object();\n\tr = NULL;\n");
	} else {
		fprintf(f, "\t*ret = ");
		emit_to_json(f, &c->ret, "r");
		fprintf(f, ";\n");
	}
	emit_tail(f, c);
}

void emit_hmp_call(FILE *f, const struct command *c)
{
	emit_head(f, c, "hmp_call", "HmpOut *out, json_object *args, Error **errp");
	emit_call(f, c, true);
	if (c->hmp->formatter) {
		fprintf(f, "\thmp_format_%s(out, r);\n", c->c_name);
	} else if (c->ret.type) {
		fprintf(f, "\t{\n\t\tjson_object *j = ");
		emit_to_json(f, &c->ret, "r");
		fprintf(f, ";\n\n\t\thmp_print_json(out, j);\n\t\tjson_object_put(j);\n\t}\n");
	} else {
		fprintf(f, "\t(void)out;\n");
	}
	emit_tail(f, c);
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct command *const *)a)->name,
		      (*(const struct command *const *)b)->name);
}

bool emit_commands(const struct schema *s, const char *dir, const char *prefix)
{
	FILE *h = out_open(dir, prefix, "qapi-commands.h");
	FILE *c = out_open(dir, prefix, "qapi-commands.c");
	const struct command **sorted = calloc((size_t)s->ncommands + 1, sizeof(*sorted));
	int i;

	if (!h || !c || !sorted)
		return false;
	fprintf(h,
		"#ifndef QAPI_COMMANDS_H\n#define QAPI_COMMANDS_H\n\n#include \"%sqapi-types.h\"\n"
		"\n#define QMP_CMD_ALLOW_BEFORE_NEGOTIATION 1\n\n"
		"typedef struct QmpCommand {\n\tconst char *name;\n"
		"\tvoid (*fn)(json_object *args, json_object **ret, Error **errp);\n"
		"\tunsigned flags;\n} QmpCommand;\n\n"
		"extern const QmpCommand qmp_commands[];\nextern const size_t qmp_commands_count;\n"
		"const QmpCommand *qmp_command_find(const char *name);\n",
		prefix);
	fprintf(c,
		"#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
		"#include \"%sqapi-commands.h\"\n",
		prefix);
	for (i = 0; i < s->ncommands; i++) {
		const struct command *cmd = &s->commands[i];

		emit_prototype(h, cmd);
		emit_args(c, h, cmd);
		emit_marshal(c, cmd);
		sorted[i] = cmd;
	}
	qsort(sorted, (size_t)s->ncommands, sizeof(*sorted), by_name);
	fprintf(c, "\nconst QmpCommand qmp_commands[] = {\n");
	for (i = 0; i < s->ncommands; i++)
		fprintf(c, "\t{ \"%s\", qmp_marshal_%s, %s },\n", sorted[i]->name,
			sorted[i]->c_name,
			sorted[i]->before_negotiation ? "QMP_CMD_ALLOW_BEFORE_NEGOTIATION" : "0");
	fprintf(c, "};\n\nconst size_t qmp_commands_count = %d;\n", s->ncommands);
	fprintf(c,
		"\nstatic int cmp(const void *key, const void *elem)\n{\n"
		"\treturn strcmp(key, ((const QmpCommand *)elem)->name);\n}\n"
		"\nconst QmpCommand *qmp_command_find(const char *name)\n{\n"
		"\treturn bsearch(name, qmp_commands, qmp_commands_count, sizeof(qmp_commands[0]), "
		"cmp);\n}\n");
	fprintf(h, "\n#endif\n");
	free(sorted);
	return out_close(h, dir, prefix, "qapi-commands.h") &&
	       out_close(c, dir, prefix, "qapi-commands.c");
}
