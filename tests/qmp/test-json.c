/* Unit test of the QMP stream reader and the QEMU-style JSON writer (no KVM needed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/json-out.h"
#include "monitor/json-reader.h"

static int failures;
static char got[1 << 16];

/* Each value read is appended to got as its JSON line, each error as "E:message\n". */
static bool collect(void *opaque, json_object *obj, const char *error)
{
	size_t len, used = strlen(got);
	char *line;

	(void)opaque;
	if (error) {
		snprintf(got + used, sizeof(got) - used, "E:%s\n", error);
		return true;
	}
	line = json_out_line(obj, false, &len);
	snprintf(got + used, sizeof(got) - used, "%.*s\n", (int)len - 2, line);
	free(line);
	json_object_put(obj);
	return true;
}

/* Feeds input in pieces of step bytes (0: all at once) to a fresh reader. */
static void expect(const char *input, size_t len, size_t step, const char *want)
{
	struct json_reader r;
	size_t off = 0, n;

	got[0] = 0;
	if (!json_reader_init(&r))
		abort();
	while (off < len) {
		n = step && len - off > step ? step : len - off;
		off += json_reader_feed(&r, input + off, n, collect, NULL);
	}
	json_reader_destroy(&r);
	if (strcmp(got, want)) {
		printf("FAIL input %.60s (step %zu)\n  expected: %s  received: %s", input, step,
		       want, got);
		failures++;
	}
}

#define T(in, want)                                  \
	do {                                         \
		expect(in, sizeof(in) - 1, 0, want); \
		expect(in, sizeof(in) - 1, 1, want); \
		expect(in, sizeof(in) - 1, 3, want); \
	} while (0)

static void test_reader(void)
{
	T("{\"a\":1}{\"b\":[1, 2.5, \"x\"]}  \n{\"c\":null}",
	  "{\"a\": 1}\n{\"b\": [1, 2.5, \"x\"]}\n{\"c\": null}\n");
	T("   \r\n\t ", "");
	T("42", "");
	T("42\n", "42\n");
	T("null true\n", "null\ntrue\n");
	T("\"str\"[1,2]", "\"str\"\n[1, 2]\n");
	T("{\"execute\":}{\"a\":2}", "E:JSON parse error, expecting value\n{\"a\": 2}\n");
	T("{\"a\":1,\"a\":2}", "E:JSON parse error, duplicate key\n");
	T("{\"a\":{\"b\":1},\"b\":{\"b\":2}}", "{\"a\": {\"b\": 1}, \"b\": {\"b\": 2}}\n");
	T("{\"a\":\"\\x\"}{}", "E:JSON parse error, invalid escape sequence in string\n{}\n");
	T("{\"a\":\"\xc3\x28\"}{}", "E:JSON parse error, invalid UTF-8 sequence in string\n{}\n");
	/* a control character resets the reader (the QMP spec's resync): the } is stray */
	T("{\"a\":\x01}{}",
	  "E:JSON parse error, stray '\x01'\nE:JSON parse error, expecting value\n{}\n");
	T("{\"a\":\"b\x01{}", "E:JSON parse error, stray '\x01'\n{}\n");
	T("}{}", "E:JSON parse error, expecting value\n{}\n");
	T("{\"a\":NaN}{}", "E:JSON parse error, invalid token 'NaN'\n{}\n");
	T("{\"a\":01}{}", "E:JSON parse error, invalid token '01'\n{}\n");
	T("{\"a\":nul}{}", "E:JSON parse error, invalid keyword 'nul'\n{}\n");
	T("{\"a\":/**/1}{}", "E:JSON parse error, stray '/'\n{}\n");
	T("{\"a\":[1,]}{}", "E:JSON parse error, expecting value\n{}\n");
	T("{'a':'b'}", "{\"a\": \"b\"}\n");
	/* QEMU's escapes: \' in both quotes, " bare inside single quotes */
	T("{'a':'sq\\'x','b':\"d\\'q\",'c':'\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041'}",
	  "{\"a\": \"sq'x\", \"b\": \"d'q\", \"c\": \"\\\"\\\"\\\\/\\b\\f\\n\\r\\tA\"}\n");
	T("{'a\\'':1}{'b':'\\'\\''}", "{\"a'\": 1}\n{\"b\": \"''\"}\n");
	T("{'a':'\\x'}{}", "E:JSON parse error, invalid escape sequence in string\n{}\n");
	T("{'a':'\\ud800\\''}{}",
	  "E:JSON parse error, \\ud800 is not a valid Unicode character\n{}\n");
	T("{\"a\":18446744073709551615,\"b\":-9223372036854775808}",
	  "{\"a\": 18446744073709551615, \"b\": -9223372036854775808}\n");
	T("{\"a\":123456789012345678901234567890,\"b\":-9223372036854775809}",
	  "{\"a\": 1.2345678901234568e+29, \"b\": -9.2233720368547758e+18}\n");
	T("{\"a\":-0.0e5,\"b\":1e400,\"c\":0.1}",
	  "{\"a\": -0, \"b\": 1e400, \"c\": 0.10000000000000001}\n");
	T("{\"a\":\"\\u0000b\\u00e9\\ud83d\\ude00\\/\"}",
	  "{\"a\": \"\\u0000b\\u00E9\\uD83D\\uDE00/\"}\n");
	T("{\"a\":\"\x7f\\t\\n\"}", "{\"a\": \"\\u007F\\t\\n\"}\n");
	/* after the reset the closing quote opens a string */
	T("{\"a\":\"\t\"}{}", "E:JSON parse error, stray '\t'\n");
}

static void test_depth(void)
{
	size_t n = 1100, i;
	char *s = malloc(2 * n + 16), *p, *want = malloc(2 * n + 16);

	/* 1024 levels are fine */
	p = s;
	for (i = 0; i < 1024; i++)
		*p++ = '[';
	for (i = 0; i < 1024; i++)
		*p++ = ']';
	memcpy(want, s, (size_t)(p - s));
	strcpy(want + (p - s), "\n");
	expect(s, (size_t)(p - s), 0, want);
	free(want);
	/* 1025: one error, and the stream is in sync after it */
	p = s;
	for (i = 0; i < n; i++)
		*p++ = '[';
	for (i = 0; i < n; i++)
		*p++ = ']';
	memcpy(p, "{}", 2);
	p += 2;
	expect(s, (size_t)(p - s), 0, "E:JSON nesting depth limit exceeded\n{}\n");
	expect(s, (size_t)(p - s), 7, "E:JSON nesting depth limit exceeded\n{}\n");
	free(s);
}

static void test_size(void)
{
	size_t len = JSON_READER_MAX_BYTES + 100, i;
	char *s = malloc(len + 16);

	memcpy(s, "[\"", 2);
	memset(s + 2, 'x', len - 4);
	memcpy(s + len - 2, "\"]{}", 4);
	expect(s, len + 2, 1 << 16, "E:JSON token size limit exceeded\n{}\n");
	/* token count: [0,0,0,...] */
	len = 2 * (JSON_READER_MAX_TOKENS / 2 + 10);
	s = realloc(s, len + 16);
	s[0] = '[';
	for (i = 1; i < len; i += 2)
		memcpy(s + i, "0,", 2);
	memcpy(s + len - 1, "0]{}", 4);
	expect(s, len + 3, 1 << 16, "E:JSON token count limit exceeded\n{}\n");
	free(s);
}

int main(void)
{
	test_reader();
	test_depth();
	test_size();
	if (failures) {
		printf("%d failures\n", failures);
		return 1;
	}
	printf("PASS test-json\n");
	return 0;
}
