/* A 16550A UART: the registers Linux's 8250 driver and polling guests use, IRQ through KVM. */
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/chardev.h"
#include "vmm/errmsg.h"
#include "vmm/machine.h"
#include "vmm/qdev.h"

#define RX_FIFO 1024

enum { REG_DATA, REG_IER, REG_IIR, REG_LCR, REG_MCR, REG_LSR, REG_MSR, REG_SCR };

#define IER_RDI	     0x01
#define IER_THRI     0x02
#define IIR_NO_INT   0x01
#define IIR_THRI     0x02
#define IIR_RDI	     0x04
#define IIR_FIFO     0xc0
#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB     0x80
#define MCR_LOOP     0x10
#define LSR_DR	     0x01
#define LSR_THRE     0x20
#define LSR_TEMT     0x40
#define MSR_IDLE     0xb0 /* DCD, DSR, CTS asserted */

struct serial {
	struct machine *m;
	struct chardev *chr;
	int irq;
	int irq_level;
	uint8_t ier, iir, lcr, mcr, scr, fcr, dll, dlm;
	int thr_ipending;
	uint8_t rx[RX_FIFO];
	unsigned rx_head, rx_count;
};

static void update_irq(struct serial *s)
{
	struct kvm_irq_level line;
	uint8_t iir = IIR_NO_INT;

	if ((s->ier & IER_RDI) && s->rx_count)
		iir = IIR_RDI;
	else if ((s->ier & IER_THRI) && s->thr_ipending)
		iir = IIR_THRI;
	s->iir = iir | ((s->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
	line.irq = (uint32_t)s->irq;
	line.level = iir == IIR_NO_INT ? 0 : 1;
	if ((int)line.level != s->irq_level) {
		s->irq_level = (int)line.level;
		ioctl(s->m->vm_fd, KVM_IRQ_LINE, &line);
	}
}

static void rx_push(struct serial *s, uint8_t c)
{
	if (s->rx_count == RX_FIFO)
		return;
	s->rx[(s->rx_head + s->rx_count) % RX_FIFO] = c;
	s->rx_count++;
}

/* The transmitter takes a byte when the backend can queue one (loopback: always). */
static bool thr_empty(const struct serial *s)
{
	return (s->mcr & MCR_LOOP) || chardev_write_room(s->chr) > 0;
}

static uint8_t msr(const struct serial *s)
{
	uint8_t m = s->mcr;

	if (!(m & MCR_LOOP))
		return MSR_IDLE;
	/* loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD (Linux probes this) */
	return (uint8_t)(((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x0c) << 4));
}

static uint64_t serial_read(void *opaque, uint64_t off, unsigned size)
{
	struct serial *s = opaque;
	uint8_t v = 0;

	switch (off) {
	case REG_DATA:
		if (s->lcr & LCR_DLAB)
			return s->dll;
		if (s->rx_count) {
			v = s->rx[s->rx_head];
			s->rx_head = (s->rx_head + 1) % RX_FIFO;
			s->rx_count--;
			if (s->rx_count == RX_FIFO / 2 || !s->rx_count)
				chardev_accept_input(s->chr); /* the host's input flows again */
		}
		update_irq(s);
		return v;
	case REG_IER:
		return (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
	case REG_IIR:
		v = s->iir;
		if ((v & 0x0f) == IIR_THRI) {
			s->thr_ipending = 0;
			update_irq(s);
		}
		return v;
	case REG_LCR:
		return s->lcr;
	case REG_MCR:
		return s->mcr;
	case REG_LSR:
		return (thr_empty(s) ? LSR_THRE | LSR_TEMT : 0) | (s->rx_count ? LSR_DR : 0);
	case REG_MSR:
		return msr(s);
	default:
		return s->scr;
	}
}

static void serial_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	struct serial *s = opaque;
	uint8_t v = (uint8_t)value;

	switch (off) {
	case REG_DATA:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
			break;
		}
		if (s->mcr & MCR_LOOP)
			rx_push(s, v);
		else
			chardev_write(s->chr, &v,
				      1);	/* dropped (and counted) when it does not fit */
		s->thr_ipending = thr_empty(s); /* else serial_writable() raises it */
		update_irq(s);
		break;
	case REG_IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
			break;
		}
		if ((v & IER_THRI) && !(s->ier & IER_THRI))
			s->thr_ipending = thr_empty(s); /* an empty THR fires at once */
		s->ier = v & 0x0f;
		update_irq(s);
		break;
	case REG_IIR: /* FCR */
		s->fcr = v & 0xc9;
		if (v & FCR_CLEAR_RX) {
			s->rx_count = 0;
			chardev_accept_input(s->chr); /* Linux clears it on open: typing goes on */
		}
		update_irq(s);
		break;
	case REG_LCR:
		s->lcr = v;
		break;
	case REG_MCR:
		s->mcr = v & 0x1f;
		break;
	case REG_SCR:
		s->scr = v;
		break;
	default:
		break;
	}
}

/* Host input, no more than serial_room() said: nothing typed is lost. */
static void serial_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct serial *s = opaque;
	size_t i;

	for (i = 0; i < len; i++)
		rx_push(s, buf[i]);
	update_irq(s);
}

static size_t serial_room(void *opaque)
{
	const struct serial *s = opaque;

	return RX_FIFO - s->rx_count;
}

/* Output that did not fit has room again: THR is empty. */
static void serial_writable(void *opaque)
{
	struct serial *s = opaque;

	s->thr_ipending = 1;
	update_irq(s);
}

static const struct chardev_frontend serial_frontend = { .input = serial_input,
							 .room = serial_room,
							 .writable = serial_writable };

static void serial_reset(struct object *o)
{
	struct serial *s = o->state;

	s->ier = s->lcr = s->mcr = s->scr = s->fcr = s->dlm = 0;
	s->dll = 0x0c; /* 9600 baud */
	s->thr_ipending = 0;
	s->rx_head = s->rx_count = 0;
	update_irq(s);
	chardev_accept_input(s->chr);
}

/* QEMU's isa-serial: index, iobase and irq at -1 take the next COM port's (COM1 0x3f8 IRQ 4...). */
static const uint32_t com_iobase[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static const uint32_t com_irq[] = { 4, 3, 4, 3 };

static void count_serial(struct object *o, int *n)
{
	for (; o; o = o->next) {
		*n += object_type_is(o->type, "isa-serial") && object_is_realized(o);
		count_serial(o->children, n);
	}
}

/* The chardev is the machine's (-serial's, -chardev's), the rest the device's (o->state). */
static bool serial_realize(struct object *o, struct machine *m, char *err, size_t errlen)
{
	const char *label = object_get_str(o, "chardev");
	uint64_t index = object_get_uint(o, "index");
	struct chardev *chr = NULL;
	struct serial *s;
	int n = 0;

	if (index == UINT32_MAX) {
		count_serial(object_root(), &n);
		index = (uint64_t)n;
	}
	if (index >= sizeof(com_iobase) / sizeof(com_iobase[0]))
		return errmsg(err, errlen, "Max. supported number of ISA serial ports is %zu.",
			      sizeof(com_iobase) / sizeof(com_iobase[0]));
	object_set_uint(o, "index", index);
	if (object_get_uint(o, "iobase") == UINT32_MAX)
		object_set_uint(o, "iobase", com_iobase[index]);
	if (object_get_uint(o, "irq") == UINT32_MAX)
		object_set_uint(o, "irq", com_irq[index]);
	if (object_get_uint(o, "irq") >= 16)
		return errmsg(err, errlen, "Maximum value for \"irq\" is: %u", 15);
	/* QEMU's message names the inner "serial" object */
	if (*label && !(chr = machine_chardev_take(m, label, "serial", err, errlen)))
		return false;
	s = calloc(1, sizeof(*s));
	if (!s)
		snprintf(err, errlen, "Out of memory");
	if (!s || !qdev_claim(o, &m->pio, "serial", object_get_uint(o, "iobase"), 8, serial_read,
			      serial_write, s, err, errlen)) {
		free(s);
		machine_chardev_release(m, chr);
		return false;
	}
	s->m = m;
	s->chr = chr;
	s->irq = (int)object_get_uint(o, "irq");
	s->irq_level = -1;
	o->state = s;
	if (chr)
		chardev_set_frontend(chr, &serial_frontend, s);
	serial_reset(o);
	return true;
}

static void serial_unrealize(struct object *o, struct machine *m)
{
	struct serial *s = o->state;

	if (s->chr)
		chardev_set_frontend(s->chr, NULL, NULL);
	machine_chardev_release(m, s->chr);
	free(s);
}

/* Properties in QEMU's order and with its defaults; wakeup, chardev and baudbase are QEMU's aliases
 * to its inner serial object's (not in info qtree). */
static const struct prop_def isa_serial_props[] = {
	PROP_UINT32("irq", UINT32_MAX, 3),
	PROP_UINT32("index", UINT32_MAX, 1),
	PROP_UINT32("iobase", UINT32_MAX, 2),
	PROP_BOOL("wakeup", false, 0),
	PROP_CHARDEV("chardev", 0),
	PROP_UINT32("baudbase", 115200, 0),
	{ 0 },
};
const struct object_type isa_serial_type = { .name = "isa-serial",
					     .parent = "isa-device",
					     .category = "Input",
					     .props = isa_serial_props,
					     .realize = serial_realize,
					     .unrealize = serial_unrealize,
					     .reset = serial_reset };
