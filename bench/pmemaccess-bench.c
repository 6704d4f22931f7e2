/* bench/run's C pmemaccess client: LibVMI's one-request-at-a-time reads (or pipelined), timed. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client-io.h"

/*
 * pmemaccess-bench SOCKET COUNT LENGTH SPAN DEPTH
 *
 * Sends COUNT read requests {1, address, LENGTH} (three native-endian uint64, as LibVMI's
 * KVM driver does), addresses walking [0, SPAN) LENGTH bytes at a time, DEPTH requests per
 * write (1 = LibVMI's pattern: send one, read its LENGTH bytes and status byte, next), then
 * prints one line: "reads N seconds S client_cpu_seconds C failed F". The connection stays open
 * until standard input ends (so that the caller can read the server's CPU time while the
 * thread serving it still exists), then a quit request closes it.
 */

static void recv_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read");
		if (n == 0) {
			errno = ECONNRESET;
			die("read");
		}
		p += n;
		len -= (size_t)n;
	}
}

const char *client_name = "pmemaccess-bench";

int main(int argc, char **argv)
{
	uint64_t count, length, span, depth, done, addr = 0, failed = 0, t0, t1, c0, c1;
	uint64_t(*reqs)[3];
	uint8_t *buf;
	int fd;

	if (argc != 6) {
		fprintf(stderr, "usage: pmemaccess-bench SOCKET COUNT LENGTH SPAN DEPTH\n");
		return 2;
	}
	count = strtoull(argv[2], NULL, 0);
	length = strtoull(argv[3], NULL, 0);
	span = strtoull(argv[4], NULL, 0);
	depth = strtoull(argv[5], NULL, 0);
	if (!length || span < length || !depth || depth > 4096)
		return 2;
	reqs = calloc(depth, sizeof(*reqs));
	buf = malloc(length + 1);
	if (!reqs || !buf)
		die("malloc");
	fd = connect_unix(argv[1]);

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
			recv_all(fd, buf, length + 1);
			failed += buf[length] != 1;
		}
	}
	c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	t1 = now_ns(CLOCK_MONOTONIC);

	printf("reads %llu seconds %.9f client_cpu_seconds %.9f failed %llu\n",
	       (unsigned long long)count, (double)(t1 - t0) / 1e9, (double)(c1 - c0) / 1e9,
	       (unsigned long long)failed);
	fflush(stdout);
	while (getchar() != EOF) {
	}
	memset(reqs, 0, sizeof(*reqs)); /* type 0: quit */
	send_all(fd, reqs, sizeof(*reqs));
	close(fd);
	free(reqs);
	free(buf);
	return 0;
}
