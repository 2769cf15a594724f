/*
 * run_session: `ontraport run`'s steps (see run_session.h). Each does one
 * thing; cli_run_close releases whatever the steps reached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run_session.h"
#include "cli_log.h"
#include "ops_metrics.h"

#include "pgqueue.h"
#include "rate_budget.h"
#include "util.h"
#include "banned.h"

#define DEFAULT_WORKERS 4
#define MAX_WORKERS 64

/* ---- load and check ---- */

void cli_scenario_problems(const char *path, scen_problems *p)
{
	char more[4300];
	size_t i;

	for (i = 0; i < p->n; i++)
		cli_log_line(CLI_LOG_ERROR, p->lines[i]);
	if (p->more) {
		snprintf(more, sizeof more, "%s: ... and %zu more problems", path, p->more);
		cli_log_line(CLI_LOG_ERROR, more);
	}
	scen_problems_free(p);
}

static int load_one(run_scenario *sc)
{
	scen_problems p;
	size_t len;

	if (!(sc->text = cli_read_file(sc->file, SCEN_YAML_MAX_BYTES, &len)))
		return EXIT_ERROR;
	if (scen_load(sc->file, sc->text, len, &sc->s, &p) == 0)
		return EXIT_OK;
	cli_scenario_problems(sc->file, &p);
	return EXIT_INVALID;
}

static int load_all(run_session *rs)
{
	size_t i, j;
	int rc, worst = EXIT_OK;

	for (i = 0; i < rs->n; i++) {
		rs->v[i].rs = rs;
		rs->v[i].file = cli_arg(rs->args, (int)i);
		rc = load_one(&rs->v[i]);
		if (rc != EXIT_OK && (worst == EXIT_OK || rc == EXIT_ERROR))
			worst = rc;
	}
	for (i = 0; worst == EXIT_OK && i < rs->n; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(rs->v[i].s->name, rs->v[j].s->name))
				return cli_error(
				    EXIT_INVALID,
				    "%s and %s both name their scenario '%s': runs are kept "
				    "by name, so each needs its own",
				    rs->v[j].file, rs->v[i].file, rs->v[i].s->name);
	return worst;
}

static int read_options(run_session *rs)
{
	long long workers, share;

	rs->dry_run = cli_flag(rs->args, "dry-run") > 0;
	rs->once = cli_flag(rs->args, "once") > 0;
	rs->one_shot = cli_value(rs->args, "event") != NULL;
	if (rs->dry_run && !rs->one_shot)
		return cli_usage_error(rs->ctx, "--dry-run needs --event: the event to try");
	if (cli_value(rs->args, "event-id") && !rs->one_shot)
		return cli_usage_error(rs->ctx, "--event-id goes with --event");
	if (rs->once && rs->one_shot)
		return cli_usage_error(rs->ctx, "--once and --event are exclusive: --event already "
		                                "runs once");
	if (cli_value_ll(rs->args, "workers", 1, MAX_WORKERS, DEFAULT_WORKERS, &workers) < 0 ||
	    cli_value_ll(rs->args, "poll-share", 1, 100, 20, &share) < 0)
		return EXIT_USAGE;
	rs->poll_share = (double)share / 100.0;
	rs->workers = rs->dry_run ? 1 : (unsigned)workers;
	return EXIT_OK;
}

/*
 * --rate-budget URL (or $ONTRAPORT_QUEUE): every client of this process takes
 * its requests from the account's budget in PostgreSQL, shared with the
 * workers of other processes and hosts (docs/postgresql.md).
 */
static int open_budget(run_session *rs)
{
	const char *env = getenv("ONTRAPORT_QUEUE");
	char url[CLI_QUEUE_URL_MAX];
	int rc;

	if (!cli_value(rs->args, "rate-budget") && !(env && *env))
		return EXIT_OK;
	if ((rc = cli_pg_url(rs->ctx, rs->args, "rate-budget", url, sizeof url)) != EXIT_OK)
		return rc;
	rc = cli_budget_open(&rs->budget, url);
	memset(url, 0, sizeof url);
	if (rc != 0)
		return cli_error(cli_queue_exit(rc), "--rate-budget: %s", pgq_last_error());
	rs->ctx->budget = cli_budget_hook(rs->budget);
	return EXIT_OK;
}

/* ---- connections: one share per connection name ---- */

static ontra_share *share_for(run_session *rs, const char *connection)
{
	run_share *v;
	size_t i;

	for (i = 0; i < rs->nshares; i++)
		if ((!connection && !rs->shares[i].connection) ||
		    (connection && rs->shares[i].connection &&
		     !strcmp(connection, rs->shares[i].connection)))
			return rs->shares[i].share;
	if (!(v = realloc(rs->shares, (rs->nshares + 1) * sizeof *v)))
		return NULL;
	rs->shares = v;
	v[rs->nshares].connection = connection;
	if (ontra_share_new(&v[rs->nshares].share) < 0)
		return NULL;
	return v[rs->nshares++].share;
}

static int connect_one(run_session *rs, run_scenario *sc)
{
	ontra_share *share = share_for(rs, sc->s->connection);
	unsigned i;
	int rc;

	if (!share || !(sc->clients = calloc(rs->workers, sizeof *sc->clients)))
		return cli_error(EXIT_ERROR, "out of memory");
	for (i = 0; i < rs->workers; i++) {
		if ((rc = cli_client_new(rs->ctx, sc->s->connection, share, &sc->clients[i])) !=
		    EXIT_OK)
			return rc;
		sc->nclients++;
	}
	return EXIT_OK;
}

int cli_scenario_names(cli_ctx *ctx, ontra_client *c, const char *path, const scen_scenario *s,
                       run_names **out)
{
	scen_problems p = {0};
	char err[512];
	int rc = run_names_resolve(out, c, s, path, &p, err, sizeof err);

	if (rc == -2) {
		rc = cli_exit_code(ontra_error_last()->code);
		return cli_error(rc == EXIT_OK || rc == EXIT_INVALID ? EXIT_ERROR : rc, "%s", err);
	}
	if (rc == 0)
		return EXIT_OK;
	if (!p.n)
		return cli_error(EXIT_ERROR, "%s", err);
	cli_scenario_problems(path, &p);
	return EXIT_INVALID;
}

/* ---- the journal ---- */

/*
 * --queue postgresql://... (or $ONTRAPORT_QUEUE, unless --db): the journal is that
 * database's ledger, shared with every worker of the scenarios, unless --journal FILE keeps
 * it on this host. The URL into rs->journal_path; "" when the queue is a file.
 */
static int queue_journal(run_session *rs)
{
	if (rs->watch) /* its session took the URL (and scrubbed it from the arguments) */
		snprintf(rs->journal_path, sizeof rs->journal_path, "%s",
		         cli_watch_queue_url(rs->watch));
	else
		return cli_queue_url(rs->ctx, rs->args, cli_value(rs->args, "db"), rs->journal_path,
		                     sizeof rs->journal_path);
	return EXIT_OK;
}

/* The journal opened: its errors as exit codes, the URL never shown but masked. */
static int journal_opened(run_session *rs, int rc, const char *err)
{
	char shown[1024];
	long long lease;

	if (rc == RUN_JOURNAL_EFOREIGN && run_journal_is_url(rs->journal_path))
		return cli_error(EXIT_INVALID, "%s", err);
	if (rc == RUN_JOURNAL_EFOREIGN)
		return cli_error(EXIT_INVALID, "%s: give the --journal FILE 'ontraport run' made",
		                 err);
	if (rc == RUN_JOURNAL_EUNREACHABLE)
		return cli_error(EXIT_NETWORK, "%s", err);
	if (rc < 0)
		return cli_error(EXIT_ERROR, "cannot open the run journal '%s': %s",
		                 pgq_url_shown(rs->journal_path, shown, sizeof shown), err);
	if ((rc = cli_duration_opt(rs->ctx, rs->args, "lease", 1000, 86400000,
	                           RUN_JOURNAL_DEFAULT_LEASE_MS, &lease)) != EXIT_OK)
		return rc;
	run_journal_set_lease(rs->journal, lease);
	return EXIT_OK;
}

static int open_journal(run_session *rs)
{
	const char *path = cli_value(rs->args, "journal");
	char err[512];
	int fd, rc;

	if (path && run_journal_is_url(path)) {
		cli_scrub(path);
		return cli_usage_error(rs->ctx,
		                       "--journal takes a file: a journal on PostgreSQL is "
		                       "the --queue URL's database");
	}
	if (!rs->dry_run && !path && (rc = queue_journal(rs)) != EXIT_OK)
		return rc;
	if (rs->journal_path[0] && !run_journal_is_url(rs->journal_path)) {
		rs->journal_path[0] = '\0';
		return cli_usage_error(rs->ctx, "--queue (or ONTRAPORT_QUEUE): expected a "
		                                "postgresql:// URL");
	}

	if (rs->dry_run) {
		/* a throw-away journal: a dry run leaves nothing behind */
		snprintf(rs->journal_path, sizeof rs->journal_path, "%s/ontraport-dry-run-XXXXXX",
		         getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if ((fd = mkstemp(rs->journal_path)) < 0)
			return cli_error(EXIT_ERROR, "cannot make a temporary journal: %s",
			                 strerror(errno));
		close(fd);
		unlink(rs->journal_path);
	} else if (path)
		snprintf(rs->journal_path, sizeof rs->journal_path, "%s", path);
	else if (!rs->journal_path[0] &&
	         cli_data_path(rs->journal_path, sizeof rs->journal_path, "runs.db") < 0)
		return cli_error(EXIT_ERROR, "cannot find a data directory: set XDG_DATA_HOME or "
		                             "HOME, or give --journal FILE");
	rc = run_journal_open(&rs->journal, rs->journal_path, err, sizeof err);
	return journal_opened(rs, rc, err);
}

/* Whether the scenarios run until stopped: a trigger that goes on, and no --event or --once. */
static int long_running(const run_session *rs)
{
	size_t i;

	if (rs->one_shot || rs->once)
		return 0;
	for (i = 0; i < rs->n; i++)
		if (rs->v[i].s->trigger.kind != SCEN_TRIGGER_MANUAL)
			return 1;
	return 0;
}

static int any_watch(const run_session *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->v[i].s->trigger.kind == SCEN_TRIGGER_WATCH)
			return 1;
	return 0;
}

/* Whether a watch session runs: for a watch trigger's receiver, or (polls and schedules
 * only) for the listener of --metrics alone, as `watch --poll --metrics` has. */
static int needs_watch(const run_session *rs)
{
	return long_running(rs) && (any_watch(rs) || cli_flag(rs->args, "metrics") > 0);
}

int cli_run_open(run_session *rs, cli_ctx *ctx, cli_args *args)
{
	size_t i;
	int rc;

	memset(rs, 0, sizeof *rs);
	rs->ctx = ctx;
	rs->args = args;
	rs->n = (size_t)cli_argc(args);
	pthread_mutex_init(&rs->lock, NULL);
	if ((rc = read_options(rs)) != EXIT_OK ||
	    (!rs->dry_run && (rc = open_budget(rs)) != EXIT_OK))
		return rc;
	if (!(rs->v = calloc(rs->n, sizeof *rs->v)))
		return cli_error(EXIT_ERROR, "out of memory");
	if ((rc = load_all(rs)) != EXIT_OK)
		return rc;
	/* the receiver's options, checked before anything is reached over the network */
	if (needs_watch(rs) &&
	    (rc = cli_watch_new(&rs->watch, ctx, args, "run-events.db")) != EXIT_OK)
		return rc;
	rs->metrics = rs->watch ? cli_watch_metrics(rs->watch) : NULL;
	if (rs->metrics && rs->budget)
		cli_metrics_budget(rs->metrics, rs->budget);
	for (i = 0; i < rs->n; i++)
		if ((rc = connect_one(rs, &rs->v[i])) != EXIT_OK ||
		    (rc = cli_scenario_names(ctx, rs->v[i].clients[0], rs->v[i].file, rs->v[i].s,
		                             &rs->v[i].names)) != EXIT_OK)
			return rc;
	return open_journal(rs);
}

/* ---- reports from the engines ---- */

static void progress_line(run_session *rs)
{
	size_t i;

	fprintf(stderr, "\r\033[K");
	for (i = 0; i < rs->n; i++)
		fprintf(stderr, "%s%s: %ld done, %ld dead, %ld filtered, %ld waiting",
		        i ? "; " : "", rs->v[i].s->name, rs->v[i].counts.done, rs->v[i].counts.dead,
		        rs->v[i].counts.filtered, rs->v[i].counts.waiting);
	fflush(stderr);
}

/* The fields of a run's line: its scenario, run id and status. */
static json_t *run_fields(const run_report *r)
{
	return json_pack("{sssIss}", "scenario", r->scenario, "run_id", (json_int_t)r->run_id,
	                 "status", run_status_name(r->status));
}

static void on_report(void *ud, const run_report *r)
{
	run_scenario *sc = ud;
	run_session *rs = sc->rs;

	pthread_mutex_lock(&rs->lock);
	if (r->status == RUN_DONE ||
	    (r->status == RUN_DEAD && sc->s->on_error != SCEN_ON_ERROR_SKIP))
		cli_metrics_run(rs->metrics, r->status == RUN_DEAD);
	if (r->status == RUN_DONE)
		sc->counts.done++;
	else if (r->status == RUN_DEAD && sc->s->on_error == SCEN_ON_ERROR_SKIP)
		sc->counts.skipped++;
	else if (r->status == RUN_DEAD)
		sc->counts.dead++;
	else if (r->status == RUN_FILTERED)
		sc->counts.filtered++;
	else
		sc->counts.waiting++;
	if (rs->progress)
		fprintf(stderr, "\r\033[K");
	if (r->status == RUN_DEAD && !rs->ctx->quiet)
		cli_logf_with(CLI_LOG_ERROR, run_fields(r), "%s: run %lld %s: %s", r->scenario,
		              (long long)r->run_id,
		              sc->s->on_error == SCEN_ON_ERROR_SKIP
		                  ? "skipped (dead, on_error: skip)"
		                  : "dead",
		              r->error);
	else if (r->status == RUN_PENDING && !rs->ctx->quiet)
		cli_logf_with(CLI_LOG_WARN, run_fields(r), "%s: run %lld: %s; retrying in %.1f s",
		              r->scenario, (long long)r->run_id, r->error,
		              (double)(r->retry_at - util_now_ms()) / 1000.0);
	else if (rs->ctx->verbose)
		cli_logf_with(CLI_LOG_INFO, run_fields(r), "%s: run %lld %s", r->scenario,
		              (long long)r->run_id, run_status_name(r->status));
	if (rs->progress)
		progress_line(rs);
	pthread_mutex_unlock(&rs->lock);
}

static void on_log(void *ud, const char *line)
{
	run_scenario *sc = ud;

	cli_logf_with(CLI_LOG_INFO, json_pack("{ss}", "scenario", sc->s->name), "%s: %s",
	              sc->s->name, line);
}

static int start_engine(run_session *rs, run_scenario *sc)
{
	run_engine_config cfg = {0};
	char err[256];

	cfg.journal = rs->journal;
	cfg.scenario = sc->s;
	cfg.file = sc->file;
	cfg.clients = sc->clients;
	cfg.workers = sc->nclients;
	cfg.names = sc->names;
	cfg.dry_run = rs->dry_run;
	cfg.dry_out = stdout;
	cfg.on_report = on_report;
	cfg.log = on_log;
	cfg.ud = sc;
	if (run_engine_start(&sc->engine, &cfg, err, sizeof err) < 0)
		return cli_error(EXIT_ERROR, "%s: %s", sc->s->name, err);
	return EXIT_OK;
}

/* ---- --event: one event through every scenario ---- */

/* A scalar as text into buf ("" when it is not a string or an integer). */
static const char *scalar(const json_t *v, char *buf, size_t n)
{
	if (json_is_integer(v))
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		snprintf(buf, n, "%s", json_is_string(v) ? json_string_value(v) : "");
	return buf;
}

/* "<object type>:<id>" from the event, so one object's runs keep their order; "" without an id. */
static void order_key(const json_t *ev, char *buf, size_t n)
{
	char type[32], id[64];

	scalar(json_object_get(json_object_get(ev, "data"), "id"), id, sizeof id);
	scalar(json_object_get(ev, "object_type_id"), type, sizeof type);
	if (*id)
		snprintf(buf, n, "%s:%s", *type ? type : "0", id);
	else
		buf[0] = '\0';
}

static int add_event(run_session *rs)
{
	const char *v = cli_value(rs->args, "event"), *id = cli_value(rs->args, "event-id");
	char *text = !strcmp(v, "-") ? cli_read_file("-", 16 << 20, NULL)
	                             : cli_value_or_file(v, 16 << 20, NULL);
	json_t *ev;
	json_error_t je;
	char source[300], key[128], *compact;
	size_t i;
	int rc = EXIT_OK;

	if (!text)
		return EXIT_ERROR;
	ev = json_loads(text, 0, &je);
	free(text);
	if (!json_is_object(ev)) {
		json_decref(ev);
		return cli_error(EXIT_INVALID,
		                 "--event: expected a JSON object (line %d, column %d: %s)",
		                 je.line, je.column, ev ? "not an object" : je.text);
	}
	if (id)
		snprintf(source, sizeof source, "manual:%s", id);
	else
		snprintf(source, sizeof source, "manual:%lld-%ld", (long long)util_now_ms(),
		         (long)getpid());
	order_key(ev, key, sizeof key);
	compact = json_dumps(ev, JSON_COMPACT);
	for (i = 0; compact && rc == EXIT_OK && i < rs->n; i++)
		if (run_journal_add(rs->journal, rs->v[i].s->name, source, *key ? key : NULL,
		                    compact, &rs->v[i].last_run, NULL) < 0)
			rc = cli_error(EXIT_ERROR, "cannot journal the event: %s",
			               run_journal_last_error());
	free(compact);
	json_decref(ev);
	return compact ? rc : cli_error(EXIT_ERROR, "out of memory");
}

/* ---- the poll and schedule triggers: one thread for all ---- */

/* Whether a scenario stopped itself (a run failed with on_error: stop). */
static int any_stopped(run_session *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (run_engine_stopped(rs->v[i].engine))
			return 1;
	return 0;
}

static int start_poll(run_session *rs, run_scenario *sc)
{
	ontra_share *share = share_for(rs, sc->s->connection);
	char err[512];
	int rc;

	if (sc->s->trigger.kind != SCEN_TRIGGER_POLL && sc->s->trigger.kind != SCEN_TRIGGER_WATCH)
		return EXIT_OK;
	if ((rc = cli_client_new(rs->ctx, sc->s->connection, share, &sc->trigger_client)) !=
	    EXIT_OK)
		return rc;
	if (sc->s->trigger.kind != SCEN_TRIGGER_POLL)
		return EXIT_OK;
	if (run_poll_new(&sc->poll, rs->journal, sc->s, rs->poll_share, err, sizeof err) < 0)
		return cli_error(EXIT_INVALID, "%s: %s", sc->file, err);
	cli_note(rs->ctx, "ontraport run: %s: %s", sc->s->name, run_poll_describe(sc->poll));
	return EXIT_OK;
}

/* One look at a scenario's trigger when its time has come; kicks the engine when runs came. */
static void tick(run_session *rs, run_scenario *sc, int64_t now)
{
	char err[512];
	size_t added = 0;
	int64_t next_s = 0;
	int one = 0;

	if (now < sc->next_tick)
		return;
	if (sc->poll) {
		if (run_poll_once(sc->poll, sc->trigger_client, &added, err, sizeof err) < 0)
			cli_logf_with(CLI_LOG_ERROR, json_pack("{ss}", "scenario", sc->s->name),
			              "%s: poll: %s", sc->s->name, err);
		sc->next_tick = run_poll_next_ms(sc->poll);
	} else if (sc->s->trigger.kind == SCEN_TRIGGER_SCHEDULE) {
		if (run_schedule_tick(rs->journal, sc->s, now / 1000, &one, &next_s, err,
		                      sizeof err) < 0)
			cli_logf_with(CLI_LOG_ERROR, json_pack("{ss}", "scenario", sc->s->name),
			              "%s: schedule: %s", sc->s->name, err);
		added = (size_t)one;
		sc->next_tick = next_s > 0 ? next_s * 1000 : now + 60000;
	} else {
		sc->next_tick = INT64_MAX;
	}
	if (added)
		run_engine_kick(sc->engine);
}

static void *triggers(void *arg)
{
	run_session *rs = arg;
	struct timespec nap = {0, 100 * 1000000L};
	size_t i;

	while (!rs->stop) {
		for (i = 0; i < rs->n && !rs->stop; i++)
			tick(rs, &rs->v[i], util_now_ms());
		if (rs->watch && any_stopped(rs)) {
			cli_watch_request_stop(rs->watch); /* on_error: stop */
			break;
		}
		nanosleep(&nap, NULL);
	}
	return NULL;
}

/* ---- the watch trigger: the receiver's events become runs ---- */

static run_scenario *scenario_of_key(run_session *rs, const char *key)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->v[i].key, key))
			return &rs->v[i];
	return NULL;
}

/* Whether an event is of the trigger's object type (tagged/untagged fire for every type). */
static int of_type(run_scenario *sc, const json_t *doc)
{
	char buf[32];
	int type;

	if (!sc->s->trigger.tag ||
	    run_names_type(sc->names, sc->trigger_client, sc->s->trigger.type, &type) < 0)
		return 1;
	snprintf(buf, sizeof buf, "%d", type);
	return !json_is_string(json_object_get(doc, "object_type_id")) ||
	       !strcmp(json_string_value(json_object_get(doc, "object_type_id")), buf);
}

/* The delivery: journal the event as a run (once: the source is its queue id), wake the engine. */
static int on_event(void *ud, const rcv_item *item, const json_t *doc, char *err, size_t errsz)
{
	run_session *rs = ud;
	run_scenario *sc = scenario_of_key(rs, item->webhook_key);
	char source[64], key[128], *text;
	int rc;

	if (!sc || !of_type(sc, doc))
		return RCV_CALL_DONE; /* another type's event: not this scenario's */
	snprintf(source, sizeof source, "queue:%lld", (long long)item->id);
	order_key(doc, key, sizeof key);
	if (!(text = json_dumps(doc, JSON_COMPACT))) {
		snprintf(err, errsz, "out of memory");
		return RCV_CALL_RETRY;
	}
	rc = run_journal_add(rs->journal, sc->s->name, source, *key ? key : NULL, text, NULL, NULL);
	free(text);
	if (rc < 0) {
		snprintf(err, errsz, "cannot journal the event: %s", run_journal_last_error());
		return RCV_CALL_RETRY;
	}
	run_engine_kick(sc->engine);
	return RCV_CALL_DONE;
}

/* The subscriptions a watch trigger asks for, from the names resolved at load. */
static int watch_hooks(run_session *rs, run_scenario *sc)
{
	const scen_trigger *t = &sc->s->trigger;
	const char *kind = t->tag ? "tag" : t->form ? "form" : t->product ? "product" : NULL;
	const char *named = t->tag ? t->tag : t->form ? t->form : t->product;
	char label[160];
	long long target;
	int type, rc;

	snprintf(sc->key, sizeof sc->key, "run:%.70s", sc->s->name);
	if ((rc = cli_hooks_format(rs->ctx, t->data_format, &sc->hooks.format)) != EXIT_OK)
		return rc;
	if (!named) {
		if ((rc = run_names_type(sc->names, sc->trigger_client, t->type, &type)) < 0)
			return cli_fail_lib(rs->ctx, rc);
		return cli_hooks_add(rs->ctx, &sc->hooks, t->event, type, NULL);
	}
	if ((rc = run_names_id(sc->names, sc->trigger_client, kind, named, &target)) < 0)
		return cli_fail_lib(rs->ctx, rc);
	snprintf(label, sizeof label, "%s %.100s", kind, named);
	return cli_hooks_add(rs->ctx, &sc->hooks, t->event, target, label);
}

static int start_watch(run_session *rs)
{
	cli_watch_route routes[64];
	rcv_deliver_config d = RCV_DELIVER_CONFIG_INIT;
	size_t i, n = 0;
	int rc;

	for (i = 0; i < rs->n; i++) {
		run_scenario *sc = &rs->v[i];
		if (sc->s->trigger.kind != SCEN_TRIGGER_WATCH)
			continue;
		if (n == sizeof routes / sizeof *routes)
			return cli_error(EXIT_USAGE, "at most %zu watch scenarios in one process",
			                 sizeof routes / sizeof *routes);
		if ((rc = watch_hooks(rs, sc)) != EXIT_OK)
			return rc;
		routes[n++] =
		    (cli_watch_route){sc->key, &sc->hooks, RCV_MODE_ONTRAPORT, sc->trigger_client};
	}
	if (!n) {
		/* --metrics without a watch trigger: its listener only, no hook (the rest is 404)
		 */
		routes[n++] = (cli_watch_route){"run", NULL, RCV_MODE_ONTRAPORT, NULL};
		cli_watch_no_server(rs->watch);
	}
	d.kind = RCV_HANDLER_CALL;
	d.call = on_event;
	d.userdata = rs;
	return cli_watch_start(rs->watch, routes, n, &d);
}

/* --once: one poll, or one run now for a schedule (as if its time had come). */
static int trigger_once(run_session *rs, run_scenario *sc)
{
	char err[512], source[64], event[160];
	size_t added;
	int64_t now = util_now_ms();

	if (sc->poll) {
		if (run_poll_once(sc->poll, sc->trigger_client, &added, err, sizeof err) < 0)
			return cli_error(EXIT_ERROR, "%s: poll: %s", sc->s->name, err);
	} else if (sc->s->trigger.kind == SCEN_TRIGGER_SCHEDULE) {
		snprintf(source, sizeof source, "schedule-once:%lld", (long long)now);
		snprintf(event, sizeof event,
		         "{\"type\": \"schedule\", \"scheduled_at\": %lld, \"fired_at\": %lld, "
		         "\"once\": true}",
		         (long long)(now / 1000), (long long)(now / 1000));
		if (run_journal_add(rs->journal, sc->s->name, source, NULL, event, NULL, NULL) < 0)
			return cli_error(EXIT_ERROR, "cannot journal the run: %s",
			                 run_journal_last_error());
	}
	return EXIT_OK;
}

/* ---- waiting ---- */

/* Whether every scenario is finished: no run pending, or its engine stopped (on_error: stop). */
static int all_idle(run_session *rs)
{
	int64_t pending;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (run_engine_stopped(rs->v[i].engine))
			continue;
		if (run_journal_counts(rs->journal, rs->v[i].s->name, &pending, NULL, NULL, NULL) <
		        0 ||
		    pending)
			return 0;
	}
	return 1;
}

/* A stop signal within ms, or 0. */
static int wait_signal(run_session *rs, long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	int sig = sigtimedwait(&rs->stop_signals, NULL, &ts);

	return sig > 0 ? sig : 0;
}

/* Until the runs are finished (one-shot) or a stop signal; returns the signal or 0. */
static int wait_runs(run_session *rs, int until_idle)
{
	int sig;

	for (;;) {
		if (until_idle && all_idle(rs))
			return 0;
		if (!until_idle && any_stopped(rs))
			return 0;
		if ((sig = wait_signal(rs, 100)) != 0)
			return sig;
	}
}

/* Print the runs --event made, as JSON (with --dry-run the calls were the output). */
static int print_runs(run_session *rs)
{
	run_record *r;
	json_t *all = json_array();
	size_t i;
	int rc;

	for (i = 0; i < rs->n; i++)
		if (rs->v[i].last_run && run_journal_get(rs->journal, rs->v[i].last_run, &r) == 0) {
			json_array_append_new(all, run_record_json(r, 0));
			run_record_free(r);
		}
	rc = cli_print_json(rs->ctx, json_array_size(all) == 1 ? json_array_get(all, 0) : all);
	json_decref(all);
	return rc < 0 ? EXIT_ERROR : EXIT_OK;
}

static void block_stop_signals(run_session *rs)
{
	sigemptyset(&rs->stop_signals);
	sigaddset(&rs->stop_signals, SIGINT);
	sigaddset(&rs->stop_signals, SIGTERM);
	sigaddset(&rs->stop_signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &rs->stop_signals, NULL);
}

int cli_run_go(run_session *rs)
{
	size_t i;
	int rc = EXIT_OK, sig;

	block_stop_signals(rs);
	cli_watch_block_signals();
	/* the status line redrawn in place is for a terminal's reader, never in a JSON log */
	rs->progress = rs->ctx->stderr_tty && !rs->ctx->quiet && !rs->dry_run && !cli_log_json();
	if (rs->one_shot && (rc = add_event(rs)) != EXIT_OK)
		return rc;
	for (i = 0; i < rs->n && !rs->one_shot; i++)
		if ((rc = start_poll(rs, &rs->v[i])) != EXIT_OK ||
		    (rs->once && (rc = trigger_once(rs, &rs->v[i])) != EXIT_OK))
			return rc;
	for (i = 0; i < rs->n; i++)
		if ((rc = start_engine(rs, &rs->v[i])) != EXIT_OK)
			return rc;
	if (long_running(rs)) {
		if (rs->watch && (rc = start_watch(rs)) != EXIT_OK)
			return rc;
		if (pthread_create(&rs->triggers, NULL, triggers, rs) != 0)
			return cli_error(EXIT_ERROR, "cannot start the triggers");
		rs->triggers_started = 1;
		sig = rs->watch ? cli_watch_wait(rs->watch) : wait_runs(rs, 0);
		return sig > 0 ? EXIT_OK : EXIT_ERROR; /* a signal is the way to stop; else
		                                        * on_error: stop, or the receiver failed */
	}
	sig = wait_runs(rs, 1);
	if (sig)
		return EXIT_INTERRUPTED;
	if (rs->one_shot && !rs->dry_run)
		rc = print_runs(rs);
	return rc;
}

int cli_run_close(run_session *rs, int rc)
{
	size_t i;
	unsigned k;
	long dead = 0;

	rs->stop = 1;
	if (rs->triggers_started)
		pthread_join(rs->triggers, NULL);
	pthread_mutex_lock(&rs->lock);
	rs->metrics = NULL; /* freed with the watch; the engines still report */
	pthread_mutex_unlock(&rs->lock);
	rc = cli_watch_close(rs->watch, rc); /* stops taking events before the engines stop */
	for (i = 0; rs->v && i < rs->n; i++) {
		run_scenario *sc = &rs->v[i];
		sc->stopped = sc->engine && run_engine_stopped(sc->engine);
		run_engine_stop(sc->engine); /* each finishes the step in flight */
		sc->engine = NULL;
	}
	if (rs->progress)
		fprintf(stderr, "\n");
	for (i = 0; rs->v && i < rs->n; i++) {
		run_scenario *sc = &rs->v[i];
		dead += sc->counts.dead;
		if (sc->stopped && rc == EXIT_OK)
			rc = cli_error(EXIT_ERROR, "%s: stopped by a failed run (on_error: stop)",
			               sc->s->name);
		run_names_free(sc->names);
		run_poll_free(sc->poll);
		cli_hooks_release(&sc->hooks);
		ontra_client_free(sc->trigger_client);
		for (k = 0; k < sc->nclients; k++)
			ontra_client_free(sc->clients[k]);
		free(sc->clients);
		scen_free(sc->s);
		free(sc->text);
	}
	for (i = 0; i < rs->nshares; i++)
		ontra_share_free(rs->shares[i].share);
	free(rs->shares);
	rs->ctx->budget = NULL;
	cli_budget_free(rs->budget);
	free(rs->v);
	run_journal_close(rs->journal);
	if (run_journal_is_url(rs->journal_path))
		memset(rs->journal_path, 0, sizeof rs->journal_path); /* a secret */
	if (rs->dry_run && rs->journal_path[0]) {
		char side[4300];
		unlink(rs->journal_path);
		snprintf(side, sizeof side, "%s-wal", rs->journal_path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", rs->journal_path);
		unlink(side);
	}
	pthread_mutex_destroy(&rs->lock);
	if (rc == EXIT_OK && dead)
		rc = EXIT_ERROR;
	return rc;
}
