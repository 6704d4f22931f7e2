/* The streaming QMP reader: a byte stream to JSON values within QEMU's limits; json-c parses. */
#include "monitor/json-reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A small scanner runs over every byte before json-c sees it. It finds where
 * each top-level value ends, counts bytes, tokens and depth against QEMU's
 * limits, refuses what json-c's lenient mode would accept but JSON does not
 * (comments, control characters, NaN, 01, TRUE ...), and after an error eats
 * the rest of the broken value so that the next request reads cleanly.
 * json-c then parses exactly the bytes of one value at a time. It has QEMU's
 * single-quoted strings but not their \' escape (valid in both quotes): that
 * one escape reaches json-c rewritten as \u0027.
 */

enum bare_state {
	B_NONE,
	B_MINUS,
	B_ZERO,
	B_INT,
	B_DOT,
	B_FRAC,
	B_E,
	B_ESIGN,
	B_EXP,
	B_WORD,
	B_BAD
};

enum action {
	A_NONE,	  /* byte taken, nothing to do */
	A_SPACE,  /* whitespace between values */
	A_END,	  /* the value ends with this byte */
	A_RESET,  /* a control character: report, forget the value (the QMP spec's resync) */
	A_STRAY,  /* a byte that is not JSON: report, skip the rest of the value */
	A_LIMIT,  /* a limit is exceeded: report, skip the rest of the value */
	A_SQUOTE, /* the ' of a \' escape, which json-c lacks: it gets u0027 instead */
};

bool json_reader_init(struct json_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->tok = json_tokener_new_ex(JSON_READER_MAX_DEPTH + 1);
	if (!r->tok)
		return false;
	json_tokener_set_flags(r->tok, JSON_TOKENER_VALIDATE_UTF8);
	return true;
}

void json_reader_destroy(struct json_reader *r)
{
	if (r->tok)
		json_tokener_free(r->tok);
	r->tok = NULL;
}

static void string_reset(struct json_reader *r)
{
	r->u8_left = r->hex_left = 0;
	r->high[0] = '\0';
}

static void value_done(struct json_reader *r)
{
	string_reset(r);
	r->in_value = r->skipping = r->escape = r->after_comma = false;
	r->depth = 0;
	r->quote = 0;
	r->bare = B_NONE;
	r->bytes = r->tokens = r->colons = 0;
	json_tokener_reset(r->tok);
}

/* After an error inside a value: eat the rest of it, then resync. */
static void skip_rest(struct json_reader *r)
{
	r->skipping = true;
	json_tokener_reset(r->tok);
}

static bool is_bare_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-' || c == '+' || c == '.';
}

static void bare_start(struct json_reader *r, unsigned char c)
{
	r->word_len = 0;
	r->mag = 0;
	r->neg = r->overflow = false;
	if (c == '-') {
		r->bare = B_MINUS;
		r->neg = true;
	} else if (c == '0') {
		r->bare = B_ZERO;
	} else if (c >= '1' && c <= '9') {
		r->bare = B_INT;
		r->mag = c - '0';
	} else if (c >= 'a' && c <= 'z') {
		r->bare = B_WORD;
	} else {
		r->bare = B_BAD;
	}
}

/* One more character of a number or keyword: JSON's number grammar, as a state machine. */
static void bare_next(struct json_reader *r, unsigned char c)
{
	bool digit = c >= '0' && c <= '9';

	switch (r->bare) {
	case B_MINUS:
		r->bare = c == '0' ? B_ZERO : digit ? B_INT : B_BAD;
		r->mag = digit ? (uint64_t)(c - '0') : 0;
		break;
	case B_ZERO:
	case B_INT:
		if (digit && r->bare == B_INT) {
			if (r->mag > (UINT64_MAX - (c - '0')) / 10)
				r->overflow = true;
			r->mag = r->mag * 10 + (c - '0');
		} else {
			r->bare = c == '.' ? B_DOT : (c == 'e' || c == 'E') ? B_E : B_BAD;
		}
		break;
	case B_DOT:
	case B_FRAC:
		r->bare = digit						  ? B_FRAC
			  : (r->bare == B_FRAC && (c == 'e' || c == 'E')) ? B_E
									  : B_BAD;
		break;
	case B_E:
		r->bare = digit ? B_EXP : (c == '+' || c == '-') ? B_ESIGN : B_BAD;
		break;
	case B_ESIGN:
	case B_EXP:
		r->bare = digit ? B_EXP : B_BAD;
		break;
	case B_WORD:
		if (!(c >= 'a' && c <= 'z'))
			r->bare = B_BAD;
		break;
	}
}

/* The token so far, for error messages. */
static void bare_keep(struct json_reader *r, unsigned char c)
{
	if (r->word_len < sizeof(r->word) - 1)
		r->word[r->word_len++] = (char)c;
	r->word[r->word_len] = 0;
}

/* Why the finished number or keyword is not JSON, or NULL when it is. */
static const char *bare_check(struct json_reader *r, char *msg, size_t len)
{
	switch (r->bare) {
	case B_ZERO:
	case B_INT:
	case B_FRAC:
	case B_EXP:
		return NULL;
	case B_WORD:
		if (!strcmp(r->word, "true") || !strcmp(r->word, "false") ||
		    !strcmp(r->word, "null"))
			return NULL;
		snprintf(msg, len, "JSON parse error, invalid keyword '%s'", r->word);
		return msg;
	}
	snprintf(msg, len, "JSON parse error, invalid token '%s'", r->word);
	return msg;
}

/* An integer beyond int64/uint64 (which json-c clamps silently): QEMU reads it as a double. */
static bool bare_overflows(const struct json_reader *r)
{
	if (r->bare != B_INT)
		return false;
	return r->overflow || (r->neg && r->mag > (uint64_t)INT64_MAX + 1);
}

static enum action limit(struct json_reader *r, const char **err)
{
	if (r->depth > JSON_READER_MAX_DEPTH)
		*err = "JSON nesting depth limit exceeded";
	else if (r->tokens > JSON_READER_MAX_TOKENS)
		*err = "JSON token count limit exceeded";
	else if (r->bytes > JSON_READER_MAX_BYTES)
		*err = "JSON token size limit exceeded";
	else
		return A_NONE;
	return r->skipping ? A_NONE : A_LIMIT;
}

static const char *not_unicode(struct json_reader *r, const char *text)
{
	snprintf(r->msg, sizeof(r->msg), "JSON parse error, %s is not a valid Unicode character",
		 text);
	string_reset(r);
	return r->msg;
}

static int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A \uXXXX escape is complete: surrogates must come as a high/low pair, as QEMU wants. */
static const char *escape_done(struct json_reader *r)
{
	bool low = r->hex_val >= 0xdc00 && r->hex_val <= 0xdfff;

	if (r->high[0]) {
		if (!low)
			return not_unicode(r, r->high);
		r->high[0] = '\0';
	} else if (r->hex_val >= 0xd800 && r->hex_val <= 0xdbff) {
		memcpy(r->high, r->esc, sizeof(r->high));
	} else if (low) {
		return not_unicode(r, r->esc);
	}
	return NULL;
}

/*
 * One byte inside a string (before the quote logic): strict UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF) and whole \u characters. An error message, or NULL.
 */
static const char *string_byte(struct json_reader *r, unsigned char c)
{
	static const char bad_utf8[] = "JSON parse error, invalid UTF-8 sequence in string";

	if (r->hex_left) {
		int h = hex_digit(c);
		size_t n = strlen(r->esc);

		if (h < 0) { /* json-c reports the bad escape */
			string_reset(r);
			return NULL;
		}
		r->hex_val = r->hex_val << 4 | (uint32_t)h;
		r->esc[n] = (char)c;
		r->esc[n + 1] = '\0';
		return --r->hex_left ? NULL : escape_done(r);
	}
	if (r->escape) { /* the byte after a backslash */
		if (c == 'u') {
			r->hex_left = 4;
			r->hex_val = 0;
			memcpy(r->esc, "\\u", 3);
			return NULL;
		}
		return r->high[0] ? not_unicode(r, r->high) : NULL;
	}
	if (r->high[0] && c != '\\')
		return not_unicode(r, r->high);
	if (r->u8_left) {
		if ((c & 0xc0) != 0x80) {
			string_reset(r);
			return bad_utf8;
		}
		r->u8_cp = r->u8_cp << 6 | (c & 0x3f);
		if (--r->u8_left)
			return NULL;
		if (r->u8_cp < r->u8_min || (r->u8_cp >= 0xd800 && r->u8_cp <= 0xdfff) ||
		    r->u8_cp > 0x10ffff)
			return bad_utf8;
		return NULL;
	}
	if (c < 0x80)
		return NULL;
	/* the lead byte says how many continuation bytes follow and the smallest fair value */
	if (c < 0xc2 || c > 0xf4)
		return bad_utf8;
	r->u8_left = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
	r->u8_cp = c & (0x3f >> r->u8_left);
	r->u8_min = r->u8_left == 1 ? 0x80 : r->u8_left == 2 ? 0x800 : 0x10000;
	return NULL;
}

/* Scans one byte that is not part of a number or keyword. */
static enum action step(struct json_reader *r, unsigned char c, const char **err)
{
	if (r->in_value)
		r->bytes++;
	if (r->quote) {
		const char *bad = c < 0x20 || c >= 0xfe ? NULL : string_byte(r, c);
		bool squote = r->escape && c == '\'';
		enum action a;

		if (r->escape)
			r->escape = false;
		else if (c == '\\')
			r->escape = true;
		else if (c == r->quote && !r->hex_left)
			r->quote = 0;
		else if (c < 0x20 || c >= 0xfe)
			return A_RESET;
		if (!r->quote && (r->u8_left || r->high[0]) && !bad)
			bad = r->u8_left ? "JSON parse error, invalid UTF-8 sequence in string"
					 : not_unicode(r, r->high);
		if (!r->quote) {
			string_reset(r);
			if (r->depth == 0)
				return A_END;
		}
		if (bad && !r->skipping) {
			*err = bad;
			return A_LIMIT;
		}
		a = limit(r, err);
		return a == A_NONE && squote && !r->skipping ? A_SQUOTE : a;
	}
	switch (c) {
	case ' ':
	case '\t':
	case '\r':
	case '\n':
		return r->in_value ? limit(r, err) : A_SPACE;
	case '{':
	case '[':
		r->depth++;
		break;
	case '}':
	case ']':
		if (r->depth == 0)
			goto expecting;
		if (r->after_comma && !r->skipping) {
			*err = "JSON parse error, expecting value"; /* [1,] */
			r->after_comma = false;
			if (--r->depth == 0)
				value_done(r);
			return A_LIMIT;
		}
		r->depth--;
		if (r->depth == 0)
			return A_END;
		break;
	case ',':
	case ':':
		if (r->depth == 0)
			goto expecting;
		r->colons += c == ':';
		break;
	case '"':
	case '\'':
		r->quote = c;
		break;
	default:
		if (c < 0x20 || c >= 0xfe)
			return A_RESET;
		if (!is_bare_char(c) || c == '+' || c == '.')
			return r->in_value ? A_STRAY : A_RESET;
		bare_start(r, c);
		bare_keep(r, c);
		break;
	}
	r->after_comma = c == ',';
	if (!r->in_value) {
		r->in_value = true;
		r->bytes = 1;
	}
	r->tokens++;
	return limit(r, err);
expecting:
	*err = "JSON parse error, expecting value";
	return A_LIMIT; /* nothing open: reported, and nothing to skip */
}

static const char *tokener_error(enum json_tokener_error e)
{
	switch (e) {
	case json_tokener_error_depth:
		return "JSON nesting depth limit exceeded";
	case json_tokener_error_parse_string:
		return "JSON parse error, invalid escape sequence in string";
	case json_tokener_error_parse_utf8_string:
		return "JSON parse error, invalid UTF-8 sequence in string";
	case json_tokener_error_parse_object_key_name:
		return "JSON parse error, key is not a string in object";
	case json_tokener_error_parse_object_key_sep:
		return "JSON parse error, missing : in object pair";
	case json_tokener_error_parse_object_value_sep:
		return "JSON parse error, expected separator in dict";
	case json_tokener_error_parse_array:
		return "JSON parse error, expected separator in array";
	default:
		return "JSON parse error, expecting value";
	}
}

/* Object members in the whole tree: fewer than the ':' read means a duplicate key. */
static size_t count_members(json_object *o)
{
	size_t n = 0, i, len;

	if (json_object_get_type(o) == json_type_object) {
		json_object_object_foreach (o, key, val) {
			(void)key;
			n += 1 + count_members(val);
		}
	} else if (json_object_get_type(o) == json_type_array) {
		len = json_object_array_length(o);
		for (i = 0; i < len; i++)
			n += count_members(json_object_array_get_idx(o, i));
	}
	return n;
}

/*
 * Gives json-c the next bytes of the value. With last set they end it: the
 * value (or an error) is delivered. Returns what fn returned.
 */
static bool feed(struct json_reader *r, const char *p, size_t n, bool last, json_reader_fn fn,
		 void *opaque)
{
	json_object *o = NULL;
	enum json_tokener_error e = json_tokener_continue;
	const char *msg;

	while (n > 0) {
		int chunk = n > (1u << 30) ? 1 << 30 : (int)n;

		o = json_tokener_parse_ex(r->tok, p, chunk);
		e = json_tokener_get_error(r->tok);
		if (o || e != json_tokener_continue)
			break;
		p += chunk;
		n -= (size_t)chunk;
	}
	if (!o && e == json_tokener_continue) {
		if (!last)
			return true;
		msg = "JSON parse error, expecting value"; /* the scanner and json-c disagree */
	} else if (!o && e != json_tokener_success) {	   /* (a JSON null is a NULL object) */
		msg = tokener_error(e);
	} else if (count_members(o) < r->colons) {
		json_object_put(o);
		o = NULL;
		msg = "JSON parse error, duplicate key";
	} else {
		msg = NULL;
	}
	/* a value that is not last: json-c saw an end the scanner did not, the rest is dropped */
	if (last)
		value_done(r);
	else
		skip_rest(r);
	return fn(opaque, o, msg);
}

/* The number or keyword ended before buf[i]. Returns what fn returned, if it was called. */
static bool bare_end(struct json_reader *r, const char *buf, size_t *start, size_t i,
		     json_reader_fn fn, void *opaque)
{
	bool top = r->depth == 0, ok = true;
	const char *tail = bare_overflows(r) ? "e0 " : " ";
	char msg[96];
	const char *err = bare_check(r, msg, sizeof(msg));

	r->bare = B_NONE;
	if (r->skipping) {
		if (top)
			value_done(r);
		*start = i;
		return true;
	}
	if (err) {
		if (top)
			value_done(r);
		else
			skip_rest(r);
		*start = i;
		return fn(opaque, NULL, err);
	}
	ok = feed(r, buf + *start, i - *start, false, fn, opaque);
	*start = i;
	if (!ok || r->skipping)
		return ok;
	/* "e0" turns an integer too large for json-c into the double QEMU makes of it */
	return feed(r, tail, top ? strlen(tail) : strlen(tail) - 1, top, fn, opaque);
}

size_t json_reader_feed(struct json_reader *r, const char *buf, size_t len, json_reader_fn fn,
			void *opaque)
{
	size_t i = 0, start = 0; /* buf[start, i) is scanned but not yet given to json-c */
	const char *err = NULL;
	char stray[32], ch[2] = { 0 };
	bool go = true;

	while (i < len && go) {
		unsigned char c = (unsigned char)buf[i];

		if (r->bare != B_NONE) {
			if (is_bare_char(c)) {
				bare_next(r, c);
				bare_keep(r, c);
				r->bytes++;
				i++;
				if (limit(r, &err) == A_LIMIT)
					goto limit_hit;
				continue;
			}
			go = bare_end(r, buf, &start, i, fn, opaque);
			continue; /* c again, as the byte after the token */
		}
		switch (step(r, c, &err)) {
		case A_NONE:
			i++;
			break;
		case A_SPACE:
			start = ++i;
			break;
		case A_SQUOTE: /* the backslash before it went (or goes now) to json-c */
			go = feed(r, buf + start, i - start, false, fn, opaque);
			if (go && !r->skipping)
				go = feed(r, "u0027", 5, false, fn, opaque);
			start = ++i;
			break;
		case A_END:
			i++;
			if (r->skipping)
				value_done(r);
			else
				go = feed(r, buf + start, i - start, true, fn, opaque);
			start = i;
			break;
		case A_RESET:
		case A_STRAY:
			ch[0] = (char)c; /* a NUL byte shows as '' */
			snprintf(stray, sizeof(stray), "JSON parse error, stray '%s'", ch);
			err = r->skipping ? NULL : stray;
			if (r->in_value && c >= 0x20 && c < 0xfe)
				skip_rest(r);
			else
				value_done(r); /* forget everything */
			start = ++i;
			if (err)
				go = fn(opaque, NULL, err);
			break;
		case A_LIMIT:
			i++;
		limit_hit:
			if (r->in_value)
				skip_rest(r);
			start = i;
			go = fn(opaque, NULL, err);
			break;
		}
	}
	if (go && r->in_value && !r->skipping && i > start)
		feed(r, buf + start, i - start, false, fn, opaque);
	return i;
}

/* What json_parse_text() has read: the first value (or its error), and how many came. */
struct parsed_text {
	json_object *value;
	char *err;
	size_t errlen;
	int count;
};

static bool take_text_value(void *opaque, json_object *obj, const char *error)
{
	struct parsed_text *p = opaque;

	if (p->count++ == 0) {
		p->value = obj;
		snprintf(p->err, p->errlen, "%s", error ? error : "");
		return true;
	}
	json_object_put(obj);
	if (!p->err[0]) { /* the first error stands, as in QEMU */
		snprintf(p->err, p->errlen, "Expecting at most one JSON value");
		json_object_put(p->value);
		p->value = NULL;
	}
	return false;
}

bool json_parse_text(const char *text, json_object **value, char *err, size_t errlen)
{
	struct parsed_text p = { .err = err, .errlen = errlen };
	struct json_reader r;
	size_t len = strlen(text);
	char *buf = malloc(len + 1);

	*value = NULL;
	if (!buf || !json_reader_init(&r)) {
		free(buf);
		snprintf(err, errlen, "Out of memory");
		return false;
	}
	/* a newline ends a number or keyword at the end, so that the scanner checks it */
	memcpy(buf, text, len);
	buf[len] = '\n';
	json_reader_feed(&r, buf, len + 1, take_text_value, &p);
	if (r.in_value && !r.skipping) /* unfinished: QEMU parses the tokens it has */
		take_text_value(&p, NULL, "JSON parse error, premature EOI");
	else if (!p.count)
		snprintf(err, errlen, "Expecting a JSON value");
	json_reader_destroy(&r);
	free(buf);
	if (!p.count || p.err[0])
		return false;
	*value = p.value;
	return true;
}
