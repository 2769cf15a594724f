/*
 * runs_ops: the scenario runs' ledger, reading and upkeep: a run from its
 * rows, get, counts, replay (pgqueue.h).
 */
#include "pgq_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const RUN_STATUS[] = {"pending", "done", "dead", "filtered"};
static const char *const STEP_STATUS[] = {"sending", "done", "skipped", "failed"};

/* A run's status name as its pgq_run_status (1 << i), or 0. */
static int run_status_of(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, RUN_STATUS[i]) == 0)
			return 1 << i;
	return 0;
}

/* A step's status name as its pgq_step_status (i + 1), or 0. */
static int step_status_of(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, STEP_STATUS[i]) == 0)
			return i + 1;
	return 0;
}

void pgq_run_free(pgq_run *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nsteps; i++) {
		free(r->steps[i].step_id);
		free(r->steps[i].output);
		free(r->steps[i].error);
		free(r->steps[i].idem_key);
	}
	free(r->steps);
	free(r->scenario);
	free(r->source);
	free(r->order_key);
	free(r->event);
	free(r->last_error);
	free(r);
}

/* Whether the copies of the text columns cols[0..n) of row are all there (or SQL NULL). */
static int texts_ok(const PGresult *res, int row, const int *cols, char *const *copies, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!copies[i] && !PQgetisnull(res, row, cols[i]))
			return 0;
	return 1;
}

pgq_run *pgq__row_run(const PGresult *res, int row)
{
	pgq_run *r = calloc(1, sizeof *r);
	static const int cols[5] = {1, 2, 3, 4, 9};

	if (!r) {
		pgq__seterr(PGQ_ERROR, "queue: out of memory");
		return NULL;
	}
	r->id = pgq__int(res, row, 0);
	r->scenario = pgq__text(res, row, 1);
	r->source = pgq__text(res, row, 2);
	r->order_key = pgq__text(res, row, 3);
	r->event = pgq__text(res, row, 4);
	r->status = run_status_of(PQgetvalue(res, row, 5));
	r->step = (int)pgq__int(res, row, 6);
	r->attempts = (int)pgq__int(res, row, 7);
	r->next_attempt_at = pgq__int(res, row, 8);
	r->last_error = pgq__text(res, row, 9);
	r->created_at = pgq__int(res, row, 10);
	r->updated_at = pgq__int(res, row, 11);
	r->lease_until = pgq__int(res, row, 12);
	r->fence = pgq__int(res, row, 13);
	{
		char *const copies[5] = {r->scenario, r->source, r->order_key, r->event,
		                         r->last_error};
		if (texts_ok(res, row, cols, copies, 5))
			return r;
	}
	pgq_run_free(r);
	pgq__seterr(PGQ_ERROR, "queue: out of memory");
	return NULL;
}

/* Step `row` of a result selecting STEP_COLUMNS into *s; 0 or -1 (out of memory). */
#define STEP_COLUMNS                                                                               \
	"idx, step_id, status, output, error, attempts, idem_key, started_at, finished_at"
static int row_step(const PGresult *res, int row, pgq_run_step *s)
{
	static const int cols[4] = {1, 3, 4, 6};

	s->index = (int)pgq__int(res, row, 0);
	s->step_id = pgq__text(res, row, 1);
	s->status = step_status_of(PQgetvalue(res, row, 2));
	s->output = pgq__text(res, row, 3);
	s->error = pgq__text(res, row, 4);
	s->attempts = (int)pgq__int(res, row, 5);
	s->idem_key = pgq__text(res, row, 6);
	s->started_at = pgq__int(res, row, 7);
	s->finished_at = pgq__int(res, row, 8);
	{
		char *const copies[4] = {s->step_id, s->output, s->error, s->idem_key};
		return texts_ok(res, row, cols, copies, 4) ? 0 : -1;
	}
}

int pgq__run_steps(pgq *q, pgq_run *r)
{
	char sid[24];
	const char *params[1] = {sid};
	PGresult *res;
	size_t n, i;

	snprintf(sid, sizeof sid, "%" PRId64, r->id);
	res =
	    pgq__exec(q, PGRES_TUPLES_OK, "read a run's steps",
	              "SELECT " STEP_COLUMNS " FROM " PGQ_T_STEPS " WHERE run_id = $1 ORDER BY idx",
	              1, params);
	if (!res)
		return PGQ_ERROR;
	n = (size_t)PQntuples(res);
	r->steps = n ? calloc(n, sizeof *r->steps) : NULL;
	for (i = 0; r->steps && i < n; i++) {
		r->nsteps = i + 1; /* what pgq_run_free frees */
		if (row_step(res, (int)i, &r->steps[i]))
			break;
	}
	PQclear(res);
	if (n && (!r->steps || i < n))
		return pgq__seterr(PGQ_ERROR, "queue: out of memory");
	return 0;
}

int pgq_run_get(pgq *q, int64_t id, pgq_run **out)
{
	char sid[24];
	const char *params[1] = {sid};
	PGresult *res;
	pgq_run *r;

	*out = NULL;
	snprintf(sid, sizeof sid, "%" PRId64, id);
	res = pgq__exec(q, PGRES_TUPLES_OK, "read a run",
	                "SELECT " PGQ_RUN_COLUMNS " FROM " PGQ_T_RUNS " WHERE id = $1", 1, params);
	if (!res)
		return PGQ_ERROR;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return pgq__seterr(PGQ_ENOTFOUND, "queue: no run %" PRId64, id);
	}
	r = pgq__row_run(res, 0);
	PQclear(res);
	if (!r || pgq__run_steps(q, r)) {
		pgq_run_free(r);
		return PGQ_ERROR;
	}
	*out = r;
	return 0;
}

int pgq_run_counts(pgq *q, const char *scenario, int64_t *pending, int64_t *done, int64_t *dead,
                   int64_t *filtered)
{
	const char *params[1] = {scenario};
	int64_t c[4] = {0, 0, 0, 0}, *want[4] = {pending, done, dead, filtered};
	PGresult *res = pgq__exec(q, PGRES_TUPLES_OK, "count runs",
	                          "SELECT status, count(*) FROM " PGQ_T_RUNS
	                          " WHERE ($1::text IS NULL OR scenario = $1) GROUP BY status",
	                          1, params);
	int i, s;

	if (res)
		for (i = 0; i < PQntuples(res); i++)
			for (s = 0; s < 4; s++)
				if (strcmp(PQgetvalue(res, i, 0), RUN_STATUS[s]) == 0)
					c[s] = pgq__int(res, i, 1);
	PQclear(res);
	for (s = 0; s < 4; s++)
		if (want[s])
			*want[s] = c[s];
	return res ? 0 : PGQ_ERROR;
}

int pgq_run_replay(pgq *q, int64_t id, const char *scenario, int64_t *count)
{
	char sid[24];
	const char *params[2] = {sid, scenario};
	PGresult *res;
	int64_t n;

	if (count)
		*count = 0;
	snprintf(sid, sizeof sid, "%" PRId64, id);
	res = pgq__exec(q, PGRES_COMMAND_OK, "replay runs",
	                "UPDATE " PGQ_T_RUNS " SET status = 'pending', attempts = 0,"
	                " next_attempt_at = 0, last_error = NULL, updated_at = " PGQ_NOW_MS
	                " WHERE status = 'dead' AND (id = $1::bigint"
	                " OR ($1::bigint = 0 AND ($2::text IS NULL OR scenario = $2)))",
	                2, params);
	if (!res)
		return PGQ_ERROR;
	n = (int64_t)strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	if (count)
		*count = n;
	if (id > 0 && n == 0)
		return pgq__seterr(PGQ_ENOTFOUND, "queue: run %" PRId64 " is not a dead run", id);
	return 0;
}

/* The statuses of mask as a text[] literal ("{pending,dead}"); pending left out with
 * no_pending. */
static void status_array(int mask, int no_pending, char *out, size_t n)
{
	size_t len = 0;
	int s;

	out[len++] = '{';
	for (s = 0; s < 4; s++)
		if ((mask & (1 << s)) && !(no_pending && s == 0))
			len += (size_t)snprintf(out + len, n - len, "%s%s", len > 1 ? "," : "",
			                        RUN_STATUS[s]);
	snprintf(out + len, n - len, "}");
}

static const char PAGE_SQL[] =
    "SELECT " PGQ_RUN_COLUMNS " FROM " PGQ_T_RUNS " WHERE ($1::text IS NULL OR scenario = $1)"
    " AND status = ANY($2::text[])";

int pgq_run_page(pgq *q, const char *scenario, int mask, int newest_first, int64_t after,
                 size_t max, pgq_run ***out, size_t *n)
{
	char statuses[64], safter[24], smax[24], sql[sizeof PAGE_SQL + 128];
	const char *params[4] = {scenario, statuses, safter, smax};
	PGresult *res;
	int i, rows;

	*out = NULL;
	*n = 0;
	status_array(mask, 0, statuses, sizeof statuses);
	snprintf(safter, sizeof safter, "%" PRId64, after);
	snprintf(smax, sizeof smax, "%zu", max);
	snprintf(sql, sizeof sql, "%s AND ($3::bigint = 0 OR id %s $3) ORDER BY id %s LIMIT $4",
	         PAGE_SQL, newest_first ? "<" : ">", newest_first ? "DESC" : "ASC");
	if (!(res = pgq__exec(q, PGRES_TUPLES_OK, "list runs", sql, 4, params)))
		return PGQ_ERROR;
	rows = PQntuples(res);
	if (rows && !(*out = calloc((size_t)rows, sizeof **out))) {
		PQclear(res);
		return pgq__seterr(PGQ_ERROR, "queue: out of memory");
	}
	for (i = 0; i < rows; i++) {
		if (!((*out)[i] = pgq__row_run(res, i))) {
			PQclear(res);
			while (i-- > 0)
				pgq_run_free((*out)[i]);
			free(*out);
			*out = NULL;
			return pgq__seterr(PGQ_ERROR, "queue: out of memory");
		}
	}
	PQclear(res);
	*n = (size_t)rows;
	return 0;
}

int pgq_run_purge(pgq *q, int64_t before_ms, int mask, const char *scenario, int64_t *count)
{
	char statuses[64], sbefore[24];
	const char *params[3] = {sbefore, statuses, scenario};
	PGresult *res;

	if (count)
		*count = 0;
	status_array(mask, 1, statuses, sizeof statuses);
	snprintf(sbefore, sizeof sbefore, "%" PRId64, before_ms);
	/* The steps go with their runs (ON DELETE CASCADE). */
	res = pgq__exec(q, PGRES_COMMAND_OK, "purge runs",
	                "DELETE FROM " PGQ_T_RUNS " WHERE created_at < $1::bigint"
	                " AND status = ANY($2::text[]) AND ($3::text IS NULL OR scenario = $3)",
	                3, params);
	if (!res)
		return PGQ_ERROR;
	if (count)
		*count = (int64_t)strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}
