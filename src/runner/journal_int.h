/*
 * The journal's internals, shared by journal.c (open, close, schema),
 * journal_ops.c (runs and steps), journal_state.c (the triggers' state),
 * journal_pg.c (all of it on PostgreSQL) and journal_err.c (errors). Not
 * for other files. Uses go one way: journal_state.c uses journal_ops.c,
 * both use journal.c, which uses journal_pg.c; all use journal_err.c.
 *
 * One connection (PRAGMA synchronous=FULL, WAL) guarded by `mu`, which
 * also guards the claims. Every write is one transaction committed before
 * the call returns. list calls back with `mu` released (cb may use the
 * journal).
 */
#ifndef RUN_JOURNAL_INT_H
#define RUN_JOURNAL_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "journal_pg.h"
#include "runner.h"

/* The largest trigger event a run may hold. */
#define RUN_EVENT_MAX (1024 * 1024)

typedef struct run_claim {
	int64_t id;
	char *scenario; /* order keys are per scenario */
	char *key;      /* the run's order key, or NULL */
} run_claim;

/* The prepared statements kept for reuse (a journal uses about 20 different ones). */
#define RUN_STMT_CACHE 32

/* A prepared statement kept for reuse: parsing the SQL again cost more than running it. */
typedef struct run_cached_stmt {
	char *sql;        /* its text, the key */
	sqlite3_stmt *st; /* prepared once */
	int busy;         /* handed out and not finished yet */
} run_cached_stmt;

struct run_journal {
	run_pgj *pg; /* a journal on PostgreSQL: every call goes there (the rest is unused) */
	sqlite3 *db;
	int readonly;
	pthread_mutex_t mu;
	run_claim *claims; /* (mu) */
	size_t nclaims, claims_alloc;
	run_cached_stmt stmts[RUN_STMT_CACHE]; /* (mu) */
	size_t nstmts;
	int flushing; /* (mu) the open transaction's commit is flushed to disk */
};

/*
 * Durability: the journal commits with synchronous=NORMAL (WAL): a commit
 * survives the process dying at once (kill -9), and the last ones may be lost
 * to a power cut. The commits that must survive that too, because something
 * outside the journal acts on them, open with run_journal__begin_flushed:
 * synchronous=FULL for that commit (the WAL up to it is flushed to disk).
 */
int run_journal__begin_flushed(run_journal *j);

/* Record a one-line error for this thread (see run_journal_last_error); returns -1. */
int run_journal__seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Record sqlite's message for db, prefixed by what was being done; returns -1. */
int run_journal__sqlerr(sqlite3 *db, const char *what);
/* Run SQL without results on db; 0 or -1. */
int run_journal__exec(sqlite3 *db, const char *sql);
/* BEGIN IMMEDIATE / COMMIT (ROLLBACK when rc != 0); the caller holds mu. */
int run_journal__begin(run_journal *j);
int run_journal__end(run_journal *j, int rc);
/*
 * A statement for sql on the journal's connection, NULL (and the error) on
 * failure; give it back with run_journal__finish, never sqlite3_finalize.
 * Caller holds mu. The statement is prepared once and kept (reset, its
 * bindings cleared, by finish); the same sql asked again while the first is
 * in use gets a statement of its own.
 */
sqlite3_stmt *run_journal__prepare(run_journal *j, const char *sql);
/* Give back a statement from run_journal__prepare (NULL is accepted). Caller holds mu. */
void run_journal__finish(run_journal *j, sqlite3_stmt *st);
/* Milliseconds since the epoch. */
int64_t run_journal__now_ms(void);
/* Check an event's size (and that there is one); 0 or -1 with the error. */
int run_journal__check_event(const char *event_json);
/* Insert a run unless its source is known, inside the caller's transaction (mu held). */
int run_journal__insert(run_journal *j, const char *scenario, const char *source,
                        const char *order_key, const char *event_json, int64_t *id, int *created);

#endif
