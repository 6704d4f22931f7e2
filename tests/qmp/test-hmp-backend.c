/* Unit test: monitor/ links without hmp/; human-monitor-command runs the backend registered. */
#include <stdio.h>
#include <stdlib.h>

#include "monitor/json-out.h"
#include "monitor/monitor.h"
#include "monitor/qmp-internal.h"
#include "tests/unit/check.h"

static char *echo_backend(const char *line, int cpu_index)
{
	char *out;

	return asprintf(&out, "ran '%s' on %d\r\n", line, cpu_index) < 0 ? NULL : out;
}

/* The reply line to request, without its CRLF. */
static char *reply(const char *request)
{
	struct qmp_session s = { .negotiated = true };
	json_object *req = json_tokener_parse(request), *rsp = qmp_dispatch(&s, req);
	size_t len;
	char *line = json_out_line(rsp, false, &len);

	line[len - 2] = '\0';
	json_object_put(req);
	json_object_put(rsp);
	return line;
}

static void check_reply(const char *expected, const char *request)
{
	char *got = reply(request);

	CHECK_STR(expected, got);
	free(got);
}

int main(void)
{
	/* no backend: the QMP side answers alone (and this binary links no hmp/ code at all) */
	check_reply("{\"id\": 1, \"error\": {\"class\": \"GenericError\", \"desc\": \"The human "
		    "monitor is not available\"}}",
		    "{\"execute\": \"human-monitor-command\", \"id\": 1,"
		    " \"arguments\": {\"command-line\": \"info status\"}}");
	qmp_set_hmp_backend(echo_backend);
	check_reply("{\"return\": \"ran 'info status' on -1\\r\\n\", \"id\": 2}",
		    "{\"execute\": \"human-monitor-command\", \"id\": 2,"
		    " \"arguments\": {\"command-line\": \"info status\"}}");
	return check_report("qmp-hmp-backend");
}
