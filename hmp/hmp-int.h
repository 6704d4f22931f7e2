/* Inside the human monitor: the output buffer, sessions, the parser, the command tables. */
#ifndef HMP_HMP_INT_H
#define HMP_HMP_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor/error.h"
#include "qapi-hmp.h"
#include "vmm/outbuf.h"

/* Longest command line a console accepts, in bytes (as QEMU's readline buffer). */
#define HMP_LINE_MAX 4095
/* The one line a console prints for a longer line (which is not run). */
#define HMP_TOO_LONG "line too long: at most 4095 bytes\r\n"

/* One console's state that outlives a command: the vCPU that cpu N selected. */
struct hmp_session {
	int cpu;
};

/* Where a command's text goes; hmp_printf turns "\n" into "\r\n" as QEMU's monitor does. */
struct HmpOut {
	struct outbuf text; /* not NUL-terminated */
	struct hmp_session *s;
};

/* Prints the error's message as one line and frees it. */
void hmp_print_error(HmpOut *out, Error *err);

/* Runs one line in session s; the malloc'd output (NULL only when out of memory). */
char *hmp_session_run(struct hmp_session *s, const char *line);

/*
 * Parses the arguments after a command's name by def->args into a JSON object.
 * Returns NULL with a one-line reason in err.
 */
json_object *hmp_parse_args(const HmpCommandDef *def, const char *p, char *err, size_t errlen);
/* A signed integer as QEMU's monitor reads one: decimal, 0x hex, 0 octal, leading '-'. */
bool hmp_parse_int(const char *s, int64_t *val);
/* A size: an integer with an optional k, M, G, T suffix (binary), or B for bytes. */
bool hmp_parse_size(const char *s, uint64_t *val);

/* The commands that have no schema entry: help, cpu, x, xp, info registers/mtree/... */
extern const HmpCommandDef hmp_local_commands[];
extern const size_t hmp_local_commands_count;

/* Looks a command up by the words of a line ("info status", "c"); NULL if unknown. */
const HmpCommandDef *hmp_find_command(const char *name, const char *topic);
/* Calls fn for every name a user may type first (with aliases), or every info topic. */
void hmp_for_each_name(bool info_topics, void (*fn)(const char *name, void *opaque), void *opaque);
/* "help" and "help NAME" */
void hmp_help(HmpOut *out, const char *name);

/* The HMP-only commands (hmp/cmd-*.c, hmp/format-*.c). */
void hmp_cmd_help(HmpOut *out, json_object *args, Error **errp);
void hmp_cmd_info(HmpOut *out, json_object *args, Error **errp);
void hmp_cmd_cpu(HmpOut *out, json_object *args, Error **errp);
void hmp_cmd_x(HmpOut *out, json_object *args, Error **errp);
void hmp_cmd_xp(HmpOut *out, json_object *args, Error **errp);
/* count (at least one) instructions at addr, virtual through the console's vCPU or physical. */
void hmp_disas(HmpOut *out, uint64_t addr, int64_t count, bool physical, Error **errp);
void hmp_cmd_info_registers(HmpOut *out, json_object *args, Error **errp);
void hmp_cmd_info_mtree(HmpOut *out, json_object *args, Error **errp);
void hmp_cmd_info_qom_tree(HmpOut *out, json_object *args, Error **errp);
void hmp_cmd_qom_set(HmpOut *out, json_object *args, Error **errp);
void hmp_cmd_info_qtree(HmpOut *out, json_object *args, Error **errp);
/* info qtree's lines for the PCI function at addr ("04.0"), from query-pci (format-pci.c). */
void hmp_qtree_pci_dev(HmpOut *out, const char *addr, int indent);
void hmp_cmd_device_add(HmpOut *out, json_object *args, Error **errp);
void hmp_cmd_info_version(HmpOut *out, json_object *args, Error **errp);
void hmp_cmd_info_commands(HmpOut *out, json_object *args, Error **errp);

/*
 * A line editor for a terminal console (GNU readline in hmp/readline.c). Input
 * bytes are fed to it; it echoes, edits, keeps history and completes, and calls
 * on_line with each finished line. Only one terminal console exists at a time.
 */
struct hmp_editor {
	void (*start)(const char *prompt, void (*on_line)(void *opaque, const char *line),
		      void *opaque);
	void (*feed)(const uint8_t *buf, size_t len);
	void (*hide)(void); /* the mux switched to the serial port */
	void (*show)(void); /* and back: the prompt and the line are drawn again */
	void (*stop)(void);
};

/* A monitor on the terminal (stdio or the mux). */
struct hmp_term;
struct chardev;
/* Output goes to chr with the backend's raw writes; lines are edited by ed. */
struct hmp_term *hmp_term_new(struct chardev *chr, const struct hmp_editor *ed, bool shown);
void hmp_term_input(struct hmp_term *t, const uint8_t *buf, size_t len);
void hmp_term_show(struct hmp_term *t, bool on);
void hmp_term_free(struct hmp_term *t);

/* Socket consoles (hmp/console.c). */
struct mainloop;
struct chardev_spec;
struct hmp_server;
/* Listens (wait=on: until the first client); NULL with a message printed. */
struct hmp_server *hmp_server_new(const struct chardev_spec *spec, struct mainloop *loop);
/* At exit: each client gets what is queued, then EOF; flushed once every client is gone. */
void hmp_server_shutdown(struct hmp_server *srv);
bool hmp_server_flushed(const struct hmp_server *srv);
void hmp_server_free(struct hmp_server *srv);

/* The mux of mon:stdio (hmp/mux.c). */
struct hmp_mux;
struct hmp_mux *hmp_mux_new(struct chardev *chr, const struct hmp_editor *ed);
void hmp_mux_free(struct hmp_mux *mux);

/* Banner and prompt, shared by every console. */
#define HMP_BANNER "tinyvmm " TINYVMM_VERSION " monitor - type 'help' for more information\r\n"
#define HMP_PROMPT "(tinyvmm) "

#endif
