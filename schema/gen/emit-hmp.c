/* qapi-gen: emits PREFIXqapi-hmp.[ch]: the HMP callers and command table from the hmp blocks. */
#include <string.h>

#include "schema.h"

static void emit_cstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* hmp_call_NAME() and, with a formatter, the hmp_format_NAME() that hmp/ defines. */
static void emit_prototypes(FILE *h, const struct command *c)
{
	char ct[128];

	fprintf(h, "void hmp_call_%s(HmpOut *out, json_object *args, Error **errp);\n", c->c_name);
	if (!c->hmp->formatter)
		return;
	c_type(ct, sizeof(ct), &c->ret, false);
	fprintf(h, "void hmp_format_%s(HmpOut *out, %s%sret);\n", c->c_name,
		strchr(ct, '*') && strncmp(ct, "const", 5) && !is_builtin(c->ret.type, "any")
			? "const "
			: "",
		ct);
}

bool emit_hmp(const struct schema *s, const char *dir, const char *prefix)
{
	FILE *h = out_open(dir, prefix, "qapi-hmp.h");
	FILE *c = out_open(dir, prefix, "qapi-hmp.c");
	int i, j, n = 0;

	if (!h || !c)
		return false;
	fprintf(h,
		"#ifndef QAPI_HMP_H\n#define QAPI_HMP_H\n\n#include \"%sqapi-commands.h\"\n\n"
		"/* Defined by hmp/: where a command's output goes, and the generic printer. */\n"
		"typedef struct HmpOut HmpOut;\n"
		"void hmp_printf(HmpOut *out, const char *fmt, ...) "
		"__attribute__((format(printf, 2, 3)));\n"
		"void hmp_print_json(HmpOut *out, json_object *ret);\n"
		"/* The vCPU the console selected (cpu N): cpu-index of an hmp block with cpu. */\n"
		"int hmp_out_cpu(const HmpOut *out);\n\n"
		"typedef struct HmpArgSpec {\n\tconst char *name; /* the member */\n"
		"\tconst char *type; /* \"int\", \"str\", \"size\", an enum, \"[T]\" */\n"
		"\tbool optional;\n\tchar flag; /* 'a' for -a, else 0 */\n} HmpArgSpec;\n\n"
		"typedef struct HmpCommandDef {\n\tconst char *name; /* \"cont|c\", \"info "
		"status\" */\n"
		"\tconst char *params;\n\tconst char *help;\n\tconst HmpArgSpec *args;\n\tint "
		"nargs;\n"
		"\tvoid (*call)(HmpOut *out, json_object *args, Error **errp);\n} "
		"HmpCommandDef;\n\n"
		"extern const HmpCommandDef hmp_commands[];\nextern const size_t "
		"hmp_commands_count;\n\n",
		prefix);
	fprintf(c,
		"#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
		"#include \"%sqapi-hmp.h\"\n",
		prefix);
	for (i = 0; i < s->ncommands; i++) {
		if (s->commands[i].hmp) {
			emit_prototypes(h, &s->commands[i]);
			emit_hmp_call(c, &s->commands[i]);
		}
	}
	fprintf(h, "\n#endif\n");
	for (i = 0; i < s->ncommands; i++) {
		const struct command *cmd = &s->commands[i];

		if (!cmd->hmp || !cmd->hmp->nargs)
			continue;
		fprintf(c, "\nstatic const HmpArgSpec args_%s[] = {\n", cmd->c_name);
		for (j = 0; j < cmd->hmp->nargs; j++) {
			const struct member *m = &cmd->members[cmd->hmp->args[j].member];

			fprintf(c, "\t{ \"%s\", \"%s\", %s, %d },\n", m->name, m->type_ref,
				m->optional ? "true" : "false", cmd->hmp->args[j].flag);
		}
		fprintf(c, "};\n");
	}
	fprintf(c, "\nconst HmpCommandDef hmp_commands[] = {\n");
	for (i = 0; i < s->ncommands; i++) {
		const struct command *cmd = &s->commands[i];

		if (!cmd->hmp)
			continue;
		fprintf(c, "\t{ ");
		emit_cstr(c, cmd->hmp->name);
		fprintf(c, ", ");
		emit_cstr(c, cmd->hmp->params);
		fprintf(c, ", ");
		emit_cstr(c, cmd->hmp->help);
		if (cmd->hmp->nargs)
			fprintf(c, ", args_%s, %d, hmp_call_%s },\n", cmd->c_name, cmd->hmp->nargs,
				cmd->c_name);
		else
			fprintf(c, ", NULL, 0, hmp_call_%s },\n", cmd->c_name);
		n++;
	}
	if (!n)
		fprintf(c, "\t{ NULL, NULL, NULL, NULL, 0, NULL },\n");
	fprintf(c, "};\n\nconst size_t hmp_commands_count = %d;\n", n);
	return out_close(h, dir, prefix, "qapi-hmp.h") && out_close(c, dir, prefix, "qapi-hmp.c");
}
