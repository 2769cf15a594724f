/*
 * runs: the scenario runs' ledger, its writes: add, claim, renew, the steps'
 * outcomes, filtered, release (pgqueue.h; docs/postgresql.md, "The scenario
 * runs").
 *
 * A claim is a lease on the run's row (lease_until, on the database's clock)
 * and a fencing token (fence, + 1 per claim). Every later write on the run is
 * one statement whose UPDATE of the run row requires the claim's fence and a
 * lease not ended (lease_until > 0: a finish or a release sets it to 0); a
 * step's row is written by the same statement from the UPDATE's result, so a
 * lost claim writes neither. Locks: the run row alone (a step row only ever
 * after its run's), so writes never deadlock.
 */
#include "pgq_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* The longest lease, and the longest retry delay (as the event queue's). */
#define RUN_LEASE_MAX (7 * 86400000LL)
#define RUN_DELAY_MAX (366 * 86400000LL)

/* The run (id $1, fence $2) while its claim is current. */
#define CLAIMED "id = $1 AND fence = $2 AND lease_until > 0 AND status = 'pending'"

static int lost(int64_t id, int64_t fence)
{
	return pgq__seterr(PGQ_ELEASE,
	                   "queue: run %" PRId64 " is not claimed with fence %" PRId64
	                   " any more (its lease was taken over, or it was finished)",
	                   id, fence);
}

/* The insert ($1 scenario, $2 source, $3 order key, $4 event), or the run it met. */
static const char ADD_SQL[] =
    "INSERT INTO " PGQ_T_RUNS " (scenario, source, order_key, event, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, " PGQ_NOW_MS ", " PGQ_NOW_MS ")"
    " ON CONFLICT (scenario, source) DO NOTHING RETURNING id";
static const char FIND_SQL[] = "SELECT id FROM " PGQ_T_RUNS " WHERE scenario = $1 AND source = $2";

int pgq_run_add(pgq *q, const char *scenario, const char *source, const char *order_key,
                const char *event_json, int64_t *id, int *created)
{
	const char *params[4] = {scenario, source, order_key, event_json};
	PGresult *res;
	int made;

	if (id)
		*id = 0;
	if (created)
		*created = 0;
	if (!scenario || !*scenario || !source || !*source || !event_json)
		return pgq__seterr(PGQ_EINVALID, "queue: a run needs a scenario, a source and an "
		                                 "event");
	res = pgq__exec(q, PGRES_TUPLES_OK, "add a run", ADD_SQL, 4, params);
	made = res && PQntuples(res) == 1;
	if (res && !made) {
		/* Known already (perhaps committed after the insert's snapshot: a new one). */
		PQclear(res);
		res = pgq__exec(q, PGRES_TUPLES_OK, "find a run", FIND_SQL, 2, params);
	}
	if (!res)
		return PGQ_ERROR;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return pgq__seterr(PGQ_ERROR, "queue: add a run: it was purged meanwhile");
	}
	if (id)
		*id = pgq__int(res, 0, 0);
	if (created)
		*created = made;
	PQclear(res);
	return 0;
}

/*
 * A claim: the oldest pending run of $1 that is due and not leased, whose order key has no
 * earlier pending run and no pending run leased now, locked (skipping those being claimed)
 * and leased for $2 ms, its fence + 1. One statement: its row lock is its transaction.
 */
static PGresult *lease_run(pgq *q, const char *scenario, int64_t lease_ms)
{
	static const char SQL[] =
	    "WITH c AS (SELECT r.id AS run, r.lease_until > 0 AS taken FROM " PGQ_T_RUNS " r"
	    " WHERE r.scenario = $1 AND r.status = 'pending' AND r.next_attempt_at <= " PGQ_NOW_MS
	    " AND r.lease_until <= " PGQ_NOW_MS " AND (r.order_key IS NULL OR NOT EXISTS"
	    " (SELECT 1 FROM " PGQ_T_RUNS " p WHERE p.scenario = r.scenario"
	    " AND p.order_key = r.order_key AND p.status = 'pending'"
	    " AND (p.id < r.id OR p.lease_until > " PGQ_NOW_MS ")))"
	    " ORDER BY r.id LIMIT 1 FOR UPDATE OF r SKIP LOCKED)"
	    " UPDATE " PGQ_T_RUNS " u SET fence = u.fence + 1, lease_until = " PGQ_NOW_MS
	    " + $2::bigint FROM c WHERE u.id = c.run RETURNING " PGQ_RUN_COLUMNS ", c.taken";
	char lease[24];
	const char *params[2] = {scenario, lease};

	snprintf(lease, sizeof lease, "%" PRId64, lease_ms);
	return pgq__exec(q, PGRES_TUPLES_OK, "claim a run", SQL, 2, params);
}

/* Nothing to claim: when something may be (a blocked run's retry, a lease's end), or 0. */
static int wake_of(pgq *q, const char *scenario, int64_t *wake_at)
{
	static const char SQL[] =
	    "SELECT min(CASE WHEN lease_until > " PGQ_NOW_MS " THEN lease_until"
	    " ELSE next_attempt_at END) FROM " PGQ_T_RUNS " WHERE scenario = $1"
	    " AND status = 'pending' AND (next_attempt_at > " PGQ_NOW_MS
	    " OR lease_until > " PGQ_NOW_MS ")";
	const char *params[1] = {scenario};
	PGresult *res = pgq__exec(q, PGRES_TUPLES_OK, "find when runs are due", SQL, 1, params);

	if (!res)
		return PGQ_ERROR;
	if (wake_at)
		*wake_at = pgq__int(res, 0, 0);
	PQclear(res);
	return pgq__seterr(PGQ_ENOTFOUND, "queue: no run of %s to claim now", scenario);
}

int pgq_run_claim(pgq *q, const char *scenario, int64_t lease_ms, pgq_run **out, int64_t *wake_at)
{
	PGresult *res;
	pgq_run *r = NULL;

	*out = NULL;
	if (wake_at)
		*wake_at = 0;
	if (!scenario || !*scenario || lease_ms <= 0 || lease_ms > RUN_LEASE_MAX)
		return pgq__seterr(PGQ_EINVALID,
		                   "queue: a run's claim needs a scenario and a lease "
		                   "of 1 ms to 7 days");
	if (!(res = lease_run(q, scenario, lease_ms)))
		return PGQ_ERROR;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return wake_of(q, scenario, wake_at);
	}
	r = pgq__row_run(res, 0);
	if (r)
		r->taken_over = PQgetvalue(res, 0, PGQ_RUN_NCOLUMNS)[0] == 't';
	PQclear(res);
	if (!r || pgq__run_steps(q, r)) {
		pgq_run_free(r);
		return PGQ_ERROR;
	}
	*out = r;
	return 0;
}

/* Update the claimed run (id, fence): `set` its SET list, $3 an extra parameter or NULL. */
static int on_run(pgq *q, const char *what, const char *set, int64_t id, int64_t fence,
                  const char *p3)
{
	char sql[512], sid[24], sfence[24];
	const char *params[3] = {sid, sfence, p3};
	PGresult *res;
	int rows;

	snprintf(sql, sizeof sql, "UPDATE " PGQ_T_RUNS " SET %s WHERE " CLAIMED " RETURNING id",
	         set);
	snprintf(sid, sizeof sid, "%" PRId64, id);
	snprintf(sfence, sizeof sfence, "%" PRId64, fence);
	res = pgq__exec(q, PGRES_TUPLES_OK, what, sql, p3 ? 3 : 2, params);
	if (!res)
		return PGQ_ERROR;
	rows = PQntuples(res);
	PQclear(res);
	return rows ? 0 : lost(id, fence);
}

int pgq_run_renew(pgq *q, int64_t id, int64_t fence, int64_t lease_ms)
{
	char lease[24];

	if (lease_ms <= 0 || lease_ms > RUN_LEASE_MAX)
		return pgq__seterr(PGQ_EINVALID, "queue: a lease lasts 1 ms to 7 days");
	snprintf(lease, sizeof lease, "%" PRId64, lease_ms);
	return on_run(q, "renew a run's lease", "lease_until = " PGQ_NOW_MS " + $3::bigint", id,
	              fence, lease);
}

int pgq_run_filtered(pgq *q, int64_t id, int64_t fence)
{
	return on_run(q, "mark a run filtered",
	              "status = 'filtered', next_attempt_at = 0, lease_until = 0,"
	              " updated_at = " PGQ_NOW_MS,
	              id, fence, NULL);
}

int pgq_run_release(pgq *q, int64_t id, int64_t fence)
{
	return on_run(q, "release a run", "lease_until = 0", id, fence, NULL);
}

/* ---- the steps' outcomes ---- */

/* How one outcome writes the run and the step (see step_write). */
typedef struct step_how {
	const char *what;
	const char *run_set; /* the run's SET list ($3 index, $7 error, $9 the op's number) */
	int failed;          /* the step's attempts + 1 */
	int sending;         /* started now even when it was before; not finished */
} step_how;

/* One step's outcome's parameters ($1..$9). */
typedef struct step_args {
	int64_t id, fence;
	int index;
	const char *step_id, *status, *output, *error, *idem_key;
	int64_t arg;
} step_args;

/*
 * The run's UPDATE and the step's upsert from its result: one statement. Every parameter
 * appears ($9 in RETURNING for an op that has no use for it): an unused one has no type.
 */
static char *step_sql(const step_how *h)
{
	char *sql = malloc(1536);

	if (!sql)
		return NULL;
	snprintf(sql, 1536,
	         "WITH r AS (UPDATE " PGQ_T_RUNS " SET %s, updated_at = " PGQ_NOW_MS
	         " WHERE " CLAIMED " RETURNING id)"
	         " INSERT INTO " PGQ_T_STEPS " AS s (run_id, idx, step_id, status, output, error,"
	         " attempts, idem_key, started_at, finished_at)"
	         " SELECT r.id, $3::int, $4, $5, $6, $7::text, %d, $8, " PGQ_NOW_MS ", %s FROM r"
	         " ON CONFLICT (run_id, idx) DO UPDATE SET step_id = excluded.step_id,"
	         " status = excluded.status, output = excluded.output, error = excluded.error,"
	         " attempts = s.attempts + excluded.attempts,"
	         " idem_key = coalesce(excluded.idem_key, s.idem_key),"
	         " started_at = CASE WHEN %s OR s.started_at = 0 THEN excluded.started_at"
	         " ELSE s.started_at END, finished_at = excluded.finished_at"
	         " RETURNING s.run_id, $9::bigint",
	         h->run_set, h->failed, h->sending ? "0" : PGQ_NOW_MS,
	         h->sending ? "true" : "false");
	return sql;
}

static int step_write(pgq *q, const step_how *h, const step_args *a)
{
	char sid[24], sfence[24], sindex[16], sarg[24];
	const char *params[9] = {sid,       sfence,   sindex,      a->step_id, a->status,
	                         a->output, a->error, a->idem_key, sarg};
	char *sql;
	PGresult *res;
	int rows;

	if (a->index < 0 || !a->step_id || !*a->step_id)
		return pgq__seterr(PGQ_EINVALID, "queue: a step needs an index >= 0 and an id");
	if (!(sql = step_sql(h)))
		return pgq__seterr(PGQ_ERROR, "queue: out of memory");
	snprintf(sid, sizeof sid, "%" PRId64, a->id);
	snprintf(sfence, sizeof sfence, "%" PRId64, a->fence);
	snprintf(sindex, sizeof sindex, "%d", a->index);
	snprintf(sarg, sizeof sarg, "%" PRId64, a->arg);
	res = pgq__exec(q, PGRES_TUPLES_OK, h->what, sql, 9, params);
	free(sql);
	if (!res)
		return PGQ_ERROR;
	rows = PQntuples(res);
	PQclear(res);
	return rows ? 0 : lost(a->id, a->fence);
}

int pgq_run_step_sending(pgq *q, int64_t id, int64_t fence, int index, const char *step_id,
                         const char *idem_key)
{
	static const step_how how = {"record a step sending", "step = $3::int", 0, 1};
	step_args a = {id, fence, index, step_id, "sending", NULL, NULL, idem_key, 0};

	return step_write(q, &how, &a);
}

int pgq_run_step_done(pgq *q, int64_t id, int64_t fence, int index, const char *step_id, int status,
                      const char *output_json, int last)
{
	/* $9: 1 for the last step (the run done, its claim ended), else 0 (the claim kept). */
	static const step_how how = {
	    "record a step done",
	    "step = $3::int + 1, next_attempt_at = 0, last_error = NULL,"
	    " status = CASE WHEN $9::bigint <> 0 THEN 'done' ELSE 'pending' END,"
	    " attempts = CASE WHEN $9::bigint <> 0 THEN attempts ELSE 0 END,"
	    " lease_until = CASE WHEN $9::bigint <> 0 THEN 0 ELSE lease_until END",
	    0, 0};
	step_args a = {id, fence, index, step_id, "done", output_json, NULL, NULL, last ? 1 : 0};

	if (status == PGQ_STEP_SKIPPED) {
		a.status = "skipped";
		a.output = NULL;
	} else if (status != PGQ_STEP_DONE)
		return pgq__seterr(PGQ_EINVALID, "queue: step outcome %d: expected done or skipped",
		                   status);
	return step_write(q, &how, &a);
}

int pgq_run_step_failed(pgq *q, int64_t id, int64_t fence, int index, const char *step_id,
                        const char *error, int64_t delay_ms)
{
	/* $9: the delay before the retry, or < 0 for none (the run dead). */
	static const step_how how = {
	    "record a step failed",
	    "step = $3::int, attempts = attempts + 1, last_error = $7::text, lease_until = 0,"
	    " next_attempt_at = CASE WHEN $9::bigint >= 0 THEN " PGQ_NOW_MS
	    " + $9::bigint ELSE 0 END,"
	    " status = CASE WHEN $9::bigint >= 0 THEN 'pending' ELSE 'dead' END",
	    1, 0};
	step_args a = {
	    id,   fence,   index, step_id, "failed", NULL, error && *error ? error : "failed",
	    NULL, delay_ms};

	if (a.arg > RUN_DELAY_MAX)
		a.arg = RUN_DELAY_MAX;
	return step_write(q, &how, &a);
}
