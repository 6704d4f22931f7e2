/* qapi-gen: emits PREFIXqapi-events.[ch]: event_send_NAME() builders that call the broadcaster. */
#include "schema.h"

bool emit_events(const struct schema *s, const char *dir, const char *prefix)
{
	FILE *h = out_open(dir, prefix, "qapi-events.h");
	FILE *c = out_open(dir, prefix, "qapi-events.c");
	int i, j;

	if (!h || !c)
		return false;
	fprintf(h,
		"#ifndef QAPI_EVENTS_H\n#define QAPI_EVENTS_H\n\n#include \"%sqapi-types.h\"\n\n"
		"/* Hand-written by the monitor: sends a finished event to every client (owns it). "
		"*/\n"
		"void qmp_event_broadcast(json_object *event);\n",
		prefix);
	fprintf(c, "#include \"%sqapi-events.h\"\n", prefix);
	for (i = 0; i < s->nevents; i++) {
		const struct event *e = &s->events[i];

		fprintf(h, "\n/* %s */\nvoid event_send_%s(%s", e->doc, e->c_name,
			e->nmembers ? "" : "void");
		emit_params(h, e->members, e->nmembers, true);
		fprintf(h, ");\n");
		fprintf(c, "\nvoid event_send_%s(%s", e->c_name, e->nmembers ? "" : "void");
		emit_params(c, e->members, e->nmembers, true);
		fprintf(c, ")\n{\n\tjson_object *data = %s;\n\n",
			e->nmembers ? "json_object_new_object()" : "NULL");
		for (j = 0; j < e->nmembers; j++) {
			const struct member *m = &e->members[j];

			if (m->optional)
				fprintf(c, "\tif (has_%s)\n\t", m->c_name);
			fprintf(c, "\tjson_object_object_add(data, \"%s\", ", m->name);
			emit_to_json(c, m, m->c_name);
			fprintf(c, ");\n");
		}
		fprintf(c, "\tqmp_event_broadcast(qapi_event_new(\"%s\", data));\n}\n", e->name);
	}
	fprintf(h, "\n#endif\n");
	return out_close(h, dir, prefix, "qapi-events.h") &&
	       out_close(c, dir, prefix, "qapi-events.c");
}
