/* Guest loaders: a flat binary entered in real mode, or the embedded demo guest. */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include <stdbool.h>

struct machine;

#define FLAT_LOAD_ADDR 0x1000
#define FLAT_MAX_SIZE  (0xa0000 - FLAT_LOAD_ADDR)

/* Reads path (or takes the embedded demo when path is NULL) and loads it; false with a message. */
bool loader_flat(struct machine *m, const char *path);

#endif
