/*
 * libFuzzer target for the scenario expression language (src/scenario/
 * expr*.c): compile the input (the first byte picks bare or template) and
 * evaluate it against a fixed context and resolver. Contract: compile
 * either gives an expression or an error whose offset is inside the input;
 * evaluation ends, with a value or an error; results respect the caps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scen_expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *ctx;

static int opts(void *ud, const char *type, const char *field, json_t **o)
{
	(void)ud;
	(void)type;
	if (strcmp(field, "Level"))
		return -1;
	*o = json_pack("{s:s, s:s}", "1", "Gold", "2", "Silver");
	return 0;
}

static int tag(void *ud, const char *name, json_t **o)
{
	(void)ud;
	*o = json_integer((json_int_t)strlen(name));
	return 0;
}

static int ref(void *ud, const char *root, const char *name, size_t off)
{
	(void)name;
	if (!root || off > *(size_t *)ud)
		abort();
	return 0;
}

static void check(const json_t *v)
{
	if (json_is_string(v) && json_string_length(v) > SCEN_EXPR_MAX_STRING)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const scen_resolver r = {opts, tag, NULL};
	scen_expr *x = NULL;
	scen_experr e;
	json_t *v;
	size_t n;
	int rc;

	if (!ctx)
		ctx = json_loads(
		    "{\"event\": {\"type\": \"tagged\"}, \"data\": {\"email\": \"a@b.c\","
		    " \"n\": 5, \"s\": \"*/*1*/*2*/*\", \"l\": [1, \"x\", null]},"
		    " \"steps\": {\"a\": {\"id\": 1}}, \"env\": {\"HOME\": \"/h\"}}",
		    0, NULL);
	if (size < 1)
		return 0;
	n = size - 1;
	rc = data[0] & 1 ? scen_expr_compile_template((const char *)data + 1, n, &x, &e)
	                 : scen_expr_compile((const char *)data + 1, n, &x, &e);
	if (rc < 0) {
		if (x || e.offset > n || !e.msg[0])
			abort();
		return 0;
	}
	scen_expr_refs(x, ref, &n);
	v = scen_expr_eval(x, ctx, &r, &e);
	if (!v && !e.msg[0])
		abort();
	check(v);
	json_decref(v);
	scen_expr_free(x);
	return 0;
}
