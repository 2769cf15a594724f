/*
 * run_session: what `ontraport run` holds while it runs (cmd_run.c): the
 * scenarios, their clients (one share per connection), the journal, the
 * engines and the triggers. cli_run_open checks and connects;
 * cli_run_go runs; cli_run_close releases whatever was reached.
 */
#ifndef CLI_RUN_SESSION_H
#define CLI_RUN_SESSION_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "cli.h"
#include "runner.h"
#include "subscriptions.h"
#include "watch_session.h"

/* Counts of runs ended in this process, per scenario (under the session's lock). */
typedef struct run_counts {
	long done, dead, filtered, waiting;
	long skipped; /* dead under on_error: skip: not a failure of the command */
} run_counts;

typedef struct run_scenario {
	struct run_session *rs;
	const char *file;
	char *text;
	scen_scenario *s;
	ontra_client **clients; /* one per worker */
	unsigned nclients;
	run_names *names;
	run_engine *engine;
	run_poll *poll;
	ontra_client *trigger_client; /* the poll's and the watch's subscriptions', on the share */
	cli_hooks hooks;              /* watch: what to subscribe */
	char key[80];                 /* watch: the webhook key its events are queued under */
	int64_t next_tick;            /* schedule, poll: when to look again (ms) */
	run_counts counts;
	int64_t last_run; /* the last run --event added, or 0 */
	int stopped;      /* its engine stopped itself (on_error: stop) */
} run_scenario;

typedef struct run_share {
	const char *connection; /* NULL: the default */
	ontra_share *share;
} run_share;

typedef struct run_session {
	cli_ctx *ctx;
	cli_args *args;
	run_scenario *v;
	size_t n;
	run_share *shares;
	size_t nshares;
	run_journal *journal;
	char journal_path[4200];
	int dry_run, once, one_shot;
	double poll_share; /* --poll-share, as a fraction */
	unsigned workers;
	pthread_mutex_t lock;
	sigset_t stop_signals;
	int progress;     /* a progress line on stderr (a terminal) */
	cli_watch *watch; /* the receiver, when a scenario has a watch trigger */
	/* the receiver's --metrics, or NULL (under lock; set NULL before the watch closes) */
	struct cli_metrics *metrics;
	pthread_t triggers; /* the poll/schedule thread */
	int triggers_started;
	atomic_int stop;           /* the triggers thread stops: set by the main thread */
	struct cli_budget *budget; /* --rate-budget (or $ONTRAPORT_QUEUE): shared in PostgreSQL */
} run_session;

/* Print each problem line on stderr (and how many more), then free them. */
void cli_scenario_problems(const char *path, scen_problems *p);

/*
 * A loaded scenario's names against the account of c (run_names_resolve):
 * EXIT_OK and *out, EXIT_INVALID with each problem printed (FILE:LINE:COL),
 * or the exit code of the failure to ask the account (printed). Shared by
 * `run` and `scenario check`.
 */
int cli_scenario_names(cli_ctx *ctx, ontra_client *c, const char *path, const scen_scenario *s,
                       run_names **out);

int cli_run_open(run_session *rs, cli_ctx *ctx, cli_args *args);
int cli_run_go(run_session *rs);
int cli_run_close(run_session *rs, int rc);

#endif
