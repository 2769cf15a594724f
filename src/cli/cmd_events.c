/*
 * `ontraport events`: the queue `ontraport watch` keeps: list, show, replay,
 * purge. These open only the queue (src/receiver), so they work while a
 * watch runs: a replayed event is picked up by the running watch within a
 * second.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "subscriptions.h"
#include "object_input.h"
#include "receiver.h"
#include "util.h"
#include "banned.h"

#define DB_OPT                                                                                     \
	{.name = "db",                                                                             \
	 .kind = CLI_VALUE,                                                                        \
	 .arg = "FILE",                                                                            \
	 .help = "the event queue (default $XDG_DATA_HOME/ontraport/events.db)"},                  \
	{                                                                                          \
		.name = "queue", .kind = CLI_VALUE, .arg = "URL",                                  \
		.help = "the event queue on PostgreSQL: postgresql://USER:PASSWORD@HOST/DB "       \
		        "(default $ONTRAPORT_QUEUE unless --db)"                                   \
	}

/* The exit code for a queue that did not open (the error printed). */
static int open_failed(int rc, const char *where, const char *err)
{
	if (rc == RCV_ENOTQUEUE)
		return cli_error(EXIT_INVALID, "%s: give the %s 'ontraport watch' made", err,
		                 where);
	if (rc == RCV_EINVALID)
		return cli_error(EXIT_USAGE, "%s", err);
	if (rc == RCV_EUNAVAIL)
		return cli_error(EXIT_NETWORK, "cannot open the event queue: %s", err);
	return cli_error(EXIT_ERROR, "cannot open the event queue '%s': %s", where, err);
}

/* The queue on PostgreSQL at url (its password wiped from memory once connected). */
static int open_url(char *url, size_t n, int readonly, rcv_queue **q)
{
	char err[1024]; /* a multi-host URL: a failure per host */
	int rc = readonly ? rcv_queue_open_readonly(q, url, err, sizeof err)
	                  : rcv_queue_open(q, url, err, sizeof err);

	memset(url, 0, n);
	return rc < 0 ? open_failed(rc, "--queue URL", err) : EXIT_OK;
}

/*
 * Open the queue named by --queue URL (or $ONTRAPORT_QUEUE), else --db (or the default);
 * a file must exist. list and show open it
 * read-only: they change nothing in the file. A file that is not a queue is refused (5).
 */
static int open_queue(cli_ctx *ctx, cli_args *args, int readonly, rcv_queue **q)
{
	char db[4200], err[512], url[CLI_QUEUE_URL_MAX];
	struct stat st;
	int rc;

	*q = NULL;
	if ((rc = cli_queue_url(ctx, args, cli_value(args, "db"), url, sizeof url)) != EXIT_OK)
		return rc;
	if (*url)
		return open_url(url, sizeof url, readonly, q);
	if (cli_value(args, "db"))
		snprintf(db, sizeof db, "%s", cli_value(args, "db"));
	else if (cli_data_path(db, sizeof db, "events.db") < 0)
		return cli_error(EXIT_ERROR,
		                 "cannot find a data directory: set XDG_DATA_HOME or HOME, "
		                 "or give --db FILE");
	if (stat(db, &st) < 0)
		return cli_error(
		    errno == ENOENT ? EXIT_NOTFOUND : EXIT_ERROR,
		    "no event queue at '%s': %s ('ontraport watch' makes it; or give --db "
		    "FILE)",
		    db, strerror(errno));
	rc = readonly ? rcv_queue_open_readonly(q, db, err, sizeof err)
	              : rcv_queue_open(q, db, err, sizeof err);
	if (rc == RCV_ENOTQUEUE)
		return open_failed(rc, "--db FILE", err);
	if (rc < 0)
		return open_failed(rc, db, err);
	return EXIT_OK;
}

static json_t *time_or_null(int64_t ms)
{
	char buf[40];

	if (!ms)
		return json_null();
	rcv_format_time(ms, buf, sizeof buf);
	return json_string(buf);
}

typedef struct list_state {
	cli_out *out;
	int full;
	int failed;
} list_state;

/* One queue row as a record: the event's type and object id pulled up for tables. */
static int list_one(const rcv_item *it, void *ud)
{
	list_state *ls = ud;
	json_t *ev = json_loads(it->event, JSON_ALLOW_NUL, NULL), *rec, *type, *obj;

	type = json_object_get(json_object_get(ev, "event"), "type");
	obj = json_object_get(json_object_get(ev, "data"), "id");
	rec =
	    json_pack("{s:I, s:o, s:s, s:s, s:i, s:O, s:O, s:o, s:o}", "id", (json_int_t)it->id,
	              "received_at", time_or_null(it->received_at), "webhook_key", it->webhook_key,
	              "status", rcv_status_name(it->status), "attempts", it->attempts, "event",
	              type ? type : json_null(), "object_id", obj ? obj : json_null(), "last_error",
	              it->last_error ? json_string(it->last_error) : json_null(), "delivered_at",
	              time_or_null(it->delivered_at));
	if (rec && ls->full) {
		json_t *doc = NULL;
		if (rcv_deliver_document(&doc, it) == 0)
			json_object_set_new(rec, "document", doc);
	}
	if (!rec || cli_out_record(ls->out, rec) < 0)
		ls->failed = 1;
	json_decref(rec);
	json_decref(ev);
	return ls->failed;
}

static int status_mask(cli_ctx *ctx, cli_args *args, int dflt, int allowed, int *mask)
{
	const char *const *v;
	size_t n, i;

	v = cli_list(args, "status", &n);
	*mask = n ? 0 : dflt;
	for (i = 0; i < n; i++) {
		int s = rcv_status_parse(v[i]);
		if (!s || !(s & allowed))
			return cli_usage_error(ctx, "invalid --status '%s': expected %s", v[i],
			                       allowed == RCV_STATUS_ALL ? "pending, done or dead"
			                                                 : "done or dead");
		*mask |= s;
	}
	return EXIT_OK;
}

static int run_list(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"id",        "received_at", "webhook_key",
	                                   "status",    "attempts",    "event",
	                                   "object_id", "last_error",  NULL};
	list_state ls = {NULL, cli_flag(args, "full") > 0, 0};
	long long limit, after;
	rcv_queue *q;
	int mask, rc, qrc;

	if ((rc = status_mask(ctx, args, RCV_STATUS_ALL, RCV_STATUS_ALL, &mask)) != EXIT_OK)
		return rc;
	if (cli_value_ll(args, "limit", 1, 1LL << 40, 0, &limit) < 0 ||
	    cli_value_ll(args, "after", 0, 1LL << 62, 0, &after) < 0)
		return EXIT_USAGE;
	if ((rc = open_queue(ctx, args, 1, &q)) != EXIT_OK)
		return rc;
	ls.out =
	    cli_out_begin(ctx, ctx->format == FMT_TABLE || ctx->format == FMT_CSV ? cols : NULL);
	qrc = rcv_queue_list(q, mask, after, (size_t)limit, list_one, &ls);
	if (qrc < 0 && !ls.failed)
		rc = cli_error(EXIT_ERROR, "cannot list the event queue: %s",
		               rcv_queue_last_error());
	if ((cli_out_end(ls.out) < 0 || ls.failed) && rc == EXIT_OK)
		rc = EXIT_ERROR;
	rcv_queue_close(q);
	return rc;
}

static int run_show(cli_ctx *ctx, cli_args *args)
{
	long long *ids = NULL;
	size_t n, i;
	rcv_queue *q;
	cli_out *out = NULL;
	int rc;

	if ((rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args), (size_t)cli_argc(args),
	                        &ids, &n)) != EXIT_OK)
		return rc;
	if ((rc = open_queue(ctx, args, 1, &q)) != EXIT_OK) {
		free(ids);
		return rc;
	}
	if (n > 1)
		out = cli_out_begin(ctx, NULL);
	for (i = 0; i < n && rc == EXIT_OK; i++) {
		rcv_item *it = NULL;
		json_t *doc = NULL;
		if (rcv_queue_get(q, ids[i], &it) < 0) {
			rc = cli_error(EXIT_NOTFOUND, "no event %lld in the queue", ids[i]);
			break;
		}
		if (rcv_deliver_document(&doc, it) < 0) {
			rc = cli_error(EXIT_ERROR, "event %lld is stored damaged", ids[i]);
		} else {
			json_object_set_new(doc, "status",
			                    json_string(rcv_status_name(it->status)));
			json_object_set_new(doc, "attempts", json_integer(it->attempts));
			json_object_set_new(doc, "last_error",
			                    it->last_error ? json_string(it->last_error)
			                                   : json_null());
			json_object_set_new(doc, "delivered_at", time_or_null(it->delivered_at));
			if (out ? cli_out_record(out, doc) < 0 : cli_print_json(ctx, doc) < 0)
				rc = EXIT_ERROR;
		}
		json_decref(doc);
		rcv_item_free(it);
	}
	if (out && cli_out_end(out) < 0 && rc == EXIT_OK)
		rc = EXIT_ERROR;
	rcv_queue_close(q);
	free(ids);
	return rc;
}

static int run_replay(cli_ctx *ctx, cli_args *args)
{
	long long *ids = NULL;
	size_t n = 0, i;
	int64_t count = 0, one;
	rcv_queue *q;
	int dead = cli_flag(args, "dead") > 0, rc, qrc;

	if (dead == (cli_argc(args) > 0))
		return cli_usage_error(ctx, "give event ids or --dead (one or the other)");
	if (!dead && (rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args),
	                                 (size_t)cli_argc(args), &ids, &n)) != EXIT_OK)
		return rc;
	if ((rc = open_queue(ctx, args, 0, &q)) != EXIT_OK) {
		free(ids);
		return rc;
	}
	if (dead) {
		if (rcv_queue_replay(q, 0, &count) < 0)
			rc = cli_error(EXIT_ERROR, "cannot replay: %s", rcv_queue_last_error());
	}
	for (i = 0; i < n; i++) {
		qrc = rcv_queue_replay(q, ids[i], &one);
		if (qrc == RCV_ENOTFOUND) {
			if (rc == EXIT_OK)
				rc = cli_error(EXIT_NOTFOUND, "no event %lld in the queue", ids[i]);
			else
				cli_error(EXIT_NOTFOUND, "no event %lld in the queue", ids[i]);
		} else if (qrc < 0) {
			rc = cli_error(EXIT_ERROR, "cannot replay event %lld: %s", ids[i],
			               rcv_queue_last_error());
		} else {
			count += one;
		}
	}
	cli_note(ctx, "%lld event%s pending again; a running 'ontraport watch' delivers %s",
	         (long long)count, count == 1 ? "" : "s", count == 1 ? "it" : "them");
	rcv_queue_close(q);
	free(ids);
	return rc;
}

/* --before: an age ("7d", "12h", "30m") or a UTC date ("2026-01-31", "2026-01-31T12:00:00Z"). */
static int run_purge(cli_ctx *ctx, cli_args *args)
{
	int64_t at, count = 0;
	rcv_queue *q;
	int mask, rc;

	if ((rc = cli_before_opt(ctx, args, &at)) != EXIT_OK)
		return rc;
	if ((rc = status_mask(ctx, args, RCV_DONE | RCV_DEAD, RCV_DONE | RCV_DEAD, &mask)) !=
	    EXIT_OK)
		return rc;
	if ((rc = open_queue(ctx, args, 0, &q)) != EXIT_OK)
		return rc;
	if (rcv_queue_purge(q, at, mask, &count) < 0)
		rc = cli_error(EXIT_ERROR, "cannot purge: %s", rcv_queue_last_error());
	else
		cli_note(ctx, "purged %lld event%s", (long long)count, count == 1 ? "" : "s");
	rcv_queue_close(q);
	return rc;
}

static const cli_opt list_opts[] = {
    {.name = "status",
     .short_name = 's',
     .kind = CLI_LIST,
     .arg = "STATUS",
     .help = "only pending, done or dead events (repeatable)"},
    {.name = "limit", .short_name = 'n', .kind = CLI_VALUE, .arg = "N", .help = "at most N events"},
    {.name = "after", .kind = CLI_VALUE, .arg = "ID", .help = "only events after this id"},
    {.name = "full", .kind = CLI_FLAG, .help = "include each event's whole document"},
    DB_OPT,
    {.name = NULL}};
static const cli_opt db_opts[] = {DB_OPT, {.name = NULL}};
static const cli_opt replay_opts[] = {
    {.name = "dead", .kind = CLI_FLAG, .help = "replay every dead event"}, DB_OPT, {.name = NULL}};
static const cli_opt purge_opts[] = {
    {.name = "before",
     .kind = CLI_VALUE,
     .arg = "AGE|DATE",
     .help = "events received before this: an age (7d, 12h) or a UTC date"},
    {.name = "status",
     .short_name = 's',
     .kind = CLI_LIST,
     .arg = "STATUS",
     .help = "done or dead (repeatable; default both; pending events are never purged)"},
    DB_OPT,
    {.name = NULL}};

static const cli_command cmd_list = {
    .name = "list",
    .summary = "list the events received",
    .synopsis = "[--status pending|done|dead] [--limit N] [--after ID]",
    .description =
        "List the events in the queue, oldest first: id, when it arrived, the webhook's name, "
        "status (pending: not delivered yet; done: delivered; dead: failed --max-attempts times), "
        "failed attempts, event type, object id, and the last error.",
    .opts = list_opts,
    .examples =
        "ontraport events list --status dead -o table\n  the events the handler never took\n"
        "ontraport events list --full -o ndjson\n  every event with its document, one JSON line "
        "each",
    .run = run_list,
};

static const cli_command cmd_show = {
    .name = "show",
    .summary = "show events as the handler receives them",
    .synopsis = "ID...",
    .description =
        "Print each event's document (what the handler gets), with its status, attempts and last "
        "error.",
    .opts = db_opts,
    .run = run_show,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command cmd_replay = {
    .name = "replay",
    .summary = "deliver events again",
    .synopsis = "ID...|--dead",
    .description =
        "Make events pending again, with their attempts reset: given ones (whatever their status) "
        "or every dead one. A running 'ontraport watch' on the same queue delivers them within a "
        "second; otherwise the next one does. A replayed event keeps its id and goes before later "
        "events of its webhook.",
    .opts = replay_opts,
    .examples = "ontraport events replay --dead\n  retry every dead event",
    .run = run_replay,
    .max_args = -1,
};

static const cli_command cmd_purge = {
    .name = "purge",
    .summary = "delete old delivered and dead events",
    .synopsis = "--before AGE|DATE [--status done|dead]",
    .description =
        "Delete events received before a time that are done or dead (or only one of the two). "
        "Pending events are never purged. Ids are not reused.",
    .opts = purge_opts,
    .examples = "ontraport events purge --before 30d\n  forget what was handled a month ago",
    .run = run_purge,
};

static const cli_command *const subs[] = {&cmd_list, &cmd_show, &cmd_replay, &cmd_purge, NULL};

const cli_command cli_cmd_events = {
    .name = "events",
    .summary = "list, replay and purge the events 'watch' received",
    .description = "The durable queue of 'ontraport watch' (--db, default $XDG_DATA_HOME/ontraport/"
                   "events.db), or the queue on PostgreSQL that receivers and workers share "
                   "(--queue postgresql://..., or $ONTRAPORT_QUEUE; docs/postgresql.md). These "
                   "commands work while a watch runs.",
    .subs = subs,
};
