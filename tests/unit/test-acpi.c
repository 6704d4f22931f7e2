/* Unit test: the ACPI tables (checksums, lengths, pointers, MADT entries per vCPU, FADT, AML). */
#include <errno.h>
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vmm/acpi.h"
#include "vmm/dev/pci.h"
#include "vmm/dev/power.h"

#define BASE 0xe0000u

static uint8_t buf[ACPI_TABLES_MAX];

static uint64_t get(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* A table by guest-physical address, its header checked (inside the buffer, checksum zero). */
static const uint8_t *table(uint64_t gpa, const char *sig, int used)
{
	const uint8_t *t;
	uint32_t len;

	CHECK(gpa >= BASE && gpa + 36 <= BASE + (uint64_t)used);
	if (gpa < BASE || gpa + 36 > BASE + (uint64_t)used)
		return NULL;
	t = buf + (gpa - BASE);
	len = (uint32_t)get(t + 4, 4);
	CHECK(!memcmp(t, sig, 4));
	CHECK(gpa + len <= BASE + (uint64_t)used);
	CHECK_U64(0, sum(t, len));
	CHECK(!memcmp(t + 10, "TINYVM", 6));
	return t;
}

static void check_madt(const uint8_t *madt, int cpus)
{
	uint32_t len = (uint32_t)get(madt + 4, 4);
	const uint8_t *e = madt + 44, *end = madt + len;
	int lapics = 0, ioapics = 0, isos = 0, nmis = 0;

	CHECK_U64(0xfee00000, get(madt + 36, 4));
	CHECK_U64(44 + 8 * cpus + 12 + 10 + 6, len);
	while (e < end) {
		CHECK(e[1] >= 2 && e + e[1] <= end);
		if (e[1] < 2 || e + e[1] > end)
			break;
		switch (e[0]) {
		case 0:
			CHECK_U64(8, e[1]);
			CHECK_U64(lapics, e[2]); /* processor UID */
			CHECK_U64(lapics, e[3]); /* APIC ID = vCPU index */
			CHECK_U64(1, get(e + 4, 4));
			lapics++;
			break;
		case 1:
			CHECK_U64(12, e[1]);
			CHECK_U64(0xfec00000, get(e + 4, 4));
			CHECK_U64(0, get(e + 8, 4));
			ioapics++;
			break;
		case 2:
			CHECK_U64(10, e[1]);
			CHECK_U64(0, e[3]);	     /* IRQ 0 */
			CHECK_U64(2, get(e + 4, 4)); /* -> GSI 2 */
			isos++;
			break;
		case 4:
			CHECK_U64(6, e[1]);
			CHECK_U64(1, e[5]); /* LINT1 */
			nmis++;
			break;
		default:
			CHECK(!"unexpected MADT entry");
		}
		e += e[1];
	}
	CHECK_U64(cpus, lapics);
	CHECK_U64(1, ioapics);
	CHECK_U64(1, isos);
	CHECK_U64(1, nmis);
}

static void check_fadt(const uint8_t *fadt, int used)
{
	const uint8_t *dsdt, *aml;
	uint32_t len;

	CHECK_U64(ACPI_FADT_LEN, get(fadt + 4, 4));
	CHECK_U64(6, fadt[8]);
	CHECK(get(fadt + 112, 4) & (1u << 20)); /* hardware-reduced */
	CHECK(get(fadt + 112, 4) & (1u << 10)); /* reset register supported */
	CHECK_U64(1, fadt[116]);		/* reset register: system I/O */
	CHECK_U64(8, fadt[117]);
	CHECK_U64(POWER_RESET_REG, get(fadt + 120, 8));
	CHECK_U64(POWER_RESET_VALUE, fadt[128]);
	CHECK_U64(POWER_SLEEP_CTL, get(fadt + 244 + 4, 8));
	CHECK_U64(POWER_SLEEP_STS, get(fadt + 256 + 4, 8));
	CHECK_U64(get(fadt + 40, 4), get(fadt + 140, 8)); /* DSDT == X_DSDT */
	dsdt = table(get(fadt + 140, 8), "DSDT", used);
	if (!dsdt)
		return;
	len = (uint32_t)get(dsdt + 4, 4);
	aml = dsdt + 36;
	CHECK_U64(0x10, aml[0]); /* Scope(\_SB) first */
	CHECK(memmem(aml, len - 36, "_S5_", 4) != NULL);
	CHECK(memmem(aml, len - 36, "ACPI0013", 8) != NULL);		 /* the GED */
	CHECK(memmem(aml, len - 36, "\x0c\x41\xd0\x0c\x0c", 5) != NULL); /* EisaId PNP0C0C */
	CHECK(memmem(aml, len - 36, "\x0c\x41\xd0\x05\x01", 5) != NULL); /* EisaId PNP0501 */
	CHECK(memmem(aml, len - 36, "_EVT", 4) != NULL);
	CHECK(memmem(aml, len - 36, "PCI0", 4) != NULL);
	CHECK(memmem(aml, len - 36, "\x0c\x41\xd0\x0a\x08", 5) != NULL); /* EisaId PNP0A08 */
	CHECK(memmem(aml, len - 36, "\x0c\x41\xd0\x0a\x03", 5) != NULL); /* EisaId PNP0A03 */
	/* _PRT's entry for slot 4, INTA: Package(4) { 0x0004ffff, 0, Zero, GSI } */
	CHECK(memmem(aml, len - 36, "\x04\x0c\xff\xff\x04\x00\x0a\x00\x00\x0a", 10) != NULL);
	/* the MMIO window in _CRS: minimum and maximum */
	CHECK(memmem(aml, len - 36, "\x00\x00\x00\xc0\xff\xff\xff\xdf", 8) != NULL);
}

static void check_mcfg(const uint8_t *mcfg)
{
	CHECK_U64(60, get(mcfg + 4, 4));
	CHECK_U64(PCI_ECAM_BASE, get(mcfg + 44, 8));
	CHECK_U64(0, get(mcfg + 52, 2)); /* segment 0 */
	CHECK_U64(0, mcfg[54]);		 /* buses 0 to 0 */
	CHECK_U64(0, mcfg[55]);
}

static void check_tables(int cpus)
{
	const uint8_t *xsdt, *fadt = NULL, *madt = NULL, *mcfg = NULL;
	int used = acpi_build(buf, sizeof(buf), BASE, cpus);
	uint32_t i, n;

	CHECK(used > 0);
	if (used <= 0)
		return;
	CHECK(!memcmp(buf, "RSD PTR ", 8));
	CHECK_U64(0, sum(buf, 20));
	CHECK_U64(0, sum(buf, 36));
	CHECK_U64(2, buf[15]);
	CHECK_U64(36, get(buf + 20, 4));
	xsdt = table(get(buf + 24, 8), "XSDT", used);
	if (!xsdt)
		return;
	n = ((uint32_t)get(xsdt + 4, 4) - 36) / 8;
	CHECK_U64(3, n);
	for (i = 0; i < n; i++) {
		uint64_t gpa = get(xsdt + 36 + 8 * i, 8);
		const uint8_t *t =
			gpa >= BASE && gpa < BASE + (uint64_t)used ? buf + gpa - BASE : NULL;

		if (t && !memcmp(t, "FACP", 4))
			fadt = table(gpa, "FACP", used);
		else if (t && !memcmp(t, "APIC", 4))
			madt = table(gpa, "APIC", used);
		else if (t && !memcmp(t, "MCFG", 4))
			mcfg = table(gpa, "MCFG", used);
	}
	CHECK(fadt && madt && mcfg);
	if (mcfg)
		check_mcfg(mcfg);
	if (fadt)
		check_fadt(fadt, used);
	if (madt)
		check_madt(madt, cpus);
}

int main(void)
{
	static const int counts[] = { 1, 2, 4, 17, 64 };
	size_t i;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		check_tables(counts[i]);
	CHECK_U64((uint64_t)-EINVAL, (uint64_t)acpi_build(buf, sizeof(buf), BASE, 0));
	CHECK_U64((uint64_t)-EINVAL, (uint64_t)acpi_build(buf, sizeof(buf), BASE, 65));
	CHECK_U64((uint64_t)-EINVAL, (uint64_t)acpi_build(buf, sizeof(buf), BASE + 4, 1));
	CHECK_U64((uint64_t)-ENOSPC, (uint64_t)acpi_build(buf, 100, BASE, 1));
	CHECK_U64((uint64_t)-ENOSPC, (uint64_t)acpi_build(buf, 600, BASE, 64));
	CHECK_U64(0, acpi_checksum("", 0));
	CHECK_U64(0xff, acpi_checksum("\x01", 1));
	return check_report("acpi");
}
