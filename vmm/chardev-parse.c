/* QEMU's character device options: the DEV shorthand (-serial, -qmp, -monitor...) and the
 * -chardev BACKEND,id=ID,... form, parsed into a chardev_spec. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/chardev.h"
#include "vmm/errmsg.h"

/* "on" or "off" (false for anything else: *out is then unspecified) */
static bool parse_onoff(const char *v, bool *out)
{
	*out = !strcmp(v, "on");
	return *out || !strcmp(v, "off");
}

static bool parse_seconds(const char *v, unsigned *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!*v || *end || errno || n > 86400 || *v == '-')
		return false;
	*out = (unsigned)n;
	return true;
}

/*
 * One socket option: server, wait, reconnect (and the old "server" and "nowait"). 1: taken,
 * 0: not a socket option, -1: a bad value (err says).
 */
static int socket_opt(struct chardev_spec *spec, const char *tok, bool *wait_given, char *err,
		      size_t errlen)
{
	const char *eq = strchr(tok, '=');
	bool ok = true;

	if (!strcmp(tok, "server"))
		spec->server = true;
	else if (!strcmp(tok, "nowait"))
		spec->wait = false, *wait_given = true;
	else if (eq && !strncmp(tok, "server=", 7))
		ok = parse_onoff(eq + 1, &spec->server);
	else if (eq && !strncmp(tok, "wait=", 5))
		ok = parse_onoff(eq + 1, &spec->wait), *wait_given = true;
	else if (eq && !strncmp(tok, "reconnect=", 10))
		ok = parse_seconds(eq + 1, &spec->reconnect);
	else
		return 0;
	if (!ok)
		snprintf(err, errlen, "option '%s' takes %s", tok,
			 strncmp(tok, "reconnect=", 10) ? "on or off" : "a number of seconds");
	return ok ? 1 : -1;
}

/* QEMU's words for the options that belong to the other mode; a client never waits. */
static bool check_socket_mode(struct chardev_spec *spec, bool wait_given, char *err, size_t errlen)
{
	if (spec->server && spec->reconnect)
		return errmsg(
			err, errlen,
			"'reconnect' option is incompatible with socket in server listening mode");
	if (!spec->server && wait_given)
		return errmsg(err, errlen,
			      "'wait' option is incompatible with socket in client connect mode");
	if (spec->fd >= 0 && spec->reconnect)
		return errmsg(err, errlen, "'reconnect' option is incompatible with 'fd'");
	spec->wait &= spec->server;
	return true;
}

/* ",server=on,wait=off" and the old ",server,nowait"; without server: a client, maybe with
 * ",reconnect=SECONDS" */
static bool parse_socket_opts(char *opts, struct chardev_spec *spec, char *err, size_t errlen)
{
	char *tok, *save = NULL;
	bool wait_given = false;

	for (tok = strtok_r(opts, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int r = socket_opt(spec, tok, &wait_given, err, errlen);

		if (r < 0)
			return false;
		if (!r)
			return errmsg(err, errlen, "unknown socket option '%s'", tok);
	}
	return check_socket_mode(spec, wait_given, err, errlen);
}

static bool parse_socket(const char *rest, struct chardev_spec *spec, char *err, size_t errlen)
{
	char buf[512];
	char *comma;

	if (strlen(rest) >= sizeof(buf))
		return errmsg(err, errlen, "socket address too long");
	strcpy(buf, rest);
	comma = strchr(buf, ',');
	if (comma)
		*comma++ = '\0';
	if (spec->kind == CHR_UNIX) {
		if (!buf[0] || strlen(buf) >= sizeof(spec->path))
			return errmsg(err, errlen, "unix socket path must be 1 to %zu bytes",
				      sizeof(spec->path) - 1);
		strcpy(spec->path, buf);
	} else {
		char *colon = strrchr(buf, ':');
		char *end;
		unsigned long port;

		if (!colon)
			return errmsg(err, errlen, "tcp address must be HOST:PORT");
		*colon = '\0';
		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (!colon[1] || *end || errno || port == 0 || port > 65535)
			return errmsg(err, errlen, "invalid tcp port '%s'", colon + 1);
		if (strlen(buf) >= sizeof(spec->host))
			return errmsg(err, errlen, "tcp host too long");
		strcpy(spec->host, buf);
		spec->port = (uint16_t)port;
	}
	return parse_socket_opts(comma ? comma : buf + strlen(buf), spec, err, errlen);
}

static void spec_init(struct chardev_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->fd = -1;
	spec->wait = true;
}

bool chardev_parse(const char *s, struct chardev_spec *spec, char *err, size_t errlen)
{
	spec_init(spec);
	if (!strcmp(s, "none") || !strcmp(s, "null")) {
		spec->kind = strcmp(s, "none") ? CHR_NULL : CHR_NONE;
		return true;
	}
	if (!strcmp(s, "stdio")) {
		spec->kind = CHR_STDIO;
		return true;
	}
	if (!strcmp(s, "mon:stdio")) {
		spec->kind = CHR_MON_STDIO;
		return true;
	}
	if (!strncmp(s, "file:", 5)) {
		spec->kind = CHR_FILE;
		if (!s[5] || strlen(s + 5) >= sizeof(spec->path))
			return errmsg(err, errlen, "file path must be 1 to %zu bytes",
				      sizeof(spec->path) - 1);
		strcpy(spec->path, s + 5);
		return true;
	}
	if (!strncmp(s, "unix:", 5)) {
		spec->kind = CHR_UNIX;
		return parse_socket(s + 5, spec, err, errlen);
	}
	if (!strncmp(s, "tcp:", 4)) {
		spec->kind = CHR_TCP;
		return parse_socket(s + 4, spec, err, errlen);
	}
	snprintf(err, errlen,
		 "unknown backend '%s' (stdio, file:PATH, unix:PATH,server=on,"
		 "wait=off, tcp:HOST:PORT,server=on,wait=off or none)",
		 s);
	return false;
}

/* path= is a unix socket's or a file's; host= and port= a TCP socket's. */
static bool copy_opt(char *dst, size_t size, const char *v, const char *key, char *err,
		     size_t errlen)
{
	if (!*v || strlen(v) >= size)
		return errmsg(err, errlen, "Parameter '%s' must be 1 to %zu bytes", key, size - 1);
	strcpy(dst, v);
	return true;
}

static bool parse_fd(const char *v, int *fd, char *err, size_t errlen)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 0 || n > 65535)
		return errmsg(err, errlen, "Parameter 'fd' expects a file descriptor number");
	*fd = (int)n;
	return true;
}

/* One key=value of -chardev; false with err set. */
static bool chardev_opt(struct chardev_spec *spec, char *tok, bool *wait_given, char *err,
			size_t errlen)
{
	char *v = strchr(tok, '=');
	int r = spec->kind == CHR_UNIX ? socket_opt(spec, tok, wait_given, err, errlen) : 0;
	unsigned long port;
	char *end;

	if (r)
		return r > 0;
	if (!v)
		return errmsg(err, errlen, "Invalid parameter '%s'", tok);
	*v++ = '\0';
	if (!strcmp(tok, "path") && spec->kind != CHR_NULL && spec->kind != CHR_STDIO)
		return copy_opt(spec->path, sizeof(spec->path), v, tok, err, errlen);
	if (!strcmp(tok, "host") && spec->kind == CHR_UNIX)
		return copy_opt(spec->host, sizeof(spec->host), v, tok, err, errlen);
	if (!strcmp(tok, "port") && spec->kind == CHR_UNIX) {
		errno = 0;
		port = strtoul(v, &end, 10);
		if (!*v || *end || errno || port == 0 || port > 65535)
			return errmsg(err, errlen, "Parameter 'port' expects a port number");
		spec->port = (uint16_t)port;
		return true;
	}
	if (!strcmp(tok, "fd") && spec->kind == CHR_UNIX)
		return parse_fd(v, &spec->fd, err, errlen);
	if (!strcmp(tok, "mux") && spec->kind == CHR_STDIO)
		return parse_onoff(v, &spec->mux) ||
		       errmsg(err, errlen, "Parameter 'mux' expects 'on' or 'off'");
	if (!strcmp(tok, "signal") && spec->kind == CHR_STDIO)
		return true; /* ^C always signals here */
	return errmsg(err, errlen, "Invalid parameter '%s'", tok);
}

bool chardev_parse_opts(const char *s, struct chardev_spec *spec, char *id, size_t idlen, char *err,
			size_t errlen)
{
	static const struct {
		const char *name;
		enum chardev_kind kind;
	} drivers[] = { { "socket", CHR_UNIX },
			{ "stdio", CHR_STDIO },
			{ "file", CHR_FILE },
			{ "pipe", CHR_PIPE },
			{ "null", CHR_NULL } };
	char buf[1024], *tok, *save = NULL;
	bool wait_given = false, found = false;
	size_t i;

	spec_init(spec);
	id[0] = '\0';
	if (strlen(s) >= sizeof(buf))
		return errmsg(err, errlen, "option string too long");
	strcpy(buf, s);
	tok = strtok_r(buf, ",", &save);
	for (i = 0; tok && i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		if (!strcmp(tok, drivers[i].name)) {
			spec->kind = drivers[i].kind;
			found = true;
		}
	}
	if (!found)
		return errmsg(err, errlen, "'%s' is not a valid char driver name", tok ? tok : "");
	while ((tok = strtok_r(NULL, ",", &save))) {
		if (!strncmp(tok, "id=", 3)) {
			if (!tok[3] || strlen(tok + 3) >= idlen)
				return errmsg(err, errlen, "Parameter 'id' expects an identifier");
			strcpy(id, tok + 3);
		} else if (!chardev_opt(spec, tok, &wait_given, err, errlen)) {
			return false;
		}
	}
	if (!id[0])
		return errmsg(err, errlen, "Parameter 'id' is missing");
	if ((spec->kind == CHR_FILE || spec->kind == CHR_PIPE) && !spec->path[0])
		return errmsg(err, errlen, "Parameter 'path' is missing");
	if (spec->kind == CHR_UNIX) { /* a socket: path= (unix), host=/port= (tcp), or fd= */
		if (!spec->path[0] && spec->port)
			spec->kind = CHR_TCP;
		else if (!spec->path[0] && spec->fd < 0)
			return errmsg(err, errlen, "chardev: socket: no address given");
		return check_socket_mode(spec, wait_given, err, errlen);
	}
	return true;
}
