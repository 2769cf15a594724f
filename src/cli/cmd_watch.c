/*
 * `ontraport watch`: the "Watch Events" trigger. A watch session
 * (watch_session.h: the receiver, its durable queue and delivery) with one
 * route, the webhook --name, subscribed to the events the options ask for,
 * delivering each event to the handler (standard output, --exec or
 * --forward-to) until SIGINT or SIGTERM; then it unsubscribes (unless
 * --keep), stops taking events, finishes the delivery in flight and leaves
 * the rest pending in the queue for the next run.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_log.h"
#include "subscriptions.h"
#include "watch_poll.h"
#include "watch_session.h"
#include "util.h"
#include "banned.h"

#define DEFAULT_KEY "watch"
#define KEY_MAX 64

/* What the options asked for: the session's part is in the session. */
typedef struct watch {
	cli_ctx *ctx;
	int no_subscribe;
	int poll; /* --poll: events found by polling, no receiver */
	long long attempts, delay, cap, timeout;
	int max_attempts;
	cli_hooks hooks; /* the subscriptions to make */
} watch;

static const cli_opt watch_opts[] = {
    {.name = "name",
     .kind = CLI_VALUE,
     .arg = "NAME",
     .help = "the webhook's name: its events are stored and listed under it (default watch)"},
    CLI_HOOK_OPTS,
    CLI_WATCH_SERVER_OPTS("events.db"),
    {.name = "no-subscribe",
     .kind = CLI_FLAG,
     .help = "subscribe nothing: print the URL and accept any JSON or form body"},
    {.name = "exec",
     .kind = CLI_VALUE,
     .arg = "CMD",
     .help = "run CMD (with /bin/sh) for each event, the event as JSON on stdin; exit 0 = done"},
    {.name = "forward-to",
     .kind = CLI_VALUE,
     .arg = "URL",
     .help = "POST each event as JSON to URL; a 2xx answer = done"},
    {.name = "max-attempts",
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "failed deliveries before an event is dead (default 8)"},
    {.name = "retry-delay",
     .kind = CLI_VALUE,
     .arg = "DURATION",
     .help = "the first retry's delay, doubling each time (default 1s)"},
    {.name = "retry-max",
     .kind = CLI_VALUE,
     .arg = "DURATION",
     .help = "the longest retry delay (default 5m)"},
    {.name = "handler-timeout",
     .kind = CLI_VALUE,
     .arg = "DURATION",
     .help = "time allowed for one --exec or --forward-to attempt (default 30s)"},
    {.name = "poll",
     .kind = CLI_FLAG,
     .help = "no webhook: find contacts created, tagged and untagged by polling (for a machine "
             "Ontraport cannot post to)"},
    {.name = "interval",
     .kind = CLI_VALUE,
     .arg = "DURATION",
     .help = "with --poll: time between polls (default 60s; a bare number is seconds)"},
    {.name = "poll-share",
     .kind = CLI_VALUE,
     .arg = "PCT",
     .help = "with --poll: the percentage of the account's rate limit polling may use (1 to "
             "100, default 20)"},
    {.name = "poll-state",
     .kind = CLI_VALUE,
     .arg = "FILE",
     .help = "with --poll: the poll's cursor, last-seen tags and events not yet queued (default: "
             "the --db file's name + .poll)"},
    {.name = "once",
     .kind = CLI_FLAG,
     .help = "with --poll: poll once, deliver what it found, then exit"},
    CLI_WATCH_LIMIT_OPTS,
    CLI_LOG_FORMAT_OPT,
    {.name = NULL}};

/* ---- handlers' reports, from the delivery thread ---- */

/* The fields of an event's line: its queue id and the attempts made. */
static json_t *event_fields(int64_t id, int attempts)
{
	return json_pack("{sIsi}", "event_id", (json_int_t)id, "attempts", attempts);
}

static void on_result(void *ud, int64_t id, rcv_outcome outcome, int attempts, const char *error)
{
	watch *w = ud;

	if (outcome == RCV_OUTCOME_DONE) {
		if (w->ctx->verbose)
			cli_logf_with(CLI_LOG_INFO, event_fields(id, attempts),
			              "event %lld delivered", (long long)id);
	} else if (outcome == RCV_OUTCOME_RETRY) {
		if (!w->ctx->quiet)
			cli_logf_with(CLI_LOG_WARN, event_fields(id, attempts),
			              "event %lld: attempt %d of %d failed: %s; retrying",
			              (long long)id, attempts, w->max_attempts, error ? error : "");
	} else {
		cli_logf_with(CLI_LOG_ERROR, event_fields(id, attempts),
		              "event %lld is dead after %d attempts: %s; 'ontraport events "
		              "replay %lld' delivers it again",
		              (long long)id, attempts, error ? error : "", (long long)id);
	}
}

static void on_delivery_log(void *ud, const char *line)
{
	(void)ud;
	cli_logf(CLI_LOG_WARN, "%s", line);
}

/* Usage checks that need no network (the session checks its own options). */
static int check_usage(cli_ctx *ctx, cli_args *args, int no_subscribe)
{
	static const char *const lists[] = {"event", "tag", "form", "product"};
	static const char *const values[] = {"data-format", "type", "public-url"};
	const char *name = cli_value(args, "name");
	size_t i, n;

	if (cli_value(args, "exec") && cli_value(args, "forward-to"))
		return cli_usage_error(ctx,
		                       "--exec and --forward-to are exclusive: choose one handler");
	if (name && (!*name || strlen(name) > KEY_MAX || strpbrk(name, "\r\n\t")))
		return cli_usage_error(
		    ctx, "invalid --name '%s': expected 1 to %d characters on one line", name,
		    KEY_MAX);
	if (no_subscribe) {
		for (i = 0; i < sizeof lists / sizeof *lists; i++)
			if (cli_list(args, lists[i], &n), n)
				return cli_usage_error(
				    ctx, "--%s has no effect with --no-subscribe", lists[i]);
		for (i = 0; i < sizeof values / sizeof *values; i++)
			if (cli_value(args, values[i]))
				return cli_usage_error(
				    ctx, "--%s has no effect with --no-subscribe", values[i]);
		if (cli_flag(args, "keep"))
			return cli_usage_error(ctx, "--keep has no effect with --no-subscribe");
	}
	return EXIT_OK;
}

/* --poll: the receiver's options and the events polling cannot see are refused. */
/* --log-format (or $ONTRAPORT_LOG_FORMAT), a usage error when it is neither text nor json. */
static int log_setup(const cli_ctx *ctx, const cli_args *args)
{
	char err[160];

	if (cli_log_setup(ctx->cmd_path, cli_value(args, "log-format"), err, sizeof err) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	return EXIT_OK;
}

static int check_poll_usage(cli_ctx *ctx, cli_args *args)
{
	static const char *const values[] = {
	    "public-url", "bind", "port", "token-file", "per-ip-connections", "request-timeout"};
	static const char *const lists[] = {"form", "product"};
	const char *const *events;
	size_t i, n;

	if (!cli_flag(args, "poll")) {
		static const char *const poll_only[] = {"interval", "poll-share", "poll-state"};
		for (i = 0; i < sizeof poll_only / sizeof *poll_only; i++)
			if (cli_value(args, poll_only[i]))
				return cli_usage_error(ctx, "--%s is for --poll", poll_only[i]);
		if (cli_flag(args, "once"))
			return cli_usage_error(ctx, "--once is for --poll");
		return EXIT_OK;
	}
	if (cli_flag(args, "no-subscribe") || cli_flag(args, "keep"))
		return cli_usage_error(ctx, "--%s has no effect with --poll: nothing is subscribed",
		                       cli_flag(args, "keep") ? "keep" : "no-subscribe");
	for (i = 0; i < sizeof values / sizeof *values; i++)
		if (cli_value(args, values[i]))
			return cli_usage_error(
			    ctx, "--%s has no effect with --poll: nothing listens", values[i]);
	events = cli_list(args, "event", &n);
	for (i = 0; i < n; i++) {
		ontra_webhook_event e;
		int rc = cli_hook_event_word(ctx, events[i], &e);
		if (rc != EXIT_OK)
			return rc;
		if (e != ONTRA_EVENT_OBJECT_CREATE && e != ONTRA_EVENT_SUB_TAG &&
		    e != ONTRA_EVENT_UNSUB_TAG)
			return cli_usage_error(
			    ctx,
			    "--poll cannot see '%s': polling sees created, tagged "
			    "and untagged only",
			    events[i]);
	}
	for (i = 0; i < sizeof lists / sizeof *lists; i++)
		if (cli_list(args, lists[i], &n), n)
			return cli_usage_error(
			    ctx,
			    "--%s has no effect with --poll: forms submitted and purchases "
			    "cannot be seen by polling",
			    lists[i]);
	return EXIT_OK;
}

/* Polling sees contacts only: a created event of another --type is refused. */
static int check_poll_hooks(cli_ctx *ctx, const cli_hooks *h)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].event == ONTRA_EVENT_OBJECT_CREATE && h->v[i].target != 0)
			return cli_usage_error(
			    ctx,
			    "--poll sees contacts only: '%s' cannot be polled (drop "
			    "--type, or watch it with webhooks)",
			    h->v[i].what);
	return EXIT_OK;
}

/* The delivery's settings. */
static int read_numbers(watch *w, cli_args *a)
{
	int rc;

	if (cli_value_ll(a, "max-attempts", 1, 1000, 8, &w->attempts) < 0)
		return EXIT_USAGE;
	if ((rc = cli_duration_opt(w->ctx, a, "retry-delay", 1, 86400000, 1000, &w->delay)) ||
	    (rc = cli_duration_opt(w->ctx, a, "retry-max", 1, 86400000LL * 7, 300000, &w->cap)) ||
	    (rc = cli_duration_opt(w->ctx, a, "handler-timeout", 1, 86400000, 30000, &w->timeout)))
		return rc;
	if (w->cap < w->delay)
		w->cap = w->delay;
	w->max_attempts = (int)w->attempts;
	return EXIT_OK;
}

/* The handler: --exec, --forward-to, or standard output. */
static rcv_deliver_config delivery(watch *w, cli_args *args)
{
	rcv_deliver_config d = RCV_DELIVER_CONFIG_INIT;

	d.command = cli_value(args, "exec");
	d.url = cli_value(args, "forward-to");
	d.kind = d.command ? RCV_HANDLER_EXEC : d.url ? RCV_HANDLER_FORWARD : RCV_HANDLER_FILE;
	d.timeout_ms = (long)w->timeout;
	d.max_attempts = w->max_attempts;
	d.backoff_base_ms = (long)w->delay;
	d.backoff_cap_ms = (long)w->cap;
	d.on_result = on_result;
	d.log = on_delivery_log;
	d.userdata = w;
	return d;
}

/* Settings, then what to subscribe (resolved through the API), then the session. */
static int watch_start(watch *w, cli_watch *s, cli_args *args)
{
	cli_watch_route r = {.key = cli_value(args, "name") ? cli_value(args, "name") : DEFAULT_KEY,
	                     .mode = w->no_subscribe ? RCV_MODE_GENERIC : RCV_MODE_ONTRAPORT};
	rcv_deliver_config d;
	int rc;

	if ((rc = read_numbers(w, args)) != EXIT_OK)
		return rc;
	if (!w->no_subscribe) {
		if ((rc = cli_hooks_from_args(w->ctx, args, &w->hooks)) != EXIT_OK)
			return rc;
		r.hooks = &w->hooks;
	}
	if (w->poll) {
		if ((rc = check_poll_hooks(w->ctx, &w->hooks)) != EXIT_OK)
			return rc;
		r.hooks = NULL; /* nothing is subscribed: the poll source finds the events */
		cli_watch_no_server(s);
	}
	d = delivery(w, args);
	return cli_watch_start(s, &r, 1, &d);
}

/* The poll source's settings: --interval, --poll-share, --once; the state beside the queue. */
static int poll_settings(watch *w, cli_args *args, cli_watch *s, cli_watch_poll_settings *ps,
                         char *state, size_t statesz)
{
	long long pct;
	int rc;

	if ((rc = cli_duration_opt(w->ctx, args, "interval", 1000, 86400000, 60000,
	                           &ps->interval_ms)) != EXIT_OK)
		return rc;
	if (cli_value_ll(args, "poll-share", 1, 100, 20, &pct) < 0)
		return EXIT_USAGE;
	ps->key = cli_value(args, "name") ? cli_value(args, "name") : DEFAULT_KEY;
	if (cli_value(args, "poll-state")) {
		snprintf(state, statesz, "%s", cli_value(args, "poll-state"));
	} else if (util_starts_with(cli_watch_db(s), "postgres")) {
		/* the queue is a database (its URL shown): the state stays on this host */
		char name[256];
		snprintf(name, sizeof name, "poll-%s.db", ps->key);
		if (cli_data_path(state, statesz, name) < 0)
			return cli_error(EXIT_ERROR,
			                 "cannot find a data directory: set "
			                 "XDG_DATA_HOME or HOME, or give --poll-state FILE");
	} else {
		snprintf(state, statesz, "%s.poll", cli_watch_db(s));
	}
	ps->hooks = &w->hooks;
	ps->state_path = state;
	ps->share = (double)pct / 100.0;
	ps->once = cli_flag(args, "once") > 0;
	return EXIT_OK;
}

static int run_watch(cli_ctx *ctx, cli_args *args)
{
	watch w = {.ctx = ctx, .hooks = {.format = ONTRA_WEBHOOK_FULL}};
	cli_watch_poll_settings ps = {0};
	cli_watch_poll *poll = NULL;
	cli_watch *s = NULL;
	char state[4300];
	int rc;

	w.no_subscribe = cli_flag(args, "no-subscribe") > 0;
	w.poll = cli_flag(args, "poll") > 0;
	if ((rc = log_setup(ctx, args)) == EXIT_OK &&
	    (rc = check_poll_usage(ctx, args)) == EXIT_OK &&
	    (rc = check_usage(ctx, args, w.no_subscribe)) == EXIT_OK &&
	    (rc = cli_watch_new(&s, ctx, args, "events.db")) == EXIT_OK &&
	    (!w.poll || (rc = poll_settings(&w, args, s, &ps, state, sizeof state)) == EXIT_OK) &&
	    (rc = watch_start(&w, s, args)) == EXIT_OK &&
	    (!w.poll || (rc = cli_watch_poll_start(&poll, ctx, s, &ps)) == EXIT_OK)) {
		cli_watch_wait(s);
		rc = EXIT_OK;
	}
	rc = cli_watch_poll_stop(poll, rc);
	rc = cli_watch_close(s, rc);
	cli_hooks_release(&w.hooks);
	return rc;
}

const cli_command cli_cmd_watch = {
    .name = "watch",
    .summary = "receive events: objects created, tagged, untagged, forms submitted, purchases",
    .synopsis = "[--event EVENT]... [--type TYPE] [--tag NAME|ID]... [--form ID|NAME]... "
                "[--product NAME|ID]... [--data-format FORMAT] "
                "[--exec CMD | --forward-to URL] [--public-url URL] [--no-subscribe] [--keep] "
                "[--poll [--interval DURATION] [--poll-share PCT] [--poll-state FILE] [--once]]",
    .description =
        "Watch Events. Start a webhook receiver, subscribe it to the events asked for (POST "
        "/Webhook/subscribe, one subscription per event and tag, form or product), and hand each "
        "event, at "
        "least once and in arrival order, to a handler: one JSON line on standard output (the "
        "default), the standard input of an --exec command, or an HTTP POST to --forward-to. "
        "Several events can be watched at once. On SIGINT or SIGTERM the subscriptions are removed "
        "(unless --keep), the delivery in flight finishes and the rest stays pending for the next "
        "run.\n\n"
        "Each event is stored in a SQLite queue (--db) before the sender gets its 200, so a crash "
        "loses nothing that was acknowledged; an event may be delivered twice only if the process "
        "dies while the handler has it. A handler that fails is retried with exponential backoff; "
        "after --max-attempts failures the event is dead ('ontraport events list --status dead', "
        "'ontraport events replay'). Each event is a JSON object: id (unique: deduplicate on it), "
        "received_at, webhook_key (the --name), webhook_id, object_type_id, timestamp, event "
        "({type, tag_id, form_id or product_id}), data (the record's fields, as --data-format "
        "says: for purchased, the purchase; for transaction-created, the transaction), "
        "encoding.\n\n"
        "The receiver listens on 127.0.0.1 (--bind to change it) at /hooks/TOKEN, a 128-bit random "
        "token: anything else is 404. Against the sandbox the local address is subscribed; "
        "Ontraport itself needs --public-url, an https address forwarded to this receiver (the "
        "path /hooks/TOKEN is appended). --token-file keeps the token, so a restart receives on "
        "the same URL and reuses the subscriptions made for it.\n\n"
        "With --no-subscribe nothing is subscribed: the URL is printed for pasting into a "
        "campaign's \"Send to a Webhook\" element or the account's webhook settings, and any JSON "
        "or form body is accepted and delivered as {encoding, fields}.\n\n"
        "With --poll nothing is subscribed and nothing listens, for a machine Ontraport cannot "
        "post to: contacts are polled by date last modified every --interval (default 60s), "
        "using at most --poll-share percent (default 20) of the account's requests a minute, "
        "and their tags compared with the last poll's. It sees contacts created, tagged and "
        "untagged (the same documents as the webhooks', plus \"source\": \"poll\"); it "
        "cannot see forms submitted, purchases, deletions, other object types, or a change "
        "undone between two polls. The first poll reads every contact as the baseline and "
        "reports nothing. Its state (cursor, last-seen tags, events not yet queued) is kept in "
        "--poll-state (default DB.poll beside the queue; with --queue, poll-NAME.db in the data "
        "directory: run one poller per account), so a restart repeats nothing. --once "
        "polls once, delivers "
        "what it found and exits.\n\n"
        "With --queue postgresql://... (or $ONTRAPORT_QUEUE, unless --db) the queue is on "
        "PostgreSQL ('ontraport queue migrate' makes it), shared by any number of watches on any "
        "hosts: each answers 200 once the event is committed there, or, while the database cannot "
        "be reached, in a local spool (--spool) whose events are moved into it once it is back "
        "(503 only when neither can take it); and each delivers, claiming events with a lease "
        "(--lease, renewed while the "
        "handler runs) that another watch takes over when this one dies; one --name's events are "
        "still handled one at a time, in order. Give every watch the same --token-file so that "
        "one URL reaches them all. The URL's password is never shown (docs/postgresql.md).",
    .opts = watch_opts,
    .examples = "ontraport watch --event created\n  print each new contact as a JSON line\n"
                "ontraport watch -e tagged -e untagged --tag VIP --data-format lightweight\n"
                "  VIP tags added and removed, with id, name and email only\n"
                "ontraport watch -e form-submitted --form 'Contact Us' --exec ./on-form.sh\n"
                "  run a script for each fill of a form\n"
                "ontraport watch -e purchased -e transaction-created --product Widget\n"
                "  each purchase of the product Widget, and each transaction holding it\n"
                "ontraport watch --no-subscribe --port 8600 --forward-to http://127.0.0.1:9000/in\n"
                "  receive from a campaign's Send to a Webhook element and forward\n"
                "ontraport watch --poll -e created -e tagged --tag VIP --exec ./on-event.sh\n"
                "  no public address: poll contacts every minute instead of subscribing",
    .run = run_watch,
};
