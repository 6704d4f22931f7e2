/* The schema model shared by the loader and the emitters of qapi-gen. */
#ifndef SCHEMA_GEN_SCHEMA_H
#define SCHEMA_GEN_SCHEMA_H

#include <stdbool.h>
#include <stdio.h>

enum meta { META_BUILTIN, META_ENUM, META_STRUCT };

struct type;

struct member {
	char *name;   /* as in the schema, without the '*' */
	char *c_name; /* dashes -> underscores */
	bool optional;
	char *type_ref; /* "int", "Foo" or "[Foo]" */
	struct type *type;
	bool is_list;
};

struct type {
	char *name;
	enum meta meta;
	const char *json_type; /* builtins: "int", "string", ... */
	char **values;	       /* enums */
	int nvalues;
	struct member *members; /* structs */
	int nmembers;
	char *doc;
	const char *file;
	bool list_used; /* someone uses [name] */
};

struct hmp_arg {
	int member; /* index into the command's members */
	char flag;  /* 'a' for "-a:all", else 0 */
};

struct hmp_block {
	char *name, *params, *help;
	bool formatter;
	bool cpu; /* the console's selected vCPU is passed as cpu-index */
	struct hmp_arg *args;
	int nargs;
};

struct command {
	char *name, *c_name, *doc;
	const char *file;
	struct member *members;
	int nmembers;
	struct member ret; /* ret.type NULL: no return value */
	bool before_negotiation;
	bool unlisted;	    /* callable, but not in query-commands nor query-qmp-schema */
	bool extra_members; /* arguments beyond data are accepted (and not passed) */
	struct hmp_block *hmp;
};

struct event {
	char *name, *c_name, *doc;
	const char *file;
	struct member *members;
	int nmembers;
};

struct schema {
	struct type **types;
	int ntypes;
	struct command *commands;
	int ncommands;
	struct event *events;
	int nevents;
	char **files; /* the real paths loaded, each once */
	int nfiles;
};

/* Loads root and its includes; prints "FILE: ENTRY: problem" and returns false on any error. */
bool schema_load(struct schema *s, const char *root);

/* Naming rules (names.c). */
bool valid_member_name(const char *s);	      /* [a-z][a-z0-9-]*, not has-... */
bool valid_legacy_member_name(const char *s); /* [a-z][a-z0-9_-]*, not has-...: QEMU's old names */
bool valid_command_name(const char *s);	      /* [a-z][a-z0-9_-]* */
bool valid_event_name(const char *s);	      /* [A-Z][A-Z0-9_]* */
bool valid_type_name(const char *s);	      /* CamelCase, not ...List, not a generated name */
bool valid_enum_value(const char *s);	      /* [a-z0-9][a-z0-9_-]* */
bool same_c_name(const char *a, const char *b);

/* Helpers for emitters. */
char *c_name(const char *name, bool protect);
char *upper_name(const char *camel); /* RunState -> RUN_STATE */
const char *builtin_c(const char *name, bool owned);
/* The C type of a member: as an argument (borrowed strings) or owned in a struct. */
void c_type(char *buf, size_t len, const struct member *m, bool owned);
bool is_builtin(const struct type *t, const char *name);

/* Emitters: each writes its files into dir with the prefix. */
bool emit_types(const struct schema *s, const char *dir, const char *prefix);
bool emit_commands(const struct schema *s, const char *dir, const char *prefix);
bool emit_events(const struct schema *s, const char *dir, const char *prefix);
bool emit_introspect(const struct schema *s, const char *dir, const char *prefix);
bool emit_hmp(const struct schema *s, const char *dir, const char *prefix);

FILE *out_open(const char *dir, const char *prefix, const char *name);
bool out_close(FILE *f, const char *dir, const char *prefix, const char *name);

/* Code fragments shared by the emitters (emit-values.c). */
/* A struct's fields for members ms (has_x before an optional x); owned: strings not const. */
void emit_fields(FILE *f, const struct member *ms, int n, bool owned);
/* A function's parameters for members ms, comma-separated; constify: structs and lists const. */
void emit_params(FILE *f, const struct member *ms, int n, bool constify);
void emit_to_json(FILE *f, const struct member *m, const char *expr);
void emit_from_json(FILE *f, const struct member *m, const char *json, const char *what,
		    const char *dest, bool owned);
void emit_free(FILE *f, const struct member *m, const char *expr, bool owned);
/* Unpacks members of JSON object obj into dest->x (with has_x), jumping to "fail" on error;
 * other members are an error unless extra. */
void emit_unpack(FILE *f, const struct member *ms, int n, const char *obj, const char *prefix,
		 const char *dest, bool owned, bool extra);
/* hmp_call_NAME(): the marshaller's unpacking and handler call, then its formatter. */
void emit_hmp_call(FILE *f, const struct command *c);
#endif
