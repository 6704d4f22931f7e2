/* The HMP argument parser: a line's words to a JSON arguments object, by the schema's types. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"

/* One word: bare up to white space, or "double" / 'single' quoted with \ escapes in "". */
static bool next_word(const char **pp, char *buf, size_t size, bool *quoted)
{
	const char *p = *pp;
	size_t n = 0;
	char q;

	while (isspace((unsigned char)*p))
		p++;
	*quoted = false;
	if (!*p)
		return false;
	if (*p == '"' || *p == '\'') {
		q = *p++;
		*quoted = true;
		while (*p && *p != q) {
			char c = *p++;

			if (q == '"' && c == '\\' && *p) {
				c = *p++;
				c = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
			}
			if (n + 1 < size)
				buf[n++] = c;
		}
		if (*p != q)
			return false; /* unterminated: reported as a bad string */
		p++;
	} else {
		while (*p && !isspace((unsigned char)*p)) {
			if (n + 1 < size)
				buf[n++] = *p;
			p++;
		}
	}
	buf[n] = '\0';
	*pp = p;
	return true;
}

bool hmp_parse_int(const char *s, int64_t *val)
{
	char *end;
	unsigned long long v;

	if (!*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return false;
	*val = (int64_t)v; /* as QEMU: 0xffffffffffffffff is -1 */
	return true;
}

bool hmp_parse_size(const char *s, uint64_t *val)
{
	static const char units[] = "bkmgtpe";
	const char *u;
	char *end;
	unsigned long long v;
	int shift;

	if (!*s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (!*end) {
		*val = v;
		return true;
	}
	u = strchr(units, tolower((unsigned char)*end));
	if (!u || !*u || end[1])
		return false;
	shift = 10 * (int)(u - units);
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*val = (uint64_t)v << shift;
	return true;
}

/* The name QEMU's parse errors use: the table's, with its aliases, "info" subcommands bare
 * ("stop|s", "registers"). */
static const char *qemu_name(const HmpCommandDef *def)
{
	return strncmp(def->name, "info ", 5) ? def->name : def->name + 5;
}

/* QEMU's expression parser on a word that is no number: the first character it cannot take
 * ends the expression; at the start that is an error of its own. */
static void bad_int(const HmpCommandDef *def, const char *w, char *err, size_t errlen)
{
	size_t n = strspn(w, "0123456789abcdefABCDEFxX+-");

	if (!n || !strchr("0123456789+-", *w))
		snprintf(err, errlen, "invalid char '%c' in expression", *w);
	else
		snprintf(err, errlen, "%s: extraneous characters at the end of line",
			 qemu_name(def));
}

static bool is_int_type(const char *t)
{
	return !strcmp(t, "int") || !strncmp(t, "int", 3) || !strncmp(t, "uint", 4);
}

/* The format and unit x and xp use when a command gives none: the last ones given, by any
 * monitor, as QEMU's default_fmt_format and default_fmt_size (HMP runs on the main thread). */
static char default_format = 'x';
static int default_size = 4;

/* "/[count][format][unit]" of x and xp, as QEMU's '/' argument type; NULL w: none given. */
static bool parse_fmt(const char *w, json_object *args, char *err, size_t errlen)
{
	long count = 1;
	char format = 0;
	int size = 0;

	w = w ? w + 1 : "";
	if (isdigit((unsigned char)*w)) {
		count = 0;
		while (isdigit((unsigned char)*w) && count < 1000000)
			count = count * 10 + (*w++ - '0');
	}
	for (; *w; w++) {
		if (strchr("xduoci", *w))
			format = *w;
		else if (*w == 'b')
			size = 1;
		else if (*w == 'h')
			size = 2;
		else if (*w == 'w')
			size = 4;
		else if (*w == 'g' || *w == 'L')
			size = 8;
		else {
			snprintf(err, errlen, "invalid char in format: '%c'", *w);
			return false;
		}
	}
	default_format = format ? format : default_format;
	default_size = size ? size : default_size;
	json_object_object_add(args, "count", json_object_new_int64(count));
	json_object_object_add(args, "format", json_object_new_string_len(&default_format, 1));
	json_object_object_add(args, "size", json_object_new_int(default_size));
	return true;
}

/* One word as an argument of type a->type; NULL with QEMU's error text in err. */
static json_object *convert(const HmpCommandDef *def, const HmpArgSpec *a, const char *w, char *err,
			    size_t errlen)
{
	int64_t i;
	uint64_t u;
	char *end;
	double d;

	if (!strcmp(a->type, "size")) {
		if (hmp_parse_size(w, &u))
			return json_object_new_int64((int64_t)u);
		snprintf(err, errlen, "invalid size");
	} else if (is_int_type(a->type)) {
		if (hmp_parse_int(w, &i))
			return strncmp(a->type, "uint", 4) ? json_object_new_int64(i)
							   : json_object_new_uint64((uint64_t)i);
		bad_int(def, w, err, errlen);
	} else if (!strcmp(a->type, "number")) {
		d = strtod(w, &end);
		if (end != w && !*end && d == d && d - d == 0)
			return json_object_new_double(d);
		snprintf(err, errlen, "invalid number '%s' for '%s'", w, a->name);
	} else if (!strcmp(a->type, "bool")) {
		if (!strcmp(w, "on") || !strcmp(w, "off"))
			return json_object_new_boolean(!strcmp(w, "on"));
		snprintf(err, errlen, "Expected 'on' or 'off' for '%s'", a->name);
	} else {
		return json_object_new_string(w);
	}
	return NULL;
}

/* QEMU's words for an argument that is not there. */
static void missing(const HmpCommandDef *def, const HmpArgSpec *a, char *err, size_t errlen)
{
	if (is_int_type(a->type))
		snprintf(err, errlen, "unexpected end of expression");
	else if (!strcmp(a->type, "size"))
		snprintf(err, errlen, "invalid size");
	else
		snprintf(err, errlen, "%s: string expected", qemu_name(def));
}

static const HmpArgSpec *find_flag(const HmpCommandDef *def, char c)
{
	int i;

	for (i = 0; i < def->nargs; i++)
		if (def->args[i].flag && def->args[i].flag == c)
			return &def->args[i];
	return NULL;
}

static const HmpArgSpec *next_positional(const HmpCommandDef *def, int *pos)
{
	while (*pos < def->nargs && def->args[*pos].flag)
		(*pos)++;
	return *pos < def->nargs ? &def->args[(*pos)++] : NULL;
}

json_object *hmp_parse_args(const HmpCommandDef *def, const char *p, char *err, size_t errlen)
{
	json_object *args = json_object_new_object();
	const HmpArgSpec *a;
	json_object *v;
	char w[HMP_LINE_MAX + 1];
	bool quoted;
	int pos = 0;

	while (1) {
		const char *before = p;

		if (!next_word(&p, w, sizeof(w), &quoted)) {
			while (isspace((unsigned char)*p))
				p++;
			if (*p) {
				/* QEMU's "unterminated string" goes to its stderr */
				snprintf(err, errlen, "%s: string expected", qemu_name(def));
				goto fail;
			}
			break;
		}
		/* an option: -LETTER; or, where the command's flags come first (QEMU's '-' args),
		 * any word that starts with '-' before the first positional (QEMU: "-1" too) */
		if (!quoted && w[0] == '-' &&
		    ((isalpha((unsigned char)w[1]) && !w[2]) ||
		     (w[1] && pos == 0 && def->nargs && def->args[0].flag))) {
			a = w[2] ? NULL : find_flag(def, w[1]);
			if (!a) {
				snprintf(err, errlen, "%s: unsupported option -%c", qemu_name(def),
					 w[1]);
				goto fail;
			}
			json_object_object_add(args, a->name, json_object_new_boolean(1));
			continue;
		}
		a = next_positional(def, &pos);
		if (!a) {
			snprintf(err, errlen, "%s: extraneous characters at the end of line",
				 qemu_name(def));
			goto fail;
		}
		if (!strcmp(a->type, "rest")) { /* QEMU's 'S': the rest of the line as it is */
			size_t n;

			while (isspace((unsigned char)*before))
				before++;
			n = strlen(before);
			while (n && isspace((unsigned char)before[n - 1]))
				n--;
			json_object_object_add(args, a->name,
					       json_object_new_string_len(before, (int)n));
			break;
		}
		if (!strcmp(a->type, "fmt")) {
			bool given = w[0] == '/' && !quoted;

			if (!given)
				p = before; /* no format: the defaults; the word is the next
					       argument */
			if (!parse_fmt(given ? w : NULL, args, err, errlen))
				goto fail;
			continue;
		}
		v = convert(def, a, w, err, errlen);
		if (!v)
			goto fail;
		json_object_object_add(args, a->name, v);
	}
	while ((a = next_positional(def, &pos))) {
		if (!strcmp(a->type, "fmt")) {
			parse_fmt(NULL, args, err, errlen);
		} else if (!a->optional) {
			missing(def, a, err, errlen);
			goto fail;
		}
	}
	return args;
fail:
	json_object_put(args);
	return NULL;
}
