/* The run context: global options, the client for this run, file input. */
#include <errno.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_log.h"
#include "profile.h"
#include "util.h"
#include "banned.h"

/* The local sandbox's defaults (see `ontraport sandbox`). */
#define SANDBOX_URL "http://127.0.0.1:8517/1"
#define SANDBOX_APP_ID "2_AppID_12345678"
#define SANDBOX_API_KEY "Key5678"

void cli_ctx_init(cli_ctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->prog = "ontraport";
	ctx->stdout_tty = isatty(STDOUT_FILENO);
	ctx->stderr_tty = isatty(STDERR_FILENO);
	cli_colour_init(ctx->stdout_tty, ctx->stderr_tty);
}

void cli_ctx_release(cli_ctx *ctx)
{
	ontra_client_free(ctx->client);
	ctx->client = NULL;
}

static cli_format parse_format(const char *s, int tty)
{
	if (!s)
		return tty ? FMT_TABLE : FMT_JSON;
	if (strcmp(s, "json") == 0)
		return FMT_JSON;
	if (strcmp(s, "ndjson") == 0 || strcmp(s, "jsonl") == 0)
		return FMT_NDJSON;
	if (strcmp(s, "table") == 0)
		return FMT_TABLE;
	if (strcmp(s, "csv") == 0)
		return FMT_CSV;
	return FMT_AUTO;
}

/* A whole number of seconds in [min, max] as milliseconds (dflt * 1000 when absent). */
static int seconds_opt(const cli_args *a, const char *name, long long min, long long max,
                       long long dflt, long *ms)
{
	long long t;

	if (cli_value_ll(a, name, min, max, dflt, &t) < 0)
		return -1;
	*ms = (long)t * 1000;
	return 0;
}

/* --timeout, --connect-timeout, --retries and --max-wait, in that order of checking. */
static int timing_opts(cli_ctx *ctx, const cli_args *a)
{
	long long retries;

	if (seconds_opt(a, "timeout", 1, 86400, 0, &ctx->timeout_ms) < 0 ||
	    seconds_opt(a, "connect-timeout", 1, 3600, 0, &ctx->connect_timeout_ms) < 0 ||
	    cli_value_ll(a, "retries", 0, 100, -1, &retries) < 0 ||
	    seconds_opt(a, "max-wait", 0, 86400, -1, &ctx->max_wait_ms) < 0)
		return EXIT_USAGE;
	ctx->retries = (int)retries;
	ctx->max_wait_set = ctx->max_wait_ms >= 0;
	return EXIT_OK;
}

/* --dates: local, utc or epoch; by default local in a table, epoch elsewhere. */
static int dates_opt(cli_ctx *ctx, const char *s)
{
	if (!s)
		ctx->dates = ctx->format == FMT_TABLE ? CLI_DATES_LOCAL : CLI_DATES_EPOCH;
	else if (strcmp(s, "local") == 0)
		ctx->dates = CLI_DATES_LOCAL;
	else if (strcmp(s, "utc") == 0)
		ctx->dates = CLI_DATES_UTC;
	else if (strcmp(s, "epoch") == 0)
		ctx->dates = CLI_DATES_EPOCH;
	else
		return cli_usage_error(ctx, "invalid --dates '%s': expected local, utc or epoch",
		                       s);
	return EXIT_OK;
}

int cli_ctx_globals(cli_ctx *ctx, const cli_args *args)
{
	ctx->format = parse_format(cli_value(args, "output"), ctx->stdout_tty);
	if (ctx->format == FMT_AUTO)
		return cli_usage_error(
		    ctx, "invalid output format '%s': expected json, ndjson, table or csv",
		    cli_value(args, "output"));
	ctx->verbose = cli_flag(args, "verbose");
	ctx->quiet = cli_flag(args, "quiet");
	ctx->raw_csv = cli_flag(args, "raw-csv");
	if (dates_opt(ctx, cli_value(args, "dates")) != EXIT_OK)
		return EXIT_USAGE;
	ctx->refresh = cli_flag(args, "refresh");
	ctx->color = cli_colour_err;
	ctx->profile = cli_value(args, "profile");
	ctx->base_url = cli_value(args, "base-url");
	/* Empty is most likely an unset shell variable: never fall back to the production API. */
	if (ctx->base_url && !*ctx->base_url)
		return cli_usage_error(ctx,
		                       "--base-url is empty: expected an http:// or https:// URL");
	return timing_opts(ctx, args);
}

static void log_line(void *ud, int level, const char *line)
{
	(void)ud;
	cli_log_line(level == ONTRA_LOG_DEBUG ? CLI_LOG_DEBUG : CLI_LOG_INFO, line);
}

/* On a terminal, say why a command sits still: a wait for the rate limit of a second or more. */
static void wait_notice(void *ud, double seconds, const char *why)
{
	const cli_ctx *ctx = ud;
	char line[2048];

	if (!ctx->stderr_tty || ctx->quiet)
		return;
	snprintf(line, sizeof line, "ontraport: waiting %.0f s for the rate limit: %s", seconds,
	         why);
	cli_log_line(CLI_LOG_INFO, line);
}

/*
 * The metadata cache: $XDG_CACHE_HOME/ontraport (else ~/.cache/ontraport),
 * used for ONTRAPORT_CACHE_TTL seconds (default 3600; 0 = no cache). 0 and
 * an empty dir when there is none; -1 when the variable is not a number.
 */
static int cache_settings(char *dir, size_t n, long *ttl)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME"),
	           *t = getenv("ONTRAPORT_CACHE_TTL");
	long long v = 3600;

	dir[0] = '\0';
	*ttl = 0;
	if (t && *t && util_parse_ll(t, 0, 366LL * 86400, &v) < 0)
		return cli_error(
		    EXIT_USAGE, "invalid ONTRAPORT_CACHE_TTL '%s': expected seconds (0 = no cache)",
		    t);
	if (v == 0)
		return 0;
	*ttl = (long)v;
	if (xdg && xdg[0] == '/')
		snprintf(dir, n, "%s/ontraport", xdg);
	else if (home && home[0] == '/')
		snprintf(dir, n, "%s/.cache/ontraport", home);
	return 0;
}

static int client_new(cli_ctx *ctx, const char *base_url, const char *app_id, const char *api_key,
                      ontra_share *share, ontra_client **out)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	char cache_dir[4096];
	int rc;

	*out = NULL;
	if (cache_settings(cache_dir, sizeof cache_dir, &o.cache_ttl_s) != 0)
		return EXIT_USAGE;
	o.cache_dir = cache_dir[0] ? cache_dir : NULL;
	o.cache_refresh = ctx->refresh;
	o.share = share;
	o.budget = ctx->budget;
	o.base_url = base_url;
	o.app_id = app_id;
	o.api_key = api_key;
	o.timeout_ms = ctx->timeout_ms;
	o.connect_timeout_ms = ctx->connect_timeout_ms;
	o.max_retries = ctx->retries == 0  ? ONTRA_RETRIES_NONE
	                : ctx->retries < 0 ? 0
	                                   : ctx->retries;
	o.user_agent = "ontraport-cli/" ONTRA_VERSION;
	if (ctx->max_wait_set)
		o.max_wait_ms = ctx->max_wait_ms > 0 ? ctx->max_wait_ms : ONTRA_NO_WAIT;
	o.on_wait = wait_notice;
	o.on_wait_userdata = ctx;
	if (ctx->verbose) {
		o.log = log_line;
		o.log_level = ctx->verbose > 1 ? ONTRA_LOG_DEBUG : ONTRA_LOG_INFO;
	}
	rc = ontra_client_new(out, &o);
	if (rc < 0)
		return cli_fail_lib(ctx, rc);
	return EXIT_OK;
}

int cli_client_for(cli_ctx *ctx, const char *base_url, const char *app_id, const char *api_key,
                   ontra_client **out)
{
	return client_new(ctx, base_url, app_id, api_key, NULL, out);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/*
 * The settings of connection `name` (NULL: --profile, ONTRAPORT_PROFILE, the
 * default connection), overridden by the environment; with nothing
 * configured, the local sandbox. The strings live in *ps.
 */
static int connection_settings(cli_ctx *ctx, const char *name, cli_profiles *ps, const char **url,
                               const char **app, const char **key)
{
	const cli_profile *p = NULL;
	char err[512];

	if (cli_profiles_load(ps, err, sizeof err) < 0)
		return cli_error(EXIT_ERROR, "%s", err);
	name = name ? name : ctx->profile ? ctx->profile : env("ONTRAPORT_PROFILE");
	if (name) {
		p = cli_profiles_find(ps, name);
		if (!p) {
			const char *cands[256];
			size_t i, n = 0;
			for (i = 0; i < ps->count && n < 256; i++)
				cands[n++] = ps->items[i].name;
			const char *near = util_nearest(name, cands, n);
			return cli_error(
			    EXIT_NOTFOUND,
			    "unknown connection '%s'%s%s%s; see 'ontraport connection list'", name,
			    near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
		}
	} else if (ps->default_name) {
		p = cli_profiles_find(ps, ps->default_name);
	}
	*app = env("ONTRAPORT_APP_ID");
	*key = env("ONTRAPORT_API_KEY");
	*url = ctx->base_url ? ctx->base_url : env("ONTRAPORT_BASE_URL");
	if (p) {
		*app = *app ? *app : p->app_id;
		*key = *key ? *key : p->api_key;
		*url = *url ? *url : p->base_url;
	} else if (!*app && !*key) {
		/* Nothing configured: the embedded default is the local sandbox. */
		*app = SANDBOX_APP_ID;
		*key = SANDBOX_API_KEY;
		if (!*url) {
			/* Said with -v; else only when it fails to reach it (cli_fail_lib). */
			*url = SANDBOX_URL;
			ctx->sandbox_fallback = 1;
			if (ctx->verbose)
				cli_note(ctx,
				         "ontraport: no connection configured; using the local "
				         "sandbox at %s (see 'ontraport connection add')",
				         *url);
		}
	}
	if (!*app || !*key)
		return cli_error(EXIT_USAGE,
		                 "missing %s: set %s or save a connection with "
		                 "'ontraport connection add'",
		                 !*app ? "app id" : "api key",
		                 !*app ? "ONTRAPORT_APP_ID" : "ONTRAPORT_API_KEY");
	return EXIT_OK;
}

int cli_client(cli_ctx *ctx, ontra_client **out)
{
	int rc = EXIT_OK;

	if (!ctx->client)
		rc = cli_client_new(ctx, NULL, NULL, &ctx->client);
	*out = ctx->client;
	return rc;
}

int cli_client_new(cli_ctx *ctx, const char *connection, ontra_share *share, ontra_client **out)
{
	cli_profiles ps = CLI_PROFILES_INIT;
	const char *app, *key, *url;
	int rc = connection_settings(ctx, connection, &ps, &url, &app, &key);

	*out = NULL;
	if (rc == EXIT_OK)
		rc = client_new(ctx, url, app, key, share, out);
	cli_profiles_release(&ps);
	return rc;
}

void cli_scrub(const char *s)
{
	if (s)
		memset((char *)s, 'x', strlen(s));
}

int cli_take_secret(const char *argv_value, char *buf, size_t n)
{
	int fits = strlen(argv_value) < n;

	snprintf(buf, n, "%s", fits ? argv_value : "");
	cli_scrub(argv_value);
	return fits ? 0 : -1;
}

int cli_queue_url(cli_ctx *ctx, cli_args *args, const char *db, char *url, size_t n)
{
	const char *v = cli_value(args, "queue"), *env = getenv("ONTRAPORT_QUEUE");

	url[0] = '\0';
	if (v) {
		if (cli_take_secret(v, url, n) < 0)
			return cli_usage_error(ctx, "--queue: the URL is over %zu bytes", n - 1);
		if (!*url)
			return cli_usage_error(ctx, "--queue: empty URL");
		if (db)
			return cli_usage_error(ctx, "give --queue URL or --db FILE, not both");
	} else if (!db && env && *env) {
		if (strlen(env) >= n)
			return cli_usage_error(ctx, "ONTRAPORT_QUEUE: the URL is over %zu bytes",
			                       n - 1);
		snprintf(url, n, "%s", env);
	}
	return EXIT_OK;
}

char *cli_read_file(const char *path, size_t cap, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf;
	size_t n = 0, alloc = 4096;

	if (!f) {
		cli_error(EXIT_ERROR, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(alloc);
	while (buf) {
		size_t r;
		if (n == alloc - 1) {
			char *nb;
			if (alloc > cap + 1) {
				free(buf);
				buf = NULL;
				cli_error(EXIT_INVALID, "'%s' is larger than %zu bytes", path, cap);
				break;
			}
			nb = realloc(buf, alloc * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			alloc *= 2;
		}
		r = fread(buf + n, 1, alloc - 1 - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				cli_error(EXIT_ERROR, "cannot read '%s': %s", path,
				          strerror(errno));
				free(buf);
				buf = NULL;
			}
			break;
		}
	}
	if (buf && n > cap) {
		cli_error(EXIT_INVALID, "'%s' is larger than %zu bytes", path, cap);
		free(buf);
		buf = NULL;
	}
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

char *cli_value_or_file(const char *value, size_t cap, size_t *len)
{
	char *s;

	if (value[0] == '@')
		return cli_read_file(value + 1, cap, len);
	s = util_strdup(value);
	if (s && len)
		*len = strlen(s);
	return s;
}

int cli_data_path(char *buf, size_t n, const char *file)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char dir[4096];

	if (xdg && xdg[0] == '/')
		snprintf(dir, sizeof dir, "%s/ontraport", xdg);
	else if (home && *home)
		snprintf(dir, sizeof dir, "%s/.local/share/ontraport", home);
	else
		return -1;
	if (util_mkdirs(dir) < 0) /* the chain, private to the user */
		return -1;
	return snprintf(buf, n, "%s/%s", dir, file) < (int)n ? 0 : -1;
}
