/* A growable byte buffer: the output queue of a stream, the text of a JSON reply. */
#ifndef VMM_OUTBUF_H
#define VMM_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>

struct outbuf {
	char *data;
	size_t len, cap;
	bool failed; /* an allocation failed; the content is incomplete */
};

/* Appends n bytes; on failure sets failed and appends nothing more. */
void outbuf_append(struct outbuf *b, const void *p, size_t n);
void outbuf_free(struct outbuf *b);

#endif
