/*
 * runs_state: the scenario triggers' state (poll cursors, the schedule's
 * last fire), a value per (scenario, key), written with the runs it adds in
 * one transaction (pgqueue.h).
 */
#include "pgq_int.h"

#include <stdlib.h>

#include "banned.h"

int pgq_run_state_get(pgq *q, const char *scenario, const char *key, char **value)
{
	const char *params[2] = {scenario, key};
	PGresult *res;

	*value = NULL;
	res = pgq__exec(q, PGRES_TUPLES_OK, "read a trigger's state",
	                "SELECT value FROM " PGQ_T_STATE " WHERE scenario = $1 AND key = $2", 2,
	                params);
	if (!res)
		return PGQ_ERROR;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return pgq__seterr(PGQ_ENOTFOUND, "queue: no state %s of %s", key, scenario);
	}
	*value = pgq__text(res, 0, 0);
	PQclear(res);
	return *value ? 0 : pgq__seterr(PGQ_ERROR, "queue: out of memory");
}

/* The state's upsert and the runs, inside the caller's transaction. */
static int state_write(pgq *q, const char *scenario, const char *key, const char *value,
                       const pgq_run_new *runs, size_t nruns)
{
	const char *params[3] = {scenario, key, value};
	PGresult *res;
	size_t i;
	int rc = 0;

	for (i = 0; i < nruns && rc == 0; i++)
		rc = pgq_run_add(q, scenario, runs[i].source, runs[i].order_key, runs[i].event_json,
		                 NULL, NULL);
	if (rc)
		return rc;
	res = pgq__exec(q, PGRES_COMMAND_OK, "write a trigger's state",
	                "INSERT INTO " PGQ_T_STATE " (scenario, key, value, updated_at)"
	                " VALUES ($1, $2, $3, " PGQ_NOW_MS ") ON CONFLICT (scenario, key)"
	                " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
	                3, params);
	PQclear(res);
	return res ? 0 : PGQ_ERROR;
}

int pgq_run_state_set(pgq *q, const char *scenario, const char *key, const char *value,
                      const pgq_run_new *runs, size_t nruns)
{
	int rc;

	if (!scenario || !*scenario || !key || !*key || !value)
		return pgq__seterr(PGQ_EINVALID, "queue: a state needs a scenario, a key and a "
		                                 "value");
	if (pgq__cmd(q, "begin a state change", "BEGIN"))
		return PGQ_ERROR;
	rc = state_write(q, scenario, key, value, runs, nruns);
	if (rc == 0)
		return pgq__cmd(q, "commit a state change", "COMMIT");
	PQclear(PQexec(q->conn, "ROLLBACK"));
	return rc;
}
