/* Helpers the generated QAPI code calls: JSON <-> C for built-in types, QEMU's error texts. */
#ifndef SCHEMA_RUNTIME_H
#define SCHEMA_RUNTIME_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor/error.h"

/* "a.b" for a member b of a, "b" at the top level. */
void qapi_path(char *buf, size_t len, const char *prefix, const char *name);
/* Whether obj (which may be NULL) has the member; *value is NULL for a JSON null. */
bool qapi_get(json_object *obj, const char *name, json_object **value);
/* "Parameter 'X' is missing"; always returns false. */
bool qapi_missing(const char *what, Error **errp);
/* "Parameter 'X' is unexpected" for any member not in names (NULL-terminated). */
bool qapi_no_extra(json_object *obj, const char *prefix, const char *const *names, Error **errp);
bool qapi_object_check(json_object *obj, const char *what, Error **errp);
bool qapi_array_check(json_object *obj, const char *what, Error **errp);

bool qapi_int_from_json(json_object *obj, const char *what, int64_t *out, Error **errp);
/* kind is "uint64" or "size": the word QEMU uses in its message. */
bool qapi_uint64_from_json(json_object *obj, const char *what, const char *kind, uint64_t *out,
			   Error **errp);
bool qapi_bool_from_json(json_object *obj, const char *what, bool *out, Error **errp);
bool qapi_number_from_json(json_object *obj, const char *what, double *out, Error **errp);
/* Borrowed from obj; refuses strings holding NUL bytes. */
bool qapi_str_from_json(json_object *obj, const char *what, const char **out, Error **errp);
bool qapi_str_dup_from_json(json_object *obj, const char *what, char **out, Error **errp);
bool qapi_enum_from_json(json_object *obj, const char *what, const char *const *names, int n,
			 int *out, Error **errp);

json_object *qapi_uint64_to_json(uint64_t v);
json_object *qapi_enum_to_json(const char *const *names, int n, int v);
/* {"event": name, "data": data (omitted when NULL), "timestamp": {...}} */
json_object *qapi_event_new(const char *name, json_object *data);

#endif
