/* libFuzzer target: the HMP line parser (hmp/parse.c) for every command's argument spec, plus its
 * number and size readers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_NAMES 512

static char *names[MAX_NAMES], *topics[MAX_NAMES];
static size_t nr_names, nr_topics;

static void add_name(const char *name, void *opaque)
{
	char **v = opaque == names ? names : topics;
	size_t *n = opaque == names ? &nr_names : &nr_topics;

	if (*n < MAX_NAMES)
		v[(*n)++] = strdup(name); /* the name may live in a buffer of the caller */
}

/*
 * Input: byte 0 picks a command (or an info topic) by index, the rest is the
 * argument text after the command's name, exactly as the interpreter passes it
 * to hmp_parse_args() (a NUL ends it; at most HMP_LINE_MAX bytes).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const HmpCommandDef *def;
	char line[HMP_LINE_MAX + 1], err[256];
	json_object *args;
	uint64_t u;
	int64_t i;
	size_t n, pick;

	if (!nr_names) {
		hmp_for_each_name(false, add_name, names);
		hmp_for_each_name(true, add_name, topics);
		if (!nr_names)
			abort();
	}
	if (size < 1)
		return 0;
	pick = data[0] % (nr_names + nr_topics);
	def = pick < nr_names ? hmp_find_command(names[pick], NULL)
			      : hmp_find_command("info", topics[pick - nr_names]);
	n = size - 1 < HMP_LINE_MAX ? size - 1 : HMP_LINE_MAX;
	memcpy(line, data + 1, n);
	line[n] = '\0';
	if (def) {
		err[0] = '\0';
		args = hmp_parse_args(def, line, err, sizeof(err));
		if (!args && !err[0])
			abort(); /* a refusal always says why */
		if (args)
			json_object_to_json_string(args);
		json_object_put(args);
	}
	hmp_parse_int(line, &i);
	hmp_parse_size(line, &u);
	return 0;
}
