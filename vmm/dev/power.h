/* ACPI power device: sleep control/status (S5 poweroff), reset register, GED power button. */
#ifndef VMM_DEV_POWER_H
#define VMM_DEV_POWER_H

/* The hardware contract the ACPI tables (vmm/acpi.c) describe to the guest. */
#define POWER_PORT_BASE	  0x600
#define POWER_SLEEP_CTL	  0x600 /* FADT SLEEP_CONTROL_REG: SLP_EN (bit 5) + SLP_TYP (bits 4:2) */
#define POWER_SLEEP_STS	  0x601 /* FADT SLEEP_STATUS_REG: reads 0 (no wake status) */
#define POWER_RESET_REG	  0x602 /* FADT RESET_REG */
#define POWER_NR_PORTS	  3
#define POWER_RESET_VALUE 0x42
#define POWER_SLP_TYP_S5  5 /* the value the DSDT's \_S5 package gives */
#define POWER_GED_GSI	  9 /* the GED's edge-triggered interrupt: a power-button press */

#endif
