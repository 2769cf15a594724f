/* cli/context.c: the global options become the run context (cli_ctx_globals). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command cmd_test = {.name = "test", .summary = "a command with no options"};

/* Parse argv (NULL-terminated) for cmd_test, then apply the global options. */
static int globals(cli_ctx *ctx, cli_args **args, const char **argv)
{
	char *v[16], err[256];
	int n = 0;

	for (; argv[n]; n++)
		v[n] = (char *)argv[n];
	v[n] = NULL;
	cli_ctx_init(ctx);
	ctx->stdout_tty = 0; /* the default format must not depend on where the test runs */
	ctx->cmd = &cmd_test;
	ctx->cmd_path = "test";
	assert_int_equal(cli_args_parse(args, &cmd_test, n, v, err, sizeof err), 0);
	return cli_ctx_globals(ctx, *args);
}

static void defaults(void **state)
{
	const char *argv[] = {NULL};
	cli_args *a;
	cli_ctx ctx;

	(void)state;
	assert_int_equal(globals(&ctx, &a, argv), EXIT_OK);
	assert_int_equal(ctx.format, FMT_JSON); /* not a terminal */
	assert_int_equal(ctx.timeout_ms, 0);
	assert_int_equal(ctx.connect_timeout_ms, 0);
	assert_int_equal(ctx.retries, -1);
	assert_int_equal(ctx.max_wait_set, 0);
	assert_null(ctx.base_url);
	assert_null(ctx.profile);
	assert_int_equal(ctx.verbose + ctx.quiet + ctx.raw_csv, 0);
	cli_ctx_release(&ctx);
	cli_args_free(a);
}

static void values(void **state)
{
	const char *argv[] = {"-o",         "csv",
	                      "-vv",        "--quiet",
	                      "--timeout",  "3",
	                      "--retries",  "0",
	                      "--max-wait", "0",
	                      "--profile",  "p",
	                      "--base-url", "http://127.0.0.1:9/1",
	                      "--raw-csv",  NULL};
	cli_args *a;
	cli_ctx ctx;

	(void)state;
	assert_int_equal(globals(&ctx, &a, argv), EXIT_OK);
	assert_int_equal(ctx.format, FMT_CSV);
	assert_int_equal(ctx.verbose, 2);
	assert_int_equal(ctx.quiet, 1);
	assert_int_equal(ctx.raw_csv, 1);
	assert_int_equal(ctx.timeout_ms, 3000);
	assert_int_equal(ctx.retries, 0);
	assert_int_equal(ctx.max_wait_set, 1);
	assert_int_equal(ctx.max_wait_ms, 0);
	assert_string_equal(ctx.profile, "p");
	assert_string_equal(ctx.base_url, "http://127.0.0.1:9/1");
	cli_ctx_release(&ctx);
	cli_args_free(a);
}

/* Each bad global option is a usage error (exit 2), whatever comes after it. */
static void refusals(void **state)
{
	const char *const bad[][4] = {
	    {"-o", "xml", NULL},        {"--base-url", "", NULL},
	    {"--timeout", "0", NULL},   {"--connect-timeout", "3601", NULL},
	    {"--retries", "101", NULL}, {"--max-wait", "-1", NULL},
	    {"--timeout", "1x", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *argv[4] = {bad[i][0], bad[i][1], NULL, NULL};
		cli_args *a;
		cli_ctx ctx;
		assert_int_equal(globals(&ctx, &a, argv), EXIT_USAGE);
		cli_ctx_release(&ctx);
		cli_args_free(a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults),
	    cmocka_unit_test(values),
	    cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
