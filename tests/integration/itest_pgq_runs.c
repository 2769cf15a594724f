/*
 * The scenario runs' ledger on PostgreSQL (src/pgqueue/runs.c, runs_ops.c,
 * migration 5) against a real throw-away cluster (pg.sh): one run per
 * (scenario, source); claims as leases with fencing tokens, across
 * connections (never one run twice, a key's runs one at a time in order); a
 * step's row and its run's progress written together, or nothing once the
 * claim is lost; failed, dead, replay; the triggers' state. One cluster for
 * the file, a database per test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgqueue.h"
#include "pgtest.h"

/* Every lease in ms: 500, times the time scale (pgtest_ms). */
#define UNIT_MS pgtest_ms(500)

/* A new database, migrated; its URL into url. */
static void migrated_db(char *url, size_t n)
{
	assert_int_equal(pgtest_new_db(&pgtest_cluster, "runs", NULL, 0, url, n), 0);
	assert_int_equal(pgq_migrate(url, NULL, NULL), 0);
}

static pgq *open_q(const char *url)
{
	pgq *q = NULL;

	assert_int_equal(pgq_open(&q, url), 0);
	return q;
}

/* Two connections to a new migrated database. */
static void two_conns(pgq **q1, pgq **q2)
{
	char url[600];

	migrated_db(url, sizeof url);
	*q1 = open_q(url);
	*q2 = open_q(url);
}

static int64_t add(pgq *q, const char *scenario, const char *source, const char *key)
{
	int64_t id = 0;
	int created = -1;

	assert_int_equal(pgq_run_add(q, scenario, source, key, "{\"id\":1}", &id, &created), 0);
	assert_int_equal(created, 1);
	return id;
}

static pgq_run *claim(pgq *q, const char *scenario, int64_t lease_ms)
{
	pgq_run *r = NULL;

	int rc = pgq_run_claim(q, scenario, lease_ms, &r, NULL);

	if (rc)
		fprintf(stderr, "claim: %s\n", pgq_last_error());
	assert_int_equal(rc, 0);
	assert_non_null(r);
	return r;
}

static void assert_none(pgq *q, const char *scenario)
{
	pgq_run *r = (pgq_run *)1;

	assert_int_equal(pgq_run_claim(q, scenario, 60000, &r, NULL), PGQ_ENOTFOUND);
	assert_null(r);
}

static pgq_run *get(pgq *q, int64_t id)
{
	pgq_run *r = NULL;

	assert_int_equal(pgq_run_get(q, id, &r), 0);
	return r;
}

/* Version 5 from 4 (the runs' tables made, the events kept), and a newer one refused. */
static void test_migrate(void **state)
{
	char url[600], sql[128];
	int from = -1, to = -1;
	pgq *q = NULL;

	(void)state;
	assert_int_equal(pgtest_new_db(&pgtest_cluster, "runs", NULL, 0, url, sizeof url), 0);
	assert_int_equal(pgq_migrate_to(url, 4, NULL, NULL), 0);
	assert_int_equal(pgq_open(&q, url), PGQ_ESCHEMA);
	assert_int_equal(pgtest_sql(url, "SELECT 1 FROM ontraport_events"), 0);
	assert_int_not_equal(pgtest_sql(url, "SELECT 1 FROM ontraport_runs"), 0);
	assert_int_equal(pgq_migrate(url, &from, &to), 0);
	assert_int_equal(from, 4);
	assert_int_equal(to, 5);
	assert_int_equal(PGQ_SCHEMA_VERSION, 5);
	assert_int_equal(pgtest_sql(url, "SELECT run_id, idx FROM ontraport_run_steps"), 0);
	assert_int_equal(pgtest_sql(url, "SELECT value FROM ontraport_run_state"), 0);
	q = open_q(url);
	pgq_close(q);
	q = NULL;
	snprintf(sql, sizeof sql, "INSERT INTO ontraport_schema_version (version) VALUES (%d)",
	         PGQ_SCHEMA_VERSION + 1);
	assert_int_equal(pgtest_sql(url, sql), 0);
	assert_int_equal(pgq_open(&q, url), PGQ_ENEWER);
	assert_null(q);
	assert_int_equal(pgq_migrate(url, &from, &to), PGQ_ENEWER);
}

static void test_add_idempotent(void **state)
{
	char url[600];
	pgq *q;
	int64_t a, b = 0, c = 0, p = 0;
	int created = -1;

	(void)state;
	migrated_db(url, sizeof url);
	q = open_q(url);
	a = add(q, "s1", "queue:1", "contacts:1");
	assert_true(a > 0);
	/* The same source again: the same run, not a new one. */
	assert_int_equal(pgq_run_add(q, "s1", "queue:1", "contacts:9", "{}", &b, &created), 0);
	assert_int_equal(b, a);
	assert_int_equal(created, 0);
	/* The same source for another scenario: a run of its own. */
	assert_int_equal(pgq_run_add(q, "s2", "queue:1", NULL, "{}", &c, &created), 0);
	assert_int_equal(created, 1);
	assert_true(c > a);
	assert_int_equal(pgq_run_counts(q, "s1", &p, NULL, NULL, NULL), 0);
	assert_int_equal(p, 1);
	assert_int_equal(pgq_run_counts(q, NULL, &p, NULL, NULL, NULL), 0);
	assert_int_equal(p, 2);
	assert_int_equal(pgq_run_add(q, "s1", "", NULL, "{}", &b, &created), PGQ_EINVALID);
	pgq_close(q);
}

/* A key's second run waits for its first, across connections; other keys go on. */
static void test_order_key(void **state)
{
	pgq *q1, *q2;
	pgq_run *r1, *r2;
	int64_t a, b, c, wake = -1;

	(void)state;
	two_conns(&q1, &q2);
	a = add(q1, "s", "e:1", "contacts:1");
	b = add(q1, "s", "e:2", "contacts:1");
	c = add(q1, "s", "e:3", "contacts:2");
	r1 = claim(q1, "s", 60000);
	assert_int_equal(r1->id, a);
	assert_int_equal(r1->fence, 1);
	assert_int_equal(r1->taken_over, 0);
	r2 = claim(q2, "s", 60000);
	assert_int_equal(r2->id, c); /* not b: its key's first run is claimed */
	pgq_run_free(r2);
	assert_int_equal(pgq_run_claim(q2, "s", 60000, &r2, &wake), PGQ_ENOTFOUND);
	assert_true(wake > 0); /* a's lease ends */
	/* a released, still pending: b still waits for it (a is claimable again). */
	assert_int_equal(pgq_run_release(q1, a, r1->fence), 0);
	pgq_run_free(r1);
	r1 = claim(q2, "s", 60000);
	assert_int_equal(r1->id, a);
	assert_int_equal(r1->fence, 2);
	assert_none(q1, "s");
	/* a done: b is next. */
	assert_int_equal(pgq_run_step_done(q2, a, r1->fence, 0, "only", PGQ_STEP_DONE, "{}", 1), 0);
	pgq_run_free(r1);
	r1 = claim(q1, "s", 60000);
	assert_int_equal(r1->id, b);
	assert_none(q2, "s");
	assert_none(q2, "other");
	pgq_run_free(r1);
	pgq_close(q1);
	pgq_close(q2);
}

/* A replayed run whose key has a later run claimed waits for that claim to end. */
static void test_replay_waits_for_key(void **state)
{
	pgq *q1, *q2;
	pgq_run *r;
	int64_t a, b, fb;

	(void)state;
	two_conns(&q1, &q2);
	a = add(q1, "s", "e:1", "k");
	b = add(q1, "s", "e:2", "k");
	r = claim(q1, "s", 60000);
	assert_int_equal(r->id, a);
	assert_int_equal(pgq_run_step_failed(q1, a, r->fence, 0, "x", "gone", -1), 0);
	pgq_run_free(r);
	r = claim(q2, "s", 60000); /* a dead: b is the key's first pending run */
	assert_int_equal(r->id, b);
	fb = r->fence;
	pgq_run_free(r);
	assert_int_equal(pgq_run_replay(q1, a, NULL, NULL), 0);
	/* a is the key's first pending run again, but b is claimed: the key waits. */
	assert_none(q1, "s");
	assert_int_equal(pgq_run_release(q2, b, fb), 0);
	r = claim(q1, "s", 60000);
	assert_int_equal(r->id, a);
	assert_none(q2, "s");
	pgq_run_free(r);
	pgq_close(q1);
	pgq_close(q2);
}

/* A lost claim writes nothing; the new holder's writes go in. */
static void test_stale_fence(void **state)
{
	pgq *q1, *q2;
	pgq_run *r1, *r2, *g;
	int64_t id;

	(void)state;
	two_conns(&q1, &q2);
	id = add(q1, "s", "e:1", "contacts:1");
	r1 = claim(q1, "s", UNIT_MS);
	assert_none(q2, "s"); /* leased */
	pgtest_sleep_ms(UNIT_MS * 12 / 10);
	r2 = claim(q2, "s", 60000); /* the lease ended: taken over */
	assert_int_equal(r2->id, id);
	assert_int_equal(r2->fence, r1->fence + 1);
	assert_int_equal(r2->taken_over, 1);
	assert_int_equal(
	    pgq_run_step_done(q1, id, r1->fence, 0, "a", PGQ_STEP_DONE, "{\"x\":1}", 0),
	    PGQ_ELEASE);
	assert_non_null(strstr(pgq_last_error(), "fence"));
	assert_int_equal(pgq_run_step_sending(q1, id, r1->fence, 0, "a", "k"), PGQ_ELEASE);
	assert_int_equal(pgq_run_step_failed(q1, id, r1->fence, 0, "a", "x", 0), PGQ_ELEASE);
	assert_int_equal(pgq_run_renew(q1, id, r1->fence, 60000), PGQ_ELEASE);
	assert_int_equal(pgq_run_release(q1, id, r1->fence), PGQ_ELEASE);
	assert_int_equal(pgq_run_filtered(q1, id, r1->fence), PGQ_ELEASE);
	g = get(q1, id);
	assert_int_equal(g->step, 0);
	assert_int_equal(g->nsteps, 0);
	assert_int_equal(g->status, PGQ_RUN_PENDING);
	assert_int_equal(g->fence, r2->fence);
	pgq_run_free(g);
	assert_int_equal(
	    pgq_run_step_done(q2, id, r2->fence, 0, "a", PGQ_STEP_DONE, "{\"x\":2}", 0), 0);
	g = get(q1, id);
	assert_int_equal(g->step, 1);
	assert_int_equal(g->nsteps, 1);
	assert_string_equal(g->steps[0].output, "{\"x\":2}");
	pgq_run_free(g);
	pgq_run_free(r1);
	pgq_run_free(r2);
	pgq_close(q1);
	pgq_close(q2);
}

/* Each step's row and the run's progress, written together; the claim kept between steps. */
static void test_steps_progress(void **state)
{
	char url[600];
	pgq *q;
	pgq_run *r, *g;
	int64_t id, until, d = 0;

	(void)state;
	migrated_db(url, sizeof url);
	q = open_q(url);
	id = add(q, "s", "e:1", NULL);
	r = claim(q, "s", 60000);
	until = r->lease_until;
	assert_int_equal(r->nsteps, 0);
	assert_int_equal(pgq_run_step_sending(q, id, r->fence, 0, "create", "s/1/create"), 0);
	g = get(q, id);
	assert_int_equal(g->nsteps, 1);
	assert_int_equal(g->steps[0].status, PGQ_STEP_SENDING);
	assert_string_equal(g->steps[0].idem_key, "s/1/create");
	assert_true(g->steps[0].started_at > 0);
	assert_int_equal(g->steps[0].finished_at, 0);
	pgq_run_free(g);
	assert_int_equal(
	    pgq_run_step_done(q, id, r->fence, 0, "create", PGQ_STEP_DONE, "{\"id\":42}", 0), 0);
	g = get(q, id);
	assert_int_equal(g->status, PGQ_RUN_PENDING);
	assert_int_equal(g->step, 1);
	assert_int_equal(g->lease_until, until); /* still claimed */
	assert_int_equal(g->steps[0].status, PGQ_STEP_DONE);
	assert_string_equal(g->steps[0].output, "{\"id\":42}");
	assert_string_equal(g->steps[0].idem_key, "s/1/create"); /* kept */
	assert_true(g->steps[0].finished_at >= g->steps[0].started_at);
	pgq_run_free(g);
	assert_none(q, "s"); /* claimed still */
	assert_int_equal(pgq_run_renew(q, id, r->fence, 60000), 0);
	assert_int_equal(pgq_run_step_done(q, id, r->fence, 1, "maybe", PGQ_STEP_SKIPPED, "{}", 0),
	                 0);
	assert_int_equal(pgq_run_step_done(q, id, r->fence, 2, "tag", PGQ_STEP_DONE, NULL, 1), 0);
	g = get(q, id);
	assert_int_equal(g->status, PGQ_RUN_DONE);
	assert_int_equal(g->step, 3);
	assert_int_equal(g->lease_until, 0);
	assert_int_equal(g->nsteps, 3);
	assert_int_equal(g->steps[1].status, PGQ_STEP_SKIPPED);
	assert_null(g->steps[1].output);
	assert_null(g->steps[2].output);
	pgq_run_free(g);
	/* Finished: the claim is over. */
	assert_int_equal(pgq_run_renew(q, id, r->fence, 60000), PGQ_ELEASE);
	assert_int_equal(pgq_run_step_done(q, id, r->fence, 3, "x", 7, NULL, 1), PGQ_EINVALID);
	assert_int_equal(pgq_run_counts(q, "s", NULL, &d, NULL, NULL), 0);
	assert_int_equal(d, 1);
	pgq_run_free(r);
	pgq_close(q);
}

/* A failed step retried later, then dead; replay from the failed step; filtered. */
static void test_failed_dead_replay(void **state)
{
	char url[600];
	pgq *q;
	pgq_run *r, *g;
	int64_t id, f, now = 0, wake = 0, p, dd, fl, n = -1;

	(void)state;
	migrated_db(url, sizeof url);
	q = open_q(url);
	id = add(q, "s", "e:1", "k");
	r = claim(q, "s", 60000);
	assert_int_equal(pgq_run_step_done(q, id, r->fence, 0, "a", PGQ_STEP_DONE, "{}", 0), 0);
	assert_int_equal(pgq_run_step_failed(q, id, r->fence, 1, "b", "http 500", 60000), 0);
	assert_int_equal(pgq_now(q, &now), 0);
	g = get(q, id);
	assert_int_equal(g->status, PGQ_RUN_PENDING);
	assert_int_equal(g->step, 1);
	assert_int_equal(g->attempts, 1);
	assert_string_equal(g->last_error, "http 500");
	assert_int_equal(g->lease_until, 0); /* the claim ended */
	assert_true(g->next_attempt_at > now + 50000);
	assert_int_equal(g->steps[1].status, PGQ_STEP_FAILED);
	assert_int_equal(g->steps[1].attempts, 1);
	assert_string_equal(g->steps[1].error, "http 500");
	pgq_run_free(g);
	/* Not due: nothing to claim, and when it will be. */
	assert_int_equal(pgq_run_claim(q, "s", 60000, &g, &wake), PGQ_ENOTFOUND);
	assert_true(wake > now + 50000);
	f = r->fence;
	pgq_run_free(r);
	assert_int_equal(pgq_run_step_failed(q, id, f, 1, "b", "x", 0), PGQ_ELEASE);
	assert_int_equal(pgtest_sql(url, "UPDATE ontraport_runs SET next_attempt_at = 0"), 0);
	r = claim(q, "s", 60000);
	assert_int_equal(r->fence, f + 1);
	assert_int_equal(r->step, 1);
	assert_int_equal(r->nsteps, 2);
	assert_int_equal(pgq_run_step_failed(q, id, r->fence, 1, "b", "http 400", -1), 0);
	g = get(q, id);
	assert_int_equal(g->status, PGQ_RUN_DEAD);
	assert_int_equal(g->attempts, 2);
	assert_int_equal(g->steps[1].attempts, 2);
	pgq_run_free(g);
	assert_none(q, "s");
	assert_int_equal(pgq_run_counts(q, "s", &p, NULL, &dd, NULL), 0);
	assert_int_equal(p, 0);
	assert_int_equal(dd, 1);
	/* Replayed: pending from the failed step, the done one kept. */
	assert_int_equal(pgq_run_replay(q, id, NULL, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pgq_run_replay(q, id, NULL, &n), PGQ_ENOTFOUND);
	assert_int_equal(n, 0);
	pgq_run_free(r);
	r = claim(q, "s", 60000);
	assert_int_equal(r->id, id);
	assert_int_equal(r->step, 1);
	assert_int_equal(r->attempts, 0);
	assert_null(r->last_error);
	assert_int_equal(r->steps[0].status, PGQ_STEP_DONE);
	assert_int_equal(pgq_run_filtered(q, id, r->fence), 0);
	assert_int_equal(pgq_run_counts(q, NULL, &p, NULL, &dd, &fl), 0);
	assert_int_equal(p + dd, 0);
	assert_int_equal(fl, 1);
	/* Every dead run of a scenario: none now. */
	assert_int_equal(pgq_run_replay(q, 0, "s", &n), 0);
	assert_int_equal(n, 0);
	pgq_run_free(r);
	pgq_close(q);
}

/* The state's value is `want`, and the scenario has `pending` pending runs. */
static void assert_state(pgq *q, const char *want, int64_t pending)
{
	char *v = NULL;
	int64_t p = -1;

	assert_int_equal(pgq_run_state_get(q, "s", "cursor", &v), 0);
	assert_string_equal(v, want);
	free(v);
	assert_int_equal(pgq_run_counts(q, "s", &p, NULL, NULL, NULL), 0);
	assert_int_equal(p, pending);
}

static void test_state(void **state)
{
	char url[600];
	pgq *q;
	char *v = (char *)1;
	int64_t id = 0;
	int created = -1;
	const pgq_run_new runs[2] = {{"poll:1", "contacts:1", "{\"a\":1}"},
	                             {"poll:2", NULL, "{\"a\":2}"}};

	(void)state;
	migrated_db(url, sizeof url);
	q = open_q(url);
	assert_int_equal(pgq_run_state_get(q, "s", "cursor", &v), PGQ_ENOTFOUND);
	assert_null(v);
	/* The value and its runs together. */
	assert_int_equal(pgq_run_state_set(q, "s", "cursor", "100", runs, 2), 0);
	assert_state(q, "100", 2);
	/* Again with one of the runs: the value replaced, the run known already. */
	assert_int_equal(pgq_run_state_set(q, "s", "cursor", "200", runs, 1), 0);
	assert_state(q, "200", 2);
	assert_int_equal(pgq_run_add(q, "s", "poll:1", NULL, "{}", &id, &created), 0);
	assert_int_equal(created, 0);
	/* A run that cannot be added: neither it nor the value is written. */
	{
		const pgq_run_new bad[2] = {{"poll:3", NULL, "{}"}, {"", NULL, "{}"}};
		assert_int_equal(pgq_run_state_set(q, "s", "cursor", "300", bad, 2), PGQ_EINVALID);
	}
	assert_state(q, "200", 2);
	/* Another scenario's state is its own. */
	assert_int_equal(pgq_run_state_get(q, "t", "cursor", &v), PGQ_ENOTFOUND);
	pgq_close(q);
}

/* ---- concurrent claimers ---- */

#define KEYS 3
#define PER_KEY 20
#define WORKERS 4

static pthread_mutex_t conc_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char url[600];
	int64_t first_id;
	int in_flight[KEYS];        /* claims of each key held now */
	int64_t last[KEYS];         /* the last run finished of each key */
	int claims[KEYS * PER_KEY]; /* claims of each run */
	int violations;             /* a run claimed twice, a key at once, out of order */
} conc;

/* Note a claim of r (key index k), its finish after; 0 when it broke a rule. */
static int note(const pgq_run *r, int k, int finished)
{
	int ok = 1;

	pthread_mutex_lock(&conc_mu);
	if (!finished) {
		ok = conc.in_flight[k]++ == 0 && r->id > conc.last[k] &&
		     conc.claims[r->id - conc.first_id]++ == 0;
	} else {
		conc.in_flight[k]--;
		conc.last[k] = r->id;
	}
	conc.violations += !ok;
	pthread_mutex_unlock(&conc_mu);
	return ok;
}

/* Claim one run and finish it: 1, 0 when there was none, -1 on an error. */
static int work_one(pgq *q)
{
	pgq_run *r = NULL;
	int rc = pgq_run_claim(q, "s", 60000, &r, NULL), k, ok;

	if (rc)
		return rc == PGQ_ENOTFOUND ? 0 : -1;
	k = r->order_key[0] - 'a';
	ok = note(r, k, 0);
	/* Marked finished before done: the key's next claim can only come after. */
	note(r, k, 1);
	ok = pgq_run_step_done(q, r->id, r->fence, 0, "x", PGQ_STEP_DONE, "{}", 1) == 0 && ok;
	pgq_run_free(r);
	return ok ? 1 : -1;
}

static void *worker(void *arg)
{
	pgq *q = NULL;
	int idle = 0, rc = 0;
	time_t give_up = time(NULL) + 120;

	(void)arg;
	if (pgq_open(&q, conc.url) != 0)
		return (void *)1;
	while (idle < 20 && rc >= 0 && time(NULL) < give_up) {
		rc = work_one(q);
		idle = rc ? 0 : idle + 1;
		if (rc == 0)
			pgtest_sleep_ms(10);
	}
	pgq_close(q);
	return rc < 0 ? (void *)1 : NULL;
}

static void test_concurrent_claimers(void **state)
{
	pgq *q;
	int64_t p = -1, d = -1;
	int i, k;

	(void)state;
	migrated_db(conc.url, sizeof conc.url);
	q = open_q(conc.url);
	for (i = 0; i < PER_KEY; i++)
		for (k = 0; k < KEYS; k++) {
			char src[32], key[2] = {(char)('a' + k), 0};
			int64_t id;
			snprintf(src, sizeof src, "e:%d:%d", i, k);
			id = add(q, "s", src, key);
			if (conc.first_id == 0)
				conc.first_id = id;
			assert_int_equal(id - conc.first_id, i * KEYS + k);
		}
	assert_int_equal(pgtest_threads(WORKERS, worker), 0);
	assert_int_equal(conc.violations, 0);
	for (i = 0; i < KEYS * PER_KEY; i++)
		assert_int_equal(conc.claims[i], 1);
	assert_int_equal(pgq_run_counts(q, "s", &p, &d, NULL, NULL), 0);
	assert_int_equal(p, 0);
	assert_int_equal(d, KEYS * PER_KEY);
	pgq_close(q);
}

/* The ids of one page, as "3,2" (at most 8). */
static void page_ids(pgq *q, const char *scenario, int mask, int newest, int64_t after, size_t max,
                     char *out, size_t n)
{
	pgq_run **page = NULL;
	size_t k = 0, i, len = 0;

	assert_int_equal(pgq_run_page(q, scenario, mask, newest, after, max, &page, &k), 0);
	out[0] = '\0';
	for (i = 0; i < k; i++) {
		len += (size_t)snprintf(out + len, n - len, "%s%lld", i ? "," : "",
		                        (long long)page[i]->id);
		assert_null(page[i]->steps);
		pgq_run_free(page[i]);
	}
	free(page);
}

/* Pages of runs by status and scenario, in either order, after a cursor; purge by status and
 * age, never a pending run, the steps with their runs. */
static void test_page_and_purge(void **state)
{
	char url[600], ids[128];
	pgq *q;
	pgq_run *r;
	int64_t a, b, c, d, n = -1;
	long long steps = -1;

	(void)state;
	migrated_db(url, sizeof url);
	q = open_q(url);
	a = add(q, "s", "1", NULL);
	b = add(q, "s", "2", NULL);
	c = add(q, "s", "3", NULL);
	d = add(q, "other", "1", NULL);
	r = claim(q, "s", 60000); /* a: done, with a step */
	assert_int_equal(r->id, a);
	assert_int_equal(pgq_run_step_done(q, a, r->fence, 0, "x", PGQ_STEP_DONE, "{}", 1), 0);
	pgq_run_free(r);
	page_ids(q, "s", PGQ_RUN_PENDING | PGQ_RUN_DONE, 0, 0, 8, ids, sizeof ids);
	assert_string_equal(ids, "1,2,3");
	page_ids(q, "s", PGQ_RUN_PENDING, 1, 0, 8, ids, sizeof ids);
	assert_string_equal(ids, "3,2");
	page_ids(q, "s", PGQ_RUN_PENDING | PGQ_RUN_DONE, 1, c, 1, ids, sizeof ids);
	assert_string_equal(ids, "2");
	page_ids(q, "s", PGQ_RUN_PENDING | PGQ_RUN_DONE, 0, b, 8, ids, sizeof ids);
	assert_string_equal(ids, "3");
	page_ids(q, NULL, PGQ_RUN_PENDING, 0, c, 8, ids, sizeof ids);
	assert_int_equal(atoll(ids), d);
	page_ids(q, "s", PGQ_RUN_DEAD, 0, 0, 8, ids, sizeof ids);
	assert_string_equal(ids, "");
	/* Not before now - 1 h: nothing; every status asked, the pending runs stay. */
	assert_int_equal(pgq_run_purge(q, 1, PGQ_RUN_DONE, NULL, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pgq_run_purge(q, INT64_MAX, 15, "s", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pgq_run_get(q, a, &r), PGQ_ENOTFOUND);
	assert_int_equal(pgtest_int(url, "SELECT count(*) FROM ontraport_run_steps", &steps), 0);
	assert_int_equal(steps, 0);
	page_ids(q, NULL, 15, 0, 0, 8, ids, sizeof ids);
	assert_string_equal(ids, "2,3,4");
	pgq_close(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migrate),
	    cmocka_unit_test(test_add_idempotent),
	    cmocka_unit_test(test_order_key),
	    cmocka_unit_test(test_replay_waits_for_key),
	    cmocka_unit_test(test_stale_fence),
	    cmocka_unit_test(test_steps_progress),
	    cmocka_unit_test(test_failed_dead_replay),
	    cmocka_unit_test(test_state),
	    cmocka_unit_test(test_concurrent_claimers),
	    cmocka_unit_test(test_page_and_purge),
	};

	return cmocka_run_group_tests(tests, pgtest_group_setup, pgtest_group_teardown);
}
