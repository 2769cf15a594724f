/*
 * pgqueue's internals, shared by conn.c (connecting, errors, results),
 * schema.c (migrations), queue.c / queue_ops.c and runs*.c. Not for other
 * files.
 */
#ifndef PGQ_INT_H
#define PGQ_INT_H

#include <libpq-fe.h>

#include "pgqueue.h"

/* The database's clock in ms since the epoch, as SQL: every time the queue stores. */
#define PGQ_NOW_MS "(extract(epoch from clock_timestamp()) * 1000)::bigint"

/* The tables (docs/postgresql.md, "The schema"). */
#define PGQ_T_VERSION "ontraport_schema_version"
#define PGQ_T_EVENTS "ontraport_events"
#define PGQ_T_KEYS "ontraport_event_keys"
#define PGQ_T_BUDGET "ontraport_rate_budget"
/* Migration 4 (parts.c): the events' id sequence, their partitions, the settings, the spool
 * references (unique, which the partitioned events table cannot be but by id). */
#define PGQ_T_IDS "ontraport_event_ids"
#define PGQ_T_PARTS "ontraport_event_parts"
#define PGQ_T_SETTINGS "ontraport_queue_settings"
#define PGQ_T_REFS "ontraport_spool_refs"
/* Migration 5 (runs.c, runs_ops.c): the scenario runs, their steps, the triggers' state. */
#define PGQ_T_RUNS "ontraport_runs"
#define PGQ_T_STEPS "ontraport_run_steps"
#define PGQ_T_STATE "ontraport_run_state"

/* The columns an item is read from, in pgq__row_item's order. */
#define PGQ_ITEM_COLUMNS                                                                           \
	"id, received_at, webhook_key, event, body, content_type, status, attempts,"               \
	" next_attempt_at, last_error, coalesce(delivered_at, 0), fence, lease_until"
/* How many columns PGQ_ITEM_COLUMNS selects (a claim's `taken` comes after them). */
#define PGQ_ITEM_NCOLUMNS 13

/* A claimer's hint (queue.c): the key had no pending event below `low` when last claimed. */
typedef struct pgq_hint {
	char *key;
	int64_t low;
} pgq_hint;

struct pgq {
	PGconn *conn;
	pgq_hint
	    *hints; /* queue.c's, at most PGQ_HINTS_MAX, forgotten after a TTL; pgq_close frees */
	size_t nhints;
	int64_t hints_since; /* monotonic ms of the oldest hint */
	int64_t parts_hi; /* parts.c: the end of the partitions last seen (ids below it have one) */
	int64_t part_ids; /* parts.c: ids per partition, as last read */
	unsigned stores_prepared; /* tx.c: the rows (powers of two) of the stores prepared */
	char *secret; /* the URL's password (raw and as libpq decoded it), masked in errors */
	char *secret_raw;
};

/* Record a one-line error for this thread; returns code. */
int pgq__seterr(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Record "queue: WHAT: <the server's or libpq's message>" (one line, the
 * password masked) for a failed result (or, res NULL, the connection's last
 * error); returns PGQ_ERROR.
 */
int pgq__pgerr(pgq *q, const PGresult *res, const char *what);

/*
 * Connect to url (checked to be postgresql:// or postgres://) with a
 * connect_timeout of 10 s unless the URL sets one. 0 and *out, or
 * PGQ_EINVALID / PGQ_ECONNECT with the error set.
 */
int pgq__connect(pgq **out, const char *url);

/*
 * Run one statement with text parameters (NULL = SQL NULL). Returns the
 * result (PQclear it) when its status is `want`, else NULL with the error
 * set (what names what was being done).
 */
PGresult *pgq__exec(pgq *q, ExecStatusType want, const char *what, const char *sql, int nparams,
                    const char *const *params);
/* Statements without results (several may be given), no parameters: 0 or PGQ_ERROR. */
int pgq__cmd(pgq *q, const char *what, const char *sql);

/* A new item from row `row` of a result selecting PGQ_ITEM_COLUMNS; NULL when out of memory. */
pgq_item *pgq__row_item(const PGresult *res, int row);
/* A column as int64 (0 when NULL). */
int64_t pgq__int(const PGresult *res, int row, int col);
/* A column as a new string, NULL when SQL NULL (or out of memory: check PQgetisnull). */
char *pgq__text(const PGresult *res, int row, int col);

/*
 * Runs (runs_ops.c): a new run from row `row` of a result selecting PGQ_RUN_COLUMNS (steps
 * not read), NULL when out of memory; its steps read into r (0 or PGQ_ERROR).
 */
#define PGQ_RUN_COLUMNS                                                                            \
	"id, scenario, source, order_key, event, status, step, attempts, next_attempt_at,"         \
	" last_error, created_at, updated_at, lease_until, fence"
#define PGQ_RUN_NCOLUMNS 14
pgq_run *pgq__row_run(const PGresult *res, int row);
int pgq__run_steps(pgq *q, pgq_run *r);

/*
 * Partitions (parts.c). pgq__parts_add creates partitions of part_ids ids from
 * `from` (rounded down to a boundary, when there are none yet) until one ends
 * above `upto`, inside the caller's transaction. pgq__parts_ensure does so in
 * a transaction of its own, under an advisory lock, for upto = the last id
 * given + `more` (the ids an insert about to be retried takes) + part_ids (one
 * whole partition ahead), and refreshes q's cache.
 * pgq__parts_after_insert calls it when id has come within a partition of the
 * end. pgq__parts_purge drops the whole partitions that qualify (docs/postgresql.md,
 * "Retiring the history"), adding their events to *count. 0 or PGQ_ERROR.
 */
int pgq__parts_add(pgq *q, int64_t from, int64_t upto);
int pgq__parts_ensure(pgq *q, int64_t more);
/* Whether an insert failed for want of a partition for its id (check_violation: the
 * events' only other check, on status, is never broken by an insert). */
int pgq__no_partition(const PGresult *res);
void pgq__parts_after_insert(pgq *q, int64_t id);
int pgq__parts_purge(pgq *q, int64_t before_ms, const char *statuses, int64_t *count);

/* The schema version of the database (0 when it has none), or a negative code. */
int pgq__version(pgq *q, int *version);

#endif
