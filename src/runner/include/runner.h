/*
 * runner: runs scenarios (issue 14; docs/guide/scenarios.md is the user's
 * reference). Internal prefix run_. Four parts, each usable alone:
 *
 *   journal  run_journal_*: the runs in a SQLite file next to the event
 *            queue (default $XDG_DATA_HOME/ontraport/runs.db): one run per
 *            trigger event, each step's outcome committed before the next
 *            step starts, the triggers' cursors (journal.c).
 *   names    run_names_*: a scenario's names (tags, sequences, campaigns,
 *            forms, object types, field aliases, dropdown labels) resolved
 *            against the account once, when the scenario loads (names.c).
 *   steps    run_step_exec: one step's rendered `with` turned into library
 *            calls (or a command, or an HTTP POST); its output (steps.c).
 *   engine   run_engine_*: takes runs from the journal and runs their steps
 *            in order, with retries, exactly-once creates and per-object
 *            order (engine.c).
 *   triggers run_poll_*, run_schedule_*: the poll and schedule triggers'
 *            event sources (poll.c, schedule.c). The watch trigger is the
 *            receiver's (the CLI joins them); manual is the CLI's.
 *   poller   run_poller_*: paging by date last modified, snapshots and
 *            the rate share, under the poll trigger and `ontraport watch
 *            --poll` (poller.c).
 *
 * It uses libontraport through its public header only, the scenario room
 * through scenario.h, util, SQLite and jansson.
 *
 * Errors: functions return 0 or -1 (or a documented code) and put one
 * lowercase line in `err` (errsz bytes) when given one.
 */
#ifndef RUNNER_H
#define RUNNER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ontraport.h"
#include "scenario.h"

/* ------------------------------------------------------------------------
 * Journal (journal.c)
 * ------------------------------------------------------------------------ */

typedef struct run_journal run_journal;

/* A run's status. */
typedef enum run_status {
	RUN_PENDING = 1,  /* to run, or to go on with (its next step is `step`) */
	RUN_DONE = 2,     /* every step done or skipped */
	RUN_DEAD = 4,     /* failed for good; kept for replay (from the failed step) */
	RUN_FILTERED = 8, /* the filter said no: nothing ran */
	RUN_STATUS_ALL = 15
} run_status;

/* "pending", "done", "dead", "filtered" (NULL for anything else). */
const char *run_status_name(int status);
/* The status for a name, or 0. */
int run_status_parse(const char *name);

/* A step's outcome in the journal. */
typedef enum run_step_status {
	RUN_STEP_SENDING = 1, /* a create was about to be sent: its outcome is unknown until
	                       * finished (after a crash: look it up, never send it again
	                       * blindly) */
	RUN_STEP_DONE = 2,    /* output holds what it gave */
	RUN_STEP_SKIPPED = 3, /* its `if` was false */
	RUN_STEP_FAILED = 4   /* the last attempt failed (error says why); the run retries or is
	                       * dead */
} run_step_status;

const char *run_step_status_name(int status);

/* One step of a run, as journaled. Strings owned by the run record. */
typedef struct run_step_rec {
	int index;                       /* 0-based, the step's place in the scenario */
	char *step_id;                   /* the step's id */
	int status;                      /* run_step_status */
	char *output;                    /* DONE: the output as compact JSON; else NULL */
	char *error;                     /* FAILED: one line; else NULL */
	int attempts;                    /* attempts made */
	char *idem_key;                  /* creates: "<scenario>/<run id>/<step id>", else NULL */
	int64_t started_at, finished_at; /* ms since the epoch (0 = not yet) */
} run_step_rec;

/* One run. Free with run_record_free. */
typedef struct run_record {
	int64_t id;      /* order of arrival, never reused */
	char *scenario;  /* the scenario's name */
	char *source;    /* what made it, unique per scenario ("queue:17", "manual:<sha256>",
	                  * "schedule:1765065600", "poll:<type>:<id>:<dlm>") */
	char *order_key; /* runs with the same key run one at a time, in id order ("contacts:42");
	                  * NULL = no order */
	char *event;     /* the trigger event, compact JSON */
	int status;      /* run_status */
	int step;        /* the next step to run (nsteps when finished) */
	int attempts;    /* failed attempts of the current step */
	int64_t next_attempt_at;        /* ms; 0 = now */
	char *last_error;               /* or NULL */
	int64_t created_at, updated_at; /* ms */
	run_step_rec *steps; /* by index, as journaled (run_journal_get fills it; claim too) */
	size_t nsteps;
} run_record;

void run_record_free(run_record *r);

/*
 * A run as JSON (runs list/show, run's output): id, scenario, status,
 * source, order_key, next_step, attempts, last_error, the times as UTC ISO
 * 8601, its steps when it has any ({index, id, status, attempts, output,
 * error, idempotency_key, started_at, finished_at}), and the event when
 * with_event. New reference, NULL when out of memory.
 */
json_t *run_record_json(const run_record *r, int with_event);

/* run_journal_open's codes besides 0 and -1. */
#define RUN_JOURNAL_EFOREIGN (-2)     /* not a run journal: left unchanged */
#define RUN_JOURNAL_EUNREACHABLE (-3) /* PostgreSQL: the server cannot be reached */

/*
 * Open (creating, mode 0600) the journal at path. Marked with PRAGMA
 * application_id 'ONTR'; any other SQLite file (or a non-SQLite one) is
 * refused and left unchanged (RUN_JOURNAL_EFOREIGN). WAL, synchronous=FULL: a
 * commit is on disk when the call returns. Thread-safe (one connection, a
 * mutex).
 *
 * path may be a postgresql:// (or postgres://) URL instead: the runs are then
 * the database's ledger (pgqueue, `ontraport queue migrate` makes it; not
 * migrated or newer: RUN_JOURNAL_EFOREIGN; no server: RUN_JOURNAL_EUNREACHABLE),
 * shared by the workers of every host. There a claim is a lease (renewed by
 * a thread of the journal while held; run_journal_set_lease) with a fencing
 * token: a step written under a claim that was lost is refused (-1) and
 * nothing is written. The URL's password never appears in an error.
 */
int run_journal_open(run_journal **out, const char *path, char *err, size_t errsz);
/* Open an existing journal read-only (runs list/show): nothing is changed. */
int run_journal_open_readonly(run_journal **out, const char *path, char *err, size_t errsz);
void run_journal_close(run_journal *j);

/* Whether path is a PostgreSQL URL (postgresql:// or postgres://), not a file. */
int run_journal_is_url(const char *path);

/* A claim's lease on PostgreSQL, unless run_journal_set_lease says otherwise. */
#define RUN_JOURNAL_DEFAULT_LEASE_MS 30000
/* How long a claim on PostgreSQL holds without a renewal (>= 1000); no-op for SQLite. */
void run_journal_set_lease(run_journal *j, int64_t lease_ms);

/*
 * Add a run for an event, unless `source` is already journaled for the
 * scenario: that is what makes a redelivered event (the queue is
 * at-least-once) one run. Returns 0 and *id (may be NULL); *created (may be
 * NULL) is 1 when added, 0 when the source was known (*id is then the
 * existing run's).
 */
int run_journal_add(run_journal *j, const char *scenario, const char *source, const char *order_key,
                    const char *event_json, int64_t *id, int *created);

/*
 * Claim the next run to work on for `scenario`: the oldest pending run
 * whose next_attempt_at <= now_ms and whose order_key has no earlier
 * pending run and no run claimed. Claims live in memory (a process that
 * dies leaves its runs pending). Returns 0 and *out (with its steps), 1
 * when there is nothing to do now (*wake_at = the earliest next_attempt_at
 * among blocked runs, 0 when none is pending), -1 on error.
 */
int run_journal_claim(run_journal *j, const char *scenario, int64_t now_ms, run_record **out,
                      int64_t *wake_at);
/* Give a claim back (nothing more was done). */
void run_journal_release(run_journal *j, int64_t run_id);

/*
 * The writes under a claim (step_sending, step_done, step_failed, filtered)
 * return 0, -1 with the error set, or RUN_JOURNAL_ELOST: on PostgreSQL, the
 * claim's lease ended and another process took the run over (the fencing
 * token refused the write): nothing written, the run is no longer this
 * process's, and every later write under that claim is refused so too until
 * run_journal_release.
 */
#define RUN_JOURNAL_ELOST (-4)

/* Before sending a create: commit the step as SENDING (with its idempotency key). */
int run_journal_step_sending(run_journal *j, int64_t run_id, int index, const char *step_id,
                             const char *idem_key);
/*
 * A step's outcome, DONE (output) or SKIPPED, committed in one transaction
 * with the run moving on to the next step (and, when it was the last step,
 * the run DONE). The claim is kept.
 */
int run_journal_step_done(run_journal *j, int64_t run_id, int index, const char *step_id,
                          int status, const char *output_json, int last);
/*
 * A failed attempt: the step FAILED with error, the run's attempts + 1;
 * with retry_at_ms > 0 the run stays pending until then, else it is DEAD.
 * Ends the claim.
 */
int run_journal_step_failed(run_journal *j, int64_t run_id, int index, const char *step_id,
                            const char *error, int64_t retry_at_ms);
/* The filter said no: the run is FILTERED. Ends the claim. */
int run_journal_filtered(run_journal *j, int64_t run_id);
/* End a claim on a run that stays pending (after run_journal_step_done for a non-last step). */
void run_journal_unclaim(run_journal *j, int64_t run_id);

/* One run with its steps. Returns 0 and *out, 1 when there is none, -1 on error. */
int run_journal_get(run_journal *j, int64_t id, run_record **out);

/*
 * Call cb for each run of scenario (NULL = every scenario) whose status is
 * in mask, newest first when `newest_first`, at most limit (0 = all). The
 * record (without steps) is borrowed for the call; non-zero from cb stops.
 */
typedef int (*run_list_cb)(const run_record *r, void *ud);
int run_journal_list(run_journal *j, const char *scenario, int mask, int newest_first, size_t limit,
                     run_list_cb cb, void *ud);

/* Counts by status for a scenario (NULL = all). Any pointer may be NULL. */
int run_journal_counts(run_journal *j, const char *scenario, int64_t *pending, int64_t *done,
                       int64_t *dead, int64_t *filtered);

/*
 * Replay a dead run: pending again from its failed step, attempts 0 (the
 * steps done before it are kept, not run again). id 0 = every dead run of
 * scenario (NULL = of all). *count (may be NULL) is how many. 1 when `id`
 * is not a dead run.
 */
int run_journal_replay(run_journal *j, int64_t id, const char *scenario, int64_t *count);

/*
 * Delete the runs of scenario (NULL = every scenario) made before before_ms
 * whose status is in mask (DONE, DEAD, FILTERED; pending runs are never
 * deleted), with their steps. *count (may be NULL) is how many runs. A
 * purged run's source is forgotten: an event from it again would be a new
 * run (queue ids are never reused; a manual --event-id could be).
 */
int run_journal_purge(run_journal *j, int64_t before_ms, int mask, const char *scenario,
                      int64_t *count);

/*
 * The triggers' state (poll cursors, snapshots, the schedule's last fire):
 * a value per (scenario, key). get returns 0 and *value (malloc'd), 1 when
 * absent. set replaces; with `also_run` (may be NULL) the run is added in
 * the same transaction (so a cursor never moves past an event that was not
 * journaled): its fields as run_journal_add's.
 */
typedef struct run_new {
	const char *source, *order_key, *event_json;
} run_new;
int run_journal_state_get(run_journal *j, const char *scenario, const char *key, char **value);
int run_journal_state_set(run_journal *j, const char *scenario, const char *key, const char *value,
                          const run_new *also_runs, size_t nruns);

/* One line on the last failure of this thread's journal call ("" when none). */
const char *run_journal_last_error(void);

/* ------------------------------------------------------------------------
 * Names (names.c): resolved once, when the scenario loads
 * ------------------------------------------------------------------------ */

typedef struct run_names run_names;

/*
 * Resolve every name the scenario collected (s->names) against the account
 * behind `c`: object types, field aliases (a field's name or alias, of its
 * type), dropdown/list labels (of their field), tags, sequences, campaigns,
 * forms (by exact name or id). Names holding a template are left to run
 * time. Returns 0 and *out when every name resolves; -1 with each problem
 * as "FILE:LINE:COL: message (did you mean 'X'?)" in *probs (file order),
 * and *out NULL. A failure to ask the account (network, auth) is -2 with
 * one line in err, nothing in probs, and ontra_error_last() left as that
 * failure's (its code gives the caller's exit code). `file` names the
 * scenario in problems. It only reads: tags, sequences, campaigns and forms
 * are listed once per kind when that takes no more requests than one
 * search per name (or at most 20 pages), so a name not found gets the
 * nearest one suggested and an id is checked to exist; else each is looked
 * up alone (ontra_resolve). probs is the caller's to free either way.
 */
int run_names_resolve(run_names **out, ontra_client *c, const scen_scenario *s, const char *file,
                      scen_problems *probs, char *err, size_t errsz);
void run_names_free(run_names *n);
/*
 * How many names resolved at load: object types, fields, tags, sequences,
 * campaigns, forms, and the values of dropdown/list fields (a value of any
 * other field is plain text, not a label, and is not counted).
 */
size_t run_names_count(const run_names *n);

/*
 * The id of a tag, sequence, campaign or form (kind "tag", "sequence",
 * "campaign", "form") given by name or id: from the table made at load, or
 * (for a name the scenario computes at run time) asked once and kept.
 * Thread-safe. 0 and *id; ONTRA_ENOTFOUND and the other library codes.
 */
int run_names_id(run_names *n, ontra_client *c, const char *kind, const char *name_or_id,
                 long long *id);
/* An object type by name or id ("contacts", "Contact", "0"), as ontra_object_type. */
int run_names_type(run_names *n, ontra_client *c, const char *name, int *type);
/*
 * The expression helpers (label_to_id, id_to_label, tag_id) over the table
 * and c. Its ud lives as long as n (one per client c); c must outlive n.
 */
scen_resolver run_names_resolver(run_names *n, ontra_client *c);

/* ------------------------------------------------------------------------
 * Steps (steps.c)
 * ------------------------------------------------------------------------ */

/* How a step attempt ended. */
typedef enum run_outcome {
	RUN_OK = 0,     /* done: *output is what it gave */
	RUN_RETRY = 1,  /* a retryable failure (network, 5xx, 429, a command that failed) */
	RUN_FAIL = 2,   /* refused (4xx, a bad value): retrying would not help */
	RUN_UNKNOWN = 3 /* a create may or may not have happened (timeout after sending, 5xx) */
} run_outcome;

typedef struct run_step_env {
	ontra_client *client;
	run_names *names;
	const json_t *ctx; /* {event, data, steps, env}: what exec and http send */
	int dry_run;       /* print the calls it would make to `dry_out`, send nothing */
	void *dry_out;     /* FILE* */
	long timeout_ms;   /* exec, http: per attempt (0 = 30 s; `with.timeout` wins) */
} run_step_env;

/*
 * Run one step of kind `kind` with its rendered `with` (run_step_render's).
 * Returns a run_outcome; RUN_OK with *output (new; an object), else err.
 */
run_outcome run_step_exec(const run_step_env *env, const char *kind, const json_t *with,
                          json_t **output, char *err, size_t errsz);

/*
 * For a create whose outcome is unknown (SENDING after a crash, or
 * RUN_UNKNOWN): look for what it made, started at started_ms. RUN_OK and
 * *output when exactly one thing matches; RUN_RETRY when nothing matches
 * and it is safe to send; RUN_FAIL (err says why) when it cannot tell.
 */
run_outcome run_step_lookup(const run_step_env *env, const char *kind, const json_t *with,
                            int64_t started_ms, json_t **output, char *err, size_t errsz);

/* ------------------------------------------------------------------------
 * Engine (engine.c): worker threads taking runs from the journal
 * ------------------------------------------------------------------------ */

typedef struct run_engine run_engine;

/* What the engine reports of each run that ends, or waits for a retry. */
typedef struct run_report {
	const char *scenario;
	int64_t run_id;
	int status;        /* run_status: DONE, DEAD, FILTERED, or PENDING (a retry is due) */
	const char *step;  /* the step it ended or waits at (NULL when filtered or done) */
	const char *error; /* DEAD or PENDING: why; else NULL */
	int64_t retry_at;  /* PENDING: when, ms */
} run_report;

typedef struct run_engine_config {
	run_journal *journal;
	const scen_scenario *scenario;
	const char *file;       /* the scenario's file, for messages */
	ontra_client **clients; /* one per worker (made with one ontra_share), borrowed */
	unsigned workers;       /* runs at once (different order keys); >= 1 */
	run_names *names;       /* borrowed; NULL = resolve at run time */
	int dry_run;            /* print each step's call to dry_out, send nothing */
	void *dry_out;          /* FILE * */
	long step_timeout_ms;   /* exec and http steps without their own timeout; 0 = 30 s */
	void (*on_report)(void *ud, const run_report *r); /* from worker threads (optional) */
	void (*log)(void *ud, const char *line);          /* journal failures (optional) */
	void *ud;
} run_engine_config;

/* Start the workers. Returns 0 and *out, or -1 and err. */
int run_engine_start(run_engine **out, const run_engine_config *cfg, char *err, size_t errsz);
/* New runs were journaled (by a trigger): wake an idle worker. */
void run_engine_kick(run_engine *e);
/* Whether a run failed with on_error: stop (the scenario should stop). */
int run_engine_stopped(run_engine *e);
/*
 * Stop: each worker finishes the step in flight, journals it and takes no
 * more; every other run stays pending for the next start. Joins and frees.
 * NULL is accepted.
 */
void run_engine_stop(run_engine *e);

/* ------------------------------------------------------------------------
 * Triggers: schedule (schedule.c) and poll (poll.c)
 * ------------------------------------------------------------------------ */

/*
 * The schedule trigger at now_s (Unix seconds): when a fire time of the
 * scenario's cron line has come since the last one journaled (state key
 * "schedule.last"), add one run for the latest such time (fires missed
 * while nothing ran collapse into one) with source "schedule:<time>" and
 * event {"type": "schedule", "scheduled_at": T, "fired_at": now}, in the
 * same transaction as the state. The first call only records now (no run
 * for the past). *added (may be NULL) is 0 or 1; *next_s the next fire time.
 */
int run_schedule_tick(run_journal *j, const scen_scenario *s, int64_t now_s, int *added,
                      int64_t *next_s, char *err, size_t errsz);

/* ------------------------------------------------------------------------
 * The poller (poller.c): the part the poll trigger and `watch --poll` share
 * ------------------------------------------------------------------------ */

typedef struct run_poller run_poller;

/* One object whose watched fields changed, or seen for the first time: borrowed for the call. */
typedef struct run_poller_change {
	long long id, dlm;
	long long snap_dlm;    /* the dlm of the values last seen; -1: the object had no snapshot */
	const json_t *old;     /* the watched values last seen {name: value}; NULL: none */
	const json_t *now;     /* the watched values now {name: value} */
	const json_t *changes; /* {field as the caller named it: {"old": V, "new": V}}; may be
	                        * empty for an object first seen */
	const json_t *record;  /* the object as read */
} run_poller_change;

typedef struct run_poller_config {
	const char *type;          /* the object type, a name or number; NULL = contacts */
	const char *const *fields; /* the watched fields, names or aliases (copied); NULL = every
	                            * field but id, dlm and time_since_dla */
	size_t nfields;
	long long every_s; /* the interval between polls (run_poller_next_ms, the description) */
	double share;      /* of the account's rate limit: 0 < share <= 1; 0 = 0.2 */
	/* The first poll: 0 = the cursor starts at the type's newest dlm (only objects
	 * changed after it are known); 1 = every object is read and recorded first (over
	 * several polls when the share runs out), so an object first seen afterwards is
	 * new. Nothing is reported for what the first poll reads. */
	int full_baseline;
	/*
	 * The state, a text value per key ("poll.cursor", "poll.snap.<id>"). get: 0 and
	 * *value (malloc'd), 1 when absent, -1 with err. set: replace the value; with a
	 * `change` (NULL for a cursor or a snapshot alone) the store commits what the change
	 * means to it (a run, queued events) in the same transaction; returns how many things
	 * it reported (0 or more: added to run_poller_once's count), or -1 with err.
	 */
	int (*get)(void *ud, const char *key, char **value, char *err, size_t errsz);
	int (*set)(void *ud, const char *key, const char *value, const run_poller_change *change,
	           char *err, size_t errsz);
	void *ud;
} run_poller_config;

/* A poller with `cfg` (copied; ud borrowed, must outlive it). Free with run_poller_free. */
int run_poller_new(run_poller **out, const run_poller_config *cfg, char *err, size_t errsz);
void run_poller_free(run_poller *p);
/*
 * One poll (see run_poll_once): resolves the type and fields on the first call, then
 * reads what changed since the cursor while the share lasts, each change committed by
 * the store with its snapshot. *added (may be NULL): the store's count. 0, or -1 and err.
 * Not thread-safe: one thread polls.
 */
int run_poller_once(run_poller *p, ontra_client *c, size_t *added, char *err, size_t errsz);
/* Whether the first poll's baseline is complete (*done 1), from the store. 0 or -1. */
int run_poller_baseline_done(const run_poller *p, int *done, char *err, size_t errsz);
/* The resolved object type, -1 before the first poll resolved it. */
int run_poller_type(const run_poller *p);
/* As run_poll_next_ms and run_poll_describe. */
int64_t run_poller_next_ms(const run_poller *p);
const char *run_poller_describe(const run_poller *p);
/* The requests a minute it may send: share * the account's limit (at least 1). */
size_t run_poller_budget(const run_poller *p);

typedef struct run_poll run_poll;

/*
 * The poll trigger, on a poller: a synthetic "updated" event per object of the
 * scenario's type whose watched fields (trigger.changed, names or aliases,
 * or every field but id, dlm and time_since_dla) changed since the last
 * poll, found by paging on date last modified (dlm), with each changed
 * field's old and new value. Its cursor ("poll.cursor") and the objects'
 * last-seen values ("poll.snap.<id>") live in the journal's state, so a
 * restart misses nothing. The first poll reports nothing: the cursor starts
 * at the type's newest dlm; an object first seen after that (created, or
 * changed for the first time) reports its watched fields' old values as
 * null. `share` (0 < share <= 1; 0 = 0.2) is the fraction of the account's
 * rate limit it may use (180 a minute until a response says otherwise):
 * it counts what the client sent (ontra_client_stats) around its own
 * calls, so a client used by other threads meanwhile makes it count those
 * too (it then uses less, never more). s and j must outlive the poll.
 * Free with run_poll_free.
 */
int run_poll_new(run_poll **out, run_journal *j, const scen_scenario *s, double share, char *err,
                 size_t errsz);
void run_poll_free(run_poll *p);
/*
 * One poll: every change since the cursor becomes a run (source
 * "poll:<type>:<id>:<dlm>", with ":<hash of the changes>" added when the
 * object changed again within the second of the values last reported;
 * order key "<type>:<id>"; event {"type": "updated", "object_type": T,
 * "id": N, "changes": {field as the scenario wrote it: {"old": V, "new":
 * V}}, "data": {the record}}), each committed with its object's snapshot,
 * the cursor moving only past what is committed. It stops early when the
 * share of the last minute is spent (the next poll goes on from there).
 * *added (may be NULL) is how many runs. 0, or -1 and err (what was
 * committed before the failure stays; nothing is reported twice).
 * Not thread-safe: one thread polls.
 */
int run_poll_once(run_poll *p, ontra_client *c, size_t *added, char *err, size_t errsz);
/*
 * When the next poll may start (ms since the epoch): `every` after the last
 * start, or later when the share of the last minute is spent; when the last
 * poll stopped for the share, as soon as the share allows. 0 before the
 * first poll.
 */
int64_t run_poll_next_ms(const run_poll *p);
/*
 * One line saying what it does and what share of the rate limit it uses:
 * "polls contacts every 30s, using at most 36 of the account's 180 requests
 * a minute (20%)" (borrowed; the numbers follow the limit the account
 * reports).
 */
const char *run_poll_describe(const run_poll *p);

#endif
