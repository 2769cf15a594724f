/*
 * cli/cli_log.c: the log lines of watch and run. Text lines are as they always were; JSON
 * lines parse (quotes, newlines, control characters, bytes that are not UTF-8), carry ts,
 * level, cmd, msg and the caller's fields, and never mix when threads write at once; the
 * format comes from --log-format, else $ONTRAPORT_LOG_FORMAT; a bad value is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_log.h"

static const cli_opt opts[] = {CLI_LOG_FORMAT_OPT, {.name = NULL}};
static const cli_command cmd_test = {.name = "test", .summary = "a log", .opts = opts};

/* cli_log_setup for `test [--log-format VALUE]`. */
static int setup_log(const char *value)
{
	char *argv[] = {"--log-format", (char *)value, NULL}, err[256];
	cli_args *a;
	cli_ctx ctx;
	int rc;

	cli_ctx_init(&ctx);
	ctx.cmd = &cmd_test;
	ctx.cmd_path = "test";
	assert_int_equal(cli_args_parse(&a, &cmd_test, value ? 2 : 0, argv, err, sizeof err), 0);
	rc = cli_log_setup(ctx.cmd_path, cli_value(a, "log-format"), err, sizeof err) < 0
	         ? cli_error(EXIT_USAGE, "%s", err)
	         : EXIT_OK;
	cli_args_free(a);
	return rc;
}

/* stderr into a temporary file, until captured() gives back what was written. */
static FILE *capture_file;
static int saved_stderr = -1;

static void capture(void)
{
	capture_file = tmpfile();
	assert_non_null(capture_file);
	saved_stderr = dup(STDERR_FILENO);
	assert_int_equal(dup2(fileno(capture_file), STDERR_FILENO), STDERR_FILENO);
}

/* What was written since capture() (malloc'd); stderr restored. */
static char *captured(void)
{
	long n;
	char *text;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	fseek(capture_file, 0, SEEK_END);
	n = ftell(capture_file);
	rewind(capture_file);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, capture_file), (size_t)n);
	fclose(capture_file);
	return text;
}

/* The one JSON line of text (it must end in a newline, and hold no other). */
static json_t *one_line(const char *text)
{
	json_error_t je;
	json_t *o;
	size_t n = strlen(text);

	assert_true(n > 0 && text[n - 1] == '\n');
	assert_ptr_equal(strchr(text, '\n'), text + n - 1);
	o = json_loads(text, 0, &je);
	assert_non_null(o);
	return o;
}

static const char *field(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/* What was written since capture() is one JSON line of this msg and level. */
static void expect_line(const char *msg, const char *level)
{
	char *text = captured();
	json_t *o = one_line(text);

	assert_string_equal(field(o, "msg"), msg);
	assert_string_equal(field(o, "level"), level);
	json_decref(o);
	free(text);
}

static void text_lines_unchanged(void **state)
{
	char *text;

	(void)state;
	assert_int_equal(setup_log(NULL), EXIT_OK);
	assert_false(cli_log_json());
	capture();
	cli_logf(CLI_LOG_INFO, "listening on %s", "http://127.0.0.1:1/hooks/abcd...");
	cli_logf_with(CLI_LOG_INFO, json_pack("{si}", "event_id", 3), "event %d delivered", 3);
	cli_log_line(CLI_LOG_WARN, "ontraport: warning: as it is");
	text = captured();
	assert_string_equal(text, "ontraport test: listening on http://127.0.0.1:1/hooks/abcd...\n"
	                          "ontraport test: event 3 delivered\n"
	                          "ontraport: warning: as it is\n");
	free(text);
}

static void json_line_fields(void **state)
{
	const char *msg = "a \"quoted\" word,\na newline, a tab\t, a bell \a and a backslash \\";
	json_t *o;
	char *text;

	(void)state;
	assert_int_equal(setup_log("json"), EXIT_OK);
	assert_true(cli_log_json());
	capture();
	cli_logf_with(CLI_LOG_WARN, json_pack("{sIsi}", "event_id", (json_int_t)42, "attempts", 2),
	              "%s", msg);
	text = captured();
	o = one_line(text);
	assert_string_equal(field(o, "msg"), msg);
	assert_string_equal(field(o, "level"), "warn");
	assert_string_equal(field(o, "cmd"), "test");
	assert_int_equal(json_integer_value(json_object_get(o, "event_id")), 42);
	assert_int_equal(json_integer_value(json_object_get(o, "attempts")), 2);
	/* 2026-12-07T12:00:00.123Z */
	assert_int_equal(strlen(field(o, "ts")), 24);
	assert_int_equal(field(o, "ts")[10], 'T');
	assert_int_equal(field(o, "ts")[19], '.');
	assert_int_equal(field(o, "ts")[23], 'Z');
	assert_ptr_equal(strstr(text, "{\"ts\":"), text); /* ts first, for a reader's eye */
	json_decref(o);
	free(text);
	assert_int_equal(setup_log("text"), EXIT_OK);
}

static void json_lines_made_elsewhere(void **state)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
	    {"ontraport test: unsubscribed webhook 1", "unsubscribed webhook 1"},
	    {"ontraport: warning: a file", "warning: a file"},
	    {"ontraport other: not this command's prefix",
	     "ontraport other: not this command's prefix"},
	    {"file.yaml:3:1: a problem", "file.yaml:3:1: a problem"},
	    {"ontraport", "ontraport"},
	    {"bytes \xff\xfe not UTF-8", "bytes ?? not UTF-8"},
	};

	(void)state;
	assert_int_equal(setup_log("json"), EXIT_OK);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		capture();
		cli_log_line(CLI_LOG_ERROR, cases[i].line);
		expect_line(cases[i].msg, "error");
	}
	assert_int_equal(setup_log("text"), EXIT_OK);
}

/* Errors and notes (diag.c) are JSON lines too in json mode. */
static void errors_and_notes(void **state)
{
	cli_ctx ctx;

	(void)state;
	cli_ctx_init(&ctx);
	assert_int_equal(setup_log("json"), EXIT_OK);
	capture();
	assert_int_equal(cli_error(EXIT_ERROR, "cannot open '%s'", "q.db"), EXIT_ERROR);
	expect_line("cannot open 'q.db'", "error");
	capture();
	cli_note(&ctx, "ontraport test: %s", "stopping");
	expect_line("stopping", "info");
	assert_int_equal(setup_log("text"), EXIT_OK);
}

static void format_choice(void **state)
{
	char *text;

	(void)state;
	setenv("ONTRAPORT_LOG_FORMAT", "json", 1);
	assert_int_equal(setup_log(NULL), EXIT_OK);
	assert_true(cli_log_json());
	assert_int_equal(setup_log("text"), EXIT_OK); /* the flag wins */
	assert_false(cli_log_json());
	setenv("ONTRAPORT_LOG_FORMAT", "", 1); /* empty: unset */
	assert_int_equal(setup_log(NULL), EXIT_OK);
	assert_false(cli_log_json());
	setenv("ONTRAPORT_LOG_FORMAT", "xml", 1);
	capture();
	assert_int_equal(setup_log(NULL), EXIT_USAGE);
	text = captured();
	assert_string_equal(
	    text,
	    "ontraport: invalid value 'xml' for ONTRAPORT_LOG_FORMAT: expected text or json\n");
	free(text);
	unsetenv("ONTRAPORT_LOG_FORMAT");
	capture();
	assert_int_equal(setup_log("JSON"), EXIT_USAGE);
	text = captured();
	assert_string_equal(
	    text, "ontraport: invalid value 'JSON' for --log-format: expected text or json\n");
	free(text);
	assert_int_equal(setup_log("text"), EXIT_OK);
}

#define THREADS 4
#define LINES 300

static void *writer(void *arg)
{
	for (int i = 0; i < LINES; i++)
		cli_logf_with(CLI_LOG_INFO, json_pack("{si}", "n", i), "thread %d line %d %s",
		              (int)(intptr_t)arg, i,
		              "a long tail so that a line is more than one small write "
		              "......................."
		              "...................................................................."
		              "..........");
	return NULL;
}

/* Lines of threads writing at once never mix: every line parses. */
static void threads_never_mix(void **state)
{
	pthread_t t[THREADS];
	char *text, *line, *next;
	int n = 0;

	(void)state;
	assert_int_equal(setup_log("json"), EXIT_OK);
	capture();
	for (intptr_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)i), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	text = captured();
	for (line = text; *line; line = next) {
		json_error_t je;
		json_t *o;
		next = strchr(line, '\n');
		assert_non_null(next);
		*next++ = '\0';
		o = json_loads(line, 0, &je);
		assert_non_null(o);
		json_decref(o);
		n++;
	}
	assert_int_equal(n, THREADS * LINES);
	free(text);
	assert_int_equal(setup_log("text"), EXIT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(text_lines_unchanged),
	    cmocka_unit_test(json_line_fields),
	    cmocka_unit_test(json_lines_made_elsewhere),
	    cmocka_unit_test(errors_and_notes),
	    cmocka_unit_test(format_choice),
	    cmocka_unit_test(threads_never_mix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
