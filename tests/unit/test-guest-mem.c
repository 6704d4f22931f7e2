/* Unit test: bounds of the gpa <-> hva helpers, including the hole below 4 GiB. */
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vmm/guest-mem.h"

int main(void)
{
	static uint8_t low[0x2000], high[0x1000];
	struct guest_mem gm = {
		.ram_size = sizeof(low) + sizeof(high),
		.regions = { { 0, sizeof(low), low }, { GUEST_MEM_HIGH_BASE, sizeof(high), high } },
		.nr_regions = 2,
	};
	uint8_t buf[16] = { 1, 2, 3 };
	uint64_t gpa;

	CHECK(guest_mem_ptr(&gm, 0, 1) == low);
	CHECK(guest_mem_ptr(&gm, 0x1fff, 1) == low + 0x1fff);
	CHECK(guest_mem_ptr(&gm, 0, sizeof(low)) == low);
	CHECK(guest_mem_ptr(&gm, 0, sizeof(low) + 1) == NULL);
	CHECK(guest_mem_ptr(&gm, 0x1fff, 2) == NULL);
	CHECK(guest_mem_ptr(&gm, 0x2000, 1) == NULL);
	CHECK(guest_mem_ptr(&gm, GUEST_MEM_HIGH_BASE - 1, 2) == NULL);
	CHECK(guest_mem_ptr(&gm, GUEST_MEM_HIGH_BASE, 0x1000) == high);
	CHECK(guest_mem_ptr(&gm, GUEST_MEM_HIGH_BASE + 0xfff, 1) == high + 0xfff);
	CHECK(guest_mem_ptr(&gm, GUEST_MEM_HIGH_BASE + 0x1000, 1) == NULL);
	CHECK(guest_mem_ptr(&gm, 0x10, UINT64_MAX) == NULL);
	CHECK(guest_mem_ptr(&gm, UINT64_MAX, 2) == NULL);
	CHECK(guest_mem_ptr(&gm, UINT64_MAX - 4, 8) == NULL);

	CHECK(guest_mem_write(&gm, 0x100, buf, 3));
	CHECK(low[0x100] == 1 && low[0x102] == 3);
	CHECK(!guest_mem_write(&gm, 0x1ffe, buf, 3));
	CHECK(low[0x1ffe] == 0); /* nothing written on failure */
	CHECK(guest_mem_read(&gm, 0x100, buf + 8, 3) && buf[10] == 3);
	CHECK(!guest_mem_read(&gm, 0xffffffff, buf, 2));

	CHECK(guest_mem_gpa(&gm, high + 5, &gpa));
	CHECK_U64(GUEST_MEM_HIGH_BASE + 5, gpa);
	CHECK(guest_mem_gpa(&gm, low + 0x1fff, &gpa));
	CHECK_U64(0x1fff, gpa);
	CHECK(!guest_mem_gpa(&gm, buf, &gpa));
	return check_report("guest-mem");
}
