/* Unit tests for src/receiver/deliver*.c: delivery to a file, a command, a URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <microhttpd.h>
#include <pthread.h>

#include "test_rcv_helpers.h"

/* --- outcomes reported by the delivery thread --------------------------------------- */

typedef struct outcomes {
	pthread_mutex_t mu;
	int done, retry, dead;
	int64_t ids[64];
	rcv_outcome kinds[64];
	int64_t at[64];
	char last_error[256];
	int n;
} outcomes;

static void on_result(void *ud, int64_t id, rcv_outcome o, int attempts, const char *error)
{
	outcomes *r = ud;

	pthread_mutex_lock(&r->mu);
	if (r->n < 64) {
		r->ids[r->n] = id;
		r->kinds[r->n] = o;
		r->at[r->n] = rcv_now_ms();
		r->n++;
	}
	if (o == RCV_OUTCOME_DONE) {
		r->done++;
		assert_null(error);
	} else {
		(*(o == RCV_OUTCOME_RETRY ? &r->retry : &r->dead))++;
		snprintf(r->last_error, sizeof r->last_error, "%s", error);
	}
	(void)attempts;
	pthread_mutex_unlock(&r->mu);
}

static int count_of(outcomes *r, int *field)
{
	int v;

	pthread_mutex_lock(&r->mu);
	v = *field;
	pthread_mutex_unlock(&r->mu);
	return v;
}

/* A CALL handler's state; res first, so on_result (given the same userdata) finds it. */
typedef struct calls {
	outcomes res;
	int64_t retry_id; /* fails (RCV_CALL_RETRY) on attempts below retry_until */
	int retry_until;
	int64_t dead_id; /* refused for good (RCV_CALL_DEAD) */
	int64_t order[64];
	int n;
	int doc_ok; /* every doc matched its item */
} calls;

typedef struct fixture {
	char *dir;
	rcv_queue *q;
	outcomes res;
	calls calls; /* the CALL tests' */
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	char err[256], *db;

	f->dir = th_tmpdir();
	db = th_path(f->dir, "q.db");
	if (rcv_queue_open(&f->q, db, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	free(db);
	pthread_mutex_init(&f->res.mu, NULL);
	pthread_mutex_init(&f->calls.res.mu, NULL);
	f->calls.doc_ok = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	rcv_queue_close(f->q);
	th_rmdir(f->dir);
	pthread_mutex_destroy(&f->res.mu);
	pthread_mutex_destroy(&f->calls.res.mu);
	free(f);
	return 0;
}

static int64_t put(fixture *f, const char *key, const char *event)
{
	int64_t id = 0;

	assert_int_equal(rcv_queue_enqueue(f->q, key, event, event, strlen(event), NULL, &id), 0);
	return id;
}

static rcv_deliver_config fast_config(fixture *f)
{
	rcv_deliver_config c = RCV_DELIVER_CONFIG_INIT;

	c.backoff_base_ms = 10;
	c.backoff_cap_ms = 40;
	c.timeout_ms = 5000;
	c.poll_ms = 50;
	c.on_result = on_result;
	c.userdata = &f->res;
	return c;
}

static char *file_in(fixture *f, const char *name)
{
	return th_path(f->dir, name);
}

/* Split a file into lines (modifies text); returns the count. */
static int split_lines(char *text, char **lines, int max)
{
	int n = 0;
	char *p = text;

	while (p && *p && n < max) {
		char *nl = strchr(p, '\n');
		lines[n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

/* --- file ------------------------------------------------------------------------ */

static void test_file_handler(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = fast_config(f);
	rcv_deliver *d = NULL;
	char *path = file_in(f, "out.ndjson"), *text, *lines[8], err[256];
	FILE *out = fopen(path, "w");
	int64_t ids[3];
	int i, n;

	ids[0] = put(f, "A",
	             "{\"event\":{\"type\":\"sub_tag\",\"tag_id\":\"4\"},\"data\":{\"id\":\"8\"}}");
	ids[1] = put(f, "B", "{\"fields\":{\"x\":\"1\"}}");
	ids[2] = put(f, "A", "{\"event\":{\"type\":\"unsub_tag\"}}");
	c.out = out;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.done) == 3, 5000));
	rcv_deliver_stop(d);
	fclose(out);

	text = th_read_file(path, NULL);
	n = split_lines(text, lines, 8);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++) {
		json_t *doc = json_loads(lines[i], 0, NULL);
		const char *when;
		assert_non_null(doc);
		/* In arrival order, with the envelope the handler contract promises. */
		assert_int_equal(json_integer_value(json_object_get(doc, "id")), ids[i]);
		when = json_string_value(json_object_get(doc, "received_at"));
		assert_non_null(when);
		assert_int_equal(strlen(when), 24); /* 2024-01-02T03:04:05.678Z */
		assert_int_equal(when[23], 'Z');
		assert_string_equal(json_string_value(json_object_get(doc, "webhook_key")),
		                    i == 1 ? "B" : "A");
		json_decref(doc);
	}
	assert_non_null(strstr(lines[0], "\"event\":{\"type\":\"sub_tag\",\"tag_id\":\"4\"}"));
	assert_non_null(strstr(lines[1], "\"fields\":{\"x\":\"1\"}"));
	free(text);
	free(path);
}

static void test_file_write_error(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = fast_config(f);
	rcv_deliver *d = NULL;
	FILE *full = fopen("/dev/full", "w");
	char err[256];
	rcv_item *it = NULL;
	int64_t id;

	if (!full)
		skip();
	id = put(f, "A", "{}");
	c.out = full;
	c.max_attempts = 2;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.dead) == 1, 5000));
	rcv_deliver_stop(d);
	fclose(full);
	assert_int_equal(f->res.retry, 1);
	assert_non_null(strstr(f->res.last_error, "cannot write"));
	assert_int_equal(rcv_queue_get(f->q, id, &it), 0);
	assert_int_equal(it->status, RCV_DEAD);
	assert_int_equal(it->attempts, 2);
	rcv_item_free(it);
}

/* --- exec ------------------------------------------------------------------------ */

static void test_exec_retries_then_succeeds(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = fast_config(f);
	rcv_deliver *d = NULL;
	char cmd[1024], err[256], *out = file_in(f, "out"), *count = file_in(f, "count"), *text;
	rcv_item *it = NULL;
	int64_t id;

	/* Fails twice (exit 1), then takes the event: a counter file decides. */
	snprintf(cmd, sizeof cmd,
	         "n=$(cat '%s' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '%s';"
	         " [ $n -ge 3 ] || exit 1; cat > '%s'",
	         count, count, out);
	id = put(f, "A", "{\"event\":{\"type\":\"sub_tag\"}}");
	c.kind = RCV_HANDLER_EXEC;
	c.command = cmd;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.done) == 1, 5000));
	rcv_deliver_stop(d);

	assert_int_equal(f->res.n, 3);
	assert_int_equal(f->res.kinds[0], RCV_OUTCOME_RETRY);
	assert_int_equal(f->res.kinds[1], RCV_OUTCOME_RETRY);
	assert_int_equal(f->res.kinds[2], RCV_OUTCOME_DONE);
	assert_string_equal(f->res.last_error, "command exited with status 1");
	/* Backoff: the retries waited at least half the base delay each. */
	assert_true(f->res.at[1] - f->res.at[0] >= 5);
	assert_true(f->res.at[2] - f->res.at[1] >= 10);
	assert_int_equal(rcv_queue_get(f->q, id, &it), 0);
	assert_int_equal(it->status, RCV_DONE);
	assert_int_equal(it->attempts, 2);
	assert_null(it->last_error);
	assert_true(it->delivered_at > 0);
	rcv_item_free(it);
	text = th_read_file(out, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"event\":{\"type\":\"sub_tag\"}"));
	assert_non_null(strchr(text, '\n'));
	free(text);
	free(out);
	free(count);
}

static void test_exec_dead_then_replay(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = fast_config(f);
	rcv_deliver *d = NULL;
	char cmd[1024], err[256], *out = file_in(f, "out"), *text;
	rcv_item *it = NULL;
	int64_t id, n = 0;

	id = put(f, "A", "{\"event\":{\"type\":\"x\"}}");
	c.kind = RCV_HANDLER_EXEC;
	c.command = "cat >/dev/null; exit 3";
	c.max_attempts = 3;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.dead) == 1, 5000));
	rcv_deliver_stop(d);
	assert_int_equal(f->res.retry, 2);
	assert_int_equal(rcv_queue_get(f->q, id, &it), 0);
	assert_int_equal(it->status, RCV_DEAD);
	assert_int_equal(it->attempts, 3);
	assert_string_equal(it->last_error, "command exited with status 3");
	rcv_item_free(it);

	/* The handler is fixed; replaying the dead delivers it once. */
	snprintf(cmd, sizeof cmd, "cat >> '%s'", out);
	c.command = cmd;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	th_sleep_ms(100);
	assert_int_equal(count_of(&f->res, &f->res.done), 0); /* dead stays dead */
	assert_int_equal(rcv_queue_replay(f->q, 0, &n), 0);
	assert_int_equal(n, 1);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.done) == 1, 5000));
	rcv_deliver_stop(d);
	text = th_read_file(out, NULL);
	assert_non_null(text);
	assert_int_equal(strchr(text, '\n') - text + 1, (long)strlen(text)); /* one line */
	free(text);
	free(out);
}

static void test_exec_timeout(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = fast_config(f);
	rcv_deliver *d = NULL;
	char err[256];
	int64_t t0 = rcv_now_ms();

	put(f, "A", "{}");
	c.kind = RCV_HANDLER_EXEC;
	c.command = "sleep 10 & sleep 10"; /* a background child too: the group is killed */
	c.timeout_ms = 200;
	c.max_attempts = 1;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.dead) == 1, 5000));
	rcv_deliver_stop(d);
	assert_true(rcv_now_ms() - t0 < 3000);
	assert_string_equal(f->res.last_error, "command timed out after 200 ms");
}

static void test_exec_no_injection(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = fast_config(f);
	rcv_deliver *d = NULL;
	char cmd[1024], err[256], ev[512], *out = file_in(f, "out"), *idf = file_in(f, "id");
	char *pwned = file_in(f, "pwned"), *text;
	json_t *doc;
	int64_t id;

	/* Event data full of shell syntax aimed at the command. */
	snprintf(ev, sizeof ev,
	         "{\"data\":{\"a\":\"$(touch %s)\",\"b\":\"`touch %s`\",\"c\":\"'; touch %s; '\"}}",
	         pwned, pwned, pwned);
	id = put(f, "A", ev);
	snprintf(cmd, sizeof cmd, "printf '%%s' \"$ONTRAPORT_EVENT_ID\" > '%s'; cat > '%s'", idf,
	         out);
	c.kind = RCV_HANDLER_EXEC;
	c.command = cmd;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.done) == 1, 5000));
	rcv_deliver_stop(d);
	assert_int_not_equal(access(pwned, F_OK), 0);
	text = th_read_file(out, NULL);
	doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	{
		/* The data arrived byte for byte, as data. */
		json_t *orig = json_loads(ev, 0, NULL);
		assert_true(
		    json_equal(json_object_get(doc, "data"), json_object_get(orig, "data")));
		json_decref(orig);
	}
	json_decref(doc);
	free(text);
	text = th_read_file(idf, NULL);
	assert_int_equal(strtoll(text, NULL, 10), id);
	free(text);
	free(out);
	free(idf);
	free(pwned);
}

static void test_order_per_key_under_failures(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = fast_config(f);
	rcv_deliver *d = NULL;
	char cmd[1024], err[256], *order = file_in(f, "order"), *text, *lines[8];
	int64_t a1, b1, a2;
	int n, i, pa1 = -1, pa2 = -1, pb1 = -1;

	a1 = put(f, "A", "{}");
	b1 = put(f, "B", "{}");
	a2 = put(f, "A", "{}");
	/* a1 fails on its first two attempts; everything is logged in handling order. */
	snprintf(cmd, sizeof cmd,
	         "cat >/dev/null; if [ \"$ONTRAPORT_EVENT_ID\" = %lld ] &&"
	         " [ \"$ONTRAPORT_EVENT_ATTEMPT\" -lt 3 ]; then exit 1; fi;"
	         " echo \"$ONTRAPORT_EVENT_ID\" >> '%s'",
	         (long long)a1, order);
	c.kind = RCV_HANDLER_EXEC;
	c.command = cmd;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.done) == 3, 5000));
	rcv_deliver_stop(d);
	text = th_read_file(order, NULL);
	n = split_lines(text, lines, 8);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		int64_t v = strtoll(lines[i], NULL, 10);
		if (v == a1)
			pa1 = i;
		else if (v == a2)
			pa2 = i;
		else if (v == b1)
			pb1 = i;
	}
	assert_true(pa1 >= 0 && pa2 >= 0 && pb1 >= 0);
	assert_true(pa1 < pa2);   /* a2 waited for a1's retries */
	assert_int_equal(pb1, 0); /* another key is not held up */
	free(text);
	free(order);
}

/* --- call ------------------------------------------------------------------------ */

static int call_handler(void *ud, const rcv_item *item, const json_t *doc, char *err, size_t errsz)
{
	calls *c = ud;
	int ok =
	    json_integer_value(json_object_get(doc, "id")) == item->id &&
	    strcmp(json_string_value(json_object_get(doc, "webhook_key")), item->webhook_key) == 0;

	pthread_mutex_lock(&c->res.mu);
	if (c->n < 64)
		c->order[c->n++] = item->id;
	c->doc_ok = c->doc_ok && ok;
	pthread_mutex_unlock(&c->res.mu);
	if (item->id == c->dead_id) {
		snprintf(err, errsz, "refused");
		return RCV_CALL_DEAD;
	}
	if (item->id == c->retry_id && item->attempts + 1 < c->retry_until) {
		snprintf(err, errsz, "try again");
		return RCV_CALL_RETRY;
	}
	return RCV_CALL_DONE;
}

static rcv_deliver_config call_config(fixture *f)
{
	rcv_deliver_config cfg = fast_config(f);

	cfg.kind = RCV_HANDLER_CALL;
	cfg.call = call_handler;
	cfg.userdata = &f->calls;
	return cfg;
}

static void assert_item(fixture *f, int64_t id, int status, int attempts, const char *error)
{
	rcv_item *it = NULL;

	assert_int_equal(rcv_queue_get(f->q, id, &it), 0);
	assert_int_equal(it->status, status);
	assert_int_equal(it->attempts, attempts);
	if (error)
		assert_string_equal(it->last_error, error);
	else
		assert_null(it->last_error);
	rcv_item_free(it);
}

/* Deliver with cfg until `done` events are done, then stop. */
static void deliver_until_done(fixture *f, rcv_deliver_config *cfg, int done)
{
	rcv_deliver *d = NULL;
	char err[256];

	assert_int_equal(rcv_deliver_start(&d, f->q, cfg, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->calls.res, &f->calls.res.done) == done, 5000));
	rcv_deliver_stop(d);
}

/* The outcomes reported, in order: 'd' done, 'r' retry, 'x' dead. */
static void assert_outcomes(const calls *c, const char *kinds)
{
	static const char letter[] = {
	    [RCV_OUTCOME_DONE] = 'd', [RCV_OUTCOME_RETRY] = 'r', [RCV_OUTCOME_DEAD] = 'x'};
	char seen[65];
	int i;

	for (i = 0; i < c->res.n; i++)
		seen[i] = letter[c->res.kinds[i]];
	seen[i] = '\0';
	assert_string_equal(seen, kinds);
}

static void test_call_done(void **state)
{
	fixture *f = *state;
	calls *c = &f->calls;
	rcv_deliver_config cfg = call_config(f);
	int64_t a = put(f, "A", "{\"event\":{\"type\":\"object_create\"}}"), b = put(f, "B", "{}");

	deliver_until_done(f, &cfg, 2);
	assert_int_equal(c->n, 2);
	assert_int_equal(c->order[0], a);
	assert_int_equal(c->order[1], b);
	assert_true(c->doc_ok); /* the document is the item's */
	assert_outcomes(c, "dd");
	assert_item(f, a, RCV_DONE, 0, NULL);
	assert_item(f, b, RCV_DONE, 0, NULL);
}

static void test_call_retry_then_done(void **state)
{
	fixture *f = *state;
	calls *c = &f->calls;
	rcv_deliver_config cfg = call_config(f);
	int64_t a = put(f, "A", "{}");

	c->retry_id = a;
	c->retry_until = 3; /* attempts 1 and 2 fail */
	deliver_until_done(f, &cfg, 1);
	assert_outcomes(c, "rrd");
	assert_string_equal(c->res.last_error, "try again");
	assert_true(c->res.at[1] - c->res.at[0] >= 5); /* backoff: half the base delay at least */
	assert_item(f, a, RCV_DONE, 2, NULL);
}

static void test_call_dead_now(void **state)
{
	fixture *f = *state;
	calls *c = &f->calls;
	rcv_deliver_config cfg = call_config(f);
	int64_t a1 = put(f, "A", "{}"), a2 = put(f, "A", "{}");

	c->dead_id = a1;
	cfg.max_attempts = 8;
	deliver_until_done(f, &cfg, 1);
	/* Dead at the first attempt, never retried; the key's next event goes on. */
	assert_outcomes(c, "xd");
	assert_int_equal(c->res.ids[0], a1);
	assert_string_equal(c->res.last_error, "refused");
	assert_int_equal(c->n, 2);
	assert_item(f, a1, RCV_DEAD, 1, "refused");
	assert_item(f, a2, RCV_DONE, 0, NULL);
}

static void test_call_order_per_key(void **state)
{
	fixture *f = *state;
	calls *c = &f->calls;
	rcv_deliver_config cfg = call_config(f);
	int64_t a1 = put(f, "A", "{}"), b1 = put(f, "B", "{}"), a2 = put(f, "A", "{}");

	c->retry_id = a1;
	c->retry_until = 3;
	deliver_until_done(f, &cfg, 3);
	/* a1 (failing twice) is handed out three times before a2; b1 is not held up. */
	assert_int_equal(c->n, 5);
	assert_int_equal(c->order[0], a1);
	assert_int_equal(c->order[1], b1);
	assert_int_equal(c->order[2], a1);
	assert_int_equal(c->order[3], a1);
	assert_int_equal(c->order[4], a2);
}

static void test_graceful_stop(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = fast_config(f);
	rcv_deliver *d = NULL;
	char cmd[1024], err[256], *started = file_in(f, "started");
	int64_t p, dn, t0;

	put(f, "A", "{}");
	put(f, "A", "{}");
	put(f, "B", "{}");
	snprintf(cmd, sizeof cmd, "touch '%s'; sleep 0.3; cat >/dev/null", started);
	c.kind = RCV_HANDLER_EXEC;
	c.command = cmd;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(access(started, F_OK) == 0, 5000));
	t0 = rcv_now_ms();
	rcv_deliver_stop(d); /* the delivery in flight finishes; the rest stay pending */
	assert_true(rcv_now_ms() - t0 >= 100);
	assert_int_equal(rcv_queue_counts(f->q, &p, &dn, NULL), 0);
	assert_int_equal(dn, 1);
	assert_int_equal(p, 2);
	free(started);
}

static void test_start_errors(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = RCV_DELIVER_CONFIG_INIT;
	rcv_deliver *d = (rcv_deliver *)1;
	char err[256];

	c.kind = RCV_HANDLER_EXEC;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), RCV_EINVALID);
	assert_null(d);
	assert_non_null(strstr(err, "command"));
	c.kind = RCV_HANDLER_FORWARD;
	c.url = "ftp://example.com/x";
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), RCV_EINVALID);
	assert_non_null(strstr(err, "http://"));
	c.url = NULL;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), RCV_EINVALID);
	c.kind = RCV_HANDLER_CALL;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), RCV_EINVALID);
	assert_non_null(strstr(err, "function"));
	c.kind = (rcv_handler_kind)9;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), RCV_EINVALID);
	rcv_deliver_stop(NULL);
}

/* --- forward: a tiny MHD server stands in for the user's endpoint -------------------- */

typedef struct target {
	pthread_mutex_t mu;
	int fail_first; /* answer 500 to this many requests */
	int requests;
	char bodies[4][1024];
	char ctype[4][64];
} target;

typedef struct treq {
	util_buf body;
} treq;

static enum MHD_Result target_handler(void *cls, struct MHD_Connection *con, const char *url,
                                      const char *method, const char *version, const char *data,
                                      size_t *size, void **con_cls)
{
	target *t = cls;
	treq *r = *con_cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned status;
	const char *ct;

	if (!r) {
		r = calloc(1, sizeof *r);
		*con_cls = r;
		return MHD_YES;
	}
	if (*size) {
		util_buf_append(&r->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	util_buf_ensure(&r->body);
	ct = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Type");
	pthread_mutex_lock(&t->mu);
	if (t->requests < 4) {
		snprintf(t->bodies[t->requests], sizeof t->bodies[0], "%s", r->body.data);
		snprintf(t->ctype[t->requests], sizeof t->ctype[0], "%s", ct ? ct : "");
	}
	status = t->requests++ < t->fail_first ? 500 : 204;
	pthread_mutex_unlock(&t->mu);
	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void target_done(void *cls, struct MHD_Connection *con, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
	treq *r = *con_cls;

	if (r) {
		util_buf_release(&r->body);
		free(r);
	}
}

static void test_forward(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = fast_config(f);
	rcv_deliver *d = NULL;
	target t;
	struct MHD_Daemon *mhd;
	char url[128], err[256];
	json_t *doc;
	int64_t id;

	memset(&t, 0, sizeof t);
	pthread_mutex_init(&t.mu, NULL);
	t.fail_first = 2;
	mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL,
	                       target_handler, &t, MHD_OPTION_NOTIFY_COMPLETED, target_done, NULL,
	                       MHD_OPTION_END);
	assert_non_null(mhd);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/sink",
	         (unsigned)MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_BIND_PORT)->port);
	id = put(f, "A", "{\"event\":{\"type\":\"sub_tag\"},\"data\":{\"email\":\"m@x.com\"}}");
	c.kind = RCV_HANDLER_FORWARD;
	c.url = url;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.done) == 1, 5000));
	rcv_deliver_stop(d);
	MHD_stop_daemon(mhd);

	assert_int_equal(t.requests, 3);
	assert_int_equal(f->res.retry, 2);
	assert_string_equal(f->res.last_error, "forward answered http 500");
	assert_string_equal(t.ctype[2], "application/json");
	assert_string_equal(t.bodies[0], t.bodies[2]); /* the same document each time */
	doc = json_loads(t.bodies[2], 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(doc, "id")), id);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "data"), "email")), "m@x.com");
	json_decref(doc);
	pthread_mutex_destroy(&t.mu);
}

/* A value holding a NUL (from a form's %00) is forwarded as \u0000, not refused. */
static void test_forward_nul_value(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = fast_config(f);
	rcv_deliver *d = NULL;
	target t;
	struct MHD_Daemon *mhd;
	char url[128], err[256];
	json_t *doc;

	memset(&t, 0, sizeof t);
	pthread_mutex_init(&t.mu, NULL);
	mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL,
	                       target_handler, &t, MHD_OPTION_NOTIFY_COMPLETED, target_done, NULL,
	                       MHD_OPTION_END);
	assert_non_null(mhd);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/sink",
	         (unsigned)MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_BIND_PORT)->port);
	put(f, "A", "{\"encoding\":\"form\",\"fields\":{\"a\":\"1\\u00002\"}}");
	c.kind = RCV_HANDLER_FORWARD;
	c.url = url;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.done) == 1, 5000));
	rcv_deliver_stop(d);
	MHD_stop_daemon(mhd);
	assert_int_equal(f->res.retry + f->res.dead, 0);
	doc = json_loads(t.bodies[0], JSON_ALLOW_NUL, NULL);
	assert_non_null(doc);
	assert_int_equal(json_string_length(json_object_get(json_object_get(doc, "fields"), "a")),
	                 3);
	assert_memory_equal(json_string_value(json_object_get(json_object_get(doc, "fields"), "a")),
	                    "1\0"
	                    "2",
	                    3);
	json_decref(doc);
	pthread_mutex_destroy(&t.mu);
}

static void test_forward_unreachable(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = fast_config(f);
	rcv_deliver *d = NULL;
	char err[256];

	put(f, "A", "{}");
	c.kind = RCV_HANDLER_FORWARD;
	c.url = "http://127.0.0.1:1/nothing-listens-here";
	c.max_attempts = 2;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.dead) == 1, 5000));
	rcv_deliver_stop(d);
	assert_non_null(strstr(f->res.last_error, "forward failed"));
}

/* --- pure functions -------------------------------------------------------------- */

static void test_backoff(void **state)
{
	unsigned seed = 1;
	int n, i;

	for (n = 1; n <= 40; n++) {
		long d = 100;
		for (i = 1; i < n && d < 5000; i++)
			d *= 2;
		if (d > 5000)
			d = 5000;
		for (i = 0; i < 50; i++) {
			long b = rcv_backoff_ms(n, 100, 5000, &seed);
			assert_true(b >= d / 2 && b <= d);
		}
	}
	/* Huge attempt counts and caps do not overflow. */
	assert_true(rcv_backoff_ms(1000000, 1000, 0x7fffffffL, &seed) <= 0x7fffffffL);
	assert_true(rcv_backoff_ms(3, 0, 0, &seed) >= 0);
}

static void test_document(void **state)
{
	rcv_item it;
	json_t *doc = NULL;

	memset(&it, 0, sizeof it);
	it.id = 42;
	it.received_at = 1514940140123LL;
	it.webhook_key = "sub_tag(4)";
	it.event = "{\"event\":{\"type\":\"sub_tag\"},\"id\":\"spoof\"}";
	assert_int_equal(rcv_deliver_document(&doc, &it), 0);
	assert_int_equal(json_integer_value(json_object_get(doc, "id")), 42); /* ours wins */
	assert_string_equal(json_string_value(json_object_get(doc, "received_at")),
	                    "2018-01-03T00:42:20.123Z");
	assert_string_equal(json_string_value(json_object_get(doc, "webhook_key")), "sub_tag(4)");
	assert_non_null(json_object_get(doc, "event"));
	json_decref(doc);
	it.event = "[1]";
	assert_int_equal(rcv_deliver_document(&doc, &it), RCV_ERROR);
	assert_null(doc);
	it.event = "not json";
	assert_int_equal(rcv_deliver_document(&doc, &it), RCV_ERROR);
}

/* --- property: every body the parser accepts comes out of the queue deliverable ---- */

#define MAX_CORPUS 256

typedef struct corpus {
	json_t *events[MAX_CORPUS]; /* parsed events, in enqueue order */
	int n, with_nul;
} corpus;

/* tests/fuzz/corpus/webhook_body: from ONTRA_SOURCE_DIR (set by ctest), else beside this file. */
static void corpus_dir(char *out, size_t n)
{
	const char *env = getenv("ONTRA_SOURCE_DIR");
	const char *here = __FILE__, *slash = strrchr(here, '/');

	if (env && *env)
		snprintf(out, n, "%s/tests/fuzz/corpus/webhook_body", env);
	else
		snprintf(out, n, "%.*s/../fuzz/corpus/webhook_body",
		         slash ? (int)(slash - here) : 1, slash ? here : ".");
}

/* Parse one corpus input as tests/fuzz/fuzz_webhook_body.c does; enqueue it if accepted. */
static void corpus_put(fixture *f, corpus *c, const char *data, size_t size)
{
	static const char *const types[] = {NULL,
	                                    "application/json",
	                                    "application/x-www-form-urlencoded",
	                                    "text/plain",
	                                    "application/vnd.ontraport+json; charset=utf-8",
	                                    "multipart/form-data; boundary=x"};
	rcv_limits lim = RCV_LIMITS_DEFAULT;
	unsigned sel = (unsigned char)data[0];
	json_t *ev = NULL;
	char err[256], *text;
	int64_t id;

	lim.max_body = 1 << 16;
	if (sel & 0x40) {
		lim.max_depth = 4;
		lim.max_fields = 16;
	}
	if (rcv_body_parse(&ev, data + 1, size - 1, types[sel % 6],
	                   (sel / 6) % 2 ? RCV_MODE_GENERIC : RCV_MODE_ONTRAPORT, &lim, err,
	                   sizeof err) != 0)
		return;
	text = json_dumps(ev, JSON_COMPACT);
	assert_non_null(text);
	c->with_nul += strstr(text, "\\u0000") != NULL;
	assert_int_equal(
	    rcv_queue_enqueue(f->q, "k", text, data + 1, size - 1, types[sel % 6], &id), 0);
	free(text);
	assert_true(c->n < MAX_CORPUS);
	c->events[c->n++] = ev;
}

static void corpus_load(fixture *f, corpus *c)
{
	char dir[1024], path[1400], *data;
	struct dirent *e;
	size_t len = 0;
	DIR *d;

	corpus_dir(dir, sizeof dir);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		data = th_read_file(path, &len);
		assert_non_null(data);
		if (len > 0)
			corpus_put(f, c, data, len);
		free(data);
	}
	closedir(d);
}

/* Each line of the handler's output holds, in order, the event that was parsed. */
static void corpus_check(const corpus *c, const char *path)
{
	char *text = th_read_file(path, NULL), **lines = calloc(MAX_CORPUS + 1, sizeof *lines);
	int i, n;

	assert_non_null(text);
	n = split_lines(text, lines, MAX_CORPUS + 1);
	assert_int_equal(n, c->n);
	for (i = 0; i < n; i++) {
		json_t *doc = json_loads(lines[i], JSON_ALLOW_NUL, NULL), *v;
		const char *k;
		assert_non_null(doc);
		json_object_foreach(c->events[i], k, v)
		{
			assert_true(json_equal(json_object_get(doc, k), v));
		}
		json_decref(doc);
	}
	free(lines);
	free(text);
}

static void test_corpus_roundtrip(void **state)
{
	fixture *f = *state;
	rcv_deliver_config c = fast_config(f);
	rcv_deliver *d = NULL;
	corpus cp;
	char *path = file_in(f, "out.ndjson"), *epath = file_in(f, "exec.ndjson"), cmd[1200],
	     err[256];
	FILE *out = fopen(path, "w");
	int i;

	memset(&cp, 0, sizeof cp);
	corpus_load(f, &cp);
	assert_true(cp.n >= 5);
	assert_int_equal(cp.with_nul, 0); /* %00 in a form value is refused before it is queued */

	/* Standard output's handler: one NDJSON line each, none failed. */
	c.out = out;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.done) == cp.n, 10000));
	rcv_deliver_stop(d);
	fclose(out);
	assert_int_equal(f->res.retry + f->res.dead, 0);
	corpus_check(&cp, path);

	/* --exec: the same documents on the command's stdin. */
	for (i = 0; i < cp.n; i++)
		assert_int_equal(rcv_queue_replay(f->q, i + 1, NULL), 0);
	snprintf(cmd, sizeof cmd, "cat >> '%s'", epath);
	c = fast_config(f);
	c.kind = RCV_HANDLER_EXEC;
	c.command = cmd;
	assert_int_equal(rcv_deliver_start(&d, f->q, &c, err, sizeof err), 0);
	assert_true(TH_WAIT_UNTIL(count_of(&f->res, &f->res.done) == 2 * cp.n, 20000));
	rcv_deliver_stop(d);
	assert_int_equal(f->res.retry + f->res.dead, 0);
	corpus_check(&cp, epath);

	for (i = 0; i < cp.n; i++)
		json_decref(cp.events[i]);
	free(path);
	free(epath);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_file_handler, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_write_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exec_retries_then_succeeds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exec_dead_then_replay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exec_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exec_no_injection, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_order_per_key_under_failures, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_done, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_retry_then_done, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_dead_now, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_order_per_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_graceful_stop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_start_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_forward, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_forward_unreachable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_forward_nul_value, setup, teardown),
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test(test_document),
	    cmocka_unit_test_setup_teardown(test_corpus_roundtrip, setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
