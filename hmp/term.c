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
		t->ed->hide();
		put(t, "\r\n");
	} else if (!t->started) {
		t->started = true;
		put(t, HMP_BANNER);
		t->ed->start(HMP_PROMPT, on_line, t);
	} else {
		t->ed->show();
	}
}

void hmp_term_input(struct hmp_term *t, const uint8_t *buf, size_t n)
{
	if (t->shown)
		t->ed->feed(buf, n);
}

void hmp_term_free(struct hmp_term *t)
{
	if (!t)
		return;
	if (t->started)
		t->ed->stop();
	if (t->shown)
		put(t, "\r\n"); /* the shell's prompt starts on a line of its own */
	free(t);
}
