/* scenario/scenario.c, steps.c, check.c: the checked model and every problem, with positions */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

static char all[8192];

/* Load text; NULL when it has problems, which are left in `all`, one a line. */
static scen_scenario *load(const char *text)
{
	scen_scenario *s = NULL;
	scen_problems p;
	size_t i, n = 0;

	all[0] = '\0';
	if (scen_load("s.yaml", text, strlen(text), &s, &p) == 0)
		return s;
	for (i = 0; i < p.n; i++)
		n += (size_t)snprintf(all + n, sizeof all - n, "%s\n", p.lines[i]);
	scen_problems_free(&p);
	return NULL;
}

#define HEAD "version: 1\nname: vip-onboarding\n"

static const char good[] =
    HEAD "env: [HOME]\n"
         "trigger:\n"
         "  watch: {event: tagged, tag: VIP, data_format: full}\n"
         "filter: \"{{ not (data.email | ends_with('@example.com')) }}\"\n"
         "steps:\n"
         "  - id: contact\n"
         "    do: objects.upsert\n"
         "    with: {type: contacts, fields: {email: \"{{ data.email }}\", \"Membership Level\": "
         "Gold}}\n"
         "  - id: seq\n"
         "    if: data.total > 500\n"
         "    do: objects.subscribe\n"
         "    with: {ids: [\"{{ steps.contact.id }}\"], sequences: VIP Onboarding}\n"
         "  - id: notify\n"
         "    do: exec\n"
         "    with: {command: [/usr/local/bin/notify, \"{{ env.HOME }}\"]}\n"
         "retry: {max_attempts: 8, first: 5s, max: 1h}\n"
         "on_error: skip\n";

static void loads_the_issue_example(void **state)
{
	scen_scenario *s = load(good);
	size_t i;
	int tag = 0, seq = 0, option = 0;
	(void)state;
	assert_non_null(s);
	assert_string_equal(s->name, "vip-onboarding");
	assert_int_equal(s->trigger.kind, SCEN_TRIGGER_WATCH);
	assert_string_equal(s->trigger.event, "tagged");
	assert_string_equal(s->trigger.tag, "VIP");
	assert_non_null(s->filter);
	assert_int_equal(s->nsteps, 3);
	assert_string_equal(s->steps[1].kind, "objects.subscribe");
	assert_non_null(s->steps[1].cond);
	assert_int_equal(s->steps[0].ntemplates, 1);
	assert_int_equal(s->steps[0].creates, 0);
	assert_int_equal(s->max_attempts, 8);
	assert_int_equal(s->first, 5);
	assert_int_equal(s->max_delay, 3600);
	assert_int_equal(s->on_error, SCEN_ON_ERROR_SKIP);
	for (i = 0; i < s->nnames; i++) {
		tag += !strcmp(s->names[i].kind, "tag") && !strcmp(s->names[i].name, "VIP");
		seq += !strcmp(s->names[i].kind, "sequence") &&
		       !strcmp(s->names[i].name, "VIP Onboarding");
		option += !strcmp(s->names[i].kind, "option") &&
		          !strcmp(s->names[i].name, "Gold") &&
		          !strcmp(s->names[i].field, "Membership Level");
	}
	assert_int_equal(tag + seq + option, 3);
	scen_free(s);
}

static void every_problem_with_position(void **state)
{
	(void)state;
	assert_null(load("version: 2\nname: x\ntrigger: {manual: {}}\nstepz: []\n"));
	assert_string_equal(all,
	                    "s.yaml:1:1: scenario: 'steps' is required\n"
	                    "s.yaml:1:10: version: expected 1 (the only version so far)\n"
	                    "s.yaml:4:1: scenario: unknown key 'stepz' (did you mean 'steps'?); "
	                    "expected version, name, description, connection, env, trigger, "
	                    "filter, steps, retry, on_error\n");
}

static void step_problems(void **state)
{
	(void)state;
	assert_null(load(HEAD "trigger: {manual: {}}\n"
	                      "steps:\n"
	                      "  - id: a\n"
	                      "    do: objects.upsrt\n"
	                      "  - id: a\n"
	                      "    do: objects.create\n"
	                      "    with: {type: contacts, feilds: {}}\n"
	                      "  - id: c\n"
	                      "    do: exec\n"
	                      "    with: {command: \"notify --all\"}\n"
	                      "  - id: d\n"
	                      "    if: steps.e.id == 1\n"
	                      "    do: http\n"
	                      "    with: {url: \"ftp://x\", body: \"{{ steps.c.out | lowr }}\"}\n"
	                      "  - {id: e, do: api, with: {method: GET, path: Contacts}}\n"));
	assert_string_equal(
	    all,
	    "s.yaml:6:9: do: unknown step kind 'objects.upsrt' (did you mean 'objects.upsert'?); "
	    "expected objects.*, messages.*, rules.*, api, exec or http\n"
	    "s.yaml:7:9: duplicate step id 'a' (first at line 5)\n"
	    "s.yaml:9:11: objects.create: 'fields' is required\n"
	    "s.yaml:9:28: objects.create: unknown key 'feilds' (did you mean 'fields'?); expected "
	    "type, fields\n"
	    "s.yaml:12:21: exec: command is a list of arguments, e.g. [\"/usr/local/bin/notify\", "
	    "\"--quiet\"], never a shell string; the event goes to its stdin\n"
	    "s.yaml:14:15: steps.e: not an earlier step (a step sees only the steps before it) "
	    "(did "
	    "you mean 'a'?)\n"
	    "s.yaml:16:17: http: url must start with http:// or https://\n"
	    "s.yaml:16:52: unknown filter 'lowr' (did you mean 'lower'?)\n"
	    "s.yaml:17:48: api: path must start with '/', e.g. /Contacts\n");
}

static void trigger_problems(void **state)
{
	(void)state;
	assert_null(load(HEAD "trigger: {watch: {event: taged}}\nsteps: [{id: a, do: exec, with: "
	                      "{command: [x]}}]\n"));
	assert_non_null(strstr(all, "s.yaml:3:26: watch: event: 'taged' is not one of created, "
	                            "tagged, untagged, form-submitted, purchased, "
	                            "transaction-created (did you mean 'tagged'?)"));
	assert_null(load(HEAD "trigger: {watch: {event: tagged}}\nsteps: [{id: a, do: exec, with: "
	                      "{command: [x]}}]\n"));
	assert_non_null(strstr(all, "s.yaml:3:18: watch: event tagged needs a 'tag'"));
	assert_null(load(HEAD "trigger: {watch: {event: purchased, form: X}}\nsteps: [{id: a, do: "
	                      "exec, with: {command: [x]}}]\n"));
	assert_non_null(strstr(all, "s.yaml:3:18: watch: event purchased needs a 'product'"));
	assert_non_null(strstr(all, "watch: 'form' does not go with the purchased event"));
	assert_null(load(HEAD "trigger: {schedule: \"*/15 * * 13 *\"}\nsteps: [{id: a, do: exec, "
	                      "with: {command: [x]}}]\n"));
	assert_string_equal(all, "s.yaml:3:31: schedule: bad month: expected *, 1-12 or a name, a "
	                         "range a-b, a step /n or a list\n");
	assert_null(load(HEAD "trigger: {poll: {every: 5}, manual: {}}\nsteps: [{id: a, do: exec, "
	                      "with: {command: [x]}}]\n"));
	assert_non_null(strstr(all, "s.yaml:3:10: trigger: expected exactly one of watch, poll, "
	                            "schedule or manual"));
	assert_non_null(strstr(all, "s.yaml:3:25: every: expected a non-empty text"));
	assert_null(load(HEAD
	                 "trigger: {poll: {every: 1m, changed: [email, 5]}}\nsteps: [{id: a, do: "
	                 "exec, with: {command: [x]}}]\n"));
	assert_string_equal(all, "s.yaml:3:46: changed: expected field names (text)\n");
	assert_null(load(HEAD "trigger: {manual: true}\nsteps: [{id: a, do: exec, with: {command: "
	                      "[x]}}]\n"));
	assert_string_equal(all, "s.yaml:3:19: manual: expected {}\n");
	assert_null(load(HEAD "trigger: {watch: tagged}\nsteps: [{id: a, do: exec, with: {command: "
	                      "[x]}}]\n"));
	assert_string_equal(all,
	                    "s.yaml:3:18: watch: expected a mapping, e.g. {event: tagged, tag: "
	                    "VIP}\n");
}

static void expressions_and_env(void **state)
{
	(void)state;
	assert_null(load(HEAD "trigger: {manual: {}}\nfilter: data.x == env.SECRET\nsteps: [{id: "
	                      "a, do: exec, with: {command: [x]}}]\nretry: {first: 1h, max: 5s}\n"
	                      "on_error: dead-letter\n"));
	assert_non_null(strstr(all, "s.yaml:4:23: env.SECRET: not allowed: list it in the "
	                            "scenario's 'env: [...]' to use it"));
	assert_non_null(strstr(all, "s.yaml:6:16: retry: 'first' is longer than 'max'"));
	assert_non_null(strstr(all,
	                       "s.yaml:7:11: on_error: 'dead-letter' is not one of dead, skip, "
	                       "stop"));
	assert_null(load(HEAD "trigger: {manual: {}}\nfilter: \"  {{ data.x = 1 }}\"\nsteps: [{id: "
	                      "a, do: exec, with: {command: [x]}}]\n"));
	assert_string_equal(all, "s.yaml:4:22: unexpected '=': compare with '=='\n");
}

static void yaml_errors_are_problems(void **state)
{
	(void)state;
	/* a value quoted in a message cannot break it into lines (found by fuzz_scenario_yaml) */
	assert_null(
	    load("version: 1\nname: \"x\\n\\e[31m\"\ntrigger: {manual: {}}\nsteps: [{id: a, do: "
	         "exec, with: {command: [x]}}]\n"));
	assert_string_equal(all,
	                    "s.yaml:2:7: name 'x  [31m': expected letters, digits, '_', '.' or "
	                    "'-' (at most 100): it names the scenario's runs\n");
	assert_null(load("\"a\\tb\": 1\n\"a\\tb\": 2\n"));
	assert_string_equal(all, "s.yaml:2:1: duplicate key 'a b' (first at line 1, column 1)\n");
	assert_null(load("a: 1\na: 2\n"));
	assert_string_equal(all, "s.yaml:2:1: duplicate key 'a' (first at line 1, column 1)\n");
	assert_null(load("- 1\n"));
	assert_string_equal(all, "s.yaml:1:1: expected a mapping with version, name, trigger and "
	                         "steps\n");
}

static void json_scenario(void **state)
{
	scen_scenario *s =
	    load("{\"version\": 1, \"name\": \"j\", \"trigger\": {\"schedule\": "
	         "\"0 3 * * *\"}, \"steps\": [{\"id\": \"a\", \"do\": \"rules.pause\", "
	         "\"with\": {\"ids\": [1]}}]}");
	(void)state;
	assert_non_null(s);
	assert_int_equal(s->trigger.kind, SCEN_TRIGGER_SCHEDULE);
	assert_int_equal(scen_cron_next(&s->trigger.cron, 0), 3 * 3600);
	scen_free(s);
}

static void render_for_the_runner(void **state)
{
	scen_scenario *s = load(good);
	json_t *ctx =
	    json_loads("{\"data\": {\"email\": \"a@b.c\", \"total\": \"600\"},"
	               " \"steps\": {\"contact\": {\"id\": 42}}, \"env\": {\"HOME\": \"/h\"}}",
	               0, NULL);
	scen_experr e;
	json_t *w;
	char *text;
	(void)state;
	assert_non_null(s);
	assert_int_equal(scen_condition(s, s->filter, s->filter_pos, ctx, NULL, &e), 1);
	assert_int_equal(scen_condition(s, s->steps[1].cond, s->steps[1].cond_pos, ctx, NULL, &e),
	                 1);
	w = scen_step_render(s, &s->steps[1], ctx, NULL, &e);
	text = json_dumps(w, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"ids\":[42],\"sequences\":\"VIP Onboarding\"}");
	free(text);
	json_decref(w);
	w = scen_step_render(s, &s->steps[2], ctx, NULL, &e);
	assert_string_equal(json_string_value(json_array_get(json_object_get(w, "command"), 1)),
	                    "/h");
	json_decref(w);
	json_decref(ctx);
	scen_free(s);
}

static void render_errors_name_the_place(void **state)
{
	scen_scenario *s =
	    load(HEAD "trigger: {manual: {}}\nfilter: data.n > 1\nsteps:\n  - id: a\n"
	              "    do: exec\n    with: {command: [x, \"{{ data.l | upper }}\"]}\n");
	json_t *ctx = json_loads("{\"data\": {\"l\": [1], \"n\": [2]}}", 0, NULL);
	scen_experr e;
	(void)state;
	assert_non_null(s);
	assert_null(scen_step_render(s, &s->steps[0], ctx, NULL, &e));
	assert_string_equal(e.msg, "s.yaml:8:38: upper: expected text, got a list");
	assert_int_equal(scen_condition(s, s->filter, s->filter_pos, ctx, NULL, &e), -1);
	assert_string_equal(e.msg, "s.yaml:4:16: cannot order a list and a number");
	json_decref(ctx);
	scen_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(loads_the_issue_example),
	    cmocka_unit_test(every_problem_with_position),
	    cmocka_unit_test(step_problems),
	    cmocka_unit_test(trigger_problems),
	    cmocka_unit_test(expressions_and_env),
	    cmocka_unit_test(yaml_errors_are_problems),
	    cmocka_unit_test(json_scenario),
	    cmocka_unit_test(render_for_the_runner),
	    cmocka_unit_test(render_errors_name_the_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
