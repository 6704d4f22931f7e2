/* libFuzzer target: qapi-gen's loader and validator on arbitrary bytes as a schema file, and its
 * emitters on what it accepts. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
FILE *__real_fopen(const char *path, const char *mode);
FILE *__wrap_fopen(const char *path, const char *mode);
FILE *__real_fopen64(const char *path, const char *mode);
FILE *__wrap_fopen64(const char *path, const char *mode);

static char dir[4000], root[4096], out[4096];

/*
 * Includes are read relative to the schema file: the loader (linked with
 * -Wl,--wrap=fopen,--wrap=fopen64) may open nothing outside the private
 * directory, so an input naming "../../dev/stdin" or a FIFO can neither block
 * nor read the host.
 */
static bool inside(const char *path)
{
	size_t n = strlen(dir);

	if (strncmp(path, dir, n) || path[n] != '/' || strstr(path + n, "/..")) {
		errno = EACCES;
		return false;
	}
	return true;
}

FILE *__wrap_fopen(const char *path, const char *mode)
{
	return inside(path) ? __real_fopen(path, mode) : NULL;
}

/* with _FILE_OFFSET_BITS=64 (meson's default) glibc's headers make fopen() fopen64() */
FILE *__wrap_fopen64(const char *path, const char *mode)
{
	return inside(path) ? __real_fopen64(path, mode) : NULL;
}

static void remove_dir(void)
{
	char cmd[4096 + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		/* a temporary directory left behind is harmless */
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(dir, sizeof(dir), "%s/tvmm-fuzz-schema-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(remove_dir);
	snprintf(root, sizeof(root), "%s/root.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	if (mkdir(out, 0700) < 0)
		abort();
	return 0;
}

static void free_members(struct member *ms, int n)
{
	for (int i = 0; i < n; i++) {
		free(ms[i].name);
		free(ms[i].c_name);
		free(ms[i].type_ref);
	}
	free(ms);
}

/* The loader never frees its model (qapi-gen exits); free what it keeps, best effort. */
static void free_schema(struct schema *s)
{
	for (int i = 0; i < s->ntypes; i++) {
		struct type *t = s->types[i];

		for (int j = 0; j < t->nvalues; j++)
			free(t->values[j]);
		free(t->values);
		free_members(t->members, t->nmembers);
		free(t->name);
		free(t->doc);
		if (t->meta != META_BUILTIN)
			free((char *)t->file);
		free(t);
	}
	free(s->types);
	for (int i = 0; i < s->ncommands; i++) {
		struct command *c = &s->commands[i];

		free_members(c->members, c->nmembers);
		free(c->ret.name);
		free(c->ret.type_ref);
		if (c->hmp) {
			free(c->hmp->name);
			free(c->hmp->params);
			free(c->hmp->help);
			free(c->hmp->args);
			free(c->hmp);
		}
		free(c->name);
		free(c->c_name);
		free(c->doc);
		free((char *)c->file);
	}
	free(s->commands);
	for (int i = 0; i < s->nevents; i++) {
		free_members(s->events[i].members, s->events[i].nmembers);
		free(s->events[i].name);
		free(s->events[i].c_name);
		free(s->events[i].doc);
		free((char *)s->events[i].file);
	}
	free(s->events);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schema s;
	int fd = open(root, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) < 0)
		abort();
	if (schema_load(&s, root)) {
		/* a schema the loader accepts must generate: the emitters may not crash on it */
		emit_types(&s, out, "f-");
		emit_commands(&s, out, "f-");
		emit_events(&s, out, "f-");
		emit_introspect(&s, out, "f-");
		emit_hmp(&s, out, "f-");
	}
	free_schema(&s);
	return 0;
}
