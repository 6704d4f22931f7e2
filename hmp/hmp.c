/* Starts and stops the human monitor's consoles: sockets, -monitor stdio and the mux. */
#include <stdio.h>

#include "hmp/hmp-int.h"
#include "hmp/hmp.h"
#include "vmm/chardev.h"
#include "vmm/config.h"
#include "vmm/machine.h"

static struct {
	struct hmp_server *servers[CONFIG_MAX_MONITORS];
	int nr_servers;
	struct chardev *stdio_chr; /* -monitor stdio */
	struct hmp_term *term;
	struct hmp_mux *mux;
} hmp;

static void on_stdio(void *opaque, const uint8_t *buf, size_t len)
{
	hmp_term_input(opaque, buf, len);
}

static const struct chardev_frontend stdio_frontend = { .input = on_stdio };

static bool start_stdio(const struct chardev_spec *spec, struct mainloop *loop,
			const struct hmp_editor *ed)
{
	struct chardev_spec s = *spec;
	char err[256];

	s.kind = CHR_STDIO;
	hmp.stdio_chr = chardev_open(&s, loop, err, sizeof(err));
	if (!hmp.stdio_chr) {
		fprintf(stderr, "tinyvmm: -monitor stdio: %s\n", err);
		return false;
	}
	hmp.term = hmp_term_new(hmp.stdio_chr, ed, true);
	if (!hmp.term)
		return false;
	chardev_set_frontend(hmp.stdio_chr, &stdio_frontend, hmp.term);
	return true;
}

bool hmp_start(struct machine *m, const struct vm_config *cfg, struct mainloop *loop,
	       const struct hmp_editor *ed)
{
	int i;

	for (i = 0; i < cfg->nr_monitor; i++) {
		const struct chardev_spec *spec = &cfg->monitor[i];

		if (spec->kind == CHR_UNIX || spec->kind == CHR_TCP) {
			hmp.servers[hmp.nr_servers] = hmp_server_new(spec, loop);
			if (!hmp.servers[hmp.nr_servers])
				return false;
			hmp.nr_servers++;
		} else if ((spec->kind == CHR_STDIO || spec->kind == CHR_MON_STDIO) &&
			   !hmp.stdio_chr) {
			if (!start_stdio(spec, loop, ed))
				return false;
		}
	}
	if (cfg->serial.kind == CHR_MON_STDIO && m->serial_chr) {
		hmp.mux = hmp_mux_new(m->serial_chr, ed);
		if (!hmp.mux)
			return false;
	}
	return true;
}

void hmp_shutdown(void)
{
	int i;

	for (i = 0; i < hmp.nr_servers; i++)
		hmp_server_shutdown(hmp.servers[i]);
}

bool hmp_flushed(void)
{
	int i;

	for (i = 0; i < hmp.nr_servers; i++)
		if (!hmp_server_flushed(hmp.servers[i]))
			return false;
	return true;
}

void hmp_stop(void)
{
	int i;

	hmp_mux_free(hmp.mux);
	hmp.mux = NULL;
	hmp_term_free(hmp.term);
	hmp.term = NULL;
	chardev_close(hmp.stdio_chr);
	hmp.stdio_chr = NULL;
	for (i = 0; i < hmp.nr_servers; i++)
		hmp_server_free(hmp.servers[i]);
	hmp.nr_servers = 0;
}
