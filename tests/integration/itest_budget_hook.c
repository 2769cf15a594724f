/*
 * The rate-budget hook (ontra_budget, include/ontraport.h) against a real
 * sandbox: asked before each attempt and told of each answer; its wait is
 * slept and asked again; a wait past max_wait_ms fails with nothing sent; a
 * budget that cannot answer leaves the client to its own pacer; a 429 is told.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static sandbox_proc sp;

/* A budget in memory: answers `waits` in turn (then 0), records what it is told. */
struct fake {
	long waits[4];
	int nwaits, asked, told, last_status;
	long last_limit, last_reset;
	char app_id[128];
};

static long fake_reserve(void *ud, const char *app_id, char *why, size_t whysz)
{
	struct fake *f = ud;
	long w = f->asked < f->nwaits ? f->waits[f->asked] : 0;

	f->asked++;
	snprintf(f->app_id, sizeof f->app_id, "%s", app_id);
	if (w > 0)
		snprintf(why, whysz, "the fake budget says wait");
	return w;
}

static void fake_answer(void *ud, const char *app_id, const ontra_rate_limit *rl, int status,
                        double seconds)
{
	struct fake *f = ud;

	(void)app_id;
	f->told++;
	f->last_status = status;
	f->last_limit = rl->limit;
	f->last_reset = rl->reset;
	assert_true(seconds >= 0);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long sandbox_stat(const char *name)
{
	json_t *s = sandbox_control(&sp, "GET", "stats");
	long v = (long)json_integer_value(json_object_get(s, name));
	json_decref(s);
	return v;
}

/* 3 requests a 10 s window: the third of a burst is refused by the server. */
static int setup(void **state)
{
	const char *extra[] = {"--rate-limit", "3/10s", NULL};

	(void)state;
	return sandbox_start(&sp, extra);
}

static int teardown(void **state)
{
	(void)state;
	sandbox_stop(&sp);
	return 0;
}

static ontra_client *client_with(struct fake *f, long max_wait_ms, int retries)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_budget b = {fake_reserve, fake_answer, f};
	ontra_client *c = NULL;

	o.base_url = sp.base_url;
	o.app_id = sp.app_id;
	o.api_key = sp.api_key;
	o.max_wait_ms = max_wait_ms;
	o.max_retries = retries;
	o.budget = &b; /* copied: b may go */
	assert_int_equal(ontra_client_new(&c, &o), 0);
	return c;
}

static int get(ontra_client *c)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	json_t *d = NULL;
	int rc;

	req.path = "/Contacts?range=1";
	rc = ontra_call_data(&d, c, &req);
	json_decref(d);
	return rc;
}

static void asked_and_told(void **state)
{
	struct fake f = {.waits = {250}, .nwaits = 1};
	ontra_client *c;
	ontra_client_stats st;
	double t0;

	(void)state;
	json_decref(sandbox_control(&sp, "POST", "reset"));
	c = client_with(&f, 0, ONTRA_RETRIES_NONE);
	t0 = now();
	assert_int_equal(get(c), 0);
	/* Asked, told to wait 250 ms, slept, asked again, sent. */
	assert_true(now() - t0 >= 0.25);
	assert_int_equal(f.asked, 2);
	assert_int_equal(f.told, 1);
	assert_int_equal(f.last_status, 200);
	assert_int_equal(f.last_limit, 3);
	assert_true(f.last_reset >= 1);
	assert_string_equal(f.app_id, sp.app_id);
	ontra_client_stats_get(c, &st);
	assert_int_equal(st.paced, 1);
	assert_int_equal(sandbox_stat("requests"), 1);
	ontra_client_free(c);
}

static void longer_than_max_wait(void **state)
{
	struct fake f = {.waits = {5000}, .nwaits = 1};
	ontra_client *c;

	(void)state;
	json_decref(sandbox_control(&sp, "POST", "reset"));
	c = client_with(&f, 1000, ONTRA_RETRIES_NONE);
	assert_int_equal(get(c), ONTRA_ERATELIMIT);
	assert_non_null(strstr(ontra_error_last()->message, "the fake budget says wait"));
	assert_non_null(strstr(ontra_error_last()->message, "nothing was sent"));
	assert_int_equal(f.told, 0);
	assert_int_equal(sandbox_stat("requests"), 0);
	ontra_client_free(c);
}

static void unreachable_budget_falls_back(void **state)
{
	struct fake f = {.waits = {-1, -1, -1}, .nwaits = 3};
	ontra_client *c;

	(void)state;
	json_decref(sandbox_control(&sp, "POST", "reset"));
	c = client_with(&f, 0, ONTRA_RETRIES_NONE);
	assert_int_equal(get(c), 0);
	assert_int_equal(get(c), 0);
	assert_int_equal(f.asked, 2);
	assert_int_equal(sandbox_stat("requests"), 2);
	ontra_client_free(c);
}

static void a_429_is_told(void **state)
{
	struct fake f = {.nwaits = 0}; /* a budget that always says go: the server refuses */
	ontra_client *c;

	(void)state;
	json_decref(sandbox_control(&sp, "POST", "reset"));
	c = client_with(&f, 0, ONTRA_RETRIES_NONE);
	for (int i = 0; i < 3; i++)
		assert_int_equal(get(c), 0);
	assert_int_equal(get(c), ONTRA_ERATELIMIT);
	assert_int_equal(f.asked, 4);
	assert_int_equal(f.told, 4);
	assert_int_equal(f.last_status, 429);
	assert_true(f.last_reset >= 1);
	ontra_client_free(c);
}

static void reserve_required(void **state)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_budget b = {NULL, fake_answer, NULL};
	ontra_client *c = NULL;

	(void)state;
	o.base_url = sp.base_url;
	o.app_id = sp.app_id;
	o.api_key = sp.api_key;
	o.budget = &b;
	assert_int_equal(ontra_client_new(&c, &o), ONTRA_EINVALID);
	assert_null(c);
	assert_non_null(strstr(ontra_error_last()->message, "reserve"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(asked_and_told),
	    cmocka_unit_test(longer_than_max_wait),
	    cmocka_unit_test(unreachable_budget_falls_back),
	    cmocka_unit_test(a_429_is_told),
	    cmocka_unit_test(reserve_required),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
