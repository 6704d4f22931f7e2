/* The keyboard controller, only as far as reset needs: 0xfe to port 0x64 resets the machine. */
#include "vmm/machine.h"
#include "vmm/qdev.h"

#define I8042_DATA_PORT	   0x60
#define I8042_COMMAND_PORT 0x64
#define CMD_PULSE_RESET	   0xfe
/* status: system flag set (self-test passed), last write was a command, keyboard not inhibited;
 * no output byte waiting (bit 0) and the input buffer empty (bit 1), so writers never wait */
#define STATUS_IDLE 0x1c

static uint64_t data_read(void *opaque, uint64_t off, unsigned size)
{
	return 0; /* no key, no controller reply */
}

static void data_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	/* keyboard commands and controller parameters are dropped */
}

static uint64_t status_read(void *opaque, uint64_t off, unsigned size)
{
	return STATUS_IDLE;
}

static void command_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	if ((value & 0xff) == CMD_PULSE_RESET)
		vm_request_reset(opaque, true, SHUTDOWN_CAUSE_GUEST_RESET);
}

static bool realize(struct object *o, struct machine *m, char *err, size_t errlen)
{
	return qdev_claim(o, &m->pio, "i8042-data", I8042_DATA_PORT, 1, data_read, data_write, m,
			  err, errlen) &&
	       qdev_claim(o, &m->pio, "i8042-cmd", I8042_COMMAND_PORT, 1, status_read,
			  command_write, m, err, errlen);
}

static const struct prop_def i8042_props[] = {
	PROP_BOOL("extended-state", true, 1),
	PROP_BOOL("kbd-throttle", false, 2),
	{ 0 },
};
const struct object_type i8042_type = { .name = "i8042",
					.parent = "isa-device",
					.category = "Input",
					.props = i8042_props,
					.qtree_gpio = "gpio-in \"ps2-mouse-input-irq\" 1\n"
						      "gpio-in \"ps2-kbd-input-irq\" 1\n"
						      "gpio-out \"\" 2\n"
						      "gpio-out \"a20\" 1",
					.realize = realize };
