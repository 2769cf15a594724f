/*
 * queue_ops: reading and maintenance: get, list, counts, replay, purge, the
 * database's clock.
 */
#include "pgq_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* How many rows pgq_list reads at a time (it calls back between pages). */
#define LIST_PAGE 64

/* The statuses of a mask as a PostgreSQL array literal. */
static void status_array(int mask, char *out, size_t outsz)
{
	snprintf(out, outsz, "{%s%s%s%s%s}", mask & PGQ_PENDING ? "pending" : "",
	         (mask & PGQ_PENDING) && (mask & (PGQ_DONE | PGQ_DEAD)) ? "," : "",
	         mask & PGQ_DONE ? "done" : "", (mask & PGQ_DONE) && (mask & PGQ_DEAD) ? "," : "",
	         mask & PGQ_DEAD ? "dead" : "");
}

int pgq_get(pgq *q, int64_t id, pgq_item **out)
{
	char sid[24];
	const char *params[1] = {sid};
	PGresult *res;

	*out = NULL;
	snprintf(sid, sizeof sid, "%" PRId64, id);
	res =
	    pgq__exec(q, PGRES_TUPLES_OK, "read event",
	              "SELECT " PGQ_ITEM_COLUMNS " FROM " PGQ_T_EVENTS " WHERE id = $1", 1, params);
	if (!res)
		return PGQ_ERROR;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return pgq__seterr(PGQ_ENOTFOUND, "queue: no event %" PRId64, id);
	}
	*out = pgq__row_item(res, 0);
	PQclear(res);
	return *out ? 0 : PGQ_ERROR;
}

int pgq_list(pgq *q, int status_mask, int64_t after_id, size_t limit, pgq_list_cb cb,
             void *userdata)
{
	char statuses[32], after[24], want_s[24];
	const char *params[3] = {after, statuses, want_s};
	size_t seen = 0;

	status_array(status_mask, statuses, sizeof statuses);
	for (;;) {
		size_t want = LIST_PAGE, n, i;
		PGresult *res;
		int rc = 0;

		if (limit && limit - seen < want)
			want = limit - seen;
		if (want == 0)
			return 0;
		snprintf(after, sizeof after, "%" PRId64, after_id);
		snprintf(want_s, sizeof want_s, "%zu", want);
		res = pgq__exec(q, PGRES_TUPLES_OK, "list events",
		                "SELECT " PGQ_ITEM_COLUMNS " FROM " PGQ_T_EVENTS
		                " WHERE id > $1 AND status = ANY ($2::text[]) ORDER BY id LIMIT $3",
		                3, params);
		if (!res)
			return PGQ_ERROR;
		n = (size_t)PQntuples(res);
		for (i = 0; i < n && rc == 0; i++) {
			pgq_item *it = pgq__row_item(res, (int)i);
			if (!it) {
				rc = PGQ_ERROR;
				break;
			}
			rc = cb(it, userdata);
			after_id = it->id;
			pgq_item_free(it);
		}
		PQclear(res);
		seen += n;
		if (rc || n < want)
			return rc;
	}
}

int pgq_counts(pgq *q, int64_t *pending, int64_t *done, int64_t *dead)
{
	int64_t c[3] = {0, 0, 0};
	PGresult *res =
	    pgq__exec(q, PGRES_TUPLES_OK, "count events",
	              "SELECT status, count(*) FROM " PGQ_T_EVENTS " GROUP BY status", 0, NULL);
	int i;

	if (!res)
		return PGQ_ERROR;
	for (i = 0; i < PQntuples(res); i++) {
		const char *s = PQgetvalue(res, i, 0);
		int64_t n = pgq__int(res, i, 1);
		if (strcmp(s, "pending") == 0)
			c[0] = n;
		else if (strcmp(s, "done") == 0)
			c[1] = n;
		else if (strcmp(s, "dead") == 0)
			c[2] = n;
	}
	PQclear(res);
	if (pending)
		*pending = c[0];
	if (done)
		*done = c[1];
	if (dead)
		*dead = c[2];
	return 0;
}

/* Run a write with one int64 and one text parameter; *changes = rows changed. */
static int write_rows(pgq *q, const char *what, const char *sql, int nparams, int64_t a,
                      const char *b, int64_t *changes)
{
	char sa[24];
	const char *params[2] = {sa, b};
	PGresult *res;

	snprintf(sa, sizeof sa, "%" PRId64, a);
	res = pgq__exec(q, PGRES_COMMAND_OK, what, sql, nparams, params);
	if (!res)
		return PGQ_ERROR;
	if (changes)
		*changes = (int64_t)strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}

int pgq_replay(pgq *q, int64_t id, int64_t *count)
{
#define RESET                                                                                      \
	"UPDATE " PGQ_T_EVENTS " SET status = 'pending', attempts = 0, next_attempt_at = 0,"       \
	" last_error = NULL, delivered_at = NULL"
	int64_t n = 0;
	int rc;

	if (count)
		*count = 0;
	if (id > 0)
		rc = write_rows(q, "replay events", RESET " WHERE id = $1", 1, id, NULL, &n);
	else
		rc = write_rows(q, "replay events", RESET " WHERE status = 'dead'", 0, 0, NULL, &n);
#undef RESET
	if (rc)
		return rc;
	if (count)
		*count = n;
	if (id > 0 && n == 0)
		return pgq__seterr(PGQ_ENOTFOUND, "queue: no event %" PRId64, id);
	return 0;
}

/* The events a purge deletes ($1 before, $2 statuses), of events `e`. */
#define PURGED "e.received_at < $1 AND e.status = ANY ($2::text[]) AND e.lease_until = 0"

int pgq_purge(pgq *q, int64_t before_ms, int status_mask, int64_t *count)
{
	char statuses[32];
	int64_t n = 0, dropped = 0;
	int rc;

	if (count)
		*count = 0;
	status_array(status_mask, statuses, sizeof statuses);
	/* Whole partitions first (parts.c), then row by row in the others. A claimed event
	 * (leased: lease_until > 0) is never deleted under its worker (nor its key, which stays);
	 * a spooled event's reference goes with it. */
	rc = pgq__parts_purge(q, before_ms, statuses, &dropped);
	if (rc == 0)
		rc = write_rows(q, "purge events",
		                "WITH r AS (DELETE FROM " PGQ_T_REFS " f USING " PGQ_T_EVENTS
		                " e WHERE f.event_id = e.id AND " PURGED ")"
		                " DELETE FROM " PGQ_T_EVENTS " e WHERE " PURGED,
		                2, before_ms, statuses, &n);
	if (rc == 0 && count)
		*count = dropped + n;
	return rc;
}

int pgq_now(pgq *q, int64_t *now_ms)
{
	PGresult *res =
	    pgq__exec(q, PGRES_TUPLES_OK, "read the clock", "SELECT " PGQ_NOW_MS, 0, NULL);

	*now_ms = 0;
	if (!res)
		return PGQ_ERROR;
	*now_ms = pgq__int(res, 0, 0);
	PQclear(res);
	return 0;
}

int pgq_connected(const pgq *q)
{
	return q && q->conn && PQstatus(q->conn) == CONNECTION_OK;
}
