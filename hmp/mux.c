/* QEMU's mux for -nographic / -serial mon:stdio: one terminal shared by the serial port and HMP. */
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"
#include "qapi-commands.h"
#include "vmm/chardev.h"

#define ESCAPE_CHAR  0x01	/* Ctrl-a */
#define MUX_HELD_MAX (64 << 10) /* guest output held while the monitor has the terminal */

struct hmp_mux {
	struct chardev *chr;
	struct chardev_mux ops;
	struct hmp_term *term;
	bool monitor; /* the monitor has the terminal */
	bool escape;  /* Ctrl-a was typed */
	char *held;
	size_t held_len;
};

static const char help[] = "\n\r"
			   "C-a h    print this help\n\r"
			   "C-a x    exit emulator\n\r"
			   "C-a c    switch between console and monitor\n\r"
			   "C-a C-a  sends C-a\n\r";

static void release_held(struct hmp_mux *mux)
{
	chardev_backend_write(mux->chr, mux->held, mux->held_len);
	mux->held_len = 0;
}

static void switch_focus(struct hmp_mux *mux)
{
	mux->monitor = !mux->monitor;
	hmp_term_show(mux->term, mux->monitor);
	if (!mux->monitor)
		release_held(mux);
}

static void escape_command(struct hmp_mux *mux, uint8_t b)
{
	switch (b) {
	case 'h':
	case '?':
		chardev_backend_write(mux->chr, help, sizeof(help) - 1);
		break;
	case 'x':
		chardev_backend_write(mux->chr, "tinyvmm: Terminated\n\r", 21);
		qmp_quit(NULL);
		break;
	case 'c':
		switch_focus(mux);
		break;
	default: /* as QEMU: other keys after C-a are swallowed */
		break;
	}
}

/* Takes the terminal's bytes; stops (returning how many it took) when the guest cannot take more:
 * the rest waits in the backend until the guest's FIFO drains. */
static size_t mux_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct hmp_mux *mux = opaque;
	uint8_t mon[256];
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		uint8_t b = buf[i];
		bool escape = mux->escape;
		bool guest_byte = !mux->monitor && (escape ? b == ESCAPE_CHAR : b != ESCAPE_CHAR);

		if (guest_byte && !chardev_frontend_room(mux->chr))
			break;
		mux->escape = false;
		if (!escape && b == ESCAPE_CHAR) {
			mux->escape = true;
			continue;
		}
		if (escape && b != ESCAPE_CHAR) {
			if (n) /* the monitor gets what came before the switch */
				hmp_term_input(mux->term, mon, n);
			n = 0;
			escape_command(mux, b);
			continue;
		}
		if (!mux->monitor) {
			chardev_frontend_input(mux->chr, &b, 1);
			continue;
		}
		mon[n++] = b;
		if (n == sizeof(mon)) {
			hmp_term_input(mux->term, mon, n);
			n = 0;
		}
	}
	if (n)
		hmp_term_input(mux->term, mon, n);
	return i;
}

/* Passed on to the backend (which counts what it drops), or held while the monitor has the
 * terminal: the guest's oldest output is kept, the rest is not taken. */
static size_t mux_output(void *opaque, const void *buf, size_t len)
{
	struct hmp_mux *mux = opaque;
	size_t room = MUX_HELD_MAX - mux->held_len;

	if (!mux->monitor) {
		chardev_backend_write(mux->chr, buf, len);
		return len;
	}
	len = len < room ? len : room;
	memcpy(mux->held + mux->held_len, buf, len);
	mux->held_len += len;
	return len;
}

struct hmp_mux *hmp_mux_new(struct chardev *chr, const struct hmp_editor *ed)
{
	struct hmp_mux *mux = calloc(1, sizeof(*mux));

	if (!mux)
		return NULL;
	mux->held = malloc(MUX_HELD_MAX);
	mux->term = mux->held ? hmp_term_new(chr, ed, false) : NULL;
	if (!mux->term) {
		free(mux->held);
		free(mux);
		return NULL;
	}
	mux->chr = chr;
	mux->ops = (struct chardev_mux){ .input = mux_input, .output = mux_output, .opaque = mux };
	chardev_set_mux(chr, &mux->ops);
	return mux;
}

void hmp_mux_free(struct hmp_mux *mux)
{
	if (!mux)
		return;
	chardev_set_mux(mux->chr, NULL);
	if (mux->monitor)
		release_held(mux);
	hmp_term_free(mux->term);
	free(mux->held);
	free(mux);
}
