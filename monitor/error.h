/* The Error object: QEMU's Error **errp convention, with QMP's error classes. */
#ifndef MONITOR_ERROR_H
#define MONITOR_ERROR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Rules (as QEMU's include/qapi/error.h):
 * - errp is the last parameter and may be NULL (the caller ignores errors);
 * - a function sets *errp at most once, only on failure, and also returns
 *   false / NULL / a negative number then;
 * - never read *errp to learn whether a callee failed: pass &local_err and
 *   error_propagate() it.
 */

typedef enum ErrorClass {
	ERROR_CLASS_GENERIC_ERROR,
	ERROR_CLASS_COMMAND_NOT_FOUND,
	ERROR_CLASS_DEVICE_NOT_ACTIVE,
	ERROR_CLASS_DEVICE_NOT_FOUND,
	ERROR_CLASS_KVM_MISSING_CAP,
	ERROR_CLASS__MAX
} ErrorClass;

typedef struct Error Error;

void error_set_internal(Error **errp, ErrorClass cls, int errnum, const char *file, int line,
			const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#define error_set(errp, cls, ...) \
	error_set_internal((errp), (cls), 0, __FILE__, __LINE__, __VA_ARGS__)
#define error_setg(errp, ...) \
	error_set_internal((errp), ERROR_CLASS_GENERIC_ERROR, 0, __FILE__, __LINE__, __VA_ARGS__)
/* Appends ": strerror(errnum)" to the message. */
#define error_setg_errno(errp, errnum, ...)                                                 \
	error_set_internal((errp), ERROR_CLASS_GENERIC_ERROR, (errnum), __FILE__, __LINE__, \
			   __VA_ARGS__)

/* Moves local into *dst (or frees it when dst is NULL or already set). */
void error_propagate(Error **dst, Error *local);
void error_free(Error *err);
const char *error_get_pretty(const Error *err);
ErrorClass error_get_class(const Error *err);
/* "GenericError", "CommandNotFound", ... as QMP spells them. */
const char *error_class_name(ErrorClass cls);

/* size zeroed bytes, or NULL with "Out of memory" set: the allocator of handlers. */
void *zalloc(size_t size, Error **errp);
/* A copy of s, or NULL with "Out of memory" set, as zalloc. */
char *zstrdup(const char *s, Error **errp);

#endif
