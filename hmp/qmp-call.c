/* Calls a QMP command's generated marshaller, so HMP-only commands reach the same qmp_* handler. */
#include "hmp/hmp-int.h"
#include "qapi-commands.h"

json_object *hmp_call_qmp(const char *name, json_object *args, Error **errp)
{
	const QmpCommand *cmd = qmp_command_find(name);
	json_object *ret = NULL;
	Error *err = NULL;

	if (!cmd) {
		error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND, "The command %s has not been found",
			  name);
		return NULL;
	}
	cmd->fn(args, &ret, &err);
	if (err) {
		json_object_put(ret);
		error_propagate(errp, err);
		return NULL;
	}
	return ret ? ret : json_object_new_object();
}

uint64_t hmp_json_u64(json_object *o, const char *key)
{
	json_object *v = o;
	int64_t i;

	if (key && !json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return json_object_get_boolean(v);
	i = json_object_get_int64(v);
	return i == INT64_MAX ? json_object_get_uint64(v) : (uint64_t)i;
}
