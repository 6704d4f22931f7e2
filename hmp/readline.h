/* The GNU readline line editor for terminal consoles (linked into the tinyvmm binary only). */
#ifndef HMP_READLINE_H
#define HMP_READLINE_H

struct hmp_editor;

const struct hmp_editor *hmp_readline_editor(void);

#endif
