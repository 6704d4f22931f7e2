/* Unit test: QEMU-style size and number parsing. */
#include "tests/unit/check.h"
#include "vmm/size.h"

static void good(const char *s, uint64_t unit, uint64_t want)
{
	uint64_t v = 0;

	CHECK(size_parse(s, unit, &v));
	CHECK_U64(want, v);
}

static void bad(const char *s)
{
	uint64_t v;

	CHECK(!size_parse(s, 1 << 20, &v));
}

int main(void)
{
	uint64_t v;

	good("128", 1 << 20, 128ULL << 20);
	good("128M", 1 << 20, 128ULL << 20);
	good("128m", 1 << 20, 128ULL << 20);
	good("1G", 1 << 20, 1ULL << 30);
	good("2T", 1 << 20, 2ULL << 40);
	good("512k", 1 << 20, 512ULL << 10);
	good("4096B", 1 << 20, 4096);
	good("0", 1 << 20, 0);
	good("17179869183G", 1 << 20, 17179869183ULL << 30);
	bad("");
	bad("abc");
	bad("-1");
	bad("12Q");
	bad("1GB");
	bad("1.5G");
	bad(" 12");
	bad("18446744073709551616");
	bad("17179869184G"); /* 2^64 bytes */
	bad("99999999999999999999T");
	CHECK(number_parse("0x10", &v) && v == 16);
	CHECK(number_parse("64", &v) && v == 64);
	CHECK(!number_parse("-1", &v));
	CHECK(!number_parse("4x", &v));
	CHECK(!number_parse("", &v));
	CHECK(!number_parse("0x1ffffffffffffffff", &v));
	return check_report("size");
}
