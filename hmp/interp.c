/* The HMP interpreter: a line to a command of the generated or HMP-only table, parsed and run. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"
#include "hmp/hmp.h"
#include "monitor/fds.h"
#include "monitor/monitor.h"
#include "vmm/machine.h"

/* Does typed match one of the '|'-separated aliases in names? */
static bool match_alias(const char *names, const char *typed)
{
	const char *p = names;
	size_t n = strlen(typed);

	while (*p) {
		size_t len = strcspn(p, "|");

		if (len == n && !strncmp(p, typed, n))
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

static bool is_info(const HmpCommandDef *d)
{
	return !strncmp(d->name, "info ", 5);
}

static const HmpCommandDef *search(const HmpCommandDef *t, size_t n, const char *name,
				   const char *topic)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (is_info(&t[i]) == (topic != NULL) &&
		    match_alias(topic ? t[i].name + 5 : t[i].name, topic ? topic : name))
			return &t[i];
	return NULL;
}

const HmpCommandDef *hmp_find_command(const char *name, const char *topic)
{
	const HmpCommandDef *d;

	if (strcmp(name, "info"))
		topic = NULL;
	else if (!topic)
		return search(hmp_local_commands, hmp_local_commands_count, "info", NULL);
	d = search(hmp_commands, hmp_commands_count, name, topic);
	return d ? d : search(hmp_local_commands, hmp_local_commands_count, name, topic);
}

static void each_table(const HmpCommandDef *t, size_t n, bool info,
		       void (*fn)(const char *name, void *opaque), void *opaque)
{
	char buf[128];
	size_t i;

	for (i = 0; i < n; i++) {
		const char *p = t[i].name;

		if (is_info(&t[i]) != info)
			continue;
		if (info)
			p += 5;
		while (*p) {
			size_t len = strcspn(p, "|");

			snprintf(buf, sizeof(buf), "%.*s", (int)len, p);
			fn(buf, opaque);
			p += len;
			if (*p)
				p++;
		}
	}
}

void hmp_for_each_name(bool info_topics, void (*fn)(const char *name, void *opaque), void *opaque)
{
	each_table(hmp_commands, hmp_commands_count, info_topics, fn, opaque);
	each_table(hmp_local_commands, hmp_local_commands_count, info_topics, fn, opaque);
}

static int by_name(const void *a, const void *b)
{
	const HmpCommandDef *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* QEMU's help_cmd_dump_one: "name params -- help" */
static void help_list(HmpOut *out, bool info, const HmpCommandDef *only)
{
	size_t n = hmp_commands_count + hmp_local_commands_count, k = 0, i;
	const HmpCommandDef **all = calloc(n, sizeof(*all));

	if (!all)
		return;
	for (i = 0; i < hmp_commands_count; i++)
		all[k++] = &hmp_commands[i];
	for (i = 0; i < hmp_local_commands_count; i++) {
		const HmpCommandDef *d = &hmp_local_commands[i];
		char first[64];

		/* a generated entry of the same name wins, as in hmp_find_command() */
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(d->name, "|"), d->name);
		if (is_info(d) ? hmp_find_command("info", first + 5) == d
			       : hmp_find_command(first, NULL) == d)
			all[k++] = d;
	}
	qsort(all, k, sizeof(*all), by_name);
	for (i = 0; i < k; i++) {
		if (is_info(all[i]) != info || (only && all[i] != only))
			continue;
		hmp_printf(out, "%s %s -- %s\n", all[i]->name, all[i]->params ? all[i]->params : "",
			   all[i]->help ? all[i]->help : "");
	}
	free(all);
}

void hmp_help(HmpOut *out, const char *name)
{
	const HmpCommandDef *d;
	char first[64], topic[64];

	if (!name || !*name) {
		help_list(out, false, NULL);
		return;
	}
	if (sscanf(name, "%63s %63s", first, topic) < 2)
		topic[0] = '\0';
	if (!strcmp(first, "info") && !topic[0]) {
		help_list(out, true, NULL);
		return;
	}
	d = hmp_find_command(first, topic[0] ? topic : NULL);
	if (!d) {
		hmp_printf(out, "unknown command: '%s'\n", name);
		return;
	}
	help_list(out, is_info(d), d);
}

static void run(HmpOut *out, const char *line)
{
	const HmpCommandDef *d;
	const char *p = line, *start, *name_end;
	char name[64], topic[64] = "";
	json_object *args;
	Error *err = NULL;
	char msg[256];
	size_t n;

	if (monitor_machine()->state == RUN_STATE_SHUTDOWN)
		return; /* after quit nothing runs, not even the rest of the read */
	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return;
	start = p;
	n = strcspn(p, " \t\r\n/");
	snprintf(name, sizeof(name), "%.*s", (int)n, p);
	p += n;
	name_end = p;
	if (!strcmp(name, "info")) {
		while (isspace((unsigned char)*p))
			p++;
		n = strcspn(p, " \t\r\n");
		snprintf(topic, sizeof(topic), "%.*s", (int)n, p);
		p += n;
		if (n)
			name_end = p;
	}
	d = n > 63 ? NULL : hmp_find_command(name, topic[0] ? topic : NULL);
	if (!d) {
		hmp_printf(out, "unknown command: '%.*s'\n", (int)(name_end - start), start);
		return;
	}
	args = hmp_parse_args(d, p, msg, sizeof(msg));
	if (!args) {
		hmp_printf(out, "%s\nTry \"help %.*s\" for more information\n", msg,
			   (int)(name_end - start), start);
		return;
	}
	d->call(out, args, &err);
	if (err)
		hmp_print_error(out, err);
	json_object_put(args);
}

char *hmp_session_run(struct hmp_session *s, const char *line)
{
	HmpOut out = { .s = s };

	run(&out, line);
	outbuf_append(&out.text, "", 1);
	if (out.text.failed)
		outbuf_free(&out.text); /* out of memory: NULL */
	return out.text.data;
}

char *hmp_run_line(const char *line, int cpu_index)
{
	struct hmp_session s = { .cpu = cpu_index < 0 ? 0 : cpu_index };
	/* as QEMU's human-monitor-command: a monitor that was passed no descriptor */
	struct monitor_fds *prev = monitor_fds_enter(NULL);
	char *out = hmp_session_run(&s, line);

	monitor_fds_enter(prev);
	return out;
}
