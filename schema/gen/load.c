/* qapi-gen's loader: reads the root schema and its includes, builds the model, validates it. */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

#define MAX_FILE (4 << 20)

static const char *const builtins[][2] = {
	{ "str", "string" }, { "int", "int" },	    { "int64", "int" },	    { "uint64", "int" },
	{ "size", "int" },   { "bool", "boolean" }, { "number", "number" }, { "any", "value" },
};

static bool fail(const char *file, const char *entry, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(const char *file, const char *entry, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", file, entry);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "qapi-gen: out of memory\n");
		exit(1);
	}
	return p;
}

static struct type *find_type(struct schema *s, const char *name)
{
	int i;

	for (i = 0; i < s->ntypes; i++)
		if (!strcmp(s->types[i]->name, name))
			return s->types[i];
	return NULL;
}

static bool name_taken(struct schema *s, const char *name)
{
	int i;

	if (find_type(s, name))
		return true;
	for (i = 0; i < s->ncommands; i++)
		if (!strcmp(s->commands[i].name, name))
			return true;
	for (i = 0; i < s->nevents; i++)
		if (!strcmp(s->events[i].name, name))
			return true;
	return false;
}

static const char *str_field(json_object *e, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(e, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* "data": {"name": "type", "*opt": "type"} */
static bool load_members(const char *file, const char *entry, json_object *data,
			 struct member **out, int *n, bool legacy_names)
{
	*out = NULL;
	*n = 0;
	if (!data)
		return true;
	if (!json_object_is_type(data, json_type_object))
		return fail(file, entry, "'data' must be an object of member: type");
	json_object_object_foreach (data, key, val) {
		struct member *m;
		const char *name = key[0] == '*' ? key + 1 : key;
		int i;

		if (!valid_member_name(name) && !(legacy_names && valid_legacy_member_name(name)))
			return fail(file, entry,
				    "bad member name '%s' (lower case, digits, dashes; not has-)",
				    key);
		if (!json_object_is_type(val, json_type_string))
			return fail(file, entry, "member '%s' must name a type", name);
		for (i = 0; i < *n; i++)
			if (!strcmp((*out)[i].name, name))
				return fail(file, entry, "duplicate member '%s'", name);
		*out = xrealloc(*out, (size_t)(*n + 1) * sizeof(**out));
		m = &(*out)[(*n)++];
		memset(m, 0, sizeof(*m));
		m->name = strdup(name);
		m->c_name = c_name(name, true);
		m->optional = key[0] == '*';
		m->type_ref = strdup(json_object_get_string(val));
	}
	return true;
}

static bool check_keys(const char *file, const char *entry, json_object *e,
		       const char *const *allowed)
{
	json_object_object_foreach (e, key, val) {
		const char *const *a;

		(void)val;
		for (a = allowed; *a; a++)
			if (!strcmp(*a, key))
				break;
		if (!*a)
			return fail(file, entry, "unknown key '%s'", key);
	}
	return true;
}

/* An optional boolean key of e ("what" names it in the message); false when it is not one. */
static bool bool_field(const char *file, const char *entry, json_object *e, const char *key,
		       const char *what, bool *out)
{
	json_object *v;

	if (!json_object_object_get_ex(e, key, &v))
		return true;
	if (!json_object_is_type(v, json_type_boolean))
		return fail(file, entry, "%s must be true or false", what);
	*out = json_object_get_boolean(v);
	return true;
}

static int find_member(const struct command *c, const char *name)
{
	int j;

	for (j = 0; j < c->nmembers; j++)
		if (!strcmp(c->members[j].name, name))
			return j;
	return -1;
}

/* "cpu": true: the console's selected vCPU goes to the optional int member cpu-index. */
static bool load_hmp_cpu(const char *file, struct command *c, json_object *h)
{
	int j;

	if (!bool_field(file, c->name, h, "cpu", "hmp 'cpu'", &c->hmp->cpu))
		return false;
	if (!c->hmp->cpu)
		return true;
	j = find_member(c, "cpu-index");
	if (j < 0 || !c->members[j].optional || strcmp(c->members[j].type_ref, "int"))
		return fail(file, c->name, "hmp 'cpu' needs an optional int member 'cpu-index'");
	return true;
}

static bool load_hmp(const char *file, struct command *c, json_object *h)
{
	static const char *const keys[] = { "name", "params", "help", "formatter",
					    "args", "cpu",    NULL };
	struct hmp_block *b;
	json_object *v;
	size_t i;

	if (!json_object_is_type(h, json_type_object))
		return fail(file, c->name, "'hmp' must be an object");
	if (!check_keys(file, c->name, h, keys))
		return false;
	b = calloc(1, sizeof(*b));
	c->hmp = b;
	if (!str_field(h, "name"))
		return fail(file, c->name, "hmp block needs a string 'name'");
	b->name = strdup(str_field(h, "name"));
	b->params = strdup(str_field(h, "params") ? str_field(h, "params") : "");
	b->help = strdup(str_field(h, "help") ? str_field(h, "help") : "");
	if (!bool_field(file, c->name, h, "formatter", "hmp 'formatter'", &b->formatter) ||
	    !load_hmp_cpu(file, c, h))
		return false;
	if (!json_object_object_get_ex(h, "args", &v)) {
		b->args = calloc((size_t)c->nmembers + 1, sizeof(*b->args));
		for (i = 0; i < (size_t)c->nmembers; i++)
			if (!b->cpu || strcmp(c->members[i].name, "cpu-index"))
				b->args[b->nargs++].member = (int)i;
		return true;
	}
	if (!json_object_is_type(v, json_type_array))
		return fail(file, c->name, "hmp 'args' must be an array");
	b->args = calloc(json_object_array_length(v) + 1, sizeof(*b->args));
	for (i = 0; i < json_object_array_length(v); i++) {
		json_object *a = json_object_array_get_idx(v, i);
		const char *arg =
			json_object_is_type(a, json_type_string) ? json_object_get_string(a) : NULL;
		char flag = 0;
		int j;

		if (!arg)
			return fail(file, c->name, "hmp 'args' must hold strings");
		if (arg[0] == '-') {
			if (!isalpha((unsigned char)arg[1]) || arg[2] != ':')
				return fail(file, c->name, "bad hmp flag '%s' (use \"-x:member\")",
					    arg);
			flag = arg[1];
			arg += 3;
		}
		j = find_member(c, arg);
		if (j < 0)
			return fail(file, c->name, "hmp block names unknown argument '%s'", arg);
		if (b->cpu && !strcmp(arg, "cpu-index"))
			return fail(file, c->name, "hmp 'cpu' gives 'cpu-index'; 'args' cannot");
		if (flag && strcmp(c->members[j].type_ref, "bool"))
			return fail(file, c->name,
				    "hmp flag '-%c' needs a bool argument, '%s' is %s", flag, arg,
				    c->members[j].type_ref);
		b->args[b->nargs].member = j;
		b->args[b->nargs++].flag = flag;
	}
	return true;
}

static bool load_entry(struct schema *s, const char *file, json_object *e)
{
	static const char *const cmd_keys[] = {
		"command",	 "data", "returns", "doc", "hmp", "unlisted", "before-negotiation",
		"extra-members", NULL
	};
	static const char *const type_keys[] = { "struct", "enum",	   "event", "data",
						 "doc",	   "legacy-names", NULL };
	const char *kinds[] = { "command", "struct", "enum", "event" };
	const char *kind = NULL, *name = NULL, *doc;
	json_object *data = NULL, *v;
	int i;

	if (!json_object_is_type(e, json_type_object))
		return fail(file, "(entry)", "a definition must be an object");
	for (i = 0; i < 4; i++) {
		if (json_object_object_get_ex(e, kinds[i], &v)) {
			if (kind)
				return fail(file, kinds[i], "an entry has exactly one kind");
			kind = kinds[i];
			name = json_object_is_type(v, json_type_string) ? json_object_get_string(v)
									: NULL;
		}
	}
	if (!kind)
		return fail(file, "(entry)", "unknown entry kind (command, struct, enum or event)");
	if (!name)
		return fail(file, kind, "the name must be a string");
	if (!check_keys(file, name, e, strcmp(kind, "command") ? type_keys : cmd_keys))
		return false;
	if (name_taken(s, name))
		return fail(file, name, "duplicate name");
	json_object_object_get_ex(e, "data", &data);
	doc = str_field(e, "doc");
	if (!doc && json_object_object_get_ex(e, "doc", &v))
		return fail(file, name, "'doc' must be a string");
	if (!strcmp(kind, "command")) {
		struct command *c;

		if (!valid_command_name(name))
			return fail(file, name, "bad command name (lower case, digits, - and _)");
		s->commands = xrealloc(s->commands, (size_t)(s->ncommands + 1) * sizeof(*c));
		c = &s->commands[s->ncommands++];
		memset(c, 0, sizeof(*c));
		c->name = strdup(name);
		c->c_name = c_name(name, false);
		c->doc = strdup(doc ? doc : "");
		c->file = file;
		if (!load_members(file, name, data, &c->members, &c->nmembers, false))
			return false;
		if (json_object_object_get_ex(e, "returns", &v)) {
			if (!json_object_is_type(v, json_type_string))
				return fail(file, name, "'returns' must name a type");
			c->ret.type_ref = strdup(json_object_get_string(v));
			c->ret.name = strdup("return");
		}
		if (!bool_field(file, name, e, "before-negotiation", "'before-negotiation'",
				&c->before_negotiation) ||
		    !bool_field(file, name, e, "unlisted", "'unlisted'", &c->unlisted) ||
		    !bool_field(file, name, e, "extra-members", "'extra-members'",
				&c->extra_members))
			return false;
		if (c->unlisted && strncmp(name, "x-", 2))
			return fail(file, name, "only an x- command can be unlisted");
		if (json_object_object_get_ex(e, "hmp", &v) && !load_hmp(file, c, v))
			return false;
		return true;
	}
	if (!strcmp(kind, "event")) {
		struct event *ev;

		if (!valid_event_name(name))
			return fail(file, name, "bad event name (UPPER_CASE)");
		s->events = xrealloc(s->events, (size_t)(s->nevents + 1) * sizeof(*ev));
		ev = &s->events[s->nevents++];
		memset(ev, 0, sizeof(*ev));
		ev->name = strdup(name);
		ev->c_name = c_name(name, false);
		for (char *p = ev->c_name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		ev->doc = strdup(doc ? doc : "");
		ev->file = file;
		return load_members(file, name, data, &ev->members, &ev->nmembers, false);
	}
	{
		struct type *t = calloc(1, sizeof(*t));

		if (!valid_type_name(name))
			return fail(file, name,
				    "bad type name (CamelCase, not ending in List, "
				    "not a name the generated code uses)");
		t->name = strdup(name);
		t->doc = strdup(doc ? doc : "");
		t->file = file;
		s->types = xrealloc(s->types, (size_t)(s->ntypes + 1) * sizeof(t));
		s->types[s->ntypes++] = t;
		if (!strcmp(kind, "struct")) {
			bool legacy = false;

			t->meta = META_STRUCT;
			return bool_field(file, name, e, "legacy-names", "'legacy-names'",
					  &legacy) &&
			       load_members(file, name, data, &t->members, &t->nmembers, legacy);
		}
		t->meta = META_ENUM;
		if (!data || !json_object_is_type(data, json_type_array) ||
		    json_object_array_length(data) == 0)
			return fail(file, name, "an enum's 'data' is a non-empty array of strings");
		for (i = 0; i < (int)json_object_array_length(data); i++) {
			json_object *val = json_object_array_get_idx(data, (size_t)i);
			const char *str = json_object_is_type(val, json_type_string)
						  ? json_object_get_string(val)
						  : "";
			int j;

			if (!valid_enum_value(str))
				return fail(file, name, "bad enum value '%s'", str);
			for (j = 0; j < t->nvalues; j++)
				if (same_c_name(t->values[j], str))
					return fail(file, name, "duplicate enum value '%s'", str);
			t->values = xrealloc(t->values, (size_t)(t->nvalues + 1) * sizeof(char *));
			t->values[t->nvalues++] = strdup(str);
		}
		return true;
	}
}

static json_object *parse_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;
	json_tokener *tok;
	json_object *obj;

	if (!f) {
		fail(path, "(file)", "cannot open: %s", strerror(errno));
		return NULL;
	}
	buf = malloc(MAX_FILE + 1);
	n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
	fclose(f);
	if (!buf || n > MAX_FILE) {
		free(buf);
		fail(path, "(file)", "unreadable or larger than 4 MiB");
		return NULL;
	}
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, buf, (int)n);
	if (!obj || json_tokener_get_parse_end(tok) < n) {
		size_t end = json_tokener_get_parse_end(tok);

		while (obj && end < n && isspace((unsigned char)buf[end]))
			end++;
		if (!obj || end < n) {
			char where[32];
			int line = 1;
			size_t i;

			for (i = 0; i < end && i < n; i++)
				line += buf[i] == '\n';
			snprintf(where, sizeof(where), "line %d", line);
			fail(path, where, "invalid JSON: %s",
			     obj ? "trailing garbage"
				 : json_tokener_error_desc(json_tokener_get_error(tok)));
			json_object_put(obj);
			obj = NULL;
		}
	}
	json_tokener_free(tok);
	free(buf);
	return obj;
}

static bool load_file(struct schema *s, const char *path, int depth);

/* Loads an included file once, however many modules include it. */
static bool include_file(struct schema *s, const char *from, const char *path, int depth)
{
	char *real = realpath(path, NULL);
	int i;

	if (!real)
		return fail(from, from == path ? "(file)" : "include", "cannot open '%s': %s", path,
			    strerror(errno));
	for (i = 0; i < s->nfiles; i++) {
		if (!strcmp(s->files[i], real)) {
			free(real);
			return true;
		}
	}
	s->files = xrealloc(s->files, (size_t)(s->nfiles + 1) * sizeof(char *));
	s->files[s->nfiles++] = real;
	return load_file(s, path, depth);
}

static bool load_file(struct schema *s, const char *path, int depth)
{
	static const char *const keys[] = { "include", "definitions", "doc", NULL };
	json_object *root = parse_file(path), *v;
	bool ok = true;
	size_t i;

	if (!root)
		return false;
	if (depth > 8)
		ok = fail(path, "(file)", "includes nest too deep");
	else if (!json_object_is_type(root, json_type_object))
		ok = fail(path, "(file)", "a schema file is an object");
	else
		ok = check_keys(path, "(file)", root, keys);
	if (ok && json_object_object_get_ex(root, "include", &v)) {
		if (!json_object_is_type(v, json_type_array))
			ok = fail(path, "include", "must be an array of file names");
		for (i = 0; ok && i < json_object_array_length(v); i++) {
			json_object *inc = json_object_array_get_idx(v, i);
			char *copy = strdup(path), *full;

			if (!json_object_is_type(inc, json_type_string)) {
				ok = fail(path, "include", "must be an array of file names");
			} else if (asprintf(&full, "%s/%s", dirname(copy),
					    json_object_get_string(inc)) >= 0) {
				ok = include_file(s, path, full, depth + 1);
				free(full);
			}
			free(copy);
		}
	}
	if (ok && json_object_object_get_ex(root, "definitions", &v)) {
		if (!json_object_is_type(v, json_type_array))
			ok = fail(path, "definitions", "must be an array");
		for (i = 0; ok && i < json_object_array_length(v); i++)
			ok = load_entry(s, strdup(path), json_object_array_get_idx(v, i));
	}
	json_object_put(root);
	return ok;
}

static bool resolve(struct schema *s, const char *file, const char *entry, struct member *m)
{
	char name[256];
	size_t len = strlen(m->type_ref);

	m->is_list = m->type_ref[0] == '[';
	if (m->is_list && (len < 3 || m->type_ref[len - 1] != ']' || len - 2 >= sizeof(name)))
		return fail(file, entry, "bad array type '%s'", m->type_ref);
	snprintf(name, sizeof(name), "%.*s", (int)(m->is_list ? len - 2 : len),
		 m->type_ref + m->is_list);
	m->type = find_type(s, name);
	if (!m->type)
		return fail(file, entry, "unknown type '%s'", m->type_ref);
	if (m->is_list)
		m->type->list_used = true;
	return true;
}

static void add_builtins(struct schema *s)
{
	size_t i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		struct type *t = calloc(1, sizeof(*t));

		t->name = strdup(builtins[i][0]);
		t->json_type = builtins[i][1];
		t->meta = META_BUILTIN;
		t->doc = strdup("");
		t->file = "(builtin)";
		s->types = xrealloc(s->types, (size_t)(s->ntypes + 1) * sizeof(t));
		s->types[s->ntypes++] = t;
	}
}

bool schema_load(struct schema *s, const char *root)
{
	int i, j;

	memset(s, 0, sizeof(*s));
	add_builtins(s);
	if (!include_file(s, root, root, 0))
		return false;
	for (i = 0; i < s->ntypes; i++)
		for (j = 0; j < s->types[i]->nmembers; j++)
			if (!resolve(s, s->types[i]->file, s->types[i]->name,
				     &s->types[i]->members[j]))
				return false;
	for (i = 0; i < s->nevents; i++)
		for (j = 0; j < s->events[i].nmembers; j++)
			if (!resolve(s, s->events[i].file, s->events[i].name,
				     &s->events[i].members[j]))
				return false;
	for (i = 0; i < s->ncommands; i++) {
		struct command *c = &s->commands[i];

		for (j = 0; j < c->nmembers; j++)
			if (!resolve(s, c->file, c->name, &c->members[j]))
				return false;
		if (c->ret.type_ref && !resolve(s, c->file, c->name, &c->ret))
			return false;
		if (c->hmp && c->hmp->formatter && !c->ret.type)
			return fail(c->file, c->name, "an hmp formatter needs a return type");
	}
	return true;
}
