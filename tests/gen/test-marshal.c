/* Unit test of qapi-gen's output: marshallers, validation errors, events, introspection, HMP table.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "test-qapi-hmp.h"
#include "test-qapi-events.h"
#include "test-qapi-introspect.h"
#include "tests/unit/check.h"

/* ---- handlers of the test schema ---- */

Outer *qmp_echo_outer(Outer *outer, Error **errp)
{
	Outer *copy = NULL;
	json_object *j = Outer_to_json(outer);

	Outer_from_json(j, "outer", &copy, errp);
	json_object_put(j);
	return copy;
}

int64_t qmp_add(int64_t a, int64_t b, bool has_c, int64_t c, Error **errp)
{
	return a + b + (has_c ? c : 0);
}

strList *qmp_types(const char *s, int64_t i, uint64_t u, uint64_t z, bool b, double n,
		   json_object *a, Color e, bool has_o, const char *o, Error **errp)
{
	strList *l = calloc(1, sizeof(*l));

	if (asprintf(&l->value, "%s %lld %llu %llu %d %g %s %s %s", s, (long long)i,
		     (unsigned long long)u, (unsigned long long)z, b, n,
		     json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN), Color_str[e],
		     has_o ? o : "-") < 0)
		abort();
	return l;
}

void qmp_noargs(Error **errp)
{
}

json_object *qmp_get_any(Error **errp)
{
	return json_tokener_parse("[1, {\"x\": null}]");
}

void qmp_fail(const char *msg, Error **errp)
{
	error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "%s", msg);
}

Inner *qmp_show(bool has_all, bool all, bool has_count, int64_t count, Error **errp)
{
	Inner *r = calloc(1, sizeof(*r));

	r->n = (has_all && all ? 1000 : 0) + (has_count ? count : 0);
	return r;
}

void qmp_hello(Error **errp)
{
}

Inner *qmp_null_struct(Error **errp)
{
	return NULL;
}

InnerList *qmp_null_list(Error **errp)
{
	return NULL;
}

int64_t qmp_div(int64_t a, int64_t b, Error **errp)
{
	if (!b) {
		error_setg(errp, "Division by zero");
		return -1;
	}
	return a / b;
}

char *qmp_echo_str(const char *s, Error **errp)
{
	return strdup(s);
}

uint64_t qmp_big(Error **errp)
{
	return UINT64_MAX;
}

char *qmp_where(const char *what, bool has_cpu_index, int64_t cpu_index, Error **errp)
{
	char *s;

	if (has_cpu_index ? asprintf(&s, "%s@%lld", what, (long long)cpu_index) < 0
			  : asprintf(&s, "%s@-", what) < 0)
		abort();
	return s;
}

SecretList *qmp_x_hidden(Error **errp)
{
	return NULL;
}

static char keywords_seen[64];

void qmp_keywords(int64_t q_int, const char *q_data, bool has_q_out, bool q_out, Error **errp)
{
	snprintf(keywords_seen, sizeof(keywords_seen), "%lld %s %d %d", (long long)q_int, q_data,
		 has_q_out, q_out);
}

/* ---- hooks the generated code calls ---- */

static json_object *last_event;
static char hmp_text[512];

void qmp_event_broadcast(json_object *event)
{
	json_object_put(last_event);
	last_event = event;
}

struct HmpOut {
	int cpu;
};

int hmp_out_cpu(const HmpOut *out)
{
	return out->cpu;
}

void hmp_printf(HmpOut *out, const char *fmt, ...)
{
	size_t len = strlen(hmp_text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hmp_text + len, sizeof(hmp_text) - len, fmt, ap);
	va_end(ap);
}

void hmp_print_json(HmpOut *out, json_object *ret)
{
	hmp_printf(out, "%s", json_object_to_json_string_ext(ret, JSON_C_TO_STRING_PLAIN));
}

void hmp_format_show(HmpOut *out, const Inner *ret)
{
	hmp_printf(out, "n=%lld", (long long)ret->n);
}

/* ---- helpers ---- */

/* Runs a command; returns its JSON result as text, or "ERROR Class: message". */
static const char *run(const char *name, const char *args_json)
{
	static char buf[1024];
	const QmpCommand *cmd = qmp_command_find(name);
	json_object *args = args_json ? json_tokener_parse(args_json) : NULL, *ret = NULL;
	Error *err = NULL;

	if (!cmd)
		return "no such command";
	cmd->fn(args, &ret, &err);
	if (err) {
		snprintf(buf, sizeof(buf), "ERROR %s: %s", error_class_name(error_get_class(err)),
			 error_get_pretty(err));
		error_free(err);
		CHECK(ret == NULL);
	} else {
		snprintf(buf, sizeof(buf), "%s",
			 json_object_to_json_string_ext(ret, JSON_C_TO_STRING_PLAIN));
	}
	json_object_put(ret);
	json_object_put(args);
	return buf;
}

#define OUTER_OK                                                                                 \
	"{\"name\":\"n\",\"color\":\"light-blue\",\"inner\":{\"n\":1},\"list\":[{\"n\":2,\"s\":" \
	"\"x\"}],\"ints\":[1,-2],\"colors\":[\"red\"],\"u\":18446744073709551615,\"sz\":4096,"   \
	"\"num\":1.5,\"anything\":{\"k\":[true]}}"

static void test_commands(void)
{
	CHECK_STR("\"w@-\"", run("where", "{\"what\": \"w\"}"));
	CHECK_STR("\"w@2\"", run("where", "{\"what\": \"w\", \"cpu-index\": 2}"));
	CHECK_STR("[]", run("x-hidden", NULL));
	CHECK_STR("3", run("add", "{\"a\": 1, \"b\": 2}"));
	CHECK_STR("6", run("add", "{\"a\": 1, \"b\": 2, \"c\": 3}"));
	CHECK_STR("ERROR GenericError: Parameter 'b' is missing", run("add", "{\"a\": 1}"));
	CHECK_STR("ERROR GenericError: Parameter 'a' is missing", run("add", NULL));
	CHECK_STR("ERROR GenericError: Parameter 'x' is unexpected",
		  run("add", "{\"a\": 1, \"b\": 2, \"x\": 0}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'a', expected: integer",
		  run("add", "{\"a\": \"1\", \"b\": 2}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'a', expected: integer",
		  run("add", "{\"a\": 1.5, \"b\": 2}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'a', expected: integer",
		  run("add", "{\"a\": true, \"b\": 2}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'a', expected: integer",
		  run("add", "{\"a\": 18446744073709551615, \"b\": 2}"));
	CHECK_STR("ERROR GenericError: QMP input member 'arguments' must be an object",
		  run("add", "[1, 2]"));
	CHECK_STR("{}", run("noargs", NULL));
	CHECK_STR("{}", run("noargs", "{}"));
	CHECK_STR("ERROR GenericError: Parameter 'a' is unexpected", run("noargs", "{\"a\": 1}"));
	CHECK_STR("[1,{\"x\":null}]", run("get-any", NULL));
	CHECK_STR("ERROR DeviceNotFound: boom", run("fail", "{\"msg\": \"boom\"}"));
	CHECK(qmp_command_find("hello")->flags & QMP_CMD_ALLOW_BEFORE_NEGOTIATION);
	CHECK(!(qmp_command_find("add")->flags & QMP_CMD_ALLOW_BEFORE_NEGOTIATION));
	CHECK(qmp_command_find("nonexistent") == NULL);
	for (size_t i = 1; i < qmp_commands_count; i++)
		CHECK(strcmp(qmp_commands[i - 1].name, qmp_commands[i].name) < 0);
}

static void test_returns(void)
{
	CHECK_STR("{}", run("null-struct", NULL));
	CHECK_STR("[]", run("null-list", NULL));
	CHECK_STR("3", run("div", "{\"a\": 7, \"b\": 2}"));
	CHECK_STR("ERROR GenericError: Division by zero", run("div", "{\"a\": 7, \"b\": 0}"));
	CHECK_STR("\"hé\"", run("echo-str", "{\"s\": \"h\\u00e9\"}"));
	CHECK_STR("18446744073709551615", run("big", NULL));
	CHECK_STR("{}", run("keywords", "{\"int\": 4, \"data\": \"d\", \"out\": true}"));
	CHECK_STR("4 d 1 1", keywords_seen);
	CHECK_STR("{}", run("keywords", "{\"int\": -4, \"data\": \"\"}"));
	CHECK_STR("-4  0 0", keywords_seen);
	CHECK_STR("ERROR GenericError: Parameter 'data' is missing",
		  run("keywords", "{\"int\": 1}"));
}

static void test_json_traps(void)
{
	/* JSON null is a present value of the wrong type (QEMU's words), for every kind. */
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'a', expected: integer",
		  run("div", "{\"a\": null, \"b\": 2}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 's', expected: string",
		  run("echo-str", "{\"s\": null}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'out', expected: boolean",
		  run("keywords", "{\"int\": 1, \"data\": \"d\", \"out\": null}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'outer', expected: object",
		  run("echo-outer", "{\"outer\": null}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 's', expected: string",
		  run("echo-str", "{\"s\": [\"x\"]}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'a', expected: integer",
		  run("div", "{\"a\": 9223372036854775808, \"b\": 2}"));
	CHECK_STR("-9223372036854775808", run("div", "{\"a\": -9223372036854775808, \"b\": 1}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'a', expected: integer",
		  run("div", "{\"a\": 1e3, \"b\": 2}"));
	CHECK_STR("ERROR GenericError: Parameter 'u' expects uint64",
		  run("types", "{\"s\": \"x\", \"i\": 0, \"u\": 1.0, \"z\": 0, \"b\": false, "
			       "\"n\": 2, \"a\": 1, \"e\": \"red\"}"));
	CHECK_STR("ERROR GenericError: Parameter 'z' expects size",
		  run("types", "{\"s\": \"x\", \"i\": 0, \"u\": 0, \"z\": -1, \"b\": false, "
			       "\"n\": 2, \"a\": 1, \"e\": \"red\"}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'e', expected: string",
		  run("types", "{\"s\": \"x\", \"i\": 0, \"u\": 0, \"z\": 1, \"b\": false, "
			       "\"n\": 2, \"a\": 1, \"e\": 0}"));
	CHECK_STR("ERROR GenericError: QMP input member 'arguments' must be an object",
		  run("noargs", "\"x\""));
}

static void test_builtin_types(void)
{
	const char *good = "{\"s\": \"x\", \"i\": -9223372036854775808, \"u\": "
			   "18446744073709551615, \"z\": 0, \"b\": false, \"n\": 2, \"a\": null, "
			   "\"e\": \"green\"}";

	CHECK_STR("[\"x -9223372036854775808 18446744073709551615 0 0 2 null green -\"]",
		  run("types", good));
	CHECK_STR("ERROR GenericError: Parameter 'u' expects uint64",
		  run("types", "{\"s\": \"x\", \"i\": 0, \"u\": -1, \"z\": 0, \"b\": false, "
			       "\"n\": 2, \"a\": 1, \"e\": \"red\"}"));
	CHECK_STR("ERROR GenericError: Parameter 'z' expects size",
		  run("types", "{\"s\": \"x\", \"i\": 0, \"u\": 1, \"z\": \"4k\", \"b\": false, "
			       "\"n\": 2, \"a\": 1, \"e\": \"red\"}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'b', expected: boolean",
		  run("types", "{\"s\": \"x\", \"i\": 0, \"u\": 1, \"z\": 1, \"b\": 1, "
			       "\"n\": 2, \"a\": 1, \"e\": \"red\"}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'n', expected: number",
		  run("types", "{\"s\": \"x\", \"i\": 0, \"u\": 1, \"z\": 1, \"b\": true, "
			       "\"n\": \"2\", \"a\": 1, \"e\": \"red\"}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 's', expected: string",
		  run("types", "{\"s\": 5, \"i\": 0, \"u\": 1, \"z\": 1, \"b\": true, "
			       "\"n\": 2, \"a\": 1, \"e\": \"red\"}"));
	CHECK_STR(
		"ERROR GenericError: Invalid parameter type for 's', expected: string without NUL",
		run("types", "{\"s\": \"a\\u0000b\", \"i\": 0, \"u\": 1, \"z\": 1, \"b\": true, "
			     "\"n\": 2, \"a\": 1, \"e\": \"red\"}"));
	CHECK_STR("ERROR GenericError: Parameter 'e' does not accept value 'purple'",
		  run("types", "{\"s\": \"x\", \"i\": 0, \"u\": 1, \"z\": 1, \"b\": true, "
			       "\"n\": 2, \"a\": 1, \"e\": \"purple\"}"));
	CHECK_STR("[\"x 0 1 1 1 2.5 [] red opt\"]",
		  run("types", "{\"s\": \"x\", \"i\": 0, \"u\": 1, \"z\": 1, \"b\": true, "
			       "\"n\": 2.5, \"a\": [], \"e\": \"red\", \"o\": \"opt\"}"));
}

static void test_nested(void)
{
	char req[1024];

	snprintf(req, sizeof(req), "{\"outer\": %s}", OUTER_OK);
	CHECK_STR(OUTER_OK, run("echo-outer", req));
	CHECK_STR("ERROR GenericError: Parameter 'outer.inner.n' is missing",
		  run("echo-outer", "{\"outer\": {\"name\": \"n\", \"color\": \"red\", \"inner\": "
				    "{}}}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'outer.list[1].n', expected: "
		  "integer",
		  run("echo-outer", "{\"outer\": {\"name\": \"n\", \"color\": \"red\", \"inner\": "
				    "{\"n\": 1}, \"list\": [{\"n\": 1}, {\"n\": \"x\"}]}}"));
	CHECK_STR("ERROR GenericError: Parameter 'outer.inner.zz' is unexpected",
		  run("echo-outer", "{\"outer\": {\"name\": \"n\", \"color\": \"red\", \"inner\": "
				    "{\"n\": 1, \"zz\": 1}}}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'outer.inner', expected: object",
		  run("echo-outer", "{\"outer\": {\"name\": \"n\", \"color\": \"red\", \"inner\": "
				    "[]}}"));
	CHECK_STR("ERROR GenericError: Invalid parameter type for 'outer.ints', expected: array",
		  run("echo-outer", "{\"outer\": {\"name\": \"n\", \"color\": \"red\", \"inner\": "
				    "{\"n\": 1}, \"list\": [], \"ints\": 3}}"));
	CHECK_STR("ERROR GenericError: Parameter 'outer.colors[0]' does not accept value 'x'",
		  run("echo-outer",
		      "{\"outer\": {\"name\": \"n\", \"color\": \"red\", \"inner\": "
		      "{\"n\": 1}, \"list\": [], \"ints\": [], \"colors\": [\"x\"]}}"));
}

/* ---- allocation failures: linked with -Wl,--wrap=calloc,--wrap=strdup ---- */

static int alloc_countdown; /* the Nth allocation from now fails; 0: none does */

void *__real_calloc(size_t n, size_t size);
char *__real_strdup(const char *s);
void *__wrap_calloc(size_t n, size_t size);
char *__wrap_strdup(const char *s);

static bool alloc_fails(void)
{
	return alloc_countdown && --alloc_countdown == 0;
}

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

char *__wrap_strdup(const char *s)
{
	return alloc_fails() ? NULL : __real_strdup(s);
}

/* Each allocation of unpacking a nested struct fails in turn: zalloc()'s "Out of memory", no
 * crash, nothing leaked (the ASan build checks that). */
static void test_out_of_memory(void)
{
	char req[1024];
	const char *r;
	int n;

	snprintf(req, sizeof(req), "{\"outer\": %s}", OUTER_OK);
	for (n = 1; n < 100; n++) {
		alloc_countdown = n;
		r = run("echo-outer", req);
		if (alloc_countdown) /* fewer than n allocations: it went through */
			break;
		CHECK_STR("ERROR GenericError: Out of memory", r);
	}
	alloc_countdown = 0;
	CHECK_STR(OUTER_OK, r);
	CHECK(n > 10); /* structs, list elements and strings, in the arguments and the copy */
}

static void test_events(void)
{
	json_object *v, *ts;

	event_send_event_a(5, true, "hi");
	CHECK(json_object_object_get_ex(last_event, "event", &v));
	CHECK_STR("EVENT_A", json_object_get_string(v));
	CHECK(json_object_object_get_ex(last_event, "data", &v));
	CHECK_STR("{\"x\":5,\"y\":\"hi\"}",
		  json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	CHECK(json_object_object_get_ex(last_event, "timestamp", &ts));
	CHECK(json_object_object_get_ex(ts, "seconds", &v) &&
	      json_object_get_int64(v) > 1700000000);
	CHECK(json_object_object_get_ex(ts, "microseconds", &v) &&
	      json_object_get_int64(v) < 1000000);
	event_send_event_a(6, false, NULL);
	CHECK(json_object_object_get_ex(last_event, "data", &v));
	CHECK_STR("{\"x\":6}", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	event_send_event_b();
	CHECK(!json_object_object_get_ex(last_event, "data", &v));
	{
		Inner in = { .n = 3, .has_s = true, .s = (char *)"s" };
		intList two = { NULL, 2 }, one = { &two, 1 };

		event_send_event_c("d", &in, true, &one, COLOR_LIGHT_BLUE);
		CHECK(json_object_object_get_ex(last_event, "data", &v));
		CHECK_STR("{\"data\":\"d\",\"inner\":{\"n\":3,\"s\":\"s\"},\"list\":[1,2],"
			  "\"color\":\"light-blue\"}",
			  json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		event_send_event_c("", &in, false, NULL, COLOR_RED);
		CHECK(json_object_object_get_ex(last_event, "data", &v));
		CHECK(!json_object_object_get_ex(v, "list", NULL));
	}
	json_object_put(last_event);
	last_event = NULL;
}

static void test_introspection(void)
{
	json_object *schema = qapi_introspect_schema(), *cmds = qapi_introspect_commands();
	const char *text = json_object_to_json_string_ext(schema, JSON_C_TO_STRING_PLAIN);

	CHECK(json_object_is_type(schema, json_type_array));
	CHECK(strstr(text, "{\"name\":\"add\",\"meta-type\":\"command\",\"arg-type\":"
			   "\"q_obj_add-arg\",\"ret-type\":\"int\"}") != NULL);
	CHECK(strstr(text, "{\"name\":\"Color\",\"meta-type\":\"enum\",\"values\":[\"red\","
			   "\"green\",\"light-blue\"]}") != NULL);
	CHECK(strstr(text, "{\"name\":\"[Inner]\",\"meta-type\":\"array\",\"element-type\":"
			   "\"Inner\"}") != NULL);
	CHECK(strstr(text, "{\"name\":\"c\",\"type\":\"int\",\"default\":null}") != NULL);
	CHECK(strstr(text, "\"name\":\"EVENT_B\",\"meta-type\":\"event\"") != NULL);
	/* x-hidden is callable but in neither list, and its Secret type is not shown */
	CHECK_U64(qmp_commands_count - 1, json_object_array_length(cmds));
	CHECK(qmp_command_find("x-hidden") != NULL);
	CHECK(strstr(text, "x-hidden") == NULL);
	CHECK(strstr(text, "Secret") == NULL);
	CHECK(strstr(json_object_to_json_string(cmds), "x-hidden") == NULL);
	CHECK(strstr(json_object_to_json_string(cmds), "\"where\"") != NULL);
	json_object_put(schema);
	json_object_put(cmds);
}

static const HmpCommandDef *hmp_find(const char *name)
{
	size_t i;

	for (i = 0; i < hmp_commands_count; i++)
		if (!strcmp(hmp_commands[i].name, name))
			return &hmp_commands[i];
	return NULL;
}

static void test_hmp_table(void)
{
	const HmpCommandDef *d = hmp_find("show|sh");
	HmpOut out = { 0 };
	json_object *args = json_tokener_parse("{\"all\": true, \"count\": 7}");
	Error *err = NULL;

	CHECK_U64(4, hmp_commands_count);
	CHECK(d && d->nargs == 2 && d->args[0].flag == 'a' && d->args[1].flag == 0);
	CHECK_STR("all", d ? d->args[0].name : NULL);
	CHECK_STR("bool", d ? d->args[0].type : NULL);
	CHECK(d && d->args[1].optional);
	CHECK_STR("[-a] [count]", d ? d->params : NULL);
	hmp_text[0] = '\0';
	d->call(&out, args, &err);
	CHECK(err == NULL);
	CHECK_STR("n=1007", hmp_text);
	json_object_put(args);

	d = hmp_find("add");
	args = json_tokener_parse("{\"a\": 2, \"b\": 3}");
	hmp_text[0] = '\0';
	d->call(&out, args, &err);
	CHECK_STR("5", hmp_text); /* no formatter: the generic printer */
	json_object_put(args);
	args = json_tokener_parse("{\"a\": 2}");
	d->call(&out, args, &err);
	CHECK(err && !strcmp(error_get_pretty(err), "Parameter 'b' is missing"));
	error_free(err);
	json_object_put(args);
	CHECK(hmp_find("noargs|na") && hmp_find("noargs|na")->nargs == 0);

	/* "cpu": true: the console's vCPU is cpu-index, which the line does not give */
	err = NULL;
	d = hmp_find("where");
	CHECK(d && d->nargs == 1);
	CHECK_STR("what", d ? d->args[0].name : NULL);
	args = json_tokener_parse("{\"what\": \"w\"}");
	out.cpu = 3;
	hmp_text[0] = '\0';
	d->call(&out, args, &err);
	CHECK(err == NULL);
	CHECK_STR("\"w@3\"", hmp_text);
	json_object_put(args);
}

int main(void)
{
	test_commands();
	test_returns();
	test_json_traps();
	test_builtin_types();
	test_nested();
	test_out_of_memory();
	test_events();
	test_introspection();
	test_hmp_table();
	return check_report("gen-marshal");
}
