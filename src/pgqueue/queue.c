/*
 * queue: enqueue, claim, renew and the finishes (done, retry, dead, release).
 *
 * Locks: a claim locks the key rows it takes (FOR NO KEY UPDATE ... SKIP
 * LOCKED), then updates their head events; a finish or a renewal updates the
 * key row first (a data-modifying CTE the event's UPDATE reads from), then the
 * event. Key before event everywhere, so they never deadlock. An enqueue
 * inserts its key with ON CONFLICT DO NOTHING, which takes no lock on an
 * existing key: ingest never waits for claims.
 */
#include "pgq_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

/* The most events one claim takes. */
#define PGQ_CLAIM_MAX 1000
/* The longest lease, and the longest retry delay (bigint sums on the clock stay in range). */
#define PGQ_LEASE_MAX (7 * 86400000LL)
#define PGQ_DELAY_MAX (366 * 86400000LL)

/* Run an insert of one event: $1 key, $2 document, $3 body (bytes), $4 content type, then
 * `extra` more text parameters. *id_out the id it returned, 0 for no row. */
static int insert_event(pgq *q, const char *sql, const char *webhook_key, const char *event_json,
                        const void *body, size_t body_len, const char *content_type,
                        const char *const *extra, int nextra, int64_t *id_out)
{
	const char *params[6] = {webhook_key,  event_json, body ? (const char *)body : "",
	                         content_type, NULL,       NULL};
	const int lengths[6] = {0, 0, (int)body_len, 0, 0, 0};
	const int formats[6] = {0, 0, 1, 0, 0, 0}; /* the body as bytes */
	PGresult *res;
	int i;

	if (id_out)
		*id_out = 0;
	if (!webhook_key || !*webhook_key || !event_json || body_len > INT32_MAX)
		return pgq__seterr(PGQ_EINVALID, "queue: an event needs a webhook key, a document "
		                                 "and a body under 2 GiB");
	for (i = 0; i < nextra && i < 2; i++)
		params[4 + i] = extra[i];
	res = PQexecParams(q->conn, sql, 4 + nextra, NULL, params, lengths, formats, 0);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		pgq__pgerr(q, res, "store event");
		PQclear(res);
		return PGQ_ERROR;
	}
	if (id_out && PQntuples(res) == 1)
		*id_out = pgq__int(res, 0, 0);
	PQclear(res);
	return 0;
}

int pgq_enqueue(pgq *q, const char *webhook_key, const char *event_json, const void *body,
                size_t body_len, const char *content_type, int64_t *id_out)
{
	static const char SQL[] =
	    "WITH k AS (INSERT INTO " PGQ_T_KEYS
	    " (webhook_key) VALUES ($1) ON CONFLICT DO NOTHING)"
	    " INSERT INTO " PGQ_T_EVENTS " (received_at, webhook_key, event, body, content_type)"
	    " VALUES (" PGQ_NOW_MS ", $1, $2, $3, $4) RETURNING id";

	return insert_event(q, SQL, webhook_key, event_json, body, body_len, content_type, NULL, 0,
	                    id_out);
}

int pgq_enqueue_spooled(pgq *q, const char *spool_ref, int64_t received_at, const char *webhook_key,
                        const char *event_json, const void *body, size_t body_len,
                        const char *content_type, int64_t *id_out, int *stored)
{
	static const char SQL[] =
	    "WITH k AS (INSERT INTO " PGQ_T_KEYS
	    " (webhook_key) VALUES ($1) ON CONFLICT DO NOTHING)"
	    " INSERT INTO " PGQ_T_EVENTS
	    " (received_at, webhook_key, event, body, content_type, spool_ref)"
	    " VALUES ($5::bigint, $1, $2, $3, $4, $6) ON CONFLICT (spool_ref) DO NOTHING"
	    " RETURNING id";
	char at[24];
	const char *extra[2] = {at, spool_ref};
	int64_t id = 0;
	int rc;

	if (stored)
		*stored = 0;
	if (id_out)
		*id_out = 0;
	if (!spool_ref || !*spool_ref)
		return pgq__seterr(PGQ_EINVALID, "queue: a spooled event needs its reference");
	snprintf(at, sizeof at, "%" PRId64, received_at);
	rc = insert_event(q, SQL, webhook_key, event_json, body, body_len, content_type, extra, 2,
	                  &id);
	if (rc == 0 && stored)
		*stored = id != 0;
	if (rc == 0 && id_out)
		*id_out = id;
	return rc;
}

/* Append s to b as an element of a PostgreSQL array literal ("..." with \ escapes). */
static void array_element(util_buf *b, const char *s)
{
	util_buf_putc(b, b->len ? ',' : '{');
	util_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			util_buf_putc(b, '\\');
		util_buf_putc(b, *s);
	}
	util_buf_putc(b, '"');
}

/*
 * Step 1 of a claim, inside its transaction: lock up to max keys that are not
 * leased and whose head is due, oldest head first, skipping keys another
 * claim holds. *keys is a new array literal of them ("{...}"), *n their count.
 */
static int lock_keys(pgq *q, size_t max, char **keys, int *n)
{
	static const char SQL[] =
	    "SELECT k.webhook_key FROM " PGQ_T_KEYS " k CROSS JOIN LATERAL"
	    " (SELECT e.id, e.next_attempt_at FROM " PGQ_T_EVENTS " e"
	    "  WHERE e.webhook_key = k.webhook_key AND e.status = 'pending' ORDER BY e.id LIMIT 1) "
	    "h"
	    " WHERE k.lease_until <= " PGQ_NOW_MS " AND h.next_attempt_at <= " PGQ_NOW_MS
	    " ORDER BY h.id LIMIT $1 FOR NO KEY UPDATE OF k SKIP LOCKED";
	char limit[24];
	const char *params[1] = {limit};
	util_buf b = UTIL_BUF_INIT;
	PGresult *res;
	int i;

	*keys = NULL;
	*n = 0;
	snprintf(limit, sizeof limit, "%zu", max);
	res = pgq__exec(q, PGRES_TUPLES_OK, "find deliverable events", SQL, 1, params);
	if (!res)
		return PGQ_ERROR;
	for (i = 0; i < PQntuples(res); i++)
		array_element(&b, PQgetvalue(res, i, 0));
	*n = PQntuples(res);
	PQclear(res);
	if (*n > 0)
		util_buf_putc(&b, '}');
	if (*n > 0 && !(*keys = util_buf_detach(&b))) {
		util_buf_release(&b);
		return pgq__seterr(PGQ_ERROR, "queue: out of memory");
	}
	util_buf_release(&b);
	return 0;
}

/* Step 2: lease the locked keys' heads (fence + 1) and return them, oldest first. */
static PGresult *lease_heads(pgq *q, const char *keys, int64_t lease_ms)
{
	static const char SQL[] =
	    "WITH heads AS (SELECT h.id FROM unnest($1::text[]) AS u(key) CROSS JOIN LATERAL"
	    "  (SELECT e.id, e.next_attempt_at FROM " PGQ_T_EVENTS " e"
	    "   WHERE e.webhook_key = u.key AND e.status = 'pending' ORDER BY e.id LIMIT 1) h"
	    "  WHERE h.next_attempt_at <= " PGQ_NOW_MS "),"
	    " ev AS (UPDATE " PGQ_T_EVENTS " e SET fence = e.fence + 1,"
	    "  lease_until = " PGQ_NOW_MS " + $2::bigint FROM heads WHERE e.id = heads.id"
	    "  RETURNING e.*),"
	    " ks AS (UPDATE " PGQ_T_KEYS " k SET lease_until = ev.lease_until, event_id = ev.id,"
	    "  fence = ev.fence FROM ev WHERE k.webhook_key = ev.webhook_key)"
	    " SELECT " PGQ_ITEM_COLUMNS " FROM ev ORDER BY id";
	char lease[24];
	const char *params[2] = {keys, lease};

	snprintf(lease, sizeof lease, "%" PRId64, lease_ms);
	return pgq__exec(q, PGRES_TUPLES_OK, "lease events", SQL, 2, params);
}

static int items_of(const PGresult *res, pgq_item ***out, size_t *n)
{
	size_t rows = (size_t)PQntuples(res), i;
	pgq_item **items = calloc(rows ? rows : 1, sizeof *items);

	if (!items)
		return pgq__seterr(PGQ_ERROR, "queue: out of memory");
	for (i = 0; i < rows; i++) {
		if (!(items[i] = pgq__row_item(res, (int)i))) {
			pgq_items_free(items, i);
			return PGQ_ERROR;
		}
	}
	*out = items;
	*n = rows;
	return 0;
}

static void rollback(pgq *q)
{
	PGresult *res = PQexec(q->conn, "ROLLBACK");

	PQclear(res);
}

int pgq_claim(pgq *q, size_t max, int64_t lease_ms, pgq_item ***out, size_t *n)
{
	PGresult *res = NULL;
	char *keys = NULL;
	int nkeys = 0, rc;

	*out = NULL;
	*n = 0;
	if (max == 0 || max > PGQ_CLAIM_MAX || lease_ms <= 0 || lease_ms > PGQ_LEASE_MAX)
		return pgq__seterr(
		    PGQ_EINVALID,
		    "queue: a claim takes 1 to %d events for a lease of 1 ms to 7 days",
		    PGQ_CLAIM_MAX);
	rc = pgq__cmd(q, "begin a claim", "BEGIN");
	if (rc == 0)
		rc = lock_keys(q, max, &keys, &nkeys);
	if (rc == 0 && nkeys > 0 && !(res = lease_heads(q, keys, lease_ms)))
		rc = PGQ_ERROR;
	free(keys);
	if (rc == 0)
		rc = pgq__cmd(q, "commit a claim", "COMMIT");
	else
		rollback(q);
	if (rc == 0 && res && PQntuples(res) > 0)
		rc = items_of(res, out, n);
	else if (rc == 0)
		rc = pgq__seterr(PGQ_ENOTFOUND, "queue: nothing to claim");
	PQclear(res);
	return rc;
}

/*
 * Run a statement on the key of claim (id, fence) then its event: `set` is
 * the event's SET list, $3 and $4 extra parameters. PGQ_ELEASE when the claim
 * is not current. (RETURNING gives the key's new row, whose event_id a finish
 * has cleared: hence $1.)
 */
static int on_claim(pgq *q, const char *what, const char *key_set, const char *set, int64_t id,
                    int64_t fence, const char *p3, const char *p4)
{
	char sql[1024], sid[24], sfence[24];
	const char *params[4] = {sid, sfence, p3, p4};
	int nparams = p4 ? 4 : p3 ? 3 : 2;
	PGresult *res;
	int rows;

	snprintf(sql, sizeof sql,
	         "WITH k AS (UPDATE " PGQ_T_KEYS " SET %s WHERE webhook_key ="
	         " (SELECT webhook_key FROM " PGQ_T_EVENTS " WHERE id = $1)"
	         " AND event_id = $1 AND fence = $2 RETURNING $1::bigint AS event_id)"
	         " UPDATE " PGQ_T_EVENTS " e SET %s FROM k WHERE e.id = k.event_id RETURNING e.id",
	         key_set, set);
	snprintf(sid, sizeof sid, "%" PRId64, id);
	snprintf(sfence, sizeof sfence, "%" PRId64, fence);
	res = pgq__exec(q, PGRES_TUPLES_OK, what, sql, nparams, params);
	if (!res)
		return PGQ_ERROR;
	rows = PQntuples(res);
	PQclear(res);
	if (rows == 0)
		return pgq__seterr(PGQ_ELEASE,
		                   "queue: event %" PRId64 " is not claimed with fence %" PRId64
		                   " any more (its lease was taken over, or it was finished)",
		                   id, fence);
	return 0;
}

#define FREE_KEY "lease_until = 0, event_id = NULL"

int pgq_renew(pgq *q, int64_t id, int64_t fence, int64_t lease_ms)
{
	char lease[24];

	if (lease_ms <= 0 || lease_ms > PGQ_LEASE_MAX)
		return pgq__seterr(PGQ_EINVALID, "queue: a lease lasts 1 ms to 7 days");
	snprintf(lease, sizeof lease, "%" PRId64, lease_ms);
	return on_claim(q, "renew a lease", "lease_until = " PGQ_NOW_MS " + $3::bigint",
	                "lease_until = " PGQ_NOW_MS " + $3::bigint", id, fence, lease, NULL);
}

int pgq_done(pgq *q, int64_t id, int64_t fence)
{
	return on_claim(q, "mark event done", FREE_KEY,
	                "status = 'done', delivered_at = " PGQ_NOW_MS
	                ", last_error = NULL, lease_until = 0",
	                id, fence, NULL, NULL);
}

int pgq_retry(pgq *q, int64_t id, int64_t fence, const char *error, int64_t delay_ms)
{
	char delay[24];

	if (delay_ms > PGQ_DELAY_MAX)
		delay_ms = PGQ_DELAY_MAX;
	snprintf(delay, sizeof delay, "%" PRId64, delay_ms > 0 ? delay_ms : 0);
	return on_claim(q, "record failed delivery", FREE_KEY,
	                "attempts = e.attempts + 1, next_attempt_at = " PGQ_NOW_MS
	                " + $4::bigint, last_error = $3, lease_until = 0",
	                id, fence, error ? error : "failed", delay);
}

int pgq_dead(pgq *q, int64_t id, int64_t fence, const char *error)
{
	return on_claim(q, "record dead event", FREE_KEY,
	                "status = 'dead', attempts = e.attempts + 1, last_error = $3,"
	                " lease_until = 0",
	                id, fence, error ? error : "failed", NULL);
}

int pgq_release(pgq *q, int64_t id, int64_t fence)
{
	return on_claim(q, "release a claim", FREE_KEY, "lease_until = 0", id, fence, NULL, NULL);
}
