/* Address spaces for port I/O and MMIO: ranges claimed by devices, with read/write callbacks. */
#include "vmm/iospace.h"

#include <errno.h>
#include <string.h>

void iospace_init(struct iospace *s, const char *name, uint64_t size)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->size = size;
}

static uint64_t last_byte(uint64_t base, uint64_t size)
{
	return base + (size - 1);
}

int iospace_register(struct iospace *s, const char *name, uint64_t base, uint64_t size,
		     io_read_fn read, io_write_fn write, void *opaque)
{
	int i, pos;

	if (size == 0 || base + (size - 1) < base ||
	    (s->size && (base >= s->size || size > s->size - base)))
		return -EINVAL;
	if (s->nr == IOSPACE_MAX_RANGES)
		return -ENOSPC;
	for (pos = 0; pos < s->nr; pos++) {
		const struct io_range *r = &s->ranges[pos];

		if (base <= last_byte(r->base, r->size) && r->base <= last_byte(base, size))
			return -EEXIST;
		if (r->base > base)
			break;
	}
	for (i = pos; i < s->nr; i++) /* the rest must not overlap either */
		if (s->ranges[i].base <= last_byte(base, size))
			return -EEXIST;
	memmove(&s->ranges[pos + 1], &s->ranges[pos], (size_t)(s->nr - pos) * sizeof(s->ranges[0]));
	s->ranges[pos] = (struct io_range){ base, size, name, read, write, opaque };
	s->nr++;
	return 0;
}

void iospace_unregister(struct iospace *s, uint64_t base)
{
	for (int i = 0; i < s->nr; i++)
		if (s->ranges[i].base == base) {
			memmove(&s->ranges[i], &s->ranges[i + 1],
				(size_t)(s->nr - i - 1) * sizeof(s->ranges[0]));
			s->nr--;
			return;
		}
}

const struct io_range *iospace_find(const struct iospace *s, uint64_t addr)
{
	int lo = 0, hi = s->nr - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		const struct io_range *r = &s->ranges[mid];

		if (addr < r->base)
			hi = mid - 1;
		else if (addr > last_byte(r->base, r->size))
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

uint64_t iospace_read(struct iospace *s, uint64_t addr, unsigned size)
{
	const struct io_range *r = iospace_find(s, addr);

	if (!r || !r->read) {
		s->unclaimed_reads++;
		return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
	}
	return r->read(r->opaque, addr - r->base, size);
}

void iospace_write(struct iospace *s, uint64_t addr, uint64_t value, unsigned size)
{
	const struct io_range *r = iospace_find(s, addr);

	if (!r || !r->write) {
		s->unclaimed_writes++;
		return;
	}
	r->write(r->opaque, addr - r->base, value, size);
}
