/* The keyboard controller, only as far as reset needs: 0xfe to port 0x64 resets the machine. */
#ifndef VMM_DEV_I8042_H
#define VMM_DEV_I8042_H

struct machine;

#define I8042_DATA_PORT	   0x60
#define I8042_COMMAND_PORT 0x64

/* Claims ports 0x60 and 0x64; 0 or -errno. */
int i8042_init(struct machine *m);

#endif
