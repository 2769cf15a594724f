/*
 * The watch session (watch_session.h): the receiving side shared by `ontraport watch` and
 * `ontraport run`. Each step below does one thing; cli_watch_close releases whatever the
 * steps reached.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "watch_session.h"
#include "cli_log.h"
#include "ops_metrics.h"
#include "pgqueue.h"
#include "util.h"
#include "banned.h"

#define KEY_MAX 64
#define TOKEN_FILE_MAX (64 * 1024)

/* A subscription made, and the client that removes it at exit. */
typedef struct subscription {
	long long id;
	ontra_client *client;
} subscription;

typedef struct route {
	const char *key;
	const cli_hooks *hooks; /* borrowed; NULL = nothing to subscribe */
	rcv_mode mode;
	ontra_client *client; /* subscribes the hooks */
	char token[RCV_TOKEN_MAX + 1];
	char url[2300];   /* the receiving URL, token included */
	char shown[2300]; /* the same with the token masked, for notes */
} route;

struct cli_watch {
	cli_ctx *ctx;
	cli_args *args;
	/* settings, from the options */
	const char *bind, *public_url, *token_file, *default_db;
	int keep;
	int metrics_on; /* --metrics: GET /metrics and /healthz on the receiver */
	int no_server;  /* events come from the caller's source (watch --poll) */
	long long port, per_ip, req_timeout, lease;
	char db[4200];                     /* the file, or the URL as shown (password masked) */
	char queue_url[CLI_QUEUE_URL_MAX]; /* --queue or $ONTRAPORT_QUEUE: a secret; "" = none */
	char spool[4200];                  /* with a queue URL: the spool's file */
	route *routes;
	size_t nroutes;
	/* what runs */
	int lock_fd; /* the queue's flock, -1 when not held */
	rcv_queue *q;
	rcv_server *srv;
	cli_metrics *metrics; /* with --metrics: what /metrics and /healthz tell */
	rcv_deliver *dlv;
	rcv_deliver_config user; /* the caller's delivery, its callbacks called through ours */
	rcv_deliver_config dcfg; /* what the delivery runs with: userdata is the session */
	subscription *subs;      /* subscriptions to remove at exit */
	size_t nsubs;
	int started;        /* cli_watch_start went through */
	pthread_t waiter;   /* the thread of cli_watch_wait: woken with SIGUSR1 */
	atomic_int gone;    /* the handler is gone for good */
	atomic_int wake_me; /* cli_watch_request_stop was called */
};

/* "watch" or "run": the prefix of every line ("ontraport watch: ..."). */
static const char *who(const cli_watch *w)
{
	return w->ctx->cmd_path ? w->ctx->cmd_path : "watch";
}

/* ---- callbacks: the caller's, through the session ---- */

static void on_result(void *ud, int64_t id, rcv_outcome outcome, int attempts, const char *error)
{
	cli_watch *w = ud;

	cli_metrics_outcome(w->metrics, outcome);
	if (w->user.on_result)
		w->user.on_result(w->user.userdata, id, outcome, attempts, error);
}

static void on_delivery_log(void *ud, const char *line)
{
	cli_watch *w = ud;

	if (w->user.log)
		w->user.log(w->user.userdata, line);
}

static int on_call(void *ud, const rcv_item *item, const json_t *doc, char *err, size_t errsz)
{
	cli_watch *w = ud;

	return w->user.call(w->user.userdata, item, doc, err, errsz);
}

/* The handler went away (standard output's reader): say so, and wake cli_watch_wait. */
static void on_gone(void *ud, const char *line)
{
	cli_watch *w = ud;

	cli_logf(CLI_LOG_ERROR, "%s", line);
	atomic_store(&w->gone, 1);
	pthread_kill(w->waiter, SIGUSR1);
}

/* The server's lines: shown with -v. */
static void on_log(void *ud, const char *line)
{
	cli_watch *w = ud;

	if (w->ctx->verbose)
		cli_logf(CLI_LOG_DEBUG, "%s", line);
}

/* ---- tokens ---- */

static int token_error(const char *file)
{
	return cli_error(EXIT_INVALID,
	                 "'%s' does not hold a token: expected %d to %d hexadecimal digits", file,
	                 RCV_TOKEN_MIN, RCV_TOKEN_MAX);
}

static route *route_of(cli_watch *w, const char *key)
{
	size_t i;

	for (i = 0; i < w->nroutes; i++)
		if (strcmp(w->routes[i].key, key) == 0)
			return &w->routes[i];
	return NULL;
}

/* The lines of a token file: "TOKEN KEY" for the route KEY, a bare token for the first
 * route (when no line names it). Modifies text. */
static int parse_tokens(cli_watch *w, char *text)
{
	const char *bare = NULL;
	char *line, *next;

	for (line = text; line; line = next) {
		char *key;
		route *r;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		util_trim(line);
		if (!*line)
			continue;
		key = strchr(line, ' ');
		if (key)
			*key++ = '\0';
		if (!rcv_token_valid(line))
			return token_error(w->token_file);
		if (!key)
			bare = bare ? bare : line;
		else if ((r = route_of(w, key)) && !r->token[0])
			snprintf(r->token, sizeof r->token, "%s", line);
	}
	if (bare && !w->routes[0].token[0])
		snprintf(w->routes[0].token, sizeof w->routes[0].token, "%s", bare);
	return EXIT_OK;
}

/* New tokens for the routes without one, written to fd (when >= 0) as lines. */
static int new_tokens(cli_watch *w, int fd, int bare_ok)
{
	FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
	int bad = fd >= 0 && !f;
	size_t i;

	for (i = 0; i < w->nroutes; i++) {
		route *r = &w->routes[i];
		if (r->token[0])
			continue;
		if (rcv_token_new(r->token, sizeof r->token) < 0) {
			if (f)
				fclose(f);
			else if (fd >= 0)
				close(fd);
			return cli_error(EXIT_ERROR, "cannot make a token: no randomness");
		}
		if (f && (bare_ok && w->nroutes == 1 ? fprintf(f, "%s\n", r->token)
		                                     : fprintf(f, "%s %s\n", r->token, r->key)) < 0)
			bad = 1;
	}
	if (f && fclose(f) != 0)
		bad = 1;
	else if (!f && fd >= 0)
		close(fd);
	if (bad)
		return cli_error(EXIT_ERROR, "cannot write '%s': %s", w->token_file,
		                 strerror(errno ? errno : EIO));
	return EXIT_OK;
}

/* Each route's token: from --token-file (made when missing, added to when a route has no
 * line), else new ones. */
static int get_tokens(cli_watch *w)
{
	char *text;
	int fd, rc, ended;
	size_t i;

	if (!w->token_file)
		return new_tokens(w, -1, 0);
	fd = open(w->token_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if ((rc = new_tokens(w, fd, 1)) != EXIT_OK)
			unlink(w->token_file);
		return rc;
	}
	if (errno != EEXIST)
		return cli_error(EXIT_ERROR, "cannot create '%s': %s", w->token_file,
		                 strerror(errno));
	text = cli_read_file(w->token_file, TOKEN_FILE_MAX, NULL);
	if (!text)
		return EXIT_ERROR;
	ended = !*text || text[strlen(text) - 1] == '\n';
	rc = parse_tokens(w, text);
	free(text);
	if (rc != EXIT_OK)
		return rc;
	for (i = 0; i < w->nroutes && w->routes[i].token[0]; i++)
		;
	if (i == w->nroutes)
		return EXIT_OK;
	/* Some route has no line: its token is added, on a line of its own. */
	fd = open(w->token_file, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || (!ended && write(fd, "\n", 1) != 1)) {
		rc = cli_error(EXIT_ERROR, "cannot write '%s': %s", w->token_file, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	return new_tokens(w, fd, 0);
}

/* ---- the queue ---- */

/*
 * One process delivers from a queue at a time: an exclusive flock on the database file itself
 * (made 0600 when missing), so a symlink or a hard link to the same file meets the same lock.
 * flock and SQLite's POSIX locks do not interact; the descriptor stays open until after the
 * queue is closed (closing it earlier would drop SQLite's own locks on the file).
 */
static int lock_queue(cli_watch *w)
{
	int fd = open(w->db, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return cli_error(EXIT_ERROR, "cannot open the event queue '%s': %s", w->db,
		                 strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return cli_error(
			    EXIT_ERROR,
			    "another 'ontraport %s' is delivering from '%s' (the same "
			    "file, maybe under another name): give this one its own --db",
			    who(w), w->db);
		return cli_error(EXIT_ERROR, "cannot lock '%s': %s", w->db, strerror(e));
	}
	w->lock_fd = fd;
	return EXIT_OK;
}

/* The queue on PostgreSQL: shared by any number of sessions, so no flock. */
static int open_pg_queue(cli_watch *w)
{
	char err[1024]; /* a multi-host URL: a failure per host */
	int rc = rcv_queue_open(&w->q, w->queue_url, err, sizeof err);

	memset(w->queue_url, 0, sizeof w->queue_url);
	if (rc < 0)
		return cli_error(rc == RCV_ENOTQUEUE  ? EXIT_INVALID
		                 : rc == RCV_EINVALID ? EXIT_USAGE
		                 : rc == RCV_EUNAVAIL ? EXIT_NETWORK
		                                      : EXIT_ERROR,
		                 "cannot open the event queue: %s", err);
	if (rcv_queue_set_lease(w->q, (long)w->lease) < 0)
		return cli_error(EXIT_USAGE, "%s", rcv_queue_last_error());
	if ((rc = rcv_queue_set_spool(w->q, w->spool, err, sizeof err)) < 0)
		return cli_error(rc == RCV_ENOTQUEUE ? EXIT_INVALID : EXIT_ERROR,
		                 "cannot open the spool: %s", err);
	return EXIT_OK;
}

static int open_queue(cli_watch *w)
{
	char err[512];
	int rc;

	if (w->queue_url[0])
		return open_pg_queue(w);
	if ((rc = lock_queue(w)) != EXIT_OK)
		return rc;
	if ((rc = rcv_queue_open(&w->q, w->db, err, sizeof err)) < 0)
		return cli_error(rc == RCV_ENOTQUEUE ? EXIT_INVALID : EXIT_ERROR,
		                 "cannot open the event queue: %s", err);
	return EXIT_OK;
}

/* ---- URLs ---- */

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

/* The URL to subscribe: --public-url (its trailing slashes dropped) or the local address.
 * The token is a secret: shown in full only where the user must paste it (a generic route);
 * a password in --public-url, never. */
static void set_url(cli_watch *w, route *r)
{
	char path[RCV_TOKEN_MAX + 16];
	size_t n, t = strlen(r->token);

	snprintf(path, sizeof path, "/hooks/%s", r->token);
	if (!w->public_url) {
		local_url(r->url, sizeof r->url, w->bind, rcv_server_port(w->srv), path);
	} else {
		for (n = strlen(w->public_url); n && w->public_url[n - 1] == '/'; n--)
			;
		snprintf(r->url, sizeof r->url, "%.*s%s", (int)(n > 2048 ? 2048 : n), w->public_url,
		         path);
	}
	n = strlen(util_url_shown(r->url, r->shown, sizeof r->shown));
	if (n >= t && strcmp(r->shown + n - t, r->token) == 0)
		snprintf(r->shown + n - t, sizeof r->shown - (n - t), "%.4s...", r->token);
}

static int start_server(cli_watch *w)
{
	rcv_server_config scfg = RCV_SERVER_CONFIG_INIT;
	char err[512];
	size_t i;

	scfg.bind = w->bind;
	scfg.port = (int)w->port;
	scfg.log = on_log;
	scfg.log_userdata = w;
	scfg.per_ip_limit = w->per_ip ? (int)w->per_ip : -1;
	scfg.request_timeout_s = (unsigned)((w->req_timeout + 999) / 1000);
	if (w->metrics_on) {
		if (cli_metrics_attach(w->metrics, w->q, w->queue_url[0] ? NULL : w->db) < 0)
			return cli_error(EXIT_ERROR, "out of memory");
		scfg.ops = cli_metrics_http;
		scfg.ops_userdata = w->metrics;
	}
	if (rcv_server_start(&w->srv, w->q, &scfg, err, sizeof err) < 0)
		return cli_error(EXIT_ERROR, "cannot start the receiver: %s", err);
	/* watch --poll: a listener for /metrics and /healthz only (no hook: the rest is 404) */
	for (i = 0; i < w->nroutes && !w->no_server; i++) {
		route *r = &w->routes[i];
		if (rcv_server_add_hook(w->srv, r->token, r->key, r->mode) < 0)
			return cli_error(EXIT_ERROR, "cannot register the hook");
		set_url(w, r);
	}
	return EXIT_OK;
}

/* ---- subscriptions ---- */

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

static int add_sub(cli_watch *w, ontra_client *client, long long id)
{
	subscription *nv = realloc(w->subs, (w->nsubs + 1) * sizeof *nv);

	if (!nv)
		return cli_error(EXIT_ERROR, "out of memory");
	w->subs = nv;
	w->subs[w->nsubs++] = (subscription){id, client};
	return EXIT_OK;
}

static int unsubscribe_all(cli_watch *w)
{
	int rc = EXIT_OK;
	size_t i;

	for (i = 0; i < w->nsubs; i++) {
		int lrc = ontra_webhook_unsubscribe(w->subs[i].client, w->subs[i].id);
		if (lrc == ONTRA_ENOTFOUND)
			continue; /* removed by someone else meanwhile */
		if (lrc < 0) {
			cli_logf_with(CLI_LOG_ERROR,
			              json_pack("{sI}", "webhook_id", (json_int_t)w->subs[i].id),
			              "could not unsubscribe webhook %lld: %s", w->subs[i].id,
			              ontra_error_last()->message);
			if (rc == EXIT_OK)
				rc = cli_exit_code(lrc);
		} else {
			cli_note(w->ctx, "ontraport %s: unsubscribed webhook %lld", who(w),
			         w->subs[i].id);
		}
	}
	w->nsubs = 0;
	return rc;
}

/* One route's hooks to its URL; with --token-file, those already there are reused. */
static int subscribe_route(cli_watch *w, const route *rt)
{
	ontra_webhook_options o = ONTRA_WEBHOOK_OPTIONS_INIT;
	const cli_hooks *hooks = rt->hooks;
	size_t i;
	int lrc, rc;

	o.url = rt->url;
	o.format = hooks->format;
	for (i = 0; i < hooks->n; i++) {
		json_t *reply;
		char es[64];
		reuse r = {rt->url, es, ontra_webhook_format_name(hooks->format), 0};

		ontra_webhook_event_string(es, sizeof es, hooks->v[i].event, hooks->v[i].target);
		if (w->token_file && (lrc = ontra_webhook_list(rt->client, find_same, &r)) < 0)
			return cli_fail_lib(w->ctx, lrc);
		if (r.id) {
			cli_note(w->ctx, "ontraport %s: webhook %lld already sends %s here", who(w),
			         r.id, hooks->v[i].what);
			if ((rc = add_sub(w, rt->client, r.id)) != EXIT_OK)
				return rc;
			continue;
		}
		o.event = hooks->v[i].event;
		o.target = hooks->v[i].target;
		if ((lrc = ontra_webhook_subscribe(&reply, rt->client, &o)) < 0)
			return cli_fail_lib(w->ctx, lrc);
		rc = add_sub(w, rt->client, sub_id(reply));
		cli_note(w->ctx, "ontraport %s: subscribed webhook %lld: %s, %s data", who(w),
		         sub_id(reply), hooks->v[i].what, ontra_webhook_format_name(hooks->format));
		json_decref(reply);
		if (rc != EXIT_OK)
			return rc;
	}
	return EXIT_OK;
}

/* Subscribe every route; a failure removes what was subscribed so far. */
static int subscribe(cli_watch *w)
{
	size_t i;
	int rc;

	for (i = 0; i < w->nroutes; i++) {
		if (!w->routes[i].hooks || !w->routes[i].hooks->n)
			continue;
		if ((rc = subscribe_route(w, &w->routes[i])) != EXIT_OK) {
			unsubscribe_all(w);
			return rc;
		}
	}
	return EXIT_OK;
}

/* ---- settings ---- */

/* With a queue on PostgreSQL: the URL shown in notes, and the spool's file. */
static int pg_settings(cli_watch *w)
{
	const char *spool = cli_value(w->args, "spool");
	char name[128];

	pgq_url_shown(w->queue_url, w->db, sizeof w->db);
	snprintf(name, sizeof name, "spool-%s", w->default_db);
	if (spool)
		snprintf(w->spool, sizeof w->spool, "%s", spool);
	else if (cli_data_path(w->spool, sizeof w->spool, name) < 0)
		return cli_error(EXIT_ERROR, "cannot find a data directory: set XDG_DATA_HOME or "
		                             "HOME, or give --spool FILE");
	return EXIT_OK;
}

static int read_settings(cli_watch *w)
{
	cli_args *a = w->args;
	const char *db = cli_value(a, "db");
	char shown[512];
	int rc;

	w->bind = cli_value(a, "bind");
	w->public_url = cli_value(a, "public-url");
	w->token_file = cli_value(a, "token-file");
	w->keep = cli_flag(a, "keep") > 0;
	w->metrics_on = cli_flag(a, "metrics") > 0;
	if (w->metrics_on && !(w->metrics = cli_metrics_new(who(w))))
		return cli_error(EXIT_ERROR, "out of memory");
	if (w->public_url && !util_starts_with(w->public_url, "https://") &&
	    !util_starts_with(w->public_url, "http://"))
		return cli_usage_error(w->ctx,
		                       "invalid --public-url '%s': expected an http:// or https:// "
		                       "URL",
		                       util_url_shown(w->public_url, shown, sizeof shown));
	if (cli_value_ll(a, "port", 0, 65535, 0, &w->port) < 0 ||
	    cli_value_ll(a, "per-ip-connections", 0, 100000, RCV_DEFAULT_PER_IP, &w->per_ip) < 0)
		return EXIT_USAGE;
	if ((rc = cli_duration_opt(w->ctx, a, "request-timeout", 1000, 86400000,
	                           RCV_DEFAULT_REQUEST_TIMEOUT * 1000, &w->req_timeout)))
		return rc;
	if ((rc = cli_duration_opt(w->ctx, a, "lease", 1000, 86400000, RCV_DEFAULT_LEASE_MS,
	                           &w->lease)) ||
	    (rc = cli_queue_url(w->ctx, a, db, w->queue_url, sizeof w->queue_url)))
		return rc;
	if (w->queue_url[0])
		return pg_settings(w);
	if (cli_value(a, "spool"))
		return cli_usage_error(w->ctx, "--spool goes with --queue URL");
	if (db)
		snprintf(w->db, sizeof w->db, "%s", db);
	else if (cli_data_path(w->db, sizeof w->db, w->default_db) < 0)
		return cli_error(EXIT_ERROR,
		                 "cannot find a data directory: set XDG_DATA_HOME or HOME, "
		                 "or give --db FILE");
	return EXIT_OK;
}

int cli_watch_new(cli_watch **out, cli_ctx *ctx, cli_args *args, const char *default_db)
{
	cli_watch *w = calloc(1, sizeof *w);
	int rc;

	*out = NULL;
	if (!w)
		return cli_error(EXIT_ERROR, "out of memory");
	w->ctx = ctx;
	w->args = args;
	w->default_db = default_db;
	w->lock_fd = -1;
	atomic_init(&w->gone, 0);
	atomic_init(&w->wake_me, 0);
	if ((rc = read_settings(w)) != EXIT_OK) {
		memset(w->queue_url, 0, sizeof w->queue_url);
		free(w);
		return rc;
	}
	*out = w;
	return EXIT_OK;
}

/* The client that subscribes a route's hooks, and whether Ontraport can post to it. */
static int route_client(cli_watch *w, route *rt, ontra_client *given)
{
	int rc;

	rt->client = given;
	if (!given && (rc = cli_client(w->ctx, &rt->client)) != EXIT_OK)
		return rc;
	if (!w->public_url && !api_is_local(ontra_client_base_url(rt->client)))
		return cli_usage_error(
		    w->ctx,
		    "Ontraport cannot post to this machine's local address: give --public-url "
		    "URL (a public address forwarded to this receiver)%s",
		    strcmp(who(w), "watch") == 0 ? ", or use --no-subscribe" : "");
	return EXIT_OK;
}

/* The routes, copied and checked; then whether Ontraport can post to them. */
static int plan(cli_watch *w, const cli_watch_route *routes, size_t nroutes)
{
	int rc;
	size_t i;

	if (!nroutes)
		return cli_error(EXIT_ERROR, "a watch session needs a route");
	w->routes = calloc(nroutes, sizeof *w->routes);
	if (!w->routes)
		return cli_error(EXIT_ERROR, "out of memory");
	for (i = 0; i < nroutes; i++) {
		const char *k = routes[i].key;
		if (!k || !*k || strlen(k) > KEY_MAX || strpbrk(k, "\r\n\t"))
			return cli_error(EXIT_INVALID,
			                 "invalid webhook key '%s': expected 1 to %d characters on "
			                 "one line",
			                 k ? k : "", KEY_MAX);
		if (route_of(w, k))
			return cli_error(EXIT_INVALID, "webhook key '%s' is used twice", k);
		w->routes[i].key = k;
		w->routes[i].hooks = routes[i].hooks;
		w->routes[i].mode = routes[i].mode;
		w->nroutes = i + 1;
		if (routes[i].hooks && routes[i].hooks->n &&
		    (rc = route_client(w, &w->routes[i], routes[i].client)) != EXIT_OK)
			return rc;
	}
	return EXIT_OK;
}

/* ---- signals ---- */

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1); /* on_gone, cli_watch_request_stop */
}

void cli_watch_block_signals(void)
{
	sigset_t set;

	stop_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int cli_watch_wait(cli_watch *w)
{
	sigset_t set;
	int sig = 0;

	stop_signals(&set);
	while (sigwait(&set, &sig) == 0) {
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			return sig;
		if (sig == SIGUSR1)
			return atomic_load(&w->gone) ? -1 : 0;
	}
	return 0;
}

void cli_watch_request_stop(cli_watch *w)
{
	atomic_store(&w->wake_me, 1);
	pthread_kill(w->waiter, SIGUSR1);
}

/* ---- start ---- */

static const char *handler_name(const cli_watch *w, char *fwd, size_t n)
{
	switch (w->dcfg.kind) {
	case RCV_HANDLER_EXEC:
		return "the --exec command";
	case RCV_HANDLER_FORWARD:
		/* a password in --forward-to is never shown */
		return util_url_shown(w->dcfg.url, fwd, n);
	case RCV_HANDLER_CALL:
		return "this process";
	default:
		return "standard output";
	}
}

static int start_delivery(cli_watch *w, const rcv_deliver_config *delivery)
{
	char err[512];
	int rc;

	w->user = *delivery;
	w->dcfg = *delivery;
	w->dcfg.on_result = on_result;
	w->dcfg.log = on_delivery_log;
	w->dcfg.on_gone = on_gone;
	w->dcfg.call = delivery->call ? on_call : NULL;
	w->dcfg.userdata = w;
	if (rcv_deliver_start(&w->dlv, w->q, &w->dcfg, err, sizeof err) >= 0)
		return EXIT_OK;
	rc = cli_error(w->dcfg.kind == RCV_HANDLER_FORWARD ? EXIT_USAGE : EXIT_ERROR,
	               "cannot start delivering: %s", err);
	if (!w->keep)
		unsubscribe_all(w);
	return rc;
}

static void announce(cli_watch *w)
{
	int64_t pending = 0;
	char fwd[512], murl[300];
	size_t i;

	rcv_queue_counts(w->q, &pending, NULL, NULL);
	if (rcv_queue_spooled(w->q))
		cli_note(w->ctx,
		         "ontraport %s: %lld event%s in the spool %s, moved to the queue when "
		         "it answers",
		         who(w), (long long)rcv_queue_spooled(w->q),
		         rcv_queue_spooled(w->q) == 1 ? "" : "s", w->spool);
	cli_note(w->ctx, "ontraport %s: queue %s (%lld pending); delivering to %s; Ctrl-C stops",
	         who(w), w->db, (long long)pending, handler_name(w, fwd, sizeof fwd));
	if (w->metrics) {
		local_url(murl, sizeof murl, w->bind, rcv_server_port(w->srv), "/metrics");
		cli_logf(CLI_LOG_INFO, "metrics on %s (and /healthz)", murl);
	}
	/* The URL lines come last, and even with --quiet: scripts wait for them as the sign that
	 * the watch has started and said all it says on starting. */
	for (i = 0; i < w->nroutes && !w->no_server; i++) {
		route *r = &w->routes[i];
		const char *url = r->mode == RCV_MODE_GENERIC ? r->url : r->shown;
		json_t *key = json_pack("{ss}", "webhook_key", r->key);
		if (w->nroutes == 1)
			cli_logf_with(CLI_LOG_INFO, key, "listening on %s", url);
		else
			cli_logf_with(CLI_LOG_INFO, key, "listening on %s for '%s'", url, r->key);
	}
	fflush(stderr);
}

int cli_watch_start(cli_watch *w, const cli_watch_route *routes, size_t nroutes,
                    const rcv_deliver_config *delivery)
{
	int rc;

	if ((rc = plan(w, routes, nroutes)) != EXIT_OK || (rc = get_tokens(w)) != EXIT_OK)
		return rc;
	cli_watch_block_signals();
	w->waiter = pthread_self();
	if ((rc = open_queue(w)) != EXIT_OK ||
	    ((!w->no_server || w->metrics_on) && (rc = start_server(w)) != EXIT_OK) ||
	    (rc = subscribe(w)) != EXIT_OK || (rc = start_delivery(w, delivery)) != EXIT_OK)
		return rc;
	announce(w);
	w->started = 1;
	return EXIT_OK;
}

const char *cli_watch_route_url(const cli_watch *w, size_t i)
{
	return w->started && !w->no_server && i < w->nroutes ? w->routes[i].url : NULL;
}

void cli_watch_no_server(cli_watch *w)
{
	w->no_server = 1;
}

const char *cli_watch_queue_url(const cli_watch *w)
{
	return w->queue_url;
}

const char *cli_watch_db(const cli_watch *w)
{
	return w->db;
}

cli_metrics *cli_watch_metrics(const cli_watch *w)
{
	return w->metrics;
}

rcv_queue *cli_watch_queue(const cli_watch *w)
{
	return w->started ? w->q : NULL;
}

/* ---- close ---- */

/* The handler went away (watch | head -1): nothing more can be delivered. */
static int handler_gone(cli_watch *w)
{
	int64_t pending = 0;

	/* Refuse events at once (503, or no connection), so the senders keep them and
	 * retry, rather than acknowledge what waits. */
	rcv_server_stop(w->srv);
	w->srv = NULL;
	rcv_queue_counts(w->q, &pending, NULL, NULL);
	return cli_error(EXIT_ERROR,
	                 "standard output was closed (its reader went away): stopped taking "
	                 "events; %lld left pending for the next run",
	                 (long long)pending);
}

/* After the wait: the senders are stopped first (unsubscribed); the first failure decides. */
static int stop(cli_watch *w, int rc)
{
	int urc;

	if (atomic_load(&w->gone)) {
		urc = handler_gone(w);
		rc = rc == EXIT_OK ? urc : rc;
	} else {
		cli_note(w->ctx, "ontraport %s: stopping", who(w));
	}
	if (w->keep) {
		if (w->nsubs)
			cli_note(w->ctx, "ontraport %s: --keep: %zu subscription%s left in place",
			         who(w), w->nsubs, w->nsubs == 1 ? "" : "s");
		return rc;
	}
	urc = unsubscribe_all(w);
	return rc == EXIT_OK ? urc : rc;
}

int cli_watch_close(cli_watch *w, int rc)
{
	int64_t pending = 0;

	if (!w)
		return rc;
	if (w->started)
		rc = stop(w, rc);
	/* Then the door, then the handler; what is left pending is reported. */
	rcv_server_stop(w->srv);
	rcv_deliver_stop(w->dlv);
	cli_metrics_free(w->metrics);
	if (w->q) {
		rcv_queue_counts(w->q, &pending, NULL, NULL);
		if (pending && rc == EXIT_OK)
			cli_note(w->ctx, "ontraport %s: %lld event%s left pending for the next run",
			         who(w), (long long)pending, pending == 1 ? "" : "s");
		pending = rcv_queue_spooled(w->q);
		if (pending)
			cli_note(w->ctx,
			         "ontraport %s: %lld event%s left in the spool %s: the next start "
			         "with it moves them to the queue",
			         who(w), (long long)pending, pending == 1 ? "" : "s", w->spool);
	}
	rcv_queue_close(w->q);
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	free(w->routes);
	free(w->subs);
	memset(w->queue_url, 0, sizeof w->queue_url); /* not opened: a start that failed early */
	free(w);
	return rc;
}
