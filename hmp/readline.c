/* GNU readline as the terminal console's line editor, driven byte by byte from the main loop. */
#include <readline/history.h>
#include <readline/readline.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"
#include "hmp/readline.h"

static struct {
	const uint8_t *in; /* the bytes being fed */
	size_t len, pos;
	void (*on_line)(void *opaque, const char *line);
	void *opaque;
	const char *prompt;
	bool installed;
	char **names; /* completion candidates */
	size_t nr_names, next_name;
} ed;

static int get_byte(FILE *f)
{
	return ed.pos < ed.len ? ed.in[ed.pos++] : EOF;
}

static int input_available(void)
{
	return ed.pos < ed.len;
}

/* The terminal is already raw (vmm/chardev.c); readline must not change it, but it echoes. */
static void prep_term(int meta)
{
	rl_tty_set_echoing(1);
}

static void deprep_term(void)
{
}

static void handle_line(char *line)
{
	if (line && *line)
		add_history(line);
	ed.on_line(ed.opaque, line);
	free(line);
}

static void add_name(const char *name, void *opaque)
{
	const char *text = opaque;
	size_t i;
	char **nn;

	if (strncmp(name, text, strlen(text)))
		return;
	for (i = 0; i < ed.nr_names; i++)
		if (!strcmp(ed.names[i], name))
			return;
	nn = realloc(ed.names, (ed.nr_names + 1) * sizeof(*nn));
	if (!nn)
		return;
	ed.names = nn;
	ed.names[ed.nr_names] = strdup(name);
	if (ed.names[ed.nr_names])
		ed.nr_names++;
}

static void clear_names(void)
{
	while (ed.nr_names)
		free(ed.names[--ed.nr_names]);
	free(ed.names);
	ed.names = NULL;
	ed.next_name = 0;
}

/* Candidates were gathered by complete(); readline frees what we return. */
static char *next_name(const char *text, int state)
{
	if (ed.next_name < ed.nr_names) {
		char *s = ed.names[ed.next_name];

		ed.names[ed.next_name++] = NULL;
		return s;
	}
	return NULL;
}

/* Command names first; after "info", its topics; after "help", command names again. */
static char **complete(const char *text, int start, int end)
{
	char before[256], first[32] = "", second[2];
	int words;
	char **m;

	rl_attempted_completion_over = 1; /* never file names */
	snprintf(before, sizeof(before), "%.*s", start, rl_line_buffer);
	words = sscanf(before, "%31s %1s", first, second); /* the words before the one completed */
	words = words < 0 ? 0 : words;
	clear_names();
	if (words == 0 || (words == 1 && (!strcmp(first, "help") || !strcmp(first, "?"))))
		hmp_for_each_name(false, add_name, (void *)text);
	else if (words == 1 && !strcmp(first, "info"))
		hmp_for_each_name(true, add_name, (void *)text);
	else
		return NULL;
	m = rl_completion_matches(text, next_name);
	clear_names();
	return m;
}

static void ed_start(const char *prompt, void (*on_line)(void *opaque, const char *line),
		     void *opaque)
{
	ed.on_line = on_line;
	ed.opaque = opaque;
	ed.prompt = prompt;
	rl_readline_name = "tinyvmm";
	rl_instream = stdin;
	rl_outstream = stdout;
	rl_getc_function = get_byte;
	rl_input_available_hook = input_available;
	rl_prep_term_function = prep_term;
	rl_deprep_term_function = deprep_term;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_attempted_completion_function = complete;
	rl_tty_set_echoing(1);
	rl_callback_handler_install(prompt, handle_line);
	ed.installed = true;
}

static void ed_feed(const uint8_t *buf, size_t len)
{
	ed.in = buf;
	ed.len = len;
	ed.pos = 0;
	while (ed.installed && ed.pos < ed.len)
		rl_callback_read_char();
	ed.in = NULL;
	ed.len = ed.pos = 0;
}

static void ed_hide(void)
{
	if (ed.installed)
		rl_callback_handler_remove();
	ed.installed = false;
}

static void ed_show(void)
{
	if (!ed.installed)
		rl_callback_handler_install(ed.prompt, handle_line);
	ed.installed = true;
}

static void ed_stop(void)
{
	ed_hide();
	clear_history();
	fflush(stdout);
}

static const struct hmp_editor readline_editor = {
	.start = ed_start,
	.feed = ed_feed,
	.hide = ed_hide,
	.show = ed_show,
	.stop = ed_stop,
};

const struct hmp_editor *hmp_readline_editor(void)
{
	return &readline_editor;
}
