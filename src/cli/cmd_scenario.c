/*
 * `ontraport scenario`: scenario files (issue 14). check loads and compiles
 * each file and prints every problem as FILE:LINE:COL; then, unless
 * --offline, it resolves every name the file gives (object types, field
 * names and aliases, dropdown labels, tags, sequences, campaigns, forms)
 * against the account of the run's connection (the local sandbox when
 * nothing is configured), reading only: nothing is changed. eval evaluates
 * one expression against an event, offline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "runner.h"
#include "run_session.h"
#include "scenario.h"
#include "banned.h"

static const char *trigger_name(scen_trigger_kind k)
{
	static const char *const names[] = {"watch", "poll", "schedule", "manual"};
	return names[k];
}

/*
 * The names of a clean file against its account (its `connection`, else the
 * command's): EXIT_OK and *count, EXIT_INVALID with the problems printed, or
 * the exit code of the failure to ask the account (printed).
 */
static int resolve_names(cli_ctx *ctx, const char *path, const scen_scenario *s, size_t *count)
{
	ontra_client *c, *own = NULL;
	run_names *n;
	int rc;

	if (s->connection)
		rc = cli_client_new(ctx, s->connection, NULL, &own);
	else
		rc = cli_client(ctx, &c);
	if (rc != EXIT_OK)
		return rc;
	if ((rc = cli_scenario_names(ctx, own ? own : c, path, s, &n)) == EXIT_OK) {
		*count = run_names_count(n);
		run_names_free(n);
	}
	ontra_client_free(own);
	return rc;
}

/* One file: 0 when clean, EXIT_INVALID with the problems printed, or another exit code. */
static int check_file(cli_ctx *ctx, const char *path, int offline)
{
	scen_scenario *s;
	scen_problems p;
	size_t len, resolved = 0;
	int rc = EXIT_OK;
	char *text = cli_read_file(path, SCEN_YAML_MAX_BYTES, &len);

	if (!text)
		return EXIT_ERROR;
	if (scen_load(path, text, len, &s, &p) < 0) {
		cli_scenario_problems(path, &p);
		free(text);
		return EXIT_INVALID;
	}
	if (!offline)
		rc = resolve_names(ctx, path, s, &resolved);
	if (rc == EXIT_OK && !ctx->quiet)
		printf("%s: ok: %s, %s trigger, %zu step%s, %zu name%s %s\n", path, s->name,
		       trigger_name(s->trigger.kind), s->nsteps, s->nsteps == 1 ? "" : "s",
		       offline ? s->nnames : resolved,
		       (offline ? s->nnames : resolved) == 1 ? "" : "s",
		       offline ? "to resolve" : "resolved");
	scen_free(s);
	free(text);
	return rc;
}

/*
 * Every file is checked; a problem makes the exit 5, an unreadable file 1.
 * A failure to ask the account (auth, network, ...) would fail again for
 * every file: it stops the check with its own exit code.
 */
static int run_check(cli_ctx *ctx, cli_args *args)
{
	int i, rc, worst = EXIT_OK, offline = cli_flag(args, "offline") > 0;

	for (i = 0; i < cli_argc(args); i++) {
		rc = check_file(ctx, cli_arg(args, i), offline);
		if (rc != EXIT_OK && rc != EXIT_INVALID && rc != EXIT_ERROR)
			return rc;
		if (rc == EXIT_ERROR || (rc == EXIT_INVALID && worst == EXIT_OK))
			worst = rc;
	}
	return worst;
}

/* ---- eval ---- */

static json_t *json_option(cli_args *args, const char *name, const char *dflt)
{
	const char *v = cli_value(args, name);
	char *text;
	json_t *j;
	json_error_t je;

	if (!v)
		return json_loads(dflt, 0, NULL);
	if (!(text = cli_value_or_file(v, 16 * 1024 * 1024, NULL)))
		return NULL;
	j = json_loads(text, JSON_DECODE_ANY, &je);
	free(text);
	if (!j)
		cli_error(EXIT_INVALID, "--%s: not JSON: %s (line %d, column %d)", name, je.text,
		          je.line, je.column);
	else if (!json_is_object(j)) {
		cli_error(EXIT_INVALID, "--%s: expected a JSON object", name);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The context an expression sees: event, data (the event's data), steps, and the allowed env. */
static json_t *eval_context(cli_args *args)
{
	json_t *doc = json_option(args, "event", "{}"), *steps, *env, *ev, *ctx;
	const char *const *names;
	size_t n, i;

	if (!doc)
		return NULL;
	if (!(steps = json_option(args, "steps", "{}"))) {
		json_decref(doc);
		return NULL;
	}
	env = json_object();
	names = cli_list(args, "env", &n);
	for (i = 0; i < n; i++)
		if (getenv(names[i]))
			json_object_set_new(env, names[i], json_string(getenv(names[i])));
	ev = json_is_object(json_object_get(doc, "event")) ? json_object_get(doc, "event") : doc;
	ctx = json_pack("{s:O, s:O, s:o, s:o}", "event", ev, "data",
	                json_object_get(doc, "data") ? json_object_get(doc, "data") : json_null(),
	                "steps", steps, "env", env);
	json_decref(doc);
	return ctx;
}

static int run_eval(cli_ctx *ctx, cli_args *args)
{
	const char *src = cli_arg(args, 0);
	scen_expr *x;
	scen_experr e = {0, ""};
	json_t *c, *v;
	int rc;

	rc = scen_expr_is_template(src) ? scen_expr_compile_template(src, strlen(src), &x, &e)
	                                : scen_expr_compile(src, strlen(src), &x, &e);
	if (rc < 0)
		return cli_error(EXIT_INVALID, "expression:1:%zu: %s", e.offset + 1, e.msg);
	if (!(c = eval_context(args))) {
		scen_expr_free(x);
		return EXIT_INVALID;
	}
	v = scen_expr_eval(x, c, NULL, &e);
	scen_expr_free(x);
	json_decref(c);
	if (!v)
		return cli_error(EXIT_INVALID, "expression:1:%zu: %s", e.offset + 1, e.msg);
	rc = cli_print_json(ctx, v) < 0 ? EXIT_ERROR : EXIT_OK;
	json_decref(v);
	return rc;
}

static const cli_opt eval_opts[] = {
    {.name = "event",
     .short_name = 'e',
     .kind = CLI_VALUE,
     .arg = "JSON|@FILE",
     .help = "the event, as 'ontraport watch' delivers it (default {})"},
    {.name = "steps",
     .kind = CLI_VALUE,
     .arg = "JSON|@FILE",
     .help = "earlier steps' outputs, as {\"ID\": {...}}"},
    {.name = "env",
     .kind = CLI_LIST,
     .arg = "NAME",
     .help = "an environment variable the expression may read (repeatable)"},
    {.name = NULL}};

static const cli_opt check_opts[] = {
    {.name = "offline",
     .kind = CLI_FLAG,
     .help = "only load and compile: do not resolve names against the account"},
    {.name = NULL}};

static const cli_command cmd_check = {
    .name = "check",
    .summary = "check scenario files without running them",
    .synopsis = "FILE... [--offline]",
    .description =
        "Load each scenario file (YAML, or JSON), compile every expression and check every step; "
        "then resolve every name it gives against the account of the connection (as every "
        "command chooses it: --profile, the environment, the default connection, else the local "
        "sandbox): object types, field names and aliases, dropdown and list labels, tags, "
        "sequences, campaigns and forms (by exact name or id). Print every problem as "
        "FILE:LINE:COL: message, with the nearest suggestion. Exits 5 when a file has problems, "
        "0 when all are clean (the summary says how many names resolved). It only reads: "
        "nothing on the account is changed. When the account cannot be asked, exits with that "
        "failure's code (3 auth, 8 network, ...). With --offline nothing is sent: names are "
        "not resolved (the summary says how many there are to resolve).",
    .opts = check_opts,
    .examples = "ontraport scenario check vip.yaml\n  report every problem in vip.yaml, or 'ok'\n"
                "ontraport scenario check --offline *.yaml\n  check the files without an account",
    .run = run_check,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command cmd_eval = {
    .name = "eval",
    .summary = "evaluate one expression against an event",
    .synopsis = "EXPR [--event JSON|@FILE]",
    .description =
        "Evaluate a scenario expression, bare (data.total > 500) or a template with {{ }}, "
        "against an event and print the result as JSON: handy for writing filters. The "
        "expression sees event (the event's 'event' member, or the whole document), data (its "
        "'data'), steps (--steps) and env (only the names given with --env). The Ontraport "
        "helpers that need the account (label_to_id, id_to_label, tag_id) fail here for now. "
        "Exits 5 when the expression is wrong, naming the column.",
    .opts = eval_opts,
    .examples = "ontraport scenario eval \"data.email | lower | ends_with('@example.com')\" "
                "--event @e.json\n"
                "  test a filter on a saved event",
    .run = run_eval,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command *const subs[] = {&cmd_check, &cmd_eval, NULL};

const cli_command cli_cmd_scenario = {
    .name = "scenario",
    .summary = "check scenario files and try expressions (running them comes later)",
    .description =
        "Scenarios are automations in a YAML file: a trigger, a filter and steps (see the guide, "
        "docs/guide/scenarios.md). 'ontraport run', which runs them, is not available yet; these "
        "commands check the files (against the account's names, or --offline) and try "
        "expressions.",
    .subs = subs,
};
