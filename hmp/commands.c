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

#define ARGS(a) (a), (int)(sizeof(a) / sizeof((a)[0]))

/* name, params, help, the arguments, the call (as the generated table) */
const HmpCommandDef hmp_local_commands[] = {
	{ "help|?", "[cmd]", "show the help", ARGS(help_args), hmp_cmd_help },
	{ "info", "[subcommand]", "show various information about the system state", NULL, 0,
	  hmp_cmd_info },
	{ "cpu", "index", "set the default CPU", ARGS(cpu_args), hmp_cmd_cpu },
	{ "x", "/fmt addr", "virtual memory dump starting at 'addr'", ARGS(dump_args), hmp_cmd_x },
	{ "xp", "/fmt addr", "physical memory dump starting at 'addr'", ARGS(dump_args),
	  hmp_cmd_xp },
	{ "info registers", "[-a|vcpu]",
	  "show the cpu registers (-a: show register info for all cpus; vcpu: specific vCPU to "
	  "query; show the current CPU's registers if no argument is specified)",
	  ARGS(registers_args), hmp_cmd_info_registers },
	{ "info mtree", NULL, "show memory tree", NULL, 0, hmp_cmd_info_mtree },
	{ "info qom-tree", NULL, "show QOM composition tree", NULL, 0, hmp_cmd_info_qom_tree },
	{ "info qtree", "", "show device tree", NULL, 0, hmp_cmd_info_qtree },
	{ "device_add", "driver[,prop=value][,...]", "add device, like -device on the command line",
	  ARGS(device_add_args), hmp_cmd_device_add },
	{ "qom-set", "[-j] path property value",
	  "set QOM property.\n\t\t\t-j: the value is specified in json format.", ARGS(qom_set_args),
	  hmp_cmd_qom_set },
	{ "info version", NULL, "show the version of tinyvmm", NULL, 0, hmp_cmd_info_version },
	{ "info commands", NULL, "list the QMP commands", NULL, 0, hmp_cmd_info_commands },
};

const size_t hmp_local_commands_count = sizeof(hmp_local_commands) / sizeof(hmp_local_commands[0]);
