/* Address spaces for port I/O and MMIO: ranges claimed by devices, with read/write callbacks. */
#ifndef VMM_IOSPACE_H
#define VMM_IOSPACE_H

#include <stdbool.h>
#include <stdint.h>

/* Accesses are 1, 2, 4 or 8 bytes; values are little-endian in the low bytes. */
typedef uint64_t (*io_read_fn)(void *opaque, uint64_t offset, unsigned size);
typedef void (*io_write_fn)(void *opaque, uint64_t offset, uint64_t value, unsigned size);

struct io_range {
	uint64_t base, size;
	const char *name;
	io_read_fn read;
	io_write_fn write;
	void *opaque;
};

#define IOSPACE_MAX_RANGES 64

struct iospace {
	const char *name; /* "io" or "memory", as QEMU's info mtree calls them */
	uint64_t size;	  /* 0x10000 for ports, 2^64 - 1 + 1 (0) for memory */
	struct io_range ranges[IOSPACE_MAX_RANGES]; /* sorted by base */
	int nr;
	uint64_t unclaimed_reads, unclaimed_writes;
};

void iospace_init(struct iospace *s, const char *name, uint64_t size);
/* Claims [base, base+size); -EEXIST on overlap, -EINVAL on a bad range, -ENOSPC when full. */
int iospace_register(struct iospace *s, const char *name, uint64_t base, uint64_t size,
		     io_read_fn read, io_write_fn write, void *opaque);
/* Gives back the range claimed at base (a realize that failed after claiming it). */
void iospace_unregister(struct iospace *s, uint64_t base);
const struct io_range *iospace_find(const struct iospace *s, uint64_t addr);
/* Unclaimed reads return all ones; unclaimed writes are dropped; both are counted. */
uint64_t iospace_read(struct iospace *s, uint64_t addr, unsigned size);
void iospace_write(struct iospace *s, uint64_t addr, uint64_t value, unsigned size);

#endif
