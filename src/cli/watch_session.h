/*
 * A watch session (internal to src/cli): the receiving side of `ontraport
 * watch` and `ontraport run`. It opens the event queue (holding its flock),
 * starts the receiver, gives each route its own URL (/hooks/TOKEN), subscribes
 * each route's hooks to that URL, starts the delivery, waits for a stop, then
 * unsubscribes (unless --keep), stops taking events, finishes the delivery in
 * flight and leaves the rest pending for the next run.
 *
 *   cli_watch *w;
 *   rc = cli_watch_new(&w, ctx, args, "events.db");    the options, checked
 *   rc = cli_watch_start(w, routes, n, &delivery);     everything that runs
 *   cli_watch_wait(w);                                 a stop signal, or a request
 *   rc = cli_watch_close(w, rc);                       always (NULL accepted)
 *
 * Notes and errors are prefixed "ontraport CMD:" (ctx->cmd_path).
 */
#ifndef CLI_WATCH_SESSION_H
#define CLI_WATCH_SESSION_H

#include "cli.h"
#include "receiver.h"
#include "subscriptions.h"

/* The receiving side's options, read by cli_watch_new: the listener, the queue, the
 * token and the subscriptions' fate. */
/* clang-format off */
#define CLI_WATCH_SERVER_OPTS(DB_FILE) \
	{.name = "public-url", .kind = CLI_VALUE, .arg = "URL", .help = "the address Ontraport posts to, forwarded to this receiver (default: the local address)"}, \
	{.name = "bind", .kind = CLI_VALUE, .arg = "ADDR", .help = "address to listen on (default 127.0.0.1)"}, \
	{.name = "port", .short_name = 'p', .kind = CLI_VALUE, .arg = "N", .help = "port to listen on (default 0: any free port)"}, \
	{.name = "db", .kind = CLI_VALUE, .arg = "FILE", .help = "the event queue (default $XDG_DATA_HOME/ontraport/" DB_FILE ")"}, \
	{.name = "queue", .kind = CLI_VALUE, .arg = "URL", .help = "the event queue on PostgreSQL, shared with other receivers and workers: postgresql://USER:PASSWORD@HOST/DB (default $ONTRAPORT_QUEUE unless --db)"}, \
	{.name = "spool", .kind = CLI_VALUE, .arg = "FILE", .help = "with --queue: where events wait while the database cannot be reached, until they are moved into it (default $XDG_DATA_HOME/ontraport/spool-" DB_FILE "; one process per file)"}, \
	{.name = "lease", .kind = CLI_VALUE, .arg = "DURATION", .help = "with --queue: how long an event claimed stays this process's without a renewal; another worker takes it over after (default 30s)"}, \
	{.name = "token-file", .kind = CLI_VALUE, .arg = "FILE", .help = "keep the URL's secret token in FILE (made, mode 0600, when missing), so a restart receives on the same URL"}, \
	{.name = "keep", .kind = CLI_FLAG, .help = "leave the subscriptions in place on exit"}, \
	{.name = "metrics", .kind = CLI_FLAG, .help = "also answer GET /metrics (Prometheus) and GET /healthz on the listening address: unauthenticated and read-only, keep them off a public proxy (docs/operating.md)"}
/* The receiver's limits, also read by cli_watch_new (listed apart: watch shows them last). */
#define CLI_WATCH_LIMIT_OPTS \
	{.name = "per-ip-connections", .kind = CLI_VALUE, .arg = "N", .help = "open connections allowed from one address (default 100; 0 = no limit, e.g. behind a reverse proxy)"}, \
	{.name = "request-timeout", .kind = CLI_VALUE, .arg = "DURATION", .help = "time a connection has to send a whole request, else 408 and closed (default 30s)"}
/* clang-format on */

typedef struct cli_watch cli_watch;

/*
 * One URL of the receiver: its events are stored under `key` (1 to 64 characters on one
 * line), parsed in `mode`, and `hooks` (borrowed until cli_watch_close; NULL or empty =
 * subscribe nothing, e.g. with --no-subscribe) are subscribed to it. A route in
 * RCV_MODE_GENERIC has its URL printed whole, for pasting; else its token is masked.
 */
typedef struct cli_watch_route {
	const char *key;
	const cli_hooks *hooks;
	rcv_mode mode;
	ontra_client
	    *client; /* subscribes the hooks (borrowed); NULL = the context's (cli_client) */
} cli_watch_route;

/*
 * Read and check the options of CLI_WATCH_SERVER_OPTS and CLI_WATCH_LIMIT_OPTS (both must
 * be in the command's table; `default_db` is the queue's file name in the data directory
 * without --db, as the option's help says): nothing starts, nothing is reached over the network.
 * Returns EXIT_OK and *out, or an exit code (error printed) and *out NULL. ctx and args are
 * borrowed until cli_watch_close.
 */
int cli_watch_new(cli_watch **out, cli_ctx *ctx, cli_args *args, const char *default_db);

/*
 * Block SIGINT, SIGTERM, SIGHUP (and SIGUSR1, the session's wake-up) in the calling thread,
 * so that threads started afterwards inherit the mask and cli_watch_wait takes them. Call it
 * before starting any thread of your own; cli_watch_start calls it too. Idempotent.
 */
void cli_watch_block_signals(void);

/*
 * Start: check that a route with hooks can be posted to (the API is local, or
 * --public-url), give each route its token (new, or kept in --token-file), open the queue
 * (one deliverer at a time: an flock), start the server, register the routes, subscribe
 * each route's hooks to its URL (reusing those a --token-file restart finds), start the
 * delivery with `delivery` (copied; its on_gone is the session's own, which ends
 * cli_watch_wait), and print the URLs and where events go. Calls cli_watch_block_signals,
 * and records the calling thread as the one to call cli_watch_wait. The routes array (at
 * least one route, keys distinct) is copied; keys and hooks are borrowed until
 * cli_watch_close. Returns EXIT_OK, or an exit code (error
 * printed; whatever was subscribed is removed, unless --keep after the subscriptions).
 *
 * --token-file FILE: one line per route, "TOKEN KEY"; a line with a token alone (the form
 * `ontraport watch` writes) is the first route's, unless another line names its key. A
 * missing file is made (0600); routes without a line get a new token, appended. A session
 * of one route writes its token alone on a line.
 */
int cli_watch_start(cli_watch *w, const cli_watch_route *routes, size_t nroutes,
                    const rcv_deliver_config *delivery);

/*
 * The receiving URL of route i (in cli_watch_start's order), token included: a secret, for
 * the caller's own use (tests, a route to paste); NULL before a start or past the last route.
 * Borrowed from the session.
 */
const char *cli_watch_route_url(const cli_watch *w, size_t i);

/*
 * Wait, in the thread that called cli_watch_start, until SIGINT, SIGTERM or SIGHUP (returns
 * the signal), cli_watch_request_stop (returns 0), or the handler gone for good (the FILE
 * handler's reader closed its pipe; returns -1).
 */
int cli_watch_wait(cli_watch *w);

/* Start without a receiver (before cli_watch_start): nothing listens, no URL is printed;
 * the events come from the caller's own source, queued with cli_watch_queue (watch --poll). */
void cli_watch_no_server(cli_watch *w);

/* The --queue URL (or $ONTRAPORT_QUEUE's), a secret, from cli_watch_new until
 * cli_watch_start opens the queue (wiped then); "" for a queue in a SQLite file. */
const char *cli_watch_queue_url(const cli_watch *w);

/* The queue's file (--db, or the default), from cli_watch_new on; borrowed. */
const char *cli_watch_db(const cli_watch *w);

/* With --metrics, the session's metrics (borrowed; for cli_metrics_run, from any thread)
 * from cli_watch_new on, else NULL. */
struct cli_metrics *cli_watch_metrics(const cli_watch *w);

/* The session's event queue (borrowed) after a successful cli_watch_start, else NULL. */
rcv_queue *cli_watch_queue(const cli_watch *w);

/* Wake cli_watch_wait (it returns 0; at once if it is not waiting yet): from any thread,
 * between a successful cli_watch_start and cli_watch_close. */
void cli_watch_request_stop(cli_watch *w);

/*
 * End the session and free it: after a start, unsubscribe (unless --keep; with the handler
 * gone, first stop taking events and say so), then stop the server, finish the delivery in
 * flight, note what is left pending, close the queue. Returns rc, or a worse exit code
 * when rc is EXIT_OK and something failed. NULL is accepted (returns rc).
 */
int cli_watch_close(cli_watch *w, int rc);

#endif
