/*
 * The poll trigger (src/runner/poll.c) against a real sandbox and a real
 * journal file: a first poll reports nothing; changes to watched fields
 * come out once, with old and new values, keyed as the scenario wrote
 * them, and changes to other fields not at all; a restart (a new poll on
 * the reopened journal) reports nothing twice and catches what changed
 * while it was stopped; objects sharing one dlm across page boundaries
 * come out exactly once; a poll keeps to its share of the rate limit and
 * goes on from its cursor next time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "runner.h"

#define LIMIT 60 /* the sandbox's requests a minute: a share of 0.2 is 12 */

static sandbox_proc sp;

typedef struct fixture {
	char dir[64], path[96];
	scen_scenario *s;
	run_journal *j;
	ontra_client *c;
} fixture;

static int setup(void **state)
{
	static char rate[32];
	const char *extra[] = {"--rate-limit", rate, NULL};

	(void)state;
	snprintf(rate, sizeof rate, "%d/60s", LIMIT);
	return sandbox_start(&sp, extra);
}

static int teardown(void **state)
{
	(void)state;
	sandbox_stop(&sp);
	return 0;
}

static void open_journal(fixture *f)
{
	char err[256] = "";
	assert_int_equal(run_journal_open(&f->j, f->path, err, sizeof err), 0);
}

/* A fresh sandbox, journal and client, and the scenario `yaml`. */
static void fixture_start(fixture *f, const char *yaml)
{
	scen_problems probs = {0};

	memset(f, 0, sizeof *f);
	json_decref(sandbox_control(&sp, "POST", "reset"));
	snprintf(f->dir, sizeof f->dir, "/tmp/itest_poll.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/runs.db", f->dir);
	if (scen_load("poll.yaml", yaml, strlen(yaml), &f->s, &probs) < 0) {
		for (size_t i = 0; i < probs.n; i++)
			fprintf(stderr, "%s\n", probs.lines[i]);
		fail();
	}
	open_journal(f);
	f->c = sandbox_client(&sp);
}

static void fixture_end(fixture *f)
{
	char p[128];

	run_journal_close(f->j);
	scen_free(f->s);
	ontra_client_free(f->c);
	unlink(f->path);
	snprintf(p, sizeof p, "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
}

/* POST /_sandbox/seed/objects: contacts with these fields (dlm among them). */
static void seed(json_t *records)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *h = NULL;
	ontra_client *c = NULL;
	ontra_response *r = NULL;
	json_t *body = json_pack("{s:i, s:o}", "objectID", 0, "records", records);

	o.base_url = sp.root;
	o.app_id = "control";
	o.api_key = "control";
	assert_int_equal(ontra_client_new(&c, &o), 0);
	assert_int_equal(ontra_params_new(&h), 0);
	assert_int_equal(ontra_params_add(h, "X-Sandbox-Token", sp.token), 0);
	req.method = "POST";
	req.path = "/_sandbox/seed/objects";
	req.headers = h;
	req.json = body;
	assert_int_equal(ontra_send(&r, c, &req), 0);
	assert_int_equal(ontra_response_status(r), 200);
	ontra_response_free(r);
	ontra_params_free(h);
	ontra_client_free(c);
	json_decref(body);
}

/* `n` contacts Tie<first>.. with dlm `dlm`. */
static void seed_at(int first, int n, long long dlm)
{
	json_t *recs = json_array();
	char name[32], mail[64], when[32];

	snprintf(when, sizeof when, "%lld", dlm);
	for (int i = first; i < first + n; i++) {
		snprintf(name, sizeof name, "Tie%d", i);
		snprintf(mail, sizeof mail, "tie%d@example.com", i);
		json_array_append_new(recs, json_pack("{s:s, s:s, s:s, s:s}", "firstname", name,
		                                      "lastname", "T", "email", mail, "dlm", when));
	}
	seed(recs);
}

static void update_with(ontra_client *c, long long id, const char *field, const char *value)
{
	json_t *fields = json_pack("{s:s}", field, value), *out = NULL;
	assert_int_equal(ontra_object_update(&out, c, 0, id, fields), 0);
	json_decref(out);
	json_decref(fields);
}

static void update(fixture *f, long long id, const char *field, const char *value)
{
	update_with(f->c, id, field, value);
}

static size_t poll_once(run_poll *p, fixture *f)
{
	char err[256] = "";
	size_t added = 99999;

	if (run_poll_once(p, f->c, &added, err, sizeof err) < 0) {
		fprintf(stderr, "poll: %s\n", err);
		fail();
	}
	return added;
}

static run_poll *poll_new(fixture *f, double share)
{
	run_poll *p = NULL;
	char err[256] = "";
	assert_int_equal(run_poll_new(&p, f->j, f->s, share, err, sizeof err), 0);
	return p;
}

/* The runs journaled, oldest first: {"source", "order_key", "event"} each. */
static int collect_run(const run_record *r, void *ud)
{
	json_t *ev = json_loads(r->event, 0, NULL);
	assert_non_null(ev);
	json_array_append_new((json_t *)ud, json_pack("{s:s, s:s?, s:o}", "source", r->source,
	                                              "order_key", r->order_key, "event", ev));
	return 0;
}

static json_t *runs(fixture *f)
{
	json_t *all = json_array();
	assert_int_equal(run_journal_list(f->j, f->s->name, RUN_STATUS_ALL, 0, 0, collect_run, all),
	                 0);
	return all;
}

/* The event of the run for object `id` (borrowed from `all`); fails when not exactly one. */
static json_t *event_for(json_t *all, long long id)
{
	json_t *found = NULL, *r;
	size_t i;

	json_array_foreach(all, i, r)
	{
		json_t *ev = json_object_get(r, "event");
		if (json_integer_value(json_object_get(ev, "id")) != id)
			continue;
		assert_null(found);
		found = ev;
	}
	assert_non_null(found);
	return found;
}

static void assert_changes(json_t *ev, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);
	char *got = json_dumps(json_object_get(ev, "changes"), JSON_COMPACT | JSON_SORT_KEYS);

	assert_non_null(w);
	if (!json_equal(w, json_object_get(ev, "changes")))
		fail_msg("changes %s, expected %s", got, want);
	free(got);
	json_decref(w);
}

static const char *const watched_yaml =
    "version: 1\n"
    "name: poll-test\n"
    "trigger: {poll: {type: contacts, changed: [email, \"First Name\"], every: 30s}}\n"
    "steps:\n"
    "  - {id: note, do: exec, with: {command: [\"true\"]}}\n";

/* Sleep until a new second starts: what follows then happens within one second of dlm. */
static void second_start(void)
{
	time_t t0 = time(NULL);
	struct timespec ms = {0, 1000000};

	while (time(NULL) == t0)
		nanosleep(&ms, NULL);
}

/*
 * Three contacts, then the baseline poll: nothing reported. The changes a
 * test makes next land, most likely, on the second of the seed's dlm, which
 * is the cursor: a poll that read only above its cursor would miss them.
 */
static void start_three(fixture *f, run_poll *p)
{
	second_start();
	seed_at(1, 3, (long long)time(NULL));
	assert_int_equal(poll_once(p, f), 0);
}

static void watched_changes_once(void **state)
{
	fixture f;
	run_poll *p;
	json_t *all, *ev;

	(void)state;
	fixture_start(&f, watched_yaml);
	p = poll_new(&f, 0);
	start_three(&f, p);
	update(&f, 1, "email", "new1@example.com");
	update(&f, 2, "firstname", "Renamed");
	update(&f, 3, "lastname", "Unwatched");
	assert_int_equal(poll_once(p, &f), 2);
	all = runs(&f);
	assert_int_equal(json_array_size(all), 2);
	ev = event_for(all, 1);
	assert_string_equal(json_string_value(json_object_get(ev, "type")), "updated");
	assert_int_equal(json_integer_value(json_object_get(ev, "object_type")), 0);
	assert_changes(
	    ev, "{\"email\": {\"old\": \"tie1@example.com\", \"new\": \"new1@example.com\"}}");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(ev, "data"), "email")),
	    "new1@example.com");
	assert_changes(event_for(all, 2),
	               "{\"First Name\": {\"old\": \"Tie2\", \"new\": \"Renamed\"}}");
	assert_true(!strncmp(json_string_value(json_object_get(json_array_get(all, 0), "source")),
	                     "poll:contacts:", 14));
	assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "order_key")),
	                    json_integer_value(json_object_get(
	                        json_object_get(json_array_get(all, 0), "event"), "id")) == 1
	                        ? "contacts:1"
	                        : "contacts:2");
	json_decref(all);
	/* Nothing new: nothing reported, however often it polls. */
	assert_int_equal(poll_once(p, &f), 0);
	assert_int_equal(poll_once(p, &f), 0);
	/* An unwatched change on a watched object: still nothing. */
	update(&f, 1, "lastname", "Other");
	assert_int_equal(poll_once(p, &f), 0);
	run_poll_free(p);
	fixture_end(&f);
}

static void restart_misses_nothing(void **state)
{
	fixture f;
	run_poll *p;
	json_t *all;

	(void)state;
	fixture_start(&f, watched_yaml);
	p = poll_new(&f, 0);
	start_three(&f, p);
	update(&f, 1, "email", "new1@example.com");
	assert_int_equal(poll_once(p, &f), 1);
	run_poll_free(p);
	run_journal_close(f.j);
	/* Stopped: changes happen meanwhile. */
	update(&f, 1, "email", "new2@example.com");
	update(&f, 2, "lastname", "Unwatched");
	update(&f, 3, "firstname", "Third");
	open_journal(&f);
	p = poll_new(&f, 0);
	assert_int_equal(poll_once(p, &f), 2);
	assert_int_equal(poll_once(p, &f), 0);
	all = runs(&f);
	assert_int_equal(json_array_size(all), 3);
	assert_changes(
	    json_object_get(json_array_get(all, 0), "event"),
	    "{\"email\": {\"old\": \"tie1@example.com\", \"new\": \"new1@example.com\"}}");
	/* The change made while stopped, from the value last reported. */
	assert_changes(
	    json_object_get(json_array_get(all, 1), "event"),
	    "{\"email\": {\"old\": \"new1@example.com\", \"new\": \"new2@example.com\"}}");
	assert_changes(event_for(all, 3),
	               "{\"First Name\": {\"old\": \"Tie3\", \"new\": \"Third\"}}");
	json_decref(all);
	run_poll_free(p);
	fixture_end(&f);
}

/* A field added to `changed` later: compared from when it is first recorded, never from null. */
static void newly_watched_field(void **state)
{
	fixture f;
	run_poll *p;
	scen_scenario *wider = NULL;
	scen_problems probs = {0};
	const char *yaml =
	    "version: 1\n"
	    "name: poll-test\n"
	    "trigger: {poll: {changed: [email, \"First Name\", lastname], every: 30s}}\n"
	    "steps:\n"
	    "  - {id: note, do: exec, with: {command: [\"true\"]}}\n";
	char err[256] = "";
	json_t *all;

	(void)state;
	fixture_start(&f, watched_yaml);
	p = poll_new(&f, 0);
	start_three(&f, p);
	update(&f, 1, "email", "new1@example.com");
	assert_int_equal(poll_once(p, &f), 1);
	run_poll_free(p);
	/* The same scenario, now also watching lastname. */
	assert_int_equal(scen_load("poll.yaml", yaml, strlen(yaml), &wider, &probs), 0);
	assert_int_equal(run_poll_new(&p, f.j, wider, 0, err, sizeof err), 0);
	update(&f, 1, "email", "new2@example.com");
	assert_int_equal(poll_once(p, &f), 1);
	all = runs(&f);
	assert_int_equal(json_array_size(all), 2);
	/* Not "lastname": {"old": null, "new": "T"}: the old snapshot never held it. */
	assert_changes(
	    json_object_get(json_array_get(all, 1), "event"),
	    "{\"email\": {\"old\": \"new1@example.com\", \"new\": \"new2@example.com\"}}");
	json_decref(all);
	/* Recorded now: its next change comes out with the old value. */
	update(&f, 1, "lastname", "Later");
	assert_int_equal(poll_once(p, &f), 1);
	all = runs(&f);
	assert_changes(json_object_get(json_array_get(all, 2), "event"),
	               "{\"lastname\": {\"old\": \"T\", \"new\": \"Later\"}}");
	json_decref(all);
	run_poll_free(p);
	scen_free(wider);
	fixture_end(&f);
}

/* Every object 1..n reported exactly once, with firstname from null to Tie<id>. */
static void assert_each_once(fixture *f, int n)
{
	json_t *all = runs(f);
	char want[128];

	assert_int_equal(json_array_size(all), n);
	for (int id = 1; id <= n; id++) {
		snprintf(want, sizeof want, "{\"First Name\": {\"old\": null, \"new\": \"Tie%d\"}}",
		         id);
		assert_changes(event_for(all, id), want);
	}
	json_decref(all);
}

static const char *const first_name_yaml =
    "version: 1\n"
    "name: poll-ties\n"
    "trigger: {poll: {changed: [\"First Name\"], every: 10s}}\n"
    "steps:\n"
    "  - {id: note, do: exec, with: {command: [\"true\"]}}\n";

static void ties_across_pages_once(void **state)
{
	fixture f;
	run_poll *p;
	long long t = (long long)time(NULL);

	(void)state;
	fixture_start(&f, first_name_yaml);
	p = poll_new(&f, 1.0);
	assert_int_equal(poll_once(p, &f), 0); /* an empty account */
	/* 30 objects, then 120 sharing one dlm: the first page ends inside the 120. */
	seed_at(1, 30, t + 10);
	seed_at(31, 120, t + 20);
	assert_int_equal(poll_once(p, &f), 150);
	assert_int_equal(poll_once(p, &f), 0);
	assert_each_once(&f, 150);
	run_poll_free(p);
	fixture_end(&f);
}

/* A share of 3 requests a minute: a tie block of 120 is read over several polls. */
static void tie_block_resumes(void **state)
{
	fixture f;
	run_poll *p;
	(void)state;
	fixture_start(&f, first_name_yaml);
	p = poll_new(&f, 0.05);
	assert_int_equal(poll_once(p, &f), 0);
	run_poll_free(p);
	seed_at(1, 120, (long long)time(NULL) + 10);
	/*
	 * Each poller new (as after a restart), its 3 requests unspent (the
	 * metadata is cached in the client): the first page (all of the block:
	 * none handled yet), then the block by id, 50 and 50, and the share is
	 * spent in the middle of the block.
	 */
	p = poll_new(&f, 0.05);
	assert_int_equal(poll_once(p, &f), 100);
	run_poll_free(p);
	/* The next one goes on after the 100th id: the 20 left, then nothing above. */
	p = poll_new(&f, 0.05);
	assert_int_equal(poll_once(p, &f), 20);
	run_poll_free(p);
	p = poll_new(&f, 0.05);
	assert_int_equal(poll_once(p, &f), 0);
	run_poll_free(p);
	assert_each_once(&f, 120);
	fixture_end(&f);
}

static unsigned long requests(fixture *f)
{
	ontra_client_stats st;
	ontra_client_stats_get(f->c, &st);
	return st.requests;
}

static void keeps_to_its_share(void **state)
{
	fixture f;
	run_poll *p, *q;
	long long t = (long long)time(NULL);
	size_t first, second;
	unsigned long before;
	int64_t next;

	(void)state;
	fixture_start(&f, first_name_yaml);
	p = poll_new(&f, 0); /* 20% */
	assert_string_equal(run_poll_describe(p), "polls contacts every 10s, using at most 36 of "
	                                          "the account's 180 requests a minute (20%)");
	assert_int_equal(poll_once(p, &f), 0);
	/* The sandbox said its limit: 12 of 60 from now on. */
	assert_string_equal(run_poll_describe(p), "polls contacts every 10s, using at most 12 of "
	                                          "the account's 60 requests a minute (20%)");
	/* 1000 objects, 25 a second: 20 pages and more, the share allows 12 requests. */
	for (int i = 0; i < 1000; i += 250) {
		json_t *recs = json_array();
		for (int k = i; k < i + 250; k++) {
			char name[32], when[32];
			snprintf(name, sizeof name, "Tie%d", k + 1);
			snprintf(when, sizeof when, "%lld", t + 10 + k / 25);
			json_array_append_new(
			    recs, json_pack("{s:s, s:s}", "firstname", name, "dlm", when));
		}
		seed(recs);
	}
	before = requests(&f);
	first = poll_once(p, &f);
	assert_true(requests(&f) - before <= 12);
	assert_true(first > 0 && first < 1000);
	next = run_poll_next_ms(p);
	assert_true(next > (int64_t)time(NULL) * 1000 + 40000); /* the minute must pass first */
	/* No room left: the next poll asks for nothing. */
	before = requests(&f);
	assert_int_equal(poll_once(p, &f), 0);
	assert_int_equal(requests(&f) - before, 0);
	run_poll_free(p);
	/* Another poller (all of the limit) goes on from the cursor: each object once in all. */
	q = poll_new(&f, 1.0);
	second = poll_once(q, &f);
	assert_int_equal(first + second, 1000);
	assert_each_once(&f, 1000);
	run_poll_free(q);
	fixture_end(&f);
}

static void unknown_field_refused(void **state)
{
	fixture f;
	run_poll *p;
	char err[256] = "";

	(void)state;
	fixture_start(&f, "version: 1\n"
	                  "name: poll-bad\n"
	                  "trigger: {poll: {changed: [emial], every: 10s}}\n"
	                  "steps:\n"
	                  "  - {id: note, do: exec, with: {command: [\"true\"]}}\n");
	p = poll_new(&f, 0);
	assert_int_equal(run_poll_once(p, f.c, NULL, err, sizeof err), -1);
	assert_string_equal(err,
	                    "poll: unknown field 'emial' for contacts (did you mean 'email'?)");
	run_poll_free(p);
	assert_int_equal(run_poll_new(&p, f.j, f.s, 1.5, err, sizeof err), -1);
	assert_null(p);
	fixture_end(&f);
}

/* ---- the poller alone, with a store of its own (what `watch --poll` does) ---- */

/* A store in memory: the state, the changes handed over, and a switch that fails them. */
typedef struct memstore {
	json_t *state;   /* {key: text} */
	json_t *changes; /* [{"id", "new": 0|1, "changes"}] */
	int fail_changes;
} memstore;

static int mem_get(void *ud, const char *key, char **value, char *err, size_t errsz)
{
	const char *v = json_string_value(json_object_get(((memstore *)ud)->state, key));

	(void)err;
	(void)errsz;
	*value = v ? strdup(v) : NULL;
	return v ? 0 : 1;
}

static int mem_set(void *ud, const char *key, const char *value, const run_poller_change *ch,
                   char *err, size_t errsz)
{
	memstore *m = ud;

	if (ch && m->fail_changes) {
		snprintf(err, errsz, "store: refused");
		return -1;
	}
	json_object_set_new(m->state, key, json_string(value));
	if (!ch)
		return 0;
	json_array_append_new(m->changes,
	                      json_pack("{s:I, s:b, s:O}", "id", (json_int_t)ch->id, "new",
	                                ch->old == NULL, "changes", ch->changes));
	return 1;
}

static run_poller *poller_new(memstore *m)
{
	static const char *const fields[] = {"email"};
	run_poller_config cfg = {.fields = fields,
	                         .nfields = 1,
	                         .every_s = 10,
	                         .full_baseline = 1,
	                         .get = mem_get,
	                         .set = mem_set,
	                         .ud = m};
	run_poller *p = NULL;
	char err[256] = "";

	m->state = json_object();
	m->changes = json_array();
	assert_int_equal(run_poller_new(&p, &cfg, err, sizeof err), 0);
	return p;
}

/* A fresh sandbox and a client for the poller tests. */
static ontra_client *poller_client(void)
{
	json_decref(sandbox_control(&sp, "POST", "reset"));
	return sandbox_client(&sp);
}

static void poller_end(memstore *m, run_poller *p, ontra_client *c)
{
	run_poller_free(p);
	json_decref(m->state);
	json_decref(m->changes);
	ontra_client_free(c);
}

static size_t snapshots(const memstore *m)
{
	const char *key;
	json_t *v;
	size_t n = 0;

	json_object_foreach(m->state, key, v)
	{
		n += strncmp(key, "poll.snap.", 10) == 0;
	}
	return n;
}

/*
 * A full baseline records every object (60 at two dlm, the second a tie
 * block across the first page's end), not only those of the newest dlm, and
 * reports nothing; afterwards an object never seen is handed over as new
 * (no old values), a changed one with its change; nothing twice.
 */
static void full_baseline_then_new(void **state)
{
	memstore m = {0};
	ontra_client *c;
	run_poller *p;
	json_t *out = NULL, *fields;
	char err[256] = "";
	size_t added = 9;
	int done = 0;

	(void)state;
	c = poller_client();
	seed_at(1, 30, (long long)time(NULL) - 2000);
	seed_at(31, 30, (long long)time(NULL) - 1000);
	p = poller_new(&m);
	assert_int_equal(run_poller_once(p, c, &added, err, sizeof err), 0);
	assert_int_equal(added, 0);
	assert_int_equal(run_poller_baseline_done(p, &done, err, sizeof err), 0);
	assert_int_equal(done, 1);
	assert_int_equal(snapshots(&m), 60);
	assert_int_equal(json_array_size(m.changes), 0);

	fields = json_pack("{s:s, s:s}", "firstname", "New", "email", "new@example.com");
	assert_int_equal(ontra_object_create(&out, c, 0, fields), 0);
	json_decref(out);
	json_decref(fields);
	update_with(c, 7, "email", "moved@example.com");
	assert_int_equal(run_poller_once(p, c, &added, err, sizeof err), 0);
	assert_int_equal(added, 2);
	assert_int_equal(json_array_size(m.changes), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *ch = json_array_get(m.changes, i);
		json_int_t id = json_integer_value(json_object_get(ch, "id"));
		const char *was = json_string_value(json_object_get(
		    json_object_get(json_object_get(ch, "changes"), "email"), "old"));
		assert_true(id == 7 || id == 61);
		assert_int_equal(json_is_true(json_object_get(ch, "new")), id == 61);
		if (id == 7)
			assert_string_equal(was, "tie7@example.com");
	}
	assert_int_equal(run_poller_once(p, c, &added, err, sizeof err), 0);
	assert_int_equal(added, 0);
	poller_end(&m, p, c);
}

/* A change the store cannot commit fails the poll; the next poll hands it over again. */
static void store_failure_retried(void **state)
{
	memstore m = {0};
	ontra_client *c;
	run_poller *p;
	char err[256] = "";
	size_t added = 9;

	(void)state;
	c = poller_client();
	seed_at(1, 3, (long long)time(NULL) - 1000);
	p = poller_new(&m);
	assert_int_equal(run_poller_once(p, c, &added, err, sizeof err), 0);
	update_with(c, 2, "email", "x@example.com");
	m.fail_changes = 1;
	assert_int_equal(run_poller_once(p, c, &added, err, sizeof err), -1);
	assert_string_equal(err, "store: refused");
	m.fail_changes = 0;
	assert_int_equal(run_poller_once(p, c, &added, err, sizeof err), 0);
	assert_int_equal(added, 1);
	assert_int_equal(json_array_size(m.changes), 1);
	poller_end(&m, p, c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(watched_changes_once),  cmocka_unit_test(restart_misses_nothing),
	    cmocka_unit_test(newly_watched_field),   cmocka_unit_test(ties_across_pages_once),
	    cmocka_unit_test(tie_block_resumes),     cmocka_unit_test(keeps_to_its_share),
	    cmocka_unit_test(unknown_field_refused), cmocka_unit_test(full_baseline_then_new),
	    cmocka_unit_test(store_failure_retried),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
