/* QEMU's PCI test device (1b36:0005): I/O tests over an MMIO BAR and a port I/O BAR. */
#include "vmm/dev/pci-testdev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/le.h"
#include "vmm/object.h"

/*
 * Six tests, three per BAR (QEMU's hw/misc/pci-testdev.c): writing n < 3 at offset 0 of a BAR
 * selects test n of that BAR; reading returns the selected test's header byte by byte:
 *   0 test number, 1 width (1), 4 offset (u32), 8 data, 12 count (u32), 16 name (NUL-ended).
 * A byte write at the test's offset counts in count: any value for "wildcard-eventfd", only
 * 0xfa for the others. tinyvmm has no ioeventfds, so every test counts the same way.
 */
#define NR_TESTS      3
#define MEM_SIZE      2048 /* each BAR is twice this; the test offsets lie in its upper half */
#define IO_SIZE	      128
#define DATA_MATCH    0xfa
#define DATA_NO_MATCH 0xce
#define HDR_OFFSET    4
#define HDR_DATA      8
#define HDR_COUNT     12
#define HDR_NAME      16
#define HDR_MAX	      48

struct testdev_test {
	uint8_t hdr[HDR_MAX];
	unsigned len; /* header and name */
};

struct testdev {
	struct pci_device pci;
	struct testdev_test tests[2 * NR_TESTS]; /* mmio ones, then portio ones */
	int current;				 /* -1: none selected */
};

static const char *const test_names[NR_TESTS] = { "no-eventfd", "wildcard-eventfd",
						  "datamatch-eventfd" };

/* Accesses are taken one byte at a time, as QEMU's (max_access_size 1). */
static uint64_t testdev_read(void *opaque, uint64_t off, unsigned size)
{
	struct testdev *t = opaque;
	uint64_t v = 0;

	for (unsigned i = 0; i < size && t->current >= 0; i++) {
		const struct testdev_test *test = &t->tests[t->current];

		if (off + i + 1 < test->len)
			v |= (uint64_t)test->hdr[off + i] << (8 * i);
	}
	return v;
}

static void write_byte(struct testdev *t, uint64_t off, uint8_t val, int type)
{
	struct testdev_test *test;
	uint32_t count;

	if (off == 0) {
		t->current = val < NR_TESTS ? type * NR_TESTS + val : -1;
		return;
	}
	if (t->current < 0)
		return;
	test = &t->tests[t->current];
	if (off != le_get(test->hdr + HDR_OFFSET, 4))
		return;
	if (t->current % NR_TESTS != 1 && val != test->hdr[HDR_DATA])
		return;
	count = le_get(test->hdr + HDR_COUNT, 4) + 1;
	for (int i = 0; i < 4; i++)
		test->hdr[HDR_COUNT + i] = (uint8_t)(count >> (8 * i));
}

static void testdev_write(struct testdev *t, uint64_t off, uint64_t val, unsigned size, int type)
{
	for (unsigned i = 0; i < size; i++)
		write_byte(t, off + i, (uint8_t)(val >> (8 * i)), type);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	testdev_write(opaque, off, val, size, 0);
}

static void pio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	testdev_write(opaque, off, val, size, 1);
}

static void testdev_reset(struct pci_device *d)
{
	struct testdev *t = (struct testdev *)d;

	t->current = -1;
	for (int i = 0; i < 2 * NR_TESTS; i++) {
		struct testdev_test *test = &t->tests[i];
		uint32_t off = (i < NR_TESTS ? MEM_SIZE : IO_SIZE) + (uint32_t)i;
		int n = snprintf((char *)test->hdr + HDR_NAME, HDR_MAX - HDR_NAME, "%s-%s",
				 i < NR_TESTS ? "mmio" : "portio", test_names[i % NR_TESTS]);

		memset(test->hdr, 0, HDR_NAME);
		test->hdr[0] = (uint8_t)i;
		test->hdr[1] = 1; /* width */
		for (int b = 0; b < 4; b++)
			test->hdr[HDR_OFFSET + b] = (uint8_t)(off >> (8 * b));
		test->hdr[HDR_DATA] = i % NR_TESTS == 1 ? DATA_NO_MATCH : DATA_MATCH;
		test->len = HDR_NAME + (unsigned)n + 1;
	}
}

static void testdev_free(struct pci_device *d)
{
	free(d);
}

struct pci_device *pci_testdev_create(void)
{
	struct testdev *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->pci.type = "pci-testdev";
	t->pci.id = "";
	t->pci.opaque = t;
	t->pci.reset = testdev_reset;
	t->pci.free = testdev_free;
	pci_config_init(&t->pci, 0x1b36, 0x0005, 0x00, 0x00ff00, 0);
	pci_add_bar(&t->pci, 0, PCI_BAR_MEM32, 2 * MEM_SIZE, "pci-testdev-mmio", testdev_read,
		    mmio_write);
	pci_add_bar(&t->pci, 1, PCI_BAR_IO, 2 * IO_SIZE, "pci-testdev-portio", testdev_read,
		    pio_write);
	testdev_reset(&t->pci);
	return &t->pci;
}

static bool realize(struct object *o, struct machine *m, char *err, size_t errlen)
{
	return pci_device_realize(o, m, pci_testdev_create(), err, errlen);
}

/* Reset with its bus (the host bridge's reset). */
const struct object_type pci_testdev_type = { .name = "pci-testdev",
					      .parent = "pci-device",
					      .category = "Misc",
					      .desc = "PCI Test Device",
					      .realize = realize,
					      .unrealize = pci_device_unrealize };
