/* bench/run's C client: QMP query-status round trips or LibVMI pmemaccess reads, timed. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/*
 * bench-client qmp SOCKET WARM COUNT
 *   Reads the greeting, negotiates (qmp_capabilities), sends WARM {"execute": "query-status"}
 *   lines one at a time, each after the previous reply line (event lines are skipped), prints
 *   "ready" and waits for a line on standard input; then COUNT timed the same way, and prints
 *   "cmds N seconds S client_cpu_seconds C p50_us P p99_us Q".
 * bench-client pmemaccess SOCKET COUNT LENGTH SPAN DEPTH
 *   Sends COUNT read requests {1, address, LENGTH} (three native-endian uint64, as LibVMI's
 *   KVM driver does), addresses walking [0, SPAN) LENGTH bytes at a time, DEPTH requests per
 *   write (1 = LibVMI's pattern: send one, read its LENGTH bytes and status byte, next), then
 *   prints "reads N seconds S client_cpu_seconds C failed F".
 * Either holds its connection until standard input ends: the caller reads the server's CPU
 * time while the connection (and a thread serving it) still exists.
 */

#define REQ "{\"execute\": \"query-status\"}\n"

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "bench-client: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write");
		p += n;
		len -= (size_t)n;
	}
}

/* Up to len bytes into buf (at least one), or dies. */
static size_t recv_some(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		errno = n ? errno : ECONNRESET;
		die("read");
	}
	return (size_t)n;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	strcpy(sa.sun_path, path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect");
	return fd;
}

/* Reads until a whole line that is not an event is in buf, and drops it. */
static void read_reply(int fd)
{
	static char buf[65536];
	static size_t have;
	char *nl;

	for (;;) {
		while ((nl = memchr(buf, '\n', have))) {
			size_t len = (size_t)(nl + 1 - buf);
			int event = memmem(buf, len, "\"event\"", 7) != NULL;

			memmove(buf, nl + 1, have - len);
			have -= len;
			if (!event)
				return;
		}
		if (have == sizeof(buf)) {
			errno = EMSGSIZE;
			die("read");
		}
		have += recv_some(fd, buf + have, sizeof(buf) - have);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile (nearest rank) of the sorted n values v. */
static double pct_us(const uint64_t *v, uint64_t n, unsigned p)
{
	uint64_t k = (p * n + 99) / 100;

	return n ? (double)v[k ? k - 1 : 0] / 1e3 : 0.0;
}

static void qmp(int fd, uint64_t warm, uint64_t count)
{
	static const char caps[] = "{\"execute\": \"qmp_capabilities\"}\n";
	uint64_t i, t0, c0, *lat = calloc(count ? count : 1, sizeof(*lat));
	int c;

	if (!lat)
		die("calloc");
	read_reply(fd); /* the greeting */
	send_all(fd, caps, sizeof(caps) - 1);
	read_reply(fd);
	for (i = 0; i < warm; i++) {
		send_all(fd, REQ, sizeof(REQ) - 1);
		read_reply(fd);
	}
	printf("ready\n");
	fflush(stdout);
	while ((c = getchar()) != EOF && c != '\n') {
	}
	c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	t0 = now_ns(CLOCK_MONOTONIC);
	for (i = 0; i < count; i++) {
		uint64_t a = now_ns(CLOCK_MONOTONIC);

		send_all(fd, REQ, sizeof(REQ) - 1);
		read_reply(fd);
		lat[i] = now_ns(CLOCK_MONOTONIC) - a;
	}
	t0 = now_ns(CLOCK_MONOTONIC) - t0;
	c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
	qsort(lat, count, sizeof(*lat), cmp_u64);
	printf("cmds %llu seconds %.9f client_cpu_seconds %.9f p50_us %.3f p99_us %.3f\n",
	       (unsigned long long)count, (double)t0 / 1e9, (double)c0 / 1e9,
	       pct_us(lat, count, 50), pct_us(lat, count, 99));
	free(lat);
}

static void pmemaccess(int fd, uint64_t count, uint64_t length, uint64_t span, uint64_t depth)
{
	uint64_t done, addr = 0, failed = 0, t0, c0, (*reqs)[3] = calloc(depth, sizeof(*reqs));
	uint8_t *buf = malloc(length + 1);

	if (!reqs || !buf)
		die("malloc");
	t0 = now_ns(CLOCK_MONOTONIC);
	c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (done = 0; done < count; done += depth) {
		uint64_t i, k = count - done < depth ? count - done : depth;

		for (i = 0; i < k; i++) {
			reqs[i][0] = 1;
			reqs[i][1] = addr;
			reqs[i][2] = length;
			addr = addr + 2 * length <= span ? addr + length : 0;
		}
		send_all(fd, reqs, k * sizeof(*reqs));
		for (i = 0; i < k; i++) {
			size_t got = 0;

			while (got < length + 1)
				got += recv_some(fd, buf + got, length + 1 - got);
			failed += buf[length] != 1;
		}
	}
	c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
	t0 = now_ns(CLOCK_MONOTONIC) - t0;
	printf("reads %llu seconds %.9f client_cpu_seconds %.9f failed %llu\n",
	       (unsigned long long)count, (double)t0 / 1e9, (double)c0 / 1e9,
	       (unsigned long long)failed);
	free(reqs);
	free(buf);
}

int main(int argc, char **argv)
{
	static const uint64_t quit[3]; /* pmemaccess: type 0 */
	uint64_t a[4] = { 0 };
	int fd, i, pmem = argc == 7 && !strcmp(argv[1], "pmemaccess");

	if (!pmem && (argc != 5 || strcmp(argv[1], "qmp"))) {
		fprintf(stderr, "usage: bench-client qmp SOCKET WARM COUNT\n"
				"       bench-client pmemaccess SOCKET COUNT LENGTH SPAN DEPTH\n");
		return 2;
	}
	for (i = 3; i < argc; i++)
		a[i - 3] = strtoull(argv[i], NULL, 0);
	if (pmem && (!a[1] || a[2] < a[1] || !a[3] || a[3] > 4096))
		return 2;
	fd = connect_unix(argv[2]);
	if (pmem)
		pmemaccess(fd, a[0], a[1], a[2], a[3]);
	else
		qmp(fd, a[0], a[1]);
	fflush(stdout);
	while (getchar() != EOF) {
	}
	if (pmem)
		send_all(fd, quit, sizeof(quit));
	close(fd);
	return 0;
}
