/*
 * Retiring the PostgreSQL queue's history by partition (migration 4,
 * src/pgqueue/parts.c), against a real throw-away cluster (pg.sh): a purge
 * drops the partitions whose events all match and deletes row by row in the
 * others, pending events kept and claimable, ids still increasing; a
 * version-3 database with events migrated; and the figures (table size and
 * purge time, by partition and by the row-by-row DELETE of version 3) printed
 * for docs/postgresql.md. ONTRA_ROTATE_N sets the figures' event count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgqueue.h"
#include "pgtest.h"

static pgtest pg;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void new_db(char *url, size_t n)
{
	assert_int_equal(pgtest_new_db(&pg, "rot", NULL, 0, url, n), 0);
}

/* The first column of the first row of sql, as a number. */
static long long sql_int(const char *url, const char *sql)
{
	long long v = 0;

	assert_int_equal(pgtest_int(url, sql, &v), 0);
	return v;
}

/* How many partitions the events table has (the catalog's count, not the program's list). */
static long long partitions(const char *url)
{
	return sql_int(url, "SELECT count(*) FROM pg_inherits"
	                    " WHERE inhparent = 'ontraport_events'::regclass");
}

static int64_t put(pgq *q, const char *key)
{
	int64_t id = 0;

	assert_int_equal(pgq_enqueue(q, key, "{\"e\":1}", "b", 1, NULL, &id), 0);
	assert_true(id > 0);
	return id;
}

static void test_purge_drops_partitions(void **state)
{
	char url[600], key[16];
	int64_t first = 0, id = 0, e1 = 0, e2 = 0, n = 0, pending = 0, done = 0, now_ms = 0;
	pgq_item **items = NULL;
	size_t got = 0;
	int stored = 1, i;
	pgq *q = NULL;

	(void)state;
	new_db(url, sizeof url);
	assert_int_equal(pgq_migrate(url, NULL, NULL), 0);
	/* 100 ids a partition from 200000 on: the migration's partitions, [0, 100000) and
	 * [100000, 200000), closed and empty. */
	assert_int_equal(pgtest_sql(url, "UPDATE ontraport_queue_settings SET partition_ids = 100;"
	                                 "SELECT setval('ontraport_event_ids', 200000)"),
	                 0);
	assert_int_equal(pgq_open(&q, url), 0);
	assert_int_equal(partitions(url), 4);
	for (i = 0; i < 350; i++) {
		snprintf(key, sizeof key, "k%d", i % 5);
		id = put(q, key);
		if (i == 0)
			first = id;
	}
	assert_int_equal(first, 200001);
	assert_int_equal(id, 200350);
	/* Made ahead as ids advanced: up to a whole partition past the last id. */
	assert_int_equal(partitions(url), 7);
	assert_true(sql_int(url, "SELECT max(hi) FROM ontraport_event_parts") > id + 100);
	/* All done but one event of [200100, 200200) and one of the current partition. */
	e1 = 200150;
	e2 = 200341;
	assert_int_equal(pgtest_sql(url, "UPDATE ontraport_events SET status = 'done'"
	                                 " WHERE id NOT IN (200150, 200341)"),
	                 0);
	assert_int_equal(pgq_now(q, &now_ms), 0);
	assert_int_equal(pgq_purge(q, now_ms + 1000, PGQ_DONE | PGQ_DEAD, &n), 0);
	assert_int_equal(n, 348);
	/* Dropped: the two empty ones, [200000, 200100) and [200200, 200300). Kept: the one with
	 * a pending event, the current one (ids still to come), the one ahead. */
	assert_int_equal(partitions(url), 3);
	assert_int_equal(sql_int(url, "SELECT (string_agg(lo::text, ',' ORDER BY lo) ="
	                              " '200100,200300,200400')::int FROM ontraport_event_parts"),
	                 1);
	assert_int_equal(pgq_counts(q, &pending, &done, NULL), 0);
	assert_int_equal(pending, 2);
	assert_int_equal(done, 0);
	/* The pending events are kept and claimable. */
	assert_int_equal(pgq_claim(q, 10, 60000, &items, &got), 0);
	assert_int_equal(got, 2);
	assert_int_equal(items[0]->id, e1);
	assert_int_equal(items[1]->id, e2);
	for (size_t k = 0; k < got; k++)
		assert_int_equal(pgq_done(q, items[k]->id, items[k]->fence), 0);
	pgq_items_free(items, got);
	/* Ids keep increasing; a spooled event is still stored once. */
	assert_true(put(q, "k9") > 200350);
	assert_int_equal(
	    pgq_enqueue_spooled(q, "host:/s.db:1:1", 1, "k9", "{}", "b", 1, NULL, &id, &stored), 0);
	assert_int_equal(stored, 1);
	assert_int_equal(
	    pgq_enqueue_spooled(q, "host:/s.db:1:1", 1, "k9", "{}", "b", 1, NULL, &id, &stored), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(id, 0);
	pgq_close(q);
}

/*
 * A transaction holding a lock on the events (a pg_dump, a report left open in
 * its transaction): the purge does not wait for it, it deletes row by row; once
 * it ends, the next purge drops the emptied partitions.
 */
static void test_purge_lock_busy(void **state)
{
	char url[600];
	int64_t n = 0, now_ms = 0;
	PGconn *pin;
	PGresult *res;
	pgq *q = NULL;
	int i;

	(void)state;
	new_db(url, sizeof url);
	assert_int_equal(pgq_migrate(url, NULL, NULL), 0);
	assert_int_equal(pgtest_sql(url, "UPDATE ontraport_queue_settings SET partition_ids = 100;"
	                                 "SELECT setval('ontraport_event_ids', 200000)"),
	                 0);
	assert_int_equal(pgq_open(&q, url), 0);
	for (i = 0; i < 150; i++)
		put(q, "k");
	assert_int_equal(pgtest_sql(url, "UPDATE ontraport_events SET status = 'done'"), 0);
	assert_int_equal(partitions(url), 5);
	pin = PQconnectdb(url);
	assert_int_equal(PQstatus(pin), CONNECTION_OK);
	res = PQexec(pin, "BEGIN; SELECT count(*) FROM ontraport_events");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	assert_int_equal(pgq_now(q, &now_ms), 0);
	assert_int_equal(pgq_purge(q, now_ms + 1000, PGQ_DONE, &n), 0);
	assert_int_equal(n, 150);
	assert_int_equal(partitions(url), 5);
	res = PQexec(pin, "ROLLBACK");
	PQclear(res);
	PQfinish(pin);
	assert_int_equal(pgq_purge(q, now_ms + 1000, PGQ_DONE, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(partitions(url), 2); /* the current one and the one ahead */
	pgq_close(q);
}

/* Ids that outran the partitions made ahead (another program's inserts): made on demand. */
static void test_partition_on_demand(void **state)
{
	char url[600];
	pgq *q = NULL;

	(void)state;
	new_db(url, sizeof url);
	assert_int_equal(pgq_migrate(url, NULL, NULL), 0);
	assert_int_equal(pgq_open(&q, url), 0);
	assert_int_equal(pgtest_sql(url, "SELECT setval('ontraport_event_ids', 5000000)"), 0);
	assert_true(put(q, "k") > 5000000);
	assert_int_equal(sql_int(url, "SELECT count(*) FROM ontraport_events"), 1);
	pgq_close(q);
}

/* A batch store (the receiver's group commit) past the partitions made ahead makes them too. */
static void test_partition_on_demand_many(void **state)
{
	pgq_event_in ev[40];
	int64_t ids[40];
	char url[600];
	pgq *q = NULL;
	size_t i;

	(void)state;
	new_db(url, sizeof url);
	assert_int_equal(pgq_migrate(url, NULL, NULL), 0);
	assert_int_equal(pgtest_sql(url, "UPDATE ontraport_queue_settings SET partition_ids = 10"),
	                 0);
	assert_int_equal(pgq_open(&q, url), 0);
	assert_int_equal(pgtest_sql(url, "SELECT setval('ontraport_event_ids', 199990)"), 0);
	for (i = 0; i < 40; i++)
		ev[i] = (pgq_event_in){i % 2 ? "k1" : "k2", "{}", "b", 1, NULL};
	assert_int_equal(pgq_enqueue_many(q, ev, 40, "t", ids), 0);
	assert_true(ids[0] > 199990);
	for (i = 1; i < 40; i++)
		assert_true(ids[i] > ids[i - 1]);
	assert_int_equal(sql_int(url, "SELECT count(*) FROM ontraport_events"), 40);
	/* The partitions made by the migration end at 200,000; the rest of the batch went to new
	 * ones of 10 ids. */
	assert_true(sql_int(url, "SELECT count(*) FROM ontraport_events_p200020") > 0);
	pgq_close(q);
}

static void test_migrate_from_3(void **state)
{
	char url[600];
	int from = 0, to = 0, stored = 1;
	int64_t pending = 0, done = 0, id = 0;
	pgq_item *it = NULL, **items = NULL;
	size_t got = 0;
	pgq *q = NULL;

	(void)state;
	new_db(url, sizeof url);
	assert_int_equal(pgq_migrate_to(url, 3, &from, &to), 0);
	assert_int_equal(to, 3);
	/* 250 events (every other one done), one spooled; ids given up to 300. */
	assert_int_equal(
	    pgtest_sql(
	        url, "INSERT INTO ontraport_event_keys (webhook_key) VALUES ('k1');"
	             "INSERT INTO ontraport_events (received_at, webhook_key, event, body, status)"
	             " SELECT 1000 + g, 'k1', '{}', convert_to('b' || g, 'UTF8'),"
	             " CASE WHEN g % 2 = 0 THEN 'done' ELSE 'pending' END"
	             " FROM generate_series(1, 250) g;"
	             "UPDATE ontraport_events SET spool_ref = 'ref-7' WHERE id = 7;"
	             "SELECT nextval(pg_get_serial_sequence('ontraport_events', 'id'))"
	             " FROM generate_series(1, 50)"),
	    0);
	assert_int_equal(pgq_open(&q, url), PGQ_ESCHEMA);
	assert_int_equal(pgq_migrate(url, &from, &to), 0);
	assert_int_equal(from, 3);
	assert_int_equal(to, PGQ_SCHEMA_VERSION);
	assert_int_equal(sql_int(url, "SELECT (relkind = 'p')::int FROM pg_class"
	                              " WHERE relname = 'ontraport_events'"),
	                 1);
	assert_int_equal(sql_int(url, "SELECT (to_regclass('ontraport_events_v3') IS NULL)::int"),
	                 1);
	assert_int_equal(pgq_open(&q, url), 0);
	assert_int_equal(pgq_counts(q, &pending, &done, NULL), 0);
	assert_int_equal(pending, 125);
	assert_int_equal(done, 125);
	assert_int_equal(pgq_get(q, 7, &it), 0);
	assert_string_equal(it->body, "b7");
	assert_int_equal(it->received_at, 1007);
	pgq_item_free(it);
	/* The spool reference came along: the same event is not stored twice. */
	assert_int_equal(pgq_enqueue_spooled(q, "ref-7", 1, "k1", "{}", "b", 1, NULL, &id, &stored),
	                 0);
	assert_int_equal(stored, 0);
	/* Ids go on after every id version 3 gave, and the oldest pending event is claimed. */
	assert_true(put(q, "k2") > 300);
	assert_int_equal(pgq_claim(q, 1, 60000, &items, &got), 0);
	assert_int_equal(items[0]->id, 1);
	pgq_items_free(items, got);
	pgq_close(q);
}

/* The size of the events' tables (every partition), bytes. */
#define EVENTS_SIZE                                                                                \
	"SELECT coalesce(sum(pg_total_relation_size(relid)), 0)"                                   \
	" FROM pg_partition_tree('ontraport_events')"

#define FILL(n)                                                                                    \
	"INSERT INTO ontraport_events (received_at, webhook_key, event, body, status)"             \
	" SELECT 1000 + g, 'k' || mod(g, 50), '{\"e\":1}', convert_to(repeat('x', 400), 'UTF8'),"  \
	" 'done' FROM generate_series(1, " n ") g"

static long rotate_n(void)
{
	const char *v = getenv("ONTRA_ROTATE_N");
	long n = v ? strtol(v, NULL, 10) : 20000;

	return n >= 1000 && n <= 10000000 ? n : 20000;
}

/* Figures: purge of N done events by partitions vs version 3's row-by-row DELETE. */
static void test_figures(void **state)
{
	char url[600], url3[600], sql[512], num[24];
	long nev = rotate_n();
	long long size0, size1, size3a, size3b;
	double t, tdrop, tdel;
	int64_t n = 0;
	pgq *q = NULL;

	(void)state;
	snprintf(num, sizeof num, "%ld", nev);
	new_db(url, sizeof url);
	assert_int_equal(pgq_migrate(url, NULL, NULL), 0);
	/* Partitions of N/4 ids from 0. */
	snprintf(sql, sizeof sql,
	         "UPDATE ontraport_queue_settings SET partition_ids = %ld;"
	         "DROP TABLE ontraport_events_p0, ontraport_events_p100000;"
	         "DELETE FROM ontraport_event_parts;"
	         "SELECT setval('ontraport_event_ids', 1, false)",
	         nev / 4);
	assert_int_equal(pgtest_sql(url, sql), 0);
	assert_int_equal(pgq_open(&q, url), 0);
	/* An event past N: the partitions up to it made on demand (pending: not purged). */
	snprintf(sql, sizeof sql, "SELECT setval('ontraport_event_ids', %ld)", nev);
	assert_int_equal(pgtest_sql(url, sql), 0);
	assert_true(put(q, "k") > nev);
	/* N done events, ids 1 to N. */
	snprintf(sql, sizeof sql,
	         "SELECT setval('ontraport_event_ids', 1, false); " FILL(
	             "%s") ";"
	                   "SELECT setval('ontraport_event_ids', %ld)",
	         num, nev + 10);
	assert_int_equal(pgtest_sql(url, sql), 0);
	size0 = sql_int(url, EVENTS_SIZE);
	t = now();
	assert_int_equal(pgq_purge(q, 1000 + nev + 1, PGQ_DONE | PGQ_DEAD, &n), 0);
	tdrop = now() - t;
	size1 = sql_int(url, EVENTS_SIZE);
	assert_int_equal(n, nev);
	assert_true(size1 * 4 < size0);
	pgq_close(q);
	/* Version 3: one table, the old purge's DELETE. */
	new_db(url3, sizeof url3);
	assert_int_equal(pgq_migrate_to(url3, 3, NULL, NULL), 0);
	snprintf(sql, sizeof sql, FILL("%s"), num);
	assert_int_equal(pgtest_sql(url3, sql), 0);
	size3a = sql_int(url3, "SELECT pg_total_relation_size('ontraport_events')");
	t = now();
	snprintf(sql, sizeof sql,
	         "DELETE FROM ontraport_events e WHERE received_at < %ld"
	         " AND status = ANY ('{done,dead}'::text[]) AND lease_until = 0",
	         1000 + nev + 1);
	assert_int_equal(pgtest_sql(url3, sql), 0);
	tdel = now() - t;
	size3b = sql_int(url3, "SELECT pg_total_relation_size('ontraport_events')");
	fprintf(stderr,
	        "rotation: purge of %ld done events: by partitions (%ld ids each) %.1f ms, "
	        "tables %lld kB -> %lld kB; version 3's row-by-row DELETE %.1f ms, "
	        "table %lld kB -> %lld kB\n",
	        nev, nev / 4, tdrop * 1000, size0 / 1024, size1 / 1024, tdel * 1000, size3a / 1024,
	        size3b / 1024);
}

static int setup(void **state)
{
	(void)state;
	return pgtest_start(&pg);
}

static int teardown(void **state)
{
	(void)state;
	pgtest_stop(&pg);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_purge_drops_partitions),
	    cmocka_unit_test(test_purge_lock_busy),
	    cmocka_unit_test(test_partition_on_demand),
	    cmocka_unit_test(test_partition_on_demand_many),
	    cmocka_unit_test(test_migrate_from_3),
	    cmocka_unit_test(test_figures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
