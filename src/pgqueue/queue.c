/*
 * queue: enqueue, claim, renew and the finishes (done, retry, dead, release).
 *
 * Locks: a claim locks the key rows it takes (FOR NO KEY UPDATE ... SKIP
 * LOCKED), then updates their head events; a finish or a renewal updates the
 * event alone (the claim lives on it: fence, lease_until). Key before event,
 * so they never deadlock. The key row is not written per event
 * (docs/postgresql.md, "Claims under a long transaction"): a transaction held
 * open elsewhere would keep every version, and each claim would read them
 * all. An enqueue
 * inserts its key with ON CONFLICT DO NOTHING, which takes no lock on an
 * existing key: ingest never waits for claims.
 */
#include "pgq_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	int64_t id;
	int i;

	if (id_out)
		*id_out = 0;
	if (!webhook_key || !*webhook_key || !event_json || body_len > INT32_MAX)
		return pgq__seterr(PGQ_EINVALID, "queue: an event needs a webhook key, a document "
		                                 "and a body under 2 GiB");
	for (i = 0; i < nextra && i < 2; i++)
		params[4 + i] = extra[i];
	res = PQexecParams(q->conn, sql, 4 + nextra, NULL, params, lengths, formats, 0);
	if (res && pgq__no_partition(res) && pgq__parts_ensure(q, 1) == 0) {
		/* Ids outran the partitions made ahead: made now, the insert once more. */
		PQclear(res);
		res = PQexecParams(q->conn, sql, 4 + nextra, NULL, params, lengths, formats, 0);
	}
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		pgq__pgerr(q, res, "store event");
		PQclear(res);
		return PGQ_ERROR;
	}
	id = PQntuples(res) == 1 ? pgq__int(res, 0, 0) : 0;
	PQclear(res);
	if (id_out)
		*id_out = id;
	pgq__parts_after_insert(q, id);
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
	    "WITH r AS (INSERT INTO " PGQ_T_REFS " (spool_ref, event_id)"
	    " VALUES ($6, nextval('" PGQ_T_IDS "')) ON CONFLICT DO NOTHING RETURNING event_id),"
	    " k AS (INSERT INTO " PGQ_T_KEYS " (webhook_key) VALUES ($1) ON CONFLICT DO NOTHING)"
	    " INSERT INTO " PGQ_T_EVENTS
	    " (id, received_at, webhook_key, event, body, content_type, spool_ref)"
	    " SELECT r.event_id, $5::bigint, $1, $2, $3, $4, $6 FROM r RETURNING id";
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

/* ---- the claimer's hints ---- */

/* The most keys a connection keeps a hint for, and how long it keeps them (ms). */
#define PGQ_HINTS_MAX 4096
#define PGQ_HINTS_TTL_MS 5000

static void hints_clear(pgq *q)
{
	size_t i;

	for (i = 0; i < q->nhints; i++)
		free(q->hints[i].key);
	free(q->hints);
	q->hints = NULL;
	q->nhints = 0;
}

/*
 * Remember that `key` had no pending event below `low` (the head this
 * connection just claimed). A hint is only ever an optimisation: when memory
 * or room runs out, the key simply has none.
 */
static void hint_set(pgq *q, const char *key, int64_t low)
{
	pgq_hint *v;
	size_t i;

	for (i = 0; i < q->nhints; i++)
		if (strcmp(q->hints[i].key, key) == 0) {
			if (low > q->hints[i].low)
				q->hints[i].low = low;
			return;
		}
	if (q->nhints >= PGQ_HINTS_MAX || !(v = realloc(q->hints, (q->nhints + 1) * sizeof *v)))
		return;
	q->hints = v;
	if (!(v[q->nhints].key = util_strdup(key)))
		return;
	v[q->nhints].low = low;
	if (q->nhints++ == 0)
		q->hints_since = util_mono_ms();
}

/*
 * The hints as two array literals (keys, lows), after forgetting them all
 * once they are PGQ_HINTS_TTL_MS old: an event below a hint (replayed, or
 * committed after a later event of its key was claimed) is found again then.
 */
static int hint_params(pgq *q, char **keys, char **lows)
{
	util_buf k = UTIL_BUF_INIT, l = UTIL_BUF_INIT;
	char num[24];
	size_t i;

	if (q->nhints && util_mono_ms() - q->hints_since >= PGQ_HINTS_TTL_MS)
		hints_clear(q);
	for (i = 0; i < q->nhints; i++) {
		array_element(&k, q->hints[i].key);
		snprintf(num, sizeof num, "%c%" PRId64, i ? ',' : '{', q->hints[i].low);
		util_buf_puts(&l, num);
	}
	util_buf_puts(&k, q->nhints ? "}" : "{}");
	util_buf_puts(&l, q->nhints ? "}" : "{}");
	*keys = util_buf_detach(&k);
	*lows = util_buf_detach(&l);
	util_buf_release(&k);
	util_buf_release(&l);
	if (!*keys || !*lows) {
		free(*keys);
		free(*lows);
		*keys = *lows = NULL;
		return pgq__seterr(PGQ_ERROR, "queue: out of memory");
	}
	return 0;
}

/*
 * A key's head: its oldest pending event, looked for from the connection's
 * hint for the key (c.low, joined from the hint arrays; 0 without one). The
 * index entries below it, of events finished since, are not read: a
 * transaction held open elsewhere keeps them (and their dead row versions),
 * and walking them made each claim slower the longer it stayed open.
 */
#define HEAD_SQL                                                                                   \
	"SELECT e.id, e.next_attempt_at, e.lease_until FROM " PGQ_T_EVENTS " e"                    \
	" WHERE e.webhook_key = k.webhook_key AND e.status = 'pending'"                            \
	" AND e.id >= coalesce(c.low, 0) ORDER BY e.id LIMIT 1"

/* Step 1 and 2's head lookup: keys k, hints c ($HK, $HL), the head h, due and not leased. */
#define HEADS_FROM(keys, hk, hl)                                                                   \
	keys " LEFT JOIN unnest(" hk "::text[], " hl "::bigint[]) AS c(key, low)"                  \
	     " ON c.key = k.webhook_key CROSS JOIN LATERAL (" HEAD_SQL ") h"                       \
	     " WHERE h.lease_until <= " PGQ_NOW_MS " AND h.next_attempt_at <= " PGQ_NOW_MS

/*
 * Step 1 of a claim, inside its transaction: lock up to max keys that are not
 * leased and whose head is due, oldest head first, skipping keys another
 * claim holds. *keys is a new array literal of them ("{...}"), *n their count.
 */
static int lock_keys(pgq *q, size_t max, const char *hk, const char *hl, char **keys, int *n)
{
	static const char SQL[] = "SELECT k.webhook_key FROM " HEADS_FROM(
	    PGQ_T_KEYS " k", "$2",
	    "$3") " ORDER BY h.id LIMIT $1 FOR NO KEY UPDATE OF k SKIP LOCKED";
	char limit[24];
	const char *params[3] = {limit, hk, hl};
	util_buf b = UTIL_BUF_INIT;
	PGresult *res;
	int i;

	*keys = NULL;
	*n = 0;
	snprintf(limit, sizeof limit, "%zu", max);
	res = pgq__exec(q, PGRES_TUPLES_OK, "find deliverable events", SQL, 3, params);
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

/*
 * A locked key's run: its pending events from the head on, in id order, as
 * long as each is due and not leased (bool_and over the events so far: the
 * run stops at the first that is not), at most $5. With $5 = 1 the head alone.
 */
#define RUN_SQL                                                                                    \
	"SELECT s.id, s.taken FROM (SELECT e.id, e.lease_until > 0 AS taken, "                     \
	"bool_and(e.lease_until <= " PGQ_NOW_MS " AND e.next_attempt_at <= " PGQ_NOW_MS            \
	") OVER (ORDER BY e.id) AS ok"                                                             \
	" FROM " PGQ_T_EVENTS " e WHERE e.webhook_key = k.webhook_key AND e.status = 'pending'"    \
	" AND e.id >= coalesce(c.low, 0) ORDER BY e.id LIMIT $5) s WHERE s.ok"

/*
 * Step 2: lease the locked keys' runs (each event's fence + 1), the oldest
 * `max` events of them all (so each key keeps a prefix of its run), and
 * return them, oldest first. A new statement: a fresh snapshot, with the keys
 * held.
 */
static PGresult *lease_runs(pgq *q, const char *keys, size_t max, size_t per_key, int64_t lease_ms,
                            const char *hk, const char *hl)
{
	static const char SQL[] =
	    "WITH runs AS (SELECT r.id, r.taken FROM unnest($1::text[]) AS k(webhook_key)"
	    " LEFT JOIN unnest($3::text[], $4::bigint[]) AS c(key, low) ON c.key = k.webhook_key"
	    " CROSS JOIN LATERAL (" RUN_SQL ") r ORDER BY r.id LIMIT $6),"
	    " ev AS (UPDATE " PGQ_T_EVENTS " e SET fence = e.fence + 1,"
	    "  lease_until = " PGQ_NOW_MS " + $2::bigint FROM runs WHERE e.id = runs.id"
	    "  RETURNING e.*, runs.taken)"
	    " SELECT " PGQ_ITEM_COLUMNS ", taken FROM ev ORDER BY id";
	char lease[24], run[24], total[24];
	const char *params[6] = {keys, lease, hk, hl, run, total};

	snprintf(lease, sizeof lease, "%" PRId64, lease_ms);
	snprintf(run, sizeof run, "%zu", per_key);
	snprintf(total, sizeof total, "%zu", max);
	return pgq__exec(q, PGRES_TUPLES_OK, "lease events", SQL, 6, params);
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
		/* lease_until > 0 before the claim: a lease that ended without a finish. */
		items[i]->taken_over = PQgetvalue(res, (int)i, PGQ_ITEM_NCOLUMNS)[0] == 't';
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

/*
 * Remember each claimed key's first event (its head) as the key's hint: the
 * others of its run may be retried or released later, and stay above it.
 */
static void hints_of(pgq *q, pgq_item **items, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(items[j]->webhook_key, items[i]->webhook_key) != 0; j++)
			;
		if (j == i)
			hint_set(q, items[i]->webhook_key, items[i]->id);
	}
}

int pgq_claim_runs(pgq *q, size_t max, size_t per_key, int64_t lease_ms, pgq_item ***out, size_t *n)
{
	PGresult *res = NULL;
	char *keys = NULL, *hk = NULL, *hl = NULL;
	int nkeys = 0, rc;

	*out = NULL;
	*n = 0;
	if (max == 0 || max > PGQ_CLAIM_MAX || per_key == 0 || lease_ms <= 0 ||
	    lease_ms > PGQ_LEASE_MAX)
		return pgq__seterr(
		    PGQ_EINVALID,
		    "queue: a claim takes 1 to %d events, 1 or more a key, for a lease of 1 ms "
		    "to 7 days",
		    PGQ_CLAIM_MAX);
	if (per_key > max)
		per_key = max;
	if ((rc = hint_params(q, &hk, &hl)) != 0)
		return rc;
	rc = pgq__cmd(q, "begin a claim", "BEGIN");
	if (rc == 0)
		rc = lock_keys(q, max, hk, hl, &keys, &nkeys);
	if (rc == 0 && nkeys > 0 && !(res = lease_runs(q, keys, max, per_key, lease_ms, hk, hl)))
		rc = PGQ_ERROR;
	free(keys);
	free(hk);
	free(hl);
	if (rc == 0)
		rc = pgq__cmd(q, "commit a claim", "COMMIT");
	else
		rollback(q);
	if (rc == 0 && res && PQntuples(res) > 0)
		rc = items_of(res, out, n);
	else if (rc == 0)
		rc = pgq__seterr(PGQ_ENOTFOUND, "queue: nothing to claim");
	if (rc == 0)
		hints_of(q, *out, *n);
	PQclear(res);
	return rc;
}

int pgq_claim(pgq *q, size_t max, int64_t lease_ms, pgq_item ***out, size_t *n)
{
	return pgq_claim_runs(q, max, 1, lease_ms, out, n);
}

/*
 * Update the event of claim (id, fence): `set` is its SET list, $3 and $4
 * extra parameters. The claim is current while the event is pending, leased
 * (lease_until > 0: a finish sets it to 0) and its fence is the claim's;
 * otherwise PGQ_ELEASE. The key row is not touched: only a claim locks it.
 */
static int on_claim(pgq *q, const char *what, const char *set, int64_t id, int64_t fence,
                    const char *p3, const char *p4)
{
	char sql[1024], sid[24], sfence[24];
	const char *params[4] = {sid, sfence, p3, p4};
	int nparams = p4 ? 4 : p3 ? 3 : 2;
	PGresult *res;
	int rows;

	snprintf(sql, sizeof sql,
	         "UPDATE " PGQ_T_EVENTS " e SET %s WHERE e.id = $1 AND e.fence = $2"
	         " AND e.lease_until > 0 AND e.status = 'pending' RETURNING e.id",
	         set);
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

int pgq_renew(pgq *q, int64_t id, int64_t fence, int64_t lease_ms)
{
	char lease[24];

	if (lease_ms <= 0 || lease_ms > PGQ_LEASE_MAX)
		return pgq__seterr(PGQ_EINVALID, "queue: a lease lasts 1 ms to 7 days");
	snprintf(lease, sizeof lease, "%" PRId64, lease_ms);
	return on_claim(q, "renew a lease", "lease_until = " PGQ_NOW_MS " + $3::bigint", id, fence,
	                lease, NULL);
}

int pgq_done(pgq *q, int64_t id, int64_t fence)
{
	return on_claim(q, "mark event done",
	                "status = 'done', delivered_at = " PGQ_NOW_MS
	                ", last_error = NULL, lease_until = 0",
	                id, fence, NULL, NULL);
}

/* ids (or fences) as a bigint array literal, "{1,2,3}". NULL when out of memory. */
static char *int_array(const int64_t *v, size_t n)
{
	util_buf b = UTIL_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		util_buf_printf(&b, "%c%" PRId64, i ? ',' : '{', v[i]);
	util_buf_puts(&b, n ? "}" : "{}");
	if (util_buf_failed(&b)) {
		util_buf_release(&b);
		return NULL;
	}
	return util_buf_detach(&b);
}

int pgq_done_many(pgq *q, const int64_t *ids, const int64_t *fences, size_t n, size_t *marked)
{
	/* As pgq_done's on_claim, for each (id, fence) pair at once. */
	static const char SQL[] =
	    "UPDATE " PGQ_T_EVENTS " e SET status = 'done', delivered_at = " PGQ_NOW_MS
	    ", last_error = NULL, lease_until = 0"
	    " FROM unnest($1::bigint[], $2::bigint[]) AS d(id, fence)"
	    " WHERE e.id = d.id AND e.fence = d.fence AND e.lease_until > 0"
	    " AND e.status = 'pending'";
	char *sids, *sfences;
	const char *params[2];
	PGresult *res = NULL;

	if (marked)
		*marked = 0;
	if (n == 0 || n > PGQ_CLAIM_MAX)
		return pgq__seterr(PGQ_EINVALID, "queue: %zu events in one mark: expected 1 to %d",
		                   n, PGQ_CLAIM_MAX);
	sids = int_array(ids, n);
	sfences = int_array(fences, n);
	params[0] = sids;
	params[1] = sfences;
	if (sids && sfences)
		res = pgq__exec(q, PGRES_COMMAND_OK, "mark events done", SQL, 2, params);
	else
		pgq__seterr(PGQ_ERROR, "queue: out of memory");
	free(sids);
	free(sfences);
	if (!res)
		return PGQ_ERROR;
	if (marked)
		*marked = (size_t)strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}

int pgq_retry(pgq *q, int64_t id, int64_t fence, const char *error, int64_t delay_ms)
{
	char delay[24];

	if (delay_ms > PGQ_DELAY_MAX)
		delay_ms = PGQ_DELAY_MAX;
	snprintf(delay, sizeof delay, "%" PRId64, delay_ms > 0 ? delay_ms : 0);
	return on_claim(q, "record failed delivery",
	                "attempts = e.attempts + 1, next_attempt_at = " PGQ_NOW_MS
	                " + $4::bigint, last_error = $3, lease_until = 0",
	                id, fence, error ? error : "failed", delay);
}

int pgq_dead(pgq *q, int64_t id, int64_t fence, const char *error)
{
	return on_claim(q, "record dead event",
	                "status = 'dead', attempts = e.attempts + 1, last_error = $3,"
	                " lease_until = 0",
	                id, fence, error ? error : "failed", NULL);
}

int pgq_release(pgq *q, int64_t id, int64_t fence)
{
	return on_claim(q, "release a claim", "lease_until = 0", id, fence, NULL, NULL);
}
