/* The command line, in QEMU's syntax, parsed into a vm_config. */
#include "vmm/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cli-chardev.h"
#include "vmm/gdbstub.h"
#include "vmm/qdev.h"
#include "vmm/size.h"

#define MIN_RAM (1ULL << 20)

static const char usage[] =
	"usage: tinyvmm [options]\n"
	"\n"
	"Machine:\n"
	"  -m SIZE            guest RAM: 128, 128M, 1G (a bare number is MiB; default 128M)\n"
	"  -smp N             number of vCPUs, 1 to 64 (default 1; also cpus=N)\n"
	"  -name NAME         name of the guest (query-name, info name)\n"
	"  -S                 start with the vCPUs paused (prelaunch); 'cont' starts them\n"
	"Guest:\n"
	"  -flat FILE         flat binary loaded at 0x1000, entered in real mode at 0000:1000\n"
	"                     (without it: the embedded demo guest)\n"
	"  -kernel bzImage    boot a Linux kernel;  -initrd FILE;  -append CMDLINE\n"
	"Character devices (stdio | file:PATH | unix:PATH,server=on,wait=off |\n"
	"                   tcp:HOST:PORT,server=on,wait=off | none; without server=on a\n"
	"                   socket connects to PATH or HOST:PORT, [,reconnect=SECONDS]):\n"
	"  -serial DEV        the 16550A UART at 0x3f8 (default stdio; mon:stdio shares it with\n"
	"                     the monitor)\n"
	"  -debugcon DEV      the debug console port 0xe9 (default none)\n"
	"  -qmp DEV           a QMP monitor (repeatable); -qmp-pretty DEV: with pretty JSON\n"
	"  -monitor DEV       an HMP monitor (repeatable; also stdio)\n"
	"  -nographic         same as -serial mon:stdio (serial and monitor on the terminal)\n"
	"  -gdb DEV           wait for gdb on DEV (tcp::1234, a port, "
	"unix:PATH,server=on,wait=off);\n"
	"                     -s: same as -gdb tcp::1234\n"
	"Devices:\n"
	"  -device TYPE[,PROP=VALUE...][,id=ID][,bus=BUS]\n"
	"                     add a device (repeatable); -device help lists the types,\n"
	"                     -device TYPE,help their properties\n"
	"  -global TYPE.PROP=VALUE\n"
	"                     a default for every TYPE device, the machine's too (repeatable)\n"
	"  -add-fd fd=N,set=S[,opaque=STR]\n"
	"                     put inherited descriptor N in fd set S (/dev/fdset/S; repeatable)\n"
	"Accepted for QEMU compatibility: -display none, -nodefaults, -enable-kvm, -accel kvm,\n"
	"  -machine accel=kvm, -cpu host, -no-user-config\n"
	"  -h, --help         this help;  --version  the version\n";

const char *cli_try_help(void)
{
	return "Try 'tinyvmm -h' for more information.\n";
}

static enum cli_result bad(char *err, size_t errlen, const char *opt, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum cli_result bad(char *err, size_t errlen, const char *opt, const char *fmt, ...)
{
	char detail[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", opt, detail);
	return CLI_ERROR;
}

/* "128M" or "size=128M" */
static enum cli_result parse_mem(const char *arg, struct vm_config *cfg, char *err, size_t errlen)
{
	uint64_t bytes;

	if (!strncmp(arg, "size=", 5))
		arg += 5;
	if (!size_parse(arg, 1ULL << 20, &bytes))
		return bad(err, errlen, "-m", "invalid size '%s' (examples: 128, 512M, 2G)", arg);
	if (bytes < MIN_RAM)
		return bad(err, errlen, "-m", "'%s' is too small (at least 1M)", arg);
	if (bytes > (1ULL << 40))
		return bad(err, errlen, "-m", "'%s' is too large (at most 1T)", arg);
	cfg->ram_size = (bytes + 4095) & ~4095ULL;
	return CLI_RUN;
}

/* "4" or "cpus=4" (other topology keys are refused) */
static enum cli_result parse_smp(const char *arg, struct vm_config *cfg, char *err, size_t errlen)
{
	uint64_t n;

	if (!strncmp(arg, "cpus=", 5))
		arg += 5;
	if (!number_parse(arg, &n) || n < 1 || n > CONFIG_MAX_VCPUS)
		return bad(err, errlen, "-smp", "invalid vCPU count '%s' (1 to 64)", arg);
	cfg->nr_vcpus = (int)n;
	return CLI_RUN;
}

/* "NAME", "guest=NAME", optionally ",debug-threads=on|off" */
static enum cli_result parse_name(const char *arg, struct vm_config *cfg, char *err, size_t errlen)
{
	const char *comma = strchr(arg, ',');

	if (!strncmp(arg, "guest=", 6))
		arg += 6;
	if (comma && strcmp(comma, ",debug-threads=on") && strcmp(comma, ",debug-threads=off"))
		return bad(err, errlen, "-name", "unknown option in '%s'", comma + 1);
	if (comma) {
		static char name[256];

		if ((size_t)(comma - arg) >= sizeof(name))
			return bad(err, errlen, "-name", "name too long");
		memcpy(name, arg, (size_t)(comma - arg));
		name[comma - arg] = '\0';
		arg = name;
	}
	cfg->name = arg;
	return CLI_RUN;
}

static enum cli_result parse_chardev(const char *opt, const char *arg, struct chardev_spec *spec,
				     char *err, size_t errlen)
{
	char msg[256];

	if (!chardev_parse(arg, spec, msg, sizeof(msg)))
		return bad(err, errlen, opt, "%s", msg);
	return CLI_RUN;
}

/* -gdb DEV and -s (the last one counts, as QEMU's) */
static enum cli_result parse_gdb(const char *opt, const char *arg, struct vm_config *cfg, char *err,
				 size_t errlen)
{
	char msg[256];

	if (!gdbstub_parse(arg, &cfg->gdb, msg, sizeof(msg)))
		return bad(err, errlen, opt, "%s", msg);
	cfg->has_gdb = true;
	return CLI_RUN;
}

/* -qmp and -monitor: their chardevs are QEMU's compat_monitor0, 1... in command-line order. */
static enum cli_result parse_monitor(const char *opt, const char *arg, struct chardev_spec *list,
				     int *nr, int *seq, char *err, size_t errlen)
{
	enum cli_result r;

	if (*nr == CONFIG_MAX_MONITORS)
		return bad(err, errlen, opt, "at most 8 of these");
	r = parse_chardev(opt, arg, &list[*nr], err, errlen);
	if (r != CLI_RUN)
		return r;
	if (list[*nr].kind == CHR_FILE || list[*nr].kind == CHR_NONE || list[*nr].kind == CHR_NULL)
		return bad(err, errlen, opt, "'%s' cannot serve a monitor", arg);
	snprintf(list[*nr].label, sizeof(list[*nr].label), "compat_monitor%d", (*seq)++);
	list[*nr].pretty = !strcmp(opt, "-qmp-pretty");
	(*nr)++;
	return CLI_RUN;
}

/* The value of key in a QEMU option string (",," is a comma); false past the buffer. */
static bool opt_value(const char **p, char *buf, size_t size)
{
	size_t n = 0;

	for (; **p && (**p != ',' || (*p)[1] == ','); (*p)++) {
		if (**p == ',')
			(*p)++;
		if (n + 1 >= size)
			return false;
		buf[n++] = **p;
	}
	buf[n] = '\0';
	return true;
}

static bool opt_number(const char *s, int64_t *val)
{
	char *end;

	errno = 0;
	*val = strtoll(s, &end, 0);
	return *s && !*end && !errno;
}

/* -add-fd fd=N,set=S[,opaque=STR], checked as QEMU's parse_add_fd() */
static enum cli_result parse_add_fd(const char *arg, struct vm_config *cfg, char *err,
				    size_t errlen)
{
	struct add_fd_spec *a = &cfg->add_fd[cfg->nr_add_fd];
	int64_t fd = -1, set = -1;
	const char *p = arg;
	char opt[300], key[32], val[256];
	int flags;

	snprintf(opt, sizeof(opt), "-add-fd %s", arg);
	if (cfg->nr_add_fd == CONFIG_MAX_ADD_FD)
		return bad(err, errlen, opt, "at most %d of these", CONFIG_MAX_ADD_FD);
	while (*p) {
		size_t klen = strcspn(p, "=,");

		if (p[klen] != '=' || klen >= sizeof(key))
			return bad(err, errlen, opt, "Invalid parameter '%.*s'", (int)klen, p);
		memcpy(key, p, klen);
		key[klen] = '\0';
		p += klen + 1;
		if (!opt_value(&p, val, sizeof(val)))
			return bad(err, errlen, opt, "Parameter '%s' is too long", key);
		if (*p)
			p++;
		if (!strcmp(key, "opaque")) {
			strcpy(a->opaque, val);
			a->has_opaque = true;
		} else if (strcmp(key, "fd") && strcmp(key, "set")) {
			return bad(err, errlen, opt, "Invalid parameter '%s'", key);
		} else if (!opt_number(val, !strcmp(key, "fd") ? &fd : &set)) {
			return bad(err, errlen, opt, "Parameter '%s' expects a number", key);
		}
	}
	if (fd < 0 || fd > INT32_MAX)
		return bad(err, errlen, opt, "fd option is required and must be non-negative");
	if (fd <= 2)
		return bad(err, errlen, opt, "fd cannot be a standard I/O stream");
	/* fds inherited across exec() have FD_CLOEXEC clear; ours have it set */
	flags = fcntl((int)fd, F_GETFD);
	if (flags == -1 || (flags & FD_CLOEXEC))
		return bad(err, errlen, opt, "fd is not valid or already in use");
	if (set < 0)
		return bad(err, errlen, opt, "set option is required and must be non-negative");
	a->fd = (int)fd;
	a->set = set;
	cfg->nr_add_fd++;
	return CLI_RUN;
}

/* -device TYPE[,prop=val...]: kept for the machine to create (vmm/qdev.c); or its help */
static enum cli_result parse_device(const char *arg, struct vm_config *cfg, char *err,
				    size_t errlen)
{
	char msg[256];
	bool asked;

	if (!device_help(arg, stdout, &asked, msg, sizeof(msg))) {
		snprintf(err, errlen, "-device %s: %s", arg, msg);
		return CLI_ERROR;
	}
	if (asked)
		return CLI_EXIT_OK;
	if (cfg->nr_devices == CONFIG_MAX_DEVICES)
		return bad(err, errlen, "-device", "too many devices (at most %d)",
			   CONFIG_MAX_DEVICES);
	cfg->devices[cfg->nr_devices++] = arg;
	return CLI_RUN;
}

/* -global TYPE.prop=val: a default for every TYPE the machine creates */
static enum cli_result parse_global(const char *arg, struct vm_config *cfg, char *err,
				    size_t errlen)
{
	const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');
	char type[128];

	if (!eq || !dot || dot > eq || dot == arg || dot + 1 == eq) {
		snprintf(err, errlen, "-global %s: Invalid parameter '%s'", arg, arg);
		return CLI_ERROR;
	}
	if (cfg->nr_globals == CONFIG_MAX_GLOBALS)
		return bad(err, errlen, "-global", "too many globals (at most %d)",
			   CONFIG_MAX_GLOBALS);
	snprintf(type, sizeof(type), "%.*s", (int)(dot - arg), arg);
	if (!object_type_find(type)) /* QEMU's warning: the global applies to nothing */
		fprintf(stderr, "tinyvmm: warning: global %.*s has invalid class name\n",
			(int)(eq - arg), arg);
	cfg->globals[cfg->nr_globals++] = arg;
	return CLI_RUN;
}

static bool takes_value(const char *opt)
{
	static const char *const opts[] = { "-m",	   "-smp",    "-name",	  "-flat",
					    "-kernel",	   "-initrd", "-append",  "-serial",
					    "-debugcon",   "-qmp",    "-monitor", "-display",
					    "-chardev",	   "-mon",    "-accel",	  "-machine",
					    "-M",	   "-cpu",    "-vga",	  "-add-fd",
					    "-qmp-pretty", "-device", "-global",  "-gdb" };
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(opt, opts[i]))
			return true;
	return false;
}

static bool is_accepted_pair(const char *opt, const char *arg)
{
	static const char *const pairs[][2] = {
		{ "-display", "none" }, { "-accel", "kvm" }, { "-machine", "accel=kvm" },
		{ "-cpu", "host" },	{ "-vga", "none" },  { "-M", "accel=kvm" },
	};
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (!strcmp(opt, pairs[i][0]) && !strcmp(arg, pairs[i][1]))
			return true;
	return false;
}

static int stdio_users(const struct vm_config *cfg)
{
	int i, n = cfg->serial.kind == CHR_STDIO || cfg->serial.kind == CHR_MON_STDIO;

	n += cfg->debugcon.kind == CHR_STDIO;
	for (i = 0; i < cfg->nr_qmp; i++)
		n += cfg->qmp[i].kind == CHR_STDIO || cfg->qmp[i].kind == CHR_MON_STDIO;
	for (i = 0; i < cfg->nr_monitor; i++)
		n += cfg->monitor[i].kind == CHR_STDIO || cfg->monitor[i].kind == CHR_MON_STDIO;
	return n;
}

static void set_defaults(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_size = 128ULL << 20;
	cfg->nr_vcpus = 1;
	cfg->serial.kind = CHR_STDIO;
	cfg->debugcon.kind = CHR_NONE;
}

enum cli_result cli_parse(int argc, const char *const *argv, struct vm_config *cfg, char *err,
			  size_t errlen)
{
	static struct cli_chardevs chardevs;
	bool serial_given = false;
	int i, monitors = 0;

	set_defaults(cfg);
	memset(&chardevs, 0, sizeof(chardevs));
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
		enum cli_result r = CLI_RUN;

		if (opt[0] == '-' && opt[1] == '-' && opt[2]) /* QEMU takes --m as -m */
			opt++;
		if (!strcmp(opt, "-h") || !strcmp(opt, "-help")) {
			fputs(usage, stdout);
			return CLI_EXIT_OK;
		}
		if (!strcmp(opt, "-version")) {
			printf("tinyvmm version %s (QMP compatible with QEMU 7.2)\n",
			       TINYVMM_VERSION);
			return CLI_EXIT_OK;
		}
		if (!strcmp(opt, "-S") || !strcmp(opt, "-nodefaults") ||
		    !strcmp(opt, "-enable-kvm") || !strcmp(opt, "-no-user-config")) {
			cfg->start_paused |= !strcmp(opt, "-S");
			continue;
		}
		if (!strcmp(opt, "-s")) {
			r = parse_gdb(opt, "tcp::1234", cfg, err, errlen);
			if (r != CLI_RUN)
				return r;
			continue;
		}
		if (!strcmp(opt, "-nographic")) {
			cfg->serial.kind = CHR_MON_STDIO;
			serial_given = true;
			continue;
		}
		if (opt[0] != '-')
			return bad(err, errlen, opt, "unexpected argument");
		if (!takes_value(opt))
			return bad(err, errlen, argv[i], "%s", "unknown option");
		if (!arg)
			return bad(err, errlen, opt, "%s", "missing argument");
		if (!strcmp(opt, "-m"))
			r = parse_mem(arg, cfg, err, errlen);
		else if (!strcmp(opt, "-smp"))
			r = parse_smp(arg, cfg, err, errlen);
		else if (!strcmp(opt, "-name"))
			r = parse_name(arg, cfg, err, errlen);
		else if (!strcmp(opt, "-flat"))
			cfg->flat = arg;
		else if (!strcmp(opt, "-kernel"))
			cfg->kernel = arg;
		else if (!strcmp(opt, "-initrd"))
			cfg->initrd = arg;
		else if (!strcmp(opt, "-append"))
			cfg->append = arg;
		else if (!strcmp(opt, "-serial") && (serial_given = true) &&
			 !strncmp(arg, "chardev:", 8))
			chardevs.serial = arg;
		else if (!strcmp(opt, "-serial"))
			r = parse_chardev(opt, arg, &cfg->serial, err, errlen);
		else if (!strcmp(opt, "-debugcon") && !strncmp(arg, "chardev:", 8))
			chardevs.debugcon = arg;
		else if (!strcmp(opt, "-debugcon"))
			r = parse_chardev(opt, arg, &cfg->debugcon, err, errlen);
		else if (!strcmp(opt, "-chardev") && !cli_chardev_add(&chardevs, arg, err, errlen))
			return CLI_ERROR;
		else if (!strcmp(opt, "-mon") && !cli_mon_add(&chardevs, arg, err, errlen))
			return CLI_ERROR;
		else if (!strcmp(opt, "-chardev") || !strcmp(opt, "-mon"))
			;
		else if (!strcmp(opt, "-qmp") || !strcmp(opt, "-qmp-pretty"))
			r = parse_monitor(opt, arg, cfg->qmp, &cfg->nr_qmp, &monitors, err, errlen);
		else if (!strcmp(opt, "-monitor"))
			r = parse_monitor(opt, arg, cfg->monitor, &cfg->nr_monitor, &monitors, err,
					  errlen);
		else if (!strcmp(opt, "-device"))
			r = parse_device(arg, cfg, err, errlen);
		else if (!strcmp(opt, "-global"))
			r = parse_global(arg, cfg, err, errlen);
		else if (!strcmp(opt, "-gdb") && !strncmp(arg, "chardev:", 8))
			chardevs.gdb = arg, cfg->has_gdb = true;
		else if (!strcmp(opt, "-gdb"))
			r = parse_gdb(opt, arg, cfg, err, errlen);
		else if (!strcmp(opt, "-add-fd"))
			r = parse_add_fd(arg, cfg, err, errlen);
		else if (!is_accepted_pair(opt, arg))
			return bad(err, errlen, opt, "unsupported value '%s'", arg);
		if (r != CLI_RUN)
			return r;
		i++;
	}
	if (!cli_chardevs_resolve(&chardevs, cfg, err, errlen))
		return CLI_ERROR;
	if (!cfg->serial.label[0])
		strcpy(cfg->serial.label, "serial0");
	if (!cfg->debugcon.label[0])
		strcpy(cfg->debugcon.label, "debugcon");
	if (!serial_given && stdio_users(cfg) > 1)
		cfg->serial.kind = CHR_NONE; /* a monitor took the terminal: no serial there */
	if (stdio_users(cfg) > 1)
		return bad(err, errlen, "stdio", "%s",
			   "only one of -serial, -monitor and -qmp may use stdio (try -nographic)");
	if (cfg->flat && cfg->kernel)
		return bad(err, errlen, "-flat", "cannot be combined with -kernel");
	if ((cfg->initrd || cfg->append) && !cfg->kernel)
		return bad(err, errlen, cfg->initrd ? "-initrd" : "-append", "needs -kernel");
	return CLI_RUN;
}
