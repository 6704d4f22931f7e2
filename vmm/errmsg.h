/* The err, errlen convention of vmm/: a failing function writes its message into the caller's
 * buffer and returns false. */
#ifndef VMM_ERRMSG_H
#define VMM_ERRMSG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/* The message into err; false, for "return errmsg(err, errlen, ...);". */
static inline bool __attribute__((format(printf, 3, 4)))
errmsg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}

#endif
