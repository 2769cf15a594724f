/*
 * ontraport: the command-line tool. main() finds the command in the table
 * (commands.c), parses its arguments declaratively and runs it. Data goes to
 * stdout; notes, progress and errors to stderr. Exit codes: cli.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "str.h"

/* Whether arg is a global option that takes a value in the next argument. */
static int global_takes_value(const char *arg)
{
	const cli_opt *o;

	if (strchr(arg, '='))
		return 0;
	for (o = cli_global_opts; o->name; o++) {
		if (o->kind == CLI_FLAG)
			continue;
		if ((arg[1] == '-' && strcmp(arg + 2, o->name) == 0) ||
		    (arg[1] != '-' && arg[1] == o->short_name && arg[2] == '\0'))
			return 1;
	}
	return 0;
}

static const cli_command *find_sub(const cli_command *group, const char *name)
{
	const cli_command *const *s;

	for (s = group->subs; *s; s++)
		if (strcmp((*s)->name, name) == 0)
			return *s;
	return NULL;
}

static int unknown_command(const cli_command *group, const char *path, const char *name)
{
	const char *cands[64];
	size_t n = 0;
	const cli_command *const *s;
	const char *near;

	for (s = group->subs; *s && n < 64; s++)
		if ((*s)->name[0] != '_')
			cands[n++] = (*s)->name;
	near = util_nearest(name, cands, n);
	fprintf(stderr, "ontraport: unknown command '%s%s%s'%s%s%s\n", path, *path ? " " : "", name,
	        near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	fprintf(stderr, "Run 'ontraport %s%s--help' for the list of commands.\n", path,
	        *path ? " " : "");
	return EXIT_USAGE;
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

static int run_command_line(int argc, char **argv)
{
	const cli_command *cmd = &cli_root;
	char path[128] = "";
	char **rest;
	int nrest = 0, i, rc;
	cli_args *args = NULL;
	cli_ctx ctx;
	char err[512];

	memset(&ctx, 0, sizeof ctx);
	ctx.prog = "ontraport";
	ctx.stdout_tty = isatty(STDOUT_FILENO);
	ctx.stderr_tty = isatty(STDERR_FILENO);
	cli_colour_init(ctx.stdout_tty, ctx.stderr_tty);

	rest = calloc((size_t)argc + 1, sizeof *rest);
	if (!rest)
		return cli_error(EXIT_ERROR, "out of memory");

	/* Walk down the command tree; global options may come before a command name. */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!cmd->subs)
			break;
		if (a[0] == '-' && a[1]) {
			if (strcmp(a, "--version") == 0 && cmd == &cli_root) {
				free(rest);
				return cli_run_version(&ctx, NULL);
			}
			rest[nrest++] = argv[i];
			if (global_takes_value(a) && i + 1 < argc)
				rest[nrest++] = argv[++i];
			continue;
		}
		const cli_command *sub = find_sub(cmd, a);
		if (!sub) {
			rc = unknown_command(cmd, path, a);
			free(rest);
			return rc;
		}
		snprintf(path + strlen(path), sizeof path - strlen(path), "%s%s", *path ? " " : "", a);
		cmd = sub;
	}
	for (; i < argc; i++)
		rest[nrest++] = argv[i];

	if (cmd->subs) {
		/* A group without a command: help, to stdout if asked for, else a usage error. */
		int asked = 0;
		for (i = 0; i < nrest; i++)
			if (strcmp(rest[i], "--help") == 0 || strcmp(rest[i], "-h") == 0)
				asked = 1;
		cli_help(asked ? stdout : stderr, cmd, path);
		free(rest);
		return asked ? EXIT_OK : EXIT_USAGE;
	}

	if (cli_args_parse(&args, cmd, nrest, rest, err, sizeof err) < 0) {
		fprintf(stderr, "ontraport: %s\nRun 'ontraport %s --help' for usage.\n", err, path);
		free(rest);
		return EXIT_USAGE;
	}
	ctx.cmd = cmd;
	ctx.cmd_path = path;
	ctx.args = args;
	if (cli_flag(args, "help")) {
		cli_help(stdout, cmd, path);
		rc = EXIT_OK;
		goto out;
	}
	if (cli_argc(args) < cmd->min_args ||
	    (cmd->max_args >= 0 && cli_argc(args) > cmd->max_args)) {
		if (cli_argc(args) < cmd->min_args)
			rc = cli_usage_error(&ctx, "missing arguments: expected %s", cmd->synopsis);
		else
			rc = cli_usage_error(&ctx, "unexpected argument '%s'",
			                     cli_arg(args, cmd->max_args));
		goto out;
	}
	ctx.format = parse_format(cli_value(args, "output"), ctx.stdout_tty);
	if (ctx.format == FMT_AUTO) {
		rc = cli_usage_error(&ctx, "invalid output format '%s': expected json, ndjson, table or csv",
		                     cli_value(args, "output"));
		goto out;
	}
	ctx.verbose = cli_flag(args, "verbose");
	ctx.quiet = cli_flag(args, "quiet");
	ctx.raw_csv = cli_flag(args, "raw-csv");
	ctx.color = cli_colour_err;
	ctx.profile = cli_value(args, "profile");
	ctx.base_url = cli_value(args, "base-url");
	if (ctx.base_url && !*ctx.base_url) {
		/* Most likely an unset shell variable: never fall back to the production API. */
		rc = cli_usage_error(&ctx,
		                     "--base-url is empty: expected an http:// or https:// URL");
		goto out;
	}
	{
		long long t;
		if (cli_value_ll(args, "timeout", 1, 86400, 0, &t) < 0) {
			rc = EXIT_USAGE;
			goto out;
		}
		ctx.timeout_ms = (long)t * 1000;
		if (cli_value_ll(args, "connect-timeout", 1, 3600, 0, &t) < 0) {
			rc = EXIT_USAGE;
			goto out;
		}
		ctx.connect_timeout_ms = (long)t * 1000;
		if (cli_value_ll(args, "retries", 0, 100, -1, &t) < 0) {
			rc = EXIT_USAGE;
			goto out;
		}
		ctx.retries = (int)t;
		if (cli_value_ll(args, "max-wait", 0, 86400, -1, &t) < 0) {
			rc = EXIT_USAGE;
			goto out;
		}
		ctx.max_wait_set = t >= 0;
		ctx.max_wait_ms = (long)t * 1000;
	}

	rc = cmd->run(&ctx, args);
out:
	ontra_client_free(ctx.client);
	cli_args_free(args);
	free(rest);
	return rc;
}

/*
 * Data that could not be written is a failure, even if everything else
 * worked, as in git and coreutils: stdout is flushed and closed, and a failed
 * write or close says why and exits 1 ("write error: No space left on
 * device"). A reader that went away (EPIPE) is not an error to report: the
 * process ends quietly by SIGPIPE, as git does (status 141 in a shell).
 */
static int finish_stdout(int rc)
{
	int failed_before = ferror(stdout), e = errno, closed = fclose(stdout) == 0;

	if (!failed_before && closed)
		return rc;
	if (!closed)
		e = errno;
	else if (e != EPIPE)
		e = 0; /* an earlier write failed; its errno is gone */
	if (e == EPIPE) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	fprintf(stderr, "ontraport: write error%s%s\n", e ? ": " : "", e ? strerror(e) : "");
	return rc == EXIT_OK ? EXIT_ERROR : rc;
}

int main(int argc, char **argv)
{
	return finish_stdout(run_command_line(argc, argv));
}
