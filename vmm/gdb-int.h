/* The gdb stub's connection, shared by its run control (gdbstub.c) and data packets (gdb-cmds.c).
 */
#ifndef VMM_GDB_INT_H
#define VMM_GDB_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/gdb-packet.h"

struct machine;
struct stream;

#define GDB_FRAME_MAX (2 * GDB_MAX_PACKET + 8) /* a framed reply, every byte escaped */

struct gdb_conn {
	struct machine *m;
	struct stream *st;
	struct gdb_rx rx;
	bool no_ack;		  /* QStartNoAckMode */
	bool waiting;		  /* the VM runs and gdb waits for a stop reply */
	int g_cpu;		  /* Hg: registers and memory */
	int c_cpu;		  /* Hc: c and s */
	char last[GDB_FRAME_MAX]; /* the last packet, sent again on '-' */
	size_t last_len;
};

/* Sends one packet (payload of at most GDB_MAX_PACKET bytes). */
void gdb_put(struct gdb_conn *c, const char *payload, size_t len);
void gdb_puts(struct gdb_conn *c, const char *s);
/* "thread:ID" ids are vCPU index + 1; a packet's id: -1 all, 0 any, else the vCPU; -2 none such. */
int gdb_thread_arg(struct gdb_conn *c, const char *s);
/*
 * Answers the data packets: registers, memory, breakpoints, threads and queries; false when pkt
 * is none of them. The vCPUs are parked.
 */
bool gdb_cmd_data(struct gdb_conn *c, char *pkt, size_t len);

#endif
