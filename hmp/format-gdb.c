/* gdbserver: x-gdbserver's line, as QEMU's hmp_gdbserver prints it. */
#include "hmp/hmp-int.h"
#include "qapi-commands.h"

void hmp_format_x_gdbserver(HmpOut *out, const char *ret)
{
	hmp_printf(out, "%s\n", ret);
}
