/* A tiny check library for C unit tests: each failure names itself with expected and received. */
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			check_failures++;                                               \
		}                                                                       \
	} while (0)

#define CHECK_U64(expected, received)                                          \
	do {                                                                   \
		uint64_t e_ = (uint64_t)(expected), r_ = (uint64_t)(received); \
		if (e_ != r_) {                                                \
			fprintf(stderr,                                        \
				"FAIL %s:%d: %s\n  expected: 0x%" PRIx64       \
				"\n  received: 0x%" PRIx64 "\n",               \
				__FILE__, __LINE__, #received, e_, r_);        \
			check_failures++;                                      \
		}                                                              \
	} while (0)

#define CHECK_STR(expected, received)                                                       \
	do {                                                                                \
		const char *e_ = (expected), *r_ = (received);                              \
		if (!r_ || strcmp(e_, r_)) {                                                \
			fprintf(stderr,                                                     \
				"FAIL %s:%d: %s\n  expected: \"%s\"\n  received: \"%s\"\n", \
				__FILE__, __LINE__, #received, e_, r_ ? r_ : "(null)");     \
			check_failures++;                                                   \
		}                                                                           \
	} while (0)

static inline int check_report(const char *name)
{
	if (check_failures) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}

#endif
