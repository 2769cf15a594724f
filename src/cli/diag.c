/*
 * Messages on stderr: errors (with the program's name, red on a colour
 * terminal), usage errors, notes, and the exit code for a library error.
 * Below the option parser and the run context, which both report through it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_log.h"
#include "util.h"
#include "banned.h"

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

/* With --log-format json (watch, run: cli_log.h) an error or a note is a log line like the
 * others: written so, and 1; else 0, ap untouched. */
static int json_line(cli_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static int json_line(cli_log_level level, const char *fmt, va_list ap)
{
	util_buf b = UTIL_BUF_INIT;

	if (!cli_log_json())
		return 0;
	util_buf_vprintf(&b, fmt, ap);
	if (util_buf_ensure(&b) == 0)
		cli_log_line(level, b.data);
	util_buf_release(&b);
	return 1;
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!json_line(CLI_LOG_ERROR, fmt, ap)) {
		err_prefix();
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
	return code;
}

int cli_usage_error(const cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!json_line(CLI_LOG_ERROR, fmt, ap)) {
		err_prefix();
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, "\nRun 'ontraport %s --help' for usage.\n", ctx->cmd_path);
	}
	va_end(ap);
	return EXIT_USAGE;
}

void cli_note(const cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	va_start(ap, fmt);
	if (!json_line(CLI_LOG_INFO, fmt, ap)) {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

int cli_exit_code(int rc)
{
	switch (rc) {
	case ONTRA_OK:
		return EXIT_OK;
	case ONTRA_EINVALID:
		return EXIT_INVALID;
	case ONTRA_EAUTH:
		return EXIT_AUTH;
	case ONTRA_ENOTFOUND:
		return EXIT_NOTFOUND;
	case ONTRA_ERATELIMIT:
		return EXIT_RATELIMIT;
	case ONTRA_ESERVER:
		return EXIT_SERVER;
	case ONTRA_ENETWORK:
		return EXIT_NETWORK;
	case ONTRA_EBADRESPONSE:
		return EXIT_BADRESPONSE;
	case ONTRA_EUNSAFE:
		return EXIT_UNSAFE;
	case ONTRA_EFORBIDDEN:
		return EXIT_FORBIDDEN;
	case ONTRA_EUSER:
		return EXIT_INTERRUPTED;
	default:
		return EXIT_ERROR;
	}
}

int cli_fail_lib(cli_ctx *ctx, int rc)
{
	const ontra_error *e = ontra_error_last();

	return cli_error(
	    cli_exit_code(rc), "%s%s",
	    e->message && *e->message ? e->message : ontra_error_name(rc),
	    rc == ONTRA_ENETWORK && ctx->sandbox_fallback
	        ? " (no connection is configured, so this was the local sandbox: start it with "
	          "'ontraport sandbox &', or add a connection with 'ontraport connection add')"
	        : "");
}
