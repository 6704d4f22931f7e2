/* The Error object: creation, propagation, the names of QMP's error classes; zalloc, zstrdup. */
#include "monitor/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct Error {
	ErrorClass cls;
	char *msg;
};

static const char *const class_names[ERROR_CLASS__MAX] = {
	[ERROR_CLASS_GENERIC_ERROR] = "GenericError",
	[ERROR_CLASS_COMMAND_NOT_FOUND] = "CommandNotFound",
	[ERROR_CLASS_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
	[ERROR_CLASS_DEVICE_NOT_FOUND] = "DeviceNotFound",
	[ERROR_CLASS_KVM_MISSING_CAP] = "KVMMissingCap",
};

void error_set_internal(Error **errp, ErrorClass cls, int errnum, const char *file, int line,
			const char *fmt, ...)
{
	Error *err;
	va_list ap;

	if (!errp)
		return;
	if (*errp) {
		fprintf(stderr, "tinyvmm: BUG: %s:%d: error set twice\n", file, line);
		abort();
	}
	err = calloc(1, sizeof(*err));
	va_start(ap, fmt);
	if (!err || vasprintf(&err->msg, fmt, ap) < 0)
		abort(); /* out of memory: nothing sensible is left to do */
	va_end(ap);
	if (errnum) {
		char *full;

		if (asprintf(&full, "%s: %s", err->msg, strerror(errnum)) < 0)
			abort();
		free(err->msg);
		err->msg = full;
	}
	err->cls = cls < ERROR_CLASS__MAX ? cls : ERROR_CLASS_GENERIC_ERROR;
	*errp = err;
}

void error_propagate(Error **dst, Error *local)
{
	if (!local)
		return;
	if (dst && !*dst)
		*dst = local;
	else
		error_free(local);
}

void error_free(Error *err)
{
	if (!err)
		return;
	free(err->msg);
	free(err);
}

const char *error_get_pretty(const Error *err)
{
	return err->msg;
}

ErrorClass error_get_class(const Error *err)
{
	return err->cls;
}

const char *error_class_name(ErrorClass cls)
{
	return class_names[cls]; /* errors hold a valid class (error_set_internal) */
}

void *zalloc(size_t size, Error **errp)
{
	void *p = calloc(1, size);

	if (!p)
		error_setg(errp, "Out of memory");
	return p;
}

char *zstrdup(const char *s, Error **errp)
{
	char *p = strdup(s);

	if (!p)
		error_setg(errp, "Out of memory");
	return p;
}
