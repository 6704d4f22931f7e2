/* The command line's named character devices: -chardev, -mon chardev=ID and DEV chardev:ID. */
#ifndef VMM_CLI_CHARDEV_H
#define VMM_CLI_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/config.h"

/* What -chardev and -mon said, resolved once the whole command line is read (as QEMU does). */
struct cli_chardevs {
	struct {
		char id[64];
		struct chardev_spec spec;
		int users;
	} dev[CONFIG_MAX_CHARDEVS];
	int nr_dev;
	struct {
		const char *arg; /* as given, for messages */
		char id[64];
		bool control, pretty;
	} mon[CONFIG_MAX_MONITORS * 2];
	int nr_mon;
	const char *serial, *debugcon,
		*gdb; /* "chardev:ID", as given to -serial, -debugcon, -gdb */
};

/* Each returns false with "OPTION ARG: message" (QEMU's message) in err. */
bool cli_chardev_add(struct cli_chardevs *t, const char *arg, char *err, size_t errlen);
bool cli_mon_add(struct cli_chardevs *t, const char *arg, char *err, size_t errlen);
/* Fills cfg's serial, debugcon, qmp and monitor lists from the references. */
bool cli_chardevs_resolve(struct cli_chardevs *t, struct vm_config *cfg, char *err, size_t errlen);

#endif
