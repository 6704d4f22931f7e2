/* LibVMI's pmemaccess protocol: a unix-socket server for guest-physical memory reads and writes. */
#ifndef MONITOR_PMEMACCESS_H
#define MONITOR_PMEMACCESS_H

#include <stdint.h>

/* One request, as LibVMI's KVM driver sends it: three native-endian uint64. */
struct pmemaccess_request {
	uint64_t type; /* PMEMACCESS_* */
	uint64_t address;
	uint64_t length;
};

enum { PMEMACCESS_QUIT = 0, PMEMACCESS_READ = 1, PMEMACCESS_WRITE = 2 };

/* The longest read or write served; longer ones are answered with status 0. */
#define PMEMACCESS_MAX_LEN (64ULL << 20)

/* Closes every server and client (their threads woken and joined) and removes the sockets,
 * before the main loop is freed and RAM unmapped (a handler run at exit does the same without
 * touching the loop). Idempotent. */
void pmemaccess_stop_all(void);

#endif
