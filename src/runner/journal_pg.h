/*
 * journal_pg: the run journal on PostgreSQL (issue 15 §4), the ledger of
 * pgqueue (pgq_run_*, src/pgqueue) behind run_journal_* for a journal opened
 * on a postgresql:// URL. Internal to src/runner: journal.c opens it, and
 * every run_journal_* function hands its call here when j->pg is set.
 *
 * What differs from the SQLite journal: workers on every host share the
 * runs. A claim is a lease with a fencing token held in the database; this
 * process keeps the fences of its claims and renews their leases from a
 * thread of its own, every third of the lease. A step written under a claim
 * that was lost (the lease ended, another worker took the run over) is
 * refused and nothing is written: the other worker goes on from what the
 * ledger says. One connection behind a mutex, opened again after it broke
 * (at most once a second). Errors go to run_journal__seterr.
 */
#ifndef RUN_JOURNAL_PG_H
#define RUN_JOURNAL_PG_H

#include <stddef.h>
#include <stdint.h>

#include "runner.h"

typedef struct run_pgj run_pgj;

/* Whether path is a PostgreSQL URL (postgresql:// or postgres://). */
int run_pgj__is_url(const char *path);

/*
 * Connect and check the schema. 0 and *out; RUN_JOURNAL_EFOREIGN (not
 * migrated, or newer than this program), RUN_JOURNAL_EUNREACHABLE, or -1,
 * with the error set (the URL's password never in it).
 */
int run_pgj__open(run_pgj **out, const char *url);
void run_pgj__close(run_pgj *p);
void run_pgj__set_lease(run_pgj *p, int64_t lease_ms);

int run_pgj__add(run_pgj *p, const char *scenario, const char *source, const char *order_key,
                 const char *event_json, int64_t *id, int *created);
int run_pgj__claim(run_pgj *p, const char *scenario, run_record **out, int64_t *wake_at);
void run_pgj__release(run_pgj *p, int64_t run_id);
int run_pgj__step_sending(run_pgj *p, int64_t run_id, int index, const char *step_id,
                          const char *idem_key);
int run_pgj__step_done(run_pgj *p, int64_t run_id, int index, const char *step_id, int status,
                       const char *output_json, int last);
int run_pgj__step_failed(run_pgj *p, int64_t run_id, int index, const char *step_id,
                         const char *error, int64_t retry_at_ms);
int run_pgj__filtered(run_pgj *p, int64_t run_id);
int run_pgj__get(run_pgj *p, int64_t id, run_record **out);
int run_pgj__list(run_pgj *p, const char *scenario, int mask, int newest_first, size_t limit,
                  run_list_cb cb, void *ud);
int run_pgj__counts(run_pgj *p, const char *scenario, int64_t *pending, int64_t *done,
                    int64_t *dead, int64_t *filtered);
int run_pgj__replay(run_pgj *p, int64_t id, const char *scenario, int64_t *count);
int run_pgj__purge(run_pgj *p, int64_t before_ms, int mask, const char *scenario, int64_t *count);
int run_pgj__state_get(run_pgj *p, const char *scenario, const char *key, char **value);
int run_pgj__state_set(run_pgj *p, const char *scenario, const char *key, const char *value,
                       const run_new *also_runs, size_t nruns);

#endif
