/* A growable byte buffer: the output queue of a stream, the text of a JSON reply. */
#include "vmm/outbuf.h"

#include <stdlib.h>
#include <string.h>

void outbuf_append(struct outbuf *b, const void *p, size_t n)
{
	if (b->failed || !n)
		return; /* nothing to add: an empty buffer has no data to copy to */
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void outbuf_free(struct outbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}
