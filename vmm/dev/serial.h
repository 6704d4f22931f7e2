/* A 16550A UART: the registers Linux's 8250 driver and polling guests use, IRQ through KVM. */
#ifndef VMM_DEV_SERIAL_H
#define VMM_DEV_SERIAL_H

#include <stdint.h>

struct machine;
struct chardev;
struct serial;

/* Claims 8 ports at base and raises irq on the in-kernel irqchip; NULL on failure. */
struct serial *serial_init(struct machine *m, uint16_t base, int irq, struct chardev *chr);
/* Back to power-on state (at machine reset). */
void serial_reset(struct serial *s);
void serial_free(struct serial *s);

#endif
