/* scenario/yaml.c: positions, duplicate keys, aliases, YAML 1.2 scalars, caps */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen_yaml.h"

static char err[512];

static scen_doc *load(const char *text)
{
	scen_doc *d = NULL;
	err[0] = '\0';
	if (scen_yaml_load("f.yaml", text, strlen(text), &d, err, sizeof err) < 0)
		return NULL;
	return d;
}

static void positions(void **state)
{
	scen_doc *d = load("name: x\nsteps:\n  - id: a\n    do: \"exec\"\n");
	json_t *steps, *step;
	scen_pos p;
	(void)state;
	assert_non_null(d);
	steps = json_object_get(scen_doc_root(d), "steps");
	step = json_array_get(steps, 0);
	p = scen_doc_key_pos(d, scen_doc_root(d), "steps");
	assert_int_equal(p.line, 2);
	assert_int_equal(p.col, 1);
	p = scen_doc_pos(d, step);
	assert_int_equal(p.line, 3);
	assert_int_equal(p.col, 5);
	p = scen_doc_value_pos(d, step, "do");
	assert_int_equal(p.line, 4);
	assert_int_equal(p.col, 9);
	assert_int_equal(p.quoted, 1);
	p = scen_doc_value_pos(d, scen_doc_root(d), "steps"); /* the list, not its last key */
	assert_int_equal(p.line, 3);
	assert_int_equal(p.col, 3);
	p = scen_doc_pos(d, json_object_get(step, "id"));
	assert_int_equal(p.line, 3);
	assert_int_equal(p.col, 9);
	scen_doc_free(d);
}

static void duplicate_keys(void **state)
{
	(void)state;
	assert_null(load("a: 1\nb: 2\na: 3\n"));
	assert_string_equal(err, "f.yaml:3:1: duplicate key 'a' (first at line 1, column 1)");
	assert_null(load("x: {k: 1, k: 2}\n"));
	assert_non_null(strstr(err, "f.yaml:1:11: duplicate key 'k'"));
}

static void scalars(void **state)
{
	scen_doc *d =
	    load("a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\ng: true\nh: False\ni: ~\n"
	         "j: 42\nk: -1.5e3\nl: '42'\nm: \"true\"\nn: 0x1f\no: 0o17\np: 1_000\nq:\n");
	json_t *r;
	(void)state;
	assert_non_null(d);
	r = scen_doc_root(d);
	assert_string_equal(json_string_value(json_object_get(r, "a")), "yes");
	assert_string_equal(json_string_value(json_object_get(r, "b")), "no");
	assert_string_equal(json_string_value(json_object_get(r, "c")), "on");
	assert_string_equal(json_string_value(json_object_get(r, "d")), "off");
	assert_string_equal(json_string_value(json_object_get(r, "e")), "y");
	assert_string_equal(json_string_value(json_object_get(r, "f")), "n");
	assert_true(json_is_true(json_object_get(r, "g")));
	assert_true(json_is_false(json_object_get(r, "h")));
	assert_true(json_is_null(json_object_get(r, "i")));
	assert_int_equal(json_integer_value(json_object_get(r, "j")), 42);
	assert_true(json_real_value(json_object_get(r, "k")) == -1500.0);
	assert_string_equal(json_string_value(json_object_get(r, "l")), "42");
	assert_string_equal(json_string_value(json_object_get(r, "m")), "true");
	assert_int_equal(json_integer_value(json_object_get(r, "n")), 31);
	assert_int_equal(json_integer_value(json_object_get(r, "o")), 15);
	assert_string_equal(json_string_value(json_object_get(r, "p")), "1_000");
	assert_true(json_is_null(json_object_get(r, "q")));
	scen_doc_free(d);
	assert_null(load("a: .inf\n"));
	assert_non_null(strstr(err, "f.yaml:1:4: infinite and NaN"));
	assert_null(load("a: 99999999999999999999999\n"));
	assert_non_null(strstr(err, "integer out of range"));
}

static void aliases(void **state)
{
	scen_doc *d = load("base: &b {x: 1}\nuse: *b\n");
	char big[4096];
	size_t n = 0;
	int i;
	(void)state;
	assert_non_null(d);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(scen_doc_root(d), "use"), "x")), 1);
	scen_doc_free(d);
	assert_null(load("a: *nope\n"));
	assert_non_null(strstr(err, "f.yaml:1:4: unknown anchor 'nope'"));
	/* a billion laughs: each level doubles ten times */
	n += (size_t)snprintf(big + n, sizeof big - n, "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i < 9; i++)
		n += (size_t)snprintf(
		    big + n, sizeof big - n,
		    "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, "
		    "*l%d]\n",
		    i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	assert_null(load(big));
	assert_true(strstr(err, "too many nodes once aliases are expanded") ||
	            strstr(err, "too many aliases"));
}

static void refusals(void **state)
{
	char deep[400];
	int i;
	(void)state;
	assert_null(load("a: 1\n---\nb: 2\n"));
	assert_non_null(strstr(err, "f.yaml:2:1: a scenario file holds one document"));
	assert_null(load("a: !!str 1\n"));
	assert_non_null(strstr(err, "tags"));
	assert_null(load("? [a]\n: 1\n"));
	assert_non_null(strstr(err, "a key must be a plain value"));
	assert_null(load("a: [1, 2\n"));
	assert_non_null(strstr(err, "f.yaml:"));
	for (i = 0; i < 70; i++)
		deep[i] = '[';
	deep[70] = '\0';
	assert_null(load(deep));
	assert_non_null(strstr(err, "nested too deeply"));
}

static void json_files(void **state)
{
	scen_doc *d = load("{\"version\": 1, \"steps\": [{\"id\": \"a\", \"ok\": true}]}");
	(void)state;
	assert_non_null(d);
	assert_int_equal(json_integer_value(json_object_get(scen_doc_root(d), "version")), 1);
	assert_int_equal(scen_doc_key_pos(d, scen_doc_root(d), "steps").col, 16);
	scen_doc_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(positions), cmocka_unit_test(duplicate_keys),
	    cmocka_unit_test(scalars),   cmocka_unit_test(aliases),
	    cmocka_unit_test(refusals),  cmocka_unit_test(json_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
