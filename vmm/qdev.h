/* Devices on buses: the one path that creates, realizes, resets and frees every device. */
#ifndef VMM_QDEV_H
#define VMM_QDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vmm/iospace.h"
#include "vmm/object.h"

/*
 * Buses are objects of a type descending from "bus" whose name is the bus type a device names
 * in its type's bus_type ("System", "ISA"; "PCI"...). main-system-bus (/machine/unattached/sysbus)
 * is made with the tree; any other bus is made by its bridge device's realize, qdev_bus_new().
 * A device plugs into the bus -device's bus=NAME gives, or else into the first bus made of its
 * bus_type; its "parent_bus" link names it and the bus lists it in bus_children.
 */
/* A new bus named name (QEMU's: "isa.0", "pci.0") of type bus_type, a child of dev. */
struct object *qdev_bus_new(struct object *dev, const char *bus_type, const char *name);
/* The bus named name; NULL when there is none. */
struct object *qdev_bus_find(const char *name);
/* A bus's name as info qtree and bus= give it: "main-system-bus", "isa.0". */
const char *qdev_bus_name(struct object *bus);
/* main-system-bus, made on first use. */
struct object *qdev_system_bus(void);

/* A new unrealized device of type at parent/name ("device[]": the first free device[N]), with the
 * -global defaults for its type applied. NULL with QEMU's message in err. */
struct object *qdev_new(struct machine *m, const char *type, struct object *parent,
			const char *name, char *err, size_t errlen);
/* Plugs o into its bus (its parent_bus link, or the first bus of its bus_type), realizes it and
 * sets realized (nothing when it is). False with QEMU's message in err, o unrealized (the caller
 * deletes a new one). */
bool qdev_realize(struct object *o, struct machine *m, char *err, size_t errlen);
/* Unrealizes o (qom-set realized=false, teardown): its unrealize, its claims given back; it stays
 * on its bus and in the tree, its properties settable again. */
void qdev_unrealize(struct object *o, struct machine *m);
/* A device the machine makes itself, at /machine/unattached/device[N], props "k=v,..." (or NULL)
 * set as -device's; realized. NULL with the message in err. */
struct object *qdev_create_unattached(struct machine *m, const char *type, const char *props,
				      char *err, size_t errlen);
/* -device's and device_add's "TYPE[,prop=val...][,id=ID][,bus=BUS]": at /machine/peripheral/ID
 * or /machine/peripheral-anon/device[N], realized. NULL with QEMU's message in err. */
struct object *device_create_opts(struct machine *m, const char *opts, char *err, size_t errlen);

/* The bus type t plugs into (its own or its nearest parent's bus_type); NULL: none (a CPU). */
const char *qdev_bus_type(const struct object_type *t);
/* Whether -device can create t: a device with a realize, neither abstract nor board_only. */
bool qdev_type_creatable(const struct object_type *t);
/* The type device-list-properties and -device TYPE,help describe: NULL with QEMU's message
 * (*not_found set when there is no such type). */
const struct object_type *qdev_type_for_props(const char *name, bool *not_found, char *err,
					      size_t errlen);
/* The properties they list: the type's settable ones (its parents' too), in QEMU's order. */
int qdev_type_props(const struct object_type *t, const struct prop_def **out, int max);
/* -device help: the creatable types by category, as QEMU 7.2. */
void qdev_print_help(FILE *f);
/* -device TYPE,help: its properties, as QEMU 7.2; false with QEMU's message in err. */
bool qdev_print_type_help(FILE *f, const char *type, char *err, size_t errlen);

/* The value of key in a -device string (key NULL: the driver), as -device reads it (",," a
 * comma); false when it is not there. */
bool device_opts_get(const char *opts, const char *key, char *buf, size_t len);
/* device_add's answer: QEMU's message in err (no bus of tinyvmm takes a device once the machine is
 * made: "Bus 'isa.0' does not support hotplugging", or the driver's or bus's error). */
void device_add_refused(const char *driver, const char *bus, char *err, size_t errlen);
/* device_del's answer for id (a -device id, or an absolute path): QEMU's message in err;
 * *not_found when there is no such device. */
void device_del_refused(const char *id, bool *not_found, char *err, size_t errlen);

/* -device's help forms ("help", "?", "TYPE,help", "TYPE,help=on", "TYPE,?"): prints it on f
 * and sets *asked; false with QEMU's message in err for a bad TYPE. */
bool device_help(const char *opts, FILE *f, bool *asked, char *err, size_t errlen);

/* Realize's helper: claims [base, base + size) in s (&m->pio, &m->mmio) for o (given back when
 * o is unrealized, or its realize fails); false with a message naming the range it clashes with. */
bool qdev_claim(struct object *o, struct iospace *s, const char *name, uint64_t base, uint64_t size,
		io_read_fn read, io_write_fn write, void *opaque, char *err, size_t errlen);

/* Every realized device's reset, in creation order (machine reset, vCPUs parked). */
void qdev_reset_all(void);
/* Every realized device's unrealize, last created first (teardown, vCPUs joined). */
void qdev_unrealize_all(struct machine *m);

#endif
