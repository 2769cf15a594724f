/*
 * runner/names.c: a scenario's names resolved against an account, over real
 * HTTP to an in-process sandbox. The pass at load (clean, problems in file
 * order with suggestions, duplicate names, ids checked to exist, a failure
 * to ask the account); the run-time table (a known name costs no request, a
 * new one is asked once and kept); the expression helpers over it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runner.h"
#include "sandbox.h"

typedef struct fixture {
	sbx_server *srv;
	ontra_client *c;
	char url[64];
} fixture;

static ontra_client *client_for(const char *url)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_client *c;

	o.base_url = url;
	o.app_id = SBX_DEFAULT_APP_ID;
	o.api_key = SBX_DEFAULT_API_KEY;
	o.max_retries = ONTRA_RETRIES_NONE;
	o.no_pacing = 1;
	assert_int_equal(ontra_client_new(&c, &o), 0);
	return c;
}

static void make_tag(ontra_client *c, const char *name)
{
	json_t *fields = json_pack("{s:s, s:s}", "tag_name", name, "object_type_id", "0"), *out;

	assert_int_equal(ontra_object_create(&out, c, ONTRA_TAG, fields), 0);
	json_decref(out);
	json_decref(fields);
}

static int setup(void **state)
{
	sbx_config cfg = SBX_CONFIG_INIT;
	fixture *f = calloc(1, sizeof *f);
	char err[256];

	cfg.quiet = 1;
	cfg.threads = 2;
	cfg.rate_limit = 100000;
	assert_non_null(f);
	assert_int_equal(sbx_server_start(&f->srv, &cfg, err, sizeof err), 0);
	snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d/1", sbx_server_port(f->srv));
	f->c = client_for(f->url);
	make_tag(f->c, "VIP");
	make_tag(f->c, "Twin");
	make_tag(f->c, "Twin");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	ontra_client_free(f->c);
	sbx_server_stop(f->srv);
	free(f);
	return 0;
}

static unsigned long requests(ontra_client *c)
{
	ontra_client_stats st;

	ontra_client_stats_get(c, &st);
	return st.requests;
}

static scen_scenario *load(const char *yaml)
{
	scen_scenario *s = NULL;
	scen_problems p;

	if (scen_load("t.yaml", yaml, strlen(yaml), &s, &p) < 0) {
		size_t i;
		for (i = 0; i < p.n; i++)
			fprintf(stderr, "%s\n", p.lines[i]);
		scen_problems_free(&p);
		fail_msg("the scenario does not load");
	}
	return s;
}

#define GOOD                                                                                       \
	"version: 1\n"                                                                             \
	"name: good\n"                                                                             \
	"trigger:\n"                                                                               \
	"  watch: {event: tagged, tag: VIP}\n"                                                     \
	"steps:\n"                                                                                 \
	"  - id: a\n"                                                                              \
	"    do: objects.upsert\n"                                                                 \
	"    with: {type: Contacts, fields: {First Name: Ann, email: \"{{ data.email }}\"}}\n"     \
	"  - id: b\n"                                                                              \
	"    do: objects.subscribe\n"                                                              \
	"    with: {ids: [1], sequences: [Welcome Sequence, \"2\"], campaigns: Onboarding "        \
	"Automation}\n"                                                                            \
	"  - id: c\n"                                                                              \
	"    do: rules.pause\n"                                                                    \
	"    with: {ids: [1]}\n"                                                                   \
	"  - id: d\n"                                                                              \
	"    do: objects.update\n"                                                                 \
	"    with: {type: rules, id: 1, fields: {Status: paused}}\n"

static void test_clean(void **state)
{
	fixture *f = *state;
	scen_scenario *s = load(GOOD);
	scen_problems p = {NULL, 0, 0};
	run_names *n = NULL;
	char err[256] = "";

	assert_int_equal(run_names_resolve(&n, f->c, s, "t.yaml", &p, err, sizeof err), 0);
	assert_non_null(n);
	assert_int_equal(p.n, 0);
	/* VIP, Contacts, First Name, email, Welcome Sequence, "2", Onboarding Automation, rules,
	 * Status, paused (a label, in any case); Ann is text. */
	assert_int_equal(run_names_count(n), 10);
	run_names_free(n);
	scen_free(s);
}

#define BAD                                                                                        \
	"version: 1\n"                                                                             \
	"name: bad\n"                                                                              \
	"trigger:\n"                                                                               \
	"  watch: {event: tagged, tag: Twin}\n"                                                    \
	"steps:\n"                                                                                 \
	"  - id: a\n"                                                                              \
	"    do: objects.tag\n"                                                                    \
	"    with: {ids: [1], tags: [vip, \"999\", \"0\"]}\n"                                      \
	"  - id: b\n"                                                                              \
	"    do: objects.update\n"                                                                 \
	"    with: {type: rules, id: 1, fields: {Statuss: Live, pause: Pausd}}\n"                  \
	"  - id: c\n"                                                                              \
	"    do: objects.subscribe\n"                                                              \
	"    with: {ids: [1], campaigns: Nothing Like It}\n"

static void test_problems(void **state)
{
	fixture *f = *state;
	scen_scenario *s = load(BAD);
	scen_problems p = {NULL, 0, 0};
	run_names *n = (run_names *)1;
	char err[256] = "";
	static const char *const want[] = {
	    "t.yaml:4:31: 2 tags are named 'Twin': give the tag's id",
	    "t.yaml:8:29: no tag named 'vip' (did you mean 'VIP'?)",
	    "t.yaml:8:34: no tag with id 999",
	    "t.yaml:8:41: invalid tag id '0': expected a whole number from 1 to 9007199254740991",
	    "t.yaml:11:41: unknown field 'Statuss' for Rule (did you mean 'Status'?)",
	    "t.yaml:11:63: no option 'Pausd' for field 'pause' of Rule (did you mean 'Paused'?)",
	    "t.yaml:14:33: no campaign named 'Nothing Like It'",
	};
	size_t i;

	assert_int_equal(run_names_resolve(&n, f->c, s, "t.yaml", &p, err, sizeof err), -1);
	assert_null(n);
	for (i = 0; i < p.n && i < sizeof want / sizeof *want; i++)
		assert_string_equal(p.lines[i], want[i]);
	assert_int_equal(p.n, sizeof want / sizeof *want);
	assert_int_equal(p.more, 0);
	scen_problems_free(&p);
	scen_free(s);
}

static void test_account_unreachable(void **state)
{
	scen_scenario *s = load(GOOD);
	ontra_client *c = client_for("http://127.0.0.1:1/1");
	scen_problems p = {NULL, 0, 0};
	run_names *n = (run_names *)1;
	char err[256] = "";

	(void)state;
	assert_int_equal(run_names_resolve(&n, c, s, "t.yaml", &p, err, sizeof err), -2);
	assert_null(n);
	assert_int_equal(p.n, 0);
	assert_int_equal(ontra_error_last()->code, ONTRA_ENETWORK);
	assert_non_null(strstr(err, "127.0.0.1:1"));
	scen_problems_free(&p);
	ontra_client_free(c);
	scen_free(s);
}

static void test_run_time(void **state)
{
	fixture *f = *state;
	scen_scenario *s = load(GOOD);
	scen_problems p = {NULL, 0, 0};
	run_names *n = NULL;
	unsigned long before;
	long long id, id2;
	int type;

	assert_int_equal(run_names_resolve(&n, f->c, s, "t.yaml", &p, NULL, 0), 0);
	before = requests(f->c);
	/* Known at load, or an id: no request. */
	assert_int_equal(run_names_id(n, f->c, "tag", "VIP", &id), 0);
	assert_true(id > 0);
	assert_int_equal(run_names_id(n, f->c, "sequence", "Welcome Sequence", &id2), 0);
	assert_int_equal(run_names_id(n, f->c, "form", "77", &id2), 0);
	assert_int_equal(id2, 77);
	assert_int_equal(run_names_type(n, f->c, "Contacts", &type), 0);
	assert_int_equal(type, ONTRA_CONTACT);
	assert_int_equal(requests(f->c), before);
	/* A name met at run time: asked once, then kept. */
	assert_int_equal(run_names_id(n, f->c, "form", "Contact Us", &id), 0);
	assert_true(requests(f->c) > before);
	before = requests(f->c);
	assert_int_equal(run_names_id(n, f->c, "form", "Contact Us", &id2), 0);
	assert_int_equal(id2, id);
	assert_int_equal(requests(f->c), before);
	/* Not found, ambiguous, another kind. */
	assert_int_equal(run_names_id(n, f->c, "tag", "Nope", &id), ONTRA_ENOTFOUND);
	assert_int_equal(run_names_id(n, f->c, "tag", "Twin", &id), ONTRA_EINVALID);
	assert_int_equal(run_names_id(n, f->c, "user", "x", &id), ONTRA_EINVALID);
	assert_int_equal(run_names_type(n, f->c, "Dgos", &type), ONTRA_ENOTFOUND);
	run_names_free(n);
	scen_free(s);
}

static void test_resolver(void **state)
{
	fixture *f = *state;
	scen_scenario *s = load(GOOD);
	scen_problems p = {NULL, 0, 0};
	run_names *n = NULL;
	scen_resolver r;
	scen_expr *x;
	scen_experr e;
	json_t *ctx = json_object(), *v, *opts;
	const char *src = "'Paused' | label_to_id('Status', 'rules')";

	assert_int_equal(run_names_resolve(&n, f->c, s, "t.yaml", &p, NULL, 0), 0);
	r = run_names_resolver(n, f->c);
	assert_non_null(r.field_options);
	assert_int_equal(r.field_options(r.ud, "rules", "pause", &opts), 0);
	assert_string_equal(json_string_value(json_object_get(opts, "1")), "Paused");
	json_decref(opts);
	assert_int_equal(r.field_options(r.ud, "rules", "name", &opts), -1);
	assert_int_equal(r.field_options(r.ud, "Dgos", "pause", &opts), -1);
	assert_int_equal(scen_expr_compile(src, strlen(src), &x, &e), 0);
	v = scen_expr_eval(x, ctx, &r, &e);
	assert_non_null(v);
	assert_int_equal(json_integer_value(v), 1);
	json_decref(v);
	scen_expr_free(x);
	src = "'VIP' | tag_id";
	assert_int_equal(scen_expr_compile(src, strlen(src), &x, &e), 0);
	v = scen_expr_eval(x, ctx, &r, &e);
	assert_true(json_is_integer(v) && json_integer_value(v) > 0);
	json_decref(v);
	scen_expr_free(x);
	/* The same client gets the same binding. */
	assert_ptr_equal(run_names_resolver(n, f->c).ud, r.ud);
	json_decref(ctx);
	run_names_free(n);
	scen_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean),
	    cmocka_unit_test(test_problems),
	    cmocka_unit_test(test_account_unreachable),
	    cmocka_unit_test(test_run_time),
	    cmocka_unit_test(test_resolver),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
