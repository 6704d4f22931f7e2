/* A monitor on the terminal (-monitor stdio, or the mux's monitor side), with a line editor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"
#include "vmm/chardev.h"

struct hmp_term {
	struct chardev *chr;
	const struct hmp_editor *ed;
	struct hmp_session session;
	bool shown, started;
	/* the simple editor, when there is no line editor */
	char line[HMP_LINE_MAX + 1];
	size_t len;
	bool too_long, skip_lf;
};

static void put(struct hmp_term *t, const char *s)
{
	fflush(stdout); /* the editor's own echo comes first */
	chardev_backend_write(t->chr, s, strlen(s));
}

static void on_line(void *opaque, const char *line)
{
	struct hmp_term *t = opaque;
	char *text;

	if (!line)
		return;
	if (strlen(line) > HMP_LINE_MAX) {
		put(t, HMP_TOO_LONG);
		return;
	}
	text = hmp_session_run(&t->session, line);
	if (text)
		put(t, text);
	free(text);
}

/* Without readline: echo, backspace, and a line on CR or LF. */
static void simple_input(struct hmp_term *t, const uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = (char)buf[i];

		if (ch == '\n' && t->skip_lf) {
			t->skip_lf = false;
			continue;
		}
		t->skip_lf = ch == '\r';
		if (ch == '\r' || ch == '\n') {
			put(t, "\r\n");
			if (t->too_long)
				put(t, HMP_TOO_LONG);
			else {
				t->line[t->len] = '\0';
				on_line(t, t->line);
			}
			t->len = 0;
			t->too_long = false;
			put(t, HMP_PROMPT);
		} else if (ch == 0x7f || ch == 0x08) {
			if (t->len) {
				t->len--;
				put(t, "\b \b");
			}
		} else if (t->too_long) {
			continue;
		} else if (t->len < HMP_LINE_MAX) {
			t->line[t->len++] = ch;
			chardev_backend_write(t->chr, &ch, 1);
		} else {
			t->too_long = true;
		}
	}
}

struct hmp_term *hmp_term_new(struct chardev *chr, const struct hmp_editor *ed, bool shown)
{
	struct hmp_term *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->chr = chr;
	t->ed = ed;
	if (shown)
		hmp_term_show(t, true);
	return t;
}

void hmp_term_show(struct hmp_term *t, bool on)
{
	if (on == t->shown)
		return;
	t->shown = on;
	if (!on) {
		if (t->ed)
			t->ed->hide();
		put(t, "\r\n");
		return;
	}
	if (!t->started) {
		t->started = true;
		put(t, HMP_BANNER);
		if (t->ed) {
			t->ed->start(HMP_PROMPT, on_line, t);
			return;
		}
	}
	if (t->ed)
		t->ed->show();
	else
		put(t, HMP_PROMPT);
}

void hmp_term_input(struct hmp_term *t, const uint8_t *buf, size_t n)
{
	if (!t->shown)
		return;
	if (t->ed)
		t->ed->feed(buf, n);
	else
		simple_input(t, buf, n);
}

void hmp_term_free(struct hmp_term *t)
{
	if (!t)
		return;
	if (t->ed && t->started)
		t->ed->stop();
	if (t->shown)
		put(t, "\r\n"); /* the shell's prompt starts on a line of its own */
	free(t);
}
