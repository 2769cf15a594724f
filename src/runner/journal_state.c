/*
 * journal_state: the triggers' state (poll cursors and snapshots, the
 * schedule's last fire), a value per (scenario, key), set in one
 * transaction with the runs it accounts for. See journal_int.h.
 */
#include "journal_int.h"

#include <stdlib.h>

#include "util.h"
#include "banned.h"

int run_journal_state_get(run_journal *j, const char *scenario, const char *key, char **value)
{
	sqlite3_stmt *st;
	int rc;

	*value = NULL;
	if (!scenario || !key)
		return run_journal__seterr("journal: state without a scenario or key");
	if (j->pg)
		return run_pgj__state_get(j->pg, scenario, key, value);
	pthread_mutex_lock(&j->mu);
	st = run_journal__prepare(j, "SELECT value FROM state WHERE scenario = ?1 AND key = ?2");
	rc = -1;
	if (st) {
		sqlite3_bind_text(st, 1, scenario, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*value = util_strdup((const char *)sqlite3_column_text(st, 0));
			rc = *value ? 0 : run_journal__seterr("journal: out of memory");
		} else if (rc == SQLITE_DONE) {
			rc = 1;
		} else {
			rc = run_journal__sqlerr(j->db, "read state");
		}
	}
	run_journal__finish(j, st);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

static int put_state(run_journal *j, const char *scenario, const char *key, const char *value)
{
	sqlite3_stmt *st = run_journal__prepare(
	    j, "INSERT OR REPLACE INTO state (scenario, key, value) VALUES (?1, ?2, ?3)");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, scenario, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : run_journal__sqlerr(j->db, "write state");
	run_journal__finish(j, st);
	return rc;
}

int run_journal_state_set(run_journal *j, const char *scenario, const char *key, const char *value,
                          const run_new *also_runs, size_t nruns)
{
	size_t i;
	int rc = 0;

	if (!scenario || !key || !value)
		return run_journal__seterr("journal: state without a scenario, key or value");
	for (i = 0; i < nruns && rc == 0; i++)
		rc = run_journal__check_event(also_runs[i].event_json);
	if (rc)
		return rc;
	if (j->pg)
		return run_pgj__state_set(j->pg, scenario, key, value, also_runs, nruns);
	pthread_mutex_lock(&j->mu);
	if (run_journal__begin_flushed(j) == 0) { /* a trigger moves on once this returns */
		rc = put_state(j, scenario, key, value);
		for (i = 0; i < nruns && rc == 0; i++)
			rc = run_journal__insert(j, scenario, also_runs[i].source,
			                         also_runs[i].order_key, also_runs[i].event_json,
			                         NULL, NULL);
		rc = run_journal__end(j, rc);
	} else {
		rc = -1;
	}
	pthread_mutex_unlock(&j->mu);
	return rc;
}
