/*
 * `ontraport watch`: the "Watch Events" trigger. Starts the receiver
 * (src/receiver: endpoint, durable queue, delivery), subscribes webhooks
 * pointing at it, and delivers each event to the handler until SIGINT or
 * SIGTERM; then unsubscribes (unless --keep), stops taking events, finishes
 * the delivery in flight and leaves the rest pending in the queue for the
 * next run.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "subscriptions.h"
#include "receiver.h"
#include "util.h"
#include "banned.h"

#define DEFAULT_KEY "watch"
#define KEY_MAX 64

/*
 * A watch session: what the options asked for, then what runs. Each step
 * below does one thing; watch_close releases whatever the steps reached.
 */
typedef struct watch {
	cli_ctx *ctx;
	cli_args *args;
	ontra_client *client; /* the context's; NULL with --no-subscribe */
	/* settings, from the options */
	const char *key, *bind, *public_url, *token_file;
	int no_subscribe, keep;
	long long port, per_ip, attempts, delay, cap, timeout, req_timeout;
	int max_attempts;
	char db[4200];
	cli_hooks hooks; /* the subscriptions to make */
	char token[RCV_TOKEN_MAX + 1];
	/* what runs */
	int lock_fd; /* the queue's flock, -1 when not held */
	rcv_queue *q;
	rcv_server *srv;
	rcv_deliver *dlv;
	rcv_deliver_config dcfg;
	sigset_t stop_signals;
	char url[2300];   /* the receiving URL, token included */
	char shown[2300]; /* the same with the token masked, for notes */
	long long *subs;  /* subscriptions to remove at exit */
	size_t nsubs;
	pthread_t main_thread; /* woken with SIGUSR1 when the handler is gone */
} watch;

static const cli_opt watch_opts[] = {
    {.name = "name",
     .kind = CLI_VALUE,
     .arg = "NAME",
     .help = "the webhook's name: its events are stored and listed under it (default watch)"},
    CLI_HOOK_OPTS,
    {.name = "public-url",
     .kind = CLI_VALUE,
     .arg = "URL",
     .help =
         "the address Ontraport posts to, forwarded to this receiver (default: the local address)"},
    {.name = "bind",
     .kind = CLI_VALUE,
     .arg = "ADDR",
     .help = "address to listen on (default 127.0.0.1)"},
    {.name = "port",
     .short_name = 'p',
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "port to listen on (default 0: any free port)"},
    {.name = "db",
     .kind = CLI_VALUE,
     .arg = "FILE",
     .help = "the event queue (default $XDG_DATA_HOME/ontraport/events.db)"},
    {.name = "token-file",
     .kind = CLI_VALUE,
     .arg = "FILE",
     .help = "keep the URL's secret token in FILE (made, mode 0600, when missing), so a restart "
             "receives on the same URL"},
    {.name = "keep", .kind = CLI_FLAG, .help = "leave the subscriptions in place on exit"},
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
    {.name = "per-ip-connections",
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "open connections allowed from one address (default 100; 0 = no limit, e.g. behind a "
             "reverse proxy)"},
    {.name = "request-timeout",
     .kind = CLI_VALUE,
     .arg = "DURATION",
     .help = "time a connection has to send a whole request, else 408 and closed (default 30s)"},
    {.name = NULL}};

/* ---- handlers' reports, from the delivery thread ---- */

static void on_result(void *ud, int64_t id, rcv_outcome outcome, int attempts, const char *error)
{
	watch *w = ud;

	if (outcome == RCV_OUTCOME_DONE) {
		if (w->ctx->verbose)
			fprintf(stderr, "ontraport watch: event %lld delivered\n", (long long)id);
	} else if (outcome == RCV_OUTCOME_RETRY) {
		if (!w->ctx->quiet)
			fprintf(
			    stderr,
			    "ontraport watch: event %lld: attempt %d of %d failed: %s; retrying\n",
			    (long long)id, attempts, w->max_attempts, error ? error : "");
	} else {
		fprintf(
		    stderr,
		    "ontraport watch: event %lld is dead after %d attempts: %s; 'ontraport events "
		    "replay %lld' delivers it again\n",
		    (long long)id, attempts, error ? error : "", (long long)id);
	}
}

static void on_log(void *ud, const char *line)
{
	watch *w = ud;

	if (w->ctx->verbose)
		fprintf(stderr, "ontraport watch: %s\n", line);
}

static void on_delivery_log(void *ud, const char *line)
{
	(void)ud;
	fprintf(stderr, "ontraport watch: %s\n", line);
}

/* Standard output's reader went away: say so, and wake the main thread to stop. */
static void on_gone(void *ud, const char *line)
{
	watch *w = ud;

	fprintf(stderr, "ontraport watch: %s\n", line);
	pthread_kill(w->main_thread, SIGUSR1);
}

/* ---- setup ---- */

/* The token: from --token-file (made when missing), else a new one. */
static int get_token(const char *file, char *token, size_t n)
{
	char *text;
	int fd;

	if (!file) {
		if (rcv_token_new(token, n) < 0)
			return cli_error(EXIT_ERROR, "cannot make a token: no randomness");
		return EXIT_OK;
	}
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		FILE *f;
		if (rcv_token_new(token, n) < 0) {
			close(fd);
			unlink(file);
			return cli_error(EXIT_ERROR, "cannot make a token: no randomness");
		}
		f = fdopen(fd, "w");
		if (!f || fprintf(f, "%s\n", token) < 0 || fclose(f) != 0) {
			if (!f)
				close(fd);
			unlink(file);
			return cli_error(EXIT_ERROR, "cannot write '%s': %s", file,
			                 strerror(errno));
		}
		return EXIT_OK;
	}
	if (errno != EEXIST)
		return cli_error(EXIT_ERROR, "cannot create '%s': %s", file, strerror(errno));
	text = cli_read_file(file, 1024, NULL);
	if (!text)
		return EXIT_ERROR;
	util_trim(text);
	if (!rcv_token_valid(text)) {
		free(text);
		return cli_error(EXIT_INVALID,
		                 "'%s' does not hold a token: expected %d to %d hexadecimal digits",
		                 file, RCV_TOKEN_MIN, RCV_TOKEN_MAX);
	}
	snprintf(token, n, "%s", text);
	free(text);
	return EXIT_OK;
}

/*
 * One process delivers from a queue at a time: an exclusive flock on the database file itself
 * (made 0600 when missing), so a symlink or a hard link to the same file meets the same lock.
 * flock and SQLite's POSIX locks do not interact; the descriptor stays open until after the
 * queue is closed (closing it earlier would drop SQLite's own locks on the file).
 */
static int lock_queue(const char *db, int *fd_out)
{
	int fd;

	*fd_out = -1;
	fd = open(db, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return cli_error(EXIT_ERROR, "cannot open the event queue '%s': %s", db,
		                 strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return cli_error(
			    EXIT_ERROR,
			    "another 'ontraport watch' is delivering from '%s' (the same "
			    "file, maybe under another name): give this one its own --db",
			    db);
		return cli_error(EXIT_ERROR, "cannot lock '%s': %s", db, strerror(e));
	}
	*fd_out = fd;
	return EXIT_OK;
}

/* Whether the API at base_url is on this machine (so it can reach a loopback receiver). */
static int api_is_local(const char *base_url)
{
	const char *h = strstr(base_url, "://");
	char host[256];
	size_t n;

	if (!h)
		return 0;
	h += 3;
	if (*h == '[') {
		n = strcspn(h, "]");
		snprintf(host, sizeof host, "%.*s", (int)(n > 250 ? 250 : n), h + 1);
	} else {
		n = strcspn(h, ":/");
		snprintf(host, sizeof host, "%.*s", (int)(n > 250 ? 250 : n), h);
	}
	return util_strieq(host, "localhost") || util_starts_with(host, "127.") ||
	       strcmp(host, "::1") == 0;
}

/* The local URL of the receiver: a wildcard bind is reached on loopback; IPv6 in brackets. */
static void local_url(char *out, size_t n, const char *bind, int port, const char *path)
{
	const char *host = bind ? bind : "127.0.0.1";

	if (strcmp(host, "0.0.0.0") == 0)
		host = "127.0.0.1";
	else if (strcmp(host, "::") == 0)
		host = "::1";
	snprintf(out, n, "http://%s%s%s:%d%s", strchr(host, ':') ? "[" : "", host,
	         strchr(host, ':') ? "]" : "", port, path);
}

/* The token is a secret: shown in full only where the user must paste it (with
 * --no-subscribe); a password in --public-url, never. */
static void set_shown(watch *w, const char *token)
{
	size_t n = strlen(util_url_shown(w->url, w->shown, sizeof w->shown)), t = strlen(token);

	if (n >= t && strcmp(w->shown + n - t, token) == 0)
		snprintf(w->shown + n - t, sizeof w->shown - (n - t), "%.4s...", token);
}

typedef struct reuse {
	const char *url, *event, *format;
	long long id;
} reuse;

/* A subscription's id, a string in lists (§1.7) and a number in some replies; 0 if neither. */
static long long sub_id(json_t *sub)
{
	json_t *id = json_object_get(sub, "id");
	long long v = 0;

	if (json_is_integer(id))
		return json_integer_value(id);
	if (json_is_string(id) && util_parse_ll(json_string_value(id), 1, ONTRA_ID_MAX, &v) == 0)
		return v;
	return 0;
}

/* A subscription already made to this URL for this event and format (a restart with
 * --token-file after a crash or --keep), so as not to subscribe it twice. */
static int find_same(json_t *sub, void *ud)
{
	reuse *r = ud;
	const char *url = json_string_value(json_object_get(sub, "url"));
	const char *ev = json_string_value(json_object_get(sub, "event"));
	const char *data = json_string_value(json_object_get(sub, "data"));
	json_t *d = data && *data ? json_loads(data, 0, NULL) : NULL;
	const char *fmt = json_string_value(json_object_get(d, "format"));

	if (!r->id && url && ev && strcmp(url, r->url) == 0 && strcmp(ev, r->event) == 0 &&
	    strcmp(fmt && *fmt ? fmt : "full", r->format) == 0)
		r->id = sub_id(sub);
	json_decref(d);
	return 0;
}

static int add_sub(watch *w, long long id)
{
	long long *nv = realloc(w->subs, (w->nsubs + 1) * sizeof *nv);

	if (!nv)
		return cli_error(EXIT_ERROR, "out of memory");
	w->subs = nv;
	w->subs[w->nsubs++] = id;
	return EXIT_OK;
}

static int unsubscribe_all(watch *w)
{
	int rc = EXIT_OK;
	size_t i;

	for (i = 0; i < w->nsubs; i++) {
		int lrc = ontra_webhook_unsubscribe(w->client, w->subs[i]);
		if (lrc == ONTRA_ENOTFOUND)
			continue; /* removed by someone else meanwhile */
		if (lrc < 0) {
			fprintf(stderr, "ontraport watch: could not unsubscribe webhook %lld: %s\n",
			        w->subs[i], ontra_error_last()->message);
			if (rc == EXIT_OK)
				rc = cli_exit_code(lrc);
		} else {
			cli_note(w->ctx, "ontraport watch: unsubscribed webhook %lld", w->subs[i]);
		}
	}
	w->nsubs = 0;
	return rc;
}

static int subscribe_all(watch *w, const cli_hooks *hooks, int reuse_existing)
{
	ontra_webhook_options o = ONTRA_WEBHOOK_OPTIONS_INIT;
	size_t i;
	int lrc, rc;

	o.url = w->url;
	o.format = hooks->format;
	for (i = 0; i < hooks->n; i++) {
		json_t *reply;
		char es[64];
		reuse r = {w->url, es, ontra_webhook_format_name(hooks->format), 0};

		ontra_webhook_event_string(es, sizeof es, hooks->v[i].event, hooks->v[i].target);
		if (reuse_existing && (lrc = ontra_webhook_list(w->client, find_same, &r)) < 0)
			return cli_fail_lib(w->ctx, lrc);
		if (r.id) {
			cli_note(w->ctx, "ontraport watch: webhook %lld already sends %s here",
			         r.id, hooks->v[i].what);
			if ((rc = add_sub(w, r.id)) != EXIT_OK)
				return rc;
			continue;
		}
		o.event = hooks->v[i].event;
		o.target = hooks->v[i].target;
		if ((lrc = ontra_webhook_subscribe(&reply, w->client, &o)) < 0)
			return cli_fail_lib(w->ctx, lrc);
		rc = add_sub(w, sub_id(reply));
		cli_note(w->ctx, "ontraport watch: subscribed webhook %lld: %s, %s data",
		         sub_id(reply), hooks->v[i].what, ontra_webhook_format_name(hooks->format));
		json_decref(reply);
		if (rc != EXIT_OK)
			return rc;
	}
	return EXIT_OK;
}

/* Usage checks that need no network. */
static int check_usage(cli_ctx *ctx, cli_args *args, int no_subscribe)
{
	static const char *const lists[] = {"event", "tag", "form"};
	static const char *const values[] = {"data-format", "type", "public-url"};
	const char *name = cli_value(args, "name"), *purl = cli_value(args, "public-url");
	char shown[512];
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
	if (purl && !util_starts_with(purl, "https://") && !util_starts_with(purl, "http://"))
		return cli_usage_error(ctx,
		                       "invalid --public-url '%s': expected an http:// or https:// "
		                       "URL",
		                       util_url_shown(purl, shown, sizeof shown));
	return EXIT_OK;
}

/* ---- the session's steps ---- */

static int read_numbers(watch *w)
{
	cli_args *a = w->args;
	int rc;

	if (cli_value_ll(a, "port", 0, 65535, 0, &w->port) < 0 ||
	    cli_value_ll(a, "max-attempts", 1, 1000, 8, &w->attempts) < 0 ||
	    cli_value_ll(a, "per-ip-connections", 0, 100000, RCV_DEFAULT_PER_IP, &w->per_ip) < 0)
		return EXIT_USAGE;
	if ((rc = cli_duration_opt(w->ctx, a, "retry-delay", 1, 86400000, 1000, &w->delay)) ||
	    (rc = cli_duration_opt(w->ctx, a, "retry-max", 1, 86400000LL * 7, 300000, &w->cap)) ||
	    (rc =
	         cli_duration_opt(w->ctx, a, "handler-timeout", 1, 86400000, 30000, &w->timeout)) ||
	    (rc = cli_duration_opt(w->ctx, a, "request-timeout", 1000, 86400000,
	                           RCV_DEFAULT_REQUEST_TIMEOUT * 1000, &w->req_timeout)))
		return rc;
	if (w->cap < w->delay)
		w->cap = w->delay;
	w->max_attempts = (int)w->attempts;
	return EXIT_OK;
}

static int find_db(watch *w)
{
	const char *db = cli_value(w->args, "db");

	if (db)
		snprintf(w->db, sizeof w->db, "%s", db);
	else if (cli_data_path(w->db, sizeof w->db, "events.db") < 0)
		return cli_error(EXIT_ERROR,
		                 "cannot find a data directory: set XDG_DATA_HOME or HOME, "
		                 "or give --db FILE");
	return EXIT_OK;
}

/* The settings, checked: nothing is reached over the network yet. */
static int watch_settings(watch *w, cli_ctx *ctx, cli_args *args)
{
	int rc;

	memset(w, 0, sizeof *w);
	w->ctx = ctx;
	w->args = args;
	w->lock_fd = -1;
	w->hooks.format = ONTRA_WEBHOOK_FULL;
	w->key = cli_value(args, "name") ? cli_value(args, "name") : DEFAULT_KEY;
	w->bind = cli_value(args, "bind");
	w->public_url = cli_value(args, "public-url");
	w->token_file = cli_value(args, "token-file");
	w->no_subscribe = cli_flag(args, "no-subscribe") > 0;
	w->keep = cli_flag(args, "keep") > 0;
	if ((rc = check_usage(ctx, args, w->no_subscribe)) != EXIT_OK ||
	    (rc = read_numbers(w)) != EXIT_OK)
		return rc;
	return find_db(w);
}

/* What to subscribe, and to whom: checked before anything starts. */
static int watch_plan(watch *w)
{
	int rc;

	if (w->no_subscribe)
		return EXIT_OK;
	if ((rc = cli_hooks_from_args(w->ctx, w->args, &w->hooks)) != EXIT_OK ||
	    (rc = cli_client(w->ctx, &w->client)) != EXIT_OK)
		return rc;
	if (!w->public_url && !api_is_local(ontra_client_base_url(w->client)))
		return cli_usage_error(
		    w->ctx,
		    "Ontraport cannot post to this machine's local address: give --public-url "
		    "URL (a public address forwarded to this receiver), or use --no-subscribe");
	return EXIT_OK;
}

/* Stop signals are taken by sigwait in watch_wait: blocked before any thread starts. */
static void block_stop_signals(watch *w)
{
	sigemptyset(&w->stop_signals);
	sigaddset(&w->stop_signals, SIGINT);
	sigaddset(&w->stop_signals, SIGTERM);
	sigaddset(&w->stop_signals, SIGHUP);
	sigaddset(&w->stop_signals, SIGUSR1); /* from on_gone */
	pthread_sigmask(SIG_BLOCK, &w->stop_signals, NULL);
	w->main_thread = pthread_self();
}

static int open_queue(watch *w)
{
	char err[512];
	int rc;

	if ((rc = lock_queue(w->db, &w->lock_fd)) != EXIT_OK)
		return rc;
	if ((rc = rcv_queue_open(&w->q, w->db, err, sizeof err)) < 0)
		return cli_error(rc == RCV_ENOTQUEUE ? EXIT_INVALID : EXIT_ERROR,
		                 "cannot open the event queue: %s", err);
	return EXIT_OK;
}

/* The URL to subscribe: --public-url (its trailing slashes dropped) or the local address. */
static void set_url(watch *w)
{
	char path[RCV_TOKEN_MAX + 16];
	size_t n;

	snprintf(path, sizeof path, "/hooks/%s", w->token);
	if (!w->public_url) {
		local_url(w->url, sizeof w->url, w->bind, rcv_server_port(w->srv), path);
	} else {
		for (n = strlen(w->public_url); n && w->public_url[n - 1] == '/'; n--)
			;
		snprintf(w->url, sizeof w->url, "%.*s%s", (int)(n > 2048 ? 2048 : n), w->public_url,
		         path);
	}
	set_shown(w, w->token);
}

static int start_server(watch *w)
{
	rcv_server_config scfg = RCV_SERVER_CONFIG_INIT;
	char err[512];

	scfg.bind = w->bind;
	scfg.port = (int)w->port;
	scfg.log = on_log;
	scfg.log_userdata = w;
	scfg.per_ip_limit = w->per_ip ? (int)w->per_ip : -1;
	scfg.request_timeout_s = (unsigned)((w->req_timeout + 999) / 1000);
	if (rcv_server_start(&w->srv, w->q, &scfg, err, sizeof err) < 0)
		return cli_error(EXIT_ERROR, "cannot start the receiver: %s", err);
	if (rcv_server_add_hook(w->srv, w->token, w->key,
	                        w->no_subscribe ? RCV_MODE_GENERIC : RCV_MODE_ONTRAPORT) < 0)
		return cli_error(EXIT_ERROR, "cannot register the hook");
	set_url(w);
	return EXIT_OK;
}

/* Subscribe; a failure removes what was subscribed so far. */
static int subscribe(watch *w)
{
	int rc;

	if (w->no_subscribe || (rc = subscribe_all(w, &w->hooks, w->token_file != NULL)) == EXIT_OK)
		return EXIT_OK;
	unsubscribe_all(w);
	return rc;
}

static int start_delivery(watch *w)
{
	rcv_deliver_config *d = &w->dcfg;
	char err[512];
	int rc;

	*d = (rcv_deliver_config)RCV_DELIVER_CONFIG_INIT;
	d->command = cli_value(w->args, "exec");
	d->url = cli_value(w->args, "forward-to");
	d->kind = d->command ? RCV_HANDLER_EXEC : d->url ? RCV_HANDLER_FORWARD : RCV_HANDLER_FILE;
	d->timeout_ms = (long)w->timeout;
	d->max_attempts = w->max_attempts;
	d->backoff_base_ms = (long)w->delay;
	d->backoff_cap_ms = (long)w->cap;
	d->on_result = on_result;
	d->log = on_delivery_log;
	d->on_gone = on_gone;
	d->userdata = w;
	if (rcv_deliver_start(&w->dlv, w->q, d, err, sizeof err) >= 0)
		return EXIT_OK;
	rc = cli_error(d->kind == RCV_HANDLER_FORWARD ? EXIT_USAGE : EXIT_ERROR,
	               "cannot start delivering: %s", err);
	if (!w->keep)
		unsubscribe_all(w);
	return rc;
}

static void announce(watch *w)
{
	int64_t pending = 0;
	char fwd[512];

	rcv_queue_counts(w->q, &pending, NULL, NULL);
	/* The URL line is what scripts wait for: printed even with --quiet. */
	fprintf(stderr, "ontraport watch: listening on %s\n", w->no_subscribe ? w->url : w->shown);
	util_url_shown(w->dcfg.url, fwd,
	               sizeof fwd); /* a password in --forward-to is never shown */
	cli_note(w->ctx, "ontraport watch: queue %s (%lld pending); delivering to %s; Ctrl-C stops",
	         w->db, (long long)pending,
	         w->dcfg.kind == RCV_HANDLER_EXEC      ? "the --exec command"
	         : w->dcfg.kind == RCV_HANDLER_FORWARD ? fwd
	                                               : "standard output");
	fflush(stderr);
}

/* Everything that starts, in order; each step returns EXIT_OK to go on. */
static int watch_start(watch *w)
{
	int rc;

	if ((rc = watch_plan(w)) != EXIT_OK ||
	    (rc = get_token(w->token_file, w->token, sizeof w->token)) != EXIT_OK)
		return rc;
	block_stop_signals(w);
	if ((rc = open_queue(w)) != EXIT_OK || (rc = start_server(w)) != EXIT_OK ||
	    (rc = subscribe(w)) != EXIT_OK || (rc = start_delivery(w)) != EXIT_OK)
		return rc;
	announce(w);
	return EXIT_OK;
}

/* Until a stop signal, or SIGUSR1 from on_gone; returns it. */
static int watch_wait(watch *w)
{
	int sig = 0;

	while (sigwait(&w->stop_signals, &sig) == 0 && sig != SIGINT && sig != SIGTERM &&
	       sig != SIGHUP && sig != SIGUSR1)
		;
	return sig;
}

/* The exit when standard output's reader went away (watch | head -1). */
static int stdout_gone(watch *w)
{
	int64_t pending = 0;

	/* Nothing more can be delivered: refuse events at once (503, or no connection),
	 * so the senders keep them and retry, rather than acknowledge what waits. */
	rcv_server_stop(w->srv);
	w->srv = NULL;
	rcv_queue_counts(w->q, &pending, NULL, NULL);
	return cli_error(EXIT_ERROR,
	                 "standard output was closed (its reader went away): stopped taking "
	                 "events; %lld left pending for the next run",
	                 (long long)pending);
}

/* After the signal: the senders are stopped first (unsubscribed); the first failure decides. */
static int watch_stop(watch *w, int sig)
{
	int rc = EXIT_OK, urc;

	if (sig == SIGUSR1)
		rc = stdout_gone(w);
	else
		cli_note(w->ctx, "ontraport watch: stopping");
	if (w->keep) {
		if (w->nsubs)
			cli_note(w->ctx,
			         "ontraport watch: --keep: %zu subscription%s left in place",
			         w->nsubs, w->nsubs == 1 ? "" : "s");
		return rc;
	}
	urc = unsubscribe_all(w);
	return rc == EXIT_OK ? urc : rc;
}

/* Then the door, then the handler; what is left pending is reported. Returns rc. */
static int watch_close(watch *w, int rc)
{
	int64_t pending = 0;

	rcv_server_stop(w->srv);
	rcv_deliver_stop(w->dlv);
	if (w->q) {
		rcv_queue_counts(w->q, &pending, NULL, NULL);
		if (pending && rc == EXIT_OK)
			cli_note(w->ctx,
			         "ontraport watch: %lld event%s left pending for the next run",
			         (long long)pending, pending == 1 ? "" : "s");
	}
	rcv_queue_close(w->q);
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	cli_hooks_release(&w->hooks);
	free(w->subs);
	return rc;
}

static int run_watch(cli_ctx *ctx, cli_args *args)
{
	watch w;
	int rc = watch_settings(&w, ctx, args);

	if (rc == EXIT_OK && (rc = watch_start(&w)) == EXIT_OK)
		rc = watch_stop(&w, watch_wait(&w));
	return watch_close(&w, rc);
}

const cli_command cli_cmd_watch = {
    .name = "watch",
    .summary = "receive events: objects created, tagged, untagged, forms submitted",
    .synopsis = "[--event EVENT]... [--type TYPE] [--tag NAME|ID]... [--form ID|NAME]... "
                "[--data-format FORMAT] "
                "[--exec CMD | --forward-to URL] [--public-url URL] [--no-subscribe] [--keep]",
    .description =
        "Watch Events. Start a webhook receiver, subscribe it to the events asked for (POST "
        "/Webhook/subscribe, one subscription per event and tag or form), and hand each event, at "
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
        "({type, tag_id or form_id}), data (the record's fields, as --data-format says), "
        "encoding.\n\n"
        "The receiver listens on 127.0.0.1 (--bind to change it) at /hooks/TOKEN, a 128-bit random "
        "token: anything else is 404. Against the sandbox the local address is subscribed; "
        "Ontraport itself needs --public-url, an https address forwarded to this receiver (the "
        "path /hooks/TOKEN is appended). --token-file keeps the token, so a restart receives on "
        "the same URL and reuses the subscriptions made for it.\n\n"
        "With --no-subscribe nothing is subscribed: the URL is printed for pasting into a "
        "campaign's \"Send to a Webhook\" element or the account's webhook settings, and any JSON "
        "or form body is accepted and delivered as {encoding, fields}.",
    .opts = watch_opts,
    .examples = "ontraport watch --event created\n  print each new contact as a JSON line\n"
                "ontraport watch -e tagged -e untagged --tag VIP --data-format lightweight\n"
                "  VIP tags added and removed, with id, name and email only\n"
                "ontraport watch -e form-submitted --form 'Contact Us' --exec ./on-form.sh\n"
                "  run a script for each fill of a form\n"
                "ontraport watch --no-subscribe --port 8600 --forward-to http://127.0.0.1:9000/in\n"
                "  receive from a campaign's Send to a Webhook element and forward",
    .run = run_watch,
};
