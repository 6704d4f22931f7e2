/* The C bench clients' shared I/O: clock reads, whole writes and reads, and dying with a reason. */
#ifndef BENCH_CLIENT_IO_H
#define BENCH_CLIENT_IO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

extern const char *client_name; /* the program's name, in front of die()'s message */

uint64_t now_ns(clockid_t clock);
/* Prints "NAME: what: strerror(errno)" and exits 1. */
void die(const char *what) __attribute__((noreturn));
/* Writes all len bytes (retrying after EINTR) or dies. */
void send_all(int fd, const void *buf, size_t len);
/* A connected unix socket at path, or dies. */
int connect_unix(const char *path);

#endif
