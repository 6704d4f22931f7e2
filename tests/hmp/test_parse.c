/* Unit tests of the HMP argument parser: numbers, sizes, strings, flags, formats, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"

static int failures;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			failures++;                                                              \
		}                                                                                \
	} while (0)

static const HmpArgSpec memsave_args[] = {
	{ .name = "val", .type = "int" },
	{ .name = "size", .type = "size" },
	{ .name = "filename", .type = "str" },
	{ .name = "cpu-index", .type = "int", .optional = true },
};
static const HmpCommandDef memsave = {
	.name = "memsave", .params = "addr size file", .args = memsave_args, .nargs = 4
};

static const HmpArgSpec regs_args[] = {
	{ .name = "all", .type = "bool", .optional = true, .flag = 'a' },
};
static const HmpCommandDef regs = {
	.name = "info registers", .params = "[-a]", .args = regs_args, .nargs = 1
};

static const HmpArgSpec x_args[] = {
	{ .name = "fmt", .type = "fmt" },
	{ .name = "addr", .type = "uint64" },
};
static const HmpCommandDef x = { .name = "x", .params = "/fmt addr", .args = x_args, .nargs = 2 };

/* The parsed arguments as compact JSON, or "ERR: reason". */
static char result[512];

static const char *parse(const HmpCommandDef *def, const char *line)
{
	char err[256];
	json_object *o = hmp_parse_args(def, line, err, sizeof(err));

	if (!o) {
		snprintf(result, sizeof(result), "ERR: %s", err);
		return result;
	}
	snprintf(result, sizeof(result), "%s",
		 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return result;
}

#define EXPECT(def, line, want)                                                           \
	do {                                                                              \
		const char *got = parse(def, line);                                       \
		if (strcmp(got, want)) {                                                  \
			fprintf(stderr, "%s:%d: %s '%s'\n  expected %s\n  received %s\n", \
				__FILE__, __LINE__, (def)->name, line, want, got);        \
			failures++;                                                       \
		}                                                                         \
	} while (0)

int main(void)
{
	int64_t i;
	uint64_t u;

	CHECK(hmp_parse_int("0x10", &i) && i == 16);
	CHECK(hmp_parse_int("-5", &i) && i == -5);
	CHECK(hmp_parse_int("010", &i) && i == 8);
	CHECK(hmp_parse_int("0xffffffffffffffff", &i) && i == -1);
	CHECK(!hmp_parse_int("12z", &i));
	CHECK(!hmp_parse_int("", &i));
	CHECK(!hmp_parse_int("0x1ffffffffffffffff", &i));
	CHECK(hmp_parse_size("4k", &u) && u == 4096);
	CHECK(hmp_parse_size("2M", &u) && u == 2 << 20);
	CHECK(hmp_parse_size("1G", &u) && u == 1 << 30);
	CHECK(hmp_parse_size("0x100", &u) && u == 256);
	CHECK(!hmp_parse_size("1Q", &u));
	CHECK(!hmp_parse_size("-1", &u));
	CHECK(!hmp_parse_size("99999999999999999E", &u));

	EXPECT(&memsave, "0x500 4k /tmp/f", "{\"val\":1280,\"size\":4096,\"filename\":\"/tmp/f\"}");
	EXPECT(&memsave, " 0 16 \"/tmp/a b\" 1",
	       "{\"val\":0,\"size\":16,\"filename\":\"/tmp/a b\",\"cpu-index\":1}");
	EXPECT(&memsave, "0 16", "ERR: memsave: string expected");
	EXPECT(&memsave, "zz 16 f", "ERR: invalid char 'z' in expression");
	EXPECT(&memsave, "0 16 f 0 extra",
	       "ERR: memsave: extraneous characters at the end of line");
	EXPECT(&memsave, "0 16 \"f", "ERR: memsave: string expected");
	EXPECT(&memsave, "-1 1 f", "{\"val\":-1,\"size\":1,\"filename\":\"f\"}");
	EXPECT(&memsave, "0 1 f -a", "ERR: memsave: unsupported option -a");
	EXPECT(&regs, "", "{}");
	EXPECT(&regs, "-a", "{\"all\":true}");
	EXPECT(&regs, "-b", "ERR: registers: unsupported option -b");
	EXPECT(&x, "0x500", "{\"count\":1,\"format\":\"x\",\"size\":4,\"addr\":1280}");
	EXPECT(&x, "/8xb 0x500", "{\"count\":8,\"format\":\"x\",\"size\":1,\"addr\":1280}");
	EXPECT(&x, "/2gd 16", "{\"count\":2,\"format\":\"d\",\"size\":8,\"addr\":16}");
	/* as QEMU: a format or unit not given is the last one given (here g, then c) */
	EXPECT(&x, "/3c 0", "{\"count\":3,\"format\":\"c\",\"size\":8,\"addr\":0}");
	EXPECT(&x, "/4z 0", "ERR: invalid char in format: 'z'");
	EXPECT(&x, "/4w", "ERR: unexpected end of expression");
	EXPECT(&x, "0xffffffff80000000",
	       "{\"count\":1,\"format\":\"c\",\"size\":4,\"addr\":18446744071562067968}");
	EXPECT(&x, "/2 0", "{\"count\":2,\"format\":\"c\",\"size\":4,\"addr\":0}");
	EXPECT(&x, "/x 0", "{\"count\":1,\"format\":\"x\",\"size\":4,\"addr\":0}");

	if (failures) {
		fprintf(stderr, "FAIL: %d checks\n", failures);
		return 1;
	}
	printf("PASS hmp-parse\n");
	return 0;
}
