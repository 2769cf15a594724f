/*
 * `ontraport run FILE...`: run scenarios (src/runner; the guide is
 * docs/guide/scenarios.md).
 *
 * Each file is loaded and checked, its names resolved against its
 * connection, then its runs are taken from the journal by an engine of
 * worker threads. With --event, that one event becomes a run of every
 * scenario given, the runs are finished (retries included) and the
 * command exits; otherwise the scenarios' triggers start (watch, poll,
 * schedule) and run until SIGINT or SIGTERM, which finish the step in
 * flight and leave the rest pending for the next start. Scenarios naming
 * the same connection share one rate-limit budget (one ontra_share).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_log.h"
#include "run_session.h"
#include "banned.h"

static const cli_opt run_opts[] = {
    {.name = "event",
     .short_name = 'e',
     .kind = CLI_VALUE,
     .arg = "JSON|@FILE|-",
     .help = "run this event (as 'ontraport watch' delivers it; - reads stdin) through each "
             "scenario, finish, and exit"},
    {.name = "event-id",
     .kind = CLI_VALUE,
     .arg = "ID",
     .help = "the --event's id: the same id twice makes one run (default: a new run each time)"},
    {.name = "dry-run",
     .short_name = 'n',
     .kind = CLI_FLAG,
     .help = "with --event: print the call each step would make, send nothing, journal nothing"},
    {.name = "once",
     .kind = CLI_FLAG,
     .help = "poll: one poll; schedule: one run now, as if its time had come; then finish the "
             "runs and exit"},
    {.name = "poll-share",
     .kind = CLI_VALUE,
     .arg = "PERCENT",
     .help = "the share of the account's rate limit each poll trigger may use (default 20)"},
    CLI_WATCH_SERVER_OPTS("run-events.db"),
    CLI_WATCH_LIMIT_OPTS,
    {.name = "journal",
     .kind = CLI_VALUE,
     .arg = "FILE",
     .help = "the run journal, on this host only (default: with --queue postgresql://... that "
             "database, shared by every worker; else $XDG_DATA_HOME/ontraport/runs.db)"},
    {.name = "rate-budget",
     .kind = CLI_VALUE,
     .arg = "URL",
     .help = "take every request from the account's rate budget in this PostgreSQL database "
             "(postgresql://...; default $ONTRAPORT_QUEUE), shared by every worker on every "
             "host"},
    {.name = "workers",
     .short_name = 'j',
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "runs at once per scenario, for different objects (default 4; one object's runs "
             "always run in order)"},
    CLI_LOG_FORMAT_OPT,
    {.name = NULL}};

static int run_run(cli_ctx *ctx, cli_args *args)
{
	run_session rs;
	char err[160];
	int rc;

	if (cli_log_setup(ctx->cmd_path, cli_value(args, "log-format"), err, sizeof err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	rc = cli_run_open(&rs, ctx, args);
	if (rc == EXIT_OK)
		rc = cli_run_go(&rs);
	return cli_run_close(&rs, rc);
}

const cli_command cli_cmd_run = {
    .name = "run",
    .summary = "run scenarios: a trigger, a filter and steps, from files",
    .synopsis = "FILE... [--event JSON|@FILE|-] [--dry-run] [--once]",
    .description =
        "Run the scenarios in FILE... (YAML or JSON; see 'ontraport scenario check' and the "
        "guide, docs/guide/scenarios.md) in one process. Each file is checked and its names "
        "(tags, sequences, fields, labels) resolved against its connection before anything "
        "runs: a problem is reported as FILE:LINE:COL and exits 5. Each trigger event becomes a "
        "run in the journal; each step's outcome is committed before the next starts, so after "
        "a crash a run resumes where it stopped, and a create is never sent twice (it is looked "
        "up instead). With --event, that event runs through every scenario given and the "
        "command exits when the runs are finished (done, filtered or dead); with --dry-run it "
        "prints each step's call instead of making it. Otherwise the triggers run until SIGINT "
        "or SIGTERM, which finish the step in flight and leave the rest pending. With "
        "--rate-budget postgresql://... (or $ONTRAPORT_QUEUE), every request is taken from the "
        "account's rate budget in that database, shared by every worker on every host, so "
        "that together they keep to the account's limit (docs/postgresql.md); the URL's "
        "password is never shown. Pending runs "
        "of the scenarios (after a crash, or 'ontraport runs replay') are resumed at start. "
        "Exits 0 when every run it finished is done or filtered, 1 when a run is dead ('ontraport "
        "runs show ID' says why), 5 for a scenario's problems or a budget database not "
        "migrated ('ontraport queue migrate'), 8 when the budget database cannot be reached, "
        "and the usual codes when the account cannot be reached. With --queue postgresql://... (or "
        "$ONTRAPORT_QUEUE) the watch triggers' events are queued on PostgreSQL and the runs are "
        "journaled there, shared with every process running the same scenarios on any host "
        "(docs/postgresql.md): a run is claimed for --lease at a time, renewed while it goes on, "
        "and taken over by another worker when its process dies; each step's outcome is "
        "written with the run's progress in one transaction, and a worker that lost its claim "
        "writes nothing (--journal FILE keeps the journal on this host instead).",
    .opts = run_opts,
    .examples = "ontraport run vip.yaml --event @e.json --dry-run\n"
                "  print the calls the scenario would make for a saved event\n"
                "ontraport run vip.yaml --event @e.json\n"
                "  run it once for that event\n"
                "ontraport run vip.yaml nightly.yaml\n"
                "  run both scenarios until Ctrl-C\n"
                "ontraport run vip.yaml --rate-budget postgresql://ontra:secret@db/ontra\n"
                "  run it on several hosts, sharing the account's rate limit",
    .run = run_run,
    .min_args = 1,
    .max_args = -1,
};
