/* lib/pacer.c: request k waits until request k-limit has left the window. */
#include <setjmp.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

static void learns_limit_and_window(void **state)
{
	ontra_pacer *p = ontra__pacer_new();
	ontra_rate_limit rl = {3, 2, 1}; /* 3 per window, window learned as 1 s */
	double w;
	int i;

	(void)state;
	/* Nothing known yet: no waiting. */
	assert_true(ontra__pacer_reserve(p) == 0);
	ontra__pacer_update(p, &rl, 200, 0.001);
	/* Two more fit in the window of 3. */
	for (i = 0; i < 2; i++) {
		assert_true(ontra__pacer_reserve(p) < 0.001);
		ontra__pacer_update(p, &rl, 200, 0.001);
	}
	/* The fourth must wait for the first to leave the 1 s window. */
	w = ontra__pacer_reserve(p);
	assert_true(w > 0.9 && w < 1.1);
	/* ...and the fifth for the second. */
	w = ontra__pacer_reserve(p);
	assert_true(w > 0.9 && w < 1.1);
	assert_int_equal(ontra__pacer_waits(p), 2);
	ontra__pacer_free(p);
}

/* A slow round trip widens the margin: the server may have counted the
 * oldest request up to a round trip after we sent it. */
static void margin_grows_with_round_trip(void **state)
{
	ontra_pacer *p = ontra__pacer_new();
	ontra_rate_limit rl = {2, 1, 10}; /* 2 per window, window 10 s */
	double w;

	(void)state;
	ontra__pacer_reserve(p);
	ontra__pacer_update(p, &rl, 200, 0.5); /* a half-second round trip */
	ontra__pacer_reserve(p);
	ontra__pacer_update(p, &rl, 200, 0.001);
	w = ontra__pacer_reserve(p);
	/* window 10 + 5 ms + 1% (0.1) + the decayed 0.5 s round trip (0.475) */
	assert_true(w > 10.5 && w < 10.65);
	ontra__pacer_free(p);

	/* ...but never by more than 10% of the window. */
	p = ontra__pacer_new();
	ontra__pacer_reserve(p);
	ontra__pacer_update(p, &rl, 200, 30.0);
	ontra__pacer_reserve(p);
	ontra__pacer_update(p, &rl, 200, 30.0);
	w = ontra__pacer_reserve(p);
	assert_true(w > 11.0 && w < 11.2);
	ontra__pacer_free(p);
}

static void holds_after_429(void **state)
{
	ontra_pacer *p = ontra__pacer_new();
	ontra_rate_limit rl = {180, 0, 2};
	double w;

	(void)state;
	assert_true(ontra__pacer_reserve(p) == 0);
	/* The server says none remain although we sent one: others use the account. */
	ontra__pacer_update(p, &rl, 200, 0.001);
	w = ontra__pacer_reserve(p);
	assert_true(w > 1.9 && w <= 2.0);
	ontra__pacer_free(p);

	p = ontra__pacer_new();
	rl.remaining = 5;
	rl.reset = 3;
	ontra__pacer_reserve(p);
	ontra__pacer_update(p, &rl, 429, 0.001);
	w = ontra__pacer_reserve(p);
	assert_true(w > 2.9 && w <= 3.0);
	ontra__pacer_free(p);
}

static void safe_methods(void **state)
{
	ontra_request r = ONTRA_REQUEST_INIT;
	(void)state;
	r.method = "GET";
	assert_true(ontra__retry_safe(&r));
	r.method = "PUT";
	assert_true(ontra__retry_safe(&r));
	r.method = "DELETE";
	assert_true(ontra__retry_safe(&r));
	r.method = "POST";
	r.path = "/objects";
	assert_false(ontra__retry_safe(&r));
	r.path = "/message";
	assert_false(ontra__retry_safe(&r));
	r.path = "/objects/saveorupdate";
	assert_true(ontra__retry_safe(&r));
	r.path = "/Contacts/saveorupdate?x=1";
	assert_true(ontra__retry_safe(&r));
	r.path = "/objects/pause";
	assert_true(ontra__retry_safe(&r));
	r.path = "/objects";
	r.retry = ONTRA_RETRY_SAFE;
	assert_true(ontra__retry_safe(&r));
	r.method = "GET";
	r.retry = ONTRA_RETRY_NEVER;
	assert_false(ontra__retry_safe(&r));
}

/* A bogus X-Rate-Limit-Reset (11.6 days) holds no longer than the API's 60 s window + 10%. */
static void bogus_reset_is_capped(void **state)
{
	ontra_pacer *p = ontra__pacer_new();
	ontra_rate_limit held = {180, 0, 999999}; /* Remaining 0 although we sent one: hold */
	ontra_rate_limit full = {2, 1, 999999};   /* 2 a window, the window "learned" as 999999 s */
	char why[256];
	double w;

	(void)state;
	ontra__pacer_reserve(p);
	ontra__pacer_update(p, &held, 200, 0.001);
	w = ontra__pacer_reserve(p);
	assert_true(w > 65.0 && w <= 66.0);
	ontra__pacer_free(p);

	/* The learned window is capped too. */
	p = ontra__pacer_new();
	ontra__pacer_reserve(p);
	ontra__pacer_update(p, &full, 200, 0.001);
	ontra__pacer_reserve(p);
	ontra__pacer_update(p, &full, 200, 0.001);
	/* A bound below the wait: refused, nothing taken, and the reason given. */
	assert_int_equal(ontra__pacer_reserve_within(p, 5.0, &w, why, sizeof why), -1);
	assert_true(w > 66.0 && w < 66.0 + 0.005 + 0.66 + 0.01);
	assert_non_null(strstr(why, "the limit is 2"));
	assert_int_equal(ontra__pacer_waits(p), 0);
	ontra__pacer_free(p);

	/* The reason for a hold names the header and the cap. */
	p = ontra__pacer_new();
	ontra__pacer_reserve(p);
	ontra__pacer_update(p, &held, 200, 0.001);
	assert_int_equal(ontra__pacer_reserve_within(p, 1.0, &w, why, sizeof why), -1);
	assert_string_equal(why,
	                    "the server said X-Rate-Limit-Remaining: 0 with X-Rate-Limit-Reset: "
	                    "999999, more than the API's 60 s window: capped at 66 s");
	ontra__pacer_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(learns_limit_and_window),      cmocka_unit_test(holds_after_429),
	    cmocka_unit_test(margin_grows_with_round_trip), cmocka_unit_test(safe_methods),
	    cmocka_unit_test(bogus_reset_is_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
