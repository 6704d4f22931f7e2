/* What the QMP server, dispatcher, events and handlers share inside monitor/. */
#ifndef MONITOR_QMP_INTERNAL_H
#define MONITOR_QMP_INTERNAL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "monitor/error.h"
#include "vmm/machine.h"

/* What query-version and the greeting report (QEMU 7.2-compatible numbers). */
#define QMP_VERSION_MAJOR   7
#define QMP_VERSION_MINOR   2
#define QMP_VERSION_MICRO   0
#define QMP_VERSION_PACKAGE "tinyvmm " TINYVMM_VERSION

/* One connection's protocol state. */
struct qmp_session {
	bool negotiated; /* qmp_capabilities done: commands and events flow */
};

/* Runs one request; returns the response to send (NULL: none). req stays the caller's. */
json_object *qmp_dispatch(struct qmp_session *s, json_object *req);
/* {"error": {"class", "desc"}} without an id: what parse errors get. */
json_object *qmp_error_response(ErrorClass cls, const char *desc);
/* The session whose command is running (for qmp_capabilities), else NULL. */
struct qmp_session *qmp_current_session(void);

/* vCPU cpu_index of m, or NULL with QEMU's "Parameter 'cpu-index' expects a CPU number". */
struct vcpu *monitor_vcpu(struct machine *m, int64_t cpu_index, Error **errp);

/* The machine's run-state listener: turns vm events into QMP events (qmp-events.c). */
void qmp_events_on_vm_event(void *opaque, enum vm_event ev, bool guest, ShutdownCause cause);

#endif
