/* The output buffer of a command: QEMU's monitor_printf with "\n" turned into "\r\n". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"

/* Appends n bytes of s with a '\r' before every '\n' that has none. */
static void put(HmpOut *out, const char *s, size_t n)
{
	struct outbuf *b = &out->text;
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		bool cr_before = i ? s[i - 1] == '\r' : b->len && b->data[b->len - 1] == '\r';

		if (s[i] == '\n' && !cr_before) {
			outbuf_append(b, s + from, i - from);
			outbuf_append(b, "\r", 1);
			from = i;
		}
	}
	outbuf_append(b, s + from, n - from);
}

void hmp_printf(HmpOut *out, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return; /* out of memory: this text is lost */
	put(out, s, (size_t)n);
	free(s);
}

/* The generic printer: nothing for {} or null (as QEMU's silent commands), else pretty JSON. */
void hmp_print_json(HmpOut *out, json_object *ret)
{
	const char *s;

	if (!ret)
		return;
	if (json_object_is_type(ret, json_type_object) && json_object_object_length(ret) == 0)
		return;
	s = json_object_to_json_string_ext(ret, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							JSON_C_TO_STRING_NOSLASHESCAPE);
	hmp_printf(out, "%s\n", s);
}

void hmp_print_error(HmpOut *out, Error *err)
{
	const char *msg = error_get_pretty(err);
	size_t n = strcspn(msg, "\r\n"); /* one line, whatever the message holds */

	hmp_printf(out, "Error: %.*s\n", (int)n, msg);
	error_free(err);
}

int hmp_out_cpu(const HmpOut *out)
{
	return out->s->cpu;
}
