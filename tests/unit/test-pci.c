/* Unit test: PCI config space through 0xcf8/0xcfc and ECAM, BAR sizing and moves, hostile writes.
 */
#include <errno.h>
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vmm/dev/edu.h"
#include "vmm/dev/pci-host.h"
#include "vmm/dev/pci-testdev.h"
#include "vmm/machine.h"

#define RAM	       (16u << 20)
#define EDU	       4
#define TDEV	       5
#define ECAM	       PCI_ECAM_BASE
#define CFG(slot, reg) (0x80000000u | (slot) << 11 | (reg))

static struct machine m;

static uint32_t cfg_read(unsigned slot, unsigned reg, unsigned size)
{
	iospace_write(&m.pio, PCI_CONFIG_ADDR_PORT, CFG(slot, reg & 0xfc), 4);
	return (uint32_t)iospace_read(&m.pio, PCI_CONFIG_DATA_PORT + (reg & 3), size);
}

static void cfg_write(unsigned slot, unsigned reg, uint32_t v, unsigned size)
{
	iospace_write(&m.pio, PCI_CONFIG_ADDR_PORT, CFG(slot, reg & 0xfc), 4);
	iospace_write(&m.pio, PCI_CONFIG_DATA_PORT + (reg & 3), v, size);
}

static uint64_t ecam(unsigned slot, unsigned reg)
{
	return ECAM + ((uint64_t)slot << 15) + reg;
}

static const char *mapped_at(struct iospace *s, uint64_t addr)
{
	const struct io_range *r = iospace_find(s, addr);

	return r ? r->name : "";
}

static void setup(void)
{
	struct pci_device *e = edu_create(), *t = pci_testdev_create();

	m.vm_fd = -1; /* interrupts go nowhere: KVM_IRQ_LINE fails with EBADF */
	iospace_init(&m.pio, "io", 0x10000);
	iospace_init(&m.mmio, "memory", 0);
	m.mem.base = calloc(1, RAM);
	m.mem.ram_size = RAM;
	m.mem.regions[0] = (struct mem_region){ 0, RAM, m.mem.base };
	m.mem.nr_regions = 1;
	CHECK(m.mem.base && e && t);
	CHECK_U64(0, pci_host_create(&m, &m.pci));
	CHECK_U64(0, pci_bus_add(&m.pci->bus, e, PCI_DEVFN(EDU, 0)));
	CHECK_U64(0, pci_bus_add(&m.pci->bus, t, PCI_DEVFN(TDEV, 0)));
	CHECK_U64((uint64_t)-EBUSY, pci_bus_add(&m.pci->bus, e, PCI_DEVFN(EDU, 0)));
}

static void test_mechanisms(void)
{
	CHECK_U64(0x12378086, cfg_read(0, 0, 4));
	CHECK_U64(0x8086, cfg_read(0, 0, 2));
	CHECK_U64(0x1237, cfg_read(0, 2, 2));
	CHECK_U64(0x06, cfg_read(0, 0x0b, 1)); /* host bridge class */
	CHECK_U64(0x11e81234, cfg_read(EDU, 0, 4));
	CHECK_U64(0x00051b36, cfg_read(TDEV, 0, 4));
	CHECK_U64(0xffffffff, cfg_read(7, 0, 4)); /* an empty slot */
	CHECK_U64(0xffff, cfg_read(7, 0, 2));
	iospace_write(&m.pio, PCI_CONFIG_ADDR_PORT, 0x00000000, 4); /* enable bit clear */
	CHECK_U64(0xffffffff, iospace_read(&m.pio, PCI_CONFIG_DATA_PORT, 4));
	iospace_write(&m.pio, PCI_CONFIG_ADDR_PORT, 0x80010000, 4); /* bus 1: none */
	CHECK_U64(0xffffffff, iospace_read(&m.pio, PCI_CONFIG_DATA_PORT, 4));
	iospace_write(&m.pio, PCI_CONFIG_ADDR_PORT + 1, 0xff, 1); /* only dwords latch */
	CHECK_U64(0x80010000, iospace_read(&m.pio, PCI_CONFIG_ADDR_PORT, 4));

	/* ECAM reaches the same config space, and 4 KiB of it */
	CHECK_U64(0x12378086, iospace_read(&m.mmio, ecam(0, 0), 4));
	CHECK_U64(0x11e81234, iospace_read(&m.mmio, ecam(EDU, 0), 4));
	CHECK_U64(0x11e81234, iospace_read(&m.mmio, ecam(EDU, 0), 8) & 0xffffffff);
	CHECK_U64(0, iospace_read(&m.mmio, ecam(EDU, 0x100), 4));
	iospace_write(&m.mmio, ecam(EDU, 0x3c), 0x0b, 1);
	CHECK_U64(0x0b, cfg_read(EDU, 0x3c, 1));
	CHECK_U64(0xffffffff, iospace_read(&m.mmio, ecam(7, 0), 4));
	CHECK_U64(0xffffffff, iospace_read(&m.mmio, ECAM + PCI_ECAM_SIZE, 4)); /* past the end */
	CHECK_U64(0xffffffffffffffffULL, iospace_read(&m.mmio, ecam(3, 0), 8));
}

static void test_config_rules(void)
{
	cfg_write(EDU, 0, 0xffffffff, 4); /* IDs are read-only */
	CHECK_U64(0x11e81234, cfg_read(EDU, 0, 4));
	cfg_write(EDU, 0x3d, 0x04, 1); /* so is the interrupt pin */
	CHECK_U64(1, cfg_read(EDU, 0x3d, 1));
	m.pci->bus.devs[PCI_DEVFN(EDU, 0)]->config[PCI_STATUS + 1] |= 0x80; /* detected parity */
	cfg_write(EDU, PCI_STATUS, 0, 2);				    /* 0 keeps it */
	CHECK_U64(0x80, cfg_read(EDU, PCI_STATUS + 1, 1) & 0x80);
	cfg_write(EDU, PCI_STATUS, 0x8000, 2); /* 1 clears it (RW1C) */
	CHECK_U64(0, cfg_read(EDU, PCI_STATUS + 1, 1) & 0x80);
	CHECK_U64(PCI_STATUS_CAP_LIST, cfg_read(EDU, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	CHECK_U64(0x40, cfg_read(EDU, PCI_CAPABILITY_LIST, 1));
	CHECK_U64(PCI_CAP_ID_MSI, cfg_read(EDU, 0x40, 1));
	CHECK_U64(0, cfg_read(EDU, 0x41, 1)); /* the last capability */
	CHECK_U64(0, cfg_read(TDEV, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
}

static void test_bars(void)
{
	cfg_write(EDU, 0x10, 0xffffffff, 4); /* sizing: the size mask, type bits kept */
	CHECK_U64(0xfff00000, cfg_read(EDU, 0x10, 4));
	cfg_write(TDEV, 0x14, 0xffffffff, 4);
	CHECK_U64(0xffffff01, cfg_read(TDEV, 0x14, 4));
	cfg_write(TDEV, 0x10, 0xffffffff, 4);
	CHECK_U64(0xfffff000, cfg_read(TDEV, 0x10, 4));
	cfg_write(EDU, 0x10, 0xc0012345, 4); /* the address bits below the size are 0 */
	CHECK_U64(0xc0000000, cfg_read(EDU, 0x10, 4));
	CHECK_STR("", mapped_at(&m.mmio, 0xc0000000)); /* memory decoding is off */
	cfg_write(EDU, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	CHECK_STR("edu-mmio", mapped_at(&m.mmio, 0xc00fffff));
	CHECK_U64(0x010000ed, iospace_read(&m.mmio, 0xc0000000, 4));
	cfg_write(EDU, 0x12, 0xd000, 2); /* moved by a word write to the BAR's upper half */
	CHECK_STR("", mapped_at(&m.mmio, 0xc0000000));
	CHECK_STR("edu-mmio", mapped_at(&m.mmio, 0xd0000000));
	cfg_write(EDU, PCI_COMMAND, 0, 2);
	CHECK_STR("", mapped_at(&m.mmio, 0xd0000000));

	cfg_write(TDEV, 0x14, 0xc100, 4);
	cfg_write(TDEV, PCI_COMMAND, PCI_COMMAND_IO, 2);
	CHECK_STR("pci-testdev-portio", mapped_at(&m.pio, 0xc1ff));
	iospace_write(&m.pio, 0xc100, 0, 1);			     /* port test 0 */
	CHECK_U64(0x74726f70, iospace_read(&m.pio, 0xc100 + 16, 4)); /* "port" */
	iospace_write(&m.pio, 0xc100 + 128 + 3, 0xfa, 1);
	iospace_write(&m.pio, 0xc100 + 128 + 3, 0x11, 1); /* no data match: not counted */
	CHECK_U64(1, iospace_read(&m.pio, 0xc100 + 12, 4));
}

static void test_hostile_bars(void)
{
	/* over the ECAM window: not claimed, ECAM still works */
	cfg_write(EDU, 0x10, (uint32_t)ECAM, 4);
	cfg_write(EDU, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	CHECK_STR("pcie-mmcfg-mmio", mapped_at(&m.mmio, ECAM));
	CHECK_U64(0x11e81234, iospace_read(&m.mmio, ecam(EDU, 0), 4));
	/* over the config ports: the I/O BAR 0x0c00-0x0cff is not claimed */
	cfg_write(TDEV, 0x14, 0x0c00, 4);
	CHECK_STR("pci-conf-idx", mapped_at(&m.pio, 0xcf8));
	CHECK_U64(0x00051b36, cfg_read(TDEV, 0, 4));
	/* two BARs over each other: the first keeps it; the second is claimed once it is free */
	cfg_write(TDEV, 0x10, 0xc0000000, 4);
	cfg_write(TDEV, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	CHECK_STR("pci-testdev-mmio", mapped_at(&m.mmio, 0xc0000000));
	cfg_write(EDU, 0x10, 0xc0000000, 4);
	CHECK_STR("pci-testdev-mmio", mapped_at(&m.mmio, 0xc0000000));
	CHECK_STR("", mapped_at(&m.mmio, 0xc0080000));
	cfg_write(TDEV, PCI_COMMAND, 0, 2);
	CHECK_STR("edu-mmio", mapped_at(&m.mmio, 0xc0000000));
	/* over RAM: KVM's memory slot wins for the guest; RAM is not written by moving it */
	memset(m.mem.base, 0x5a, 0x200000);
	cfg_write(EDU, 0x10, 0x00100000, 4);
	CHECK_U64(0x5a5a5a5a, *(uint32_t *)(m.mem.base + 0x100000));
	/* 0xfff00000 + 1 MiB ends at 4 GiB: still fits; every width at every offset after */
	cfg_write(EDU, 0x10, 0xfff00000, 4);
	CHECK_STR("edu-mmio", mapped_at(&m.mmio, 0xfff00000));
	for (unsigned slot = 0; slot < 8; slot++) {
		for (unsigned off = 0; off < PCI_ECAM_FN_SIZE + 8; off++) {
			for (unsigned size = 1; size <= 8; size *= 2) {
				iospace_write(&m.mmio, ecam(slot, off), 0xffffffffffffffffULL,
					      size);
				iospace_read(&m.mmio, ecam(slot, off), size);
				if (off < 0x100) {
					cfg_write(slot, off, 0x5a5a5a5a, size > 4 ? 4 : size);
					cfg_read(slot, off, size > 4 ? 4 : size);
				}
			}
		}
	}
	CHECK_U64(0x11e81234, cfg_read(EDU, 0, 4));
	CHECK_U64(0x12378086, cfg_read(0, 0, 4));
	for (uint32_t i = 0; i < 0x200000 / 4; i++)
		if (((uint32_t *)m.mem.base)[i] != 0x5a5a5a5a) {
			CHECK(!"RAM unchanged by config writes");
			break;
		}
	pci_bus_reset(&m.pci->bus); /* back to power-on: nothing decoded */
	CHECK_U64(0, cfg_read(EDU, 0x10, 4));
	CHECK_U64(0, m.mmio.nr - 1); /* only ECAM is left */
	CHECK_U64(2, m.pio.nr);
}

static void edu_w(uint64_t off, uint64_t v)
{
	iospace_write(&m.mmio, 0xc0000000 + off, v, 8);
}

static uint64_t edu_r(uint64_t off)
{
	return iospace_read(&m.mmio, 0xc0000000 + off, 8);
}

static void dma(uint64_t src, uint64_t dst, uint64_t count, uint64_t cmd)
{
	edu_w(0x80, src);
	edu_w(0x88, dst);
	edu_w(0x90, count);
	edu_w(0x98, cmd);
}

static void test_edu(void)
{
	cfg_write(EDU, 0x10, 0xc0000000, 4);
	cfg_write(EDU, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	CHECK_U64(0xffffffffffffffffULL, edu_r(0)); /* below 0x80 only dwords */
	iospace_write(&m.mmio, 0xc0000004, 0x0f0f0f0f, 4);
	CHECK_U64(0xf0f0f0f0, iospace_read(&m.mmio, 0xc0000004, 4));
	iospace_write(&m.mmio, 0xc0000008, 12, 4);
	CHECK_U64(479001600, iospace_read(&m.mmio, 0xc0000008, 4));
	CHECK_U64(0, iospace_read(&m.mmio, 0xc0000024, 4)); /* no irq bit in status: none */

	memcpy(m.mem.base + 0x1000, "hello, edu", 11);
	dma(0x1000, 0x40000, 11, 1); /* without bus mastering: refused */
	CHECK_U64(EDU_DMA_ERROR, edu_r(0x98));
	cfg_write(EDU, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	dma(0x1000, 0x40000, 11, 1);
	CHECK_U64(0, edu_r(0x98));
	dma(0x40000, 0x2000, 11, 3 | 4); /* to RAM, with an interrupt */
	CHECK_U64(2 | 4, edu_r(0x98));	 /* run cleared */
	CHECK_STR("hello, edu", (char *)m.mem.base + 0x2000);
	CHECK_U64(0x100, iospace_read(&m.mmio, 0xc0000024, 4));
	CHECK_U64(PCI_STATUS_INTERRUPT, cfg_read(EDU, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	iospace_write(&m.mmio, 0xc0000064, 0x100, 4);
	CHECK_U64(0, cfg_read(EDU, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);

	dma(0x40000, RAM - 4, 11, 3); /* past RAM's end */
	CHECK_U64(2 | EDU_DMA_ERROR, edu_r(0x98));
	dma(0x40000, 0x3000, 4097, 3); /* longer than the buffer */
	CHECK_U64(2 | EDU_DMA_ERROR, edu_r(0x98));
	dma(0x40ff0, 0x3000, 0x20, 3); /* past the buffer's end */
	CHECK_U64(2 | EDU_DMA_ERROR, edu_r(0x98));
	dma(0x3fff0, 0x3000, 0x20, 3); /* before its start */
	CHECK_U64(2 | EDU_DMA_ERROR, edu_r(0x98));
	dma(0xffffffffffffffffULL, 0x40000, 0xffffffffffffffffULL, 1);
	CHECK_U64(EDU_DMA_ERROR, edu_r(0x98));
	CHECK_U64(0x5a, m.mem.base[0x3000]); /* untouched by the refused transfers */
}

/* A host bridge that cannot claim its data ports leaves nothing claimed (its realize fails). */
static void test_create_failure(void)
{
	struct machine other = { .vm_fd = -1 };
	struct pci_host *h = NULL;

	iospace_init(&other.pio, "io", 0x10000);
	iospace_init(&other.mmio, "memory", 0);
	CHECK_U64(0,
		  iospace_register(&other.pio, "taken", PCI_CONFIG_DATA_PORT, 1, NULL, NULL, NULL));
	CHECK_U64((uint64_t)-EEXIST, pci_host_create(&other, &h));
	CHECK(h == NULL);
	CHECK(iospace_find(&other.pio, PCI_CONFIG_ADDR_PORT) == NULL);
	CHECK_U64(1, other.pio.nr);
	CHECK_U64(0, other.mmio.nr);
}

int main(void)
{
	test_create_failure();
	setup();
	test_mechanisms();
	test_config_rules();
	test_bars();
	test_hostile_bars();
	test_edu();
	pci_host_free(m.pci);
	free(m.mem.base);
	return check_report("pci");
}
