/*
 * tx: pgq_enqueue_many, several events stored by one statement (a receiver's
 * group commit: one round trip, one plan and one flush for all of them), under
 * a reference that makes it once only (pgq_store_settle); pgq_sync_commit, a
 * finish's commit without waiting for its flush.
 *
 * The statements are prepared once per connection (a store is otherwise
 * parsed and planned anew each time: server CPU, on the cores the receivers
 * share), one per power of two from 1 to PGQ_MANY_MAX rows: a batch of n
 * events takes the smallest that holds it, the rows after its events NULL and
 * left out. (One per n would hold 256 plans of up to 1,025 parameters: 158 MB
 * in the server for each connection.) A key given twice is inserted once all
 * the same (ON CONFLICT DO NOTHING).
 */
#include "pgq_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

/* The batch's rows, NULL ones (padding) left out, in their order; then each key once, the
 * events, and the store's reference, pointing at its first event (purged with it): taken once
 * only. */
#define STORE_ROWS "WITH v AS (SELECT * FROM (VALUES "
#define STORE_INSERTS                                                                              \
	") AS v(key, doc, body, ctype) WHERE key IS NOT NULL),"                                    \
	" k AS (INSERT INTO " PGQ_T_KEYS                                                           \
	" (webhook_key) SELECT key FROM v ON CONFLICT DO NOTHING),"                                \
	" e AS (INSERT INTO " PGQ_T_EVENTS                                                         \
	" (received_at, webhook_key, event, body, content_type)"                                   \
	" SELECT " PGQ_NOW_MS ", key, doc, body, ctype FROM v RETURNING id),"                      \
	" r AS (INSERT INTO " PGQ_T_REFS " (spool_ref, event_id) SELECT $%zu, min(id) FROM e)"     \
	" SELECT id FROM e"

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The statement for `rows` rows: row i's key, document, body, type are $4i+1 to $4i+4; the
 * store's reference $4rows+1. */
static char *store_sql(size_t rows)
{
	util_buf b = UTIL_BUF_INIT;
	size_t i;

	util_buf_puts(&b, STORE_ROWS);
	for (i = 0; i < rows; i++)
		util_buf_printf(&b, "%s($%zu::text,$%zu::text,$%zu::bytea,$%zu::text)",
		                i ? "," : "", 4 * i + 1, 4 * i + 2, 4 * i + 3, 4 * i + 4);
	util_buf_printf(&b, STORE_INSERTS, 4 * rows + 1);
	if (util_buf_failed(&b)) {
		util_buf_release(&b);
		return NULL;
	}
	return util_buf_detach(&b);
}

/* The rows of the statement that holds n events: the smallest power of two >= n. */
static size_t store_rows(size_t n)
{
	size_t rows = 1;

	while (rows < n)
		rows *= 2;
	return rows;
}

/* The prepared statement of `rows` rows (store_rows), made on q's connection if not yet: 0 and
 * its name in name, or PGQ_ERROR with the error set. */
static int prepared_store(pgq *q, size_t rows, char *name, size_t namesz)
{
	PGresult *res;
	char *sql;
	int ok;

	snprintf(name, namesz, "pgq_store_%zu", rows);
	if (q->stores_prepared & (unsigned)rows) /* a power of two: its own bit */
		return 0;
	if (!(sql = store_sql(rows)))
		return pgq__seterr(PGQ_ERROR, "queue: out of memory");
	res = PQprepare(q->conn, name, sql, (int)(4 * rows + 1), NULL);
	free(sql);
	ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		pgq__pgerr(q, res, "prepare a store");
	PQclear(res);
	if (!ok)
		return PGQ_ERROR;
	q->stores_prepared |= (unsigned)rows;
	return 0;
}

/* Whether res failed on the store's reference: a store with it was committed before. */
static int ref_taken(const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;

	return state && strcmp(state, "23505") == 0 && constraint &&
	       strcmp(constraint, PGQ_T_REFS "_pkey") == 0;
}

/* Run the prepared statement `name` of `rows` rows with the n events (the rows after them
 * NULL) under ref: 0 and their ids in order, or a PGQ_E* code with the error set. */
static int run_many(pgq *q, const char *name, size_t rows, const pgq_event_in *ev, size_t n,
                    const char *ref, int64_t *ids)
{
	const int nparams = (int)(4 * rows + 1);
	const char **params = calloc((size_t)nparams, sizeof *params);
	int *lengths = calloc((size_t)nparams, sizeof *lengths);
	int *formats = calloc((size_t)nparams, sizeof *formats);
	PGresult *res = NULL;
	int rc = PGQ_ERROR;
	size_t i;

	if (!params || !lengths || !formats) {
		pgq__seterr(PGQ_ERROR, "queue: out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		params[4 * i] = ev[i].webhook_key;
		params[4 * i + 1] = ev[i].event_json;
		params[4 * i + 2] = ev[i].body ? (const char *)ev[i].body : "";
		params[4 * i + 3] = ev[i].content_type;
		lengths[4 * i + 2] = (int)ev[i].body_len;
		formats[4 * i + 2] = 1; /* the body as bytes */
	}
	params[4 * rows] = ref;
	res = PQexecPrepared(q->conn, name, nparams, params, lengths, formats, 0);
	if (res && pgq__no_partition(res) && pgq__parts_ensure(q, (int64_t)n) == 0) {
		/* Ids outran the partitions made ahead: made now, the insert once more. */
		PQclear(res);
		res = PQexecPrepared(q->conn, name, nparams, params, lengths, formats, 0);
	}
	if (ref_taken(res)) {
		rc = pgq__seterr(PGQ_ESTORED, "queue: the store '%.100s' was made before", ref);
		goto out;
	}
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || (size_t)PQntuples(res) != n) {
		pgq__pgerr(q, res, "store events");
		goto out;
	}
	/* The ids were given in the rows' order, so ascending they are the events' in order. */
	for (i = 0; i < n; i++)
		ids[i] = pgq__int(res, (int)i, 0);
	qsort(ids, n, sizeof *ids, cmp_id);
	pgq__parts_after_insert(q, ids[n - 1]);
	rc = 0;
out:
	PQclear(res);
	free(params);
	free(lengths);
	free(formats);
	return rc;
}

int pgq_enqueue_many(pgq *q, const pgq_event_in *ev, size_t n, const char *store_ref, int64_t *ids)
{
	char name[32];
	size_t i, rows;
	int rc;

	if (n == 0 || n > PGQ_MANY_MAX)
		return pgq__seterr(PGQ_EINVALID, "queue: %zu events in one store: expected 1 to %d",
		                   n, PGQ_MANY_MAX);
	if (!store_ref || !*store_ref)
		return pgq__seterr(PGQ_EINVALID, "queue: a store needs its reference");
	for (i = 0; i < n; i++) {
		ids[i] = 0;
		if (!ev[i].webhook_key || !*ev[i].webhook_key || !ev[i].event_json ||
		    ev[i].body_len > INT32_MAX)
			return pgq__seterr(PGQ_EINVALID, "queue: an event needs a webhook key, a "
			                                 "document and a body under 2 GiB");
	}
	rows = store_rows(n); /* n checked first: the doubling ends */
	rc = prepared_store(q, rows, name, sizeof name);
	if (!rc)
		rc = run_many(q, name, rows, ev, n, store_ref, ids);
	if (rc)
		memset(ids, 0, n * sizeof *ids);
	return rc;
}

int pgq_store_settle(pgq *q, const char *store_ref, int *stored)
{
	static const char VOID[] = "INSERT INTO " PGQ_T_REFS " (spool_ref, event_id) VALUES ($1, 0)"
	                           " ON CONFLICT DO NOTHING";
	static const char READ[] = "SELECT event_id FROM " PGQ_T_REFS " WHERE spool_ref = $1";
	const char *params[1] = {store_ref};
	PGresult *res;

	*stored = 0;
	if (!store_ref || !*store_ref)
		return pgq__seterr(PGQ_EINVALID, "queue: settling a store needs its reference");
	/* Waits for a store still under way with the reference; then the row is its or ours. */
	res = pgq__exec(q, PGRES_COMMAND_OK, "settle a store", VOID, 1, params);
	if (!res)
		return PGQ_ERROR;
	PQclear(res);
	res = pgq__exec(q, PGRES_TUPLES_OK, "settle a store", READ, 1, params);
	if (!res)
		return PGQ_ERROR;
	*stored = PQntuples(res) == 1 && pgq__int(res, 0, 0) > 0;
	PQclear(res);
	return 0;
}

int pgq_sync_commit(pgq *q, int on)
{
	return pgq__cmd(q, "queue: set synchronous_commit",
	                on ? "RESET synchronous_commit" : "SET synchronous_commit = off");
}
