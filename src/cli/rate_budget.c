/* rate_budget: the budget hook over pgq_budget_* (contract in rate_budget.h). */
#include "rate_budget.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_log.h"
#include "pgqueue.h"
#include "util.h"
#include "banned.h"

/* A decaying maximum of recent round trips, as the pacer keeps (src/lib/pacer.c). */
#define RTT_DECAY 0.95
/* After a failure, the next connection attempt waits this long (seconds). */
#define RECONNECT_S 1.0

struct cli_budget {
	pthread_mutex_t mu;
	pgq *q;       /* NULL while the database is unreachable */
	char *url;    /* to reconnect; a secret */
	double rtt;   /* seconds */
	double retry; /* no connection attempt before this (monotonic s) */
	int warned;
	ontra_budget hook;
	/* What this process last told the database, to skip a round trip that changes nothing. */
	char told_account[257];
	long told_limit, told_reset;
	/* For cli_budget_stats_get: this process's takes and waits, the account's row as last read.
	 */
	cli_budget_stats stats;
	double stats_read; /* monotonic s of the last read of the row; 0 = never */
};

/* The account's row is read for the stats at most this often (seconds). */
#define STATS_MAX_AGE_S 1.0

/* The database failed: close, retry later, warn once. Lock held. */
static void lost(cli_budget *b)
{
	pgq_close(b->q);
	b->q = NULL;
	b->retry = util_mono_s() + RECONNECT_S;
	if (!b->warned) {
		char line[1400];
		snprintf(line, sizeof line,
		         "ontraport: warning: the shared rate budget cannot be reached (%s); "
		         "pacing on this process's own count until it can",
		         pgq_last_error());
		cli_log_line(CLI_LOG_WARN, line); /* a JSON line under run --log-format json */
	}
	b->warned = 1;
}

/* The connection, reconnecting when due; NULL while unreachable. Lock held. */
static pgq *conn(cli_budget *b)
{
	if (!b->q && util_mono_s() >= b->retry && pgq_open(&b->q, b->url) != 0)
		lost(b);
	return b->q;
}

/*
 * The slot this thread's request was given, until its answer (the library
 * calls reserve and answer on the requesting thread).
 */
static _Thread_local struct {
	const cli_budget *b;
	int slot;
	char account[257];
} taken;

/* Count a take's outcome for the stats. Lock held. */
static void count_take(cli_budget *b, const char *app_id, int64_t wait, int slot)
{
	snprintf(b->stats.account, sizeof b->stats.account, "%s", app_id);
	if (wait == 0 && slot > 0)
		b->stats.requests++;
	else if (wait > 0) {
		b->stats.waits++;
		b->stats.waited_ms += wait;
	}
}

static long reserve(void *userdata, const char *app_id, char *why, size_t whysz)
{
	cli_budget *b = userdata;
	int64_t wait = -1;
	int slot = 0;
	pgq *q;

	pthread_mutex_lock(&b->mu);
	q = conn(b);
	if (q && pgq_budget_take(q, app_id, (int64_t)(b->rtt * 1000.0), &wait, &slot) != 0) {
		lost(b);
		wait = -1;
	}
	count_take(b, app_id, wait, slot);
	pthread_mutex_unlock(&b->mu);
	taken.b = wait == 0 && slot > 0 ? b : NULL;
	taken.slot = slot;
	snprintf(taken.account, sizeof taken.account, "%s", app_id);
	if (wait > 0)
		snprintf(why, whysz,
		         "the account's rate budget, shared with its other workers, is spent for "
		         "%.1f s",
		         (double)wait / 1000.0);
	return (long)wait;
}

/* Whether the database has been told this already (a limit as known, a window as long). */
static int told(const cli_budget *b, const char *app_id, const ontra_rate_limit *rl)
{
	return !strcmp(b->told_account, app_id) && (rl->limit <= 0 || rl->limit == b->told_limit) &&
	       rl->reset <= b->told_reset;
}

static void remember(cli_budget *b, const char *app_id, const ontra_rate_limit *rl)
{
	if (strcmp(b->told_account, app_id) != 0) {
		snprintf(b->told_account, sizeof b->told_account, "%s", app_id);
		b->told_limit = b->told_reset = 0;
	}
	if (rl->limit > 0)
		b->told_limit = rl->limit;
	if (rl->reset > b->told_reset)
		b->told_reset = rl->reset;
}

static void answer(void *userdata, const char *app_id, const ontra_rate_limit *rl, int status,
                   double seconds)
{
	cli_budget *b = userdata;
	pgq *q;

	pthread_mutex_lock(&b->mu);
	b->rtt *= RTT_DECAY;
	if (seconds > b->rtt && seconds < 60.0)
		b->rtt = seconds;
	if (taken.b == b && !strcmp(taken.account, app_id)) {
		q = conn(b);
		if (q && pgq_budget_sent(q, app_id, taken.slot) != 0)
			lost(b);
	}
	taken.b = NULL;
	if (status == 429 || !told(b, app_id, rl)) {
		q = conn(b);
		if (q && pgq_budget_tell(q, app_id, rl->limit, rl->reset, status) != 0)
			lost(b);
		else if (q)
			remember(b, app_id, rl);
	}
	pthread_mutex_unlock(&b->mu);
}

int cli_budget_open(cli_budget **out, const char *url)
{
	cli_budget *b = calloc(1, sizeof *b);
	int rc;

	*out = NULL;
	if (!b || !(b->url = util_strdup(url))) {
		free(b);
		return PGQ_ERROR;
	}
	if ((rc = pgq_open(&b->q, url)) != 0) {
		cli_budget_free(b);
		return rc;
	}
	pthread_mutex_init(&b->mu, NULL);
	b->hook.reserve = reserve;
	b->hook.answer = answer;
	b->hook.userdata = b;
	*out = b;
	return 0;
}

void cli_budget_stats_get(cli_budget *b, cli_budget_stats *out)
{
	double now = util_mono_s();
	int rc;

	pthread_mutex_lock(&b->mu);
	if (b->q && b->stats.account[0] &&
	    (!b->stats_read || now - b->stats_read >= STATS_MAX_AGE_S)) {
		b->stats_read = now;
		rc = pgq_budget_get(b->q, b->stats.account, &b->stats.shared);
		b->stats.shared_known = rc == 0;
		if (rc != 0 && rc != PGQ_ENOTFOUND)
			lost(b);
	}
	b->stats.up = b->q != NULL;
	*out = b->stats;
	pthread_mutex_unlock(&b->mu);
}

const ontra_budget *cli_budget_hook(cli_budget *b)
{
	return &b->hook;
}

void cli_budget_free(cli_budget *b)
{
	if (!b)
		return;
	pgq_close(b->q);
	if (b->hook.reserve)
		pthread_mutex_destroy(&b->mu);
	if (b->url) {
		memset(b->url, 0, strlen(b->url));
		free(b->url);
	}
	free(b);
}
