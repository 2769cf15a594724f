/*
 * ontraport: the command-line tool. main() walks the command table
 * (commands.c) to the command, parses its arguments declaratively, has
 * context.c turn the global options into the run context, and runs it. Data goes to
 * stdout; notes, progress and errors to stderr. Exit codes: cli.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"
#include "banned.h"

/* Whether arg is an option of `opts` that takes a value in the next argument. */
static int opt_takes_value(const cli_opt *opts, const char *arg)
{
	const cli_opt *o;

	if (strchr(arg, '='))
		return 0;
	for (o = opts; o && o->name; o++) {
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

/* Where the walk down the command tree got to. */
struct command_line {
	const cli_command *cmd; /* the command found (a group when none was named) */
	char path[128];         /* "connection add" */
	char **rest;            /* the arguments left for the command, global options included */
	int nrest;
};

static int descend(struct command_line *cl, const char *name)
{
	const cli_command *sub = find_sub(cl->cmd, name);
	size_t used = strlen(cl->path);

	if (!sub)
		return -1;
	snprintf(cl->path + used, sizeof cl->path - used, "%s%s", used ? " " : "", name);
	cl->cmd = sub;
	return 0;
}

/*
 * Walk down the command tree; global options may come before a command
 * name. Returns -1 to go on, or an exit code when done (--version, an
 * unknown command).
 */
static int find_command(struct command_line *cl, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && cl->cmd->subs; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1]) {
			/* A command that runs and has subcommands (sandbox): a word that
			 * names none of them is its argument. */
			if (cl->cmd->run && !find_sub(cl->cmd, a))
				break;
			if (descend(cl, a) < 0)
				return unknown_command(cl->cmd, cl->path, a);
			continue;
		}
		if (strcmp(a, "--version") == 0 && cl->cmd == &cli_root)
			return cli_run_version(NULL, NULL);
		cl->rest[cl->nrest++] = argv[i];
		/* A group that runs by itself (fields) has options of its own too. */
		if ((opt_takes_value(cli_global_opts, a) ||
		     (cl->cmd->run && opt_takes_value(cl->cmd->opts, a))) &&
		    i + 1 < argc)
			cl->rest[cl->nrest++] = argv[++i];
	}
	for (; i < argc; i++)
		cl->rest[cl->nrest++] = argv[i];
	return -1;
}

/* A group without a command: help, to stdout if asked for, else a usage error. */
static int group_help(const struct command_line *cl)
{
	int asked = 0, i;

	for (i = 0; i < cl->nrest; i++)
		if (strcmp(cl->rest[i], "--help") == 0 || strcmp(cl->rest[i], "-h") == 0)
			asked = 1;
	cli_help(asked ? stdout : stderr, cl->cmd, cl->path);
	return asked ? EXIT_OK : EXIT_USAGE;
}

static int check_arg_count(const cli_ctx *ctx, const cli_args *args)
{
	const cli_command *cmd = ctx->cmd;

	if (cli_argc(args) < cmd->min_args)
		return cli_usage_error(ctx, "missing arguments: expected %s", cmd->synopsis);
	if (cmd->max_args >= 0 && cli_argc(args) > cmd->max_args)
		return cli_usage_error(ctx, "unexpected argument '%s'",
		                       cli_arg(args, cmd->max_args));
	return EXIT_OK;
}

/* Parse the command's arguments, then --help, or the checks and the run. */
static int run_command(cli_ctx *ctx, const struct command_line *cl)
{
	cli_args *args = NULL;
	char err[512];
	int rc;

	if (cli_args_parse(&args, cl->cmd, cl->nrest, cl->rest, err, sizeof err) < 0) {
		fprintf(stderr, "ontraport: %s\nRun 'ontraport %s --help' for usage.\n", err,
		        cl->path);
		return EXIT_USAGE;
	}
	ctx->cmd = cl->cmd;
	ctx->cmd_path = cl->path;
	ctx->args = args;
	if (cli_flag(args, "help")) {
		cli_help(stdout, cl->cmd, cl->path);
		rc = EXIT_OK;
	} else if ((rc = check_arg_count(ctx, args)) == EXIT_OK &&
	           (rc = cli_ctx_globals(ctx, args)) == EXIT_OK) {
		rc = cl->cmd->run(ctx, args);
	}
	cli_out_release(ctx);
	cli_ctx_release(ctx);
	cli_args_free(args);
	return rc;
}

static int run_command_line(int argc, char **argv)
{
	struct command_line cl = {.cmd = &cli_root};
	cli_ctx ctx;
	int rc;

	cli_ctx_init(&ctx);
	ctx.root = &cli_root;
	cl.rest = calloc((size_t)argc + 1, sizeof *cl.rest);
	if (!cl.rest)
		return cli_error(EXIT_ERROR, "out of memory");
	if ((rc = find_command(&cl, argc, argv)) < 0)
		rc = cl.cmd->subs && !cl.cmd->run ? group_help(&cl) : run_command(&ctx, &cl);
	free(cl.rest);
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
