/*
 * pgqueue: the event queue on PostgreSQL (internal prefix pgq_), for
 * receivers and workers on several hosts sharing one database (issue 15).
 *
 * The same queue as the SQLite one (receiver.h, rcv_queue_*; docs/receiver.md):
 * events in arrival order, pending / done / dead, at least once, in order per
 * webhook key, replay and purge. What one machine could keep in memory is in
 * the database here, so that any number of processes can share it:
 *
 *   - a claim is a lease: time-limited (lease_until, on the database's clock),
 *     renewed while the work goes on, taken over by another worker once it
 *     ends without a finish;
 *   - each claim increments the event's fencing token (`fence`): done, retry,
 *     dead, renew and release succeed only with the token of the claim that is
 *     current, so a worker that lost its lease cannot mark the event;
 *   - per-key order: a webhook key's events are claimed oldest first, across
 *     every worker: a key is leased with its oldest pending event, and its
 *     next event waits for the finish (or the end of the lease), unless the
 *     same claim took it too, as part of a run (pgq_claim_runs) that its
 *     worker delivers in order.
 *
 * The schema is the program's, with versioned migrations (pgq_migrate); no
 * extension, no NOTIFY. The design note is docs/postgresql.md.
 *
 * A pgq handle is one connection: use it from one thread at a time (each
 * worker thread opens its own). Errors: functions that can fail return 0 or a
 * negative PGQ_E* code and put one lowercase line in pgq_last_error() (this
 * thread's); the URL's password never appears in it.
 */
#ifndef PGQUEUE_H
#define PGQUEUE_H

#include <stddef.h>
#include <stdint.h>

/* The newest schema version this program knows (the number of migrations). */
#define PGQ_SCHEMA_VERSION 5

typedef enum pgq_error_code {
	PGQ_OK = 0,
	PGQ_ERROR = -1,     /* internal: a query failed, out of memory */
	PGQ_ENOTFOUND = -2, /* no such event, or nothing to claim now */
	PGQ_ECONNECT = -3,  /* the server could not be reached, or refused the login */
	PGQ_EINVALID = -4,  /* a caller's argument is invalid (not a postgresql:// URL) */
	PGQ_ENEWER = -5,    /* the database's schema is newer than this program's */
	PGQ_ESCHEMA = -6,   /* the database's schema is missing or older: migrate it */
	PGQ_ELEASE = -7,    /* the fencing token is not the current claim's: lease lost */
	PGQ_ESTORED = -8    /* a store with this reference was made before (pgq_enqueue_many) */
} pgq_error_code;

/* One line describing the last failure on the calling thread, or "". Borrowed. */
const char *pgq_last_error(void);

/*
 * The URL as it may be shown: userinfo masked (util_url_shown) and a
 * password=... query parameter masked too. Writes into out (always
 * terminated) and returns out.
 */
const char *pgq_url_shown(const char *url, char *out, size_t outsz);

typedef struct pgq pgq;

/*
 * Connect to `url` (postgresql:// or postgres://, libpq's URI form) and check
 * the schema: it must be exactly PGQ_SCHEMA_VERSION. Returns 0 and *out, or
 * *out NULL and PGQ_EINVALID (not such a URL), PGQ_ECONNECT, PGQ_ENEWER (the
 * database was migrated by a newer program: this one refuses to touch it) or
 * PGQ_ESCHEMA (no schema or an older one: run pgq_migrate).
 */
int pgq_open(pgq **out, const char *url);

/*
 * Connect to `url` and bring its schema to PGQ_SCHEMA_VERSION: every missing
 * migration in one transaction (all or none), under an advisory lock so that
 * two migrating processes take turns. *from (may be NULL) is the version found
 * (0 for an empty database), *to the version now. PGQ_ENEWER when the
 * database's schema is newer than this program's (nothing changed). Idempotent.
 */
int pgq_migrate(const char *url, int *from, int *to);

/*
 * As pgq_migrate, but only up to `version` (1..PGQ_SCHEMA_VERSION): for tests
 * of a migration from an older schema, and staged upgrades. A database at or
 * past `version` is left as it is.
 */
int pgq_migrate_to(const char *url, int version, int *from, int *to);

/* Close the connection and free. NULL is accepted. */
void pgq_close(pgq *q);

typedef enum pgq_status { PGQ_PENDING = 1, PGQ_DONE = 2, PGQ_DEAD = 4 } pgq_status;

#define PGQ_STATUS_ALL (PGQ_PENDING | PGQ_DONE | PGQ_DEAD)

/* One queued event (rcv_item's fields, plus the claim's). Times are ms since the epoch. */
typedef struct pgq_item {
	int64_t id; /* arrival order, never reused */
	int64_t received_at;
	char *webhook_key;
	char *event; /* the normalized event, compact JSON */
	char *body;  /* the raw body, body_len bytes (NUL-terminated for convenience) */
	size_t body_len;
	char *content_type; /* or NULL */
	int status;         /* pgq_status */
	int attempts;       /* failed deliveries so far */
	int64_t next_attempt_at;
	char *last_error; /* or NULL */
	int64_t delivered_at;
	int64_t fence; /* the fencing token: the number of claims so far */
	int64_t
	    lease_until; /* the current or last claim's lease end; 0 = never claimed or finished */
	int taken_over;  /* pgq_claim's items: this claim took it over from a lease that ended */
} pgq_item;

/* Free one item. NULL is accepted. */
void pgq_item_free(pgq_item *it);
/* Free an array of n items and the array (as pgq_claim returns it). NULL is accepted. */
void pgq_items_free(pgq_item **items, size_t n);

/*
 * Store one event: committed (synchronous_commit as the server has it, on by
 * default) when this returns, so the receiver may answer 200 after it. The
 * arguments as rcv_queue_enqueue's (event_json is the normalized event; body
 * may hold any bytes but NUL; content_type may be NULL). *id_out may be NULL.
 */
int pgq_enqueue(pgq *q, const char *webhook_key, const char *event_json, const void *body,
                size_t body_len, const char *content_type, int64_t *id_out);

/* One event to store, as pgq_enqueue's arguments. */
typedef struct pgq_event_in {
	const char *webhook_key, *event_json;
	const void *body;
	size_t body_len;
	const char *content_type; /* may be NULL */
} pgq_event_in;

/* The most events one pgq_enqueue_many stores. */
#define PGQ_MANY_MAX 256

/*
 * Store n events (1 to PGQ_MANY_MAX) with one statement, in their order: all
 * committed when this returns 0 (durably, as one pgq_enqueue), ids[i] event
 * i's id; else none stored now, ids all 0, and the code (PGQ_EINVALID, or
 * PGQ_ERROR with the error set). A receiver's group commit: one round trip
 * and one flush for a batch of concurrent requests.
 *
 * store_ref names the store for good (unique among stores and spooled events:
 * the receiver's host and process and a count), so that a store whose outcome
 * was lost with the connection is made once only: tried again with the same
 * reference it is PGQ_ESTORED when the first try committed; and
 * pgq_store_settle tells whether it did, and makes sure it never will.
 */
int pgq_enqueue_many(pgq *q, const pgq_event_in *ev, size_t n, const char *store_ref, int64_t *ids);

/*
 * Settle a store (pgq_enqueue_many) whose outcome is not known: *stored 1 when
 * it committed; else 0, and it never will (the reference is taken: a try
 * still under way with it fails). Waits for such a try to end. 0, or a code.
 */
int pgq_store_settle(pgq *q, const char *store_ref, int *stored);

/*
 * on 0: this connection's next commits do not wait for their flush to disk
 * (synchronous_commit off): for marks whose loss in a crash of the database
 * only repeats a delivery (done, retry, dead, release), never for an enqueue
 * or a claim. on 1: back to the server's setting. 0, or a PGQ_E* code.
 */
int pgq_sync_commit(pgq *q, int on);

/*
 * Store one event a receiver spooled locally while the database was away,
 * exactly once: `spool_ref` names it for good (unique in the queue), so a
 * second call with the same reference (a drain repeated after a crash between
 * this call and the spool's own delete) stores nothing. received_at is the
 * receiver's (ms since the epoch). 0 and *stored (may be NULL) 1 when it was
 * stored now, 0 when it was already there; *id_out (may be NULL) its new id,
 * or 0. The other arguments as pgq_enqueue's.
 */
int pgq_enqueue_spooled(pgq *q, const char *spool_ref, int64_t received_at, const char *webhook_key,
                        const char *event_json, const void *body, size_t body_len,
                        const char *content_type, int64_t *id_out, int *stored);

/*
 * Claim up to `max` deliverable events, each the oldest pending event of its
 * webhook key, of keys not leased now, whose next_attempt_at has come; oldest
 * first, at most one per key. Each claim leases its event (and so its key) for
 * lease_ms and increments the event's fence (in the items returned). Keys another
 * worker is claiming at the same moment are skipped (FOR UPDATE SKIP LOCKED),
 * never waited for. A key whose lease ended without a finish is claimable
 * again: its event is taken over with a new fence.
 *
 * Returns 0 with *out a new array of *n >= 1 items (pgq_items_free), or
 * PGQ_ENOTFOUND (*out NULL, *n 0) when nothing is deliverable now.
 * PGQ_EINVALID for max outside 1..1000 or lease_ms outside 1 ms..7 days.
 */
int pgq_claim(pgq *q, size_t max, int64_t lease_ms, pgq_item ***out, size_t *n);

/*
 * As pgq_claim, but up to per_key events of each key claimed: a run of its
 * pending events from its oldest on, consecutive (the run stops at the first
 * event not due or leased), each leased and fenced as pgq_claim's. The run's
 * events must be delivered in their order, one after the other, by the one
 * worker that claimed them; when one of them is retried or released (or its
 * lease lost), the rest of its run must be released, never delivered before
 * it. The oldest `max` events of all the runs are taken. per_key 1 is
 * pgq_claim. PGQ_EINVALID for per_key 0, else as pgq_claim.
 */
int pgq_claim_runs(pgq *q, size_t max, size_t per_key, int64_t lease_ms, pgq_item ***out,
                   size_t *n);

/*
 * Extend a claim's lease to lease_ms from now. PGQ_ELEASE when `fence` is not
 * the current claim's (another worker took the event over, or it was
 * finished): stop working on it.
 */
int pgq_renew(pgq *q, int64_t id, int64_t fence, int64_t lease_ms);

/*
 * Finish a claim, and free its key for the next event. Each succeeds only
 * with the current claim's fence, else PGQ_ELEASE and nothing changes.
 *   done:  delivered now.
 *   retry: failed; attempts+1, not before delay_ms from now (at most a year).
 *   dead:  failed for the last time; attempts+1.
 *   release: given back untouched (nothing was attempted).
 */
int pgq_done(pgq *q, int64_t id, int64_t fence);
int pgq_retry(pgq *q, int64_t id, int64_t fence, const char *error, int64_t delay_ms);
int pgq_dead(pgq *q, int64_t id, int64_t fence, const char *error);
int pgq_release(pgq *q, int64_t id, int64_t fence);

/*
 * pgq_done for n claims (1 to 1000) at once, ids[i] with fences[i]: one
 * statement. Each is marked only while its fence is the current claim's;
 * *marked (may be NULL) how many were, the others' leases were lost. 0, or
 * PGQ_EINVALID / PGQ_ERROR (nothing marked).
 */
int pgq_done_many(pgq *q, const int64_t *ids, const int64_t *fences, size_t n, size_t *marked);

/* One event, whatever its status. 0 and *out (pgq_item_free), or PGQ_ENOTFOUND. */
int pgq_get(pgq *q, int64_t id, pgq_item **out);

/*
 * Call cb for each event whose status is in status_mask, in id order, after
 * after_id, at most `limit` (0 = no limit); the item is borrowed for the call.
 * A non-zero return from cb stops the walk and is returned. Pages of rows.
 */
typedef int (*pgq_list_cb)(const pgq_item *item, void *userdata);
int pgq_list(pgq *q, int status_mask, int64_t after_id, size_t limit, pgq_list_cb cb,
             void *userdata);

/* Counts of events by status (any pointer may be NULL). */
int pgq_counts(pgq *q, int64_t *pending, int64_t *done, int64_t *dead);

/*
 * Make events pending again, attempts, last_error, delivered_at and
 * next_attempt_at reset: the one event `id` (PGQ_ENOTFOUND when none), or with
 * id 0 every dead event. *count (may be NULL) is how many changed. A replayed
 * event that is claimed keeps its claim (its fence is unchanged).
 */
int pgq_replay(pgq *q, int64_t id, int64_t *count);

/*
 * Delete events received before before_ms whose status is in status_mask
 * (normally PGQ_DONE | PGQ_DEAD; a pending event that is claimed is never
 * deleted). *count (may be NULL) is how many were deleted. A partition whose
 * events all match is dropped whole (under a brief ACCESS EXCLUSIVE lock on
 * the events, waited for at most 200 ms); the others' matching events are
 * deleted row by row (docs/postgresql.md, "Retiring the history").
 */
int pgq_purge(pgq *q, int64_t before_ms, int status_mask, int64_t *count);

/* The database's clock, in ms since the epoch (what leases are measured on). */
int pgq_now(pgq *q, int64_t *now_ms);

/*
 * Whether the handle's connection is still up (libpq's view after the last
 * call): 0 after the server went away, so the caller closes it and opens a
 * new one. Cannot fail.
 */
int pgq_connected(const pgq *q);

/*
 * One rate budget per Ontraport account (keyed by its app id), shared by every
 * worker on every host: the account's allowance (X-Rate-Limit-Limit requests
 * per rolling window, 180 a minute) is taken slot by slot from one row, on the
 * database's clock. A worker asks before each request and tells each answer.
 * docs/postgresql.md, "The rate budget".
 */

/*
 * Take one request's slot for `account`: *wait_ms 0 means taken (send now),
 * *slot (may be NULL) its number for pgq_budget_sent; > 0 means nothing was
 * taken (*slot 0): ask again after that many ms. rtt_ms is the caller's
 * recent round trip to the API, added to the margin (at most 10% of the
 * window). The first take creates the account's row (limit 180, window a
 * minute until told otherwise). PGQ_EINVALID for an empty account.
 */
int pgq_budget_take(pgq *q, const char *account, int64_t rtt_ms, int64_t *wait_ms, int *slot);

/*
 * The request of `slot` was answered: its time becomes now (later only), so
 * the slot is reused a window after the answer, whatever held the request up
 * between the take and the server.
 */
int pgq_budget_sent(pgq *q, const char *account, int slot);

/*
 * Tell the budget an answer's X-Rate-Limit-Limit (limit, <= 0 when absent),
 * X-Rate-Limit-Reset (reset_s, <= 0 when absent; the window is the largest
 * seen, at most 66 s) and status: a 429 holds every worker of the account
 * until its reset (1 s without one). Writes only when something changes.
 */
int pgq_budget_tell(pgq *q, const char *account, long limit, long reset_s, int status);

typedef struct pgq_budget_state {
	int64_t limit;     /* requests per window */
	int64_t window_ms; /* the window (60000 until a Reset told it) */
	int64_t used;      /* slots taken within the last window */
	int64_t taken;     /* slots taken, ever */
	int64_t refused;   /* 429 answers told, ever */
} pgq_budget_state;

/* The account's budget now. PGQ_ENOTFOUND before its first take. */
int pgq_budget_get(pgq *q, const char *account, pgq_budget_state *out);

/*
 * The scenario runs' ledger (runs.c, runs_ops.c, runs_state.c;
 * docs/postgresql.md, "The scenario runs"): the runner's journal (runner.h,
 * run_journal_*) in the database, shared by the workers of every host. One run per (scenario,
 * source); each step's outcome is written in the one transaction that moves
 * the run on. A claim is a lease with a fencing token, as an event's is:
 * every write on a claimed run (a step's outcome, renew, release, filtered)
 * succeeds only with the fence of the current claim while it is not ended
 * (PGQ_ELEASE otherwise, and nothing is written). A lease that ends without
 * a finish lets another worker take the run over (a new fence): it goes on
 * from the step the ledger says is next.
 */

/* A run's status (runner.h's run_status values). */
typedef enum pgq_run_status {
	PGQ_RUN_PENDING = 1,
	PGQ_RUN_DONE = 2,
	PGQ_RUN_DEAD = 4,
	PGQ_RUN_FILTERED = 8
} pgq_run_status;

/* A step's outcome (runner.h's run_step_status values). */
typedef enum pgq_step_status {
	PGQ_STEP_SENDING = 1, /* a create about to be sent: its outcome unknown until finished */
	PGQ_STEP_DONE = 2,
	PGQ_STEP_SKIPPED = 3,
	PGQ_STEP_FAILED = 4
} pgq_step_status;

/* One step of a run. Strings owned by the run. Times in ms since the epoch, 0 = not yet. */
typedef struct pgq_run_step {
	int index;      /* 0-based, the step's place in the scenario */
	char *step_id;  /* the step's id */
	int status;     /* pgq_step_status */
	char *output;   /* DONE: compact JSON; else NULL */
	char *error;    /* FAILED: one line; else NULL */
	int attempts;   /* failed attempts */
	char *idem_key; /* creates: the idempotency key; else NULL */
	int64_t started_at, finished_at;
} pgq_run_step;

/* One run (pgq_run_free). Times in ms since the epoch, on the database's clock. */
typedef struct pgq_run {
	int64_t id; /* order of arrival, never reused */
	char *scenario;
	char *source;    /* unique per scenario */
	char *order_key; /* or NULL: runs of one key run one at a time, in id order */
	char *event;     /* the trigger event, compact JSON */
	int status;      /* pgq_run_status */
	int step;        /* the next step to run */
	int attempts;    /* failed attempts of the current step */
	int64_t next_attempt_at;
	char *last_error; /* or NULL */
	int64_t created_at, updated_at;
	int64_t lease_until; /* the current claim's lease end; 0 = not claimed */
	int64_t fence;       /* the fencing token: the number of claims so far */
	int taken_over;      /* pgq_run_claim's: taken over from a lease that ended */
	pgq_run_step *steps; /* by index, as written (pgq_run_get and pgq_run_claim fill it) */
	size_t nsteps;
} pgq_run;

/* Free a run and its steps. NULL is accepted. */
void pgq_run_free(pgq_run *r);

/*
 * Add a pending run, unless (scenario, source) has one already: a
 * redelivered event is one run. 0 and *id (may be NULL) the run's, *created
 * (may be NULL) 1 when added now, 0 when it was there. PGQ_EINVALID without a
 * scenario, source or event (order_key may be NULL).
 */
int pgq_run_add(pgq *q, const char *scenario, const char *source, const char *order_key,
                const char *event_json, int64_t *id, int *created);

/*
 * Claim the next run of `scenario`: the oldest pending run whose
 * next_attempt_at has come, not leased now, whose order key (if any) has no
 * earlier pending run and no run leased now, across every worker. Runs
 * another worker is claiming at the same moment are skipped (FOR UPDATE SKIP
 * LOCKED). The claim leases it for lease_ms and increments its fence. 0 and
 * *out (with its steps; pgq_run_free), or PGQ_ENOTFOUND with *out NULL and
 * *wake_at (may be NULL) the earliest time a blocked run's retry is due or a
 * lease ends (0 when none is waiting). PGQ_EINVALID for no scenario or
 * lease_ms outside 1 ms..7 days. A PGQ_ERROR in reading the steps of a run
 * just claimed leaves it claimed until its lease ends.
 */
int pgq_run_claim(pgq *q, const char *scenario, int64_t lease_ms, pgq_run **out, int64_t *wake_at);

/* Extend a claim's lease to lease_ms from now; PGQ_ELEASE when the claim is not current. */
int pgq_run_renew(pgq *q, int64_t id, int64_t fence, int64_t lease_ms);

/*
 * A step's outcome on the claimed run (id, fence), each one statement (one
 * transaction): the step's row and the run's progress written together, or,
 * with PGQ_ELEASE, nothing. PGQ_EINVALID for index < 0 or no step id.
 *   sending: before a create is sent: the step SENDING with idem_key (may be
 *            NULL), its started_at now; the run's step is index.
 *   done:    status PGQ_STEP_DONE (output_json, may be NULL) or
 *            PGQ_STEP_SKIPPED: the run moves on to index + 1, attempts 0; with
 *            `last` it is DONE and the claim ends, else the claim is kept.
 *   failed:  the step FAILED with error, its attempts and the run's + 1; with
 *            delay_ms >= 0 the run stays pending, due delay_ms from now (at
 *            most a year), else it is DEAD. Ends the claim.
 */
int pgq_run_step_sending(pgq *q, int64_t id, int64_t fence, int index, const char *step_id,
                         const char *idem_key);
int pgq_run_step_done(pgq *q, int64_t id, int64_t fence, int index, const char *step_id, int status,
                      const char *output_json, int last);
int pgq_run_step_failed(pgq *q, int64_t id, int64_t fence, int index, const char *step_id,
                        const char *error, int64_t delay_ms);

/* The filter said no: the run is FILTERED, the claim ends. PGQ_ELEASE as above. */
int pgq_run_filtered(pgq *q, int64_t id, int64_t fence);
/* End a claim on a run that stays pending, as it is. PGQ_ELEASE as above. */
int pgq_run_release(pgq *q, int64_t id, int64_t fence);

/* One run with its steps. 0 and *out (pgq_run_free), or PGQ_ENOTFOUND. */
int pgq_run_get(pgq *q, int64_t id, pgq_run **out);

/* Counts of the runs of scenario (NULL = every scenario) by status. Any pointer may be NULL. */
int pgq_run_counts(pgq *q, const char *scenario, int64_t *pending, int64_t *done, int64_t *dead,
                   int64_t *filtered);

/*
 * Make dead runs pending again from their failed step (the steps done before
 * it are kept), attempts 0, due now: the run `id`, or with id 0 every dead
 * run of scenario (NULL = of all). *count (may be NULL) how many.
 * PGQ_ENOTFOUND when `id` is not a dead run.
 */
int pgq_run_replay(pgq *q, int64_t id, const char *scenario, int64_t *count);

/*
 * A page of the runs of scenario (NULL = every scenario) whose status is in
 * mask (pgq_run_status bits), in id order (newest first with newest_first),
 * after the run `after` in that order (0: from the start), at most max,
 * without their steps. 0 and *out: *n runs (each pgq_run_free, then free the
 * array; NULL when none).
 */
int pgq_run_page(pgq *q, const char *scenario, int mask, int newest_first, int64_t after,
                 size_t max, pgq_run ***out, size_t *n);

/*
 * Delete the runs of scenario (NULL = every scenario) made before before_ms
 * (ms since the epoch) whose status is in mask (done, dead, filtered; never a
 * pending run), with their steps. *count (may be NULL) how many.
 */
int pgq_run_purge(pgq *q, int64_t before_ms, int mask, const char *scenario, int64_t *count);

/* A run to add with a state change (pgq_run_state_set): pgq_run_add's arguments. */
typedef struct pgq_run_new {
	const char *source, *order_key, *event_json;
} pgq_run_new;

/*
 * The triggers' state (poll cursors, the schedule's last fire): a value per
 * (scenario, key). get: 0 and *value (malloc'd), or PGQ_ENOTFOUND (*value
 * NULL). set: replaces, and adds the nruns runs (as pgq_run_add, a known
 * source left as it is) in the same transaction, so a cursor never moves past
 * an event that has no run.
 */
int pgq_run_state_get(pgq *q, const char *scenario, const char *key, char **value);
int pgq_run_state_set(pgq *q, const char *scenario, const char *key, const char *value,
                      const pgq_run_new *runs, size_t nruns);

#endif
