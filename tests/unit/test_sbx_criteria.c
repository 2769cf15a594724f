/*
 * Unit tests for src/sandbox/api/criteria.c: `condition` (JSON and legacy text)
 * and `search` compiled to SQL, run against an in-memory store so each case
 * checks which records really match -- every operator, AND/OR precedence,
 * the spellings clients send -- and hostile input (deep nesting, unknown
 * fields and operators, injection attempts, oversized conditions), each a 400
 * with one clear line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sbx_criteria.h"

typedef struct fixture {
	sbx_store *st;
	const sbx_otype *contacts;
	char result[4096];
} fixture;

static const char *const records[] = {
    "{\"firstname\":\"Mary\",\"lastname\":\"Smith\",\"email\":\"mary@example.com\",\"status\":"
    "\"6\","
    "\"company\":\"Acme%Co\"}",
    "{\"firstname\":\"Ann\",\"lastname\":\"Jones\",\"email\":\"ann@example.com\",\"status\":2}",
    "{\"firstname\":\"Bob\",\"lastname\":\"\"}",
    "{\"firstname\":\"Zed\",\"lastname\":\"O'Hara\",\"email\":\"zed@other.org\",\"status\":\"10\"}",
};

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	sbx_err e = SBX_ERR_INIT;
	size_t i;

	assert_non_null(f);
	assert_int_equal(sbx_store_open(&f->st, NULL, &e), 0);
	sbx_store_lock(f->st);
	f->contacts = sbx_store_type(f->st, 0);
	assert_non_null(f->contacts);
	for (i = 0; i < sizeof records / sizeof *records; i++) {
		json_t *v = json_loads(records[i], 0, NULL);
		long long id;
		assert_non_null(v);
		assert_int_equal(sbx_record_insert(f->st, f->contacts, v, 0, &id, NULL, &e), 0);
		assert_int_equal(id, (long long)i + 1);
		json_decref(v);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	sbx_store_unlock(f->st);
	sbx_store_close(f->st);
	free(f);
	return 0;
}

/* The ids where/args select, as "1,2", or "ERR:<text>" when SQLite refuses. */
static const char *run(fixture *f, const util_buf *where, json_t *args)
{
	sbx_query q;
	sbx_err e = SBX_ERR_INIT;
	long long *ids = NULL;
	size_t n = 0, i, len = 0;

	memset(&q, 0, sizeof q);
	q.where = where->len ? where->data : NULL;
	q.where_args = args;
	if (sbx_record_ids(f->st, f->contacts, &q, &ids, &n, &e) < 0) {
		snprintf(f->result, sizeof f->result, "ERR:%s", e.text);
		return f->result;
	}
	f->result[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(f->result + len, sizeof f->result - len, "%s%lld",
		                        i ? "," : "", ids[i]);
	free(ids);
	return f->result;
}

/* Compile a condition (JSON text, or a legacy string when legacy) and run it: the
 * matching ids, or "400:<text>" for a refused condition. */
static const char *cond(fixture *f, const char *text, int legacy)
{
	util_buf where = UTIL_BUF_INIT;
	json_t *args = json_array(), *c;
	json_error_t je;
	sbx_err e = SBX_ERR_INIT;
	const char *out;

	c = legacy ? json_string(text) : json_loads(text, JSON_DECODE_ANY, &je);
	if (!c)
		fail_msg("bad test JSON %s: %s", text, je.text);
	if (sbx_criteria_condition(f->contacts, c, &where, args, &e) < 0) {
		assert_int_equal(e.status, 400);
		/* Nothing is left behind on failure. */
		assert_int_equal(where.len, 0);
		assert_int_equal(json_array_size(args), 0);
		assert_null(strchr(e.text, '\n'));
		snprintf(f->result, sizeof f->result, "400:%s", e.text);
		out = f->result;
	} else {
		out = run(f, &where, args);
	}
	json_decref(c);
	json_decref(args);
	util_buf_release(&where);
	return out;
}

#define CL(field, op, value)                                                                       \
	"{\"field\":{\"field\":\"" field "\"},\"op\":\"" op "\",\"value\":" value "}"

typedef struct ccase {
	const char *cond, *want;
} ccase;

/* Run each case; want is the matching ids, or prefix + the refusal's text. */
static void check_cases(fixture *f, const ccase *cases, size_t n, int legacy, const char *prefix)
{
	char want[1024];
	size_t i;

	for (i = 0; i < n; i++) {
		const char *got = cond(f, cases[i].cond, legacy);
		snprintf(want, sizeof want, "%s%s", prefix, cases[i].want);
		if (strcmp(got, want) != 0)
			fail_msg("case %zu %s: got '%s', expected '%s'", i, cases[i].cond, got,
			         want);
	}
}

static void test_operators(void **state)
{
	fixture *f = *state;
	static const ccase cases[] = {
	    {"[]", "1,2,3,4"},
	    {"[" CL("email", "=", "{\"value\":\"mary@example.com\"}") "]", "1"},
	    /* numbers as strings or numbers; numeric columns compare as numbers */
	    {"[" CL("status", "=", "{\"value\":\"6\"}") "]", "1"},
	    {"[" CL("status", "=", "{\"value\":6}") "]", "1"},
	    {"[" CL("status", ">", "{\"value\":5}") "]", "1,4"},
	    {"[" CL("status", ">=", "{\"value\":\"6\"}") "]", "1,4"},
	    {"[" CL("status", "<", "{\"value\":6}") "]", "2"},
	    {"[" CL("status", "<=", "{\"value\":6}") "]", "1,2"},
	    {"[" CL("status", "<>", "{\"value\":6}") "]", "2,4"},
	    {"[" CL("id", ">", "{\"value\":\"2\"}") "]", "3,4"},
	    {"[" CL("email", "LIKE", "{\"value\":\"%@example.com\"}") "]", "1,2"},
	    {"[" CL("firstname", "like", "{\"value\":\"MA%\"}") "]", "1"},
	    {"[" CL("firstname", "LIKE", "{\"value\":\"_nn\"}") "]", "2"},
	    {"[" CL("id", "IN", "{\"list\":[{\"value\":1},{\"value\":\"3\"}]}") "]", "1,3"},
	    {"[" CL("id", "NOT IN", "{\"list\":[{\"value\":1},{\"value\":3}]}") "]", "2,4"},
	    {"[" CL("firstname", "IN", "{\"list\":[{\"value\":\"Ann\"},{\"value\":\"Zed\"}]}") "]",
	     "2,4"},
	    {"[" CL("id", "IN", "{\"list\":[]}") "]", ""},
	    {"[" CL("id", "  not   in ", "{\"list\":[]}") "]", "1,2,3,4"},
	    /* "=" with a list is IN ([WS]) */
	    {"[" CL("id", "=", "{\"list\":[{\"value\":2},{\"value\":4}]}") "]", "2,4"},
	    /* IS NULL: null or empty, in every spelling */
	    {"[" CL("email", "IS", "\"NULL\"") "]", "3"},
	    {"[" CL("lastname", "IS", "\"null\"") "]", "3"},
	    {"[" CL("email", "IS", "{\"value\":null}") "]", "3"},
	    {"[" CL("email", "=", "{\"value\":null}") "]", "3"},
	    {"[{\"field\":{\"field\":\"email\"},\"op\":\"IS NOT EMPTY\"}]", "1,2,4"},
	    {"[" CL("lastname", "IS NOT", "\"NULL\"") "]", "1,2,4"},
	    {"[" CL("email", "<>", "{\"value\":null}") "]", "1,2,4"},
	    /* the reference's examples */
	    {"[" CL("email", "=", "{\"value\":\"\"}") ",\"OR\"," CL("email", "IS", "\"NULL\"") "]",
	     "3"},
	    /* AND binds tighter than OR; conjunctions in any case */
	    {"[" CL("firstname", "=", "{\"value\":\"Mary\"}") ",\"OR\"," CL(
	         "firstname", "=", "{\"value\":\"Ann\"}") ",\"AND\"," CL("status", "=",
	                                                                 "{\"value\":6}") "]",
	     "1"},
	    {"[" CL("status", "=", "{\"value\":6}") ",\"and\"," CL(
	         "firstname", "=", "{\"value\":\"Ann\"}") ",\"or\"," CL("id", "=",
	                                                                "{\"value\":4}") "]",
	     "4"},
	    /* a field name as a plain string; booleans as 1/0 */
	    {"[{\"field\":\"firstname\",\"op\":\"=\",\"value\":{\"value\":\"Bob\"}}]", "3"},
	    {"[" CL("status", "=", "{\"value\":true}") "]", ""},
	    /* values are bound, never SQL */
	    {"[" CL("email", "=", "{\"value\":\"x' OR '1'='1\"}") "]", ""},
	    {"[" CL("lastname", "=", "{\"value\":\"O'Hara\"}") "]", "4"},
	};

	check_cases(f, cases, sizeof cases / sizeof *cases, 0, "");
}

static void test_legacy_strings(void **state)
{
	fixture *f = *state;
	static const ccase cases[] = {
	    {"email = 'mary@example.com'", "1"},
	    {"email like '%@example.com'", "1,2"},
	    {"email LIKE '%@example.com' AND status > 5", "1"},
	    {"status = 6 or firstname = \"Zed\"", "1,4"},
	    {"id IN (1, '3')", "1,3"},
	    {"id not in (1,3)", "2,4"},
	    {"email IS NULL", "3"},
	    {"email is not null", "1,2,4"},
	    {"lastname = 'O''Hara'", "4"},
	    {"lastname = 'O\\'Hara'", "4"},
	    {"status != 6", "2,4"},
	    {"status >= -1.5", "1,2,4"},
	    {"", "1,2,3,4"},
	    {"email = ",
	     "400:Invalid condition: expected a 'quoted' value or a number at column 9"},
	    {"email = 'x' email = 'y'",
	     "400:Invalid condition: expected AND or OR at column 13 near 'email = 'y''"},
	    {"email = 'x' AND",
	     "400:Invalid condition: expected a clause after AND/OR at column 16"},
	    {"(email = 'x')", "400:Invalid condition: parentheses are not supported (AND binds "
	                      "tighter than OR) at column 1 near '(email = 'x')'"},
	    {"email BETWEEN 1 AND 2", "400:Invalid condition: expected an operator (=, <>, <, >, "
	                              "<=, >=, LIKE, IN, NOT IN, IS "
	                              "NULL) at column 7 near 'BETWEEN 1 AND 2'"},
	    {"email = 'open", "400:Invalid condition: unterminated quoted value at column 9 near "
	                      "''open'"},
	    {"status = 6x", "400:Invalid condition: malformed number at column 10 near '6x'"},
	    {"id NOT 3", "400:Invalid condition: expected IN after NOT at column 8 near '3'"},
	    {"id IN 3", "400:Invalid condition: expected '(' after IN at column 7 near '3'"},
	    {"emial = 'x'",
	     "400:Invalid condition: unknown field 'emial' for Contact (did you mean "
	     "'email'?)"},
	    {"1 = 1", "400:Invalid condition: expected a field name at column 1 near '1 = 1'"},
	};

	check_cases(f, cases, sizeof cases / sizeof *cases, 1, "");
}

static void test_refused(void **state)
{
	fixture *f = *state;
	static const ccase cases[] = {
	    {"{}", "expected a JSON array of clauses"},
	    {"7", "expected a JSON array of clauses"},
	    {"[" CL("emial", "=", "{\"value\":1}") "]",
	     "unknown field 'emial' for Contact (did you mean 'email'?)"},
	    {"[" CL("zzzzzz", "=", "{\"value\":1}") "]", "unknown field 'zzzzzz' for Contact"},
	    /* an identifier that tries to be SQL is just an unknown field */
	    {"[{\"field\":{\"field\":\"email\\\" OR 1=1 "
	     "--\"},\"op\":\"=\",\"value\":{\"value\":1}}]",
	     "unknown field 'email\" OR 1=1 --' for Contact"},
	    {"[" CL("fn", "=", "{\"value\":1}") "]",
	     "field 'fn' of Contact is computed and cannot be searched (clause 1)"},
	    {"[" CL("email", "BETWEEN", "{\"value\":1}") "]",
	     "unknown operator 'BETWEEN' in clause 1 (expected =, <>, >, <, >=, <=, LIKE, IN, NOT "
	     "IN, "
	     "IS, IS NOT EMPTY)"},
	    {"[" CL("email", "=; DROP TABLE o_0", "{\"value\":1}") "]",
	     "unknown operator '=; DROP TABLE o_0' in clause 1 (expected =, <>, >, <, >=, <=, "
	     "LIKE, "
	     "IN, NOT IN, IS, IS NOT EMPTY)"},
	    {"[{\"field\":{\"field\":\"email\"},\"value\":{\"value\":1}}]",
	     "clause 1 needs an \"op\""},
	    {"[{\"op\":\"=\",\"value\":{\"value\":1}}]",
	     "clause 1 needs \"field\":{\"field\":NAME}"},
	    {"[{\"field\":{\"field\":[]},\"op\":\"=\",\"value\":{\"value\":1}}]",
	     "clause 1 needs \"field\":{\"field\":NAME}"},
	    {"[[" CL("email", "=", "{\"value\":1}") "]]",
	     "clause 1 is not an object (nested groups are not supported; join clauses with "
	     "\"AND\"/\"OR\")"},
	    {"[" CL("email", "=", "{\"value\":1}") "," CL("email", "=", "{\"value\":2}") "]",
	     "expected \"AND\" or \"OR\" between clauses 1 and 2"},
	    {"[" CL("email", "=", "{\"value\":1}") ",\"XOR\"," CL("email", "=",
	                                                          "{\"value\":2}") "]",
	     "expected \"AND\" or \"OR\" between clauses 1 and 2"},
	    {"[" CL("email", "=", "{\"value\":1}") ",\"AND\"]",
	     "it ends with \"AND\" instead of a clause"},
	    {"[\"AND\"]",
	     "clause 1 is not an object (nested groups are not supported; join clauses "
	     "with \"AND\"/\"OR\")"},
	    {"[" CL("email", "=", "\"x\"") "]",
	     "operator '=' needs \"value\":{\"value\":<string or number>} (clause 1)"},
	    {"[" CL("email", "=", "{\"value\":{\"value\":1}}") "]",
	     "operator '=' needs \"value\":{\"value\":<string or number>} (clause 1)"},
	    {"[" CL("email", "LIKE", "{\"value\":[1]}") "]",
	     "operator 'LIKE' needs \"value\":{\"value\":<string or number>} (clause 1)"},
	    {"[" CL("email", "IS", "{\"value\":\"x\"}") "]",
	     "IS takes the value \"NULL\" (clause 1)"},
	    {"[{\"field\":{\"field\":\"email\"},\"op\":\"IS NOT EMPTY\",\"value\":{\"value\":2}}]",
	     "IS NOT EMPTY takes no value but \"NULL\" (clause 1)"},
	    {"[" CL("id", "IN", "{\"value\":1}") "]",
	     "IN needs {\"list\":[{\"value\":...},...]} (clause 1)"},
	    {"[" CL("id", "IN", "{\"list\":[{\"value\":[1]}]}") "]",
	     "list item 1 of clause 1 is not a string or number"},
	};

	check_cases(f, cases, sizeof cases / sizeof *cases, 0, "400:Invalid condition: ");
}

/* Deep nesting, many clauses, long lists: refused with a clear line, or run fine. */
static void test_sizes(void **state)
{
	fixture *f = *state;
	util_buf b = UTIL_BUF_INIT;
	size_t i;

	/* 60 levels of nested arrays (under the request's JSON depth cap) */
	for (i = 0; i < 60; i++)
		util_buf_putc(&b, '[');
	util_buf_puts(&b, CL("email", "=", "{\"value\":1}"));
	for (i = 0; i < 60; i++)
		util_buf_putc(&b, ']');
	assert_string_equal(
	    cond(f, b.data, 0),
	    "400:Invalid condition: clause 1 is not an object (nested groups are not "
	    "supported; join clauses with \"AND\"/\"OR\")");

	/* 500 clauses are fine (SQLite's expression depth included), 501 are not */
	util_buf_clear(&b);
	util_buf_putc(&b, '[');
	for (i = 0; i < 500; i++)
		util_buf_printf(&b, "%s" CL("id", "<>", "{\"value\":%zu}"), i ? ",\"AND\"," : "",
		                i + 100);
	util_buf_putc(&b, ']');
	assert_string_equal(cond(f, b.data, 0), "1,2,3,4");
	b.data[--b.len] = '\0';
	util_buf_puts(&b, ",\"OR\"," CL("id", "=", "{\"value\":1}") "]");
	assert_string_equal(cond(f, b.data, 0), "400:Invalid condition: more than 500 clauses");

	/* an IN list of 10,000 values is one placeholder; 10,001 are refused */
	util_buf_clear(&b);
	util_buf_puts(&b, "[{\"field\":{\"field\":\"id\"},\"op\":\"IN\",\"value\":{\"list\":[");
	for (i = 0; i < 10000; i++)
		util_buf_printf(&b, "%s{\"value\":%zu}", i ? "," : "", i + 2);
	util_buf_puts(&b, "]}}]");
	assert_string_equal(cond(f, b.data, 0), "2,3,4");
	b.len -= 4;
	util_buf_puts(&b, ",{\"value\":1}]}}]");
	assert_string_equal(cond(f, b.data, 0),
	                    "400:Invalid condition: more than 10000 values in a list (clause 1)");

	/* a legacy string of 501 clauses */
	util_buf_clear(&b);
	for (i = 0; i < 501; i++)
		util_buf_printf(&b, "%sid <> %zu", i ? " AND " : "", i + 100);
	assert_string_equal(cond(f, b.data, 1), "400:Invalid condition: more than 500 clauses");
	util_buf_release(&b);
}

/* Search: a case-insensitive substring of text fields, wildcards taken literally. */
static void test_search(void **state)
{
	fixture *f = *state;
	static const struct {
		const char *text, *ids;
	} cases[] = {
	    {"mary", "1"}, {"EXAMPLE.COM", "1,2"}, {"o'hara", "4"},  {"%", "1"},     {"_", ""},
	    {"\\", ""},    {"  ", "1,2,3,4"},      {"Acme%Co", "1"}, {"nobody", ""},
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		util_buf where = UTIL_BUF_INIT;
		json_t *args = json_array();
		sbx_err e = SBX_ERR_INIT;
		const char *got;

		assert_int_equal(sbx_criteria_search(f->contacts, cases[i].text, &where, args, &e),
		                 0);
		got = run(f, &where, args);
		if (strcmp(got, cases[i].ids) != 0)
			fail_msg("search '%s': got '%s', expected '%s'", cases[i].text, got,
			         cases[i].ids);
		json_decref(args);
		util_buf_release(&where);
	}
}

/* The legacy parser's JSON is the reference's condition form. */
static void test_legacy_json(void **state)
{
	json_t *c;
	char *s;
	sbx_err e = SBX_ERR_INIT;

	(void)state;
	assert_int_equal(sbx_criteria_parse_legacy(
	                     "email like '%@a.b' OR id IN (1, 2) AND f1 IS NOT NULL", &c, &e),
	                 0);
	s = json_dumps(c, JSON_COMPACT);
	assert_string_equal(
	    s,
	    "[{\"field\":{\"field\":\"email\"},\"op\":\"LIKE\",\"value\":{\"value\":\"%@a.b\"}},"
	    "\"OR\",{\"field\":{\"field\":\"id\"},\"op\":\"IN\",\"value\":{\"list\":[{\"value\":1},"
	    "{\"value\":2}]}},\"AND\",{\"field\":{\"field\":\"f1\"},\"op\":\"IS NOT EMPTY\"}]");
	free(s);
	json_decref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_operators, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_legacy_strings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sizes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search, setup, teardown),
	    cmocka_unit_test(test_legacy_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
