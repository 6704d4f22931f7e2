/* x and xp: QEMU's memory_dump over memory_read() (virtual via the selected vCPU, or physical). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hmp/hmp-int.h"
#include "monitor/monitor.h"

#define DUMP_MAX (1 << 20) /* bytes one x/xp may show */

static void print_char(HmpOut *out, unsigned c)
{
	if (c == '\'')
		hmp_printf(out, "'\\''");
	else if (c == '\\')
		hmp_printf(out, "'\\\\'");
	else if (c == '\n')
		hmp_printf(out, "'\\n'");
	else if (c == '\r')
		hmp_printf(out, "'\\r'");
	else if (c >= 32 && c <= 126)
		hmp_printf(out, "'%c'", c);
	else
		hmp_printf(out, "'\\x%02x'", c);
}

static uint64_t load(const uint8_t *p, int size)
{
	uint64_t v = 0;
	int i;

	for (i = size - 1; i >= 0; i--) /* little-endian, as the guest stores it */
		v = v << 8 | p[i];
	return v;
}

/* QEMU's memory_dump(), output identical for formats x d u o c i and units b h w g. */
static void dump(HmpOut *out, json_object *args, bool physical, Error **errp)
{
	int64_t count = json_object_get_int64(json_object_object_get(args, "count"));
	int wsize = json_object_get_int(json_object_object_get(args, "size"));
	uint64_t addr = json_object_get_uint64(json_object_object_get(args, "addr"));
	const char *f = json_object_get_string(json_object_object_get(args, "format"));
	char format = f ? f[0] : 'x';
	int line_size = wsize == 1 ? 8 : 16, digits, i;
	int64_t len = (format == 'i' ? 16 : wsize) * count; /* an instruction: up to 15 bytes */
	uint8_t buf[16];

	if (len > DUMP_MAX) {
		error_setg(errp, "at most %d bytes can be dumped at once", DUMP_MAX);
		return;
	}
	if (format == 'i') {
		hmp_disas(out, addr, count, physical, errp);
		return;
	}
	switch (format) {
	case 'o':
		digits = (wsize * 8 + 2) / 3;
		break;
	case 'u':
	case 'd':
		digits = (wsize * 8 * 10 + 32) / 33;
		break;
	case 'c':
		wsize = 1;
		digits = 0;
		break;
	default:
		digits = wsize * 2;
		break;
	}
	while (len > 0) {
		int l = len > line_size ? line_size : (int)len;

		hmp_printf(out, "%016" PRIx64 ":", addr);
		if (!memory_read(monitor_machine(), addr, (uint64_t)l, !physical, out->s->cpu, buf,
				 NULL)) {
			hmp_printf(out, " Cannot access memory\n");
			return;
		}
		for (i = 0; i < l; i += wsize) {
			uint64_t v = load(buf + i, wsize);

			hmp_printf(out, " ");
			if (format == 'o')
				hmp_printf(out, "%#*" PRIo64, digits, v);
			else if (format == 'u')
				hmp_printf(out, "%*" PRIu64, digits, v);
			else if (format == 'd')
				hmp_printf(out, "%*" PRId64, digits, (int64_t)v);
			else if (format == 'c')
				print_char(out, (unsigned)v);
			else
				hmp_printf(out, "0x%0*" PRIx64, digits, v);
		}
		hmp_printf(out, "\n");
		addr += (uint64_t)l;
		len -= l;
	}
}

void hmp_cmd_x(HmpOut *out, json_object *args, Error **errp)
{
	dump(out, args, false, errp);
}

void hmp_cmd_xp(HmpOut *out, json_object *args, Error **errp)
{
	dump(out, args, true, errp);
}
