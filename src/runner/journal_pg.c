/*
 * journal_pg: the run journal on PostgreSQL, over pgqueue's ledger (see
 * journal_pg.h).
 */
#include "journal_pg.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "journal_int.h"
#include "pgqueue.h"
#include "util.h"
#include "banned.h"

/* After the connection failed, the next attempt waits this long (ms). */
#define RECONNECT_MS 1000

/* A claim this process holds: the run and its fence; `lost` once a renewal was refused. */
typedef struct pg_claim {
	int64_t id, fence;
	int lost;
} pg_claim;

struct run_pgj {
	pthread_mutex_t mu; /* the connection and the claims */
	pgq *q;             /* NULL while the database is unreachable */
	char *url;          /* to reconnect; a secret */
	int64_t retry_at;   /* monotonic ms: no connection attempt before */
	int64_t lease_ms;
	pg_claim *claims;
	size_t nclaims, claims_alloc;

	pthread_t renewer; /* renews the claims' leases every third of a lease */
	pthread_cond_t cv; /* wakes the renewer to stop (monotonic clock) */
	int stopping, renewing;
};

int run_pgj__is_url(const char *path)
{
	return path &&
	       (util_starts_with(path, "postgresql://") || util_starts_with(path, "postgres://"));
}

/* The pgqueue error as the journal's; returns -1. */
static int pgerr(void)
{
	return run_journal__seterr("journal: %s", pgq_last_error());
}

/* The connection, opened again when it broke (at most once a RECONNECT_MS); NULL and the
 * error set while unreachable. mu held. */
static pgq *conn(run_pgj *p)
{
	if (p->q && !pgq_connected(p->q)) {
		pgq_close(p->q);
		p->q = NULL;
	}
	if (!p->q && util_mono_ms() >= p->retry_at && pgq_open(&p->q, p->url) != 0) {
		p->q = NULL;
		p->retry_at = util_mono_ms() + RECONNECT_MS;
		pgerr();
		return NULL;
	}
	if (!p->q)
		run_journal__seterr("journal: the database cannot be reached (retried within a "
		                    "second)");
	return p->q;
}

/* ---- claims ---- */

static pg_claim *find_claim(run_pgj *p, int64_t id)
{
	size_t i;

	for (i = 0; i < p->nclaims; i++)
		if (p->claims[i].id == id)
			return &p->claims[i];
	return NULL;
}

static int start_renewer(run_pgj *p);

/* Keep a claim just taken; the first one starts the renewer (a journal only read, as by
 * `runs list`, never has one). mu held. */
static int keep_claim(run_pgj *p, int64_t id, int64_t fence)
{
	if (!p->renewing && start_renewer(p) != 0)
		return -1;
	if (p->nclaims == p->claims_alloc) {
		size_t n = p->claims_alloc ? p->claims_alloc * 2 : 8;
		pg_claim *c = realloc(p->claims, n * sizeof *c);
		if (!c)
			return run_journal__seterr("journal: out of memory");
		p->claims = c;
		p->claims_alloc = n;
	}
	p->claims[p->nclaims++] = (pg_claim){id, fence, 0};
	return 0;
}

static void drop_claim(run_pgj *p, int64_t id)
{
	pg_claim *c = find_claim(p, id);

	if (c)
		*c = p->claims[--p->nclaims];
}

/* The claim on run id is lost (its lease ended, another worker took the run over): marked,
 * so that every later write under it is refused so too (until the release), and said so;
 * returns RUN_JOURNAL_ELOST. mu held. */
static int lost_claim(pg_claim *c)
{
	c->lost = 1;
	run_journal__seterr("journal: the claim on run %lld was lost (its lease ended and another "
	                    "worker took the run over): nothing written",
	                    (long long)c->id);
	return RUN_JOURNAL_ELOST;
}

/*
 * The fence of this process's claim on run id, for a write under it: 0 and *fence, or -1
 * with the error set (no claim held), or RUN_JOURNAL_ELOST (a renewal found it lost). mu held.
 */
static int fence_of(run_pgj *p, int64_t id, int64_t *fence)
{
	pg_claim *c = find_claim(p, id);

	if (!c)
		return run_journal__seterr("journal: run %lld is not claimed by this process",
		                           (long long)id);
	if (c->lost)
		return lost_claim(c);
	*fence = c->fence;
	return 0;
}

/* A write under a claim answered rc. Returns 0, -1 or RUN_JOURNAL_ELOST. mu held. */
static int claimed_write(run_pgj *p, int64_t id, int rc)
{
	if (rc == PGQ_ELEASE)
		return lost_claim(find_claim(p, id));
	return rc ? pgerr() : 0;
}

/* Renew every claim held; a claim found lost is marked so (its next write is refused). */
static void renew_all(run_pgj *p)
{
	pgq *q = conn(p);
	size_t i;

	for (i = 0; q && i < p->nclaims; i++)
		if (!p->claims[i].lost && pgq_run_renew(q, p->claims[i].id, p->claims[i].fence,
		                                        p->lease_ms) == PGQ_ELEASE)
			p->claims[i].lost = 1;
}

static void *renewer(void *arg)
{
	run_pgj *p = arg;
	struct timespec ts;

	pthread_mutex_lock(&p->mu);
	while (!p->stopping) {
		int64_t ms = p->lease_ms / 3;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(ms / 1000);
		ts.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&p->cv, &p->mu, &ts) == ETIMEDOUT && !p->stopping)
			renew_all(p);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- open, close ---- */

static int open_code(int rc)
{
	switch (rc) {
	case PGQ_ESCHEMA:
	case PGQ_ENEWER:
		return RUN_JOURNAL_EFOREIGN;
	case PGQ_ECONNECT:
		return RUN_JOURNAL_EUNREACHABLE;
	default:
		return -1;
	}
}

static int start_renewer(run_pgj *p)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&p->renewer, NULL, renewer, p) != 0) {
		pthread_cond_destroy(&p->cv);
		return run_journal__seterr("journal: cannot start the lease renewer");
	}
	p->renewing = 1;
	return 0;
}

int run_pgj__open(run_pgj **out, const char *url)
{
	run_pgj *p = calloc(1, sizeof *p);
	int rc;

	*out = NULL;
	if (!p || !(p->url = util_strdup(url))) {
		free(p);
		return run_journal__seterr("journal: out of memory");
	}
	pthread_mutex_init(&p->mu, NULL);
	p->lease_ms = RUN_JOURNAL_DEFAULT_LEASE_MS;
	if ((rc = pgq_open(&p->q, url)) != 0) {
		rc = open_code(rc);
		pgerr();
	}
	if (rc) {
		run_pgj__close(p);
		return rc;
	}
	*out = p;
	return 0;
}

void run_pgj__close(run_pgj *p)
{
	if (!p)
		return;
	if (p->renewing) {
		pthread_mutex_lock(&p->mu);
		p->stopping = 1;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->renewer, NULL);
		pthread_cond_destroy(&p->cv);
	}
	/* Claims still held end with their leases: another worker goes on after. */
	pgq_close(p->q);
	pthread_mutex_destroy(&p->mu);
	memset(p->url, 0, strlen(p->url));
	free(p->url);
	free(p->claims);
	free(p);
}

void run_pgj__set_lease(run_pgj *p, int64_t lease_ms)
{
	pthread_mutex_lock(&p->mu);
	p->lease_ms = lease_ms;
	pthread_mutex_unlock(&p->mu);
}

/* ---- records ---- */

/* A run record taking the strings of r (left NULL in it). */
static run_record *take_run(pgq_run *r)
{
	run_record *o = calloc(1, sizeof *o);
	size_t i;

	if (!o || (r->nsteps && !(o->steps = calloc(r->nsteps, sizeof *o->steps)))) {
		free(o);
		run_journal__seterr("journal: out of memory");
		return NULL;
	}
	*o = (run_record){
	    r->id,         r->scenario,   r->source,   r->order_key,       r->event,
	    r->status,     r->step,       r->attempts, r->next_attempt_at, r->last_error,
	    r->created_at, r->updated_at, o->steps,    r->nsteps};
	for (i = 0; i < r->nsteps; i++) {
		pgq_run_step *s = &r->steps[i];
		o->steps[i] =
		    (run_step_rec){s->index,    s->step_id,  s->status,     s->output,     s->error,
		                   s->attempts, s->idem_key, s->started_at, s->finished_at};
		s->step_id = s->output = s->error = s->idem_key = NULL;
	}
	r->scenario = r->source = r->order_key = r->event = r->last_error = NULL;
	return o;
}

/* A run record borrowing the strings of r, without its steps (for a list's call back). */
static run_record view_run(const pgq_run *r)
{
	return (run_record){r->id,
	                    r->scenario,
	                    r->source,
	                    r->order_key,
	                    r->event,
	                    r->status,
	                    r->step,
	                    r->attempts,
	                    r->next_attempt_at,
	                    r->last_error,
	                    r->created_at,
	                    r->updated_at,
	                    NULL,
	                    0};
}

/* ---- the calls ---- */

/* Take the lock and the connection: q, or NULL (unlocked, the error set). */
static pgq *lock_conn(run_pgj *p)
{
	pgq *q;

	pthread_mutex_lock(&p->mu);
	if (!(q = conn(p)))
		pthread_mutex_unlock(&p->mu);
	return q;
}

int run_pgj__add(run_pgj *p, const char *scenario, const char *source, const char *order_key,
                 const char *event_json, int64_t *id, int *created)
{
	pgq *q = lock_conn(p);
	int rc;

	if (!q)
		return -1;
	rc = pgq_run_add(q, scenario, source, order_key, event_json, id, created) ? pgerr() : 0;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int run_pgj__claim(run_pgj *p, const char *scenario, run_record **out, int64_t *wake_at)
{
	pgq *q = lock_conn(p);
	pgq_run *r = NULL;
	int rc;

	*out = NULL;
	if (!q)
		return -1;
	rc = pgq_run_claim(q, scenario, p->lease_ms, &r, wake_at);
	if (rc == PGQ_ENOTFOUND) {
		rc = 1;
	} else if (rc) {
		rc = pgerr();
	} else if (keep_claim(p, r->id, r->fence) || !(*out = take_run(r))) {
		pgq_run_release(q, r->id, r->fence); /* best effort; else its lease ends */
		drop_claim(p, r->id);
		rc = -1;
	}
	pthread_mutex_unlock(&p->mu);
	pgq_run_free(r);
	return rc;
}

void run_pgj__release(run_pgj *p, int64_t run_id)
{
	pg_claim *c;
	pgq *q;

	pthread_mutex_lock(&p->mu);
	c = find_claim(p, run_id);
	if (c && !c->lost && (q = conn(p)))
		pgq_run_release(q, run_id, c->fence); /* else its lease ends */
	drop_claim(p, run_id);
	pthread_mutex_unlock(&p->mu);
}

/* What a write under a claim does; the fence comes from this process's claim. */
typedef enum claimed_op { OP_SENDING, OP_DONE, OP_FAILED, OP_FILTERED } claimed_op;

typedef struct claimed_args {
	claimed_op op;
	int index, status, last;
	const char *step_id, *idem_key, *output, *error;
	int64_t delay_ms;
} claimed_args;

static int claimed_call(pgq *q, int64_t id, int64_t fence, const claimed_args *a)
{
	switch (a->op) {
	case OP_SENDING:
		return pgq_run_step_sending(q, id, fence, a->index, a->step_id, a->idem_key);
	case OP_DONE:
		return pgq_run_step_done(q, id, fence, a->index, a->step_id, a->status, a->output,
		                         a->last);
	case OP_FAILED:
		return pgq_run_step_failed(q, id, fence, a->index, a->step_id, a->error,
		                           a->delay_ms);
	default:
		return pgq_run_filtered(q, id, fence);
	}
}

/* A write under this process's claim on run id; the claim ends with it when `ends`. */
static int claimed(run_pgj *p, int64_t id, const claimed_args *a, int ends)
{
	pgq *q = lock_conn(p);
	int64_t fence = 0;
	int rc;

	if (!q)
		return -1;
	rc = fence_of(p, id, &fence);
	if (!rc)
		rc = claimed_write(p, id, claimed_call(q, id, fence, a));
	if (ends && rc != RUN_JOURNAL_ELOST) /* a lost one stays refused until the release */
		drop_claim(p, id);
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int run_pgj__step_sending(run_pgj *p, int64_t run_id, int index, const char *step_id,
                          const char *idem_key)
{
	claimed_args a = {
	    .op = OP_SENDING, .index = index, .step_id = step_id, .idem_key = idem_key};

	return claimed(p, run_id, &a, 0);
}

int run_pgj__step_done(run_pgj *p, int64_t run_id, int index, const char *step_id, int status,
                       const char *output_json, int last)
{
	claimed_args a = {.op = OP_DONE,
	                  .index = index,
	                  .step_id = step_id,
	                  .status = status,
	                  .output = output_json,
	                  .last = last};

	return claimed(p, run_id, &a, last);
}

int run_pgj__step_failed(run_pgj *p, int64_t run_id, int index, const char *step_id,
                         const char *error, int64_t retry_at_ms)
{
	claimed_args a = {.op = OP_FAILED, .index = index, .step_id = step_id, .error = error};

	/* The journal's retry time is this host's clock; the ledger's, the database's. */
	a.delay_ms = retry_at_ms > 0 ? retry_at_ms - util_now_ms() : -1;
	if (retry_at_ms > 0 && a.delay_ms < 0)
		a.delay_ms = 0;
	return claimed(p, run_id, &a, 1);
}

int run_pgj__filtered(run_pgj *p, int64_t run_id)
{
	claimed_args a = {.op = OP_FILTERED};

	return claimed(p, run_id, &a, 1);
}

int run_pgj__get(run_pgj *p, int64_t id, run_record **out)
{
	pgq *q = lock_conn(p);
	pgq_run *r = NULL;
	int rc;

	*out = NULL;
	if (!q)
		return -1;
	rc = pgq_run_get(q, id, &r);
	pthread_mutex_unlock(&p->mu);
	if (rc == PGQ_ENOTFOUND) {
		run_journal__seterr("journal: no run %lld", (long long)id);
		rc = 1;
	} else if (rc) {
		rc = pgerr();
	} else if (!(*out = take_run(r))) {
		rc = -1;
	}
	pgq_run_free(r);
	return rc;
}

/* How many runs run_pgj__list reads at a time (it calls back without the lock). */
#define LIST_PAGE 64

/* One page of the list after `after` (0: from the start); 0 and the runs, or -1. */
static int list_page(run_pgj *p, const char *scenario, int mask, int newest_first, int64_t after,
                     size_t max, pgq_run ***page, size_t *n)
{
	pgq *q = lock_conn(p);
	int rc;

	if (!q)
		return -1;
	rc = pgq_run_page(q, scenario, mask, newest_first, after, max, page, n) ? pgerr() : 0;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int run_pgj__list(run_pgj *p, const char *scenario, int mask, int newest_first, size_t limit,
                  run_list_cb cb, void *ud)
{
	pgq_run **page = NULL;
	size_t n = 0, i, seen = 0;
	int64_t after = 0;
	int rc = 0, stop = 0;

	while (!stop && !rc && (!limit || seen < limit)) {
		size_t want = limit && limit - seen < LIST_PAGE ? limit - seen : LIST_PAGE;
		if ((rc = list_page(p, scenario, mask, newest_first, after, want, &page, &n)) != 0)
			break;
		for (i = 0; i < n && !stop; i++) {
			run_record r = view_run(page[i]);
			stop = cb(&r, ud);
		}
		after = n ? page[n - 1]->id : after;
		seen += n;
		stop = stop || n < want;
		for (i = 0; i < n; i++)
			pgq_run_free(page[i]);
		free(page);
		page = NULL;
	}
	return rc;
}

int run_pgj__counts(run_pgj *p, const char *scenario, int64_t *pending, int64_t *done,
                    int64_t *dead, int64_t *filtered)
{
	pgq *q = lock_conn(p);
	int rc;

	if (!q)
		return -1;
	rc = pgq_run_counts(q, scenario, pending, done, dead, filtered) ? pgerr() : 0;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int run_pgj__replay(run_pgj *p, int64_t id, const char *scenario, int64_t *count)
{
	pgq *q = lock_conn(p);
	int rc;

	if (!q)
		return -1;
	rc = pgq_run_replay(q, id, scenario, count);
	pthread_mutex_unlock(&p->mu);
	if (rc == PGQ_ENOTFOUND) {
		run_journal__seterr("journal: run %lld is not dead", (long long)id);
		return 1;
	}
	return rc ? pgerr() : 0;
}

int run_pgj__purge(run_pgj *p, int64_t before_ms, int mask, const char *scenario, int64_t *count)
{
	pgq *q = lock_conn(p);
	int rc;

	if (!q)
		return -1;
	rc = pgq_run_purge(q, before_ms, mask, scenario, count) ? pgerr() : 0;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int run_pgj__state_get(run_pgj *p, const char *scenario, const char *key, char **value)
{
	pgq *q = lock_conn(p);
	int rc;

	*value = NULL;
	if (!q)
		return -1;
	rc = pgq_run_state_get(q, scenario, key, value);
	pthread_mutex_unlock(&p->mu);
	if (rc == PGQ_ENOTFOUND)
		return 1;
	return rc ? pgerr() : 0;
}

int run_pgj__state_set(run_pgj *p, const char *scenario, const char *key, const char *value,
                       const run_new *also_runs, size_t nruns)
{
	pgq_run_new *runs = nruns ? calloc(nruns, sizeof *runs) : NULL;
	pgq *q;
	size_t i;
	int rc = -1;

	if (nruns && !runs)
		return run_journal__seterr("journal: out of memory");
	for (i = 0; i < nruns; i++)
		runs[i] = (pgq_run_new){also_runs[i].source, also_runs[i].order_key,
		                        also_runs[i].event_json};
	if ((q = lock_conn(p))) {
		rc = pgq_run_state_set(q, scenario, key, value, runs, nruns) ? pgerr() : 0;
		pthread_mutex_unlock(&p->mu);
	}
	free(runs);
	return rc;
}
