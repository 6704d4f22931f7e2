/* QEMU's debug ports: isa-debugcon at 0xe9 (output) and isa-debug-exit at 0x501 (ends the VM). */
#include "vmm/dev/debug-ports.h"

#include "vmm/chardev.h"
#include "vmm/machine.h"

static uint64_t debugcon_read(void *opaque, uint64_t off, unsigned size)
{
	return DEBUGCON_PORT; /* QEMU's readback value: lets a guest detect the port */
}

static void debugcon_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	uint8_t c = (uint8_t)value;

	chardev_write(opaque, &c, 1);
}

static void exit_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	vm_request_shutdown(opaque, true, SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
			    (int)(((value << 1) | 1) & 0xff));
}

int debug_ports_init(struct machine *m, struct chardev *debugcon)
{
	int r = iospace_register(&m->pio, "isa-debugcon", DEBUGCON_PORT, 1, debugcon_read,
				 debugcon_write, debugcon);

	if (r < 0)
		return r;
	return iospace_register(&m->pio, "isa-debug-exit", DEBUG_EXIT_PORT, 2, NULL, exit_write, m);
}
