/* info name, info kvm, info cpus: the machine queries as QEMU's HMP prints them. */
#include <inttypes.h>

#include "hmp/hmp-int.h"
#include "qapi-commands.h"

void hmp_format_query_name(HmpOut *out, const NameInfo *ret)
{
	if (ret->has_name)
		hmp_printf(out, "%s\n", ret->name);
}

void hmp_format_query_kvm(HmpOut *out, const KvmInfo *ret)
{
	hmp_printf(out, "kvm support: ");
	if (ret->present)
		hmp_printf(out, "%s\n", ret->enabled ? "enabled" : "disabled");
	else
		hmp_printf(out, "not compiled\n");
}

/* '*' marks the console's selected vCPU (cpu N). */
void hmp_format_query_cpus_fast(HmpOut *out, const CpuInfoFastList *ret)
{
	const CpuInfoFastList *c;

	for (c = ret; c; c = c->next)
		hmp_printf(out, "%c CPU #%" PRId64 ": thread_id=%" PRId64 "\n",
			   c->value->cpu_index == out->s->cpu ? '*' : ' ',
			   (int64_t)c->value->cpu_index, (int64_t)c->value->thread_id);
}

/* "label: filename=..." per line, as QEMU's info chardev. */
void hmp_format_query_chardev(HmpOut *out, const ChardevInfoList *ret)
{
	for (; ret; ret = ret->next)
		hmp_printf(out, "%s: filename=%s\n", ret->value->label, ret->value->filename);
}
