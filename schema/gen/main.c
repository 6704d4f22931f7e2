/* qapi-gen: turns the JSON command schema into C types, marshallers, events and tables. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "schema.h"

static int usage(void)
{
	fprintf(stderr, "usage: qapi-gen [-o OUTDIR] [-p PREFIX] ROOT.json\n");
	return 1;
}

int main(int argc, char **argv)
{
	const char *dir = ".", *prefix = "";
	struct schema s;
	int opt;

	while ((opt = getopt(argc, argv, "o:p:")) != -1) {
		if (opt == 'o')
			dir = optarg;
		else if (opt == 'p')
			prefix = optarg;
		else
			return usage();
	}
	if (optind != argc - 1)
		return usage();
	if (!schema_load(&s, argv[optind]))
		return 1;
	if (!emit_types(&s, dir, prefix) || !emit_commands(&s, dir, prefix) ||
	    !emit_events(&s, dir, prefix) || !emit_introspect(&s, dir, prefix) ||
	    !emit_hmp(&s, dir, prefix))
		return 1;
	return 0;
}
