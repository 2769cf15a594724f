/* Unit tests for src/receiver/queue.c and queue_ops.c: the durable queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>

#include "test_rcv_helpers.h"

typedef struct fixture {
	char *dir;
	char *db;
	rcv_queue *q;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	char err[256];

	f->dir = th_tmpdir();
	f->db = th_path(f->dir, "queue.db");
	if (rcv_queue_open(&f->q, f->db, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	rcv_queue_close(f->q);
	free(f->db);
	th_rmdir(f->dir);
	free(f);
	return 0;
}

static int64_t put(rcv_queue *q, const char *key, const char *event)
{
	int64_t id = 0;

	assert_int_equal(rcv_queue_enqueue(q, key, event, "raw", 3, "text/plain", &id), 0);
	assert_true(id > 0);
	return id;
}

static int64_t claim_id(rcv_queue *q, int64_t now)
{
	rcv_item *it = NULL;
	int64_t id;
	int rc = rcv_queue_claim(q, now, &it, NULL);

	if (rc == RCV_ENOTFOUND)
		return 0;
	assert_int_equal(rc, 0);
	id = it->id;
	rcv_item_free(it);
	return id;
}

static void test_open_enqueue_get(void **state)
{
	fixture *f = *state;
	rcv_item *it = NULL;
	struct stat st;
	int64_t a, b, now = rcv_now_ms();

	a = put(f->q, "k1", "{\"event\":{\"type\":\"sub_tag\"}}");
	b = put(f->q, "k1", "{}");
	assert_true(b > a);
	assert_int_equal(rcv_queue_get(f->q, a, &it), 0);
	assert_int_equal(it->id, a);
	assert_string_equal(it->webhook_key, "k1");
	assert_string_equal(it->event, "{\"event\":{\"type\":\"sub_tag\"}}");
	assert_int_equal(it->body_len, 3);
	assert_memory_equal(it->body, "raw", 3);
	assert_string_equal(it->content_type, "text/plain");
	assert_int_equal(it->status, RCV_PENDING);
	assert_int_equal(it->attempts, 0);
	assert_null(it->last_error);
	assert_int_equal(it->delivered_at, 0);
	assert_true(it->received_at >= now - 1000 && it->received_at <= rcv_now_ms());
	rcv_item_free(it);
	assert_int_equal(rcv_queue_get(f->q, 999999, &it), RCV_ENOTFOUND);
	assert_null(it);
	assert_non_null(strstr(rcv_queue_last_error(), "999999"));

	/* The file is private: events hold personal data. */
	assert_int_equal(stat(f->db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* A NULL content type and an empty body are stored as such. */
	assert_int_equal(rcv_queue_enqueue(f->q, "k1", "{}", NULL, 0, NULL, &a), 0);
	assert_int_equal(rcv_queue_get(f->q, a, &it), 0);
	assert_null(it->content_type);
	assert_int_equal(it->body_len, 0);
	rcv_item_free(it);
	assert_int_equal(rcv_queue_enqueue(f->q, NULL, "{}", NULL, 0, NULL, &a), RCV_EINVALID);
}

/* --- group commit ---------------------------------------------------------------- */

#define GC_THREADS 8
#define GC_EACH 150

typedef struct gc_arg {
	rcv_queue *q;
	int n;
	int64_t ids[GC_EACH];
	int failures;
} gc_arg;

static void *gc_sender(void *p)
{
	gc_arg *a = p;
	char key[16], ev[64];
	int i;

	snprintf(key, sizeof key, "key%d", a->n);
	for (i = 0; i < GC_EACH; i++) {
		snprintf(ev, sizeof ev, "{\"n\":%d,\"i\":%d}", a->n, i);
		if (rcv_queue_enqueue(a->q, key, ev, ev, strlen(ev), NULL, &a->ids[i]))
			a->failures++;
	}
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void test_group_commit_threads(void **state)
{
	fixture *f = *state;
	pthread_t th[GC_THREADS];
	gc_arg args[GC_THREADS];
	int64_t all[GC_THREADS * GC_EACH], pending = 0;
	uint64_t commits = 0, events = 0;
	int t, i;

	for (t = 0; t < GC_THREADS; t++) {
		memset(&args[t], 0, sizeof args[t]);
		args[t].q = f->q;
		args[t].n = t;
		pthread_create(&th[t], NULL, gc_sender, &args[t]);
	}
	for (t = 0; t < GC_THREADS; t++) {
		pthread_join(th[t], NULL);
		assert_int_equal(args[t].failures, 0);
		for (i = 0; i < GC_EACH; i++) {
			all[t * GC_EACH + i] = args[t].ids[i];
			/* Each sender's events got increasing ids: arrival order is kept. */
			if (i)
				assert_true(args[t].ids[i] > args[t].ids[i - 1]);
		}
	}
	qsort(all, GC_THREADS * GC_EACH, sizeof all[0], cmp_i64);
	for (i = 1; i < GC_THREADS * GC_EACH; i++)
		assert_true(all[i] > all[i - 1]); /* unique */
	assert_int_equal(rcv_queue_counts(f->q, &pending, NULL, NULL), 0);
	assert_int_equal(pending, GC_THREADS * GC_EACH);
	rcv_queue_commit_stats(f->q, &commits, &events);
	assert_int_equal(events, GC_THREADS * GC_EACH);
	/* With 8 concurrent senders, transactions hold more than one event. */
	fprintf(stderr, "group commit: %llu events in %llu transactions\n",
	        (unsigned long long)events, (unsigned long long)commits);
	assert_true(commits < events);
}

/* --- claims and ordering ----------------------------------------------------------- */

static void test_claim_order_per_key(void **state)
{
	fixture *f = *state;
	int64_t now = rcv_now_ms(), wake = -1;
	int64_t a1 = put(f->q, "A", "{}"), b1 = put(f->q, "B", "{}");
	int64_t a2 = put(f->q, "A", "{}"), b2 = put(f->q, "B", "{}");
	rcv_item *it = NULL;

	/* Oldest first; a key with a claim outstanding is skipped. */
	assert_int_equal(claim_id(f->q, now), a1);
	assert_int_equal(claim_id(f->q, now), b1);
	assert_int_equal(rcv_queue_claim(f->q, now, &it, &wake), RCV_ENOTFOUND);
	assert_null(it);
	assert_int_equal(wake, 0);
	assert_int_equal(rcv_queue_done(f->q, a1, now), 0);
	assert_int_equal(claim_id(f->q, now), a2);

	/* B1 fails and waits: B2 must not overtake it. */
	assert_int_equal(rcv_queue_retry(f->q, b1, "boom", now + 60000), 0);
	assert_int_equal(rcv_queue_claim(f->q, now, &it, &wake), RCV_ENOTFOUND);
	assert_int_equal(wake, now + 60000);
	/* Once its time comes, B1 (not B2) is next. */
	assert_int_equal(claim_id(f->q, now + 60000), b1);
	assert_int_equal(rcv_queue_get(f->q, b1, &it), 0);
	assert_int_equal(it->attempts, 1);
	assert_string_equal(it->last_error, "boom");
	rcv_item_free(it);
	assert_int_equal(rcv_queue_done(f->q, b1, now), 0);
	assert_int_equal(claim_id(f->q, now), b2);

	/* A released claim is handed out again. */
	rcv_queue_release(f->q, b2);
	assert_int_equal(claim_id(f->q, now), b2);
	assert_int_equal(rcv_queue_done(f->q, b2, now), 0);
	assert_int_equal(rcv_queue_done(f->q, a2, now), 0);
	assert_int_equal(rcv_queue_claim(f->q, now, &it, &wake), RCV_ENOTFOUND);
	assert_int_equal(wake, 0); /* nothing pending at all */
}

static void test_dead_does_not_block(void **state)
{
	fixture *f = *state;
	int64_t now = rcv_now_ms();
	int64_t a1 = put(f->q, "A", "{}"), a2 = put(f->q, "A", "{}");
	rcv_item *it = NULL;

	assert_int_equal(claim_id(f->q, now), a1);
	assert_int_equal(rcv_queue_dead(f->q, a1, "gave up"), 0);
	assert_int_equal(rcv_queue_get(f->q, a1, &it), 0);
	assert_int_equal(it->status, RCV_DEAD);
	assert_int_equal(it->attempts, 1);
	assert_string_equal(it->last_error, "gave up");
	rcv_item_free(it);
	assert_int_equal(claim_id(f->q, now), a2);
	assert_int_equal(rcv_queue_done(f->q, a2, now + 5), 0);
	assert_int_equal(rcv_queue_get(f->q, a2, &it), 0);
	assert_int_equal(it->status, RCV_DONE);
	assert_int_equal(it->delivered_at, now + 5);
	rcv_item_free(it);
}

/* --- list, counts, replay, purge ----------------------------------------------------- */

typedef struct collected {
	int64_t ids[512];
	int n;
	int stop_at;
} collected;

static int collect(const rcv_item *it, void *ud)
{
	collected *c = ud;

	c->ids[c->n++] = it->id;
	return c->stop_at && c->n == c->stop_at ? 7 : 0;
}

static void test_list_counts(void **state)
{
	fixture *f = *state;
	int64_t now = rcv_now_ms(), ids[150], p, d, x;
	collected c;
	int i;

	for (i = 0; i < 150; i++)
		ids[i] = put(f->q, i % 2 ? "odd" : "even", "{}");
	/* Mark the first 10 claimable ones done, then kill one. */
	for (i = 0; i < 10; i++) {
		int64_t id = claim_id(f->q, now);
		assert_true(id > 0);
		assert_int_equal(rcv_queue_done(f->q, id, now), 0);
	}
	x = claim_id(f->q, now);
	assert_int_equal(rcv_queue_dead(f->q, x, "x"), 0);
	assert_int_equal(rcv_queue_counts(f->q, &p, &d, &x), 0);
	assert_int_equal(p, 139);
	assert_int_equal(d, 10);
	assert_int_equal(x, 1);

	/* All pending, more than a page, in id order. */
	memset(&c, 0, sizeof c);
	assert_int_equal(rcv_queue_list(f->q, RCV_PENDING, 0, 0, collect, &c), 0);
	assert_int_equal(c.n, 139);
	for (i = 1; i < c.n; i++)
		assert_true(c.ids[i] > c.ids[i - 1]);
	/* Limit and after_id. */
	memset(&c, 0, sizeof c);
	assert_int_equal(rcv_queue_list(f->q, RCV_STATUS_ALL, ids[100], 20, collect, &c), 0);
	assert_int_equal(c.n, 20);
	assert_int_equal(c.ids[0], ids[101]);
	/* A callback's non-zero return stops the walk and is returned. */
	memset(&c, 0, sizeof c);
	c.stop_at = 3;
	assert_int_equal(rcv_queue_list(f->q, RCV_STATUS_ALL, 0, 0, collect, &c), 7);
	assert_int_equal(c.n, 3);
	memset(&c, 0, sizeof c);
	assert_int_equal(rcv_queue_list(f->q, RCV_DONE | RCV_DEAD, 0, 0, collect, &c), 0);
	assert_int_equal(c.n, 11);
}

static void test_replay(void **state)
{
	fixture *f = *state;
	int64_t now = rcv_now_ms(), a, b, c, n = -1;
	rcv_item *it = NULL;

	a = put(f->q, "A", "{}");
	b = put(f->q, "B", "{}");
	c = put(f->q, "C", "{}");
	assert_int_equal(claim_id(f->q, now), a);
	assert_int_equal(claim_id(f->q, now), b);
	assert_int_equal(claim_id(f->q, now), c);
	assert_int_equal(rcv_queue_dead(f->q, a, "x"), 0);
	assert_int_equal(rcv_queue_dead(f->q, b, "y"), 0);
	assert_int_equal(rcv_queue_done(f->q, c, now), 0);

	assert_int_equal(rcv_queue_replay(f->q, 0, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rcv_queue_get(f->q, a, &it), 0);
	assert_int_equal(it->status, RCV_PENDING);
	assert_int_equal(it->attempts, 0);
	assert_null(it->last_error);
	assert_int_equal(it->next_attempt_at, 0);
	rcv_item_free(it);
	/* By id, whatever the status (a done event is delivered again). */
	assert_int_equal(rcv_queue_replay(f->q, c, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rcv_queue_get(f->q, c, &it), 0);
	assert_int_equal(it->status, RCV_PENDING);
	assert_int_equal(it->delivered_at, 0);
	rcv_item_free(it);
	assert_int_equal(claim_id(f->q, now), a);
	assert_int_equal(rcv_queue_replay(f->q, 424242, &n), RCV_ENOTFOUND);
	assert_int_equal(n, 0);
}

static void test_purge(void **state)
{
	fixture *f = *state;
	int64_t now = rcv_now_ms(), a, b, c, n = -1, p, d, x;

	a = put(f->q, "A", "{}");
	b = put(f->q, "B", "{}");
	c = put(f->q, "C", "{}");
	assert_int_equal(claim_id(f->q, now), a);
	assert_int_equal(rcv_queue_done(f->q, a, now), 0);
	assert_int_equal(claim_id(f->q, now), b);
	assert_int_equal(rcv_queue_dead(f->q, b, "x"), 0);
	(void)c;
	/* Nothing is older than a time before all of them. */
	assert_int_equal(rcv_queue_purge(f->q, now - 60000, RCV_DONE | RCV_DEAD, &n), 0);
	assert_int_equal(n, 0);
	/* Done and dead go; pending stays. */
	assert_int_equal(rcv_queue_purge(f->q, rcv_now_ms() + 1, RCV_DONE | RCV_DEAD, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rcv_queue_counts(f->q, &p, &d, &x), 0);
	assert_int_equal(p, 1);
	assert_int_equal(d + x, 0);
	/* Keys A and B have no events left; a new event for A still works. */
	a = put(f->q, "A", "{}");
	assert_int_equal(claim_id(f->q, now), c);
	assert_int_equal(claim_id(f->q, now), a);
}

static void test_reopen_keeps_pending(void **state)
{
	fixture *f = *state;
	int64_t now = rcv_now_ms(), a, b, c, p, d;
	char err[256];

	a = put(f->q, "A", "{\"n\":1}");
	b = put(f->q, "A", "{\"n\":2}");
	c = put(f->q, "B", "{\"n\":3}");
	assert_int_equal(claim_id(f->q, now), a);
	assert_int_equal(rcv_queue_done(f->q, a, now), 0);
	/* b is claimed and never finished: as if the process died delivering it. */
	assert_int_equal(claim_id(f->q, now), b);
	rcv_queue_close(f->q);
	f->q = NULL;

	assert_int_equal(rcv_queue_open(&f->q, f->db, err, sizeof err), 0);
	assert_int_equal(rcv_queue_counts(f->q, &p, &d, NULL), 0);
	assert_int_equal(p, 2);
	assert_int_equal(d, 1);
	assert_int_equal(claim_id(f->q, now), b); /* pending again: at least once */
	assert_int_equal(claim_id(f->q, now), c);
	/* Ids keep growing after a reopen. */
	assert_true(put(f->q, "A", "{}") > c);
}

static void test_wait_kick(void **state)
{
	fixture *f = *state;
	uint64_t s = rcv_queue_seq(f->q);
	int64_t t0 = rcv_now_ms();

	/* Times out when nothing changes. */
	rcv_queue_wait(f->q, s, t0 + 50);
	assert_true(rcv_now_ms() - t0 >= 45);
	/* Returns at once when the counter already moved. */
	rcv_queue_kick(f->q);
	t0 = rcv_now_ms();
	rcv_queue_wait(f->q, s, t0 + 5000);
	assert_true(rcv_now_ms() - t0 < 1000);
	/* A commit moves it. */
	s = rcv_queue_seq(f->q);
	put(f->q, "A", "{}");
	assert_true(rcv_queue_seq(f->q) != s);
}

static void test_open_errors(void **state)
{
	rcv_queue *q = (rcv_queue *)1;
	char err[256];
	char *dir = th_tmpdir();

	assert_int_equal(rcv_queue_open(&q, ":memory:", err, sizeof err), RCV_EINVALID);
	assert_null(q);
	assert_non_null(strstr(err, "not a file"));
	assert_true(rcv_queue_open(&q, dir, err, sizeof err) < 0); /* a directory */
	assert_null(q);
	assert_true(strlen(err) > 0 && !strchr(err, '\n'));
	assert_true(rcv_queue_open(&q, "/nonexistent-dir/x.db", err, sizeof err) < 0);
	assert_non_null(strstr(err, "/nonexistent-dir/x.db"));
	th_rmdir(dir);
	rcv_queue_close(NULL);
}

/* Read-only opening changes nothing; a file that is not a queue is refused, unwritten. */
static void test_open_readonly(void **state)
{
	fixture *f = *state;
	rcv_queue *ro = NULL;
	char err[256], *foreign = th_path(f->dir, "foreign.db"), *text = th_path(f->dir, "t.db");
	int64_t p = 0, id;
	sqlite3 *db = NULL;
	FILE *t;

	id = put(f->q, "A", "{\"n\":1}");
	assert_int_equal(rcv_queue_open_readonly(&ro, f->db, err, sizeof err), 0);
	assert_int_equal(rcv_queue_counts(ro, &p, NULL, NULL), 0);
	assert_int_equal(p, 1);
	assert_int_equal(rcv_queue_enqueue(ro, "A", "{}", NULL, 0, NULL, NULL), RCV_ESTOPPED);
	assert_true(rcv_queue_replay(ro, id, NULL) < 0); /* a read-only connection */
	rcv_queue_close(ro);

	assert_int_equal(sqlite3_open(foreign, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "CREATE TABLE t (x); PRAGMA user_version=3", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(rcv_queue_open_readonly(&ro, foreign, err, sizeof err), RCV_ENOTQUEUE);
	assert_null(ro);
	assert_non_null(strstr(err, "is not an event queue"));
	assert_int_equal(rcv_queue_open(&ro, foreign, err, sizeof err), RCV_ENOTQUEUE);
	assert_null(ro);
	assert_int_equal(sqlite3_open(foreign, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "SELECT 1 FROM sqlite_master WHERE name='rcv_events'",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_changes(db), 0);
	sqlite3_close(db);

	t = fopen(text, "w");
	assert_non_null(t);
	fputs("not a database at all, but long enough to have a header of sorts\n", t);
	fclose(t);
	assert_int_equal(rcv_queue_open_readonly(&ro, text, err, sizeof err), RCV_ENOTQUEUE);
	assert_int_equal(rcv_queue_open(&ro, text, err, sizeof err), RCV_ENOTQUEUE);
	free(foreign);
	free(text);
}

static void test_status_names(void **state)
{
	assert_string_equal(rcv_status_name(RCV_PENDING), "pending");
	assert_string_equal(rcv_status_name(RCV_DEAD), "dead");
	assert_null(rcv_status_name(3));
	assert_int_equal(rcv_status_parse("done"), RCV_DONE);
	assert_int_equal(rcv_status_parse("Done"), 0);
	assert_int_equal(rcv_status_parse(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_enqueue_get, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_commit_threads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_claim_order_per_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dead_does_not_block, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_keeps_pending, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wait_kick, setup, teardown),
	    cmocka_unit_test(test_open_errors),
	    cmocka_unit_test_setup_teardown(test_open_readonly, setup, teardown),
	    cmocka_unit_test(test_status_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
