/*
 * journal_ops: runs and their steps: add, claim, the steps' outcomes, get,
 * list, counts, replay. See journal_int.h for the locking.
 */
#include "journal_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

#define RUN_COLUMNS                                                                                \
	"id, scenario, source, order_key, event, status, step, attempts, next_attempt_at,"         \
	" last_error, created_at, updated_at"
#define STEP_COLUMNS                                                                               \
	"idx, step_id, status, output, error, attempts, idem_key, started_at, finished_at"
/* A status mask as SQL over `status` (parameter ?M). */
#define MASK_SQL(m)                                                                                \
	"((" m " & 1 AND status = 'pending') OR (" m " & 2 AND status = 'done') OR (" m            \
	" & 4 AND status = 'dead') OR (" m " & 8 AND status = 'filtered'))"

/* How many runs run_journal_list holds at a time (it calls back without the lock). */
#define LIST_PAGE 64

static void free_steps(run_step_rec *s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++) {
		free(s[i].step_id);
		free(s[i].output);
		free(s[i].error);
		free(s[i].idem_key);
	}
	free(s);
}

void run_record_free(run_record *r)
{
	if (!r)
		return;
	free(r->scenario);
	free(r->source);
	free(r->order_key);
	free(r->event);
	free(r->last_error);
	free_steps(r->steps, r->nsteps);
	free(r);
}

/* A copy of column i; NULL for NULL. *oom is set when the copy failed. */
static char *col_text(sqlite3_stmt *st, int i, int *oom)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	char *s;

	if (!t)
		return NULL;
	s = util_strdup((const char *)t);
	if (!s)
		*oom = 1;
	return s;
}

static int step_status_parse(const char *name)
{
	int s;

	for (s = RUN_STEP_SENDING; s <= RUN_STEP_FAILED; s++)
		if (name && !strcmp(name, run_step_status_name(s)))
			return s;
	return 0;
}

/* A new run from the current row of a statement selecting RUN_COLUMNS (no steps). */
static run_record *row_run(sqlite3_stmt *st)
{
	run_record *r = calloc(1, sizeof *r);
	int oom = 0;

	if (!r) {
		run_journal__seterr("journal: out of memory");
		return NULL;
	}
	r->id = sqlite3_column_int64(st, 0);
	r->scenario = col_text(st, 1, &oom);
	r->source = col_text(st, 2, &oom);
	r->order_key = col_text(st, 3, &oom);
	r->event = col_text(st, 4, &oom);
	r->status = run_status_parse((const char *)sqlite3_column_text(st, 5));
	r->step = sqlite3_column_int(st, 6);
	r->attempts = sqlite3_column_int(st, 7);
	r->next_attempt_at = sqlite3_column_int64(st, 8);
	r->last_error = col_text(st, 9, &oom);
	r->created_at = sqlite3_column_int64(st, 10);
	r->updated_at = sqlite3_column_int64(st, 11);
	if (oom) {
		run_record_free(r);
		run_journal__seterr("journal: out of memory");
		return NULL;
	}
	return r;
}

static int row_step(sqlite3_stmt *st, run_step_rec *s)
{
	int oom = 0;

	s->index = sqlite3_column_int(st, 0);
	s->step_id = col_text(st, 1, &oom);
	s->status = step_status_parse((const char *)sqlite3_column_text(st, 2));
	s->output = col_text(st, 3, &oom);
	s->error = col_text(st, 4, &oom);
	s->attempts = sqlite3_column_int(st, 5);
	s->idem_key = col_text(st, 6, &oom);
	s->started_at = sqlite3_column_int64(st, 7);
	s->finished_at = sqlite3_column_int64(st, 8);
	return oom ? run_journal__seterr("journal: out of memory") : 0;
}

/* Fill r->steps from the steps table, by index. Caller holds mu. */
static int load_steps(run_journal *j, run_record *r)
{
	sqlite3_stmt *st = run_journal__prepare(j, "SELECT " STEP_COLUMNS
	                                           " FROM steps WHERE run_id = ?1 ORDER BY idx");
	size_t alloc = 0;
	int rc = 0, step;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, r->id);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->nsteps == alloc) {
			size_t n = alloc ? alloc * 2 : 8;
			run_step_rec *p = realloc(r->steps, n * sizeof *p);
			if (!p) {
				rc = run_journal__seterr("journal: out of memory");
				break;
			}
			r->steps = p;
			alloc = n;
		}
		memset(&r->steps[r->nsteps], 0, sizeof *r->steps);
		rc = row_step(st, &r->steps[r->nsteps]);
		r->nsteps++;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = run_journal__sqlerr(j->db, "read steps");
	run_journal__finish(j, st);
	return rc;
}

/* One run with its steps. 0, 1 when there is none, -1. Caller holds mu. */
static int get_locked(run_journal *j, int64_t id, run_record **out)
{
	sqlite3_stmt *st =
	    run_journal__prepare(j, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1");
	int rc;

	*out = NULL;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = row_run(st);
		rc = *out ? load_steps(j, *out) : -1;
	} else if (rc == SQLITE_DONE) {
		run_journal__seterr("journal: no run %lld", (long long)id);
		rc = 1;
	} else {
		rc = run_journal__sqlerr(j->db, "read run");
	}
	run_journal__finish(j, st);
	if (rc) {
		run_record_free(*out);
		*out = NULL;
	}
	return rc;
}

int run_journal_get(run_journal *j, int64_t id, run_record **out)
{
	int rc;

	if (j->pg)
		return run_pgj__get(j->pg, id, out);
	pthread_mutex_lock(&j->mu);
	rc = get_locked(j, id, out);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

/* ---- add ------------------------------------------------------------------------------------- */

/* The id of the run of scenario made by source: 0 and *id, 1 when none, -1. */
static int find_source(run_journal *j, const char *scenario, const char *source, int64_t *id)
{
	sqlite3_stmt *st =
	    run_journal__prepare(j, "SELECT id FROM runs WHERE scenario = ?1 AND source = ?2");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, scenario, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : run_journal__sqlerr(j->db, "find run");
	run_journal__finish(j, st);
	return rc;
}

int run_journal__insert(run_journal *j, const char *scenario, const char *source,
                        const char *order_key, const char *event_json, int64_t *id, int *created)
{
	sqlite3_stmt *st;
	int64_t found = 0, now = run_journal__now_ms();
	int rc;

	if (!scenario || !*scenario || !source || !*source)
		return run_journal__seterr("journal: a run without a scenario or source");
	rc = find_source(j, scenario, source, &found);
	if (rc <= 0) {
		if (rc == 0 && id)
			*id = found;
		return rc;
	}
	st = run_journal__prepare(j, "INSERT INTO runs (scenario, source, order_key, event,"
	                             " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, scenario, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	if (order_key)
		sqlite3_bind_text(st, 3, order_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, event_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : run_journal__sqlerr(j->db, "add run");
	run_journal__finish(j, st);
	if (rc == 0 && id)
		*id = sqlite3_last_insert_rowid(j->db);
	if (rc == 0 && created)
		*created = 1;
	return rc;
}

int run_journal_add(run_journal *j, const char *scenario, const char *source, const char *order_key,
                    const char *event_json, int64_t *id, int *created)
{
	int rc;

	if (id)
		*id = 0;
	if (created)
		*created = 0;
	if (run_journal__check_event(event_json))
		return -1;
	if (j->pg)
		return run_pgj__add(j->pg, scenario, source, order_key, event_json, id, created);
	pthread_mutex_lock(&j->mu);
	/* flushed: the queue marks its event done once this returns */
	rc = run_journal__begin_flushed(j);
	if (rc == 0)
		rc = run_journal__end(j, run_journal__insert(j, scenario, source, order_key,
		                                             event_json, id, created));
	pthread_mutex_unlock(&j->mu);
	if (rc) {
		if (id)
			*id = 0;
		if (created)
			*created = 0;
	}
	return rc;
}

/* ---- claims ---------------------------------------------------------------------------------- */

static int is_claimed(const run_journal *j, int64_t id, const char *scenario, const char *key)
{
	size_t i;

	for (i = 0; i < j->nclaims; i++)
		if (j->claims[i].id == id ||
		    (key && j->claims[i].key && strcmp(j->claims[i].key, key) == 0 &&
		     strcmp(j->claims[i].scenario, scenario) == 0))
			return 1;
	return 0;
}

static int add_claim(run_journal *j, int64_t id, const char *scenario, const char *key)
{
	char *k = NULL, *s;

	if (j->nclaims == j->claims_alloc) {
		size_t n = j->claims_alloc ? j->claims_alloc * 2 : 8;
		run_claim *c = realloc(j->claims, n * sizeof *c);
		if (!c)
			return run_journal__seterr("journal: out of memory");
		j->claims = c;
		j->claims_alloc = n;
	}
	s = util_strdup(scenario);
	if (!s || (key && !(k = util_strdup(key)))) {
		free(s);
		return run_journal__seterr("journal: out of memory");
	}
	j->claims[j->nclaims].id = id;
	j->claims[j->nclaims].scenario = s;
	j->claims[j->nclaims++].key = k;
	return 0;
}

static void drop_claim(run_journal *j, int64_t id)
{
	size_t i;

	for (i = 0; i < j->nclaims; i++) {
		if (j->claims[i].id == id) {
			free(j->claims[i].scenario);
			free(j->claims[i].key);
			j->claims[i] = j->claims[--j->nclaims];
			return;
		}
	}
}

/*
 * The first pending run of scenario, in id order, that may start at now:
 * among the heads (runs with no earlier pending run of their order key),
 * not claimed, key not claimed. 0 and *id, 1 (and *wake), -1. Caller holds mu.
 */
static int choose(run_journal *j, const char *scenario, int64_t now, int64_t *id, char **key,
                  int64_t *wake)
{
	sqlite3_stmt *st = run_journal__prepare(
	    j, "SELECT id, order_key, next_attempt_at FROM runs r"
	       " WHERE scenario = ?1 AND status = 'pending' AND (order_key IS NULL OR NOT EXISTS"
	       "  (SELECT 1 FROM runs p WHERE p.scenario = ?1 AND p.order_key = r.order_key"
	       "   AND p.status = 'pending' AND p.id < r.id))"
	       " ORDER BY id");
	int rc = 1, step;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, scenario, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 1);
		int64_t at = sqlite3_column_int64(st, 2);

		if (is_claimed(j, sqlite3_column_int64(st, 0), scenario, k))
			continue; /* being worked on, or its key is */
		if (at > now) {
			if (*wake == 0 || at < *wake)
				*wake = at;
			continue;
		}
		*id = sqlite3_column_int64(st, 0);
		*key = NULL;
		rc = k && !(*key = util_strdup(k)) ? run_journal__seterr("journal: out of memory")
		                                   : 0;
		break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = run_journal__sqlerr(j->db, "find runs to claim");
	run_journal__finish(j, st);
	return rc;
}

int run_journal_claim(run_journal *j, const char *scenario, int64_t now_ms, run_record **out,
                      int64_t *wake_at)
{
	int64_t id = 0, wake = 0;
	char *key = NULL;
	int rc;

	*out = NULL;
	if (wake_at)
		*wake_at = 0;
	if (!scenario)
		return run_journal__seterr("journal: claim without a scenario");
	if (j->pg) /* the database's clock, not now_ms */
		return run_pgj__claim(j->pg, scenario, out, wake_at);
	pthread_mutex_lock(&j->mu);
	rc = choose(j, scenario, now_ms, &id, &key, &wake);
	if (rc == 0)
		rc = get_locked(j, id, out) ? -1 : add_claim(j, id, scenario, key);
	if (rc < 0) {
		run_record_free(*out);
		*out = NULL;
	}
	pthread_mutex_unlock(&j->mu);
	free(key);
	if (rc == 1 && wake_at)
		*wake_at = wake;
	return rc;
}

void run_journal_release(run_journal *j, int64_t run_id)
{
	if (j->pg) {
		run_pgj__release(j->pg, run_id);
		return;
	}
	pthread_mutex_lock(&j->mu);
	drop_claim(j, run_id);
	pthread_mutex_unlock(&j->mu);
}

void run_journal_unclaim(run_journal *j, int64_t run_id)
{
	run_journal_release(j, run_id);
}

/* ---- steps ----------------------------------------------------------------------------------- */

/* What a step's row becomes (see put_step). */
typedef struct step_put {
	int64_t run_id;
	int index;
	const char *step_id;
	int status;
	const char *output, *error, *idem_key;
	int attempts_add; /* 0, or 1 for a failed attempt */
	int restart;      /* a new send: started_at is now even when it was set */
	int64_t now, finished_at;
} step_put;

/* Insert or update a step's row. Caller holds mu, in a transaction. */
static int put_step(run_journal *j, const step_put *p)
{
	sqlite3_stmt *st = run_journal__prepare(
	    j, "INSERT INTO steps (run_id, idx, step_id, status, output, error, attempts, idem_key,"
	       " started_at, finished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	       " ON CONFLICT (run_id, idx) DO UPDATE SET step_id = excluded.step_id,"
	       " status = excluded.status, output = excluded.output, error = excluded.error,"
	       " attempts = attempts + excluded.attempts,"
	       " idem_key = coalesce(excluded.idem_key, idem_key),"
	       " started_at = CASE WHEN ?11 OR started_at = 0 THEN excluded.started_at"
	       "  ELSE started_at END,"
	       " finished_at = excluded.finished_at");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, p->run_id);
	sqlite3_bind_int(st, 2, p->index);
	sqlite3_bind_text(st, 3, p->step_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, run_step_status_name(p->status), -1, SQLITE_STATIC);
	if (p->output)
		sqlite3_bind_text(st, 5, p->output, -1, SQLITE_STATIC);
	if (p->error)
		sqlite3_bind_text(st, 6, p->error, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, p->attempts_add);
	if (p->idem_key)
		sqlite3_bind_text(st, 8, p->idem_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, p->now);
	sqlite3_bind_int64(st, 10, p->finished_at);
	sqlite3_bind_int(st, 11, p->restart);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : run_journal__sqlerr(j->db, "write step");
	run_journal__finish(j, st);
	return rc;
}

/*
 * Update the pending run run_id with sql (?1 the id, ?2 the time, then up
 * to two integers ?3 ?4 and a text ?5). A run that is not pending is an
 * error. Caller holds mu, in a transaction.
 */
static int update_run(run_journal *j, const char *sql, int64_t run_id, int64_t a, int64_t b,
                      const char *text)
{
	sqlite3_stmt *st = run_journal__prepare(j, sql);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, run_journal__now_ms());
	sqlite3_bind_int64(st, 3, a);
	sqlite3_bind_int64(st, 4, b);
	if (text)
		sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : run_journal__sqlerr(j->db, "update run");
	if (rc == 0 && sqlite3_changes(j->db) != 1)
		rc = run_journal__seterr("journal: no pending run %lld", (long long)run_id);
	run_journal__finish(j, st);
	return rc;
}

/* update_run then put_step (NULL: none) in one transaction; a SENDING step flushed. */
static int record(run_journal *j, const char *sql, int64_t run_id, int64_t a, int64_t b,
                  const char *text, const step_put *p)
{
	int rc;

	/* A create is sent once its SENDING mark is on disk: a power cut then finds the
	 * mark and looks the create up, never sends it again blindly. */
	if (p && p->status == RUN_STEP_SENDING ? run_journal__begin_flushed(j)
	                                       : run_journal__begin(j))
		return -1;
	rc = update_run(j, sql, run_id, a, b, text);
	if (rc == 0 && p)
		rc = put_step(j, p);
	return run_journal__end(j, rc);
}

static int check_step(int index, const char *step_id)
{
	if (index < 0 || !step_id || !*step_id)
		return run_journal__seterr("journal: a step needs an index >= 0 and an id");
	return 0;
}

int run_journal_step_sending(run_journal *j, int64_t run_id, int index, const char *step_id,
                             const char *idem_key)
{
	step_put p = {run_id, index, step_id, RUN_STEP_SENDING, NULL, NULL, idem_key, 0, 1, 0, 0};
	int rc;

	if (check_step(index, step_id))
		return -1;
	if (j->pg)
		return run_pgj__step_sending(j->pg, run_id, index, step_id, idem_key);
	p.now = run_journal__now_ms();
	pthread_mutex_lock(&j->mu);
	rc = record(
	    j, "UPDATE runs SET step = ?3, updated_at = ?2 WHERE id = ?1 AND status = 'pending'",
	    run_id, index, 0, NULL, &p);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int run_journal_step_done(run_journal *j, int64_t run_id, int index, const char *step_id,
                          int status, const char *output_json, int last)
{
	step_put p = {run_id, index, step_id, status, NULL, NULL, NULL, 0, 0, 0, 0};
	int rc;

	if (check_step(index, step_id))
		return -1;
	if (status != RUN_STEP_DONE && status != RUN_STEP_SKIPPED)
		return run_journal__seterr("journal: step outcome %d: expected done or skipped",
		                           status);
	p.output = status == RUN_STEP_DONE ? output_json : NULL;
	if (j->pg)
		return run_pgj__step_done(j->pg, run_id, index, step_id, status, p.output, last);
	p.now = p.finished_at = run_journal__now_ms();
	pthread_mutex_lock(&j->mu);
	rc = record(j,
	            "UPDATE runs SET step = ?3 + 1, next_attempt_at = 0, last_error = NULL,"
	            " status = CASE WHEN ?4 THEN 'done' ELSE 'pending' END,"
	            " attempts = CASE WHEN ?4 THEN attempts ELSE 0 END, updated_at = ?2"
	            " WHERE id = ?1 AND status = 'pending'",
	            run_id, index, last ? 1 : 0, NULL, &p);
	/* A finished run holds its order key no longer (unclaim after it is harmless). */
	if (rc == 0 && last)
		drop_claim(j, run_id);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int run_journal_step_failed(run_journal *j, int64_t run_id, int index, const char *step_id,
                            const char *error, int64_t retry_at_ms)
{
	step_put p = {run_id, index, step_id, RUN_STEP_FAILED, NULL, NULL, NULL, 1, 0, 0, 0};
	int rc;

	if (check_step(index, step_id))
		return -1;
	p.error = error && *error ? error : "failed";
	if (j->pg)
		return run_pgj__step_failed(j->pg, run_id, index, step_id, p.error, retry_at_ms);
	p.now = p.finished_at = run_journal__now_ms();
	pthread_mutex_lock(&j->mu);
	rc = record(j,
	            "UPDATE runs SET step = ?3, attempts = attempts + 1, last_error = ?5,"
	            " next_attempt_at = max(?4, 0),"
	            " status = CASE WHEN ?4 > 0 THEN 'pending' ELSE 'dead' END, updated_at = ?2"
	            " WHERE id = ?1 AND status = 'pending'",
	            run_id, index, retry_at_ms, p.error, &p);
	if (rc == 0)
		drop_claim(j, run_id);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int run_journal_filtered(run_journal *j, int64_t run_id)
{
	int rc;

	if (j->pg)
		return run_pgj__filtered(j->pg, run_id);
	pthread_mutex_lock(&j->mu);
	rc = record(j,
	            "UPDATE runs SET status = 'filtered', next_attempt_at = 0, updated_at = ?2"
	            " WHERE id = ?1 AND status = 'pending'",
	            run_id, 0, 0, NULL, NULL);
	if (rc == 0)
		drop_claim(j, run_id);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

/* ---- list, counts, replay -------------------------------------------------------------------- */

/* One page of runs after `cursor` (in the list's order) into page[]; *n of them. */
static int list_page(run_journal *j, const char *scenario, int mask, int newest_first,
                     int64_t cursor, size_t want, run_record **page, size_t *n)
{
	char sql[512];
	sqlite3_stmt *st;
	int rc = 0, step;

	snprintf(sql, sizeof sql,
	         "SELECT " RUN_COLUMNS " FROM runs WHERE (?1 IS NULL OR scenario = ?1)"
	         " AND id %s ?2 AND " MASK_SQL("?4") " ORDER BY id %s LIMIT ?3",
	         newest_first ? "<" : ">", newest_first ? "DESC" : "ASC");
	*n = 0;
	pthread_mutex_lock(&j->mu);
	st = run_journal__prepare(j, sql);
	if (!st)
		rc = -1;
	if (st) {
		if (scenario)
			sqlite3_bind_text(st, 1, scenario, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, cursor);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)want);
		sqlite3_bind_int(st, 4, mask);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			if (!(page[*n] = row_run(st))) {
				rc = -1;
				break;
			}
			(*n)++;
		}
		if (rc == 0 && step != SQLITE_DONE)
			rc = run_journal__sqlerr(j->db, "list runs");
	}
	run_journal__finish(j, st);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int run_journal_list(run_journal *j, const char *scenario, int mask, int newest_first, size_t limit,
                     run_list_cb cb, void *ud)
{
	run_record *page[LIST_PAGE];
	int64_t cursor = newest_first ? INT64_MAX : 0;
	size_t seen = 0;

	if (j->pg)
		return run_pgj__list(j->pg, scenario, mask, newest_first, limit, cb, ud);

	for (;;) {
		size_t n = 0, i, want = LIST_PAGE;
		int rc;

		if (limit && limit - seen < want)
			want = limit - seen;
		if (want == 0)
			return 0;
		rc = list_page(j, scenario, mask, newest_first, cursor, want, page, &n);
		/* Call back without the lock: cb may use the journal. */
		for (i = 0; i < n; i++) {
			if (rc == 0)
				rc = cb(page[i], ud);
			cursor = page[i]->id;
			run_record_free(page[i]);
		}
		seen += n;
		if (rc || n < want)
			return rc;
	}
}

/* How many runs of scenario have status: one range of the claim index. Caller holds mu. */
static int count_status(run_journal *j, const char *scenario, int status, int64_t *n)
{
	sqlite3_stmt *st = run_journal__prepare(
	    j, "SELECT count(*) FROM runs WHERE scenario = ?1 AND status = ?2");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, scenario, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, run_status_name(status), -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : run_journal__sqlerr(j->db, "count runs");
	*n = rc == 0 ? sqlite3_column_int64(st, 0) : 0;
	run_journal__finish(j, st);
	return rc;
}

/* Every scenario's runs by status, in one pass. Caller holds mu. */
static int count_all(run_journal *j, int64_t *c)
{
	sqlite3_stmt *st =
	    run_journal__prepare(j, "SELECT status, count(*) FROM runs GROUP BY status");
	int rc = 0, step;

	if (!st)
		return -1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		c[run_status_parse((const char *)sqlite3_column_text(st, 0))] =
		    sqlite3_column_int64(st, 1);
	if (step != SQLITE_DONE)
		rc = run_journal__sqlerr(j->db, "count runs");
	run_journal__finish(j, st);
	return rc;
}

int run_journal_counts(run_journal *j, const char *scenario, int64_t *pending, int64_t *done,
                       int64_t *dead, int64_t *filtered)
{
	int64_t c[RUN_STATUS_ALL + 1] = {0}, *want[RUN_STATUS_ALL + 1] = {0};
	int rc = 0, s;

	want[RUN_PENDING] = pending;
	want[RUN_DONE] = done;
	want[RUN_DEAD] = dead;
	want[RUN_FILTERED] = filtered;
	if (j->pg)
		return run_pgj__counts(j->pg, scenario, pending, done, dead, filtered);
	pthread_mutex_lock(&j->mu);
	if (!scenario)
		rc = count_all(j, c);
	/* Only the statuses asked for: waiting for idle asks for pending alone, and counting
	 * the done runs each time would grow with the journal. */
	for (s = 1; scenario && rc == 0 && s <= RUN_STATUS_ALL; s <<= 1)
		if (want[s])
			rc = count_status(j, scenario, s, &c[s]);
	pthread_mutex_unlock(&j->mu);
	for (s = 1; s <= RUN_STATUS_ALL; s <<= 1)
		if (want[s])
			*want[s] = rc == 0 ? c[s] : 0;
	return rc;
}

int run_journal_replay(run_journal *j, int64_t id, const char *scenario, int64_t *count)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	int rc = -1;

	if (count)
		*count = 0;
	if (j->pg)
		return run_pgj__replay(j->pg, id, scenario, count);
	pthread_mutex_lock(&j->mu);
	st = run_journal__prepare(
	    j, "UPDATE runs SET status = 'pending', attempts = 0, next_attempt_at = 0,"
	       " last_error = NULL, updated_at = ?3 WHERE status = 'dead'"
	       " AND (id = ?1 OR (?1 = 0 AND (?2 IS NULL OR scenario = ?2)))");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		if (scenario)
			sqlite3_bind_text(st, 2, scenario, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, run_journal__now_ms());
		rc =
		    sqlite3_step(st) == SQLITE_DONE ? 0 : run_journal__sqlerr(j->db, "replay runs");
		if (rc == 0)
			n = sqlite3_changes64(j->db);
	}
	run_journal__finish(j, st);
	pthread_mutex_unlock(&j->mu);
	if (rc == 0 && id > 0 && n == 0) {
		run_journal__seterr("journal: run %lld is not a dead run", (long long)id);
		rc = 1;
	}
	if (count)
		*count = n;
	return rc;
}

/* Delete the finished runs of mask (no pending ones) made before before_ms, steps first. */
static int purge(run_journal *j, int64_t before_ms, int mask, const char *scenario, int64_t *n)
{
	static const char *const sql[] = {
	    "DELETE FROM steps WHERE run_id IN (SELECT id FROM runs WHERE created_at < ?1 AND"
	    " (?3 IS NULL OR scenario = ?3) AND ((?2 & 2 AND status = 'done') OR (?2 & 4 AND"
	    " status = 'dead') OR (?2 & 8 AND status = 'filtered')))",
	    "DELETE FROM runs WHERE created_at < ?1 AND (?3 IS NULL OR scenario = ?3) AND"
	    " ((?2 & 2 AND status = 'done') OR (?2 & 4 AND status = 'dead') OR (?2 & 8 AND"
	    " status = 'filtered'))"};
	sqlite3_stmt *st;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < sizeof sql / sizeof *sql; i++) {
		if (!(st = run_journal__prepare(j, sql[i])))
			return -1;
		sqlite3_bind_int64(st, 1, before_ms);
		sqlite3_bind_int(st, 2, mask);
		if (scenario)
			sqlite3_bind_text(st, 3, scenario, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : run_journal__sqlerr(j->db, "purge runs");
		*n = sqlite3_changes64(j->db);
		run_journal__finish(j, st);
	}
	return rc;
}

int run_journal_purge(run_journal *j, int64_t before_ms, int mask, const char *scenario,
                      int64_t *count)
{
	int64_t n = 0;
	int rc;

	if (j->pg)
		return run_pgj__purge(j->pg, before_ms, mask & ~RUN_PENDING, scenario, count);
	pthread_mutex_lock(&j->mu);
	rc = run_journal__begin(j);
	if (rc == 0)
		rc = run_journal__end(j, purge(j, before_ms, mask & ~RUN_PENDING, scenario, &n));
	pthread_mutex_unlock(&j->mu);
	if (count)
		*count = rc == 0 ? n : 0;
	return rc;
}
