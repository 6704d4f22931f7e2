/* Parsing of sizes and numbers in QEMU's command-line syntax. */
#ifndef VMM_SIZE_H
#define VMM_SIZE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Parses "128", "128M", "1G", "512k", "2T", "4096B" into bytes. A number
 * without a suffix is multiplied by default_unit (QEMU's -m takes MiB).
 * Returns false on garbage, a negative value, or overflow of uint64_t.
 */
bool size_parse(const char *s, uint64_t default_unit, uint64_t *out);

/* Parses a whole unsigned number, decimal or 0x hex; false on garbage or overflow. */
bool number_parse(const char *s, uint64_t *out);

#endif
