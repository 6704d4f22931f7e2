/* Unit test: command-line parsing, good and bad, into a vm_config. */
#include <fcntl.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "vmm/cli.h"

#define ARGV(...)  ((const char *[]){ "tinyvmm", __VA_ARGS__, NULL })
#define ARGC(...)  ((int)(sizeof((const char *[]){ "tinyvmm", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(...) cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &cfg, err, sizeof(err))

static struct vm_config cfg;
static char err[512];

static void bad(enum cli_result r, const char *want);

/* -add-fd: QEMU's option syntax (",," is a comma) and its checks of the inherited fd */
static void add_fd(void)
{
	int fd = dup(2), cloexec = fcntl(2, F_DUPFD_CLOEXEC, 0); /* dup() clears FD_CLOEXEC */
	char a1[64], a2[64], a3[64];

	snprintf(a1, sizeof(a1), "fd=%d,set=5,opaque=a,,b", fd);
	snprintf(a2, sizeof(a2), "set=0x10,fd=%d", fd);
	CHECK(PARSE("-add-fd", a1, "-add-fd", a2) == CLI_RUN);
	CHECK_U64(2, cfg.nr_add_fd);
	CHECK(cfg.add_fd[0].fd == fd && cfg.add_fd[0].set == 5 && cfg.add_fd[0].has_opaque);
	CHECK_STR("a,b", cfg.add_fd[0].opaque);
	CHECK(cfg.add_fd[1].fd == fd && cfg.add_fd[1].set == 16 && !cfg.add_fd[1].has_opaque);
	snprintf(a3, sizeof(a3), "fd=%d,set=1", cloexec);
	bad(PARSE("-add-fd", a3), "fd is not valid or already in use");
	snprintf(a3, sizeof(a3), "fd=%d", fd);
	bad(PARSE("-add-fd", a3), "set option is required and must be non-negative");
	bad(PARSE("-add-fd", "fd=2,set=1"),
	    "-add-fd fd=2,set=1: fd cannot be a standard I/O stream");
	bad(PARSE("-add-fd", "set=1"), "fd option is required and must be non-negative");
	bad(PARSE("-add-fd", "fd=x,set=1"), "Parameter 'fd' expects a number");
	bad(PARSE("-add-fd", "fd=3,set=1,x=y"), "Invalid parameter 'x'");
	bad(PARSE("-add-fd", "fd"), "Invalid parameter 'fd'");
	close(fd);
	close(cloexec);
}

static void bad(enum cli_result r, const char *want)
{
	CHECK(r == CLI_ERROR);
	if (!strstr(err, want)) {
		fprintf(stderr,
			"FAIL: error message\n  expected to contain: \"%s\"\n  received: \"%s\"\n",
			want, err);
		check_failures++;
	}
}

int main(void)
{
	CHECK(cli_parse(1, ARGV(NULL), &cfg, err, sizeof(err)) == CLI_RUN);
	CHECK_U64(128ULL << 20, cfg.ram_size);
	CHECK_U64(1, cfg.nr_vcpus);
	CHECK(cfg.serial.kind == CHR_STDIO && cfg.debugcon.kind == CHR_NONE);
	CHECK(!cfg.start_paused && !cfg.flat && !cfg.name);

	CHECK(PARSE("-m", "1G", "-smp", "4", "-name", "vm1", "-S") == CLI_RUN);
	CHECK_U64(1ULL << 30, cfg.ram_size);
	CHECK_U64(4, cfg.nr_vcpus);
	CHECK_STR("vm1", cfg.name);
	CHECK(cfg.start_paused);
	CHECK(PARSE("-m", "size=256", "-smp", "cpus=64", "-name", "guest=x,debug-threads=on") ==
	      CLI_RUN);
	CHECK_U64(256ULL << 20, cfg.ram_size);
	CHECK_U64(64, cfg.nr_vcpus);
	CHECK_STR("x", cfg.name);
	CHECK(PARSE("--m", "64M") == CLI_RUN);
	CHECK_U64(64ULL << 20, cfg.ram_size);

	CHECK(PARSE("-qmp", "unix:/tmp/q.sock,server=on,wait=off", "-qmp",
		    "tcp::4444,server,nowait", "-serial", "file:/tmp/out", "-monitor",
		    "unix:/tmp/m,server=on,wait=off", "-display", "none", "-nodefaults",
		    "-enable-kvm", "-flat", "/x.bin") == CLI_RUN);
	CHECK_U64(2, cfg.nr_qmp);
	CHECK(cfg.qmp[0].kind == CHR_UNIX && cfg.qmp[0].server && !cfg.qmp[0].wait);
	CHECK_STR("/tmp/q.sock", cfg.qmp[0].path);
	CHECK(cfg.qmp[1].kind == CHR_TCP && cfg.qmp[1].port == 4444 && !cfg.qmp[1].host[0]);
	CHECK(cfg.qmp[1].server && !cfg.qmp[1].wait);
	CHECK(cfg.serial.kind == CHR_FILE);
	CHECK_STR("/tmp/out", cfg.serial.path);
	CHECK_U64(1, cfg.nr_monitor);
	CHECK_STR("/x.bin", cfg.flat);
	CHECK(PARSE("-nographic") == CLI_RUN && cfg.serial.kind == CHR_MON_STDIO);
	CHECK(PARSE("-serial", "none", "-monitor", "stdio") == CLI_RUN);
	CHECK(PARSE("-monitor", "stdio") == CLI_RUN && cfg.serial.kind == CHR_NONE);
	CHECK(PARSE("-qmp", "stdio") == CLI_RUN && cfg.serial.kind == CHR_NONE);
	CHECK(PARSE("-qmp", "tcp:127.0.0.1:1,server=on,wait=on") == CLI_RUN && cfg.qmp[0].wait);
	CHECK(PARSE("-h") == CLI_EXIT_OK);

	bad(PARSE("-m", "0"), "-m: '0' is too small");
	bad(PARSE("-m", "abc"), "-m: invalid size 'abc'");
	bad(PARSE("-m", "-5"), "-m: invalid size");
	bad(PARSE("-m", "99999999999999999999"), "-m: invalid size");
	bad(PARSE("-m", "2T"), "-m: '2T' is too large");
	bad(PARSE("-m"), "-m: missing argument");
	bad(PARSE("-smp", "0"), "-smp: invalid vCPU count '0'");
	bad(PARSE("-smp", "65"), "-smp: invalid vCPU count '65'");
	bad(PARSE("-smp", "2,sockets=2"), "-smp: invalid vCPU count");
	bad(PARSE("-frobnicate"), "-frobnicate: unknown option");
	bad(PARSE("extra"), "extra: unexpected argument");
	bad(PARSE("-display", "gtk"), "-display: unsupported value 'gtk'");
	bad(PARSE("-serial", "pty"), "-serial: unknown backend 'pty'");
	bad(PARSE("-qmp", "unix:/tmp/q,wait=on"),
	    "incompatible with socket in client connect mode");
	bad(PARSE("-chardev", "pty,id=p"), "'pty' is not a valid char driver name");
	bad(PARSE("-mon", "chardev=x"), "chardev \"x\" not found");
	bad(PARSE("-qmp", "unix:/tmp/q,server=maybe"), "takes on or off");
	bad(PARSE("-qmp", "unix:/tmp/q,server,bogus"), "unknown socket option 'bogus'");
	bad(PARSE("-qmp", "tcp:localhost,server"), "tcp address must be HOST:PORT");
	bad(PARSE("-qmp", "tcp::70000,server"), "invalid tcp port '70000'");
	bad(PARSE("-qmp", "file:/tmp/x"), "cannot serve a monitor");
	bad(PARSE("-qmp",
		  "unix:/tmp/"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,server"),
	    "unix socket path must be");
	bad(PARSE("-monitor", "stdio", "-serial", "stdio"), "only one of");
	bad(PARSE("-initrd", "x"), "-initrd: needs -kernel");
	bad(PARSE("-flat", "a", "-kernel", "b"), "cannot be combined");
	bad(PARSE("-name", "x,foo=bar"), "-name: unknown option");
	add_fd();
	return check_report("cli");
}
