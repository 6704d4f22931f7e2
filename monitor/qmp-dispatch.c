/* QMP dispatch: request shape checks, negotiation, table lookup, and the reply with its id. */
#include <string.h>

#include "monitor/qmp-internal.h"
#include "qapi-commands.h"

static struct qmp_session *cur_session;

struct qmp_session *qmp_current_session(void)
{
	return cur_session;
}

static json_object *error_object(ErrorClass cls, const char *desc)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "class", json_object_new_string(error_class_name(cls)));
	json_object_object_add(e, "desc", json_object_new_string(desc));
	return e;
}

json_object *qmp_error_response(ErrorClass cls, const char *desc)
{
	json_object *rsp = json_object_new_object();

	json_object_object_add(rsp, "error", error_object(cls, desc));
	return rsp;
}

/* QEMU's qmp_dispatch_check_obj(): members in the order given, the first problem wins. */
static bool check_request(json_object *req, const char **name, json_object **args, Error **errp)
{
	bool has_exec = false;

	json_object_object_foreach (req, key, val) {
		if (!strcmp(key, "execute")) {
			if (json_object_get_type(val) != json_type_string) {
				error_setg(errp, "QMP input member 'execute' must be a string");
				return false;
			}
			has_exec = true;
			*name = json_object_get_string(val);
		} else if (!strcmp(key, "arguments")) {
			if (json_object_get_type(val) != json_type_object) {
				error_setg(errp, "QMP input member 'arguments' must be an object");
				return false;
			}
			*args = val;
		} else if (strcmp(key, "id")) {
			/* exec-oob included: we offer no OOB capability */
			error_setg(errp, "QMP input member '%s' is unexpected", key);
			return false;
		}
	}
	if (!has_exec) {
		error_setg(errp, "QMP input lacks member 'execute'");
		return false;
	}
	return true;
}

static const QmpCommand *find_command(json_object *req, const char *name)
{
	json_object *exec = json_object_object_get(req, "execute");

	/* "query-status\u0000x" is not query-status */
	if ((size_t)json_object_get_string_len(exec) != strlen(name))
		return NULL;
	return qmp_command_find(name);
}

json_object *qmp_dispatch(struct qmp_session *s, json_object *req)
{
	json_object *id = NULL, *args = NULL, *ret = NULL, *rsp;
	const char *name = NULL;
	const QmpCommand *cmd;
	Error *err = NULL;
	bool has_id = false;

	if (json_object_get_type(req) != json_type_object) {
		error_setg(&err, "QMP input must be a JSON object");
		goto out;
	}
	has_id = json_object_object_get_ex(req, "id", &id); /* a null id is an id too */
	if (!check_request(req, &name, &args, &err))
		goto out;
	cmd = find_command(req, name);
	if (!s->negotiated && (!cmd || !(cmd->flags & QMP_CMD_ALLOW_BEFORE_NEGOTIATION))) {
		error_set(&err, ERROR_CLASS_COMMAND_NOT_FOUND,
			  "Expecting capabilities negotiation with 'qmp_capabilities'");
		goto out;
	}
	if (!cmd) {
		error_set(&err, ERROR_CLASS_COMMAND_NOT_FOUND, "The command %s has not been found",
			  name);
		goto out;
	}
	cur_session = s;
	cmd->fn(args, &ret, &err);
	cur_session = NULL;
out:
	rsp = json_object_new_object();
	if (err) {
		json_object_put(ret);
		if (has_id)
			json_object_object_add(rsp, "id", json_object_get(id));
		json_object_object_add(rsp, "error",
				       error_object(error_get_class(err), error_get_pretty(err)));
		error_free(err);
		return rsp;
	}
	json_object_object_add(rsp, "return", ret ? ret : json_object_new_object());
	if (has_id)
		json_object_object_add(rsp, "id", json_object_get(id));
	return rsp;
}
