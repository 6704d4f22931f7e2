/* JSON output as QEMU writes it: one line, ASCII only with \uXXXX escapes, ", " and ": ". */
#include "monitor/json-out.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/outbuf.h"

static void append_str(struct outbuf *b, const char *s)
{
	outbuf_append(b, s, strlen(s));
}

/* Decodes one UTF-8 sequence at s (n bytes left); -1 when malformed. Sets *used. */
static long utf8_decode(const unsigned char *s, size_t n, size_t *used)
{
	static const long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	long cp;

	*used = 1;
	if (s[0] < 0x80)
		return s[0];
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return -1;
	}
	if (len > n)
		return -1;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*used = len;
	return cp;
}

static void append_string(struct outbuf *b, const char *str, size_t n)
{
	static const char short_esc[] = "\"\\\b\f\n\r\t", short_name[] = "\"\\bfnrt";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, plain = 0, used;
	const char *e;
	char esc[16];
	long cp;

	outbuf_append(b, "\"", 1);
	while (i < n) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\') {
			i++;
			continue;
		}
		outbuf_append(b, s + plain, i - plain);
		cp = utf8_decode(s + i, n - i, &used);
		i += used;
		plain = i;
		if (cp < 0)
			cp = 0xfffd; /* the replacement character, as QEMU */
		e = cp > 0 && cp < 0x80 ? strchr(short_esc, (int)cp) : NULL;
		if (e) /* \" \\ \b \f \n \r \t */
			snprintf(esc, sizeof(esc), "\\%c", short_name[e - short_esc]);
		else if (cp > 0xffff)
			snprintf(esc, sizeof(esc), "\\u%04lX\\u%04lX",
				 0xd800 + ((cp - 0x10000) >> 10),
				 0xdc00 + ((cp - 0x10000) & 0x3ff));
		else
			snprintf(esc, sizeof(esc), "\\u%04lX", cp);
		append_str(b, esc);
	}
	outbuf_append(b, s + plain, i - plain);
	outbuf_append(b, "\"", 1);
}

static void append_number(struct outbuf *b, json_object *o)
{
	char num[64];

	if (json_object_get_type(o) == json_type_int) {
		int64_t v = json_object_get_int64(o);

		if (v == INT64_MAX) /* maybe a uint64 beyond INT64_MAX */
			snprintf(num, sizeof(num), "%" PRIu64, json_object_get_uint64(o));
		else
			snprintf(num, sizeof(num), "%" PRId64, v);
	} else {
		double d = json_object_get_double(o);
		const char *text = json_object_get_userdata(o);

		if (!isfinite(d)) {
			/* e.g. 1e400 as the client wrote it: still valid JSON, unlike "inf" */
			append_str(b, text ? text : "null");
			return;
		}
		snprintf(num, sizeof(num), "%.17g", d);
	}
	append_str(b, num);
}

/* Before a member at depth `depth` of a pretty value: a new line and its indent. */
static void newline(struct outbuf *b, int depth)
{
	outbuf_append(b, "\r\n", 2);
	for (; depth > 0; depth--)
		outbuf_append(b, "    ", 4);
}

/* depth < 0: on one line, ", " and ": " (QEMU's QMP); else QEMU's pretty form at that depth. */
static void append_value(struct outbuf *b, json_object *o, int depth)
{
	bool pretty = depth >= 0, array = json_object_is_type(o, json_type_array);
	size_t i = 0, n;

	switch (json_object_get_type(o)) {
	case json_type_null:
		append_str(b, "null");
		return;
	case json_type_boolean:
		append_str(b, json_object_get_boolean(o) ? "true" : "false");
		return;
	case json_type_int:
	case json_type_double:
		append_number(b, o);
		return;
	case json_type_string:
		append_string(b, json_object_get_string(o), (size_t)json_object_get_string_len(o));
		return;
	case json_type_array:
	case json_type_object:
		break;
	}
	outbuf_append(b, array ? "[" : "{", 1);
	if (array) {
		for (n = json_object_array_length(o); i < n; i++) {
			if (i)
				outbuf_append(b, pretty ? "," : ", ", pretty ? 1 : 2);
			if (pretty)
				newline(b, depth + 1);
			append_value(b, json_object_array_get_idx(o, i), pretty ? depth + 1 : -1);
		}
	} else {
		json_object_object_foreach (o, key, val) {
			if (i++)
				outbuf_append(b, pretty ? "," : ", ", pretty ? 1 : 2);
			if (pretty)
				newline(b, depth + 1);
			append_string(b, key, strlen(key));
			outbuf_append(b, ": ", 2);
			append_value(b, val, pretty ? depth + 1 : -1);
		}
	}
	if (pretty)
		newline(b, depth); /* QEMU closes even an empty one on a line of its own */
	outbuf_append(b, array ? "]" : "}", 1);
}

char *json_out_line(json_object *o, bool pretty, size_t *len)
{
	struct outbuf b = { 0 };

	append_value(&b, o, pretty ? 0 : -1);
	outbuf_append(&b, "\r\n", 2);
	if (b.failed) {
		outbuf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.data;
}
