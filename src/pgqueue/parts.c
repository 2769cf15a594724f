/*
 * parts: the events' partitions (migration 4). ontraport_events is
 * partitioned by range of id, part_ids ids a partition (the settings' row,
 * 100,000 unless changed); ontraport_event_parts lists them (lo, hi, name).
 * Partitions are made ahead as ids advance: a new one is created standalone
 * and attached (ATTACH takes SHARE UPDATE EXCLUSIVE on the parent: ingest,
 * claims and a transaction held open elsewhere go on). Retiring history drops
 * whole partitions whose events all match the purge, instead of deleting row
 * by row (docs/postgresql.md, "Retiring the history").
 */
#include "pgq_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* pg_advisory_xact_lock's key for creating partitions: "ONTP". */
#define PGQ_PARTS_LOCK "1330533456"
/* How long a purge waits for the parent's ACCESS EXCLUSIVE lock before leaving a partition to
 * row-by-row deletion: statements queue behind the request meanwhile. */
#define PGQ_DROP_LOCK_TIMEOUT "'200ms'"

/* One int64 from a one-row result of sql (no parameters); 0 or PGQ_ERROR. */
static int query_int(pgq *q, const char *what, const char *sql, int col, int64_t *out)
{
	PGresult *res = pgq__exec(q, PGRES_TUPLES_OK, what, sql, 0, NULL);

	if (!res)
		return PGQ_ERROR;
	*out = PQntuples(res) == 1 ? pgq__int(res, 0, col) : 0;
	PQclear(res);
	return 0;
}

/* Create and attach the partition [lo, hi). Inside the caller's transaction. */
static int add_one(pgq *q, int64_t lo, int64_t hi)
{
	char sql[1024];

	snprintf(sql, sizeof sql,
	         "CREATE TABLE " PGQ_T_EVENTS "_p%" PRId64 " (LIKE " PGQ_T_EVENTS
	         " INCLUDING DEFAULTS INCLUDING CONSTRAINTS);"
	         "ALTER TABLE " PGQ_T_EVENTS " ATTACH PARTITION " PGQ_T_EVENTS "_p%" PRId64
	         " FOR VALUES FROM (%" PRId64 ") TO (%" PRId64 ");"
	         "INSERT INTO " PGQ_T_PARTS " (lo, hi, name) VALUES (%" PRId64 ", %" PRId64
	         ", '" PGQ_T_EVENTS "_p%" PRId64 "')",
	         lo, lo, lo, hi, lo, hi, lo);
	return pgq__cmd(q, "create a partition", sql);
}

int pgq__parts_add(pgq *q, int64_t from, int64_t upto)
{
	int64_t w = 0, hi = 0;

	if (query_int(q, "read the partitions", "SELECT partition_ids FROM " PGQ_T_SETTINGS, 0,
	              &w) ||
	    query_int(q, "read the partitions", "SELECT max(hi) FROM " PGQ_T_PARTS, 0, &hi))
		return PGQ_ERROR;
	if (w <= 0)
		return pgq__seterr(PGQ_ERROR, "queue: the partition size is not set");
	if (hi == 0)
		hi = from > 0 ? from / w * w : 0;
	for (; hi <= upto; hi += w)
		if (add_one(q, hi, hi + w))
			return PGQ_ERROR;
	q->parts_hi = hi;
	q->part_ids = w;
	return 0;
}

static void rollback(pgq *q)
{
	PGresult *res = PQexec(q->conn, "ROLLBACK");

	PQclear(res);
}

int pgq__parts_ensure(pgq *q, int64_t more)
{
	int64_t w = 0, last = 0;
	int rc;

	rc = pgq__cmd(q, "begin creating partitions", "BEGIN");
	if (rc == 0)
		rc = query_int(q, "lock the partitions",
		               "SELECT 0 FROM pg_advisory_xact_lock(" PGQ_PARTS_LOCK ")", 0, &w);
	if (rc == 0)
		rc = query_int(q, "read the partitions",
		               "SELECT partition_ids FROM " PGQ_T_SETTINGS, 0, &w);
	if (rc == 0)
		rc =
		    query_int(q, "read the last id", "SELECT last_value FROM " PGQ_T_IDS, 0, &last);
	if (rc == 0)
		rc = pgq__parts_add(q, last, last + more + w);
	if (rc == 0)
		rc = pgq__cmd(q, "commit the partitions", "COMMIT");
	else
		rollback(q);
	return rc;
}

int pgq__no_partition(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return PQresultStatus(res) == PGRES_FATAL_ERROR && state && strcmp(state, "23514") == 0;
}

void pgq__parts_after_insert(pgq *q, int64_t id)
{
	/* A failure here is only a partition not made ahead yet: the next insert (or one that
	 * finds no partition) makes it. */
	if (id > 0 && q->part_ids > 0 && id + q->part_ids >= q->parts_hi)
		(void)pgq__parts_ensure(q, 0);
}

/* The events matching a purge ($1 before, $2 statuses), as an SQL condition. */
#define PURGED "received_at < $1::bigint AND status = ANY ($2::text[]) AND lease_until = 0"

/*
 * Count partition `name`'s events (*total) and those a purge would keep
 * (*kept). In the caller's transaction, if any.
 */
static int census(pgq *q, const char *name, const char *const *params, int64_t *total,
                  int64_t *kept)
{
	char sql[512];
	PGresult *res;

	snprintf(sql, sizeof sql,
	         "SELECT count(*), count(*) FILTER (WHERE NOT (" PURGED ")) FROM %s", name);
	res = pgq__exec(q, PGRES_TUPLES_OK, "count a partition", sql, 2, params);
	if (!res)
		return PGQ_ERROR;
	*total = pgq__int(res, 0, 0);
	*kept = pgq__int(res, 0, 1);
	PQclear(res);
	return 0;
}

/*
 * Drop partition [lo, hi) `name` when, under the parent's ACCESS EXCLUSIVE
 * lock (every statement on the queue done, none started), all its events
 * match the purge; *count += its events when it was dropped. A lock not had
 * within PGQ_DROP_LOCK_TIMEOUT leaves it (*busy 1, 0 returned).
 */
static int drop_one(pgq *q, const char *name, int64_t lo, int64_t hi, const char *const *params,
                    int64_t *count, int *busy)
{
	char sql[512];
	int64_t total = 0, kept = 1;
	PGresult *res;
	int rc;

	rc = pgq__cmd(q, "begin dropping a partition",
	              "BEGIN; SET LOCAL lock_timeout = " PGQ_DROP_LOCK_TIMEOUT);
	if (rc)
		return rc;
	res = PQexec(q->conn, "LOCK TABLE " PGQ_T_EVENTS " IN ACCESS EXCLUSIVE MODE");
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		*busy = state && strcmp(state, "55P03") == 0; /* lock_not_available */
		rc = *busy ? 0 : pgq__pgerr(q, res, "lock the events");
		PQclear(res);
		rollback(q);
		return rc;
	}
	PQclear(res);
	/* Another purge may have dropped it while this one waited for the lock. */
	snprintf(sql, sizeof sql, "SELECT count(*) FROM " PGQ_T_PARTS " WHERE lo = %" PRId64, lo);
	rc = query_int(q, "read the partitions", sql, 0, &total);
	if (rc == 0 && total == 1)
		rc = census(q, name, params, &total, &kept);
	if (rc == 0 && kept == 0) {
		snprintf(sql, sizeof sql,
		         "DROP TABLE %s; DELETE FROM " PGQ_T_PARTS " WHERE lo = %" PRId64
		         "; DELETE FROM " PGQ_T_REFS " WHERE event_id >= %" PRId64
		         " AND event_id < %" PRId64,
		         name, lo, lo, hi);
		rc = pgq__cmd(q, "drop a partition", sql);
	}
	if (rc == 0)
		rc = pgq__cmd(q, "commit dropping a partition", "COMMIT");
	else
		rollback(q);
	if (rc == 0 && kept == 0)
		*count += total;
	return rc;
}

int pgq__parts_purge(pgq *q, int64_t before_ms, const char *statuses, int64_t *count)
{
	char before[24];
	const char *params[2] = {before, statuses};
	PGresult *res;
	int i, rc = 0, busy = 0;

	snprintf(before, sizeof before, "%" PRId64, before_ms);
	/* The closed partitions: every id in them given out already. */
	res =
	    pgq__exec(q, PGRES_TUPLES_OK, "list the partitions",
	              "SELECT lo, hi, name FROM " PGQ_T_PARTS " WHERE hi - 1 <= (SELECT last_value"
	              " FROM " PGQ_T_IDS ") ORDER BY lo",
	              0, NULL);
	if (!res)
		return PGQ_ERROR;
	for (i = 0; rc == 0 && !busy && i < PQntuples(res); i++) {
		int64_t total = 0, kept = 1;
		const char *name = PQgetvalue(res, i, 2);

		/* Looked at first without the lock: only a partition that seems to qualify is
		 * locked and looked at again. */
		rc = census(q, name, params, &total, &kept);
		if (rc == 0 && kept == 0)
			rc = drop_one(q, name, pgq__int(res, i, 0), pgq__int(res, i, 1), params,
			              count, &busy);
	}
	PQclear(res);
	return rc;
}
