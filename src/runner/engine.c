/*
 * engine: worker threads that take runs from the journal and run their
 * steps in order.
 *
 * The contract (docs/guide/scenarios.md, "What a run guarantees"):
 * - each step's outcome is committed before the next step starts, so after
 *   a crash a run resumes at the first step whose outcome was not committed;
 * - a create (objects/messages/rules create) is journaled SENDING before it
 *   is sent; finding it SENDING (a crash) or getting an unknown outcome (a
 *   lost answer) leads to a lookup, never to a blind second send;
 * - retryable failures (network, 5xx, 429, a command that failed) wait with
 *   backoff (retry.first doubling to retry.max, at most retry.max_attempts
 *   attempts of a step); a refusal (4xx, a bad value) ends the run at once;
 * - runs with the same order key (one object) run one at a time, in order.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "step_args.h"
#include "util.h"
#include "banned.h"

typedef struct worker {
	run_engine *e;
	unsigned index;
	pthread_t thread;
	unsigned seed;
} worker;

struct run_engine {
	run_engine_config cfg;
	json_t *env; /* the allowed environment variables: {NAME: value} */
	worker *workers;
	unsigned started;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* workers: a kick, a stop */
	int stopping;        /* run_engine_stop: finish the step in flight, take no more */
	int stopped_by_run;  /* a run failed with on_error: stop */
	uint64_t kicks;
};

/*
 * Crash points, for the tests of what a crash leaves (tests/integration/
 * test_run_crash.sh): with ONTRAPORT_TEST_CRASH_AT=N in the environment, the
 * process kills itself with SIGKILL at the Nth point, counted across the
 * process: after each step's call returns (before its outcome is journaled)
 * and after each journal commit of a step. Read once, at the first start.
 */
static long crash_at = -1;
static long crash_seen;
static pthread_mutex_t crash_lock = PTHREAD_MUTEX_INITIALIZER;

static void crash_point(void)
{
	long n;

	if (crash_at <= 0)
		return;
	pthread_mutex_lock(&crash_lock);
	n = ++crash_seen;
	pthread_mutex_unlock(&crash_lock);
	if (n == crash_at)
		raise(SIGKILL);
}

static void crash_setup(void)
{
	const char *v = getenv("ONTRAPORT_TEST_CRASH_AT");

	pthread_mutex_lock(&crash_lock);
	if (crash_at < 0)
		crash_at = v ? strtol(v, NULL, 10) : 0;
	pthread_mutex_unlock(&crash_lock);
}

static int stopping(run_engine *e)
{
	int s;

	pthread_mutex_lock(&e->lock);
	s = e->stopping || e->stopped_by_run;
	pthread_mutex_unlock(&e->lock);
	return s;
}

/* A journal failure, to the log callback: "what: the journal's last error". */
static void log_journal(run_engine *e, const char *what)
{
	char line[600];

	if (!e->cfg.log)
		return;
	snprintf(line, sizeof line, "%s: %s", what, run_journal_last_error());
	e->cfg.log(e->cfg.ud, line);
}

static void report(run_engine *e, const run_record *r, int status, const char *step,
                   const char *error, int64_t retry_at)
{
	run_report rep = {e->cfg.scenario->name, r->id, status, step, error, retry_at};

	if (e->cfg.on_report)
		e->cfg.on_report(e->cfg.ud, &rep);
}

/* ---- the context expressions see: event, data, steps, env ---- */

static json_t *context_of(run_engine *e, const run_record *r, char *err, size_t errsz)
{
	json_t *event = json_loads(r->event, JSON_ALLOW_NUL, NULL), *steps = json_object(), *out;
	size_t i;

	if (!event || !steps) {
		snprintf(err, errsz, "the run's event is not JSON");
		json_decref(event);
		json_decref(steps);
		return NULL;
	}
	for (i = 0; i < r->nsteps; i++)
		if (r->steps[i].status == RUN_STEP_DONE && r->steps[i].output)
			json_object_set_new(steps, r->steps[i].step_id,
			                    json_loads(r->steps[i].output, JSON_ALLOW_NUL, NULL));
	/* as `scenario eval`: event is the document's `event` member (or the whole document), data
	 * its `data` */
	out = json_pack(
	    "{s:O, s:O, s:o, s:O}", "event",
	    json_is_object(json_object_get(event, "event")) ? json_object_get(event, "event")
	                                                    : event,
	    "data", json_object_get(event, "data") ? json_object_get(event, "data") : json_null(),
	    "steps", steps, "env", e->env);
	json_decref(event);
	return out;
}

static const run_step_rec *journaled(const run_record *r, int index)
{
	size_t i;

	for (i = 0; i < r->nsteps; i++)
		if (r->steps[i].index == index)
			return &r->steps[i];
	return NULL;
}

/* ---- one step ---- */

typedef struct step_run {
	run_engine *e;
	worker *w;
	run_record *r;
	json_t *ctx;
	run_step_env env;
	scen_resolver resolver;
} step_run;

/* The delay before attempt n+1 (n failures so far): first doubling, capped, +-10% jitter. */
static int64_t backoff_ms(const scen_scenario *s, int failures, unsigned *seed)
{
	double d = (double)s->first * 1000.0;
	int i;

	for (i = 1; i < failures && d < (double)s->max_delay * 1000.0; i++)
		d *= 2;
	if (d > (double)s->max_delay * 1000.0)
		d = (double)s->max_delay * 1000.0;
	return (int64_t)(d * (0.9 + 0.2 * ((double)rand_r(seed) / RAND_MAX)));
}

/*
 * The journal refused a write under the run's claim as lost (RUN_JOURNAL_ELOST: another
 * process took the run over): its line said once, nothing reported (the run is theirs).
 * Returns 1 (the run is no longer ours).
 */
static int lost(step_run *sr)
{
	if (sr->e->cfg.log)
		sr->e->cfg.log(sr->e->cfg.ud, run_journal_last_error());
	return 1;
}

/* A failed attempt: retry later, or dead; reported. Returns 1 (the run is no longer ours). */
static int failed(step_run *sr, const scen_step *st, int index, run_outcome oc, const char *error)
{
	run_engine *e = sr->e;
	const scen_scenario *s = e->cfg.scenario;
	int64_t at = 0;
	char line[1200];
	int rc;

	snprintf(line, sizeof line, "step %s (%s): %s", st->id, st->kind, error);
	if (oc == RUN_RETRY && sr->r->attempts + 1 < s->max_attempts)
		at = util_now_ms() + backoff_ms(s, sr->r->attempts + 1, &sr->w->seed);
	else if (oc == RUN_RETRY)
		snprintf(line, sizeof line, "step %s (%s): %s (attempt %d of %d: giving up)",
		         st->id, st->kind, error, sr->r->attempts + 1, s->max_attempts);
	rc = run_journal_step_failed(e->cfg.journal, sr->r->id, index, st->id, line, at);
	if (rc == RUN_JOURNAL_ELOST)
		return lost(sr);
	if (rc < 0)
		log_journal(e, "cannot journal a failed step");
	if (!at && s->on_error == SCEN_ON_ERROR_STOP) {
		pthread_mutex_lock(&e->lock);
		e->stopped_by_run = 1;
		pthread_cond_broadcast(&e->wake);
		pthread_mutex_unlock(&e->lock);
	}
	report(e, sr->r, at ? RUN_PENDING : RUN_DEAD, st->id, line, at);
	return 1;
}

/* A create: the lookup after a crash or a lost answer. RUN_RETRY = not made, send it. */
static run_outcome recover(step_run *sr, const scen_step *st, const json_t *with, int64_t started,
                           json_t **output, char *err, size_t errsz)
{
	return run_step_lookup(&sr->env, st->kind, with, started, output, err, errsz);
}

/* Send one step (the create protocol around it). */
static run_outcome send_step(step_run *sr, const scen_step *st, int index, const json_t *with,
                             json_t **output, char *err, size_t errsz)
{
	const run_step_rec *prev = journaled(sr->r, index);
	char key[600];
	run_outcome oc;

	if (!st->creates || sr->env.dry_run)
		return run_step_exec(&sr->env, st->kind, with, output, err, errsz);
	if (prev && prev->status == RUN_STEP_SENDING) {
		oc = recover(sr, st, with, prev->started_at, output, err, errsz);
		if (oc != RUN_RETRY)
			return oc;
	}
	snprintf(key, sizeof key, "%s/%lld/%s", sr->e->cfg.scenario->name, (long long)sr->r->id,
	         st->id);
	if (run_journal_step_sending(sr->e->cfg.journal, sr->r->id, index, st->id, key) < 0)
		return run_fail(RUN_RETRY, err, errsz, "cannot journal the step: %s",
		                run_journal_last_error());
	crash_point();
	oc = run_step_exec(&sr->env, st->kind, with, output, err, errsz);
	if (oc == RUN_UNKNOWN) {
		char why[512];
		snprintf(why, sizeof why, "%s", err);
		oc = recover(sr, st, with, util_now_ms() - 1000, output, err, errsz);
		if (oc == RUN_RETRY)
			snprintf(err, errsz, "%s (looked up: not made)", why);
	}
	return oc;
}

/*
 * A step that happened but whose outcome could not be journaled (the disk
 * full, the database locked). A create stays SENDING in the journal, so the
 * next attempt looks it up rather than sending it again: the run is given
 * back as it is, after a pause. Another step is a failed attempt (retried).
 */
static int not_journaled(step_run *sr, const scen_step *st, int index)
{
	struct timespec pause = {1, 0};
	char why[600];

	snprintf(why, sizeof why, "its outcome could not be journaled: %s",
	         run_journal_last_error());
	if (!st->creates)
		return failed(sr, st, index, RUN_RETRY, why);
	log_journal(sr->e, "a create's outcome could not be journaled; it will be looked up");
	nanosleep(&pause, NULL);
	run_journal_unclaim(sr->e->cfg.journal, sr->r->id);
	return 1;
}

/* Run step `index`. 0: done or skipped, go on; 1: the run is no longer ours. */
static int one_step(step_run *sr, int index)
{
	run_engine *e = sr->e;
	const scen_scenario *s = e->cfg.scenario;
	const scen_step *st = &s->steps[index];
	int last = index + 1 == (int)s->nsteps, cond;
	json_t *with = NULL, *output = NULL;
	scen_experr xe;
	char err[1024] = "", *text;
	run_outcome oc;
	int rc;

	cond = scen_condition(s, st->cond, st->cond_pos, sr->ctx, &sr->resolver, &xe);
	if (cond < 0)
		return failed(sr, st, index, RUN_FAIL, xe.msg);
	if (cond == 0) {
		rc = run_journal_step_done(e->cfg.journal, sr->r->id, index, st->id,
		                           RUN_STEP_SKIPPED, NULL, last);
		if (rc == RUN_JOURNAL_ELOST)
			return lost(sr);
		return rc < 0 ? failed(sr, st, index, RUN_RETRY, run_journal_last_error()) : 0;
	}
	if (!(with = scen_step_render(s, st, sr->ctx, &sr->resolver, &xe)))
		return failed(sr, st, index, RUN_FAIL, xe.msg);
	oc = send_step(sr, st, index, with, &output, err, sizeof err);
	json_decref(with);
	crash_point();
	if (oc != RUN_OK)
		return failed(sr, st, index, oc == RUN_UNKNOWN ? RUN_FAIL : oc, err);
	text = json_dumps(output, JSON_COMPACT | JSON_ENCODE_ANY);
	rc = text ? run_journal_step_done(e->cfg.journal, sr->r->id, index, st->id, RUN_STEP_DONE,
	                                  text, last)
	          : -1;
	free(text);
	if (rc < 0) {
		json_decref(output);
		return rc == RUN_JOURNAL_ELOST ? lost(sr) : not_journaled(sr, st, index);
	}
	crash_point();
	sr->r->attempts = 0; /* the journal counts the next step's failures from 0 */
	json_object_set_new(json_object_get(sr->ctx, "steps"), st->id, output);
	return 0;
}

/* The filter, before the first step. 0: go on; 1: the run is no longer ours. */
static int filter(step_run *sr)
{
	run_engine *e = sr->e;
	const scen_scenario *s = e->cfg.scenario;
	const run_step_rec *first = journaled(sr->r, 0);
	scen_experr xe;
	int t;

	/* asked again when step 0 is retried (it is pure), not once a create may have gone out */
	if (!s->filter || sr->r->step > 0 || (first && first->status == RUN_STEP_SENDING))
		return 0;
	t = scen_condition(s, s->filter, s->filter_pos, sr->ctx, &sr->resolver, &xe);
	if (t > 0)
		return 0;
	if (t < 0)
		return failed(sr, &s->steps[0], 0, RUN_FAIL, xe.msg);
	t = run_journal_filtered(e->cfg.journal, sr->r->id);
	if (t == RUN_JOURNAL_ELOST)
		return lost(sr);
	if (t < 0)
		log_journal(e, "cannot journal a filtered run");
	report(e, sr->r, RUN_FILTERED, NULL, NULL, 0);
	return 1;
}

static void run_one(worker *w, run_record *r)
{
	run_engine *e = w->e;
	step_run sr = {.e = e, .w = w, .r = r};
	char err[256];
	int i, n = (int)e->cfg.scenario->nsteps;

	sr.env.client = e->cfg.clients[w->index];
	sr.env.names = e->cfg.names;
	sr.env.dry_run = e->cfg.dry_run;
	sr.env.dry_out = e->cfg.dry_out;
	sr.env.timeout_ms = e->cfg.step_timeout_ms;
	if (e->cfg.names)
		sr.resolver = run_names_resolver(e->cfg.names, sr.env.client);
	if (!(sr.ctx = context_of(e, r, err, sizeof err))) {
		failed(&sr, &e->cfg.scenario->steps[r->step < n ? r->step : 0], r->step, RUN_FAIL,
		       err);
		return;
	}
	sr.env.ctx = sr.ctx;
	if (filter(&sr))
		goto out;
	for (i = r->step; i < n; i++) {
		if (i > r->step && stopping(e)) {
			run_journal_unclaim(e->cfg.journal,
			                    r->id); /* SIGTERM: the rest stays pending */
			goto out;
		}
		if (one_step(&sr, i))
			goto out;
	}
	report(e, r, RUN_DONE, NULL, NULL, 0);
out:
	run_journal_release(e->cfg.journal, r->id); /* a no-op when the journal ended the claim */
	run_engine_kick(e); /* the next run of its order key may be waiting for it */
	json_decref(sr.ctx);
}

/* ---- workers ---- */

static void wait_for_work(run_engine *e, int64_t wake_at)
{
	struct timespec ts;
	int64_t until = wake_at ? wake_at : util_now_ms() + 1000;

	if (until > util_now_ms() + 1000)
		until = util_now_ms() +
		        1000; /* look again now and then: another process may add runs */
	ts.tv_sec = until / 1000;
	ts.tv_nsec = (long)(until % 1000) * 1000000;
	pthread_mutex_lock(&e->lock);
	if (!e->stopping && !e->stopped_by_run && !e->kicks)
		pthread_cond_timedwait(&e->wake, &e->lock, &ts);
	e->kicks = 0;
	pthread_mutex_unlock(&e->lock);
}

static void *work(void *arg)
{
	worker *w = arg;
	run_engine *e = w->e;
	run_record *r;
	int64_t wake_at;
	int rc;

	while (!stopping(e)) {
		rc = run_journal_claim(e->cfg.journal, e->cfg.scenario->name, util_now_ms(), &r,
		                       &wake_at);
		if (rc == 0) {
			run_one(w, r);
			run_record_free(r);
			continue;
		}
		if (rc < 0) {
			log_journal(e, "cannot read the journal");
			wake_at = util_now_ms() + 1000;
		}
		wait_for_work(e, wake_at);
	}
	return NULL;
}

static json_t *env_values(const scen_scenario *s)
{
	json_t *out = json_object(), *name;
	const char *v;
	size_t i;

	json_array_foreach(s->env, i, name)
	{
		v = getenv(json_string_value(name));
		json_object_set_new(out, json_string_value(name), v ? json_string(v) : json_null());
	}
	return out;
}

int run_engine_start(run_engine **out, const run_engine_config *cfg, char *err, size_t errsz)
{
	run_engine *e = calloc(1, sizeof *e);
	unsigned i;

	*out = NULL;
	if (!e || !cfg->workers || !cfg->clients || !cfg->journal || !cfg->scenario) {
		free(e);
		return util_errf(err, errsz, -1, "%s",
		                 e ? "invalid engine settings" : "out of memory");
	}
	crash_setup();
	e->cfg = *cfg;
	e->env = env_values(cfg->scenario);
	e->workers = calloc(cfg->workers, sizeof *e->workers);
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->wake, NULL);
	for (i = 0; e->env && e->workers && i < cfg->workers; i++) {
		e->workers[i] = (worker){.e = e, .index = i, .seed = (unsigned)util_now_ms() + i};
		if (pthread_create(&e->workers[i].thread, NULL, work, &e->workers[i]) != 0)
			break;
		e->started++;
	}
	if (e->started < cfg->workers) {
		run_engine_stop(e);
		return util_errf(err, errsz, -1, "cannot start the scenario's workers");
	}
	*out = e;
	return 0;
}

void run_engine_kick(run_engine *e)
{
	pthread_mutex_lock(&e->lock);
	e->kicks++;
	pthread_cond_broadcast(&e->wake);
	pthread_mutex_unlock(&e->lock);
}

int run_engine_stopped(run_engine *e)
{
	int s;

	pthread_mutex_lock(&e->lock);
	s = e->stopped_by_run;
	pthread_mutex_unlock(&e->lock);
	return s;
}

void run_engine_stop(run_engine *e)
{
	unsigned i;

	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->stopping = 1;
	pthread_cond_broadcast(&e->wake);
	pthread_mutex_unlock(&e->lock);
	for (i = 0; i < e->started; i++)
		pthread_join(e->workers[i].thread, NULL);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->wake);
	json_decref(e->env);
	free(e->workers);
	free(e);
}
