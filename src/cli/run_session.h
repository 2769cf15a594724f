/*
 * run_session: what `ontraport run` holds while it runs (cmd_run.c): the
 * scenarios, their clients (one share per connection), the journal, the
 * engines and the triggers. run_session_open checks and connects;
 * run_session_go runs; run_session_close releases whatever was reached.
 */
#ifndef CLI_RUN_SESSION_H
#define CLI_RUN_SESSION_H

#include <pthread.h>
#include <signal.h>

#include "cli.h"
#include "runner.h"

/* Counts of runs ended in this process, per scenario (under the session's lock). */
typedef struct run_counts {
	long done, dead, filtered, waiting;
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
	run_counts counts;
	int64_t last_run; /* the last run --event added, or 0 */
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
	unsigned workers;
	pthread_mutex_t lock;
	sigset_t stop_signals;
	int progress;       /* a progress line on stderr (a terminal) */
	pthread_t triggers; /* the poll/schedule thread */
	int triggers_started;
	volatile sig_atomic_t stop;
} run_session;

int run_session_open(run_session *rs, cli_ctx *ctx, cli_args *args);
int run_session_go(run_session *rs);
int run_session_close(run_session *rs, int rc);

#endif
