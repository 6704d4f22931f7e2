/* QEMU's educational PCI device (1234:11e8): MMIO registers, factorial, interrupts, DMA. */
#include "vmm/dev/edu.h"

#include <stdlib.h>
#include <string.h>

#include "vmm/machine.h"
#include "vmm/object.h"

/* Registers of BAR 0 (QEMU's docs/specs/edu.rst) */
#define REG_ID	       0x00
#define REG_LIVENESS   0x04
#define REG_FACTORIAL  0x08
#define REG_STATUS     0x20
#define REG_IRQ_STATUS 0x24
#define REG_IRQ_RAISE  0x60
#define REG_IRQ_ACK    0x64
#define REG_DMA_SRC    0x80
#define REG_DMA_DST    0x88
#define REG_DMA_COUNT  0x90
#define REG_DMA_CMD    0x98

#define EDU_ID	       0x010000edu /* version 1.0 */
#define STATUS_IRQFACT 0x80
#define IRQ_FACTORIAL  0x001
#define IRQ_DMA	       0x100
#define DMA_RUN	       0x01
#define DMA_TO_RAM     0x02
#define DMA_IRQ	       0x04
#define DMA_BUF_START  0x40000 /* the device's buffer, in the DMA engine's address space */
#define DMA_BUF_SIZE   4096
#define DMA_MASK       ((1ULL << 28) - 1) /* QEMU's default dma_mask: 28 bits */
#define EDU_BAR_SIZE   (1u << 20)

struct edu {
	struct pci_device pci;
	uint32_t liveness, fact, status, irq_status;
	uint64_t dma_src, dma_dst, dma_count, dma_cmd;
	uint8_t buf[DMA_BUF_SIZE];
};

static uint32_t factorial(uint32_t n)
{
	uint32_t r = 1;

	while (n > 1) /* wraps modulo 2^32 as QEMU's */
		r *= n--;
	return r;
}

static void raise_irq(struct edu *e, uint32_t bits)
{
	e->irq_status |= bits;
	if (e->irq_status)
		pci_set_irq(&e->pci, true);
}

static void ack_irq(struct edu *e, uint32_t bits)
{
	e->irq_status &= ~bits;
	if (!e->irq_status)
		pci_set_irq(&e->pci, false);
}

/* Whether [addr, addr+len) lies in the device's buffer. */
static bool in_buffer(uint64_t addr, uint64_t len)
{
	return addr >= DMA_BUF_START && len <= DMA_BUF_SIZE &&
	       addr - DMA_BUF_START <= DMA_BUF_SIZE - len;
}

/* One transfer, at once: refused (EDU_DMA_ERROR) when bus mastering is off or an address is
 * outside the buffer or guest RAM; guest RAM is never touched outside the transfer. */
static void dma_run(struct edu *e)
{
	const struct guest_mem *mem = &e->pci.bus->m->mem;
	uint64_t n = e->dma_count, ram, dev;
	bool to_ram = e->dma_cmd & DMA_TO_RAM, ok;

	ram = (to_ram ? e->dma_dst : e->dma_src) & DMA_MASK;
	dev = to_ram ? e->dma_src : e->dma_dst;
	ok = pci_bus_master(&e->pci) && in_buffer(dev, n);
	if (ok && to_ram)
		ok = guest_mem_write(mem, ram, e->buf + (dev - DMA_BUF_START), n);
	else if (ok)
		ok = guest_mem_read(mem, ram, e->buf + (dev - DMA_BUF_START), n);
	e->dma_cmd &= ~(uint64_t)(DMA_RUN | EDU_DMA_ERROR);
	if (!ok)
		e->dma_cmd |= EDU_DMA_ERROR;
	if (e->dma_cmd & DMA_IRQ)
		raise_irq(e, IRQ_DMA);
}

static uint64_t edu_read(void *opaque, uint64_t off, unsigned size)
{
	struct edu *e = opaque;

	if ((off < 0x80 && size != 4) || (off >= 0x80 && size != 4 && size != 8))
		return ~0ULL;
	switch (off) {
	case REG_ID:
		return EDU_ID;
	case REG_LIVENESS:
		return e->liveness;
	case REG_FACTORIAL:
		return e->fact;
	case REG_STATUS:
		return e->status;
	case REG_IRQ_STATUS:
		return e->irq_status;
	case REG_DMA_SRC:
		return e->dma_src;
	case REG_DMA_DST:
		return e->dma_dst;
	case REG_DMA_COUNT:
		return e->dma_count;
	case REG_DMA_CMD:
		return e->dma_cmd;
	}
	return ~0ULL;
}

static void edu_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct edu *e = opaque;

	if ((off < 0x80 && size != 4) || (off >= 0x80 && size != 4 && size != 8))
		return;
	switch (off) {
	case REG_LIVENESS:
		e->liveness = ~(uint32_t)val;
		break;
	case REG_FACTORIAL: /* computed at once: the "computing" status bit is never seen set */
		e->fact = factorial((uint32_t)val);
		if (e->status & STATUS_IRQFACT)
			raise_irq(e, IRQ_FACTORIAL);
		break;
	case REG_STATUS:
		e->status = (uint32_t)val & STATUS_IRQFACT;
		break;
	case REG_IRQ_RAISE:
		raise_irq(e, (uint32_t)val);
		break;
	case REG_IRQ_ACK:
		ack_irq(e, (uint32_t)val);
		break;
	case REG_DMA_SRC:
		e->dma_src = val;
		break;
	case REG_DMA_DST:
		e->dma_dst = val;
		break;
	case REG_DMA_COUNT:
		e->dma_count = val;
		break;
	case REG_DMA_CMD:
		e->dma_cmd = val;
		if (val & DMA_RUN)
			dma_run(e);
		break;
	}
}

static void edu_reset(struct pci_device *d)
{
	struct edu *e = (struct edu *)d;

	e->liveness = e->fact = e->status = e->irq_status = 0;
	e->dma_src = e->dma_dst = e->dma_count = e->dma_cmd = 0;
	memset(e->buf, 0, sizeof(e->buf));
}

static void edu_free(struct pci_device *d)
{
	free(d);
}

struct pci_device *edu_create(void)
{
	struct edu *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->pci.type = "edu";
	e->pci.id = "";
	e->pci.opaque = e;
	e->pci.reset = edu_reset;
	e->pci.free = edu_free;
	/* class 0x00ff00: QEMU's PCI_CLASS_OTHERS in the class word (info pci: "Class 0255") */
	pci_config_init(&e->pci, 0x1234, 0x11e8, 0x10, 0x00ff00, 1);
	pci_add_bar(&e->pci, 0, PCI_BAR_MEM32, EDU_BAR_SIZE, "edu-mmio", edu_read, edu_write);
	pci_add_msi(&e->pci);
	return &e->pci;
}

static bool realize(struct object *o, struct machine *m, char *err, size_t errlen)
{
	return pci_device_realize(o, m, edu_create(), err, errlen);
}

/* Reset with its bus (the host bridge's reset). */
const struct object_type edu_type = { .name = "edu",
				      .parent = "pci-device",
				      .category = "Misc",
				      .realize = realize,
				      .unrealize = pci_device_unrealize };
