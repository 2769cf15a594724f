/*
 * `ontraport runs`: the journal `ontraport run` keeps: list, show, replay.
 * list and show open it read-only, so they work while a run is going; a
 * replayed run is picked up by a running `ontraport run` within a second,
 * or by the next one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "object_input.h"
#include "pgqueue.h"
#include "subscriptions.h"
#include "runner.h"
#include "banned.h"

/* clang-format off */
#define JOURNAL_OPT \
	{.name = "journal", .kind = CLI_VALUE, .arg = "FILE", .help = "the run journal (default $XDG_DATA_HOME/ontraport/runs.db)"}, \
	{.name = "queue", .kind = CLI_VALUE, .arg = "URL", .help = "the runs of 'ontraport run --queue URL': the journal in that PostgreSQL database (default $ONTRAPORT_QUEUE unless --journal)"}
/* clang-format on */
#define SCENARIO_OPT                                                                               \
	{                                                                                          \
		.name = "scenario", .short_name = 's', .kind = CLI_VALUE, .arg = "NAME",           \
		.help = "only this scenario's runs"                                                \
	}

/* The journal on PostgreSQL: --queue URL (or $ONTRAPORT_QUEUE unless --journal). */
static int open_pg_journal(cli_ctx *ctx, cli_args *args, int readonly, run_journal **j)
{
	char url[CLI_QUEUE_URL_MAX], shown[1024], err[512];
	int rc;

	if ((rc = cli_queue_url(ctx, args, cli_value(args, "journal"), url, sizeof url)) != EXIT_OK)
		return rc;
	if (!run_journal_is_url(url))
		return cli_usage_error(
		    ctx, "--queue (or ONTRAPORT_QUEUE): expected a postgresql:// URL");
	rc = readonly ? run_journal_open_readonly(j, url, err, sizeof err)
	              : run_journal_open(j, url, err, sizeof err);
	pgq_url_shown(url, shown, sizeof shown);
	memset(url, 0, sizeof url);
	if (rc == RUN_JOURNAL_EFOREIGN)
		return cli_error(EXIT_INVALID, "%s", err);
	if (rc == RUN_JOURNAL_EUNREACHABLE)
		return cli_error(EXIT_NETWORK, "%s", err);
	if (rc < 0)
		return cli_error(EXIT_ERROR, "cannot open the run journal '%s': %s", shown, err);
	return EXIT_OK;
}

/* Open the journal (--journal or the default, or --queue's); it must exist. */
static int open_journal(cli_ctx *ctx, cli_args *args, int readonly, run_journal **j)
{
	const char *env = getenv("ONTRAPORT_QUEUE");
	char path[4200], err[512];
	struct stat st;
	int rc;

	*j = NULL;
	if (cli_value(args, "queue") && cli_value(args, "journal"))
		return cli_usage_error(ctx, "give --queue URL or --journal FILE, not both");
	if (cli_value(args, "queue") || (!cli_value(args, "journal") && env && *env))
		return open_pg_journal(ctx, args, readonly, j);
	if (cli_value(args, "journal"))
		snprintf(path, sizeof path, "%s", cli_value(args, "journal"));
	else if (cli_data_path(path, sizeof path, "runs.db") < 0)
		return cli_error(EXIT_ERROR, "cannot find a data directory: set XDG_DATA_HOME or "
		                             "HOME, or give --journal FILE");
	if (stat(path, &st) < 0)
		return cli_error(errno == ENOENT ? EXIT_NOTFOUND : EXIT_ERROR,
		                 "no run journal at '%s': %s ('ontraport run' makes it; or give "
		                 "--journal FILE)",
		                 path, strerror(errno));
	rc = readonly ? run_journal_open_readonly(j, path, err, sizeof err)
	              : run_journal_open(j, path, err, sizeof err);
	if (rc == -2)
		return cli_error(EXIT_INVALID, "%s: give the --journal FILE 'ontraport run' made",
		                 err);
	if (rc < 0)
		return cli_error(EXIT_ERROR, "cannot open the run journal '%s': %s", path, err);
	return EXIT_OK;
}

/* ---- list ---- */

typedef struct list_state {
	cli_out *out;
	int failed;
} list_state;

static int list_one(const run_record *r, void *ud)
{
	list_state *ls = ud;
	json_t *rec = run_record_json(r, 0);

	if (!rec || cli_out_record(ls->out, rec) < 0)
		ls->failed = 1;
	json_decref(rec);
	return ls->failed;
}

static int status_mask(cli_ctx *ctx, cli_args *args, int *mask)
{
	const char *const *v;
	size_t n, i;
	int s;

	v = cli_list(args, "status", &n);
	*mask = n ? 0 : RUN_STATUS_ALL;
	for (i = 0; i < n; i++) {
		if (!(s = run_status_parse(v[i])))
			return cli_usage_error(
			    ctx, "invalid --status '%s': expected pending, done, dead or filtered",
			    v[i]);
		*mask |= s;
	}
	return EXIT_OK;
}

static int run_list(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"id",         "scenario",   "status",
	                                   "next_step",  "attempts",   "source",
	                                   "created_at", "last_error", NULL};
	list_state ls = {NULL, 0};
	long long limit;
	run_journal *j;
	int mask, rc, jrc;

	if ((rc = status_mask(ctx, args, &mask)) != EXIT_OK)
		return rc;
	if (cli_value_ll(args, "limit", 1, 1LL << 40, 50, &limit) < 0)
		return EXIT_USAGE;
	if ((rc = open_journal(ctx, args, 1, &j)) != EXIT_OK)
		return rc;
	ls.out =
	    cli_out_begin(ctx, ctx->format == FMT_TABLE || ctx->format == FMT_CSV ? cols : NULL);
	jrc =
	    run_journal_list(j, cli_value(args, "scenario"), mask, 1, (size_t)limit, list_one, &ls);
	if (jrc < 0 && !ls.failed)
		rc = cli_error(EXIT_ERROR, "cannot read the journal: %s", run_journal_last_error());
	if ((cli_out_end(ls.out) < 0 || ls.failed) && rc == EXIT_OK)
		rc = EXIT_ERROR;
	run_journal_close(j);
	return rc;
}

/* ---- show ---- */

static int run_show(cli_ctx *ctx, cli_args *args)
{
	long long *ids = NULL;
	size_t n = 0;
	run_record *r = NULL;
	run_journal *j;
	json_t *rec;
	int rc, jrc;

	if ((rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args), 1, &ids, &n)) != EXIT_OK)
		return rc;
	if ((rc = open_journal(ctx, args, 1, &j)) == EXIT_OK) {
		jrc = run_journal_get(j, ids[0], &r);
		if (jrc == 1)
			rc = cli_error(EXIT_NOTFOUND, "no run %lld in the journal", ids[0]);
		else if (jrc < 0)
			rc = cli_error(EXIT_ERROR, "cannot read the journal: %s",
			               run_journal_last_error());
		else if (!(rec = run_record_json(r, 1)) || cli_print_json(ctx, rec) < 0)
			rc = EXIT_ERROR;
		else
			json_decref(rec);
		run_record_free(r);
		run_journal_close(j);
	}
	free(ids);
	return rc;
}

/* ---- purge ---- */

static int run_purge(cli_ctx *ctx, cli_args *args)
{
	int64_t at, count = 0;
	run_journal *j;
	size_t n;
	int mask, rc;

	if ((rc = cli_before_opt(ctx, args, &at)) != EXIT_OK ||
	    (rc = status_mask(ctx, args, &mask)) != EXIT_OK)
		return rc;
	cli_list(args, "status", &n);
	if (!n)
		mask = RUN_DONE | RUN_FILTERED;
	if (mask & RUN_PENDING)
		return cli_usage_error(ctx, "pending runs are never purged: --status done, dead or "
		                            "filtered");
	if ((rc = open_journal(ctx, args, 0, &j)) != EXIT_OK)
		return rc;
	if (run_journal_purge(j, at, mask, cli_value(args, "scenario"), &count) < 0)
		rc = cli_error(EXIT_ERROR, "cannot purge: %s", run_journal_last_error());
	else
		cli_note(ctx, "purged %lld run%s", (long long)count, count == 1 ? "" : "s");
	run_journal_close(j);
	return rc;
}

/* ---- replay ---- */

static int replay_ids(cli_ctx *ctx, run_journal *j, const long long *ids, size_t n, int64_t *count)
{
	int64_t one;
	size_t i;
	int rc = EXIT_OK, jrc;

	for (i = 0; i < n; i++) {
		jrc = run_journal_replay(j, ids[i], NULL, &one);
		if (jrc == 1)
			rc = cli_error(EXIT_NOTFOUND, "run %lld is not a dead run of the journal",
			               ids[i]);
		else if (jrc < 0)
			rc = cli_error(EXIT_ERROR, "cannot replay run %lld: %s", ids[i],
			               run_journal_last_error());
		else
			*count += one;
	}
	(void)ctx;
	return rc;
}

static int run_replay(cli_ctx *ctx, cli_args *args)
{
	long long *ids = NULL;
	size_t n = 0;
	int64_t count = 0;
	run_journal *j;
	int dead = cli_flag(args, "dead") > 0, rc;

	if (dead == (cli_argc(args) > 0))
		return cli_usage_error(ctx, "give run ids or --dead (one or the other)");
	if (!dead && (rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args),
	                                 (size_t)cli_argc(args), &ids, &n)) != EXIT_OK)
		return rc;
	if ((rc = open_journal(ctx, args, 0, &j)) != EXIT_OK) {
		free(ids);
		return rc;
	}
	if (dead && run_journal_replay(j, 0, cli_value(args, "scenario"), &count) < 0)
		rc = cli_error(EXIT_ERROR, "cannot replay: %s", run_journal_last_error());
	if (!dead)
		rc = replay_ids(ctx, j, ids, n, &count);
	cli_note(ctx,
	         "%lld run%s pending again, from the step that failed; 'ontraport run' goes on "
	         "with %s",
	         (long long)count, count == 1 ? "" : "s", count == 1 ? "it" : "them");
	run_journal_close(j);
	free(ids);
	return rc;
}

static const cli_opt list_opts[] = {
    JOURNAL_OPT,
    SCENARIO_OPT,
    {.name = "status",
     .kind = CLI_LIST,
     .arg = "STATUS",
     .help = "only runs in this status: pending, done, dead or filtered (repeatable)"},
    {.name = "limit",
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "at most N runs, the newest first (default 50)"},
    {.name = NULL}};

static const cli_opt purge_opts[] = {
    {.name = "before",
     .kind = CLI_VALUE,
     .arg = "AGE|DATE",
     .help = "runs made before this: an age (30d, 12h) or a UTC date"},
    {.name = "status",
     .kind = CLI_LIST,
     .arg = "STATUS",
     .help = "done, dead or filtered (repeatable; default done and filtered; pending runs are "
             "never purged)"},
    JOURNAL_OPT,
    SCENARIO_OPT,
    {.name = NULL}};

static const cli_opt show_opts[] = {JOURNAL_OPT, {.name = NULL}};

static const cli_opt replay_opts[] = {
    JOURNAL_OPT,
    SCENARIO_OPT,
    {.name = "dead", .kind = CLI_FLAG, .help = "every dead run (of --scenario, if given)"},
    {.name = NULL}};

static const cli_command cmd_list = {
    .name = "list",
    .summary = "list runs, the newest first",
    .synopsis = "[--scenario NAME] [--status STATUS] [--limit N]",
    .description = "List the runs in the journal, the newest first: id, scenario, status "
                   "(pending, done, dead, filtered), the next step to run, attempts, what "
                   "made the run, when, and the last error.",
    .opts = list_opts,
    .examples = "ontraport runs list --status dead\n  the runs that failed for good",
    .run = run_list,
};

static const cli_command cmd_show = {
    .name = "show",
    .summary = "show one run: its event and each step's outcome",
    .synopsis = "ID",
    .description = "Print one run as JSON: its status, its event, and each step journaled so "
                   "far with its output or error, attempts, times and idempotency key.",
    .opts = show_opts,
    .examples = "ontraport runs show 7\n  what run 7 did, step by step",
    .run = run_show,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command cmd_replay = {
    .name = "replay",
    .summary = "make dead runs pending again, from the step that failed",
    .synopsis = "ID... | --dead [--scenario NAME]",
    .description = "Make dead runs pending again. A replayed run starts again at the step that "
                   "failed: the steps done before it are not repeated. A running 'ontraport "
                   "run' picks it up within a second; otherwise the next 'ontraport run' of "
                   "its scenario does.",
    .opts = replay_opts,
    .examples = "ontraport runs replay 7 && ontraport run vip.yaml\n"
                "  retry run 7 from its failed step\n"
                "ontraport runs replay --dead --scenario vip-onboarding\n"
                "  every dead run of one scenario",
    .run = run_replay,
    .min_args = 0,
    .max_args = -1,
};

static const cli_command cmd_purge = {
    .name = "purge",
    .summary = "forget finished runs made before a time",
    .synopsis = "--before AGE|DATE [--status done|dead|filtered] [--scenario NAME]",
    .description = "Delete finished runs (done and filtered by default; --status dead too) made "
                   "before --before, with their steps, so the journal does not grow without end. "
                   "Pending runs are never deleted. A purged run's event is forgotten: the same "
                   "event again (a --event-id reused) would make a new run.",
    .opts = purge_opts,
    .examples = "ontraport runs purge --before 30d\n  forget what finished a month ago",
    .run = run_purge,
};

static const cli_command *const subs[] = {&cmd_list, &cmd_show, &cmd_replay, &cmd_purge, NULL};

const cli_command cli_cmd_runs = {
    .name = "runs",
    .summary = "the runs of scenarios: list, show, replay, purge",
    .description = "The journal 'ontraport run' keeps (--journal, default "
                   "$XDG_DATA_HOME/ontraport/runs.db): one run per trigger event, with each "
                   "step's outcome.",
    .subs = subs,
};
