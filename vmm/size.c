/* Parsing of sizes and numbers in QEMU's command-line syntax. */
#include "vmm/size.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	static const char units[] = "BKMGT"; /* 1, then powers of 1024 */
	const char *u;
	char *end;
	unsigned long long v;
	uint64_t unit;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
	if (errno || (*end && (!u || end[1])))
		return false;
	unit = u ? 1ULL << (10 * (u - units)) : default_unit;
	if (unit && v > UINT64_MAX / unit)
		return false;
	*out = v * unit;
	return true;
}
