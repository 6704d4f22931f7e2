/* bench/run's C QMP client: query-status round trips on one connection, timed one by one. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client-io.h"

/*
 * qmp-client SOCKET WARM COUNT
 *
 * Reads the greeting, negotiates (qmp_capabilities), sends WARM {"execute": "query-status"}
 * lines one at a time, each after the previous reply line (event lines are skipped), prints
 * "ready" and waits for a line on standard input; then COUNT timed the same way, and prints one
 * line: "cmds N seconds S client_cpu_seconds C p50_us P p99_us Q". The connection stays open
 * until standard input ends. The caller reads the server's CPU time at "ready" and at the
 * result, so that neither the warm-up nor the end of the connection is in it.
 */

#define REQ "{\"execute\": \"query-status\"}\n"

static char buf[65536];
static size_t have;

/* Reads until a whole line that is not an event is in buf, and drops it. */
static void read_reply(int fd)
{
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
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errno = n ? errno : ECONNRESET;
			die("read");
		}
		have += (size_t)n;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile (nearest rank) of the sorted n values v. */
static uint64_t pct(const uint64_t *v, uint64_t n, unsigned p)
{
	uint64_t k = (p * n + 99) / 100;

	return v[k ? k - 1 : 0];
}

const char *client_name = "qmp-client";

int main(int argc, char **argv)
{
	static const char caps[] = "{\"execute\": \"qmp_capabilities\"}\n";
	uint64_t warm, count, i, t0, t1, c0, c1, *lat;
	int fd, c;

	if (argc != 4) {
		fprintf(stderr, "usage: qmp-client SOCKET WARM COUNT\n");
		return 2;
	}
	warm = strtoull(argv[2], NULL, 0);
	count = strtoull(argv[3], NULL, 0);
	lat = calloc(count ? count : 1, sizeof(*lat));
	if (!lat)
		die("calloc");
	fd = connect_unix(argv[1]);
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
	t1 = now_ns(CLOCK_MONOTONIC);
	c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);

	qsort(lat, count, sizeof(*lat), cmp_u64);
	printf("cmds %llu seconds %.9f client_cpu_seconds %.9f p50_us %.3f p99_us %.3f\n",
	       (unsigned long long)count, (double)(t1 - t0) / 1e9, (double)(c1 - c0) / 1e9,
	       count ? (double)pct(lat, count, 50) / 1e3 : 0.0,
	       count ? (double)pct(lat, count, 99) / 1e3 : 0.0);
	fflush(stdout);
	while (getchar() != EOF) {
	}
	close(fd);
	free(lat);
	return 0;
}
