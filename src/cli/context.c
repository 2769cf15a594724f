/* The run context: the client for this run, error reporting, file input. */
#include <errno.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "profile.h"
#include "str.h"

/* The local sandbox's defaults (see `ontraport sandbox`). */
#define SANDBOX_URL "http://127.0.0.1:8517/1"
#define SANDBOX_APP_ID "2_AppID_12345678"
#define SANDBOX_API_KEY "Key5678"

int cli_colour_err, cli_colour_out;

void cli_colour_init(int stdout_tty, int stderr_tty)
{
	/* https://no-color.org: any non-empty NO_COLOR turns colour off. */
	const char *nc = getenv("NO_COLOR");
	int allowed = !(nc && *nc) && !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);

	cli_colour_out = allowed && stdout_tty;
	cli_colour_err = allowed && stderr_tty;
}

/* "ontraport: ", in bold red on a colour terminal. */
static void err_prefix(void)
{
	fputs(cli_colour_err ? "\033[1;31montraport:\033[0m " : "ontraport: ", stderr);
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	err_prefix();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int cli_usage_error(const cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	err_prefix();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun 'ontraport %s --help' for usage.\n", ctx->cmd_path);
	return EXIT_USAGE;
}

void cli_note(const cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_exit_code(int rc)
{
	switch (rc) {
	case ONTRA_OK: return EXIT_OK;
	case ONTRA_EINVALID: return EXIT_INVALID;
	case ONTRA_EAUTH: return EXIT_AUTH;
	case ONTRA_ENOTFOUND: return EXIT_NOTFOUND;
	case ONTRA_ERATELIMIT: return EXIT_RATELIMIT;
	case ONTRA_ESERVER: return EXIT_SERVER;
	case ONTRA_ENETWORK: return EXIT_NETWORK;
	case ONTRA_EBADRESPONSE: return EXIT_BADRESPONSE;
	case ONTRA_EUNSAFE: return EXIT_UNSAFE;
	case ONTRA_EUSER: return EXIT_INTERRUPTED;
	default: return EXIT_ERROR;
	}
}

int cli_fail_lib(cli_ctx *ctx, int rc)
{
	const ontra_error *e = ontra_error_last();

	err_prefix();
	fprintf(stderr, "%s\n", e->message && *e->message ? e->message : ontra_error_name(rc));
	return cli_exit_code(rc);
}

static void log_line(void *ud, int level, const char *line)
{
	(void)ud;
	(void)level;
	fprintf(stderr, "%s\n", line);
}

/* On a terminal, say why a command sits still: a wait for the rate limit of a second or more. */
static void wait_notice(void *ud, double seconds, const char *why)
{
	const cli_ctx *ctx = ud;

	if (ctx->stderr_tty && !ctx->quiet)
		fprintf(stderr, "ontraport: waiting %.0f s for the rate limit: %s\n", seconds, why);
}

int cli_client_for(cli_ctx *ctx, const char *base_url, const char *app_id, const char *api_key,
                   ontra_client **out)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	int rc;

	*out = NULL;
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

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

int cli_client(cli_ctx *ctx, ontra_client **out)
{
	profiles ps = PROFILES_INIT;
	const profile *p = NULL;
	const char *name, *app, *key, *url;
	char err[512];
	int rc;

	*out = NULL;
	if (ctx->client) {
		*out = ctx->client;
		return EXIT_OK;
	}
	if (profiles_load(&ps, err, sizeof err) < 0)
		return cli_error(EXIT_ERROR, "%s", err);
	name = ctx->profile ? ctx->profile : env("ONTRAPORT_PROFILE");
	if (name) {
		p = profiles_find(&ps, name);
		if (!p) {
			const char *cands[256];
			size_t i, n = 0;
			for (i = 0; i < ps.count && n < 256; i++)
				cands[n++] = ps.items[i].name;
			const char *near = util_nearest(name, cands, n);
			rc = cli_error(EXIT_NOTFOUND, "unknown connection '%s'%s%s%s; see 'ontraport connection list'",
			               name, near ? " (did you mean '" : "", near ? near : "",
			               near ? "'?)" : "");
			profiles_release(&ps);
			return rc;
		}
	} else if (ps.default_name) {
		p = profiles_find(&ps, ps.default_name);
	}
	app = env("ONTRAPORT_APP_ID");
	key = env("ONTRAPORT_API_KEY");
	url = ctx->base_url ? ctx->base_url : env("ONTRAPORT_BASE_URL");
	if (p) {
		app = app ? app : p->app_id;
		key = key ? key : p->api_key;
		url = url ? url : p->base_url;
	} else if (!app && !key) {
		/* Nothing configured: the embedded default is the local sandbox. */
		app = SANDBOX_APP_ID;
		key = SANDBOX_API_KEY;
		if (!url) {
			url = SANDBOX_URL;
			cli_note(ctx, "ontraport: no connection configured; using the local sandbox at %s "
			              "(see 'ontraport connection add')", url);
		}
	}
	if (!app || !key) {
		profiles_release(&ps);
		return cli_error(EXIT_USAGE, "missing %s: set %s or save a connection with "
		                             "'ontraport connection add'",
		                 !app ? "app id" : "api key",
		                 !app ? "ONTRAPORT_APP_ID" : "ONTRAPORT_API_KEY");
	}
	rc = cli_client_for(ctx, url, app, key, &ctx->client);
	profiles_release(&ps);
	*out = ctx->client;
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
				cli_error(EXIT_ERROR, "cannot read '%s': %s", path, strerror(errno));
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
	/* Create the directory chain, private to the user. */
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	return snprintf(buf, n, "%s/%s", dir, file) < (int)n ? 0 : -1;
}
