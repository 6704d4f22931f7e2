/* HMP-only commands: help, info (the topic list), cpu N, info version, info commands. */
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"
#include "monitor/monitor.h"
#include "qapi-commands.h"
#include "vmm/machine.h"

void hmp_cmd_help(HmpOut *out, json_object *args, Error **errp)
{
	json_object *name = NULL;

	json_object_object_get_ex(args, "name", &name);
	hmp_help(out, name ? json_object_get_string(name) : NULL);
}

void hmp_cmd_info(HmpOut *out, json_object *args, Error **errp)
{
	hmp_help(out, "info");
}

/* As QEMU's hmp_cpu: the index of one of the vCPUs. */
void hmp_cmd_cpu(HmpOut *out, json_object *args, Error **errp)
{
	int64_t want = json_object_get_int64(json_object_object_get(args, "index"));

	if (want < 0 || want >= monitor_machine()->nr_vcpus)
		hmp_printf(out, "invalid CPU index\n");
	else
		out->s->cpu = (int)want;
}

/* As QEMU's hmp_info_version: "major.minor.micro" and the package with no space between
 * ("7.2.22Debian 1:7.2+dfsg-7", ours "7.2.0tinyvmm 0.1.0"). */
void hmp_cmd_info_version(HmpOut *out, json_object *args, Error **errp)
{
	VersionInfo *v = qmp_query_version(errp);

	if (!v)
		return;
	hmp_printf(out, "%lld.%lld.%lld%s\n", (long long)v->qemu->major, (long long)v->qemu->minor,
		   (long long)v->qemu->micro, v->package);
	VersionInfo_free(v);
}

void hmp_cmd_info_commands(HmpOut *out, json_object *args, Error **errp)
{
	CommandInfoList *list = qmp_query_commands(errp), *c;

	for (c = list; c; c = c->next)
		hmp_printf(out, "%s\n", c->value->name);
	CommandInfoList_free(list);
}
