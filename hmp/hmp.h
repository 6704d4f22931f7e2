/* The human monitor (HMP): consoles on stdio, sockets and the mux, and the one line interpreter. */
#ifndef HMP_HMP_H
#define HMP_HMP_H

#include <stdbool.h>

struct machine;
struct vm_config;
struct mainloop;
struct hmp_editor;

/*
 * Starts every -monitor console of cfg and, for -nographic / -serial mon:stdio,
 * the mux that shares the terminal with the serial port. Terminal consoles edit
 * lines with ed (hmp_readline_editor() in the tinyvmm binary).
 * Returns false with a message printed.
 */
bool hmp_start(struct machine *m, const struct vm_config *cfg, struct mainloop *loop,
	       const struct hmp_editor *ed);
/* After the main loop: socket consoles get their queued output, then EOF (hmp_flushed()). */
void hmp_shutdown(void);
bool hmp_flushed(void);
/* Closes every console; the terminal is restored. */
void hmp_stop(void);

/*
 * Runs one command line as the monitor would, with vCPU cpu_index selected (-1:
 * the default, vCPU 0). Returns the malloc'd output, lines ending "\r\n" (NULL only
 * when out of memory).
 * Called with the big lock held, on the main thread.
 */
char *hmp_run_line(const char *line, int cpu_index);

#endif
