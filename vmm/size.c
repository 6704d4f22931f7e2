/* Parsing of sizes and numbers in QEMU's command-line syntax. */
#include "vmm/size.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

bool number_parse(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool size_parse(const char *s, uint64_t default_unit, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t unit;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		unit = default_unit;
		break;
	case 'B':
		unit = 1;
		break;
	case 'K':
		unit = 1ULL << 10;
		break;
	case 'M':
		unit = 1ULL << 20;
		break;
	case 'G':
		unit = 1ULL << 30;
		break;
	case 'T':
		unit = 1ULL << 40;
		break;
	default:
		return false;
	}
	if (*end && end[1])
		return false;
	if (unit && v > UINT64_MAX / unit)
		return false;
	*out = v * unit;
	return true;
}
