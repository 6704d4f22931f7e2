/* ACPI tables for Linux: RSDP, XSDT, FADT (hardware-reduced), MADT, MCFG, DSDT, into a buffer. */
#ifndef VMM_ACPI_H
#define VMM_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_TABLES_MAX	  8192 /* enough for CONFIG_MAX_VCPUS local APICs */
#define ACPI_IOAPIC_ADDR  0xfec00000u
#define ACPI_LAPIC_ADDR	  0xfee00000u
#define ACPI_RSDP_LEN	  36
#define ACPI_HEADER_LEN	  36
#define ACPI_FADT_LEN	  276 /* revision 6 */
#define ACPI_RESET_OFFSET 116 /* FADT RESET_REG (a generic address) */

/* Builds the tables into buf, which the guest sees at guest-physical base (16-byte aligned): the
 * RSDP first, at base, then XSDT, FADT, MADT (one local APIC per vCPU, the IO-APIC, IRQ0 ->
 * GSI2), MCFG (ECAM of bus 0) and DSDT (COM1, the power button, a GED, the PCI root bridge with
 * its windows and _PRT, \_S5). Returns the bytes used, or -EINVAL for
 * a bad vCPU count or base, -ENOSPC when buf is too small. */
int acpi_build(uint8_t *buf, size_t size, uint64_t base, int nr_cpus);

/* The byte that makes the sum of len bytes at p zero. */
uint8_t acpi_checksum(const void *p, size_t len);

#endif
