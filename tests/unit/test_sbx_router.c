/*
 * Unit tests for src/sandbox/api/router.c: route matching, with made-up tables
 * and types; and for routes.c: the real table of tables the server hands it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "sbx_router.h"
#include "sbx_routes.h"
#include "util.h"

static void h_a(sbx_call *c)
{
	(void)c;
}

static void h_b(sbx_call *c)
{
	(void)c;
}

static const sbx_route objects[] = {
    {"GET", "/1/objects", h_a, 0},         {"POST", "/1/objects", h_b, 0},
    {"GET", "/1/objects/meta", h_a, 0},    {"GET", "/1/{type}", h_a, 0},
    {"GET", "/1/{types}", h_a, 0},         {"POST", "/1/{types}", h_a, 0},
    {"GET", "/1/{types}/getInfo", h_a, 0}, {NULL, NULL, NULL, 0},
};

/* A later resource overriding the generic POST /{types} for one type. */
static const sbx_route messages[] = {
    {"POST", "/1/Messages", h_b, 0},
    {"PUT", "/1/message", h_b, 0},
    {NULL, NULL, NULL, 0},
};

static const sbx_route *const tables[] = {objects, messages, NULL};

static sbx_otype contact = {
    .id = 0, .name = "Contact", .singular = "Contact", .plural = "Contacts"};
static sbx_otype message = {
    .id = 7, .name = "Message", .singular = "Message", .plural = "Messages"};

static const sbx_otype *lookup(void *arg, const char *name, size_t len, int plural)
{
	sbx_otype *types[] = {&contact, &message};
	size_t i;

	(void)arg;
	for (i = 0; i < 2; i++) {
		const char *n = plural ? types[i]->plural : types[i]->singular;
		if (strlen(n) == len && util_strnieq(n, name, len))
			return types[i];
	}
	return NULL;
}

static int match(const char *method, const char *path, sbx_match *m)
{
	return sbx_route_match(tables, method, path, lookup, NULL, m);
}

static void test_literal_case_insensitive(void **state)
{
	sbx_match m;

	(void)state;
	assert_int_equal(match("GET", "/1/objects", &m), 200);
	assert_ptr_equal(m.route, &objects[0]);
	assert_null(m.otype);
	assert_int_equal(match("GET", "/1/OBJECTS/Meta", &m), 200);
	assert_ptr_equal(m.route, &objects[2]);
	assert_int_equal(match("POST", "/1/Objects", &m), 200);
	assert_ptr_equal(m.route->handler, h_b);
}

static void test_unknown_path_404(void **state)
{
	sbx_match m;

	(void)state;
	assert_int_equal(match("GET", "/1/nothing", &m), 404);
	assert_null(m.route);
	assert_int_equal(match("GET", "/2/objects", &m), 404);
	assert_int_equal(match("GET", "/1/objects/meta/more", &m), 404);
	assert_int_equal(match("GET", "/1//objects", &m), 404);
	assert_int_equal(match("GET", "", &m), 404);
	assert_int_equal(match("GET", "/1/a/b/c/d/e/f/g/h/i/j", &m), 404);
	/* A name that is no type does not match a placeholder. */
	assert_int_equal(match("GET", "/1/Widgets", &m), 404);
}

static void test_wrong_method_405(void **state)
{
	sbx_match m;

	(void)state;
	assert_int_equal(match("DELETE", "/1/objects", &m), 405);
	assert_null(m.route);
	assert_string_equal(m.allow, "GET, POST");
	assert_int_equal(match("PUT", "/1/objects/meta", &m), 405);
	assert_string_equal(m.allow, "GET");
	assert_int_equal(match("DELETE", "/1/Contacts/getinfo", &m), 405);
	assert_string_equal(m.allow, "GET");
}

static void test_placeholders_resolve_types(void **state)
{
	sbx_match m;

	(void)state;
	assert_int_equal(match("GET", "/1/Contacts", &m), 200);
	assert_ptr_equal(m.route, &objects[4]);
	assert_ptr_equal(m.otype, &contact);
	assert_int_equal(match("GET", "/1/contact", &m), 200);
	assert_ptr_equal(m.route, &objects[3]);
	assert_ptr_equal(m.otype, &contact);
	assert_int_equal(match("GET", "/1/MESSAGES/getInfo", &m), 200);
	assert_ptr_equal(m.otype, &message);
	/* singular and plural are not interchangeable */
	assert_int_equal(match("GET", "/1/Contact/getInfo", &m), 404);
}

static void test_literal_beats_placeholder(void **state)
{
	sbx_match m;

	(void)state;
	/* POST /1/Messages: the literal route of the later table wins over POST /1/{types}. */
	assert_int_equal(match("POST", "/1/messages", &m), 200);
	assert_ptr_equal(m.route, &messages[0]);
	assert_null(m.otype);
	/* POST /1/Contacts still reaches the generic route. */
	assert_int_equal(match("POST", "/1/Contacts", &m), 200);
	assert_ptr_equal(m.route, &objects[5]);
	/* A literal route with another method does not hide the placeholder route. */
	assert_int_equal(match("GET", "/1/Message", &m), 200);
	assert_ptr_equal(m.route, &objects[3]);
	assert_ptr_equal(m.otype, &message);
	assert_int_equal(match("DELETE", "/1/message", &m), 405);
	assert_string_equal(m.allow, "PUT, GET");
}

static void test_head_and_trailing_slash(void **state)
{
	sbx_match m;

	(void)state;
	assert_int_equal(match("HEAD", "/1/objects", &m), 200);
	assert_ptr_equal(m.route, &objects[0]);
	assert_int_equal(match("GET", "/1/objects/", &m), 200);
	assert_ptr_equal(m.route, &objects[0]);
}

static void test_no_lookup_means_no_placeholders(void **state)
{
	sbx_match m;

	(void)state;
	assert_int_equal(sbx_route_match(tables, "GET", "/1/Contacts", NULL, NULL, &m), 404);
	assert_int_equal(sbx_route_match(tables, "GET", "/1/objects", NULL, NULL, &m), 200);
}

/* routes.c lists every resource's table, and the router finds their routes. */
static void test_route_tables_reach_every_resource(void **state)
{
	sbx_match m;

	(void)state;
	assert_int_equal(
	    sbx_route_match(sbx_route_tables, "GET", "/1/objects/meta", NULL, NULL, &m), 200);
	assert_string_equal(m.route->path, "/1/objects/meta");
	assert_int_equal(sbx_route_match(sbx_route_tables, "PUT", "/1/objects/tag", NULL, NULL, &m),
	                 200);
	assert_int_equal(
	    sbx_route_match(sbx_route_tables, "GET", "/_sandbox/faults", NULL, NULL, &m), 200);
	assert_int_equal(
	    sbx_route_match(sbx_route_tables, "GET", "/1/nothing/here", NULL, NULL, &m), 404);
}

/* No two tables claim the same method and path: the first would hide the other. */
static void test_route_tables_no_duplicates(void **state)
{
	const sbx_route *const *t, *const *u;
	const sbx_route *r, *q;
	size_t n = 0;

	(void)state;
	for (t = sbx_route_tables; *t; t++)
		for (r = *t; r->method; r++, n++)
			for (u = sbx_route_tables; *u; u++)
				for (q = *u; q->method; q++)
					if (q != r && !strcmp(q->method, r->method) &&
					    !strcasecmp(q->path, r->path))
						fail_msg("%s %s is routed twice", r->method,
						         r->path);
	assert_true(n > 40); /* every resource's table is listed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_literal_case_insensitive),
	    cmocka_unit_test(test_unknown_path_404),
	    cmocka_unit_test(test_wrong_method_405),
	    cmocka_unit_test(test_placeholders_resolve_types),
	    cmocka_unit_test(test_literal_beats_placeholder),
	    cmocka_unit_test(test_head_and_trailing_slash),
	    cmocka_unit_test(test_no_lookup_means_no_placeholders),
	    cmocka_unit_test(test_route_tables_reach_every_resource),
	    cmocka_unit_test(test_route_tables_no_duplicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
