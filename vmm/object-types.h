/* The table of object types (vmm/object-types.c): QEMU's names for what tinyvmm has. */
#ifndef VMM_OBJECT_TYPES_H
#define VMM_OBJECT_TYPES_H

#include "vmm/object.h"

/* The machine's type: tinyvmm's own board, a child of QEMU's abstract "machine". */
#define OBJECT_MACHINE_TYPE "tinyvmm-machine"
#define OBJECT_CPU_TYPE	    "host-x86_64-cpu"

extern const struct object_type *const object_types[];
extern const int object_nr_types;

#endif
