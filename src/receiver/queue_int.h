/*
 * The queue's internals, shared by queue.c (open, close, group commit),
 * queue_ops.c (claim, finish, list, replay, purge), queue_common.c (errors,
 * items) and queue_pg.c (the PostgreSQL backend). Not for other files.
 *
 * Two connections to one WAL database:
 *  - wdb: the committer's. Inserts only, PRAGMA synchronous=FULL, so a
 *    commit is on disk when COMMIT returns: that is what a 200 promises.
 *  - sdb: everything else (delivery state, listing, replay, purge).
 *    synchronous=NORMAL: a state change may be lost to a power cut (never to
 *    a crash of this process), which at worst redelivers an event: the
 *    at-least-once rule allows it, and no flush is spent per delivery.
 *
 * Locks, always taken in this order: slock (sdb, its statements and the
 * claims), then wlock (any write transaction on either connection: keeps the
 * two connections from meeting SQLite's busy handler, which sleeps in whole
 * milliseconds), then mu (submissions, seq, stopping; never held across
 * SQLite calls). The committer takes only wlock and mu.
 */
#ifndef RCV_QUEUE_INT_H
#define RCV_QUEUE_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "receiver.h"

typedef struct rcv_claim {
	int64_t id;
	char *key;
} rcv_claim;

struct rcv_queue {
	sqlite3 *wdb;
	sqlite3 *sdb;
	sqlite3_stmt *w_insert; /* wdb */
	sqlite3_stmt *w_key;    /* wdb */
	/* sdb statements, prepared on first use (slock) */
	sqlite3_stmt *s_heads, *s_get, *s_done, *s_retry, *s_dead, *s_store_ref;

	pthread_mutex_t slock;
	pthread_mutex_t wlock;
	pthread_mutex_t mu;
	pthread_cond_t work_cv; /* the committer waits for submissions */
	pthread_cond_t done_cv; /* rcv_queue_enqueue waits for its commit */
	pthread_cond_t seq_cv;  /* rcv_queue_wait (monotonic clock) */

	rcv_enqueue_req *head, *tail; /* submissions not yet taken (mu) */
	int stopping;                 /* (mu) */
	uint64_t seq;                 /* (mu) */
	uint64_t commits, committed;  /* transactions and events in them (mu) */
	pthread_t committer;
	int committer_running;

	rcv_claim *claims; /* (slock) */
	size_t nclaims, claims_alloc;

	/* Opened with a postgresql:// URL: everything but the committer thread and the
	 * change counter is the PostgreSQL backend's (queue_pg.h); the sqlite3 fields stay NULL. */
	struct rcv_pg *pg;
};

/* Record a one-line error for this thread (see rcv_queue_last_error). */
void rcv_queue__seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Record sqlite's message for db, prefixed by what was being done. */
int rcv_queue__sqlerr(sqlite3 *db, const char *what);
/*
 * A spool's enqueue (rcv_queue_enqueue otherwise): store_ref (may be NULL) names the shared
 * queue's store that was under way when the database went away, so the event may be in it
 * already; the drainer settles it (queue_pg.c) before moving the event.
 */
int rcv_queue__enqueue_ref(rcv_queue *q, const char *webhook_key, const char *event_json,
                           const void *body, size_t body_len, const char *content_type,
                           const char *store_ref, int64_t *id_out);
/* An event's store_ref: *out a new string, or NULL when it has none. 0, or a code. */
int rcv_queue__store_ref(rcv_queue *q, int64_t id, char **out);
/* Bump seq and wake rcv_queue_wait callers. */
void rcv_queue__changed(rcv_queue *q);
/* Run one SQL statement (no results) on db. */
int rcv_queue__exec(sqlite3 *db, const char *sql);

#endif
