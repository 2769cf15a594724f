/* `ontraport connection add|list|test|remove|use`: saved key pairs (profiles). */
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "profile.h"
#include "util.h"
#include "banned.h"

#define KEY_MAX 1024

static const char *const *near_names(const cli_profiles *ps, const char **cands, size_t *n)
{
	size_t i;
	*n = 0;
	for (i = 0; i < ps->count && *n < 256; i++)
		cands[(*n)++] = ps->items[i].name;
	return cands;
}

static int not_found(const cli_profiles *ps, const char *name)
{
	const char *cands[256], *near;
	size_t n;

	near_names(ps, cands, &n);
	near = util_nearest(name, cands, n);
	return cli_error(EXIT_NOTFOUND,
	                 "unknown connection '%s'%s%s%s; see 'ontraport connection list'", name,
	                 near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

static json_t *record_of(const cli_profiles *ps, const cli_profile *p)
{
	char masked[16], url[2048];

	util_mask_secret(p->api_key, masked, sizeof masked);
	util_url_shown(p->base_url ? p->base_url : ONTRA_DEFAULT_BASE_URL, url, sizeof url);
	return json_pack("{s:s, s:b, s:s, s:s, s:s}", "name", p->name, "default",
	                 ps->default_name && strcmp(ps->default_name, p->name) == 0, "app_id",
	                 p->app_id, "api_key", masked, "base_url", url);
}

/* Read one line from fd into buf without the newline; echo off when it is a terminal. */
static int read_secret_line(FILE *in, int hide, const char *prompt, char *buf, size_t n)
{
	struct termios old, quiet;
	int restore = 0;
	size_t len;

	if (prompt) {
		fputs(prompt, stderr);
		fflush(stderr);
	}
	if (hide && isatty(fileno(in)) && tcgetattr(fileno(in), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fileno(in), TCSAFLUSH, &quiet) == 0;
	}
	if (!fgets(buf, (int)n, in))
		buf[0] = '\0';
	if (restore) {
		tcsetattr(fileno(in), TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	len = strlen(buf);
	if (len == n - 1 && buf[len - 1] != '\n')
		return -1; /* too long */
	util_trim(buf);
	return 0;
}

static int run_add(cli_ctx *ctx, cli_args *args)
{
	const char *name = cli_arg(args, 0);
	const char *app = cli_value(args, "app-id"), *argkey = cli_value(args, "api-key");
	const char *url = ctx->base_url ? ctx->base_url : getenv("ONTRAPORT_BASE_URL");
	char key[KEY_MAX], appbuf[256], err[512];
	cli_profiles ps = CLI_PROFILES_INIT;
	ontra_client *c = NULL;
	json_t *rec;
	int rc, lrc, make_default, lock = -1;

	key[0] = '\0';
	if (!cli_profile_name_valid(name))
		return cli_usage_error(ctx,
		                       "invalid connection name '%s': expected 1-64 letters, "
		                       "digits, '_', '.' or '-'",
		                       name);
	if (url && !*url)
		url = NULL;
	if (argkey) {
		if (cli_take_secret(argkey, key, sizeof key) < 0)
			return cli_usage_error(ctx, "--api-key is too long (at most %d bytes)",
			                       KEY_MAX - 1);
		cli_note(
		    ctx,
		    "ontraport: warning: a key given with --api-key can be seen in the process "
		    "list; prefer --api-key-stdin or ONTRAPORT_API_KEY");
	} else if (cli_flag(args, "api-key-stdin")) {
		if (read_secret_line(stdin, 0, NULL, key, sizeof key) < 0)
			return cli_usage_error(
			    ctx, "the key on stdin is too long (at most %d bytes)", KEY_MAX - 1);
	} else if (getenv("ONTRAPORT_API_KEY") && *getenv("ONTRAPORT_API_KEY")) {
		snprintf(key, sizeof key, "%s", getenv("ONTRAPORT_API_KEY"));
	} else if (isatty(STDIN_FILENO)) {
		if (read_secret_line(stdin, 1, "API key: ", key, sizeof key) < 0)
			return cli_usage_error(ctx, "the key is too long (at most %d bytes)",
			                       KEY_MAX - 1);
	}
	if (!key[0])
		return cli_usage_error(ctx, "missing API key: give --api-key-stdin, set "
		                            "ONTRAPORT_API_KEY, or run on a terminal to be asked");
	if (!app)
		app = getenv("ONTRAPORT_APP_ID");
	if ((!app || !*app) && isatty(STDIN_FILENO)) {
		if (read_secret_line(stdin, 0, "App ID: ", appbuf, sizeof appbuf) == 0 && appbuf[0])
			app = appbuf;
	}
	if (!app || !*app) {
		memset(key, 0, sizeof key);
		return cli_usage_error(ctx, "missing --app-id (or ONTRAPORT_APP_ID)");
	}

	if ((rc = cli_client_for(ctx, url, app, key, &c)) != EXIT_OK)
		goto out;
	if (!cli_flag(args, "no-verify")) {
		lrc = ontra_client_verify(c);
		if (lrc < 0) {
			rc = cli_exit_code(lrc);
			cli_error(rc, "connection '%s' not saved: %s%s", name,
			          ontra_error_last()->message,
			          lrc == ONTRA_EAUTH
			              ? " (check that the App ID and API key belong together)"
			              : "");
			goto out;
		}
	}
	/* Locked from load to save: parallel adds must not drop each other's connection. */
	if (cli_profiles_lock(&lock, err, sizeof err) < 0 ||
	    cli_profiles_load(&ps, err, sizeof err) < 0) {
		rc = cli_error(EXIT_ERROR, "%s", err);
		goto out;
	}
	make_default = cli_flag(args, "default") || !ps.default_name || ps.count == 0;
	if (cli_profiles_set(&ps, name, app, key, url) < 0 ||
	    (make_default && cli_profiles_set_default(&ps, name) < 0)) {
		rc = cli_error(EXIT_ERROR, "out of memory");
		goto out;
	}
	if (cli_profiles_save(&ps, err, sizeof err) < 0) {
		rc = cli_error(EXIT_ERROR, "%s", err);
		goto out;
	}
	rec = record_of(&ps, cli_profiles_find(&ps, name));
	if (rec)
		json_object_set_new(rec, "verified", json_boolean(!cli_flag(args, "no-verify")));
	if (!rec || cli_out_value(ctx, rec) < 0)
		rc = EXIT_ERROR;
	json_decref(rec);
out:
	cli_profiles_unlock(lock);
	memset(key, 0, sizeof key);
	ontra_client_free(c);
	cli_profiles_release(&ps);
	return rc;
}

static int run_list(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"name",    "default",  "app_id",
	                                   "api_key", "base_url", NULL};
	cli_profiles ps = CLI_PROFILES_INIT;
	char err[512];
	cli_out *o;
	size_t i;
	int rc = EXIT_OK;

	if (cli_profiles_load(&ps, err, sizeof err) < 0)
		return cli_error(EXIT_ERROR, "%s", err);
	o = cli_out_begin(ctx, cols);
	for (i = 0; i < ps.count; i++) {
		json_t *rec = record_of(&ps, &ps.items[i]);
		if (!rec || cli_out_record(o, rec) < 0)
			rc = EXIT_ERROR;
		json_decref(rec);
	}
	if (cli_out_end(o) < 0)
		rc = EXIT_ERROR;
	cli_profiles_release(&ps);
	return rc;
}

static int run_test(cli_ctx *ctx, cli_args *args)
{
	const char *name = cli_arg(args, 0);
	cli_profiles ps = CLI_PROFILES_INIT;
	ontra_client *c = NULL, *own = NULL;
	ontra_rate_limit rl;
	char err[512], url[2048];
	double t0;
	json_t *rec;
	int rc, lrc;

	if (name) {
		const cli_profile *p;
		if (cli_profiles_load(&ps, err, sizeof err) < 0)
			return cli_error(EXIT_ERROR, "%s", err);
		p = cli_profiles_find(&ps, name);
		if (!p) {
			rc = not_found(&ps, name);
			cli_profiles_release(&ps);
			return rc;
		}
		rc = cli_client_for(ctx, ctx->base_url ? ctx->base_url : p->base_url, p->app_id,
		                    p->api_key, &own);
		c = own;
	} else {
		rc = cli_client(ctx, &c);
	}
	if (rc != EXIT_OK)
		goto out;
	t0 = (util_mono_s() * 1000.0);
	lrc = ontra_client_verify(c);
	if (lrc < 0) {
		rc = cli_fail_lib(ctx, lrc);
		goto out;
	}
	ontra_client_rate_limit(c, &rl);
	util_url_shown(ontra_client_base_url(c), url, sizeof url);
	rec = json_pack("{s:s, s:s, s:b, s:i, s:I}", "connection", name ? name : "(current)",
	                "base_url", url, "ok", 1, "ms", (int)((util_mono_s() * 1000.0) - t0 + 0.5),
	                "rate_limit_remaining", (json_int_t)rl.remaining);
	if (!rec || cli_out_value(ctx, rec) < 0)
		rc = EXIT_ERROR;
	json_decref(rec);
out:
	ontra_client_free(own);
	cli_profiles_release(&ps);
	return rc;
}

static int change(cli_ctx *ctx, cli_args *args, int remove)
{
	const char *name = cli_arg(args, 0);
	cli_profiles ps = CLI_PROFILES_INIT;
	char err[512];
	int rc = EXIT_OK, lock = -1;

	if (cli_profiles_lock(&lock, err, sizeof err) < 0 ||
	    cli_profiles_load(&ps, err, sizeof err) < 0) {
		rc = cli_error(EXIT_ERROR, "%s", err);
		goto out;
	}
	if (!cli_profiles_find(&ps, name)) {
		rc = not_found(&ps, name);
		goto out;
	}
	if (remove ? cli_profiles_remove(&ps, name) < 0 : cli_profiles_set_default(&ps, name) < 0) {
		rc = cli_error(EXIT_ERROR, "out of memory");
		goto out;
	}
	if (cli_profiles_save(&ps, err, sizeof err) < 0) {
		rc = cli_error(EXIT_ERROR, "%s", err);
		goto out;
	}
	cli_note(ctx, remove ? "removed connection '%s'" : "connection '%s' is now the default",
	         name);
out:
	cli_profiles_unlock(lock);
	cli_profiles_release(&ps);
	return rc;
}

static int run_remove(cli_ctx *ctx, cli_args *args)
{
	return change(ctx, args, 1);
}

static int run_use(cli_ctx *ctx, cli_args *args)
{
	return change(ctx, args, 0);
}

static const cli_opt add_opts[] = {
    {.name = "app-id",
     .kind = CLI_VALUE,
     .arg = "ID",
     .help = "the API App ID (or ONTRAPORT_APP_ID)"},
    {.name = "api-key",
     .kind = CLI_VALUE,
     .arg = "KEY",
     .help = "the API key (visible in the process list: prefer the next)"},
    {.name = "api-key-stdin",
     .kind = CLI_FLAG,
     .help = "read the API key from the first line of stdin"},
    {.name = "no-verify",
     .kind = CLI_FLAG,
     .help = "save without checking the pair with a real call"},
    {.name = "default", .kind = CLI_FLAG, .help = "make it the default connection"},
    {.name = NULL}};

static const cli_command cmd_add = {
    .name = "add",
    .summary = "save a connection after checking it with a real call",
    .synopsis = "NAME --app-id ID [--api-key-stdin | --api-key KEY] [--no-verify] [--default]",
    .description =
        "Save the App ID and API key of an Ontraport account under NAME (from Administration > "
        "Integrations > Ontraport API Instructions and Key Manager). The pair is checked with a "
        "real "
        "call first; --no-verify saves it offline. The key is read from stdin (--api-key-stdin), "
        "ONTRAPORT_API_KEY, or a prompt; it is stored in the config file (mode 0600) and never "
        "printed. The first connection saved becomes the default. --base-url (or "
        "ONTRAPORT_BASE_URL) saves another API address, such as a sandbox.",
    .opts = add_opts,
    .examples =
        "ontraport connection add prod --app-id 2_AppID_12345678 --api-key-stdin < key.txt\n"
        "  save and verify a real account\n"
        "ontraport connection add local --base-url http://127.0.0.1:8517/1 --app-id "
        "2_AppID_12345678 --api-key Key5678\n"
        "  save the local sandbox",
    .run = run_add,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command cmd_list = {
    .name = "list",
    .summary = "list saved connections (keys masked)",
    .synopsis = "",
    .run = run_list,
};

static const cli_command cmd_test = {
    .name = "test",
    .summary = "check a connection with a real call",
    .synopsis = "[NAME]",
    .description =
        "Check a saved connection (or, without NAME, the one commands would use now) with one "
        "real call, and report the time and the rate limit left.",
    .run = run_test,
    .max_args = 1,
};

static const cli_command cmd_remove = {
    .name = "remove",
    .summary = "forget a saved connection",
    .synopsis = "NAME",
    .run = run_remove,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command cmd_use = {
    .name = "use",
    .summary = "make a saved connection the default",
    .synopsis = "NAME",
    .run = run_use,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command *const connection_subs[] = {&cmd_add,    &cmd_list, &cmd_test,
                                                     &cmd_remove, &cmd_use,  NULL};

const cli_command cli_cmd_connection = {
    .name = "connection",
    .summary = "manage saved connections (App ID + API key pairs)",
    .description =
        "Connections are named App ID + API key pairs, saved in $XDG_CONFIG_HOME/ontraport/"
        "config.json (mode 0600). Commands use --profile NAME, else ONTRAPORT_PROFILE, else the "
        "default connection; ONTRAPORT_APP_ID, ONTRAPORT_API_KEY and ONTRAPORT_BASE_URL override "
        "its values. With nothing configured, commands use the local sandbox.",
    .subs = connection_subs,
};
