/*
 * ops_metrics: GET /metrics and GET /healthz for watch and run (see ops_metrics.h).
 */
#include "ops_metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdio.h>
#include <time.h>

#include "ontraport.h"
#include "util.h"
#include "banned.h"

/* The queue's counts are read at most this often. */
#define COUNTS_MAX_AGE_MS 1000

struct cli_metrics {
	rcv_queue *q;
	cli_budget *budget; /* or NULL */
	char cmd[16];
	char *path; /* the SQLite file, or NULL */
	dev_t dev;
	ino_t ino;
	atomic_ullong delivered, failures, dead, runs_done, runs_dead;

	pthread_mutex_t mu; /* the cached counts below */
	int64_t read_at;    /* ms; 0 = never */
	int rc;             /* the last read's code */
	int64_t pending, done, dead_now, oldest_ms;
};

cli_metrics *cli_metrics_new(const char *cmd)
{
	cli_metrics *m = calloc(1, sizeof *m);

	if (!m)
		return NULL;
	snprintf(m->cmd, sizeof m->cmd, "%s", cmd);
	pthread_mutex_init(&m->mu, NULL);
	return m;
}

int cli_metrics_attach(cli_metrics *m, rcv_queue *q, const char *path)
{
	struct stat st;

	m->q = q;
	if (!path || stat(path, &st) != 0)
		return 0;
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	return (m->path = util_strdup(path)) ? 0 : -1;
}

void cli_metrics_budget(cli_metrics *m, cli_budget *b)
{
	m->budget = b;
}

void cli_metrics_free(cli_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->mu);
	free(m->path);
	free(m);
}

void cli_metrics_outcome(cli_metrics *m, rcv_outcome outcome)
{
	if (!m)
		return;
	if (outcome == RCV_OUTCOME_DONE) {
		atomic_fetch_add(&m->delivered, 1);
		return;
	}
	atomic_fetch_add(&m->failures, 1);
	if (outcome == RCV_OUTCOME_DEAD)
		atomic_fetch_add(&m->dead, 1);
}

void cli_metrics_run(cli_metrics *m, int dead)
{
	if (m)
		atomic_fetch_add(dead ? &m->runs_dead : &m->runs_done, 1);
}

static int oldest_cb(const rcv_item *item, void *userdata)
{
	*(int64_t *)userdata = item->received_at;
	return 0;
}

/* Read the counts when the cached ones are older than COUNTS_MAX_AGE_MS (m->mu held). */
static void refresh(cli_metrics *m)
{
	int64_t now = util_now_ms();

	if (m->read_at && now - m->read_at < COUNTS_MAX_AGE_MS && now >= m->read_at)
		return;
	m->read_at = now;
	m->oldest_ms = 0;
	m->rc = rcv_queue_counts(m->q, &m->pending, &m->done, &m->dead_now);
	if (m->rc == 0 && m->pending > 0)
		m->rc = rcv_queue_list(m->q, RCV_PENDING, 0, 1, oldest_cb, &m->oldest_ms);
}

/* Why the queue is not healthy, or NULL when it is (m->mu held). */
static const char *unhealthy(cli_metrics *m, char *why, size_t n)
{
	struct stat st;

	if (m->rc) {
		snprintf(why, n, "the queue does not answer: %s", rcv_strerror(m->rc));
		return why;
	}
	if (m->path && (stat(m->path, &st) != 0 || st.st_dev != m->dev || st.st_ino != m->ino)) {
		snprintf(why, n, "the queue file '%s' was removed or replaced", m->path);
		return why;
	}
	return NULL;
}

static void metric(util_buf *b, const char *name, const char *type, const char *help)
{
	util_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value escaped as the text format wants: backslash, double quote, newline. */
static void label_value(util_buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			util_buf_putc(b, '\\');
		if (*v == '\n')
			util_buf_puts(b, "\\n");
		else
			util_buf_putc(b, *v);
	}
}

/* A sample labelled with the account: NAME{account="ID"} */
static void account_sample(util_buf *b, const char *name, const char *account)
{
	util_buf_printf(b, "%s{account=\"", name);
	label_value(b, account);
	util_buf_puts(b, "\"} ");
}

/* The account's row: every worker's use of its budget (once the row was read). */
static void render_shared(util_buf *b, const cli_budget_stats *st)
{
	const pgq_budget_state *sh = &st->shared;

	metric(b, "ontraport_rate_budget_limit", "gauge", "requests the account may make a window");
	account_sample(b, "ontraport_rate_budget_limit", st->account);
	util_buf_printf(b, "%lld\n", (long long)sh->limit);
	metric(b, "ontraport_rate_budget_window_seconds", "gauge",
	       "the account's rate-limit window");
	account_sample(b, "ontraport_rate_budget_window_seconds", st->account);
	util_buf_printf(b, "%g\n", (double)sh->window_ms / 1000.0);
	metric(b, "ontraport_rate_budget_used", "gauge",
	       "requests every worker of the account took within the last window");
	account_sample(b, "ontraport_rate_budget_used", st->account);
	util_buf_printf(b, "%lld\n", (long long)sh->used);
	metric(b, "ontraport_rate_budget_refused_total", "counter",
	       "429 answers the account's workers were given");
	account_sample(b, "ontraport_rate_budget_refused_total", st->account);
	util_buf_printf(b, "%lld\n", (long long)sh->refused);
}

/* The shared rate budget (run --rate-budget): this process's use, and the account's. */
static void render_budget(cli_budget *budget, util_buf *b)
{
	cli_budget_stats st;

	cli_budget_stats_get(budget, &st);
	metric(b, "ontraport_rate_budget_up", "gauge",
	       "1 while the rate budget's database is connected, else 0");
	util_buf_printf(b, "ontraport_rate_budget_up %d\n", st.up);
	metric(b, "ontraport_rate_budget_requests_total", "counter",
	       "requests this process took from the shared rate budget");
	util_buf_printf(b, "ontraport_rate_budget_requests_total %llu\n",
	                (unsigned long long)st.requests);
	metric(b, "ontraport_rate_budget_waits_total", "counter",
	       "times this process waited for the shared rate budget");
	util_buf_printf(b, "ontraport_rate_budget_waits_total %llu\n",
	                (unsigned long long)st.waits);
	metric(b, "ontraport_rate_budget_wait_seconds_total", "counter",
	       "what this process's waits for the shared rate budget added up to");
	util_buf_printf(b, "ontraport_rate_budget_wait_seconds_total %g\n",
	                (double)st.waited_ms / 1000.0);
	if (st.shared_known)
		render_shared(b, &st);
}

static void render(cli_metrics *m, util_buf *b, int up)
{
	int64_t age = m->pending > 0 && m->oldest_ms ? (util_now_ms() - m->oldest_ms) / 1000 : 0;

	metric(b, "ontraport_info", "gauge", "the process: its command and version (always 1)");
	util_buf_puts(b, "ontraport_info{cmd=\"");
	label_value(b, m->cmd);
	util_buf_printf(b, "\",version=\"%s\"} 1\n", ONTRA_VERSION);
	metric(b, "ontraport_queue_up", "gauge", "1 when the queue answered its last read, else 0");
	util_buf_printf(b, "ontraport_queue_up %d\n", up);
	metric(b, "ontraport_queue_pending", "gauge", "events waiting for a delivery");
	util_buf_printf(b, "ontraport_queue_pending %lld\n", (long long)m->pending);
	metric(b, "ontraport_queue_oldest_pending_age_seconds", "gauge",
	       "age of the oldest pending event (0 when none is pending)");
	util_buf_printf(b, "ontraport_queue_oldest_pending_age_seconds %lld\n",
	                (long long)(age > 0 ? age : 0));
	metric(b, "ontraport_queue_dead", "gauge", "dead events in the queue (events replay)");
	util_buf_printf(b, "ontraport_queue_dead %lld\n", (long long)m->dead_now);
	metric(b, "ontraport_deliveries_total", "counter", "events delivered by this process");
	util_buf_printf(b, "ontraport_deliveries_total %llu\n", atomic_load(&m->delivered));
	metric(b, "ontraport_delivery_failures_total", "counter",
	       "failed delivery attempts by this process (retried or dead)");
	util_buf_printf(b, "ontraport_delivery_failures_total %llu\n", atomic_load(&m->failures));
	metric(b, "ontraport_dead_total", "counter", "events this process gave up on (dead)");
	util_buf_printf(b, "ontraport_dead_total %llu\n", atomic_load(&m->dead));
	metric(b, "ontraport_lease_takeovers_total", "counter",
	       "events this process claimed after another worker's lease on them ended "
	       "(PostgreSQL queue; 0 with SQLite)");
	util_buf_printf(b, "ontraport_lease_takeovers_total %llu\n",
	                (unsigned long long)rcv_queue_takeovers(m->q));
	if (strcmp(m->cmd, "run") != 0)
		return;
	metric(b, "ontraport_runs_total", "counter", "scenario runs finished by this process");
	util_buf_printf(b, "ontraport_runs_total{result=\"done\"} %llu\n",
	                atomic_load(&m->runs_done));
	util_buf_printf(b, "ontraport_runs_total{result=\"dead\"} %llu\n",
	                atomic_load(&m->runs_dead));
	if (m->budget)
		render_budget(m->budget, b);
}

unsigned cli_metrics_http(void *userdata, const char *path, char **body)
{
	cli_metrics *m = userdata;
	util_buf b = UTIL_BUF_INIT;
	char why[512];
	const char *bad;
	unsigned status = 200;

	pthread_mutex_lock(&m->mu);
	refresh(m);
	bad = unhealthy(m, why, sizeof why);
	if (strcmp(path, "/healthz") == 0) {
		util_buf_printf(&b, "%s\n", bad ? bad : "ok");
		status = bad ? 503 : 200;
	} else {
		render(m, &b, m->rc == 0);
	}
	pthread_mutex_unlock(&m->mu);
	*body = util_buf_failed(&b) ? NULL : util_buf_detach(&b);
	if (!*body)
		util_buf_release(&b);
	return status;
}
