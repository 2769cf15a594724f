/*
 * The PostgreSQL queue (src/pgqueue) against a real throw-away cluster
 * (pg.sh): migrations, enqueue / claim / finish, fencing tokens and lease
 * takeover, per-key order across concurrent claimers, replay, purge, list,
 * counts, and the URL's password kept out of every error. One cluster for the
 * file; each test works in a database of its own, so none sees another's events.
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

static pgtest pg;
static char db_name[32]; /* the database new_db made last */
/* Every lease and delay in ms: 500 times ONTRA_TEST_TIME_SCALE (valgrind.sh sets 4). */
static long unit_ms = 500;

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* A new empty database on the cluster; its URL into url, its name into db_name. */
static void new_db(char *url, size_t n)
{
	assert_int_equal(pgtest_new_db(&pg, "t", db_name, sizeof db_name, url, n), 0);
}

/* A new database, migrated and opened. */
static pgq *fresh_queue(char *url, size_t n)
{
	pgq *q = NULL;

	new_db(url, n);
	assert_int_equal(pgq_migrate(url, NULL, NULL), 0);
	assert_int_equal(pgq_open(&q, url), 0);
	return q;
}

static int64_t put(pgq *q, const char *key, const char *body)
{
	int64_t id = 0;

	assert_int_equal(
	    pgq_enqueue(q, key, "{\"e\":1}", body, strlen(body), "application/json", &id), 0);
	assert_true(id > 0);
	return id;
}

/* Claim exactly one event (max 1). */
static pgq_item *claim1(pgq *q, int64_t lease_ms)
{
	pgq_item **items = NULL, *it;
	size_t n = 0;

	assert_int_equal(pgq_claim(q, 1, lease_ms, &items, &n), 0);
	assert_int_equal(n, 1);
	it = items[0];
	free(items);
	return it;
}

static void assert_nothing(pgq *q)
{
	pgq_item **items = NULL;
	size_t n = 7;

	assert_int_equal(pgq_claim(q, 10, 60000, &items, &n), PGQ_ENOTFOUND);
	assert_null(items);
	assert_int_equal(n, 0);
}

static void test_migrate(void **state)
{
	char url[600], sql[128];
	int from = -1, to = -1;
	pgq *q = NULL;

	(void)state;
	new_db(url, sizeof url);
	/* Not migrated yet: open refuses, naming the command. */
	assert_int_equal(pgq_open(&q, url), PGQ_ESCHEMA);
	assert_null(q);
	assert_non_null(strstr(pgq_last_error(), "ontraport queue migrate"));
	assert_int_equal(pgq_migrate(url, &from, &to), 0);
	assert_int_equal(from, 0);
	assert_int_equal(to, PGQ_SCHEMA_VERSION);
	/* Twice: nothing to do, nothing broken. */
	assert_int_equal(pgq_migrate(url, &from, &to), 0);
	assert_int_equal(from, PGQ_SCHEMA_VERSION);
	assert_int_equal(to, PGQ_SCHEMA_VERSION);
	assert_int_equal(pgq_open(&q, url), 0);
	pgq_close(q);
	q = NULL;
	/* A newer program migrated it: both refuse, in one line that says so. */
	snprintf(sql, sizeof sql, "INSERT INTO ontraport_schema_version (version) VALUES (%d)",
	         PGQ_SCHEMA_VERSION + 1);
	assert_int_equal(pgtest_sql(url, sql), 0);
	assert_int_equal(pgq_migrate(url, &from, &to), PGQ_ENEWER);
	assert_int_equal(from, PGQ_SCHEMA_VERSION + 1);
	assert_non_null(strstr(pgq_last_error(), "newer than this program's"));
	assert_null(strchr(pgq_last_error(), '\n'));
	assert_int_equal(pgq_open(&q, url), PGQ_ENEWER);
	assert_null(q);
}

static void test_enqueue_claim_done(void **state)
{
	static const char body[] = "a\0b\xff"; /* any bytes, a NUL included */
	char url[600];
	pgq *q = fresh_queue(url, sizeof url);
	pgq_item **items = NULL, *it = NULL;
	int64_t a1, a2, b1, p, d, x;
	size_t n = 0;

	(void)state;
	assert_nothing(q);
	assert_int_equal(pgq_claim(q, 0, 1000, &items, &n), PGQ_EINVALID);
	assert_int_equal(pgq_claim(q, 1, 0, &items, &n), PGQ_EINVALID);
	assert_int_equal(pgq_claim(q, 1, INT64_MAX, &items, &n), PGQ_EINVALID);
	assert_int_equal(pgq_enqueue(q, "", "{}", "x", 1, NULL, NULL), PGQ_EINVALID);
	a1 = put(q, "A", "a1");
	b1 = put(q, "B", "b1");
	a2 = put(q, "A", "a2");
	assert_int_equal(pgq_enqueue(q, "B", "{}", body, sizeof body - 1, NULL, &x), 0);
	/* One per key, the oldest first: A's head and B's head, not a2. */
	assert_int_equal(pgq_claim(q, 10, 60000, &items, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(items[0]->id, a1);
	assert_int_equal(items[1]->id, b1);
	assert_string_equal(items[0]->webhook_key, "A");
	assert_string_equal(items[0]->body, "a1");
	assert_string_equal(items[0]->event, "{\"e\":1}");
	assert_string_equal(items[0]->content_type, "application/json");
	assert_int_equal(items[0]->status, PGQ_PENDING);
	assert_int_equal(items[0]->fence, 1);
	assert_true(items[0]->lease_until > items[0]->received_at);
	/* Both keys are leased: nothing more until a finish. */
	assert_nothing(q);
	assert_int_equal(pgq_done(q, a1, 1), 0);
	/* Finished once: the same fence cannot finish it again. */
	assert_int_equal(pgq_done(q, a1, 1), PGQ_ELEASE);
	it = claim1(q, 60000);
	assert_int_equal(it->id, a2);
	pgq_item_free(it);
	assert_int_equal(pgq_done(q, a2, 1), 0);
	assert_int_equal(pgq_done(q, b1, items[1]->fence), 0);
	pgq_items_free(items, n);
	/* The binary body comes back byte for byte. */
	it = claim1(q, 60000);
	assert_int_equal(it->id, x);
	assert_int_equal(it->body_len, sizeof body - 1);
	assert_memory_equal(it->body, body, sizeof body - 1);
	assert_null(it->content_type);
	assert_int_equal(pgq_done(q, x, it->fence), 0);
	pgq_item_free(it);
	assert_int_equal(pgq_counts(q, &p, &d, NULL), 0);
	assert_int_equal(p, 0);
	assert_int_equal(d, 4);
	assert_int_equal(pgq_get(q, a1, &it), 0);
	assert_int_equal(it->status, PGQ_DONE);
	assert_true(it->delivered_at >= it->received_at);
	pgq_item_free(it);
	assert_int_equal(pgq_get(q, 999999, &it), PGQ_ENOTFOUND);
	assert_null(it);
	pgq_close(q);
}

static void test_lease_takeover(void **state)
{
	char url[600];
	pgq *q = fresh_queue(url, sizeof url), *q2 = NULL;
	pgq_item *old, *taken;
	int64_t id;

	(void)state;
	assert_int_equal(pgq_open(&q2, url), 0);
	id = put(q, "K", "k1");
	put(q, "K", "k2");
	old = claim1(q, unit_ms);
	assert_int_equal(old->id, id);
	/* Renewed while the work goes on: still held after the first lease would have ended. */
	sleep_ms(unit_ms * 6 / 10);
	assert_int_equal(pgq_renew(q, id, old->fence, unit_ms * 3 / 2), 0);
	sleep_ms(unit_ms * 6 / 10);
	assert_nothing(q2);
	/* The worker stops renewing (it crashed, say): another takes the event over. */
	sleep_ms(unit_ms * 12 / 10);
	taken = claim1(q2, 60000);
	assert_int_equal(taken->id, id);
	assert_int_equal(taken->fence, old->fence + 1);
	assert_int_equal(old->taken_over, 0);
	assert_int_equal(taken->taken_over, 1); /* counted as a takeover */
	/* The old worker's token is refused for every mark; the event is untouched. */
	assert_int_equal(pgq_done(q, id, old->fence), PGQ_ELEASE);
	assert_non_null(strstr(pgq_last_error(), "not claimed with fence"));
	assert_int_equal(pgq_retry(q, id, old->fence, "late", 0), PGQ_ELEASE);
	assert_int_equal(pgq_dead(q, id, old->fence, "late"), PGQ_ELEASE);
	assert_int_equal(pgq_renew(q, id, old->fence, 60000), PGQ_ELEASE);
	assert_int_equal(pgq_release(q, id, old->fence), PGQ_ELEASE);
	/* The key stays the new holder's: k2 waits. */
	assert_nothing(q);
	assert_int_equal(pgq_done(q2, id, taken->fence), 0);
	pgq_item_free(old);
	pgq_item_free(taken);
	taken = claim1(q, 60000);
	assert_string_equal(taken->body, "k2");
	/* Released untouched: claimable again at once, with a new fence. */
	assert_int_equal(pgq_release(q, taken->id, taken->fence), 0);
	old = claim1(q2, 60000);
	assert_int_equal(old->id, taken->id);
	assert_int_equal(old->fence, taken->fence + 1);
	assert_int_equal(old->taken_over, 0); /* a release is a finish: no takeover */
	assert_int_equal(old->attempts, 0);
	pgq_item_free(old);
	pgq_item_free(taken);
	pgq_close(q2);
	pgq_close(q);
}

/* claim_runs(q, max, per_key) must return exactly the ids `want` (n of them), in order. */
static pgq_item **claim_ids(pgq *q, size_t max, size_t per_key, const int64_t *want, size_t n)
{
	pgq_item **items = NULL;
	size_t got = 0, i;

	assert_int_equal(pgq_claim_runs(q, max, per_key, 60000, &items, &got), 0);
	assert_int_equal(got, n);
	for (i = 0; i < n; i++)
		assert_int_equal(items[i]->id, want[i]);
	return items;
}

/*
 * Runs: a key's consecutive due events claimed at once, in id order, and only
 * while its head is not leased elsewhere; each event fenced on its own, so a
 * worker whose run was taken over cannot mark any of it done.
 */
static void test_claim_runs(void **state)
{
	char url[600], sql[200];
	pgq *q = fresh_queue(url, sizeof url), *q2 = NULL;
	pgq_item **a, **b, *it = NULL;
	int64_t a1, b1, a2, a3, a4, b2, ids[4], fences[4];
	size_t marked = 9, n = 0;

	(void)state;
	assert_int_equal(pgq_open(&q2, url), 0);
	a1 = put(q, "A", "a1");
	b1 = put(q, "B", "b1");
	a2 = put(q, "A", "a2");
	a3 = put(q, "A", "a3");
	a4 = put(q, "A", "a4");
	b2 = put(q, "B", "b2");
	assert_int_equal(pgq_claim_runs(q, 5, 0, 60000, &a, &n), PGQ_EINVALID);
	/* a3 is not due: A's run ends before it, and a4 waits with it. */
	snprintf(sql, sizeof sql,
	         "UPDATE ontraport_events SET next_attempt_at = 9e15 WHERE id = %lld",
	         (long long)a3);
	assert_int_equal(pgtest_sql(url, sql), 0);
	/* The oldest 3 of the runs: a prefix of each key's, A's two in order. */
	a = claim_ids(q, 3, 10, (int64_t[]){a1, b1, a2}, 3);
	assert_int_equal(a[2]->fence, 1);
	/* Both keys' heads are leased: nothing for anyone else, b2 included. */
	assert_nothing(q2);
	ids[0] = a1, ids[1] = b1, fences[0] = a[0]->fence, fences[1] = a[1]->fence;
	assert_int_equal(pgq_done_many(q, ids, fences, 2, &marked), 0);
	assert_int_equal(marked, 2);
	/* B's head is b2 now; A's is a2, still q's. */
	b = claim_ids(q2, 10, 10, (int64_t[]){b2}, 1);
	pgq_items_free(b, 1);
	/* q's lease on a2 ends: q2 takes it over (a new fence); a3 still stops the run. */
	snprintf(sql, sizeof sql, "UPDATE ontraport_events SET lease_until = 1 WHERE id = %lld",
	         (long long)a2);
	assert_int_equal(pgtest_sql(url, sql), 0);
	b = claim_ids(q2, 10, 10, (int64_t[]){a2}, 1);
	assert_int_equal(b[0]->fence, 2);
	/* q's done of a2 (fence 1) is refused: a2 stays pending, q2's. */
	ids[0] = a2, fences[0] = 1;
	assert_int_equal(pgq_done_many(q, ids, fences, 1, &marked), 0);
	assert_int_equal(marked, 0);
	assert_int_equal(pgq_get(q, a2, &it), 0);
	assert_int_equal(it->status, PGQ_PENDING);
	pgq_item_free(it);
	fences[0] = 2;
	assert_int_equal(pgq_done_many(q2, ids, fences, 1, &marked), 0);
	assert_int_equal(marked, 1);
	pgq_items_free(a, 3);
	pgq_items_free(b, 1);
	/* a3 due again: A's run is a3, a4, in order. */
	snprintf(sql, sizeof sql, "UPDATE ontraport_events SET next_attempt_at = 0");
	assert_int_equal(pgtest_sql(url, sql), 0);
	a = claim_ids(q, 10, 10, (int64_t[]){a3, a4}, 2);
	pgq_items_free(a, 2);
	pgq_close(q2);
	pgq_close(q);
}

static void test_retry_dead_replay_purge(void **state)
{
	char url[600];
	pgq *q = fresh_queue(url, sizeof url);
	pgq_item *it, *held;
	int64_t r1, r2, o1, p, d, x, n, now;

	(void)state;
	r1 = put(q, "R", "r1");
	r2 = put(q, "R", "r2");
	o1 = put(q, "O", "o1");
	it = claim1(q, 60000);
	assert_int_equal(it->id, r1);
	assert_int_equal(pgq_retry(q, r1, it->fence, "boom", unit_ms * 2), 0);
	pgq_item_free(it);
	/* r1 waits for its retry time, and r2 behind it (order per key); O goes on. */
	it = claim1(q, 60000);
	assert_int_equal(it->id, o1);
	assert_int_equal(pgq_dead(q, o1, it->fence, "for good"), 0);
	pgq_item_free(it);
	assert_nothing(q);
	sleep_ms(unit_ms * 21 / 10);
	it = claim1(q, 60000);
	assert_int_equal(it->id, r1);
	assert_int_equal(it->attempts, 1);
	assert_string_equal(it->last_error, "boom");
	assert_int_equal(pgq_done(q, r1, it->fence), 0);
	pgq_item_free(it);
	held = claim1(q, 60000);
	assert_int_equal(held->id, r2);
	/* r2 stays claimed (pending) through the replay and purge below. */
	assert_int_equal(pgq_counts(q, &p, &d, &x), 0);
	assert_int_equal(p, 1);
	assert_int_equal(d, 1);
	assert_int_equal(x, 1);
	/* Replay: every dead event, then one by id; a missing id is not found. */
	assert_int_equal(pgq_replay(q, 0, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pgq_replay(q, 0, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pgq_replay(q, 424242, &n), PGQ_ENOTFOUND);
	{
		pgq_item *o = claim1(q, 60000);
		assert_int_equal(o->id, o1);
		assert_int_equal(o->attempts, 0);
		assert_null(o->last_error);
		assert_int_equal(pgq_done(q, o1, o->fence), 0);
		pgq_item_free(o);
	}
	assert_int_equal(pgq_replay(q, r1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pgq_get(q, r1, &it), 0);
	assert_int_equal(it->status, PGQ_PENDING);
	assert_int_equal(it->delivered_at, 0);
	pgq_item_free(it);
	/* Purge: done and dead received before now; the claimed r2 is never deleted. */
	assert_int_equal(pgq_now(q, &now), 0);
	assert_int_equal(pgq_purge(q, now + 1000, PGQ_DONE | PGQ_DEAD, &n), 0);
	assert_int_equal(n, 1); /* o1; r1 is pending again */
	assert_int_equal(pgq_purge(q, now + 1000, PGQ_STATUS_ALL, &n), 0);
	assert_int_equal(n, 1); /* r1; not r2, claimed */
	assert_int_equal(pgq_purge(q, 0, PGQ_STATUS_ALL, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pgq_counts(q, &p, &d, &x), 0);
	assert_int_equal(p + d + x, 1);
	assert_int_equal(pgq_get(q, r2, &it), 0);
	pgq_item_free(it);
	pgq_item_free(held);
	pgq_close(q);
}

static int64_t list_stop; /* list_cb stops the walk at this id (returns 7) */

static int list_cb(const pgq_item *it, void *userdata)
{
	int64_t *seen = userdata;

	seen[++seen[0]] = it->id;
	return it->id == list_stop ? 7 : 0;
}

static void test_list(void **state)
{
	char url[600];
	pgq *q = fresh_queue(url, sizeof url);
	int64_t ids[150], seen[200];
	pgq_item *it;
	int i;

	(void)state;
	for (i = 0; i < 150; i++)
		ids[i] = put(q, i % 2 ? "odd" : "even", "x");
	it = claim1(q, 60000);
	assert_int_equal(pgq_dead(q, it->id, it->fence, "no"), 0);
	pgq_item_free(it);
	/* Every pending one, in pages, in id order. */
	memset(seen, 0, sizeof seen);
	assert_int_equal(pgq_list(q, PGQ_PENDING, 0, 0, list_cb, seen), 0);
	assert_int_equal(seen[0], 149);
	for (i = 1; i <= 149; i++)
		assert_int_equal(seen[i], ids[i]);
	/* Dead only; after an id with a limit; a callback that stops the walk. */
	memset(seen, 0, sizeof seen);
	assert_int_equal(pgq_list(q, PGQ_DEAD, 0, 0, list_cb, seen), 0);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], ids[0]);
	memset(seen, 0, sizeof seen);
	assert_int_equal(pgq_list(q, PGQ_STATUS_ALL, ids[9], 5, list_cb, seen), 0);
	assert_int_equal(seen[0], 5);
	assert_int_equal(seen[1], ids[10]);
	memset(seen, 0, sizeof seen);
	list_stop = ids[70];
	assert_int_equal(pgq_list(q, PGQ_STATUS_ALL, 0, 0, list_cb, seen), 7);
	assert_int_equal(seen[0], 71);
	pgq_close(q);
}

/* ---- concurrent claimers ---- */

#define KEYS 8
#define PER_KEY 30
#define WORKERS 4

static pthread_mutex_t conc_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char url[600];
	int in_flight[KEYS];            /* claims of each key held now */
	int64_t last[KEYS];             /* the last id finished of each key */
	int delivered[KEYS];            /* events finished of each key */
	int times[KEYS * PER_KEY + 64]; /* deliveries of each id */
	int violations;                 /* a key claimed twice at once, or out of order */
} conc;

static void *worker(void *arg)
{
	pgq *q = NULL;
	int idle = 0;
	time_t give_up = time(NULL) + 120;

	(void)arg;
	if (pgq_open(&q, conc.url) != 0)
		return (void *)1;
	while (idle < 20 && time(NULL) < give_up) {
		pgq_item **items = NULL;
		size_t n = 0, i;
		int rc = pgq_claim(q, 3, 60000, &items, &n);

		if (rc == PGQ_ENOTFOUND) {
			idle++;
			sleep_ms(10);
			continue;
		}
		if (rc)
			break;
		idle = 0;
		pthread_mutex_lock(&conc_mu);
		for (i = 0; i < n; i++) {
			int k = items[i]->webhook_key[0] - 'a';
			if (conc.in_flight[k]++ || items[i]->id <= conc.last[k])
				conc.violations++;
		}
		pthread_mutex_unlock(&conc_mu);
		for (i = 0; i < n; i++) {
			int k = items[i]->webhook_key[0] - 'a';
			/* Marked in the same lock as done: the next claim of the key comes after.
			 */
			pthread_mutex_lock(&conc_mu);
			conc.in_flight[k]--;
			conc.last[k] = items[i]->id;
			conc.delivered[k]++;
			if (items[i]->id < (int64_t)(sizeof conc.times / sizeof conc.times[0]))
				conc.times[items[i]->id]++;
			pthread_mutex_unlock(&conc_mu);
			if (pgq_done(q, items[i]->id, items[i]->fence) != 0) {
				pthread_mutex_lock(&conc_mu);
				conc.violations++;
				pthread_mutex_unlock(&conc_mu);
			}
		}
		pgq_items_free(items, n);
	}
	pgq_close(q);
	return NULL;
}

static void test_concurrent_claimers(void **state)
{
	pthread_t t[WORKERS];
	pgq *q = fresh_queue(conc.url, sizeof conc.url);
	int64_t p, d;
	int i, k;

	(void)state;
	for (i = 0; i < PER_KEY; i++)
		for (k = 0; k < KEYS; k++) {
			char key[2] = {(char)('a' + k), 0};
			put(q, key, "c");
		}
	for (i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
	for (i = 0; i < WORKERS; i++) {
		void *ret = NULL;
		pthread_join(t[i], &ret);
		assert_null(ret);
	}
	assert_int_equal(conc.violations, 0);
	for (k = 0; k < KEYS; k++)
		assert_int_equal(conc.delivered[k], PER_KEY);
	for (i = 1; i <= KEYS * PER_KEY; i++)
		assert_int_equal(conc.times[i], 1);
	assert_int_equal(pgq_counts(q, &p, &d, NULL), 0);
	assert_int_equal(p, 0);
	assert_int_equal(d, KEYS * PER_KEY);
	pgq_close(q);
}

/* ---- the password never shown ---- */

/* A spooled event moved twice (a drain repeated after a crash) is stored once, with the
 * receiver's received_at; another reference is another event. */
static void test_enqueue_spooled_once(void **state)
{
	char url[600];
	pgq *q = fresh_queue(url, sizeof url);
	pgq_item *it = NULL;
	int64_t id1 = 0, id2 = 0, id3 = 0, pending = 0;
	int stored = -1;

	(void)state;
	assert_int_equal(pgq_enqueue_spooled(q, "host:/s.db:1000:1", 1000, "A", "{}", "x", 1, NULL,
	                                     &id1, &stored),
	                 0);
	assert_int_equal(stored, 1);
	assert_true(id1 > 0);
	assert_int_equal(pgq_enqueue_spooled(q, "host:/s.db:1000:1", 1000, "A", "{}", "x", 1, NULL,
	                                     &id2, &stored),
	                 0);
	assert_int_equal(stored, 0);
	assert_int_equal(id2, 0);
	assert_int_equal(pgq_enqueue_spooled(q, "host:/s.db:1001:2", 1001, "A", "{}", "y", 1, NULL,
	                                     &id3, &stored),
	                 0);
	assert_int_equal(stored, 1);
	assert_int_equal(pgq_counts(q, &pending, NULL, NULL), 0);
	assert_int_equal(pending, 2);
	assert_int_equal(pgq_get(q, id1, &it), 0);
	assert_int_equal(it->received_at, 1000);
	assert_string_equal(it->body, "x");
	pgq_item_free(it);
	assert_int_equal(pgq_enqueue_spooled(q, "", 1000, "A", "{}", "x", 1, NULL, NULL, &stored),
	                 PGQ_EINVALID);
	pgq_close(q);
}

static void test_password_hidden(void **state)
{
	char url[700], shown[700];
	pgq *q = NULL;

	(void)state;
	/* A wrong password: refused, and neither it nor the right one is in the error. */
	snprintf(url, sizeof url, "postgresql://ontra:Wr0ngSecret@127.0.0.1:%s/postgres", pg.port);
	assert_int_equal(pgq_open(&q, url), PGQ_ECONNECT);
	assert_non_null(strstr(pgq_last_error(), "password authentication failed"));
	assert_non_null(strstr(pgq_last_error(), "postgresql://***@127.0.0.1"));
	assert_null(strstr(pgq_last_error(), "Wr0ngSecret"));
	assert_null(strchr(pgq_last_error(), '\n'));
	/* A URL libpq cannot parse, whose message would quote the password. */
	snprintf(url, sizeof url, "postgresql://ontra:Se%%ZZcret@127.0.0.1:%s/postgres", pg.port);
	assert_int_equal(pgq_open(&q, url), PGQ_EINVALID);
	assert_null(strstr(pgq_last_error(), "ZZcret"));
	/* As a query parameter. */
	snprintf(url, sizeof url,
	         "postgresql://127.0.0.1:%s/postgres?user=ontra&password=QuerySecret", pg.port);
	assert_int_equal(pgq_open(&q, url), PGQ_ECONNECT);
	assert_null(strstr(pgq_last_error(), "QuerySecret"));
	assert_string_equal(pgq_url_shown(url, shown, sizeof shown) + strlen(shown) - 12,
	                    "password=***");
	/* Not a PostgreSQL URL. */
	assert_int_equal(pgq_open(&q, "http://u:HttpSecret@x/"), PGQ_EINVALID);
	assert_null(strstr(pgq_last_error(), "HttpSecret"));
	assert_non_null(strstr(pgq_last_error(), "not a PostgreSQL URL"));
	/* Nobody listening: a connection error, not a crash or a hang. */
	assert_int_equal(pgq_migrate("postgresql://ontra:NoSecret@127.0.0.1:1/x", NULL, NULL),
	                 PGQ_ECONNECT);
	assert_null(strstr(pgq_last_error(), "NoSecret"));
	assert_null(q);
}

/* A libpq multi-host URL (the failover form, docs/postgresql.md): the first host down, the
 * second the server; the hosts shown, the password never. */
static void test_multi_host(void **state)
{
	char url[700], shown[700], want[700];
	int dead = 1;
	pgq *q = NULL;

	(void)state;
	pgq_close(fresh_queue(url, sizeof url)); /* database db_name, migrated */
	snprintf(url, sizeof url,
	         "postgresql://ontra:%s@127.0.0.1:%d,127.0.0.1:%s/%s"
	         "?target_session_attrs=read-write",
	         pg.password, dead, pg.port, db_name);
	assert_int_equal(pgq_open(&q, url), 0);
	assert_true(pgq_connected(q));
	pgq_close(q);
	q = NULL;
	snprintf(want, sizeof want,
	         "postgresql://***@127.0.0.1:%d,127.0.0.1:%s/%s"
	         "?target_session_attrs=read-write",
	         dead, pg.port, db_name);
	assert_string_equal(pgq_url_shown(url, shown, sizeof shown), want);
	/* A wrong password: the server's refusal said, neither password. */
	snprintf(url, sizeof url,
	         "postgresql://ontra:Wr0ngMulti@127.0.0.1:%d,127.0.0.1:%s/postgres"
	         "?target_session_attrs=read-write&password=Wr0ngQuery",
	         dead, pg.port);
	assert_int_equal(pgq_open(&q, url), PGQ_ECONNECT);
	assert_null(q);
	assert_non_null(strstr(pgq_last_error(), "password authentication failed"));
	assert_null(strstr(pgq_last_error(), "Wr0ngMulti"));
	assert_null(strstr(pgq_last_error(), "Wr0ngQuery"));
	assert_null(strstr(pgq_url_shown(url, shown, sizeof shown), "Wr0ng"));
}

static int setup(void **state)
{
	const char *scale = getenv("ONTRA_TEST_TIME_SCALE");

	(void)state;
	if (scale && strtol(scale, NULL, 10) > 1)
		unit_ms *= strtol(scale, NULL, 10);
	return pgtest_start(&pg);
}

static int teardown(void **state)
{
	(void)state;
	pgtest_stop(&pg);
	return 0;
}

/* Several events in one statement: stored in their order, ids ascending, keys made once. */
static void test_enqueue_many(void **state)
{
	static const char bin[] = "m\0n";
	char url[600];
	pgq *q = fresh_queue(url, sizeof url);
	pgq_event_in ev[3] = {{"A", "{\"n\":1}", "a1", 2, "application/json"},
	                      {"B", "{\"n\":2}", "b1", 2, NULL},
	                      {"A", "{\"n\":3}", bin, sizeof bin - 1, NULL}};
	pgq_item **items = NULL, *it = NULL;
	int64_t ids[3] = {0}, pending = 0;
	size_t n = 0;

	(void)state;
	assert_int_equal(pgq_enqueue_many(q, ev, 0, "#h:1:1:1", ids), PGQ_EINVALID);
	assert_int_equal(pgq_enqueue_many(q, ev, PGQ_MANY_MAX + 1, "#h:1:1:1", ids), PGQ_EINVALID);
	assert_int_equal(pgq_enqueue_many(q, ev, 3, NULL, ids), PGQ_EINVALID);
	assert_int_equal(pgq_enqueue_many(q, ev, 3, "", ids), PGQ_EINVALID);
	ev[1].webhook_key = "";
	assert_int_equal(pgq_enqueue_many(q, ev, 3, "#h:1:1:1", ids), PGQ_EINVALID);
	assert_int_equal(pgq_counts(q, &pending, NULL, NULL), 0);
	assert_int_equal(pending, 0);
	ev[1].webhook_key = "B";
	assert_int_equal(pgq_enqueue_many(q, ev, 3, "#h:1:1:1", ids), 0);
	assert_true(ids[0] > 0 && ids[1] > ids[0] && ids[2] > ids[1]);
	assert_int_equal(pgq_counts(q, &pending, NULL, NULL), 0);
	assert_int_equal(pending, 3);
	/* Each key's head is its first event: A's is ids[0], not ids[2]. */
	assert_int_equal(pgq_claim(q, 10, 60000, &items, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(items[0]->id, ids[0]);
	assert_string_equal(items[0]->body, "a1");
	assert_string_equal(items[0]->content_type, "application/json");
	assert_int_equal(items[1]->id, ids[1]);
	assert_string_equal(items[1]->webhook_key, "B");
	assert_string_equal(items[1]->event, "{\"n\":2}");
	pgq_items_free(items, n);
	assert_int_equal(pgq_get(q, ids[2], &it), 0);
	assert_string_equal(it->webhook_key, "A");
	assert_int_equal(it->body_len, sizeof bin - 1);
	assert_memory_equal(it->body, bin, sizeof bin - 1);
	pgq_item_free(it);
	pgq_close(q);
}

/*
 * A store whose answer was lost with the connection is made once only: tried again under
 * its reference it is PGQ_ESTORED, nothing stored twice; settled, it says it was made. One
 * never made settles as not made, and a try with it still under way (or late) stores
 * nothing.
 */
static void test_store_once(void **state)
{
	char url[600];
	pgq *q = fresh_queue(url, sizeof url);
	pgq_event_in ev[2] = {{"A", "{}", "a1", 2, NULL}, {"A", "{}", "a2", 2, NULL}};
	int64_t ids[2] = {0}, pending = 0;
	int stored = -1;

	(void)state;
	assert_int_equal(pgq_enqueue_many(q, ev, 2, "#h:7:1:1", ids), 0);
	assert_int_equal(pgq_enqueue_many(q, ev, 2, "#h:7:1:1", ids), PGQ_ESTORED);
	assert_int_equal(ids[0], 0);
	assert_int_equal(pgq_counts(q, &pending, NULL, NULL), 0);
	assert_int_equal(pending, 2);
	assert_int_equal(pgq_store_settle(q, "#h:7:1:1", &stored), 0);
	assert_int_equal(stored, 1);
	assert_int_equal(pgq_store_settle(q, "#h:7:1:2", &stored), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(pgq_store_settle(q, "#h:7:1:2", &stored), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(pgq_enqueue_many(q, ev, 2, "#h:7:1:2", ids), PGQ_ESTORED);
	assert_int_equal(pgq_counts(q, &pending, NULL, NULL), 0);
	assert_int_equal(pending, 2);
	assert_int_equal(pgq_store_settle(q, "", &stored), PGQ_EINVALID);
	/* A spooled event's reference is another name: a store with it is no clash. */
	assert_int_equal(
	    pgq_enqueue_spooled(q, "h:/s.db:1000:1", 1000, "A", "{}", "x", 1, NULL, NULL, NULL), 0);
	assert_int_equal(pgq_enqueue_many(q, ev, 1, "#h:7:1:3", ids), 0);
	assert_int_equal(pgq_counts(q, &pending, NULL, NULL), 0);
	assert_int_equal(pending, 4);
	pgq_close(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migrate),
	    cmocka_unit_test(test_enqueue_claim_done),
	    cmocka_unit_test(test_lease_takeover),
	    cmocka_unit_test(test_claim_runs),
	    cmocka_unit_test(test_retry_dead_replay_purge),
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_concurrent_claimers),
	    cmocka_unit_test(test_enqueue_spooled_once),
	    cmocka_unit_test(test_store_once),
	    cmocka_unit_test(test_enqueue_many),
	    cmocka_unit_test(test_password_hidden),
	    cmocka_unit_test(test_multi_host),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
