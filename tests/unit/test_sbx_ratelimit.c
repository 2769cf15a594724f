/* Unit tests for src/sandbox/http/ratelimit.c: the rolling window, with a fake clock. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sbx_ratelimit.h"

static long long fake_now;

static long long fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static sbx_ratelimit *make(long limit, long long window)
{
	sbx_ratelimit *rl;

	fake_now = 1000000;
	rl = sbx_ratelimit_new(limit, window, fake_clock, NULL);
	assert_non_null(rl);
	return rl;
}

static void take(sbx_ratelimit *rl, int allowed, long remaining, long reset)
{
	sbx_rl_verdict v;

	sbx_ratelimit_take(rl, &v);
	assert_int_equal(v.allowed, allowed);
	assert_int_equal(v.remaining, remaining);
	assert_int_equal(v.reset, reset);
}

static void test_limit_then_refuse(void **state)
{
	sbx_ratelimit *rl = make(3, 60000);
	sbx_rl_verdict v;

	(void)state;
	take(rl, 1, 2, 60);
	take(rl, 1, 1, 60);
	take(rl, 1, 0, 60);
	/* Request limit+1 inside the window is refused. */
	sbx_ratelimit_take(rl, &v);
	assert_false(v.allowed);
	assert_int_equal(v.limit, 3);
	assert_int_equal(v.remaining, 0);
	assert_int_equal(v.reset, 60);
	sbx_ratelimit_free(rl);
}

static void test_reset_rounds_up(void **state)
{
	sbx_ratelimit *rl = make(1, 2000);

	(void)state;
	take(rl, 1, 0, 2);
	fake_now += 1001; /* 999 ms left: still reports a whole second */
	take(rl, 0, 0, 1);
	fake_now += 998; /* 1 ms left */
	take(rl, 0, 0, 1);
	fake_now += 1; /* the window has slid past the first request */
	take(rl, 1, 0, 2);
	sbx_ratelimit_free(rl);
}

static void test_window_rolls(void **state)
{
	sbx_ratelimit *rl = make(3, 1000);

	(void)state;
	take(rl, 1, 2, 1); /* t=0 */
	fake_now += 500;
	take(rl, 1, 1, 1); /* t=500 */
	fake_now += 400;
	take(rl, 1, 0, 1); /* t=900 */
	fake_now += 50;
	take(rl, 0, 0, 1); /* t=950: full; the t=0 slot frees at 1000 */
	fake_now += 50;
	take(rl, 1, 0, 1); /* t=1000: the t=0 request left, this one takes its place */
	fake_now += 1;
	take(rl, 0, 0, 1); /* t=1001: 500, 900, 1000 are in the window */
	fake_now += 499;
	take(rl, 1, 0, 1); /* t=1500: 500 left */
	sbx_ratelimit_free(rl);
}

static void test_refused_requests_take_no_slot(void **state)
{
	sbx_ratelimit *rl = make(2, 1000);
	int i;

	(void)state;
	take(rl, 1, 1, 1);
	take(rl, 1, 0, 1);
	for (i = 0; i < 100; i++) {
		fake_now += 5;
		take(rl, 0, 0, 1);
	}
	fake_now = 1000000 + 1000; /* both allowed requests have left the window */
	take(rl, 1, 1, 1);
	sbx_ratelimit_free(rl);
}

static void test_peek_and_reset(void **state)
{
	sbx_ratelimit *rl = make(2, 1000);
	sbx_rl_verdict v;

	(void)state;
	sbx_ratelimit_peek(rl, &v);
	assert_true(v.allowed);
	assert_int_equal(v.remaining, 2);
	assert_int_equal(v.reset, 0);
	take(rl, 1, 1, 1);
	take(rl, 1, 0, 1);
	sbx_ratelimit_peek(rl, &v);
	assert_false(v.allowed);
	sbx_ratelimit_reset(rl);
	take(rl, 1, 1, 1);
	sbx_ratelimit_free(rl);
}

static void test_grows_past_initial_ring(void **state)
{
	sbx_ratelimit *rl = make(1000, 60000);
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		if (i % 7 == 0)
			fake_now++; /* keep the ring's contents distinct and ordered */
		take(rl, 1, 999 - i, 60);
	}
	take(rl, 0, 0, 60);
	fake_now += 60000; /* everything expired */
	take(rl, 1, 999, 60);
	sbx_ratelimit_free(rl);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	assert_null(sbx_ratelimit_new(0, 1000, NULL, NULL));
	assert_null(sbx_ratelimit_new(10, 0, NULL, NULL));
	sbx_ratelimit_free(NULL);
}

static void test_monotonic_clock_moves(void **state)
{
	long long a = sbx_clock_monotonic_ms(NULL), b = sbx_clock_monotonic_ms(NULL);

	(void)state;
	assert_true(a > 0);
	assert_true(b >= a);
}

#define THREADS 4
#define PER_THREAD 1000

static void *hammer(void *arg)
{
	sbx_ratelimit *rl = arg;
	long allowed = 0;
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		sbx_rl_verdict v;
		sbx_ratelimit_take(rl, &v);
		allowed += v.allowed;
	}
	return (void *)(intptr_t)allowed;
}

static void test_threads_never_exceed_limit(void **state)
{
	sbx_ratelimit *rl = sbx_ratelimit_new(2500, 3600000, NULL, NULL);
	pthread_t th[THREADS];
	long total = 0;
	int i;

	(void)state;
	assert_non_null(rl);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer, rl), 0);
	for (i = 0; i < THREADS; i++) {
		void *r;
		pthread_join(th[i], &r);
		total += (long)(intptr_t)r;
	}
	assert_int_equal(total, 2500);
	sbx_ratelimit_free(rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limit_then_refuse),
	    cmocka_unit_test(test_reset_rounds_up),
	    cmocka_unit_test(test_window_rolls),
	    cmocka_unit_test(test_refused_requests_take_no_slot),
	    cmocka_unit_test(test_peek_and_reset),
	    cmocka_unit_test(test_grows_past_initial_ring),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_monotonic_clock_moves),
	    cmocka_unit_test(test_threads_never_exceed_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
