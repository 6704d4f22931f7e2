/* JSON output as QEMU writes it: one line, ASCII only with \uXXXX escapes, ", " and ": ". */
#ifndef MONITOR_JSON_OUT_H
#define MONITOR_JSON_OUT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The JSON text of o followed by "\r\n", malloc'd; NULL when out of memory. pretty: QEMU's
 * pretty=on form (4-space indents, a member per line, lines ending "\r\n").
 */
char *json_out_line(json_object *o, bool pretty, size_t *len);

#endif
