/* `ontraport sandbox`: run the local emulator of the Ontraport API. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "subscriptions.h"
#include "sandbox.h"
#include "util.h"
#include "banned.h"

static const cli_opt sandbox_opts[] = {
    {.name = "port",
     .short_name = 'p',
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "port to listen on (default 8517; 0 = any free port)"},
    {.name = "bind",
     .kind = CLI_VALUE,
     .arg = "ADDR",
     .help = "address to listen on (default 127.0.0.1)"},
    {.name = "db",
     .kind = CLI_VALUE,
     .arg = "FILE",
     .help = "SQLite file, or :memory: (default $XDG_DATA_HOME/ontraport/sandbox.db)"},
    {.name = "app-id",
     .kind = CLI_VALUE,
     .arg = "ID",
     .help = "the App ID it accepts (default 2_AppID_12345678)"},
    {.name = "api-key",
     .kind = CLI_VALUE,
     .arg = "KEY",
     .help = "the API key it accepts (default Key5678)"},
    {.name = "rate-limit",
     .kind = CLI_VALUE,
     .arg = "N/WINDOW",
     .help = "requests per rolling window, e.g. 180/60s (default), 180/6s, 50/500ms"},
    {.name = "control-token",
     .kind = CLI_VALUE,
     .arg = "TOKEN",
     .help =
         "token for the /_sandbox/ control API (default random; scrubbed from the process list)"},
    {.name = "control-token-file",
     .kind = CLI_VALUE,
     .arg = "FILE",
     .help =
         "read the control token from the first line of FILE (or ONTRAPORT_SANDBOX_CONTROL_TOKEN)"},
    {.name = "threads",
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "HTTP worker threads (default: one per CPU)"},
    {.name = "per-ip-connections",
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "open connections allowed from one address (default 100; 0 = no limit)"},
    {.name = "request-timeout",
     .kind = CLI_VALUE,
     .arg = "DURATION",
     .help = "time a connection has to send a whole request, else 408 and closed (default 30s)"},
    {.name = "webhook-json",
     .kind = CLI_FLAG,
     .help = "deliver webhooks as JSON instead of form bodies"},
    {.name = "log",
     .kind = CLI_FLAG,
     .help = "log each request on stderr (default in the foreground of a terminal; also -v)"},
    {.name = "fault",
     .kind = CLI_LIST,
     .arg = "SPEC",
     .help = "inject a failure (repeatable), e.g. status=503,path=/1/objects,count=2; see below"},
    {.name = "fault-seed",
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "seed of the faults' random draws (default: the time)"},
    {.name = NULL}};

#define SECRET_MAX 1024

/* A token or key it accepts: a single line of printable characters without blanks. */
static int secret_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/*
 * The control token, from --control-token (copied, then scrubbed from argv),
 * --control-token-file or ONTRAPORT_SANDBOX_CONTROL_TOKEN; NULL (a random
 * one) when none. Returns EXIT_OK or a usage error's exit code.
 */
static int control_token(cli_ctx *ctx, cli_args *args, char *buf, const char **out)
{
	const char *arg = cli_value(args, "control-token"),
	           *file = cli_value(args, "control-token-file");
	const char *env = getenv("ONTRAPORT_SANDBOX_CONTROL_TOKEN"), *from = "--control-token";
	char *text;

	*out = NULL;
	if (arg && cli_take_secret(arg, buf, SECRET_MAX) < 0)
		return cli_usage_error(ctx, "--control-token is too long (at most %d bytes)",
		                       SECRET_MAX - 1);
	if (arg && file)
		return cli_usage_error(
		    ctx, "--control-token and --control-token-file are exclusive: give one");
	if (file) {
		if (!(text = cli_read_file(file, SECRET_MAX - 1, NULL)))
			return EXIT_ERROR;          /* said why */
		text[strcspn(text, "\r\n")] = '\0'; /* the first line */
		snprintf(buf, SECRET_MAX, "%s", util_trim(text));
		memset(text, 0, strlen(text));
		free(text);
		from = "--control-token-file";
	} else if (!arg && env && *env) {
		if (strlen(env) >= SECRET_MAX)
			return cli_usage_error(
			    ctx, "ONTRAPORT_SANDBOX_CONTROL_TOKEN is too long (at most %d bytes)",
			    SECRET_MAX - 1);
		snprintf(buf, SECRET_MAX, "%s", env);
		from = "ONTRAPORT_SANDBOX_CONTROL_TOKEN";
	} else if (!arg) {
		return EXIT_OK;
	}
	if (!*buf || !secret_ok(buf))
		return cli_usage_error(ctx,
		                       "invalid control token from %s: expected 1 to %d printable "
		                       "characters without blanks",
		                       from, SECRET_MAX - 1);
	*out = buf;
	return EXIT_OK;
}

/* "180/60s", "180/6s", "50/500ms", "180" (per minute). */
static int parse_rate(const char *s, long *limit, long *window_ms)
{
	char num[32], *slash;
	long long n, w;
	const char *unit;
	size_t ulen;

	snprintf(num, sizeof num, "%s", s);
	slash = strchr(num, '/');
	if (slash)
		*slash = '\0';
	if (util_parse_ll(num, 1, 1000000000, &n) < 0)
		return -1;
	*limit = (long)n;
	*window_ms = 60000;
	if (!slash)
		return 0;
	unit = strchr(s, '/') + 1;
	ulen = strspn(unit, "0123456789");
	snprintf(num, sizeof num, "%.*s", (int)(ulen < 20 ? ulen : 20), unit);
	if (ulen == 0 || util_parse_ll(num, 1, 86400000, &w) < 0)
		return -1;
	unit += ulen;
	if (strcmp(unit, "ms") == 0)
		*window_ms = (long)w;
	else if (strcmp(unit, "s") == 0 || *unit == '\0')
		*window_ms = (long)w * 1000;
	else if (strcmp(unit, "m") == 0 || strcmp(unit, "min") == 0)
		*window_ms = (long)w * 60000;
	else
		return -1;
	return *window_ms > 0 ? 0 : -1;
}

/*
 * Started in the background of a terminal (`ontraport sandbox &`): its
 * stderr is the terminal the user goes on typing in, so it says nothing
 * there unless asked (-v, --log). Not the terminal's foreground process
 * group, or no controlling terminal at all.
 */
static int background_on_terminal(const cli_ctx *ctx)
{
	pid_t fg;

	if (!ctx->stderr_tty)
		return 0;
	fg = tcgetpgrp(STDERR_FILENO);
	return fg == -1 || fg != getpgrp();
}

static int run_sandbox(cli_ctx *ctx, cli_args *args)
{
	sbx_config cfg = SBX_CONFIG_INIT;
	sbx_server *srv = NULL;
	char err[512], dbpath[4200], keybuf[SECRET_MAX], tokenbuf[SECRET_MAX];
	long long port, threads, per_ip, req_timeout;
	const char *rate = cli_value(args, "rate-limit"), *host;
	long long seed;
	sigset_t set;
	int sig = 0, rc, asked = cli_flag(args, "log") || ctx->verbose;
	int silent = ctx->quiet || (!asked && background_on_terminal(ctx));

	/* Secrets first: they leave the process list before anything else can fail. */
	if (cli_value(args, "api-key") &&
	    cli_take_secret(cli_value(args, "api-key"), keybuf, sizeof keybuf) < 0)
		return cli_usage_error(ctx, "--api-key is too long (at most %d bytes)",
		                       SECRET_MAX - 1);
	if ((rc = control_token(ctx, args, tokenbuf, &cfg.control_token)) != EXIT_OK)
		return rc;
	if (cli_value_ll(args, "port", 0, 65535, SBX_DEFAULT_PORT, &port) < 0 ||
	    cli_value_ll(args, "threads", 1, 256, 0, &threads) < 0 ||
	    cli_value_ll(args, "fault-seed", 0, LLONG_MAX, 0, &seed) < 0 ||
	    cli_value_ll(args, "per-ip-connections", 0, 100000, SBX_DEFAULT_PER_IP, &per_ip) < 0)
		return EXIT_USAGE;
	if ((rc = cli_duration_opt(ctx, args, "request-timeout", 1000, 86400000,
	                           SBX_DEFAULT_REQUEST_TIMEOUT * 1000, &req_timeout)) != EXIT_OK)
		return rc;
	cfg.per_ip_limit = per_ip ? (int)per_ip : -1;
	cfg.request_timeout_s = (unsigned)((req_timeout + 999) / 1000);
	cfg.faults = cli_list(args, "fault", &cfg.nfaults);
	cfg.fault_seed = (unsigned long long)seed;
	if (sbx_config_check_faults(&cfg, err, sizeof err) < 0)
		return cli_usage_error(ctx, "--fault: %s", err);
	if (rate && parse_rate(rate, &cfg.rate_limit, &cfg.rate_window_ms) < 0)
		return cli_usage_error(ctx,
		                       "invalid --rate-limit '%s': expected N or N/WINDOW such as "
		                       "180/60s, 180/6s or 50/500ms",
		                       rate);
	cfg.port = (int)port;
	cfg.threads = (int)threads;
	cfg.bind = cli_value(args, "bind");
	cfg.app_id = cli_value(args, "app-id");
	/* Copied and scrubbed from argv above: keys stay out of the process list. */
	if (cli_value(args, "api-key"))
		cfg.api_key = keybuf;
	cfg.webhook_json = cli_flag(args, "webhook-json") > 0;
	cfg.quiet = !(asked || (ctx->stderr_tty && !silent));
	cfg.db = cli_value(args, "db");
	if (!cfg.db) {
		if (cli_data_path(dbpath, sizeof dbpath, "sandbox.db") < 0)
			return cli_error(EXIT_ERROR,
			                 "cannot find a data directory: set XDG_DATA_HOME or HOME, "
			                 "or give --db FILE");
		cfg.db = dbpath;
	}
	if ((cfg.app_id && (!*cfg.app_id || strpbrk(cfg.app_id, "\r\n"))) ||
	    (cfg.api_key && (!*cfg.api_key || strpbrk(cfg.api_key, "\r\n"))))
		return cli_usage_error(ctx,
		                       "--app-id and --api-key must be non-empty single lines");

	/* Block the stop signals before any thread starts, then wait for them here. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if (sbx_server_start(&srv, &cfg, err, sizeof err) < 0)
		return cli_error(EXIT_ERROR, "sandbox: %s", err);
	host = cfg.bind && strcmp(cfg.bind, "0.0.0.0") != 0 ? cfg.bind : "127.0.0.1";
	printf("ONTRAPORT_BASE_URL=http://%s:%d/1\n", host, sbx_server_port(srv));
	printf("ONTRAPORT_APP_ID=%s\n", cfg.app_id ? cfg.app_id : SBX_DEFAULT_APP_ID);
	printf("ONTRAPORT_API_KEY=%s\n", cfg.api_key ? cfg.api_key : SBX_DEFAULT_API_KEY);
	printf("ONTRAPORT_SANDBOX_TOKEN=%s\n", sbx_server_control_token(srv));
	fflush(stdout);
	if (!silent)
		cli_note(
		    ctx,
		    "ontraport sandbox: listening on http://%s:%d/1 (data: %s); Ctrl-C stops it",
		    host, sbx_server_port(srv), cfg.db);

	while (sigwait(&set, &sig) == 0 && sig != SIGINT && sig != SIGTERM && sig != SIGHUP)
		;
	if (!silent)
		cli_note(ctx, "ontraport sandbox: stopping");
	sbx_server_stop(srv);
	return EXIT_OK;
}

static const cli_command *const sandbox_subs[] = {&cli_cmd_sandbox_fire, NULL};

const cli_command cli_cmd_sandbox = {
    .name = "sandbox",
    .summary = "run the local sandbox, an emulator of the Ontraport API",
    .synopsis =
        "[--port N] [--db FILE|:memory:] [--app-id ID --api-key KEY] [--rate-limit N/WINDOW]",
    .description =
        "Run a local emulator of the Ontraport REST API, stored in SQLite, until interrupted. It "
        "checks both auth headers, applies the rolling rate limit with the X-Rate-Limit-* headers, "
        "and answers with the envelopes, status codes and error texts of the real API.\n\n"
        "Its address and credentials are printed on stdout as environment assignments "
        "(ONTRAPORT_BASE_URL=..., ONTRAPORT_APP_ID=..., ONTRAPORT_API_KEY=...) for scripts. With "
        "no connection configured, other commands use http://127.0.0.1:8517/1 and the default "
        "credentials, so a sandbox started without options needs no setup. A control API for "
        "tests lives under /_sandbox/ and needs the X-Sandbox-Token header (docs/sandbox.md); its "
        "token comes from --control-token (scrubbed from the process list at start), "
        "--control-token-file, ONTRAPORT_SANDBOX_CONTROL_TOKEN, or is random.\n\n"
        "Faults (--fault, or POST /_sandbox/faults?fault=SPEC at run time) make API requests fail "
        "the way networks and servers do, to test clients: SPEC is KIND[,path=GLOB][,method=M]"
        "[,count=N][,p=P] with KIND one of status=CODE (answer CODE without handling), latency=MS, "
        "drop=before (close without handling), drop=after (handle, then close without answering), "
        "truncate (handle, send half the body, cut) and malformed (handle, answer half the body). "
        "count = only the next N matching requests; p = each with probability P.\n\n"
        "'ontraport sandbox fire purchase|form ...' makes a running sandbox act as if a "
        "purchase or a form fill happened outside the API.",
    .opts = sandbox_opts,
    .examples =
        "ontraport sandbox\n  run on 127.0.0.1:8517 with data in "
        "~/.local/share/ontraport/sandbox.db\n"
        "ontraport sandbox --port 0 --db :memory: --rate-limit 180/6s\n"
        "  a throw-away sandbox on a free port, with a minute compressed into 6 seconds\n"
        "ontraport sandbox --fault status=503,p=0.2 --fault drop=after,method=POST,count=1\n"
        "  one read in five answers 503; the first write is made but its answer is lost",
    .run = run_sandbox,
    .subs = sandbox_subs,
};
