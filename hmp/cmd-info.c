/* HMP-only commands: help, info (the topic list), cpu N, info version, info commands. */
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"

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

/* As QEMU's hmp_cpu: the index must be one of query-cpus-fast's. */
void hmp_cmd_cpu(HmpOut *out, json_object *args, Error **errp)
{
	int64_t want = (int64_t)hmp_json_u64(args, "index");
	json_object *cpus = hmp_call_qmp("query-cpus-fast", NULL, errp);
	size_t i, n;

	if (!cpus)
		return;
	n = json_object_is_type(cpus, json_type_array) ? json_object_array_length(cpus) : 0;
	for (i = 0; i < n; i++) {
		if ((int64_t)hmp_json_u64(json_object_array_get_idx(cpus, i), "cpu-index") ==
		    want) {
			out->s->cpu = (int)want;
			json_object_put(cpus);
			return;
		}
	}
	json_object_put(cpus);
	hmp_printf(out, "invalid CPU index\n");
}

/* QEMU prints "major.minor.micro" and the package; ours reads "7.2.0 (tinyvmm 0.1.0)". */
void hmp_cmd_info_version(HmpOut *out, json_object *args, Error **errp)
{
	json_object *v = hmp_call_qmp("query-version", NULL, errp);
	json_object *q = NULL, *pkg = NULL;
	const char *p;

	if (!v)
		return;
	json_object_object_get_ex(v, "qemu", &q);
	json_object_object_get_ex(v, "package", &pkg);
	p = pkg ? json_object_get_string(pkg) : "";
	hmp_printf(out, "%llu.%llu.%llu%s%s%s\n", (unsigned long long)hmp_json_u64(q, "major"),
		   (unsigned long long)hmp_json_u64(q, "minor"),
		   (unsigned long long)hmp_json_u64(q, "micro"), *p ? " (" : "", p, *p ? ")" : "");
	json_object_put(v);
}

void hmp_cmd_info_commands(HmpOut *out, json_object *args, Error **errp)
{
	json_object *list = hmp_call_qmp("query-commands", NULL, errp);
	size_t i, n;

	if (!list)
		return;
	n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
	for (i = 0; i < n; i++) {
		json_object *name = NULL;

		json_object_object_get_ex(json_object_array_get_idx(list, i), "name", &name);
		if (name)
			hmp_printf(out, "%s\n", json_object_get_string(name));
	}
	json_object_put(list);
}
