/* The command line, in QEMU's syntax, parsed into a vm_config. */
#ifndef VMM_CLI_H
#define VMM_CLI_H

#include <stddef.h>

#include "vmm/config.h"

enum cli_result { CLI_RUN, CLI_EXIT_OK, CLI_ERROR };

/*
 * Fills cfg from argv. CLI_EXIT_OK after -h or --version (printed to out),
 * CLI_ERROR with a one-line message in err (no "tinyvmm: " prefix).
 */
enum cli_result cli_parse(int argc, const char *const *argv, struct vm_config *cfg, char *err,
			  size_t errlen);
/* The line after an error message: "Try 'tinyvmm -h' for more information.\n". */
const char *cli_try_help(void);

#endif
