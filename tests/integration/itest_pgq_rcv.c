/*
 * The receiver's queue (rcv_queue, receiver.h) opened with a postgresql:// URL, against a
 * real throw-away cluster (pg.sh): the same calls as on SQLite; a claim taken over by
 * another worker makes the finish RCV_ELEASE and changes nothing; open errors mapped to
 * RCV_EINVALID / RCV_EUNAVAIL / RCV_ENOTQUEUE without the password; an event the database
 * cannot take is RCV_EUNAVAIL (503) without a spool; the spool takes events while the
 * database refuses connections and moves them into it, in order, once it accepts them
 * again. One cluster for the file, a database per test.
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

#include <sqlite3.h>

#include "pgqueue.h"
#include "pgtest.h"
#include "receiver.h"

static pgtest pg;
static char tmpdir[256];
static long scale = 1; /* ONTRA_TEST_TIME_SCALE */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* A new migrated database; its name and URL. */
static void new_db(char *name, size_t namesz, char *url, size_t n)
{
	assert_int_equal(pgtest_new_db(&pg, "r", name, namesz, url, n), 0);
	assert_int_equal(pgq_migrate(url, NULL, NULL), 0);
}

static rcv_queue *open_q(const char *url)
{
	rcv_queue *q = NULL;
	char err[512];

	assert_int_equal(rcv_queue_open(&q, url, err, sizeof err), 0);
	return q;
}

static int64_t put(rcv_queue *q, const char *key, const char *body)
{
	int64_t id = -1;

	assert_int_equal(rcv_queue_enqueue(q, key, "{\"e\":1}", body, strlen(body), NULL, &id), 0);
	return id;
}

static void test_same_calls(void **state)
{
	char name[32], url[600], err[512];
	rcv_queue *q, *ro = NULL;
	rcv_item *it = NULL, *it2 = NULL;
	int64_t a1, a2, b1, p = 0, d = 0, x = 0, wake = 0;

	(void)state;
	new_db(name, sizeof name, url, sizeof url);
	assert_true(rcv_queue_is_url(url));
	q = open_q(url);
	assert_int_equal(rcv_queue_set_lease(q, 10), RCV_EINVALID);
	assert_int_equal(rcv_queue_set_lease(q, 60000), 0);
	a1 = put(q, "A", "a1");
	b1 = put(q, "B", "b1");
	a2 = put(q, "A", "a2");
	assert_true(a1 > 0 && b1 > a1 && a2 > b1);
	/* Oldest first, one per key: a1, then b1; a2 waits for a1. */
	assert_int_equal(rcv_queue_claim(q, 0, &it, NULL), 0);
	assert_int_equal(it->id, a1);
	assert_string_equal(it->body, "a1");
	assert_int_equal(rcv_queue_claim(q, 0, &it2, NULL), 0);
	assert_int_equal(it2->id, b1);
	rcv_item_free(it2);
	assert_int_equal(rcv_queue_claim(q, 0, &it2, &wake), RCV_ENOTFOUND);
	assert_true(wake > 0); /* a short poll: other hosts' events are seen by asking */
	assert_int_equal(rcv_queue_done(q, a1, 0), 0);
	rcv_item_free(it);
	assert_int_equal(rcv_queue_done(q, a1, 0), RCV_ENOTFOUND); /* not claimed any more */
	assert_int_equal(rcv_queue_claim(q, 0, &it, NULL), 0);
	assert_int_equal(it->id, a2);
	assert_int_equal(rcv_queue_dead(q, a2, "no"), 0);
	rcv_item_free(it);
	rcv_queue_release(q, b1);
	assert_int_equal(rcv_queue_counts(q, &p, &d, &x), 0);
	assert_int_equal(p, 1);
	assert_int_equal(d, 1);
	assert_int_equal(x, 1);
	assert_int_equal(rcv_queue_get(q, a2, &it), 0);
	assert_int_equal(it->status, RCV_DEAD);
	assert_int_equal(it->attempts, 1);
	assert_string_equal(it->last_error, "no");
	rcv_item_free(it);
	assert_int_equal(rcv_queue_replay(q, 0, &x), 0);
	assert_int_equal(x, 1);
	assert_int_equal(rcv_queue_purge(q, rcv_now_ms() + 1000, RCV_DONE, &x), 0);
	assert_int_equal(x, 1);
	assert_int_equal(rcv_queue_get(q, a1, &it), RCV_ENOTFOUND);
	/* Read-only: reads, no enqueue. */
	assert_int_equal(rcv_queue_open_readonly(&ro, url, err, sizeof err), 0);
	assert_int_equal(rcv_queue_counts(ro, &p, NULL, NULL), 0);
	assert_int_equal(p, 2);
	assert_int_equal(rcv_queue_enqueue(ro, "A", "{}", NULL, 0, NULL, NULL), RCV_ESTOPPED);
	rcv_queue_close(ro);
	rcv_queue_close(q);
}

/*
 * A batch holds a run of a key's events: they are handed out one after the
 * other, and when one is retried the rest of the run goes back, so the retry
 * comes first.
 */
static void test_run_order(void **state)
{
	char name[32], url[600];
	rcv_queue *q;
	rcv_item *it = NULL, *it2 = NULL;
	int64_t a1, a2, p = 0, d = 0;

	(void)state;
	new_db(name, sizeof name, url, sizeof url);
	q = open_q(url);
	a1 = put(q, "A", "a1");
	a2 = put(q, "A", "a2");
	put(q, "A", "a3");
	assert_int_equal(rcv_queue_claim(q, 0, &it, NULL), 0);
	assert_int_equal(it->id, a1);
	assert_int_equal(rcv_queue_claim(q, 0, &it2, NULL), RCV_ENOTFOUND); /* a2 waits for a1 */
	assert_int_equal(rcv_queue_retry(q, a1, "later", rcv_now_ms()), 0);
	rcv_item_free(it);
	assert_int_equal(rcv_queue_claim(q, 0, &it, NULL), 0);
	assert_int_equal(it->id, a1);
	assert_int_equal(it->attempts, 1);
	assert_int_equal(rcv_queue_done(q, a1, 0), 0);
	rcv_item_free(it);
	assert_int_equal(rcv_queue_claim(q, 0, &it, NULL), 0);
	assert_int_equal(it->id, a2);
	assert_int_equal(rcv_queue_done(q, a2, 0), 0);
	rcv_item_free(it);
	/* The dones kept for the batch are marked before anything reads the queue. */
	assert_int_equal(rcv_queue_counts(q, &p, &d, NULL), 0);
	assert_int_equal(p, 1);
	assert_int_equal(d, 2);
	rcv_queue_close(q);
}

/* A done kept for the batch is marked in time though no delivery thread comes back (a slow
 * handler holds the only one): a crash would not deliver it again. */
static void test_dones_marked_in_time(void **state)
{
	char name[32], url[600];
	rcv_queue *q, *look;
	rcv_item *it = NULL, *it2 = NULL;
	int64_t p = 0, d = 0;
	int i;

	(void)state;
	new_db(name, sizeof name, url, sizeof url);
	q = open_q(url);
	look = open_q(url);
	put(q, "A", "a1");
	put(q, "B", "b1");
	assert_int_equal(rcv_queue_claim(q, 0, &it, NULL), 0);
	assert_int_equal(rcv_queue_done(q, it->id, 0), 0);
	assert_int_equal(rcv_queue_claim(q, 0, &it2, NULL), 0); /* its handler runs long */
	for (i = 0; i < 50 * scale && d == 0; i++) {
		sleep_ms(100);
		assert_int_equal(rcv_queue_counts(look, &p, &d, NULL), 0);
	}
	assert_int_equal(d, 1);
	assert_int_equal(p, 1);
	rcv_item_free(it);
	rcv_item_free(it2);
	rcv_queue_close(look);
	rcv_queue_close(q);
}

/* Another worker takes the event over: this one's finish is refused and changes nothing. */
static void test_lease_lost(void **state)
{
	char name[32], url[600], sql[200];
	rcv_queue *q;
	rcv_item *it = NULL, *it2 = NULL;
	pgq *other = NULL;
	pgq_item **items = NULL, *got = NULL;
	size_t n = 0;
	int64_t id, p = 0, d = 0;
	int i;

	(void)state;
	new_db(name, sizeof name, url, sizeof url);
	q = open_q(url);
	id = put(q, "A", "a");
	assert_int_equal(rcv_queue_claim(q, 0, &it, NULL), 0);
	assert_int_equal(pgq_open(&other, url), 0);
	/* End the lease by hand (the renewer may extend it meanwhile: then again). */
	snprintf(sql, sizeof sql,
	         "UPDATE ontraport_event_keys SET lease_until = 0;"
	         " UPDATE ontraport_events SET lease_until = 0");
	for (i = 0; i < 50 && n == 0; i++) {
		assert_int_equal(pgtest_sql(url, sql), 0);
		if (pgq_claim(other, 1, 60000, &items, &n) != 0)
			sleep_ms(20);
	}
	assert_int_equal(n, 1);
	assert_int_equal(items[0]->id, id);
	assert_int_equal(items[0]->fence, 2);
	/* The done is kept for the batch's one statement, marked before the next claim: fenced
	 * there, it changes nothing (the event is the other worker's). */
	assert_int_equal(rcv_queue_done(q, id, 0), 0);
	assert_int_equal(rcv_queue_claim(q, 0, &it2, NULL), RCV_ENOTFOUND);
	assert_int_equal(rcv_queue_counts(q, &p, &d, NULL), 0);
	assert_int_equal(p, 1);
	assert_int_equal(d, 0);
	assert_int_equal(pgq_get(other, id, &got), 0);
	assert_int_equal(got->fence, 2);
	assert_true(got->lease_until > 0);
	pgq_item_free(got);
	/* Any other finish is written at once, and refused. */
	put(q, "B", "b");
	assert_int_equal(rcv_queue_claim(q, 0, &it2, NULL), 0);
	assert_int_equal(pgtest_sql(url, "UPDATE ontraport_events SET fence = fence + 1"
	                                 " WHERE webhook_key = 'B'"),
	                 0);
	assert_int_equal(rcv_queue_retry(q, it2->id, "x", 0), RCV_ELEASE);
	assert_non_null(strstr(rcv_queue_last_error(), "lease"));
	rcv_item_free(it2);
	assert_int_equal(pgq_done(other, id, 2), 0);
	pgq_items_free(items, n);
	pgq_close(other);
	rcv_item_free(it);
	rcv_queue_close(q);
}

static void test_open_errors(void **state)
{
	char url[600], err[512];
	rcv_queue *q = NULL;

	(void)state;
	snprintf(url, sizeof url, "postgresql://ontra:Unused5678@127.0.0.1:1/postgres");
	assert_int_equal(rcv_queue_open(&q, url, err, sizeof err), RCV_EUNAVAIL);
	assert_null(q);
	assert_non_null(strstr(err, "postgresql://***@127.0.0.1:1/postgres"));
	assert_null(strstr(err, "Unused5678"));
	assert_int_equal(rcv_http_status(RCV_EUNAVAIL), 503);
	snprintf(url, sizeof url, "postgresql://ontra:Se%%ZZcret@127.0.0.1:%s/postgres", pg.port);
	assert_int_equal(rcv_queue_open(&q, url, err, sizeof err), RCV_EINVALID);
	assert_null(strstr(err, "ZZcret"));
	/* A database nobody migrated. */
	assert_int_equal(pgtest_new_db(&pg, "r", NULL, 0, url, sizeof url), 0);
	assert_int_equal(rcv_queue_open(&q, url, err, sizeof err), RCV_ENOTQUEUE);
	assert_null(strstr(err, pg.password));
}

/* The database refuses connections: events go to the spool (committed, id 0), in order;
 * once it accepts them again the spool moves them, and empties. */
static void test_spool(void **state)
{
	char name[32], url[600], sql[300], spool[400], err[512];
	rcv_queue *q;
	rcv_item *it = NULL;
	int64_t id = -1, p = 0;
	int i;

	(void)state;
	new_db(name, sizeof name, url, sizeof url);
	snprintf(spool, sizeof spool, "%s/spool-%s.db", tmpdir, name);
	q = open_q(url);
	assert_true(put(q, "A", "before") > 0);
	/* Away: no new connections, and the queue's own ones cut. */
	snprintf(sql, sizeof sql,
	         "ALTER DATABASE %s ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM "
	         "pg_stat_activity WHERE datname = '%s'",
	         name, name);
	assert_int_equal(pgtest_sql(pg.url, sql), 0);
	/* No spool: nowhere to commit, so 503 (never a 200 without a commit). */
	assert_int_equal(rcv_queue_enqueue(q, "A", "{}", "lost", 4, NULL, &id), RCV_EUNAVAIL);
	assert_int_equal(rcv_http_status(RCV_EUNAVAIL), 503);
	assert_int_equal(rcv_queue_set_spool(q, spool, err, sizeof err), 0);
	assert_int_equal(rcv_queue_spooled(q), 0);
	assert_int_equal(rcv_queue_enqueue(q, "A", "{}", "s1", 2, NULL, &id), 0);
	assert_int_equal(id, 0); /* committed to the spool, not in the queue yet */
	assert_int_equal(rcv_queue_enqueue(q, "A", "{}", "s2", 2, NULL, &id), 0);
	assert_int_equal(rcv_queue_spooled(q), 2);
	/* Back: the spool drains. */
	snprintf(sql, sizeof sql, "ALTER DATABASE %s ALLOW_CONNECTIONS true", name);
	assert_int_equal(pgtest_sql(pg.url, sql), 0);
	for (i = 0; i < 200 * scale && rcv_queue_spooled(q) > 0; i++)
		sleep_ms(25);
	assert_int_equal(rcv_queue_spooled(q), 0);
	/* New events go straight to the queue again, after the spooled ones. */
	assert_true(put(q, "A", "after") > 0);
	assert_int_equal(rcv_queue_counts(q, &p, NULL, NULL), 0);
	assert_int_equal(p, 4);
	{
		static const char *const order[] = {"before", "s1", "s2", "after"};
		for (i = 0; i < 4; i++) {
			assert_int_equal(rcv_queue_claim(q, 0, &it, NULL), 0);
			assert_string_equal(it->body, order[i]);
			assert_int_equal(rcv_queue_done(q, it->id, 0), 0);
			rcv_item_free(it);
		}
	}
	rcv_queue_close(q);
	/* What moved is forgotten by the spool. */
	assert_int_equal(rcv_queue_open_readonly(&q, spool, err, sizeof err), 0);
	assert_int_equal(rcv_queue_counts(q, &p, NULL, NULL), 0);
	assert_int_equal(p, 0);
	rcv_queue_close(q);
}

/* Spool body as an event of key A in the spool file, store_ref (may be NULL) its store's. */
static void spool_put(const char *spool, const char *body, const char *store_ref)
{
	char err[512], sql[300];
	rcv_queue *q = NULL;
	sqlite3 *db = NULL;
	int64_t id = 0;

	assert_int_equal(rcv_queue_open(&q, spool, err, sizeof err), 0);
	id = put(q, "A", body);
	rcv_queue_close(q);
	if (!store_ref)
		return;
	assert_int_equal(sqlite3_open(spool, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "UPDATE rcv_events SET store_ref = '%s' WHERE id = %lld",
	         store_ref, (long long)id);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/*
 * Events spooled while a store was under way (the database went away before its answer
 * came) are moved only when that store was not committed: s1 and s2 were (the store made
 * them, under #h:1:1:1), s3's store was not; s4 had none. Each is in the queue once, in
 * order, and the store not made never will be.
 */
static void test_spool_settles(void **state)
{
	char name[32], url[600], spool[400], err[512];
	pgq_event_in ev[2] = {{"A", "{\"e\":1}", "s1", 2, NULL}, {"A", "{\"e\":1}", "s2", 2, NULL}};
	static const char *const order[] = {"s1", "s2", "s3", "s4"};
	int64_t ids[2], p = 0;
	rcv_item *it = NULL;
	rcv_queue *q;
	pgq *c = NULL;
	int i;

	(void)state;
	new_db(name, sizeof name, url, sizeof url);
	snprintf(spool, sizeof spool, "%s/spool-%s.db", tmpdir, name);
	spool_put(spool, "s1", "#h:1:1:1");
	spool_put(spool, "s2", "#h:1:1:1");
	spool_put(spool, "s3", "#h:1:1:2");
	spool_put(spool, "s4", NULL);
	assert_int_equal(pgq_open(&c, url), 0);
	assert_int_equal(pgq_enqueue_many(c, ev, 2, "#h:1:1:1", ids), 0);
	q = open_q(url);
	assert_int_equal(rcv_queue_set_spool(q, spool, err, sizeof err), 0);
	for (i = 0; i < 200 * scale && rcv_queue_spooled(q) > 0; i++)
		sleep_ms(25);
	assert_int_equal(rcv_queue_spooled(q), 0);
	assert_int_equal(rcv_queue_counts(q, &p, NULL, NULL), 0);
	assert_int_equal(p, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(rcv_queue_claim(q, 0, &it, NULL), 0);
		assert_string_equal(it->body, order[i]);
		assert_int_equal(rcv_queue_done(q, it->id, 0), 0);
		rcv_item_free(it);
	}
	/* The store s3 was in, late: refused, nothing stored. */
	ev[0].body = "s3";
	assert_int_equal(pgq_enqueue_many(c, ev, 1, "#h:1:1:2", ids), PGQ_ESTORED);
	assert_int_equal(rcv_queue_counts(q, &p, NULL, NULL), 0);
	assert_int_equal(p, 0);
	pgq_close(c);
	rcv_queue_close(q);
}

static int setup(void **state)
{
	const char *s = getenv("ONTRA_TEST_TIME_SCALE");
	const char *t = getenv("TMPDIR");

	(void)state;
	if (s && strtol(s, NULL, 10) > 0)
		scale = strtol(s, NULL, 10);
	snprintf(tmpdir, sizeof tmpdir, "%s/itest_pgq_rcv.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	return pgtest_start(&pg);
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	pgtest_stop(&pg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_calls),           cmocka_unit_test(test_run_order),
	    cmocka_unit_test(test_dones_marked_in_time), cmocka_unit_test(test_lease_lost),
	    cmocka_unit_test(test_open_errors),          cmocka_unit_test(test_spool),
	    cmocka_unit_test(test_spool_settles),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
