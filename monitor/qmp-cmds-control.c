/* QMP control: qmp_capabilities, query-version/-commands/-qmp-schema, quit, the HMP bridge. */
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "qapi-commands.h"
#include "qapi-introspect.h"

void qmp_qmp_capabilities(bool has_enable, QMPCapabilityList *enable, Error **errp)
{
	struct qmp_session *s = qmp_current_session();

	if (!s || s->negotiated) {
		error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
			  "Capabilities negotiation is already complete, command ignored");
		return;
	}
	/* the greeting offers no capability (no OOB): asking for one fails as in QEMU */
	if (has_enable && enable) {
		error_setg(errp, "Capability '%s' not available", QMPCapability_str[enable->value]);
		return;
	}
	s->negotiated = true;
}

VersionInfo *qmp_query_version(Error **errp)
{
	VersionInfo *info = zalloc(sizeof(*info), errp);

	if (!info || !(info->qemu = zalloc(sizeof(*info->qemu), errp)) ||
	    !(info->package = zstrdup(QMP_VERSION_PACKAGE, errp))) {
		VersionInfo_free(info);
		return NULL;
	}
	info->qemu->major = QMP_VERSION_MAJOR;
	info->qemu->minor = QMP_VERSION_MINOR;
	info->qemu->micro = QMP_VERSION_MICRO;
	return info;
}

CommandInfoList *qmp_query_commands(Error **errp)
{
	json_object *names = qapi_introspect_commands();
	CommandInfoList *head = NULL, **tail = &head;
	size_t i, n = json_object_array_length(names);

	for (i = 0; i < n; i++) {
		json_object *name =
			json_object_object_get(json_object_array_get_idx(names, i), "name");
		CommandInfo *c = CommandInfoList_append(&tail, errp);

		if (!c || !(c->name = zstrdup(json_object_get_string(name), errp))) {
			CommandInfoList_free(head);
			head = NULL;
			break;
		}
	}
	json_object_put(names);
	return head;
}

json_object *qmp_query_qmp_schema(Error **errp)
{
	return qapi_introspect_schema();
}

void qmp_quit(Error **errp)
{
	/* SHUTDOWN now, the return next, then the loop ends and every client gets EOF */
	vm_shutdown(monitor_machine(), false, SHUTDOWN_CAUSE_HOST_QMP_QUIT, 0);
}

static hmp_backend_fn *hmp_backend;

void qmp_set_hmp_backend(hmp_backend_fn *run)
{
	hmp_backend = run;
}

char *qmp_human_monitor_command(const char *command_line, bool has_cpu_index, int64_t cpu_index,
				Error **errp)
{
	struct machine *m = monitor_machine();
	char *out;

	if (!hmp_backend) {
		error_setg(errp, "The human monitor is not available");
		return NULL;
	}
	if (has_cpu_index && !monitor_vcpu(m, cpu_index, errp))
		return NULL;
	out = hmp_backend(command_line, has_cpu_index ? (int)cpu_index : -1);
	if (!out)
		error_setg(errp, "Out of memory");
	return out;
}
