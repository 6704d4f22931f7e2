/* Unit test of the page-table walker over a fake RAM buffer: every paging mode, no KVM. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/check.h"
#include "vmm/guest-mem.h"
#include "vmm/machine.h"
#include "vmm/paging.h"

#define RAM_SIZE (8ULL << 20)

static uint8_t *ram;
static int reads;

static bool fake_read(void *opaque, uint64_t gpa, unsigned size, uint64_t *val)
{
	uint32_t v32;

	(void)opaque;
	reads++;
	if (gpa >= RAM_SIZE || RAM_SIZE - gpa < size || (gpa & (size - 1)))
		return false;
	if (size == 4) {
		memcpy(&v32, ram + gpa, 4);
		*val = v32;
	} else {
		memcpy(val, ram + gpa, 8);
	}
	return true;
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(ram + gpa, &v, 4);
}

/* Expects gva -> gpa with the given page size. */
static void expect(const struct paging_regs *r, uint64_t gva, uint64_t gpa, uint64_t page_size)
{
	uint64_t got = ~0ULL, size = 0;
	int err = paging_walk(r, fake_read, NULL, gva, &got, &size);

	if (err)
		fprintf(stderr, "gva 0x%" PRIx64 ": error %d\n", gva, err);
	CHECK_U64(0, (uint64_t)-err);
	CHECK_U64(gpa, got);
	CHECK_U64(page_size, size);
}

static void expect_fault(const struct paging_regs *r, uint64_t gva)
{
	uint64_t got;
	int err = paging_walk(r, fake_read, NULL, gva, &got, NULL);

	if (err != -EFAULT)
		fprintf(stderr, "gva 0x%" PRIx64 ": expected a fault\n", gva);
	CHECK_U64(-EFAULT, err);
}

#define P	 0x1ULL
#define W	 0x2ULL
#define PS	 0x80ULL
#define XD	 (1ULL << 63)
#define CR0_PE	 0x1ULL
#define CR0_PG	 0x80000000ULL
#define CR4_PSE	 0x10ULL
#define CR4_PAE	 0x20ULL
#define CR4_LA57 0x1000ULL
#define EFER_LME 0x100ULL
#define EFER_LMA 0x400ULL

/* The map of tests/guests/pagetables.S, plus a high-half page, XD and a bad table pointer. */
static void test_long_mode(void)
{
	struct paging_regs r = { CR0_PE | CR0_PG, 0x10000 | 0x18 /* PWT|PCD */, CR4_PAE,
				 EFER_LME | EFER_LMA };
	int i;

	for (i = 0; i < 512; i++)
		put64(0x13000 + i * 8, (uint64_t)i * 0x1000 | P | W);
	put64(0x13000 + 7 * 8, 0x5000 | P | W);
	put64(0x13000 + 8 * 8, 0x3000 | P | W | XD);
	put64(0x13000 + 9 * 8, 0x9000 | W); /* not present */
	put64(0x12000, 0x13000 | P | W);
	put64(0x14000, 0x200000 | PS | P | W | (1ULL << 12) /* PAT */);
	put64(0x11000, 0x12000 | P | W);
	put64(0x11000 + 8, 0x14000 | P | W);
	put64(0x11000 + 16, 0 | PS | P | W);
	put64(0x11000 + 24, 0x40000000ULL | PS | P); /* 1 GiB page at 1 GiB (outside RAM: fine) */
	put64(0x11000 + 32, 0x7ff000ULL | P);	     /* a PD that is the last page of RAM */
	put64(0x11000 + 40, 0x123456789000ULL | P);  /* a PD outside RAM */
	put64(0x10000, 0x11000 | P | W);
	/* high half: PML4[511] -> PDPT 0x15000, [510] -> 1 GiB page at 0 (kernel-style map) */
	put64(0x10000 + 511 * 8, 0x15000 | P);
	put64(0x15000 + 510 * 8, 0 | PS | P);

	expect(&r, 0x0, 0x0, 0x1000);
	expect(&r, 0x1234, 0x1234, 0x1000);
	expect(&r, 0x7000, 0x5000, 0x1000);
	expect(&r, 0x7abc, 0x5abc, 0x1000);
	expect(&r, 0x8fff, 0x3fff, 0x1000);
	expect(&r, 0x1ff123, 0x1ff123, 0x1000);
	expect_fault(&r, 0x9000);
	expect_fault(&r, 0x200000); /* PD0[1] empty */
	expect(&r, 0x40000000, 0x200000, 0x200000);
	expect(&r, 0x401fffff, 0x3fffff, 0x200000);
	expect_fault(&r, 0x40200000);
	expect(&r, 0x80000000, 0x0, 0x40000000);
	expect(&r, 0x80000500, 0x500, 0x40000000);
	expect(&r, 0xbfffffff, 0x3fffffff, 0x40000000);
	expect(&r, 0xc0001234, 0x40001234, 0x40000000);
	expect_fault(&r, 0x100000000ULL);  /* PD in the last page of RAM: zeroed, not present */
	expect_fault(&r, 0x140000000ULL);  /* PD outside RAM */
	expect_fault(&r, 0x8000000000ULL); /* PML4[1] empty */
	expect(&r, 0xffffffff80001000ULL, 0x1000, 0x40000000);
	expect_fault(&r, 0x0000800000000000ULL); /* non-canonical */
	expect_fault(&r, 0xfff0000000000000ULL); /* canonical only with LA57 */

	/* CR3 outside RAM */
	r.cr3 = 0x7fff0000000ULL;
	reads = 0;
	expect_fault(&r, 0x1000);
	CHECK(reads == 1);

	/* five levels: PML5 at 0x16000, [0] -> the same PML4, [1] -> PML4 0x17000 */
	r.cr3 = 0x16000;
	r.cr4 |= CR4_LA57;
	put64(0x16000, 0x10000 | P);
	put64(0x16000 + 8, 0x17000 | P);
	put64(0x17000, 0x11000 | P);
	expect(&r, 0x7000, 0x5000, 0x1000);
	expect(&r, 0x40000010, 0x200010, 0x200000);
	expect(&r, (1ULL << 48) | 0x8004, 0x3004, 0x1000);
	expect_fault(&r, 2ULL << 48);
	expect_fault(&r, 0x0100000000000000ULL); /* non-canonical with LA57 */
	expect_fault(&r, 0xff00000000000000ULL); /* canonical, PML5[256] empty */
}

/* PAE without long mode: 4-entry PDPT at a 32-byte aligned address, 2 MiB and 4 KiB pages. */
static void test_pae(void)
{
	struct paging_regs r = { CR0_PE | CR0_PG, 0x20020, CR4_PAE, 0 };

	put64(0x20020 + 0 * 8, 0x21000 | P);
	put64(0x20020 + 3 * 8, 0x22000 | P);
	put64(0x21000 + 1 * 8, 0x23000 | P);	     /* PD[1]: 0x200000.. -> PT */
	put64(0x23000 + 5 * 8, 0x600000 | P | XD);   /* 0x205000 -> 0x600000 */
	put64(0x22000 + 511 * 8, 0x400000 | PS | P); /* 0xffe00000 -> 2 MiB at 0x400000 */

	expect(&r, 0x205abc, 0x600abc, 0x1000);
	expect(&r, 0xffe00000, 0x400000, 0x200000);
	expect(&r, 0xffffffff, 0x5fffff, 0x200000);
	/* the walk truncates to 32 bits outside long mode */
	expect(&r, 0x1ffffffffULL, 0x5fffff, 0x200000);
	expect_fault(&r, 0x40000000); /* PDPT[1] empty */
	expect_fault(&r, 0x206000);
	expect_fault(&r, 0x0); /* PD[0] empty */
}

/* 32-bit paging: 4 KiB pages; 4 MiB pages only with CR4.PSE, with PSE-36 high bits. */
static void test_2level(void)
{
	struct paging_regs r = { CR0_PE | CR0_PG, 0x30000, 0, 0 };

	put32(0x30000 + 0 * 4, 0x31000 | P);
	put32(0x31000 + 7 * 4, 0x5000 | P);
	/* PDE[1]: 4 MiB page at 0x0c00000 | (bit 13 -> physical bit 32) */
	put32(0x30000 + 1 * 4, 0xc00000 | (1 << 13) | PS | P);
	/* PDE[2]: a PS entry, read as a table pointer without CR4.PSE (table at 0x32000) */
	put32(0x30000 + 2 * 4, 0x32000 | PS | P);
	put32(0x32000 + 3 * 4, 0x7000 | P);
	put32(0x30000 + 1023 * 4, 0x33000 | P);
	put32(0x33000 + 1023 * 4, 0x1000 | P);

	expect(&r, 0x7010, 0x5010, 0x1000);
	expect_fault(&r, 0x8000);
	expect_fault(&r, 0x400000); /* PS without PSE: a table at 0xc02000, outside RAM */
	expect(&r, 0x803004, 0x7004, 0x1000);
	expect(&r, 0xfffff00f, 0x100f, 0x1000);
	expect(&r, 0x1fffff00fULL, 0x100f, 0x1000);
	r.cr4 = CR4_PSE;
	expect(&r, 0x400123, 0x100c00123ULL, 0x400000);
	expect(&r, 0x7fffff, 0x100ffffffULL, 0x400000);
	/* PSE applies to PDE[2] too: 0x32000 reads as 4 MiB at 0 with PSE-36 bits 0x19 */
	expect(&r, 0x802000, 0x1900002000ULL, 0x400000);
	expect_fault(&r, 0xc00000);
}

/* Paging off: virtual == physical, without a 32-bit wrap (as QEMU's debug translation). */
static void test_paging_off(void)
{
	struct paging_regs r = { 0, 0xdeadbeef000ULL, 0, 0 };

	expect(&r, 0x12345678, 0x12345678, 0x1000);
	expect(&r, 0x112345678ULL, 0x112345678ULL, 0x1000);
	r.cr0 = CR0_PE;
	expect(&r, 0xffffffffffULL, 0xffffffffffULL, 0x1000);
	r.efer = EFER_LMA;
	expect(&r, 0xffffffffffULL, 0xffffffffffULL, 0x1000);
}

/* paging_translate_regs reads tables through guest_mem_ptr: RAM regions only. */
static void test_machine_ram(void)
{
	static struct machine m;
	struct paging_regs r = { CR0_PE | CR0_PG, 0x10000, CR4_PAE, EFER_LMA };
	uint64_t gpa, size;

	m.mem.base = ram;
	m.mem.ram_size = RAM_SIZE;
	m.mem.nr_regions = 1;
	m.mem.regions[0].gpa = 0;
	m.mem.regions[0].size = RAM_SIZE;
	m.mem.regions[0].hva = ram;
	CHECK_U64(0, paging_translate_regs(&m, &r, 0x7008, &gpa, &size));
	CHECK_U64(0x5008, gpa);
	CHECK_U64(-EFAULT, paging_translate_regs(&m, &r, 0x140000000ULL, &gpa, &size));
	m.mem.regions[0].size = 0x11000; /* the PDPT is now outside RAM */
	CHECK_U64(-EFAULT, paging_translate_regs(&m, &r, 0x7008, &gpa, &size));
	/* a table whose last entry straddles the end of RAM */
	m.mem.regions[0].size = 0x10004;
	r.cr3 = 0xfffc;
	CHECK_U64(-EFAULT, paging_translate_regs(&m, &r, 0, &gpa, &size));
}

int main(void)
{
	ram = calloc(1, RAM_SIZE);
	if (!ram)
		return 1;
	test_long_mode();
	memset(ram, 0, RAM_SIZE);
	test_pae();
	memset(ram, 0, RAM_SIZE);
	test_2level();
	test_paging_off();
	memset(ram, 0, RAM_SIZE);
	test_long_mode();
	test_machine_ram();
	free(ram);
	return check_report("test-paging");
}
