/* scenario/expr*.c: every feature and error of the expression language */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen_expr.h"

static char out[4096];
static json_t *ctx;

static int opts(void *ud, const char *type, const char *field, json_t **o)
{
	(void)ud;
	if (strcmp(type, "contacts") || strcmp(field, "Membership Level"))
		return -1;
	*o = json_pack("{s:s, s:s}", "1", "Gold", "2", "Silver");
	return 0;
}

static int tag(void *ud, const char *name, json_t **o)
{
	(void)ud;
	if (strcmp(name, "VIP"))
		return -1;
	*o = json_integer(7);
	return 0;
}

static const scen_resolver resolver = {opts, tag, NULL};

/* The result as compact JSON, or "error at OFFSET: message". */
static const char *run(int template, const char *src)
{
	scen_expr *x;
	scen_experr e = {0, ""};
	json_t *v;
	char *s;
	int rc = template ? scen_expr_compile_template(src, strlen(src), &x, &e)
	                  : scen_expr_compile(src, strlen(src), &x, &e);

	if (rc < 0) {
		snprintf(out, sizeof out, "error at %zu: %s", e.offset, e.msg);
		return out;
	}
	v = scen_expr_eval(x, ctx, &resolver, &e);
	scen_expr_free(x);
	if (!v) {
		snprintf(out, sizeof out, "error at %zu: %s", e.offset, e.msg);
		return out;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(out, sizeof out, "%s", s);
	free(s);
	json_decref(v);
	return out;
}

#define E(src, want) assert_string_equal(run(0, src), want)
#define T(src, want) assert_string_equal(run(1, src), want)

static int setup(void **state)
{
	(void)state;
	ctx = json_loads("{\"event\": {\"type\": \"tagged\", \"object_id\": 12},"
	                 " \"data\": {\"email\": \"Ann@Example.com\", \"total\": \"600\", \"n\": 3,"
	                 "  \"tags\": \"*/*1*/*2*/*\", \"empty\": \"\", \"level\": \"Gold\","
	                 "  \"when\": 1765100000, \"list\": [\"a\", \"b\"], \"name\": \"  Ann  \"},"
	                 " \"steps\": {\"contact\": {\"id\": 42}}, \"env\": {\"HOME\": \"/h\"}}",
	                 0, NULL);
	return ctx ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(ctx);
	return 0;
}

static void paths_and_literals(void **state)
{
	(void)state;
	E("data.email", "\"Ann@Example.com\"");
	E("steps.contact.id", "42");
	E("env.HOME", "\"/h\"");
	E("event.object_id", "12");
	E("data.list[1]", "\"b\"");
	E("data.list[-1]", "\"b\"");
	E("data['email']", "\"Ann@Example.com\"");
	E("data.missing.deeper", "null");
	E("'it\\'s'", "\"it's\"");
	E("-2.5", "-2.5");
	E("[1, 'a', null, true]", "[1,\"a\",null,true]");
}

static void comparisons_and_logic(void **state)
{
	(void)state;
	E("data.total > 500", "true"); /* a string holding a number compares as a number */
	E("data.total == 600", "true");
	E("data.n <= 3 and data.n >= 3", "true");
	E("data.n != 3", "false");
	E("'abc' < 'abd'", "true");
	E("'10' > '9'", "true");      /* ordering: text holding numbers compares as numbers */
	E("'10' == '10.0'", "false"); /* equality of two texts stays textual */
	E("not data.empty", "true");
	E("data.empty or 'fallback'", "\"fallback\"");
	E("data.n and data.email", "\"Ann@Example.com\"");
	E("not (data.email | ends_with('@example.com'))", "true");
	E("'b' in data.list", "true");
	E("'x' in data.list", "false");
	E("'Example' in data.email", "true");
	E("'email' in data", "true");
	E("(1 == 1) == true", "true");
	assert_non_null(strstr(run(0, "data.list < 3"), "cannot order a list and a number"));
	assert_non_null(strstr(run(0, "1 in 2"), "'in' needs a list"));
}

static void filters(void **state)
{
	(void)state;
	E("data.email | lower", "\"ann@example.com\"");
	E("data.email | upper", "\"ANN@EXAMPLE.COM\"");
	E("data.name | trim", "\"Ann\"");
	E("data.missing | default('x')", "\"x\"");
	E("data.empty | default(5)", "5");
	E("data.list | join", "\"a,b\"");
	E("data.list | join(' / ')", "\"a / b\"");
	E("'a,b,,c' | split(',')", "[\"a\",\"b\",\"\",\"c\"]");
	E("data.when | date('%Y-%m-%d %H:%M')", "\"2025-12-07 09:33\"");
	E("'2026-01-02T03:04:05Z' | date('%d/%m/%Y')", "\"02/01/2026\"");
	E("data.list | json", "\"[\\\"a\\\",\\\"b\\\"]\"");
	E("data.email | starts_with('Ann')", "true");
	E("data.email | contains('@')", "true");
	E("data.list | contains('a')", "true");
	E("data.email | length", "15");
	E("data.list | length", "2");
	E("data.email | lower | ends_with('.com')", "true");
	assert_non_null(strstr(run(0, "data.list | upper"), "upper: expected text, got a list"));
	assert_non_null(strstr(run(0, "'x' | split('')"), "the separator is empty"));
	assert_non_null(strstr(run(0, "'soon' | date('%Y')"), "date: expected epoch seconds"));
}

static void ontraport_helpers(void **state)
{
	(void)state;
	E("data.level | label_to_id('Membership Level')", "1");
	E("'silver' | label_to_id('Membership Level', 'contacts')", "2");
	E("2 | id_to_label('Membership Level')", "\"Silver\"");
	E("'VIP' | tag_id", "7");
	E("data.tags | from_list", "[1,2]");
	E("[1, 2, 3] | to_list", "\"*/*1*/*2*/*3*/*\"");
	E("[] | to_list", "\"\"");
	E("data.tags | from_list | to_list", "\"*/*1*/*2*/*\"");
	assert_string_equal(run(0, "'Golld' | label_to_id('Membership Level')"),
	                    "error at 10: label_to_id: no option labelled 'Golld' (did you mean "
	                    "'Gold'?)");
	assert_non_null(strstr(run(0, "'x' | label_to_id('Nope')"), "no field 'Nope'"));
	assert_non_null(strstr(run(0, "'Nobody' | tag_id"), "no tag named 'Nobody'"));
}

static void templates(void **state)
{
	(void)state;
	T("{{ steps.contact.id }}", "42"); /* exactly one expression keeps its type */
	T(" {{ data.list }}", "\" [\\\"a\\\",\\\"b\\\"]\""); /* text around: a string */
	T("id {{ steps.contact.id }}!", "\"id 42!\"");
	T("{{ data.n }}{{ data.n }}", "\"33\"");
	T("no expression", "\"no expression\"");
	T("{{ data.missing }}-", "\"-\"");
	T("{{ '}}' }}", "\"}}\"");
	assert_int_equal(scen_expr_is_template("a {{ b }}"), 1);
	assert_int_equal(scen_expr_is_template("a { b }"), 0);
}

static void compile_errors(void **state)
{
	(void)state;
	assert_string_equal(
	    run(0, "dta.email"),
	    "error at 0: unknown name 'dta': expected event, data, steps or env (did "
	    "you mean 'data'?)");
	assert_string_equal(run(0, "data.email | lowr"),
	                    "error at 13: unknown filter 'lowr' (did you mean 'lower'?)");
	assert_string_equal(run(0, "data.a = 1"), "error at 7: unexpected '=': compare with '=='");
	assert_string_equal(run(0, "data.a && 1"),
	                    "error at 7: unexpected '&': write 'and', 'or', 'not'");
	assert_string_equal(run(0, "'abc"),
	                    "error at 0: unterminated string: expected a closing '");
	assert_string_equal(run(0, "(data.a"), "error at 7: expected ')', found the end");
	assert_string_equal(run(0, "1 < 2 < 3"),
	                    "error at 6: comparisons do not chain: add parentheses");
	assert_string_equal(run(0, "data.a | split"), "error at 9: split takes 1 argument, not 0");
	assert_string_equal(run(0, "data.a data.b"),
	                    "error at 7: unexpected 'data': expected the end, an operator or '|'");
	assert_string_equal(run(1, "x {{ data.a "),
	                    "error at 12: unexpected the end: expected '}}', an operator or '|'");
	assert_string_equal(run(0, ""), "error at 0: expected a value (a path, a string, a number, "
	                                "true, false, null, '(' or '['), found the end");
	assert_non_null(strstr(run(0, "'a\\q'"), "unknown escape"));
	assert_string_equal(run(0, "data.a 'x\ny'"),
	                    "error at 7: unexpected ''x y'': expected the end, an operator or '|'");
}

static void caps(void **state)
{
	char big[SCEN_EXPR_MAX_SOURCE + 10], deep[200];
	size_t i;
	(void)state;
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_non_null(strstr(run(0, big), "expression too long"));
	for (i = 0; i < 100; i++)
		deep[i] = '(';
	deep[100] = '1';
	deep[101] = '\0';
	assert_non_null(strstr(run(0, deep), "nested too deeply"));
	big[0] = '[';
	for (i = 1; i + 3 < 2000; i += 3)
		memcpy(big + i, "1, ", 3);
	memcpy(big + i, "1]", 3);
	assert_non_null(strstr(run(0, big), "expression too large"));
}

static int collect(void *ud, const char *root, const char *name, size_t off)
{
	char *acc = ud;
	size_t n = strlen(acc);
	snprintf(acc + n, 512 - n, "%s:%s@%zu ", root, name ? name : "-", off);
	return 0;
}

static void refs(void **state)
{
	scen_expr *x;
	scen_experr e;
	char acc[512] = "";
	const char *src = "steps.a.id == env.HOME and data | length and 'VIP' | tag_id and "
	                  "'G' | label_to_id('Level')";
	(void)state;
	assert_int_equal(scen_expr_compile(src, strlen(src), &x, &e), 0);
	scen_expr_refs(x, collect, acc);
	assert_string_equal(acc, "steps:a@6 env:HOME@18 data:-@27 tag_id:VIP@53 "
	                         "label_to_id:Level@70 ");
	scen_expr_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(paths_and_literals),
	    cmocka_unit_test(comparisons_and_logic),
	    cmocka_unit_test(filters),
	    cmocka_unit_test(ontraport_helpers),
	    cmocka_unit_test(templates),
	    cmocka_unit_test(compile_errors),
	    cmocka_unit_test(caps),
	    cmocka_unit_test(refs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
