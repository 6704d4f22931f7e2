/* Guest memory as the monitor reads it: one helper for QMP's x-read-memory and HMP's x and xp. */
#ifndef MONITOR_MEMORY_READ_H
#define MONITOR_MEMORY_READ_H

#include <stdbool.h>
#include <stdint.h>

#include "monitor/error.h"

struct machine;

/*
 * Reads len bytes at addr into buf: guest-virtual through vCPU cpu's page tables
 * (the vCPUs parked meanwhile, no event), else guest-physical. False with errp set
 * ("Invalid addr ... specified", or a bad cpu). Main thread, big lock held.
 */
bool memory_read(struct machine *m, uint64_t addr, uint64_t len, bool virt, int64_t cpu, void *buf,
		 Error **errp);

#endif
