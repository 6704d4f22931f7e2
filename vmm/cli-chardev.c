/* The command line's named character devices: -chardev, -mon chardev=ID and DEV chardev:ID. */
#include "vmm/cli-chardev.h"

#include <stdio.h>
#include <string.h>

#include "vmm/errmsg.h"

bool cli_chardev_add(struct cli_chardevs *t, const char *arg, char *err, size_t errlen)
{
	char msg[300], id[64];
	int i;

	if (t->nr_dev == CONFIG_MAX_CHARDEVS)
		return errmsg(err, errlen, "-chardev %s: at most %d chardevs", arg,
			      CONFIG_MAX_CHARDEVS);
	if (!chardev_parse_opts(arg, &t->dev[t->nr_dev].spec, id, sizeof(id), msg, sizeof(msg)))
		return errmsg(err, errlen, "-chardev %s: %s", arg, msg);
	for (i = 0; i < t->nr_dev; i++) {
		if (!strcmp(t->dev[i].id, id))
			return errmsg(err, errlen, "-chardev %s: Duplicate ID '%s' for chardev",
				      arg, id);
	}
	strcpy(t->dev[t->nr_dev].id, id);
	strcpy(t->dev[t->nr_dev].spec.label, id);
	t->dev[t->nr_dev++].users = 0;
	return true;
}

bool cli_mon_add(struct cli_chardevs *t, const char *arg, char *err, size_t errlen)
{
	char buf[256], *tok, *save = NULL;
	__typeof__(t->mon[0]) *m = &t->mon[t->nr_mon];

	if (t->nr_mon == (int)(sizeof(t->mon) / sizeof(t->mon[0])) || strlen(arg) >= sizeof(buf))
		return errmsg(err, errlen, "-mon %s: too many monitors or too long", arg);
	memset(m, 0, sizeof(*m));
	m->arg = arg;
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "chardev=", 8) && strlen(tok + 8) < sizeof(m->id)) {
			strcpy(m->id, tok + 8);
		} else if (!strcmp(tok, "mode=control") || !strcmp(tok, "mode=readline")) {
			m->control = !strcmp(tok, "mode=control");
		} else if (!strcmp(tok, "pretty=on") || !strcmp(tok, "pretty=off")) {
			m->pretty = !strcmp(tok, "pretty=on");
		} else {
			return errmsg(err, errlen, "-mon %s: Invalid parameter '%s'", arg, tok);
		}
	}
	if (!m->id[0])
		return errmsg(err, errlen, "-mon %s: Parameter 'chardev' is missing", arg);
	t->nr_mon++;
	return true;
}

/* The chardev named id, taken by one more user; NULL with the message in err. */
static struct chardev_spec *take(struct cli_chardevs *t, const char *opt, const char *arg,
				 const char *id, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < t->nr_dev; i++) {
		if (strcmp(t->dev[i].id, id))
			continue;
		/* stdio,mux=on is shared by the serial port and one monitor, as -nographic does */
		if (t->dev[i].users++ < 1 + (t->dev[i].spec.mux ? 1 : 0))
			return &t->dev[i].spec;
		snprintf(err, errlen, "%s %s: Device '%s' is in use", opt, arg, id);
		return NULL;
	}
	snprintf(err, errlen, "%s %s: chardev \"%s\" not found", opt, arg, id);
	return NULL;
}

/* -serial/-debugcon/-gdb chardev:ID (kept in *ref): the spec it names, into *out. */
static bool resolve_dev(struct cli_chardevs *t, const char *opt, const char *ref,
			struct chardev_spec *out, char *err, size_t errlen)
{
	struct chardev_spec *s;

	if (!ref)
		return true;
	if (!(s = take(t, opt, ref, ref + 8, err, errlen)))
		return false;
	*out = *s;
	return true;
}

/* Monitors first, as QEMU creates them before the devices. */
bool cli_chardevs_resolve(struct cli_chardevs *t, struct vm_config *cfg, char *err, size_t errlen)
{
	const char *mux_id = NULL; /* a readline monitor on stdio,mux=on */
	struct chardev_spec *s;
	int i;

	for (i = 0; i < t->nr_mon; i++) {
		int *nr = t->mon[i].control ? &cfg->nr_qmp : &cfg->nr_monitor;
		struct chardev_spec *list = t->mon[i].control ? cfg->qmp : cfg->monitor;

		if (!(s = take(t, "-mon", t->mon[i].arg, t->mon[i].id, err, errlen)))
			return false;
		if (s->kind == CHR_FILE || s->kind == CHR_PIPE || s->kind == CHR_NULL)
			return errmsg(err, errlen, "-mon %s: chardev '%s' cannot serve a monitor",
				      t->mon[i].arg, t->mon[i].id);
		if (*nr == CONFIG_MAX_MONITORS)
			return errmsg(err, errlen, "-mon %s: at most %d of these", t->mon[i].arg,
				      CONFIG_MAX_MONITORS);
		if (s->mux && !t->mon[i].control && !mux_id) {
			mux_id = t->mon[i].id; /* shared with the serial port, or alone on stdio */
			continue;
		}
		list[*nr] = *s;
		list[(*nr)++].pretty = t->mon[i].pretty;
	}
	if (!resolve_dev(t, "-serial", t->serial, &cfg->serial, err, errlen) ||
	    !resolve_dev(t, "-debugcon", t->debugcon, &cfg->debugcon, err, errlen) ||
	    !resolve_dev(t, "-gdb", t->gdb, &cfg->gdb, err, errlen))
		return false;
	if (t->gdb && cfg->gdb.kind != CHR_TCP && cfg->gdb.kind != CHR_UNIX)
		return errmsg(err, errlen, "-gdb %s: chardev '%s' cannot serve gdb (a socket can)",
			      t->gdb, t->gdb + 8);
	if (mux_id && t->serial && !strcmp(t->serial + 8, mux_id))
		cfg->serial.kind = CHR_MON_STDIO; /* -nographic's sharing: Ctrl-a c switches */
	else if (mux_id && cfg->nr_monitor < CONFIG_MAX_MONITORS)
		cfg->monitor[cfg->nr_monitor++].kind = CHR_STDIO;
	for (i = 0; i < t->nr_dev; i++) /* listed by query-chardev all the same */
		if (!t->dev[i].users)
			cfg->unused[cfg->nr_unused++] = t->dev[i].spec;
	return true;
}
