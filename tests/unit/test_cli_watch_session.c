/*
 * cli/watch_session.c: a session of several routes, each on its own URL, delivering to a
 * function; the tokens kept in --token-file per key; the stops (a request from another
 * thread, a signal). No route subscribes here, so nothing is reached but the receiver.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "test_rcv_helpers.h"
#include "watch_session.h"

static const cli_opt opts[] = {
    CLI_WATCH_SERVER_OPTS("events.db"), CLI_WATCH_LIMIT_OPTS, {.name = NULL}};
static const cli_command cmd_test = {.name = "test", .summary = "a session", .opts = opts};

typedef struct fixture {
	char *dir, *db, *tokens;
	cli_ctx ctx;
	cli_args *args;
	pthread_mutex_t mu;
	char keys[16][16]; /* the webhook_key of each event handed to the call, in order */
	int n;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);

	f->dir = th_tmpdir();
	f->db = th_path(f->dir, "q.db");
	f->tokens = th_path(f->dir, "tokens");
	pthread_mutex_init(&f->mu, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	free(f->db);
	free(f->tokens);
	th_rmdir(f->dir);
	pthread_mutex_destroy(&f->mu);
	free(f);
	return 0;
}

static int on_call(void *ud, const rcv_item *item, const json_t *doc, char *err, size_t errsz)
{
	fixture *f = ud;

	(void)item;
	(void)err;
	(void)errsz;
	pthread_mutex_lock(&f->mu);
	if (f->n < 16)
		snprintf(f->keys[f->n++], sizeof f->keys[0], "%s",
		         json_string_value(json_object_get(doc, "webhook_key")));
	pthread_mutex_unlock(&f->mu);
	return RCV_CALL_DONE;
}

static int calls(fixture *f)
{
	int n;

	pthread_mutex_lock(&f->mu);
	n = f->n;
	pthread_mutex_unlock(&f->mu);
	return n;
}

/* A new session on the fixture's queue and token file (with_tokens), started on routes. */
static int start(fixture *f, cli_watch **w, int with_tokens, const cli_watch_route *routes,
                 size_t n)
{
	char *argv[] = {"--db", f->db, "--token-file", f->tokens, "--quiet", NULL}, err[256];
	rcv_deliver_config d = RCV_DELIVER_CONFIG_INIT;
	int rc;

	cli_ctx_init(&f->ctx);
	f->ctx.cmd = &cmd_test;
	f->ctx.cmd_path = "test";
	assert_int_equal(
	    cli_args_parse(&f->args, &cmd_test, with_tokens ? 5 : 2, argv, err, sizeof err), 0);
	assert_int_equal(cli_ctx_globals(&f->ctx, f->args), EXIT_OK);
	assert_int_equal(cli_watch_new(w, &f->ctx, f->args, "events.db"), EXIT_OK);
	d.kind = RCV_HANDLER_CALL;
	d.call = on_call;
	d.userdata = f;
	d.poll_ms = 50;
	rc = cli_watch_start(*w, routes, n, &d);
	return rc;
}

static void finish(fixture *f, cli_watch *w, int rc)
{
	assert_int_equal(cli_watch_close(w, rc), rc);
	cli_args_free(f->args);
	cli_ctx_release(&f->ctx);
}

/* The token in a URL ".../hooks/TOKEN". */
static const char *token_of(const char *url)
{
	const char *p = strstr(url, "/hooks/");

	assert_non_null(p);
	return p + 7;
}

static void *stop_later(void *arg)
{
	usleep(100 * 1000);
	cli_watch_request_stop(arg);
	return NULL;
}

static void test_routes_and_request_stop(void **state)
{
	fixture *f = *state;
	cli_watch_route r[] = {{"a", NULL, RCV_MODE_GENERIC, NULL},
	                       {"b", NULL, RCV_MODE_GENERIC, NULL}};
	cli_watch *w = NULL;
	pthread_t t;
	char *text, line[512];

	assert_int_equal(start(f, &w, 1, r, 2), EXIT_OK);
	/* Each route on its own URL, its events under its own key. */
	assert_int_equal(th_post(cli_watch_route_url(w, 1), "{\"x\":1}", "application/json", NULL),
	                 200);
	assert_int_equal(th_post(cli_watch_route_url(w, 0), "{\"x\":2}", "application/json", NULL),
	                 200);
	assert_null(cli_watch_route_url(w, 2));
	assert_true(TH_WAIT_UNTIL(calls(f) == 2, 5000));
	assert_string_equal(f->keys[0], "b");
	assert_string_equal(f->keys[1], "a");
	/* The token file names each route's token. */
	text = th_read_file(f->tokens, NULL);
	snprintf(line, sizeof line, "%s a\n%s b\n", token_of(cli_watch_route_url(w, 0)),
	         token_of(cli_watch_route_url(w, 1)));
	assert_string_equal(text, line);
	free(text);
	/* A stop asked from another thread ends the wait (0: not a signal). */
	assert_int_equal(pthread_create(&t, NULL, stop_later, w), 0);
	assert_int_equal(cli_watch_wait(w), 0);
	pthread_join(t, NULL);
	finish(f, w, EXIT_OK);
}

static void test_tokens_kept_per_key(void **state)
{
	fixture *f = *state;
	cli_watch_route r[] = {{"a", NULL, RCV_MODE_GENERIC, NULL},
	                       {"b", NULL, RCV_MODE_GENERIC, NULL}};
	cli_watch_route swapped[] = {{"b", NULL, RCV_MODE_GENERIC, NULL},
	                             {"a", NULL, RCV_MODE_GENERIC, NULL}};
	cli_watch *w = NULL;
	char ta[200], tb[200];

	assert_int_equal(start(f, &w, 1, r, 2), EXIT_OK);
	snprintf(ta, sizeof ta, "%s", token_of(cli_watch_route_url(w, 0)));
	snprintf(tb, sizeof tb, "%s", token_of(cli_watch_route_url(w, 1)));
	assert_string_not_equal(ta, tb);
	finish(f, w, EXIT_OK);
	/* A restart keeps each key's token, whatever the routes' order. */
	assert_int_equal(start(f, &w, 1, swapped, 2), EXIT_OK);
	assert_string_equal(token_of(cli_watch_route_url(w, 0)), tb);
	assert_string_equal(token_of(cli_watch_route_url(w, 1)), ta);
	finish(f, w, EXIT_OK);
}

static void test_bare_token_is_the_first_routes(void **state)
{
	fixture *f = *state;
	cli_watch_route one[] = {{"watch", NULL, RCV_MODE_GENERIC, NULL}};
	cli_watch_route two[] = {{"x", NULL, RCV_MODE_GENERIC, NULL},
	                         {"y", NULL, RCV_MODE_GENERIC, NULL}};
	cli_watch *w = NULL;
	char first[200], want[512], *text;

	/* One route: its token alone on a line (the form `ontraport watch` always wrote). */
	assert_int_equal(start(f, &w, 1, one, 1), EXIT_OK);
	snprintf(first, sizeof first, "%s", token_of(cli_watch_route_url(w, 0)));
	finish(f, w, EXIT_OK);
	text = th_read_file(f->tokens, NULL);
	snprintf(want, sizeof want, "%s\n", first);
	assert_string_equal(text, want);
	free(text);
	/* Two routes: the bare token goes to the first, the second's is added by key. */
	assert_int_equal(start(f, &w, 1, two, 2), EXIT_OK);
	assert_string_equal(token_of(cli_watch_route_url(w, 0)), first);
	assert_string_not_equal(token_of(cli_watch_route_url(w, 1)), first);
	snprintf(want, sizeof want, "%s\n%s y\n", first, token_of(cli_watch_route_url(w, 1)));
	finish(f, w, EXIT_OK);
	text = th_read_file(f->tokens, NULL);
	assert_string_equal(text, want);
	free(text);
}

static void test_bad_token_file_and_routes(void **state)
{
	fixture *f = *state;
	cli_watch_route r[] = {{"a", NULL, RCV_MODE_GENERIC, NULL},
	                       {"a", NULL, RCV_MODE_GENERIC, NULL}};
	cli_watch *w = NULL;
	FILE *out = fopen(f->tokens, "w");

	fputs("0123456789abcdef0123456789abcdef a\nnot-a-token b\n", out);
	fclose(out);
	assert_int_equal(start(f, &w, 1, r, 1), EXIT_INVALID);
	finish(f, w, EXIT_INVALID);
	assert_int_equal(start(f, &w, 0, r, 2), EXIT_INVALID); /* a key twice */
	finish(f, w, EXIT_INVALID);
	assert_int_equal(start(f, &w, 0, r, 0), EXIT_ERROR); /* no route */
	finish(f, w, EXIT_ERROR);
}

static void test_signal_ends_the_wait(void **state)
{
	fixture *f = *state;
	cli_watch_route r[] = {{"a", NULL, RCV_MODE_GENERIC, NULL}};
	cli_watch *w = NULL;

	assert_int_equal(start(f, &w, 0, r, 1), EXIT_OK);
	kill(getpid(), SIGTERM); /* blocked: taken by the wait */
	assert_int_equal(cli_watch_wait(w), SIGTERM);
	finish(f, w, EXIT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_routes_and_request_stop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tokens_kept_per_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bare_token_is_the_first_routes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_token_file_and_routes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_signal_ends_the_wait, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
