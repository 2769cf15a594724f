/* Unit tests for src/runner/journal.c and journal_ops.c: the run journal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "test_rcv_helpers.h"
#include "journal_int.h"

typedef struct fixture {
	char *dir;
	char *db;
	run_journal *j;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	char err[256];

	f->dir = th_tmpdir();
	f->db = th_path(f->dir, "runs.db");
	if (run_journal_open(&f->j, f->db, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	run_journal_close(f->j);
	free(f->db);
	th_rmdir(f->dir);
	free(f);
	return 0;
}

static int64_t add(run_journal *j, const char *scenario, const char *source, const char *key)
{
	int64_t id = 0;
	int created = 0;

	assert_int_equal(run_journal_add(j, scenario, source, key, "{\"n\":1}", &id, &created), 0);
	assert_int_equal(created, 1);
	assert_true(id > 0);
	return id;
}

/* The id claimed at now, 0 when nothing (then *wake). */
static int64_t claim(run_journal *j, const char *scenario, int64_t now, int64_t *wake)
{
	run_record *r = NULL;
	int64_t id, w = -1;
	int rc = run_journal_claim(j, scenario, now, &r, &w);

	if (wake)
		*wake = w;
	if (rc == 1) {
		assert_null(r);
		return 0;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(w, 0);
	id = r->id;
	run_record_free(r);
	return id;
}

static run_record *get(run_journal *j, int64_t id)
{
	run_record *r = NULL;

	assert_int_equal(run_journal_get(j, id, &r), 0);
	assert_non_null(r);
	return r;
}

static void test_add_dedupe(void **state)
{
	fixture *f = *state;
	int64_t a, id = 0, before = run_journal__now_ms();
	int created = -1;
	run_record *r = NULL;
	struct stat st;
	char *big;

	a = add(f->j, "s1", "queue:17", "contacts:42");
	/* The same source again (a redelivered event) is the same run. */
	assert_int_equal(run_journal_add(f->j, "s1", "queue:17", "x", "{}", &id, &created), 0);
	assert_int_equal(created, 0);
	assert_int_equal(id, a);
	/* Another scenario's run for the same source is its own. */
	assert_true(add(f->j, "s2", "queue:17", NULL) > a);

	r = get(f->j, a);
	assert_int_equal(r->id, a);
	assert_string_equal(r->scenario, "s1");
	assert_string_equal(r->source, "queue:17");
	assert_string_equal(r->order_key, "contacts:42");
	assert_string_equal(r->event, "{\"n\":1}");
	assert_int_equal(r->status, RUN_PENDING);
	assert_int_equal(r->step, 0);
	assert_int_equal(r->attempts, 0);
	assert_int_equal(r->next_attempt_at, 0);
	assert_null(r->last_error);
	assert_true(r->created_at >= before && r->created_at <= run_journal__now_ms());
	assert_int_equal(r->updated_at, r->created_at);
	assert_int_equal(r->nsteps, 0);
	run_record_free(r);
	assert_int_equal(run_journal_get(f->j, 9999, &r), 1);
	assert_null(r);
	assert_non_null(strstr(run_journal_last_error(), "9999"));

	/* The file is private: events hold personal data. */
	assert_int_equal(stat(f->db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* An event over 1 MiB is refused; exactly 1 MiB is taken. */
	big = malloc(1024 * 1024 + 2);
	memset(big, ' ', 1024 * 1024 + 1);
	big[1024 * 1024 + 1] = '\0';
	id = 5;
	assert_int_equal(run_journal_add(f->j, "s1", "big", NULL, big, &id, &created), -1);
	assert_int_equal(id, 0);
	assert_int_equal(created, 0);
	assert_non_null(strstr(run_journal_last_error(), "too large"));
	big[1024 * 1024] = '\0';
	assert_int_equal(run_journal_add(f->j, "s1", "big", NULL, big, &id, &created), 0);
	assert_int_equal(created, 1);
	free(big);
	assert_int_equal(run_journal_add(f->j, "s1", "none", NULL, NULL, &id, NULL), -1);
	assert_int_equal(run_journal_add(f->j, "s1", NULL, NULL, "{}", &id, NULL), -1);
	assert_int_equal(run_journal_add(f->j, NULL, "x", NULL, "{}", &id, NULL), -1);
}

/* Oldest first; a run waits for every earlier pending run of its order key. */
static void test_claim_order(void **state)
{
	fixture *f = *state;
	int64_t a, b, c, d, e, other, wake, now = 1000000;

	a = add(f->j, "s", "1", "k1");
	b = add(f->j, "s", "2", "k1");
	c = add(f->j, "s", "3", "k2");
	d = add(f->j, "s", "4", NULL);
	e = add(f->j, "s", "5", NULL);
	other = add(f->j, "t", "1", "k1"); /* another scenario's k1 is its own */

	assert_int_equal(claim(f->j, "s", now, NULL), a);
	/* b waits for a (claimed); different keys and unordered runs go concurrently. */
	assert_int_equal(claim(f->j, "s", now, NULL), c);
	assert_int_equal(claim(f->j, "s", now, NULL), d);
	assert_int_equal(claim(f->j, "s", now, NULL), e);
	assert_int_equal(claim(f->j, "t", now, NULL), other);
	assert_int_equal(claim(f->j, "s", now, &wake), 0);
	assert_int_equal(wake, 0);

	/* a waits for a retry: still pending, so b still waits; the wake is a's retry. */
	assert_int_equal(run_journal_step_failed(f->j, a, 0, "first", "timeout", now + 500), 0);
	assert_int_equal(claim(f->j, "s", now, &wake), 0);
	assert_int_equal(wake, now + 500);
	assert_int_equal(claim(f->j, "s", now + 499, &wake), 0);
	assert_int_equal(claim(f->j, "s", now + 500, NULL), a);
	assert_int_equal(claim(f->j, "s", now + 500, &wake), 0);
	assert_int_equal(wake, 0);
	/* A release gives a back as it was: claimable again, b still behind it. */
	run_journal_release(f->j, a);
	assert_int_equal(claim(f->j, "s", now + 500, NULL), a);
	assert_int_equal(run_journal_step_done(f->j, a, 0, "first", RUN_STEP_DONE, "{}", 1), 0);
	/* a is done (its claim went with it): b's turn. */
	assert_int_equal(claim(f->j, "s", now + 500, NULL), b);

	/* An unordered run waiting for its retry blocks nothing after it. */
	assert_int_equal(run_journal_step_failed(f->j, d, 0, "first", "x", now + 900), 0);
	run_journal_unclaim(f->j, e);
	assert_int_equal(claim(f->j, "s", now + 500, &wake), e);
	assert_int_equal(claim(f->j, "s", now + 500, &wake), 0);
	assert_int_equal(wake, now + 900);
	assert_int_equal(run_journal_claim(f->j, NULL, now, &(run_record *){NULL}, NULL), -1);
}

/* A replayed earlier run of a key waits while a later run of that key is claimed. */
static void test_claim_key_claimed(void **state)
{
	fixture *f = *state;
	int64_t a, b, now = 5000;

	a = add(f->j, "s", "1", "k");
	b = add(f->j, "s", "2", "k");
	assert_int_equal(claim(f->j, "s", now, NULL), a);
	assert_int_equal(run_journal_step_failed(f->j, a, 0, "first", "refused", 0), 0);
	assert_int_equal(claim(f->j, "s", now, NULL), b); /* a dead run blocks nothing */
	assert_int_equal(run_journal_replay(f->j, a, NULL, NULL), 0);
	assert_int_equal(claim(f->j, "s", now, NULL), 0); /* k is b's */
	run_journal_unclaim(f->j, b);
	assert_int_equal(claim(f->j, "s", now, NULL), a); /* the older again first */
}

static void test_steps(void **state)
{
	fixture *f = *state;
	int64_t id, t0 = run_journal__now_ms(), wake;
	run_record *r;

	id = add(f->j, "s", "q:1", "contacts:1");
	assert_int_equal(claim(f->j, "s", t0, NULL), id);

	assert_int_equal(run_journal_step_sending(f->j, id, 0, "make", "s/1/make"), 0);
	r = get(f->j, id);
	assert_int_equal(r->nsteps, 1);
	assert_int_equal(r->step, 0);
	assert_int_equal(r->steps[0].index, 0);
	assert_string_equal(r->steps[0].step_id, "make");
	assert_int_equal(r->steps[0].status, RUN_STEP_SENDING);
	assert_string_equal(r->steps[0].idem_key, "s/1/make");
	assert_true(r->steps[0].started_at >= t0);
	assert_int_equal(r->steps[0].finished_at, 0);
	assert_int_equal(r->steps[0].attempts, 0);
	assert_null(r->steps[0].output);
	run_record_free(r);

	assert_int_equal(run_journal_step_done(f->j, id, 0, "make", RUN_STEP_DONE, "{\"id\":7}", 0),
	                 0);
	r = get(f->j, id);
	assert_int_equal(r->status, RUN_PENDING);
	assert_int_equal(r->step, 1);
	assert_int_equal(r->steps[0].status, RUN_STEP_DONE);
	assert_string_equal(r->steps[0].output, "{\"id\":7}");
	assert_string_equal(r->steps[0].idem_key, "s/1/make"); /* kept */
	assert_true(r->steps[0].finished_at >= r->steps[0].started_at);
	assert_int_equal(r->steps[0].attempts, 0);
	run_record_free(r);

	/* The claim is kept after a step: nothing else to hand out. */
	assert_int_equal(claim(f->j, "s", t0, NULL), 0);

	assert_int_equal(run_journal_step_failed(f->j, id, 1, "tag", "http 503", t0 + 5000), 0);
	r = get(f->j, id);
	assert_int_equal(r->status, RUN_PENDING);
	assert_int_equal(r->step, 1);
	assert_int_equal(r->attempts, 1);
	assert_int_equal(r->next_attempt_at, t0 + 5000);
	assert_string_equal(r->last_error, "http 503");
	assert_int_equal(r->nsteps, 2);
	assert_int_equal(r->steps[1].status, RUN_STEP_FAILED);
	assert_string_equal(r->steps[1].error, "http 503");
	assert_int_equal(r->steps[1].attempts, 1);
	assert_true(r->steps[1].finished_at > 0);
	assert_null(r->steps[1].idem_key);
	run_record_free(r);

	/* The retry time is honoured, and the claim gives the steps so far. */
	assert_int_equal(claim(f->j, "s", t0 + 4999, &wake), 0);
	assert_int_equal(wake, t0 + 5000);
	assert_int_equal(run_journal_claim(f->j, "s", t0 + 5000, &r, &wake), 0);
	assert_int_equal(r->id, id);
	assert_int_equal(r->nsteps, 2);
	assert_string_equal(r->steps[0].output, "{\"id\":7}");
	run_record_free(r);
	assert_int_equal(run_journal_step_failed(f->j, id, 1, "tag", "http 502", t0 + 9000), 0);
	r = get(f->j, id);
	assert_int_equal(r->attempts, 2);
	assert_int_equal(r->steps[1].attempts, 2);
	assert_string_equal(r->steps[1].error, "http 502");
	run_record_free(r);

	assert_int_equal(claim(f->j, "s", t0 + 9000, NULL), id);
	assert_int_equal(run_journal_step_done(f->j, id, 1, "tag", RUN_STEP_SKIPPED, "{}", 0), 0);
	r = get(f->j, id);
	assert_int_equal(r->attempts, 0); /* the attempts of the step now current */
	assert_null(r->last_error);
	assert_int_equal(r->next_attempt_at, 0);
	assert_int_equal(r->step, 2);
	assert_int_equal(r->steps[1].status, RUN_STEP_SKIPPED);
	assert_null(r->steps[1].output);
	assert_null(r->steps[1].error);
	assert_int_equal(r->steps[1].attempts, 2); /* kept */
	run_record_free(r);

	assert_int_equal(run_journal_step_done(f->j, id, 2, "end", 99, NULL, 1), -1);
	assert_non_null(strstr(run_journal_last_error(), "expected done or skipped"));
	assert_int_equal(run_journal_step_done(f->j, id, 2, "end", RUN_STEP_DONE, "[1]", 1), 0);
	r = get(f->j, id);
	assert_int_equal(r->status, RUN_DONE);
	assert_int_equal(r->step, 3);
	assert_int_equal(r->nsteps, 3);
	assert_true(r->updated_at >= r->created_at);
	run_record_free(r);
	assert_int_equal(claim(f->j, "s", t0 + 99999, NULL), 0);

	/* A finished run takes no more outcomes; an unknown run none at all. */
	assert_int_equal(run_journal_step_sending(f->j, id, 3, "more", NULL), -1);
	assert_non_null(strstr(run_journal_last_error(), "no pending run"));
	assert_int_equal(run_journal_step_failed(f->j, 4242, 0, "x", "e", 0), -1);
	assert_int_equal(run_journal_step_sending(f->j, id, -1, "x", NULL), -1);
	assert_int_equal(run_journal_filtered(f->j, id), -1);
	r = get(f->j, id);
	assert_int_equal(r->nsteps, 3); /* the refused calls wrote nothing */
	assert_int_equal(r->status, RUN_DONE);
	run_record_free(r);
}

static void test_dead_replay(void **state)
{
	fixture *f = *state;
	int64_t a, b, c, n = -1;
	run_record *r;

	a = add(f->j, "s", "1", "k");
	assert_int_equal(claim(f->j, "s", 1, NULL), a);
	assert_int_equal(run_journal_step_done(f->j, a, 0, "one", RUN_STEP_DONE, "{\"x\":1}", 0),
	                 0);
	assert_int_equal(run_journal_step_failed(f->j, a, 1, "two", "refused: 400", 0), 0);
	r = get(f->j, a);
	assert_int_equal(r->status, RUN_DEAD);
	assert_int_equal(r->step, 1);
	assert_int_equal(r->attempts, 1);
	assert_int_equal(r->next_attempt_at, 0);
	assert_string_equal(r->last_error, "refused: 400");
	run_record_free(r);
	assert_int_equal(claim(f->j, "s", 1, NULL), 0);

	assert_int_equal(run_journal_replay(f->j, a, NULL, &n), 0);
	assert_int_equal(n, 1);
	r = get(f->j, a);
	assert_int_equal(r->status, RUN_PENDING);
	assert_int_equal(r->step, 1); /* from the failed step */
	assert_int_equal(r->attempts, 0);
	assert_int_equal(r->next_attempt_at, 0);
	assert_null(r->last_error);
	assert_int_equal(r->steps[0].status, RUN_STEP_DONE); /* done before: kept */
	assert_string_equal(r->steps[0].output, "{\"x\":1}");
	run_record_free(r);
	/* Not dead (any more): 1. */
	assert_int_equal(run_journal_replay(f->j, a, NULL, &n), 1);
	assert_int_equal(n, 0);
	assert_int_equal(run_journal_replay(f->j, 777, NULL, NULL), 1);

	/* Every dead run of a scenario, or of all. */
	assert_int_equal(claim(f->j, "s", 1, NULL), a);
	assert_int_equal(run_journal_step_failed(f->j, a, 1, "two", "again", 0), 0);
	b = add(f->j, "s", "2", NULL);
	c = add(f->j, "t", "1", NULL);
	assert_int_equal(claim(f->j, "s", 1, NULL), b);
	assert_int_equal(run_journal_step_failed(f->j, b, 0, "one", "no", 0), 0);
	assert_int_equal(claim(f->j, "t", 1, NULL), c);
	assert_int_equal(run_journal_step_failed(f->j, c, 0, "one", "no", 0), 0);
	assert_int_equal(run_journal_replay(f->j, 0, "s", &n), 0);
	assert_int_equal(n, 2);
	r = get(f->j, c);
	assert_int_equal(r->status, RUN_DEAD);
	run_record_free(r);
	assert_int_equal(run_journal_replay(f->j, 0, NULL, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(run_journal_replay(f->j, 0, NULL, &n), 0);
	assert_int_equal(n, 0);
}

static void test_filtered(void **state)
{
	fixture *f = *state;
	int64_t a, b;
	run_record *r;

	a = add(f->j, "s", "1", "k");
	b = add(f->j, "s", "2", "k");
	assert_int_equal(claim(f->j, "s", 1, NULL), a);
	assert_int_equal(run_journal_filtered(f->j, a), 0);
	r = get(f->j, a);
	assert_int_equal(r->status, RUN_FILTERED);
	assert_int_equal(r->nsteps, 0);
	run_record_free(r);
	assert_int_equal(claim(f->j, "s", 1, NULL), b); /* the claim ended with it */
	assert_int_equal(run_journal_filtered(f->j, a), -1);
}

typedef struct seen {
	int64_t ids[256];
	size_t n;
	int stop_at;
} seen;

static int collect(const run_record *r, void *ud)
{
	seen *s = ud;

	assert_null(r->steps);
	assert_non_null(r->event);
	s->ids[s->n++] = r->id;
	return s->stop_at && (int)s->n == s->stop_at ? 7 : 0;
}

static void test_list_counts(void **state)
{
	fixture *f = *state;
	int64_t ids[5], p, d, x, fl;
	seen s;
	int i;
	char src[16];

	for (i = 0; i < 5; i++) {
		snprintf(src, sizeof src, "%d", i);
		ids[i] = add(f->j, "s", src, NULL);
	}
	add(f->j, "t", "0", NULL);
	assert_int_equal(claim(f->j, "s", 1, NULL), ids[0]);
	assert_int_equal(run_journal_step_done(f->j, ids[0], 0, "a", RUN_STEP_DONE, "{}", 1), 0);
	assert_int_equal(claim(f->j, "s", 1, NULL), ids[1]);
	assert_int_equal(run_journal_step_failed(f->j, ids[1], 0, "a", "bad", 0), 0);
	assert_int_equal(claim(f->j, "s", 1, NULL), ids[2]);
	assert_int_equal(run_journal_filtered(f->j, ids[2]), 0);

	assert_int_equal(run_journal_counts(f->j, "s", &p, &d, &x, &fl), 0);
	assert_int_equal(p, 2);
	assert_int_equal(d, 1);
	assert_int_equal(x, 1);
	assert_int_equal(fl, 1);
	assert_int_equal(run_journal_counts(f->j, NULL, &p, NULL, NULL, NULL), 0);
	assert_int_equal(p, 3);
	assert_int_equal(run_journal_counts(f->j, "nobody", &p, &d, &x, &fl), 0);
	assert_int_equal(p + d + x + fl, 0);

	memset(&s, 0, sizeof s);
	assert_int_equal(run_journal_list(f->j, "s", RUN_PENDING, 0, 0, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ids[0], ids[3]);
	assert_int_equal(s.ids[1], ids[4]);
	memset(&s, 0, sizeof s);
	assert_int_equal(
	    run_journal_list(f->j, "s", RUN_DONE | RUN_DEAD | RUN_FILTERED, 1, 0, collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ids[0], ids[2]);
	assert_int_equal(s.ids[2], ids[0]);
	memset(&s, 0, sizeof s);
	assert_int_equal(run_journal_list(f->j, NULL, RUN_STATUS_ALL, 1, 2, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ids[0], ids[4] + 1); /* t's run, the newest */
	assert_int_equal(s.ids[1], ids[4]);
	memset(&s, 0, sizeof s);
	s.stop_at = 2;
	assert_int_equal(run_journal_list(f->j, NULL, RUN_STATUS_ALL, 0, 0, collect, &s), 7);
	assert_int_equal(s.n, 2);

	/* More than a page, in order either way. */
	for (i = 0; i < 150; i++) {
		snprintf(src, sizeof src, "m%d", i);
		add(f->j, "many", src, NULL);
	}
	memset(&s, 0, sizeof s);
	assert_int_equal(run_journal_list(f->j, "many", RUN_PENDING, 1, 0, collect, &s), 0);
	assert_int_equal(s.n, 150);
	for (i = 1; i < 150; i++)
		assert_true(s.ids[i] == s.ids[i - 1] - 1);
	memset(&s, 0, sizeof s);
	assert_int_equal(run_journal_list(f->j, "many", RUN_PENDING, 0, 100, collect, &s), 0);
	assert_int_equal(s.n, 100);
	for (i = 1; i < 100; i++)
		assert_true(s.ids[i] == s.ids[i - 1] + 1);
}

static int64_t count_runs(run_journal *j, const char *scenario)
{
	int64_t p = -1;

	assert_int_equal(run_journal_counts(j, scenario, &p, NULL, NULL, NULL), 0);
	return p;
}

static void test_state(void **state)
{
	fixture *f = *state;
	char *v = (char *)"x";
	run_new runs[3] = {{"poll:1", "contacts:1", "{\"a\":1}"},
	                   {"poll:2", "contacts:2", "{\"a\":2}"},
	                   {"poll:3", NULL, "{\"a\":3}"}};
	run_new bad[2] = {{"poll:9", NULL, "{}"}, {NULL, NULL, "{}"}};
	seen s;

	assert_int_equal(run_journal_state_get(f->j, "s", "cursor", &v), 1);
	assert_null(v);
	assert_int_equal(run_journal_state_set(f->j, "s", "cursor", "10", NULL, 0), 0);
	assert_int_equal(run_journal_state_get(f->j, "s", "cursor", &v), 0);
	assert_string_equal(v, "10");
	free(v);
	assert_int_equal(run_journal_state_get(f->j, "t", "cursor", &v), 1); /* per scenario */

	assert_int_equal(run_journal_state_set(f->j, "s", "cursor", "20", runs, 2), 0);
	assert_int_equal(count_runs(f->j, "s"), 2);
	/* A source already journaled is not added twice. */
	assert_int_equal(run_journal_state_set(f->j, "s", "cursor", "30", runs + 1, 2), 0);
	assert_int_equal(count_runs(f->j, "s"), 3);
	memset(&s, 0, sizeof s);
	assert_int_equal(run_journal_list(f->j, "s", RUN_PENDING, 0, 0, collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(run_journal_state_get(f->j, "s", "cursor", &v), 0);
	assert_string_equal(v, "30");
	free(v);

	/* All or nothing: a run that cannot be added keeps the value and the other runs out. */
	assert_int_equal(run_journal_state_set(f->j, "s", "cursor", "40", bad, 2), -1);
	assert_int_equal(count_runs(f->j, "s"), 3);
	assert_int_equal(run_journal_state_get(f->j, "s", "cursor", &v), 0);
	assert_string_equal(v, "30");
	free(v);
	assert_int_equal(run_journal_state_set(f->j, "s", "cursor", NULL, NULL, 0), -1);
}

static char *slurp(const char *path, size_t *len)
{
	char *b = th_read_file(path, len);

	assert_non_null(b);
	return b;
}

static void assert_same_file(const char *path, const char *before, size_t len)
{
	size_t n = 0;
	char *now = slurp(path, &n);

	assert_int_equal(n, len);
	assert_memory_equal(now, before, len);
	free(now);
}

/* Read-only opening changes nothing; a file that is not a journal is refused, unwritten. */
static void test_readonly_foreign(void **state)
{
	fixture *f = *state;
	run_journal *ro = NULL;
	char err[256], *foreign = th_path(f->dir, "foreign.db"), *text = th_path(f->dir, "t.db"),
	               *missing = th_path(f->dir, "missing.db"), *bytes;
	int64_t id, p = 0;
	size_t len = 0;
	sqlite3 *db = NULL;
	run_record *r;
	FILE *t;
	seen s;

	id = add(f->j, "s", "1", "k");
	assert_int_equal(run_journal_state_set(f->j, "s", "c", "1", NULL, 0), 0);
	run_journal_close(f->j);
	f->j = NULL;
	bytes = slurp(f->db, &len);

	assert_int_equal(run_journal_open_readonly(&ro, f->db, err, sizeof err), 0);
	assert_int_equal(run_journal_counts(ro, NULL, &p, NULL, NULL, NULL), 0);
	assert_int_equal(p, 1);
	assert_int_equal(run_journal_get(ro, id, &r), 0);
	assert_string_equal(r->source, "1");
	run_record_free(r);
	memset(&s, 0, sizeof s);
	assert_int_equal(run_journal_list(ro, NULL, RUN_STATUS_ALL, 1, 0, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(run_journal_add(ro, "s", "2", NULL, "{}", NULL, NULL), -1);
	assert_int_equal(run_journal_state_set(ro, "s", "c", "2", NULL, 0), -1);
	assert_int_equal(run_journal_replay(ro, 0, NULL, NULL), -1);
	run_journal_close(ro);
	assert_same_file(f->db, bytes, len);
	free(bytes);

	/* A journal that is not there is not made by a read-only open. */
	assert_int_equal(run_journal_open_readonly(&ro, missing, err, sizeof err), -1);
	assert_null(ro);
	assert_int_equal(access(missing, F_OK), -1);

	/* Another program's SQLite file: refused by both opens, left as it was. */
	assert_int_equal(sqlite3_open(foreign, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "CREATE TABLE t (x); INSERT INTO t VALUES (1);"
	                              " PRAGMA user_version=3",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	bytes = slurp(foreign, &len);
	assert_int_equal(run_journal_open(&ro, foreign, err, sizeof err), -2);
	assert_null(ro);
	assert_non_null(strstr(err, "is not a run journal"));
	assert_non_null(strstr(err, "left unchanged"));
	assert_int_equal(run_journal_open_readonly(&ro, foreign, err, sizeof err), -2);
	assert_same_file(foreign, bytes, len);
	free(bytes);

	/* Not SQLite at all. */
	t = fopen(text, "w");
	assert_non_null(t);
	fputs("not a database at all, but long enough to have a header of sorts\n", t);
	fclose(t);
	bytes = slurp(text, &len);
	assert_int_equal(run_journal_open(&ro, text, err, sizeof err), -2);
	assert_non_null(strstr(err, "is not a run journal"));
	assert_int_equal(run_journal_open_readonly(&ro, text, err, sizeof err), -2);
	assert_same_file(text, bytes, len);
	free(bytes);

	assert_int_equal(run_journal_open(&ro, ":memory:", err, sizeof err), -1);
	assert_non_null(strstr(err, "not a file path"));
	assert_int_equal(run_journal_open(&ro, "", err, sizeof err), -1);
	run_journal_close(NULL);
	free(foreign);
	free(text);
	free(missing);
}

static void test_reopen(void **state)
{
	fixture *f = *state;
	int64_t a, b;
	char err[256], *v = NULL;
	run_record *r;

	a = add(f->j, "s", "1", "k");
	b = add(f->j, "s", "2", "k");
	assert_int_equal(claim(f->j, "s", 1, NULL), a);
	assert_int_equal(run_journal_step_done(f->j, a, 0, "one", RUN_STEP_DONE, "{\"v\":1}", 0),
	                 0);
	assert_int_equal(run_journal_state_set(f->j, "s", "cursor", "c1", NULL, 0), 0);
	run_journal_close(f->j);
	assert_int_equal(run_journal_open(&f->j, f->db, err, sizeof err), 0);

	r = get(f->j, a);
	assert_int_equal(r->step, 1);
	assert_int_equal(r->nsteps, 1);
	assert_string_equal(r->steps[0].output, "{\"v\":1}");
	run_record_free(r);
	assert_int_equal(run_journal_state_get(f->j, "s", "cursor", &v), 0);
	assert_string_equal(v, "c1");
	free(v);
	/* Claims were the closed handle's: a is pending and claimable again, b behind it. */
	assert_int_equal(claim(f->j, "s", 1, NULL), a);
	assert_int_equal(claim(f->j, "s", 1, NULL), 0);
	/* Ids go on after the last. */
	assert_true(add(f->j, "s", "3", NULL) > b);
}

/*
 * A crash between "about to send" and the outcome: the child journals the
 * step as SENDING and dies without closing; the parent sees SENDING with its
 * start time (so the engine looks the create up instead of sending again).
 */
static void test_crash_while_sending(void **state)
{
	fixture *f = *state;
	int64_t id, t0 = run_journal__now_ms();
	char err[256];
	run_record *r;
	int status = 0;
	pid_t pid;

	id = add(f->j, "s", "1", "contacts:1");
	run_journal_close(f->j);
	f->j = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		run_journal *j = NULL;
		run_record *c = NULL;

		if (run_journal_open(&j, f->db, err, sizeof err) ||
		    run_journal_claim(j, "s", run_journal__now_ms(), &c, NULL) || c->id != id ||
		    run_journal_step_sending(j, id, 0, "make", "s/1/make"))
			_exit(1);
		_exit(9);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 9);

	assert_int_equal(run_journal_open(&f->j, f->db, err, sizeof err), 0);
	r = get(f->j, id);
	assert_int_equal(r->status, RUN_PENDING);
	assert_int_equal(r->step, 0);
	assert_int_equal(r->nsteps, 1);
	assert_int_equal(r->steps[0].status, RUN_STEP_SENDING);
	assert_string_equal(r->steps[0].idem_key, "s/1/make");
	assert_true(r->steps[0].started_at >= t0);
	assert_true(r->steps[0].started_at <= run_journal__now_ms());
	assert_int_equal(r->steps[0].finished_at, 0);
	run_record_free(r);
	assert_int_equal(claim(f->j, "s", run_journal__now_ms(), NULL), id);
}

/* --- threads: no run handed out twice, each key's runs one at a time in order ------------ */

#define TH_RUNS 120
#define TH_KEYS 4
#define TH_WORKERS 4

typedef struct th_shared {
	run_journal *j;
	pthread_mutex_t mu;
	int64_t order[TH_KEYS][TH_RUNS];
	size_t norder[TH_KEYS];
	int busy[TH_KEYS];
	int overlap, failures, done;
} th_shared;

static void *worker(void *p)
{
	th_shared *s = p;

	for (;;) {
		run_record *r = NULL;
		int rc = run_journal_claim(s->j, "s", run_journal__now_ms(), &r, NULL), k;

		if (rc == 1) {
			pthread_mutex_lock(&s->mu);
			rc = s->done == TH_RUNS;
			pthread_mutex_unlock(&s->mu);
			if (rc)
				return NULL;
			th_sleep_ms(1);
			continue;
		}
		if (rc) {
			fprintf(stderr, "claim: %s\n", run_journal_last_error());
			__atomic_add_fetch(&s->failures, 1, __ATOMIC_SEQ_CST);
			return NULL;
		}
		k = r->order_key[1] - '0';
		pthread_mutex_lock(&s->mu);
		if (s->busy[k]++)
			s->overlap++;
		s->order[k][s->norder[k]++] = r->id;
		pthread_mutex_unlock(&s->mu);
		rc = run_journal_step_done(s->j, r->id, 0, "one", RUN_STEP_DONE, "{}", 0);
		/* Off the books while the claim still holds the key (the last step ends it). */
		pthread_mutex_lock(&s->mu);
		s->busy[k]--;
		s->done++;
		pthread_mutex_unlock(&s->mu);
		if (rc || run_journal_step_done(s->j, r->id, 1, "two", RUN_STEP_DONE, "{}", 1)) {
			fprintf(stderr, "step: %s\n", run_journal_last_error());
			__atomic_add_fetch(&s->failures, 1, __ATOMIC_SEQ_CST);
		}
		run_record_free(r);
	}
}

static void test_threads(void **state)
{
	fixture *f = *state;
	th_shared *s = calloc(1, sizeof *s);
	pthread_t t[TH_WORKERS];
	char src[16], key[4];
	int64_t d = 0;
	size_t i, k;

	s->j = f->j;
	pthread_mutex_init(&s->mu, NULL);
	for (i = 0; i < TH_RUNS; i++) {
		snprintf(src, sizeof src, "%zu", i);
		snprintf(key, sizeof key, "k%zu", i % TH_KEYS);
		add(f->j, "s", src, key);
	}
	for (i = 0; i < TH_WORKERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, s), 0);
	for (i = 0; i < TH_WORKERS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(s->failures, 0);
	assert_int_equal(s->overlap, 0);
	for (k = 0; k < TH_KEYS; k++) {
		assert_int_equal(s->norder[k], TH_RUNS / TH_KEYS);
		for (i = 1; i < s->norder[k]; i++)
			assert_true(s->order[k][i] > s->order[k][i - 1]);
	}
	assert_int_equal(run_journal_counts(f->j, "s", NULL, &d, NULL, NULL), 0);
	assert_int_equal(d, TH_RUNS);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/*
 * Statements are prepared once and kept: a kept statement's bindings do not
 * leak into its next use, the same SQL asked while in use gets a statement of
 * its own, and a finished one is handed out again.
 */
static void test_kept_statements(void **state)
{
	fixture *f = *state;
	sqlite3_stmt *a, *b, *c;
	run_record *r;
	int64_t p = -1, d = -1, keyed, plain;

	keyed = add(f->j, "s", "1", "contacts:1");
	plain = add(f->j, "s", "2", NULL); /* the insert's order key not bound this time */
	assert_int_equal(run_journal_get(f->j, plain, &r), 0);
	assert_null(r->order_key);
	run_record_free(r);
	assert_int_equal(run_journal_get(f->j, keyed, &r), 0);
	assert_string_equal(r->order_key, "contacts:1");
	run_record_free(r);

	pthread_mutex_lock(&f->j->mu);
	a = run_journal__prepare(f->j, "SELECT 1");
	b = run_journal__prepare(f->j, "SELECT 1");
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	run_journal__finish(f->j, a);
	c = run_journal__prepare(f->j, "SELECT 1");
	assert_ptr_equal(c, a);
	assert_int_equal(sqlite3_step(c), SQLITE_ROW); /* reset by finish: it runs again */
	run_journal__finish(f->j, c);
	run_journal__finish(f->j, b);
	assert_null(run_journal__prepare(f->j, "SELECT nothing FROM nowhere"));
	pthread_mutex_unlock(&f->j->mu);

	/* counts: only what is asked, the others left alone */
	assert_int_equal(run_journal_counts(f->j, "s", &p, NULL, NULL, NULL), 0);
	assert_int_equal(p, 2);
	assert_int_equal(run_journal_counts(f->j, "s", NULL, &d, NULL, NULL), 0);
	assert_int_equal(d, 0);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(run_status_name(RUN_FILTERED), "filtered");
	assert_null(run_status_name(3));
	assert_int_equal(run_status_parse("dead"), RUN_DEAD);
	assert_int_equal(run_status_parse("Dead"), 0);
	assert_string_equal(run_step_status_name(RUN_STEP_SENDING), "sending");
	assert_null(run_step_status_name(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_add_dedupe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_claim_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_claim_key_claimed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_steps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dead_replay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_filtered, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_foreign, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_crash_while_sending, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kept_statements, setup, teardown),
	    cmocka_unit_test(test_status_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
