/* Unit test: address-space registration, overlap refusal, lookups and unclaimed accesses. */
#include <errno.h>

#include "tests/unit/check.h"
#include "vmm/iospace.h"

static uint64_t last_off;

static uint64_t rd(void *opaque, uint64_t off, unsigned size)
{
	last_off = off;
	return (uint64_t)(uintptr_t)opaque + off;
}

static void wr(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	last_off = off + v;
}

int main(void)
{
	struct iospace io, mem;
	int i;

	iospace_init(&io, "io", 0x10000);
	CHECK(iospace_register(&io, "serial", 0x3f8, 8, rd, wr, (void *)0x100) == 0);
	CHECK(iospace_register(&io, "a", 0x3f0, 8, rd, wr, NULL) == 0);
	CHECK(iospace_register(&io, "overlap-start", 0x3f7, 2, rd, wr, NULL) == -EEXIST);
	CHECK(iospace_register(&io, "overlap-end", 0x3ff, 1, rd, wr, NULL) == -EEXIST);
	CHECK(iospace_register(&io, "inside", 0x3fa, 1, rd, wr, NULL) == -EEXIST);
	CHECK(iospace_register(&io, "cover", 0x300, 0x200, rd, wr, NULL) == -EEXIST);
	CHECK(iospace_register(&io, "empty", 0x500, 0, rd, wr, NULL) == -EINVAL);
	CHECK(iospace_register(&io, "beyond", 0xffff, 2, rd, wr, NULL) == -EINVAL);
	CHECK(iospace_register(&io, "last", 0xffff, 1, rd, wr, NULL) == 0);
	CHECK(iospace_register(&io, "first", 0, 1, rd, wr, NULL) == 0);
	CHECK_U64(4, io.nr);
	for (i = 1; i < io.nr; i++)
		CHECK(io.ranges[i - 1].base < io.ranges[i].base);

	CHECK(iospace_find(&io, 0x3f8) != NULL);
	CHECK_STR("serial", iospace_find(&io, 0x3ff)->name);
	CHECK_STR("a", iospace_find(&io, 0x3f7)->name);
	CHECK(iospace_find(&io, 0x400) == NULL);
	CHECK_U64(0x105, iospace_read(&io, 0x3fd, 1));
	CHECK_U64(5, last_off);
	iospace_write(&io, 0x3f9, 3, 1);
	CHECK_U64(4, last_off);

	CHECK_U64(0xff, iospace_read(&io, 0x1234, 1));
	CHECK_U64(0xffff, iospace_read(&io, 0x1234, 2));
	CHECK_U64(0xffffffff, iospace_read(&io, 0x1234, 4));
	iospace_write(&io, 0x1234, 1, 1);
	CHECK_U64(3, io.unclaimed_reads);
	CHECK_U64(1, io.unclaimed_writes);

	/* a range is released by its base only (a moved PCI BAR) */
	iospace_unregister(&io, 0x3f9);
	CHECK_U64(4, io.nr);
	iospace_unregister(&io, 0x3f8);
	CHECK(iospace_find(&io, 0x3f8) == NULL);
	CHECK_STR("a", iospace_find(&io, 0x3f7)->name);
	CHECK_STR("last", iospace_find(&io, 0xffff)->name);
	CHECK_U64(3, io.nr);
	CHECK(iospace_register(&io, "serial", 0x3f8, 8, rd, wr, (void *)0x100) == 0);

	iospace_init(&mem, "memory", 0);
	CHECK(iospace_register(&mem, "top", 0xfffffffffffff000ULL, 0x1000, rd, wr, NULL) == 0);
	CHECK(iospace_register(&mem, "wrap", 0xfffffffffffff800ULL, 0x1000, rd, wr, NULL) ==
	      -EINVAL);
	CHECK(iospace_find(&mem, ~0ULL) != NULL);
	CHECK_U64(~0ULL, iospace_read(&mem, 0x1000, 8));
	for (i = 0; i < IOSPACE_MAX_RANGES - 1; i++)
		CHECK(iospace_register(&mem, "many", (uint64_t)i * 0x10, 0x10, rd, wr, NULL) == 0);
	CHECK(iospace_register(&mem, "full", 0x100000, 1, rd, wr, NULL) == -ENOSPC);
	return check_report("iospace");
}
