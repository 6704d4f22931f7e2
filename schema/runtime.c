/* Helpers the generated QAPI code calls: JSON <-> C for built-in types, QEMU's error texts. */
#include "schema/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

void qapi_path(char *buf, size_t len, const char *prefix, const char *name)
{
	if (prefix && *prefix)
		snprintf(buf, len, "%s.%s", prefix, name);
	else
		snprintf(buf, len, "%s", name);
}

bool qapi_get(json_object *obj, const char *name, json_object **value)
{
	*value = NULL;
	return obj && json_object_object_get_ex(obj, name, value);
}

bool qapi_missing(const char *what, Error **errp)
{
	error_setg(errp, "Parameter '%s' is missing", what);
	return false;
}

bool qapi_no_extra(json_object *obj, const char *prefix, const char *const *names, Error **errp)
{
	if (!obj)
		return true;
	json_object_object_foreach (obj, key, val) {
		const char *const *n;
		char what[256];

		(void)val;
		for (n = names; *n; n++)
			if (!strcmp(*n, key))
				break;
		if (!*n) {
			qapi_path(what, sizeof(what), prefix, key);
			error_setg(errp, "Parameter '%s' is unexpected", what);
			return false;
		}
	}
	return true;
}

static bool wrong_type(const char *what, const char *expected, Error **errp)
{
	error_setg(errp, "Invalid parameter type for '%s', expected: %s", what, expected);
	return false;
}

bool qapi_object_check(json_object *obj, const char *what, Error **errp)
{
	return json_object_is_type(obj, json_type_object) || wrong_type(what, "object", errp);
}

bool qapi_array_check(json_object *obj, const char *what, Error **errp)
{
	return json_object_is_type(obj, json_type_array) || wrong_type(what, "array", errp);
}

/* json-c keeps integers above INT64_MAX as uint64: get_int64 then reports INT64_MAX. */
static bool is_big_uint(json_object *obj)
{
	return json_object_get_int64(obj) == INT64_MAX && json_object_get_uint64(obj) > INT64_MAX;
}

bool qapi_int_from_json(json_object *obj, const char *what, int64_t *out, Error **errp)
{
	if (!json_object_is_type(obj, json_type_int) || is_big_uint(obj))
		return wrong_type(what, "integer", errp);
	*out = json_object_get_int64(obj);
	return true;
}

bool qapi_uint64_from_json(json_object *obj, const char *what, const char *kind, uint64_t *out,
			   Error **errp)
{
	if (!json_object_is_type(obj, json_type_int) || json_object_get_int64(obj) < 0) {
		error_setg(errp, "Parameter '%s' expects %s", what, kind);
		return false;
	}
	*out = json_object_get_uint64(obj);
	return true;
}

bool qapi_bool_from_json(json_object *obj, const char *what, bool *out, Error **errp)
{
	if (!json_object_is_type(obj, json_type_boolean))
		return wrong_type(what, "boolean", errp);
	*out = json_object_get_boolean(obj);
	return true;
}

bool qapi_number_from_json(json_object *obj, const char *what, double *out, Error **errp)
{
	if (!json_object_is_type(obj, json_type_double) && !json_object_is_type(obj, json_type_int))
		return wrong_type(what, "number", errp);
	*out = json_object_get_double(obj);
	return true;
}

bool qapi_str_from_json(json_object *obj, const char *what, const char **out, Error **errp)
{
	if (!json_object_is_type(obj, json_type_string))
		return wrong_type(what, "string", errp);
	*out = json_object_get_string(obj);
	if (strlen(*out) != (size_t)json_object_get_string_len(obj)) {
		error_setg(errp, "Invalid parameter type for '%s', expected: string without NUL",
			   what);
		return false;
	}
	return true;
}

bool qapi_str_dup_from_json(json_object *obj, const char *what, char **out, Error **errp)
{
	const char *s;

	if (!qapi_str_from_json(obj, what, &s, errp))
		return false;
	*out = zstrdup(s, errp);
	return *out != NULL;
}

bool qapi_enum_from_json(json_object *obj, const char *what, const char *const *names, int n,
			 int *out, Error **errp)
{
	const char *s;
	int i;

	if (!qapi_str_from_json(obj, what, &s, errp))
		return false;
	for (i = 0; i < n; i++) {
		if (!strcmp(names[i], s)) {
			*out = i;
			return true;
		}
	}
	error_setg(errp, "Parameter '%s' does not accept value '%s'", what, s);
	return false;
}

json_object *qapi_uint64_to_json(uint64_t v)
{
	return v > INT64_MAX ? json_object_new_uint64(v) : json_object_new_int64((int64_t)v);
}

json_object *qapi_enum_to_json(const char *const *names, int n, int v)
{
	return json_object_new_string(v >= 0 && v < n ? names[v] : "");
}

json_object *qapi_event_new(const char *name, json_object *data)
{
	json_object *ev = json_object_new_object(), *ts = json_object_new_object();
	struct timeval tv;

	gettimeofday(&tv, NULL);
	json_object_object_add(ev, "event", json_object_new_string(name));
	if (data)
		json_object_object_add(ev, "data", data);
	json_object_object_add(ts, "seconds", json_object_new_int64(tv.tv_sec));
	json_object_object_add(ts, "microseconds", json_object_new_int64(tv.tv_usec));
	json_object_object_add(ev, "timestamp", ts);
	return ev;
}
