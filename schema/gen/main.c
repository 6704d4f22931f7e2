/* qapi-gen: turns the JSON command schema into C types, marshallers, events and tables. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "schema.h"

static int usage(void)
{
	fprintf(stderr, "usage: qapi-gen [-o OUTDIR] [-p PREFIX] [-d DEPFILE] ROOT.json\n");
	return 1;
}

/* A make-style depfile: the first output depends on every schema file read (for ninja). */
static bool write_depfile(const struct schema *s, const char *path, const char *dir,
			  const char *prefix)
{
	FILE *f = fopen(path, "w");
	const char *p;
	int i;

	if (!f) {
		fprintf(stderr, "qapi-gen: cannot write %s\n", path);
		return false;
	}
	fprintf(f, "%s/%sqapi-types.h:", dir, prefix);
	for (i = 0; i < s->nfiles; i++) {
		fputc(' ', f);
		for (p = s->files[i]; *p; p++) {
			if (*p == ' ' || *p == '#' || *p == '\\')
				fputc('\\', f);
			else if (*p == '$')
				fputc('$', f);
			fputc(*p, f);
		}
	}
	fputc('\n', f);
	return fclose(f) == 0;
}

int main(int argc, char **argv)
{
	const char *dir = ".", *prefix = "", *depfile = NULL;
	struct schema s;
	int opt;

	while ((opt = getopt(argc, argv, "o:p:d:")) != -1) {
		if (opt == 'o')
			dir = optarg;
		else if (opt == 'p')
			prefix = optarg;
		else if (opt == 'd')
			depfile = optarg;
		else
			return usage();
	}
	if (optind != argc - 1)
		return usage();
	if (!schema_load(&s, argv[optind]))
		return 1;
	if (!emit_types(&s, dir, prefix) || !emit_commands(&s, dir, prefix) ||
	    !emit_events(&s, dir, prefix) || !emit_introspect(&s, dir, prefix) ||
	    !emit_hmp(&s, dir, prefix) || (depfile && !write_depfile(&s, depfile, dir, prefix)))
		return 1;
	return 0;
}
