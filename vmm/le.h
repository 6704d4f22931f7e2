/* Little-endian fields in byte buffers: ACPI tables, the boot protocol, PCI config space. */
#ifndef VMM_LE_H
#define VMM_LE_H

#include <stdint.h>

/* The bytes-wide (at most 8) little-endian value at p. */
static inline uint64_t le_get(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static inline void le_put(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif
