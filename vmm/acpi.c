/* ACPI tables for Linux: RSDP, XSDT, FADT (hardware-reduced), MADT, MCFG, DSDT, into a buffer. */
#include "vmm/acpi.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "vmm/config.h"
#include "vmm/le.h"
#include "vmm/dev/pci.h"
#include "vmm/dev/power.h"

#define COM1_PORT 0x3f8
#define COM1_IRQ  4

/* FADT fields (ACPI 6.0, table 5-33) */
#define FADT_DSDT	   40
#define FADT_BOOT_ARCH	   109
#define FADT_FLAGS	   112
#define FADT_RESET_VALUE   128
#define FADT_X_DSDT	   140
#define FADT_SLEEP_CONTROL 244
#define FADT_SLEEP_STATUS  256
#define FADT_HYPERVISOR_ID 268
#define BOOT_ARCH_NO_VGA   (1u << 2)
#define BOOT_ARCH_NO_CMOS  (1u << 5)
#define FLAG_WBINVD	   (1u << 0)
#define FLAG_PWR_BUTTON	   (1u << 4) /* a control-method power button (the GED's), not fixed */
#define FLAG_SLP_BUTTON	   (1u << 5)
#define FLAG_RESET_REG_SUP (1u << 10)
#define FLAG_HW_REDUCED	   (1u << 20)
#define GAS_SYSTEM_IO	   1
#define GAS_ACCESS_BYTE	   1
#define MADT_PCAT_COMPAT   1u
#define MADT_LAPIC	   0
#define MADT_IOAPIC	   1
#define MADT_ISO	   2
#define MADT_LAPIC_NMI	   4
#define AML_MAX		   4096 /* the PCI root bridge's _PRT is most of it */
#define MCFG_LEN	   (ACPI_HEADER_LEN + 8 + 16)

struct tbuf {
	uint8_t *p;
	size_t size, len;
};

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *b++);
	return (uint8_t)-sum;
}

/* Reserves len bytes (zeroed, 16-byte aligned) and returns their offset, or -1 when full. */
static long reserve(struct tbuf *t, size_t len)
{
	size_t off = (t->len + 15) & ~(size_t)15;

	if (off > t->size || len > t->size - off)
		return -1;
	memset(t->p + off, 0, len);
	t->len = off + len;
	return (long)off;
}

static void header(uint8_t *h, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(h, sig, 4);
	le_put(h + 4, len, 4);
	h[8] = rev;
	memcpy(h + 10, "TINYVM", 6);
	memcpy(h + 16, "TINYVMM ", 8);
	memcpy(h + 16 + 4, sig, 4); /* OEM table id: "TINY" + signature */
	le_put(h + 24, 1, 4);
	memcpy(h + 28, "TVMM", 4);
	le_put(h + 32, 1, 4);
}

static void finish(uint8_t *h)
{
	uint32_t len =
		(uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;

	h[9] = 0;
	h[9] = acpi_checksum(h, len);
}

static void gas_io8(uint8_t *g, uint16_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = 8; /* bit width */
	g[2] = 0; /* bit offset */
	g[3] = GAS_ACCESS_BYTE;
	le_put(g + 4, port, 8);
}

/* --- AML: just enough to describe the devices, hand-assembled --- */

struct aml {
	uint8_t b[AML_MAX];
	size_t len;
	size_t open[8];
	int depth;
	bool overflow;
};

static void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (n > sizeof(a->b) - a->len) {
		a->overflow = true;
		return;
	}
	memcpy(a->b + a->len, p, n);
	a->len += n;
}

static void aml_byte(struct aml *a, uint8_t v)
{
	aml_bytes(a, &v, 1);
}

/* An opcode followed by a PkgLength (always the 3-byte form, patched at aml_close). */
static void aml_open(struct aml *a, const uint8_t *op, size_t oplen)
{
	static const uint8_t pkglen[3];

	aml_bytes(a, op, oplen);
	if (a->depth == (int)(sizeof(a->open) / sizeof(a->open[0]))) {
		a->overflow = true;
		return;
	}
	a->open[a->depth++] = a->len;
	aml_bytes(a, pkglen, sizeof(pkglen));
}

static void aml_close(struct aml *a)
{
	size_t at, n;

	if (a->depth == 0 || a->overflow) {
		a->overflow = true;
		return;
	}
	at = a->open[--a->depth];
	n = a->len - at; /* a PkgLength counts itself */
	a->b[at] = (uint8_t)(0x80 | (n & 0x0f));
	a->b[at + 1] = (uint8_t)(n >> 4);
	a->b[at + 2] = (uint8_t)(n >> 12);
}

static void aml_device(struct aml *a, const char *name)
{
	static const uint8_t op[] = { 0x5b, 0x82 }; /* DeviceOp */

	aml_open(a, op, sizeof(op));
	aml_bytes(a, name, 4);
}

static void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, 0x08); /* NameOp */
	aml_bytes(a, name, 4);
}

/* EisaId("PNPxxxx"): three 5-bit letters and four hex digits, stored big-endian. */
static void aml_eisa_id(struct aml *a, const char *id)
{
	uint32_t v = (uint32_t)(id[0] - 0x40) << 26 | (uint32_t)(id[1] - 0x40) << 21 |
		     (uint32_t)(id[2] - 0x40) << 16;
	int i;

	for (i = 3; i < 7; i++) {
		char c = id[i];

		v |= (uint32_t)(c <= '9' ? c - '0' : c - 'A' + 10) << (4 * (6 - i));
	}
	aml_byte(a, 0x0c); /* DWordPrefix */
	aml_byte(a, (uint8_t)(v >> 24));
	aml_byte(a, (uint8_t)(v >> 16));
	aml_byte(a, (uint8_t)(v >> 8));
	aml_byte(a, (uint8_t)v);
}

/* Name(_CRS, Buffer() { descriptors..., EndTag }) */
static void aml_crs(struct aml *a, const uint8_t *desc, size_t n)
{
	static const uint8_t end_tag[] = { 0x79, 0x00 };
	static const uint8_t buffer_op = 0x11;

	aml_name(a, "_CRS");
	aml_open(a, &buffer_op, 1);
	aml_byte(a, 0x0a); /* BytePrefix: the buffer size */
	aml_byte(a, (uint8_t)(n + sizeof(end_tag)));
	aml_bytes(a, desc, n);
	aml_bytes(a, end_tag, sizeof(end_tag));
	aml_close(a);
}

static void aml_dword(struct aml *a, uint32_t v)
{
	uint8_t b[5] = { 0x0c, (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	aml_bytes(a, b, sizeof(b));
}

/* Word address space descriptor (ACPI 6.0, 6.4.3.5.3): a bus number or I/O range the bridge
 * decodes (producer, fixed minimum and maximum). */
static size_t word_space(uint8_t *d, uint8_t type, uint16_t min, uint16_t max)
{
	static const uint8_t head[] = { 0x88, 0x0d, 0x00 };

	memcpy(d, head, sizeof(head));
	d[3] = type;			/* 1: I/O, 2: bus numbers */
	d[4] = 0x0c;			/* MinFixed, MaxFixed, producer */
	d[5] = type == 1 ? 0x03 : 0x00; /* I/O: EntireRange */
	le_put(d + 6, 0, 2);		/* granularity */
	le_put(d + 8, min, 2);
	le_put(d + 10, max, 2);
	le_put(d + 12, 0, 2);		   /* translation */
	le_put(d + 14, max - min + 1u, 2); /* length */
	return 16;
}

/* The root bridge's windows: bus 0, the config ports, I/O around them, the BARs' MMIO window. */
static size_t pci_crs(uint8_t *d)
{
	static const uint8_t conf_io[] = { 0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08 };
	size_t n = word_space(d, 2, 0, 0);

	memcpy(d + n, conf_io, sizeof(conf_io)); /* IO(Decode16, 0xcf8, 0xcf8, 1, 8) */
	n += sizeof(conf_io);
	n += word_space(d + n, 1, 0x0000, 0x0cf7);
	n += word_space(d + n, 1, 0x0d00, 0xffff);
	d[n] = 0x87; /* DWordMemory(ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, RW)
		      */
	le_put(d + n + 1, 0x17, 2);
	d[n + 3] = 0; /* memory */
	d[n + 4] = 0x0c;
	d[n + 5] = 0x03;
	le_put(d + n + 6, 0, 4);
	le_put(d + n + 10, PCI_MMIO_BASE, 4);
	le_put(d + n + 14, PCI_MMIO_BASE + PCI_MMIO_SIZE - 1, 4);
	le_put(d + n + 18, 0, 4);
	le_put(d + n + 22, PCI_MMIO_SIZE, 4);
	return n + 26;
}

/* Device(PCI0): the root bridge, PCI Express-style (_HID PNP0A08, _CID PNP0A03, so the MCFG's
 * ECAM is used), with _PRT: pin P of slot S -> GSI pci_intx_gsi(S, P) (level, active low). */
static void build_pci_root(struct aml *a)
{
	static const uint8_t package_op = 0x12;
	uint8_t crs[128];

	aml_device(a, "PCI0");
	aml_name(a, "_HID");
	aml_eisa_id(a, "PNP0A08");
	aml_name(a, "_CID");
	aml_eisa_id(a, "PNP0A03");
	aml_name(a, "_UID");
	aml_byte(a, 0x00);
	aml_name(a, "_SEG");
	aml_byte(a, 0x00);
	aml_name(a, "_BBN");
	aml_byte(a, 0x00);
	aml_crs(a, crs, pci_crs(crs));
	aml_name(a, "_PRT");
	aml_open(a, &package_op, 1);
	aml_byte(a, 31 * 4);
	for (unsigned slot = 1; slot < 32; slot++) {
		for (unsigned pin = 1; pin <= 4; pin++) {
			aml_open(a, &package_op, 1);
			aml_byte(a, 4);
			aml_dword(a, slot << 16 | 0xffff); /* any function of the slot */
			aml_byte(a, 0x0a);
			aml_byte(a, (uint8_t)(pin - 1)); /* 0 = INTA */
			aml_byte(a, 0x00);		 /* Source: none, a GSI */
			aml_byte(a, 0x0a);
			aml_byte(a, (uint8_t)pci_intx_gsi(slot, pin));
			aml_close(a);
		}
	}
	aml_close(a); /* _PRT */
	aml_close(a); /* PCI0 */
}

static void build_aml(struct aml *a)
{
	static const uint8_t scope_op = 0x10, method_op = 0x14, package_op = 0x12;
	static const uint8_t com1_res[] = {
		0x47,
		0x01,
		COM1_PORT & 0xff,
		COM1_PORT >> 8,
		COM1_PORT & 0xff,
		COM1_PORT >> 8,
		0x01,
		0x08, /* IO(Decode16, 0x3f8, 0x3f8, 1, 8) */
		0x22,
		1u << COM1_IRQ,
		0x00, /* IRQNoFlags() {4} */
	};
	static const uint8_t ged_res[] = {
		0x89, 0x06, 0x00, 0x03, 0x01, POWER_GED_GSI, 0x00, 0x00, 0x00,
		/* Interrupt(ResourceConsumer, Edge, ActiveHigh, Exclusive) {9} */
	};
	static const uint8_t pwrb_path[] = { 0x5c, 0x2e, '_', 'S', 'B', '_', 'P', 'W', 'R', 'B' };

	aml_open(a, &scope_op, 1);
	aml_bytes(a, "\\_SB_", 5);

	aml_device(a, "COM1");
	aml_name(a, "_HID");
	aml_eisa_id(a, "PNP0501");
	aml_name(a, "_UID");
	aml_byte(a, 0x01); /* One */
	aml_crs(a, com1_res, sizeof(com1_res));
	aml_close(a);

	aml_device(a, "PWRB");
	aml_name(a, "_HID");
	aml_eisa_id(a, "PNP0C0C");
	aml_name(a, "_UID");
	aml_byte(a, 0x00); /* Zero */
	aml_close(a);

	aml_device(a, "GED0");
	aml_name(a, "_HID");
	aml_byte(a, 0x0d); /* StringPrefix */
	aml_bytes(a, "ACPI0013", 9);
	aml_name(a, "_UID");
	aml_byte(a, 0x00);
	aml_crs(a, ged_res, sizeof(ged_res));
	/* Method(_EVT, 1) { Notify(\_SB.PWRB, 0x80) }: the only event is a button press */
	aml_open(a, &method_op, 1);
	aml_bytes(a, "_EVT", 4);
	aml_byte(a, 0x01);
	aml_byte(a, 0x86); /* NotifyOp */
	aml_bytes(a, pwrb_path, sizeof(pwrb_path));
	aml_byte(a, 0x0a);
	aml_byte(a, 0x80);
	aml_close(a);
	aml_close(a); /* GED0 */

	build_pci_root(a);

	aml_close(a); /* \_SB */

	/* Name(\_S5, Package() { 5, 0 }): SLP_TYP for the sleep control register */
	aml_name(a, "_S5_");
	aml_open(a, &package_op, 1);
	aml_byte(a, 2);
	aml_byte(a, 0x0a);
	aml_byte(a, POWER_SLP_TYP_S5);
	aml_byte(a, 0x00);
	aml_close(a);
}

static long build_dsdt(struct tbuf *t)
{
	struct aml a = { .len = 0 };
	long off;

	build_aml(&a);
	if (a.overflow || a.depth)
		return -1;
	off = reserve(t, ACPI_HEADER_LEN + a.len);
	if (off < 0)
		return -1;
	header(t->p + off, "DSDT", (uint32_t)(ACPI_HEADER_LEN + a.len), 2);
	memcpy(t->p + off + ACPI_HEADER_LEN, a.b, a.len);
	finish(t->p + off);
	return off;
}

static long build_madt(struct tbuf *t, int nr_cpus)
{
	size_t len = ACPI_HEADER_LEN + 8 + 8 * (size_t)nr_cpus + 12 + 10 + 6;
	long off = reserve(t, len);
	uint8_t *h, *e;
	int i;

	if (off < 0)
		return -1;
	h = t->p + off;
	header(h, "APIC", (uint32_t)len, 4);
	le_put(h + 36, ACPI_LAPIC_ADDR, 4);
	le_put(h + 40, MADT_PCAT_COMPAT, 4);
	e = h + 44;
	for (i = 0; i < nr_cpus; i++, e += 8) {
		e[0] = MADT_LAPIC;
		e[1] = 8;
		e[2] = (uint8_t)i;   /* ACPI processor UID */
		e[3] = (uint8_t)i;   /* APIC ID: the vCPU index, as CPUID reports it */
		le_put(e + 4, 1, 4); /* enabled */
	}
	e[0] = MADT_IOAPIC;
	e[1] = 12;
	e[2] = 0; /* IO-APIC ID: KVM's reset value */
	le_put(e + 4, ACPI_IOAPIC_ADDR, 4);
	le_put(e + 8, 0, 4); /* GSI base */
	e += 12;
	e[0] = MADT_ISO; /* the PIT's IRQ 0 is wired to pin 2 */
	e[1] = 10;
	e[2] = 0; /* ISA */
	e[3] = 0;
	le_put(e + 4, 2, 4);
	le_put(e + 8, 0, 2); /* conforms to the bus: edge, active high */
	e += 10;
	e[0] = MADT_LAPIC_NMI; /* LINT1 is NMI on every CPU */
	e[1] = 6;
	e[2] = 0xff;
	le_put(e + 3, 0, 2);
	e[5] = 1;
	finish(h);
	return off;
}

/* MCFG: the ECAM window of segment 0, bus 0 (PCI Firmware 3.0, 4.1.2). */
static long build_mcfg(struct tbuf *t)
{
	long off = reserve(t, MCFG_LEN);
	uint8_t *h;

	if (off < 0)
		return -1;
	h = t->p + off;
	header(h, "MCFG", MCFG_LEN, 1);
	le_put(h + 44, PCI_ECAM_BASE, 8);
	le_put(h + 52, 0, 2); /* segment */
	h[54] = 0;	      /* first bus */
	h[55] = 0;	      /* last bus */
	finish(h);
	return off;
}

static long build_fadt(struct tbuf *t, uint64_t dsdt)
{
	long off = reserve(t, ACPI_FADT_LEN);
	uint8_t *h;

	if (off < 0)
		return -1;
	h = t->p + off;
	header(h, "FACP", ACPI_FADT_LEN, 6);
	le_put(h + FADT_DSDT, dsdt, 4);
	le_put(h + FADT_BOOT_ARCH, BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS, 2);
	le_put(h + FADT_FLAGS,
	       FLAG_WBINVD | FLAG_PWR_BUTTON | FLAG_SLP_BUTTON | FLAG_RESET_REG_SUP |
		       FLAG_HW_REDUCED,
	       4);
	gas_io8(h + ACPI_RESET_OFFSET, POWER_RESET_REG);
	h[FADT_RESET_VALUE] = POWER_RESET_VALUE;
	le_put(h + FADT_X_DSDT, dsdt, 8);
	gas_io8(h + FADT_SLEEP_CONTROL, POWER_SLEEP_CTL);
	gas_io8(h + FADT_SLEEP_STATUS, POWER_SLEEP_STS);
	memcpy(h + FADT_HYPERVISOR_ID, "tinyvmm", 8);
	finish(h);
	return off;
}

int acpi_build(uint8_t *buf, size_t size, uint64_t base, int nr_cpus)
{
	struct tbuf t = { buf, size, 0 };
	long rsdp, xsdt, fadt, madt, mcfg, dsdt;
	uint8_t *r;

	if (nr_cpus < 1 || nr_cpus > CONFIG_MAX_VCPUS || (base & 15) ||
	    base + size > 0x100000000ULL)
		return -EINVAL;
	rsdp = reserve(&t, ACPI_RSDP_LEN);
	xsdt = reserve(&t, ACPI_HEADER_LEN + 3 * 8);
	dsdt = build_dsdt(&t);
	if (rsdp < 0 || xsdt < 0 || dsdt < 0)
		return -ENOSPC;
	fadt = build_fadt(&t, base + (uint64_t)dsdt);
	madt = build_madt(&t, nr_cpus);
	mcfg = build_mcfg(&t);
	if (fadt < 0 || madt < 0 || mcfg < 0)
		return -ENOSPC;

	header(buf + xsdt, "XSDT", ACPI_HEADER_LEN + 3 * 8, 1);
	le_put(buf + xsdt + ACPI_HEADER_LEN, base + (uint64_t)fadt, 8);
	le_put(buf + xsdt + ACPI_HEADER_LEN + 8, base + (uint64_t)madt, 8);
	le_put(buf + xsdt + ACPI_HEADER_LEN + 16, base + (uint64_t)mcfg, 8);
	finish(buf + xsdt);

	r = buf + rsdp;
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "TINYVM", 6);
	r[15] = 2; /* ACPI 2.0+: the XSDT is used */
	le_put(r + 20, ACPI_RSDP_LEN, 4);
	le_put(r + 24, base + (uint64_t)xsdt, 8);
	r[8] = acpi_checksum(r, 20);
	r[32] = acpi_checksum(r, ACPI_RSDP_LEN);
	return (int)t.len;
}
