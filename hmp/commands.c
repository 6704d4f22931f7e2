/* The table of HMP-only commands: those without a schema entry of their own (as QEMU's .hx). */
#include "hmp/hmp-int.h"

static const HmpArgSpec help_args[] = {
	{ .name = "name", .type = "rest", .optional = true },
};
static const HmpArgSpec cpu_args[] = {
	{ .name = "index", .type = "int" },
};
static const HmpArgSpec dump_args[] = {
	{ .name = "fmt", .type = "fmt" },
	{ .name = "addr", .type = "uint64" },
};
static const HmpArgSpec device_add_args[] = {
	{ .name = "device", .type = "rest" },
};
static const HmpArgSpec qom_set_args[] = {
	{ .name = "json", .type = "bool", .optional = true, .flag = 'j' },
	{ .name = "path", .type = "str" },
	{ .name = "property", .type = "str" },
	{ .name = "value", .type = "rest" },
};
static const HmpArgSpec registers_args[] = {
	{ .name = "all", .type = "bool", .optional = true, .flag = 'a' },
	{ .name = "vcpu", .type = "int", .optional = true },
};

#define ARGS(a) .args = (a), .nargs = (int)(sizeof(a) / sizeof((a)[0]))

const HmpCommandDef hmp_local_commands[] = {
	{ .name = "help|?",
	  .params = "[cmd]",
	  .help = "show the help",
	  ARGS(help_args),
	  .call = hmp_cmd_help },
	{ .name = "info",
	  .params = "[subcommand]",
	  .help = "show various information about the system state",
	  .call = hmp_cmd_info },
	{ .name = "cpu",
	  .params = "index",
	  .help = "set the default CPU",
	  ARGS(cpu_args),
	  .call = hmp_cmd_cpu },
	{ .name = "x",
	  .params = "/fmt addr",
	  .help = "virtual memory dump starting at 'addr'",
	  ARGS(dump_args),
	  .call = hmp_cmd_x },
	{ .name = "xp",
	  .params = "/fmt addr",
	  .help = "physical memory dump starting at 'addr'",
	  ARGS(dump_args),
	  .call = hmp_cmd_xp },
	{ .name = "info registers",
	  .params = "[-a|vcpu]",
	  .help = "show the cpu registers (-a: show register info for all cpus; vcpu: specific "
		  "vCPU to query; show the current CPU's registers if no argument is specified)",
	  ARGS(registers_args),
	  .call = hmp_cmd_info_registers },
	{ .name = "info mtree", .help = "show memory tree", .call = hmp_cmd_info_mtree },
	{ .name = "info qom-tree",
	  .help = "show QOM composition tree",
	  .call = hmp_cmd_info_qom_tree },
	{ .name = "info qtree",
	  .params = "",
	  .help = "show device tree",
	  .call = hmp_cmd_info_qtree },
	{ .name = "device_add",
	  .params = "driver[,prop=value][,...]",
	  .help = "add device, like -device on the command line",
	  ARGS(device_add_args),
	  .call = hmp_cmd_device_add },
	{ .name = "qom-set",
	  .params = "[-j] path property value",
	  .help = "set QOM property.\n\t\t\t-j: the value is specified in json format.",
	  ARGS(qom_set_args),
	  .call = hmp_cmd_qom_set },
	{ .name = "info version",
	  .help = "show the version of tinyvmm",
	  .call = hmp_cmd_info_version },
	{ .name = "info commands", .help = "list the QMP commands", .call = hmp_cmd_info_commands },
};

const size_t hmp_local_commands_count = sizeof(hmp_local_commands) / sizeof(hmp_local_commands[0]);
