/* The output buffer of a command: QEMU's monitor_printf with "\n" turned into "\r\n". */
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

void hmp_vprintf(HmpOut *out, const char *fmt, va_list ap)
{
	char small[512];
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		put(out, small, (size_t)n);
	} else {
		char *big = malloc((size_t)n + 1);

		if (!big)
			return;
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		put(out, big, (size_t)n);
		free(big);
	}
}

void hmp_printf(HmpOut *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hmp_vprintf(out, fmt, ap);
	va_end(ap);
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
