/*
 * One rate budget per account in PostgreSQL (pgq_budget_*, and the CLI's hook
 * over it, src/cli/rate_budget.c) against a real throw-away cluster (pg.sh)
 * and a real sandbox: the ring's arithmetic and a 429's hold on the database's
 * clock; then 3 worker processes on one account under a 180/6s limit, each
 * with its own connection and client, for 3 windows: not one 429, and at least
 * 95% of the allowance used (the figures are printed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "pgqueue.h"
#include "pgtest.h"
#include "rate_budget.h"

#define WORKERS 3
#define LIMIT 180
/* Each worker's requests: together 3 windows' allowance (a burst, then 2 more windows). */
#define PER_WORKER LIMIT

static pgtest pg;
static sandbox_proc sp;
static double scale = 1.0;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A new database, migrated; its URL into url. */
static void fresh_db(char *url, size_t n)
{
	assert_int_equal(pgtest_new_db(&pg, "b", NULL, 0, url, n), 0);
	assert_int_equal(pgq_migrate(url, NULL, NULL), 0);
}

static void take(pgq *q, const char *account, int64_t *wait)
{
	int slot = -1;

	assert_int_equal(pgq_budget_take(q, account, 0, wait, &slot), 0);
	/* A slot of the ring when taken, none when not. */
	assert_true(*wait ? slot == 0 : slot >= 1);
}

/* The ring: the limit exactly, the next slot when the oldest leaves the window, a 429 held. */
static void test_take_and_tell(void **state)
{
	char url[600];
	pgq *q = NULL;
	pgq_budget_state st;
	int64_t wait = -1;
	int i;

	(void)state;
	fresh_db(url, sizeof url);
	assert_int_equal(pgq_open(&q, url), 0);
	assert_int_equal(pgq_budget_get(q, "acct", &st), PGQ_ENOTFOUND);
	assert_int_equal(pgq_budget_take(q, "", 0, &wait, NULL), PGQ_EINVALID);
	take(q, "acct", &wait); /* creates the row: 180 a minute until told */
	assert_int_equal(wait, 0);
	/* The server says 3 per 2 s: the ring shrinks, as if all 3 had just gone. */
	assert_int_equal(pgq_budget_tell(q, "acct", 3, 2, 200), 0);
	assert_int_equal(pgq_budget_get(q, "acct", &st), 0);
	assert_int_equal(st.limit, 3);
	assert_int_equal(st.window_ms, 2000);
	assert_int_equal(st.used, 3);
	take(q, "acct", &wait);
	/* The window (2000) plus the margin (5 + 1%): about 2 s, never less. */
	assert_true(wait > 1800 && wait <= 2030);
	assert_int_equal(st.taken, 1);
	/* Another account is another budget. */
	take(q, "other", &wait);
	assert_int_equal(wait, 0);
	/* A 429 with a reset of 10 s holds everyone past the window. */
	assert_int_equal(pgq_budget_tell(q, "acct", 3, 10, 429), 0);
	take(q, "acct", &wait);
	assert_true(wait > 9000 && wait <= 10200);
	assert_int_equal(pgq_budget_get(q, "acct", &st), 0);
	assert_int_equal(st.refused, 1);
	/* The window grows to the largest Reset seen (capped at 66 s), never shrinks. */
	assert_int_equal(pgq_budget_tell(q, "acct", 3, 999999, 200), 0);
	assert_int_equal(pgq_budget_tell(q, "acct", 3, 1, 200), 0);
	assert_int_equal(pgq_budget_get(q, "acct", &st), 0);
	assert_int_equal(st.window_ms, 66000);
	/* A fresh account with a small limit: exactly `limit` go at once. */
	assert_int_equal(pgq_budget_tell(q, "other", 5, 1, 200), 0);
	assert_int_equal(pgtest_sql(url, "UPDATE ontraport_rate_budget SET sent = "
	                                 "array_fill(0::bigint, ARRAY[5]) WHERE account = 'other'"),
	                 0);
	for (i = 0; i < 5; i++) {
		take(q, "other", &wait);
		assert_int_equal(wait, 0);
	}
	take(q, "other", &wait);
	assert_true(wait > 900);
	/* An answer moves its slot's time later: the slot frees a window after it. */
	assert_int_equal(
	    pgtest_sql(url, "UPDATE ontraport_rate_budget SET sent = "
	                    "array_fill(0::bigint, ARRAY[5]), head = 1 WHERE account = 'other'"),
	    0);
	{
		int slot = 0;

		assert_int_equal(pgq_budget_take(q, "other", 0, &wait, &slot), 0);
		assert_int_equal(wait, 0);
		struct timespec later = {0, 300 * 1000000L};

		assert_int_equal(slot, 1);
		for (i = 0; i < 4; i++)
			take(q, "other", &wait);
		/* Answered 300 ms after it was taken. */
		nanosleep(&later, NULL);
		assert_int_equal(pgq_budget_sent(q, "other", slot), 0);
		take(q, "other", &wait); /* slot 1 again: a window after its answer, not its take */
		assert_true(wait > 950 && wait <= 1020);
	}
	pgq_close(q);
}

/* The hook's connection: a wrong password is refused, and never shown. */
static void test_open_refused(void **state)
{
	char url[600], bad[700], *at;
	cli_budget *b = (cli_budget *)1;

	(void)state;
	fresh_db(url, sizeof url);
	at = strstr(url, pg.password);
	assert_non_null(at);
	snprintf(bad, sizeof bad, "%.*sWrongPass1234%s", (int)(at - url), url,
	         at + strlen(pg.password));
	assert_int_equal(cli_budget_open(&b, bad), PGQ_ECONNECT);
	assert_null(b);
	assert_null(strstr(pgq_last_error(), "WrongPass1234"));
	assert_int_equal(cli_budget_open(&b, url), 0);
	assert_non_null(cli_budget_hook(b)->reserve);
	cli_budget_free(b);
}

/* What a worker process reports to the parent through a pipe. */
struct result {
	long ok, refused, failed;
	double first, last;    /* arrivals of its first and last answer (monotonic) */
	double at[PER_WORKER]; /* the arrival of each answer */
};

/* A worker process: its own budget connection and client; PER_WORKER requests. */
static void worker(const char *url, int fd)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	struct result r = {0};
	ontra_client_stats st;
	ontra_client *c = NULL;
	cli_budget *b = NULL;

	if (cli_budget_open(&b, url) != 0)
		_exit(2);
	o.base_url = sp.base_url;
	o.app_id = sp.app_id;
	o.api_key = sp.api_key;
	o.max_retries = ONTRA_RETRIES_NONE; /* a 429 must show, not be waited out */
	o.budget = cli_budget_hook(b);
	if (ontra_client_new(&c, &o) != 0)
		_exit(3);
	for (int i = 0; i < PER_WORKER; i++) {
		ontra_request req = ONTRA_REQUEST_INIT;
		ontra_response *resp = NULL;
		double t;

		req.path = "/Contacts?range=1";
		if (ontra_send(&resp, c, &req) != 0) {
			r.failed++;
			continue;
		}
		t = now(); /* the answer's arrival: a round trip (ms) after the server counted it */
		if (!r.first)
			r.first = t;
		r.last = t;
		r.at[r.ok + r.refused] = t;
		if (ontra_response_status(resp) == 200)
			r.ok++;
		else
			r.refused++;
		ontra_response_free(resp);
	}
	ontra_client_stats_get(c, &st);
	if ((long)st.rate_limited != r.refused)
		_exit(5);
	ontra_client_free(c);
	cli_budget_free(b);
	if (write(fd, &r, sizeof r) != (ssize_t)sizeof r)
		_exit(4);
	_exit(0);
}

static int by_time(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/*
 * How fully the allowance was used, slot by slot: the server lets request
 * k + LIMIT in once request k has left the window, so each gap between them
 * is at least a window; window / the mean gap is the share of the allowance
 * used once the workers are past their opening burst (1 = every slot reused
 * the moment it freed). all[] holds every answer's arrival, n of them.
 */
static double slot_use(double *all, size_t n, double window, double *mean_gap)
{
	double sum = 0;
	size_t k;

	qsort(all, n, sizeof *all, by_time);
	for (k = 0; k + LIMIT < n; k++)
		sum += all[k + LIMIT] - all[k];
	*mean_gap = sum / (double)(n - LIMIT);
	return window / *mean_gap;
}

static void test_three_workers_share_one_budget(void **state)
{
	char url[600];
	struct result all[WORKERS];
	pid_t pids[WORKERS];
	int fds[2], i, status;
	double first = 0, last = 0, span, window = 6.0 * scale, allowance, used, gap;
	static double times[WORKERS * PER_WORKER];
	long ok = 0, refused = 0, failed = 0;
	json_t *stats;
	pgq *q = NULL;
	pgq_budget_state st;

	(void)state;
	fresh_db(url, sizeof url);
	json_decref(sandbox_control(&sp, "POST", "reset"));
	assert_int_equal(pipe(fds), 0);
	for (i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(fds[0]);
			worker(url, fds[1]);
		}
	}
	close(fds[1]);
	for (i = 0; i < WORKERS; i++) {
		assert_int_equal(read(fds[0], &all[i], sizeof all[i]), (ssize_t)sizeof all[i]);
		ok += all[i].ok;
		refused += all[i].refused;
		failed += all[i].failed;
		if (!first || all[i].first < first)
			first = all[i].first;
		if (all[i].last > last)
			last = all[i].last;
	}
	close(fds[0]);
	for (i = 0; i < WORKERS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	for (i = 0; i < WORKERS; i++)
		memcpy(times + (size_t)i * PER_WORKER, all[i].at, sizeof all[i].at);
	used = slot_use(times, (size_t)(ok + refused), window, &gap);
	/* Coarser: the allowance from the first answer to the last (a window's burst, then LIMIT
	 * a window), which counts the time the workers took to send the opening burst too. */
	span = last - first;
	allowance = LIMIT * (1.0 + span / window);
	stats = sandbox_control(&sp, "GET", "stats");
	fprintf(stderr,
	        "shared budget: %d workers, %ld requests (%ld, %ld, %ld), %ld x 429, %ld failed; "
	        "each slot reused after %.3f s on average (window %.3f s): %.1f%% of the allowance "
	        "used; %.2f s from first to last answer, allowance %.0f: %.1f%%; server: %lld "
	        "requests, %lld x 429\n",
	        WORKERS, ok + refused, all[0].ok, all[1].ok, all[2].ok, refused, failed, gap,
	        window, 100.0 * used, span, allowance, 100.0 * (double)(ok + refused) / allowance,
	        (long long)json_integer_value(json_object_get(stats, "requests")),
	        (long long)json_integer_value(json_object_get(stats, "rate_limited")));
	assert_int_equal(failed, 0);
	assert_int_equal(refused, 0);
	assert_int_equal(json_integer_value(json_object_get(stats, "rate_limited")), 0);
	assert_int_equal(json_integer_value(json_object_get(stats, "requests")),
	                 WORKERS * PER_WORKER);
	json_decref(stats);
	/* Every worker had its part (none starved), and together they used the allowance. */
	for (i = 0; i < WORKERS; i++)
		assert_true(all[i].ok == PER_WORKER);
	assert_true(used >= 0.95);
	/* The budget counted every request once. */
	assert_int_equal(pgq_open(&q, url), 0);
	assert_int_equal(pgq_budget_get(q, sp.app_id, &st), 0);
	assert_int_equal(st.taken, WORKERS * PER_WORKER);
	assert_int_equal(st.refused, 0);
	assert_int_equal(st.limit, LIMIT);
	assert_int_equal(st.window_ms, (int64_t)(window * 1000.0 + 0.5));
	pgq_close(q);
}

/* A 180/6s sandbox (the window stretched by ONTRA_TEST_TIME_SCALE) and a cluster. */
static int setup(void **state)
{
	static char rate[32];
	const char *extra[] = {"--rate-limit", rate, NULL};
	const char *s = getenv("ONTRA_TEST_TIME_SCALE");

	(void)state;
	if (s && strtol(s, NULL, 10) > 1)
		scale = (double)strtol(s, NULL, 10);
	snprintf(rate, sizeof rate, "%d/%.0fs", LIMIT, 6.0 * scale);
	if (pgtest_start(&pg) != 0)
		return -1;
	return sandbox_start(&sp, extra);
}

static int teardown(void **state)
{
	(void)state;
	sandbox_stop(&sp);
	pgtest_stop(&pg);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_take_and_tell),
	    cmocka_unit_test(test_open_refused),
	    cmocka_unit_test(test_three_workers_share_one_budget),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
