/* The machine configuration that the command line produces. */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/chardev.h"

#define CONFIG_MAX_VCPUS    64
#define CONFIG_MAX_MONITORS 8
#define CONFIG_MAX_CHARDEVS 16
#define CONFIG_MAX_ADD_FD   64
#define CONFIG_MAX_DEVICES  64
#define CONFIG_MAX_GLOBALS  64

/* -add-fd fd=N,set=S[,opaque=STR]: an inherited descriptor for fd set S */
struct add_fd_spec {
	int fd;
	int64_t set;
	bool has_opaque;
	char opaque[256];
};

struct vm_config {
	uint64_t ram_size; /* bytes */
	int nr_vcpus;
	const char *name;   /* -name, or NULL */
	bool start_paused;  /* -S */
	const char *flat;   /* -flat FILE, or NULL for the embedded demo guest */
	const char *kernel; /* -kernel bzImage */
	const char *initrd;
	const char *append;
	struct chardev_spec serial;
	struct chardev_spec debugcon;
	struct chardev_spec gdb; /* -gdb DEV, -s */
	bool has_gdb;
	struct chardev_spec qmp[CONFIG_MAX_MONITORS];
	int nr_qmp;
	struct chardev_spec monitor[CONFIG_MAX_MONITORS];
	int nr_monitor;
	struct chardev_spec unused[CONFIG_MAX_CHARDEVS]; /* -chardev that nothing uses */
	int nr_unused;
	struct add_fd_spec add_fd[CONFIG_MAX_ADD_FD];
	int nr_add_fd;
	const char *devices[CONFIG_MAX_DEVICES]; /* -device TYPE[,prop=val...], in order (argv's) */
	int nr_devices;
	const char *globals[CONFIG_MAX_GLOBALS]; /* -global TYPE.prop=val (argv's) */
	int nr_globals;
};

#endif
