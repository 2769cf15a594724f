/* Unit tests for src/runner/schedule.c: the schedule trigger's tick. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_rcv_helpers.h"
#include "runner.h"

/* 2025-12-07 00:00:00 UTC: a whole hour. */
#define T0 1765065600LL

typedef struct fixture {
	char *dir;
	run_journal *j;
	scen_scenario s;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	char err[256], *db;
	scen_experr e;

	f->dir = th_tmpdir();
	db = th_path(f->dir, "runs.db");
	if (run_journal_open(&f->j, db, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	free(db);
	f->s.name = "hourly";
	f->s.trigger.kind = SCEN_TRIGGER_SCHEDULE;
	f->s.trigger.cron_text = "0 * * * *";
	if (scen_cron_parse(f->s.trigger.cron_text, &f->s.trigger.cron, &e))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	run_journal_close(f->j);
	th_rmdir(f->dir);
	free(f);
	return 0;
}

static int64_t runs(run_journal *j)
{
	int64_t p = -1;

	assert_int_equal(run_journal_counts(j, NULL, &p, NULL, NULL, NULL), 0);
	return p;
}

/* One tick at now; returns *added, checks *next. */
static int tick(fixture *f, long long now, long long want_next)
{
	int added = -1;
	int64_t next = 0;
	char err[256];

	assert_int_equal(run_schedule_tick(f->j, &f->s, now, &added, &next, err, sizeof err), 0);
	assert_int_equal(next, want_next);
	return added;
}

static int newest(const run_record *r, void *ud)
{
	*(run_record **)ud = calloc(1, sizeof(run_record));
	(*(run_record **)ud)->source = strdup(r->source);
	(*(run_record **)ud)->event = strdup(r->event);
	(*(run_record **)ud)->order_key = r->order_key ? strdup(r->order_key) : NULL;
	(*(run_record **)ud)->id = r->id;
	return 1;
}

/* The newest run's source and event (compared as given). */
static void assert_newest(fixture *f, long long fire, long long fired_at)
{
	run_record *r = NULL;
	char want[128];

	assert_int_equal(run_journal_list(f->j, "hourly", RUN_STATUS_ALL, 1, 1, newest, &r), 1);
	assert_non_null(r);
	snprintf(want, sizeof want, "schedule:%lld", fire);
	assert_string_equal(r->source, want);
	assert_null(r->order_key);
	snprintf(want, sizeof want,
	         "{\"type\":\"schedule\",\"scheduled_at\":%lld,\"fired_at\":%lld}", fire, fired_at);
	assert_string_equal(r->event, want);
	run_record_free(r);
}

static void test_first_tick_records_now(void **state)
{
	fixture *f = *state;
	char *v = NULL;

	assert_int_equal(tick(f, T0 + 10, T0 + 3600), 0);
	assert_int_equal(runs(f->j), 0);
	assert_int_equal(run_journal_state_get(f->j, "hourly", "schedule.last", &v), 0);
	assert_string_equal(v, "1765065610");
	free(v);
	/* Before the next fire: nothing. */
	assert_int_equal(tick(f, T0 + 3599, T0 + 3600), 0);
	assert_int_equal(runs(f->j), 0);
}

static void test_fire_once(void **state)
{
	fixture *f = *state;

	assert_int_equal(tick(f, T0 + 10, T0 + 3600), 0);
	/* Exactly at the fire time, then again at the same time: one run. */
	assert_int_equal(tick(f, T0 + 3600, T0 + 7200), 1);
	assert_int_equal(runs(f->j), 1);
	assert_newest(f, T0 + 3600, T0 + 3600);
	assert_int_equal(tick(f, T0 + 3600, T0 + 7200), 0);
	assert_int_equal(tick(f, T0 + 3700, T0 + 7200), 0);
	assert_int_equal(runs(f->j), 1);
	/* The next hour: the next run. */
	assert_int_equal(tick(f, T0 + 7205, T0 + 10800), 1);
	assert_int_equal(runs(f->j), 2);
	assert_newest(f, T0 + 7200, T0 + 7205);
}

static void test_missed_fires_collapse(void **state)
{
	fixture *f = *state;
	char *v = NULL;

	assert_int_equal(tick(f, T0 + 10, T0 + 3600), 0);
	/* Five fires passed (01:00 .. 05:00): one run, for the latest. */
	assert_int_equal(tick(f, T0 + 5 * 3600 + 30, T0 + 6 * 3600), 1);
	assert_int_equal(runs(f->j), 1);
	assert_newest(f, T0 + 5 * 3600, T0 + 5 * 3600 + 30);
	assert_int_equal(run_journal_state_get(f->j, "hourly", "schedule.last", &v), 0);
	assert_string_equal(v, "1765083600");
	free(v);
	assert_int_equal(tick(f, T0 + 5 * 3600 + 30, T0 + 6 * 3600), 0);
	assert_int_equal(runs(f->j), 1);

	/* A year away, every minute: still one run, the last whole minute, and quickly. */
	assert_int_equal(scen_cron_parse("* * * * *", &f->s.trigger.cron, &(scen_experr){0}), 0);
	assert_int_equal(tick(f, T0 + 366LL * 86400 + 59, T0 + 366LL * 86400 + 60), 1);
	assert_newest(f, T0 + 366LL * 86400, T0 + 366LL * 86400 + 59);
	assert_int_equal(runs(f->j), 2);
}

static void test_clock_back_and_errors(void **state)
{
	fixture *f = *state;
	char err[256] = "";
	int added = -1;
	int64_t next = 0;

	assert_int_equal(tick(f, T0 + 3 * 3600 + 1, T0 + 4 * 3600), 0);
	/* The clock went back: no run for times already passed. */
	assert_int_equal(tick(f, T0 + 10, T0 + 3600), 0);
	assert_int_equal(runs(f->j), 0);

	assert_int_equal(run_journal_state_set(f->j, "hourly", "schedule.last", "soon", NULL, 0),
	                 0);
	assert_int_equal(run_schedule_tick(f->j, &f->s, T0, &added, &next, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a number"));
	assert_int_equal(added, 0);

	f->s.trigger.kind = SCEN_TRIGGER_POLL;
	assert_int_equal(run_schedule_tick(f->j, &f->s, T0, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "no schedule trigger"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_first_tick_records_now, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fire_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missed_fires_collapse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clock_back_and_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
