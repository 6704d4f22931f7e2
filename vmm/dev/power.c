/* ACPI power device: sleep control/status (S5 poweroff), reset register, GED power button. */
#include "vmm/dev/power.h"

#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vmm/machine.h"
#include "vmm/qdev.h"

#define SLP_EN	      0x20
#define SLP_TYP_SHIFT 2
#define SLP_TYP_MASK  0x7

static uint64_t power_read(void *opaque, uint64_t off, unsigned size)
{
	return 0; /* sleep status: no wake event; the others read as zero */
}

static void power_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	struct machine *m = opaque;

	switch (POWER_PORT_BASE + off) {
	case POWER_SLEEP_CTL:
		if ((value & SLP_EN) &&
		    ((value >> SLP_TYP_SHIFT) & SLP_TYP_MASK) == POWER_SLP_TYP_S5)
			vm_request_shutdown(m, true, SHUTDOWN_CAUSE_GUEST_SHUTDOWN, 0);
		break; /* other sleep states are not offered (\_S5 only) */
	case POWER_RESET_REG:
		if ((value & 0xff) == POWER_RESET_VALUE)
			vm_request_reset(m, true, SHUTDOWN_CAUSE_GUEST_RESET);
		break;
	default:
		break;
	}
}

/* system_powerdown presses the button; the GED's interrupt is edge-triggered: one pulse. */
static void on_vm_event(void *opaque, enum vm_event ev, bool guest, ShutdownCause cause)
{
	struct machine *m = opaque;
	struct kvm_irq_level line = { .irq = POWER_GED_GSI, .level = 1 };

	if (ev != VM_EVENT_POWERDOWN)
		return;
	ioctl(m->vm_fd, KVM_IRQ_LINE, &line);
	line.level = 0;
	ioctl(m->vm_fd, KVM_IRQ_LINE, &line);
}

/* The ports, and system_powerdown pressing the button; ged-event is QEMU's (the GED's events) */
static bool realize(struct object *o, struct machine *m, char *err, size_t errlen)
{
	if (!qdev_claim(o, &m->pio, "acpi-power", POWER_PORT_BASE, POWER_NR_PORTS, power_read,
			power_write, m, err, errlen))
		return false;
	machine_add_listener(m, on_vm_event, m);
	return true;
}

static const struct prop_def acpi_ged_props[] = { PROP_UINT32("ged-event", 0, 1), { 0 } };
const struct object_type acpi_ged_type = { .name = "acpi-ged",
					   .parent = "sys-bus-device",
					   .props = acpi_ged_props,
					   .board_only = true,
					   /* its registers are ports, which info qtree
					    * does not list (QEMU's are MMIO) */
					   .qtree_gpio = "gpio-out \"sysbus-irq\" 1",
					   .realize = realize };
