/*
 * Unit tests for src/sandbox/hooks/payload.c, deliveries.c and webhooks.c: event strings, data
 * formats, payloads in both encodings (checked against the reference's
 * example bodies and parsed back by the receiver's parser), and the whole
 * loop over real HTTP: a sandbox in process delivers to the receiver
 * (src/receiver) in process, whose queue shows what arrived.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sandbox.h"
#include "sbx_deliveries.h"
#include "sbx_payload.h"
#include "sbx_store.h"
#include "test_rcv_helpers.h"

#define TOKEN "t0k3n"

/* ---- event strings and formats ---- */

static void event_ok(const char *in, const char *want)
{
	char out[128], why[256] = "";

	if (sbx_hook_event_parse(in, out, sizeof out, why, sizeof why) < 0)
		fail_msg("'%s' refused: %s", in, why);
	assert_string_equal(out, want);
}

static void event_bad(const char *in, const char *part)
{
	char out[128], why[256] = "";

	assert_int_equal(sbx_hook_event_parse(in, out, sizeof out, why, sizeof why), -1);
	assert_null(strchr(why, '\n'));
	if (!strstr(why, part))
		fail_msg("'%s': '%s' lacks '%s'", in, why, part);
}

static void test_event_strings(void **state)
{
	(void)state;
	event_ok("object_create(0)", "object_create(0)");
	event_ok("  sub_tag( 3 ) ", "sub_tag(3)");
	event_ok("unsub_tag(12)", "unsub_tag(12)");
	event_ok("object_submits_form(2)", "object_submits_form(2)");
	event_ok("object_create(10003)", "object_create(10003)");
	event_ok("purchase_product(5)", "purchase_product(5)");
	event_bad("", "Missing required parameter 'event'");
	event_bad("sub_tag", "expected name(id)");
	event_bad("sub_tag(3", "expected name(id)");
	event_bad("sub_tag(3)x", "expected name(id)");
	event_bad("tagged(3)", "expected object_create, object_submits_form, sub_tag");
	event_bad("sub_tag()", "the id in parentheses is missing");
	event_bad("sub_tag(0)", "from 1");
	event_bad("sub_tag(x)", "'sub_tag(x)'");
	event_bad("object_create(-1)", "whole number");
	event_bad("(3)", "no event name");
}

static void test_formats(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(sbx_hook_format_parse(NULL, why, sizeof why), SBX_HOOK_FULL);
	assert_int_equal(sbx_hook_format_parse("", why, sizeof why), SBX_HOOK_FULL);
	assert_int_equal(sbx_hook_format_parse("{}", why, sizeof why), SBX_HOOK_FULL);
	assert_int_equal(sbx_hook_format_parse("{\"format\":\"notify\"}", why, sizeof why),
	                 SBX_HOOK_NOTIFY);
	assert_int_equal(sbx_hook_format_parse("{\"format\":\"lightweight\"}", why, sizeof why),
	                 SBX_HOOK_LIGHTWEIGHT);
	assert_int_equal(sbx_hook_format_parse("{\"format\":\"tiny\"}", why, sizeof why), -1);
	assert_non_null(strstr(why, "expected notify or lightweight"));
	assert_int_equal(sbx_hook_format_parse("notify", why, sizeof why), -1);
	assert_non_null(strstr(why, "expected a JSON object"));
}

/* ---- data formats on real metadata ---- */

static void test_data_formats(void **state)
{
	sbx_store *st;
	sbx_err e = SBX_ERR_INIT;
	const sbx_otype *contacts, *tags;
	json_t *rec, *d;
	const char *k;
	json_t *v;

	(void)state;
	assert_int_equal(sbx_store_open(&st, ":memory:", &e), 0);
	sbx_store_lock(st);
	contacts = sbx_store_type(st, 0);
	tags = sbx_store_type(st, 14);
	assert_non_null(contacts);
	assert_non_null(tags);
	rec = json_pack("{s:s, s:s, s:s, s:s, s:n, s:s}", "id", "8", "firstname", "Mary",
	                "lastname", "Smith", "email", "mary@ontraport.com", "city", "owner", "1");

	d = sbx_hook_data(contacts, rec, SBX_HOOK_FULL);
	assert_int_equal(json_object_size(d), 6);
	assert_string_equal(json_string_value(json_object_get(d, "city")), ""); /* strings only */
	assert_string_equal(json_string_value(json_object_get(d, "firstname")), "Mary");
	json_decref(d);

	d = sbx_hook_data(contacts, rec, SBX_HOOK_NOTIFY);
	assert_int_equal(json_object_size(d), 6); /* every field present... */
	json_object_foreach(d, k, v)              /* ...only the id filled */
	    assert_string_equal(json_string_value(v), strcmp(k, "id") ? "" : "8");
	json_decref(d);

	d = sbx_hook_data(contacts, rec, SBX_HOOK_LIGHTWEIGHT);
	assert_int_equal(json_object_size(d), 4);
	assert_non_null(json_object_get(d, "id"));
	assert_non_null(json_object_get(d, "firstname"));
	assert_non_null(json_object_get(d, "lastname"));
	assert_non_null(json_object_get(d, "email"));
	json_decref(d);
	json_decref(rec);

	/* Another type: its id and its list fields. */
	rec = json_pack("{s:s, s:s, s:s}", "tag_id", "3", "tag_name", "VIP", "object_type_id", "0");
	d = sbx_hook_data(tags, rec, SBX_HOOK_LIGHTWEIGHT);
	assert_int_equal(json_object_size(d), 3);
	json_decref(d);
	json_decref(rec);
	sbx_store_unlock(st);
	sbx_store_close(st);
}

/* ---- payloads: the reference's bodies, and both encodings give one event ---- */

static json_t *article_data(void)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "id", "8", "firstname", "Mary", "lastname",
	                 "Smith", "email", "mary@ontraport.com");
}

static json_t *parse_event(const util_buf *b, const char *ct)
{
	json_t *ev = NULL;
	char err[256];

	if (rcv_body_parse(&ev, b->data, b->len, ct, RCV_MODE_ONTRAPORT, NULL, err, sizeof err))
		fail_msg("the receiver refused the sandbox's body: %s: %s", err, b->data);
	json_object_del(ev, "encoding");
	return ev;
}

static void test_payload_matches_reference(void **state)
{
	util_buf form = UTIL_BUF_INIT, js = UTIL_BUF_INIT;
	const char *ct_form, *ct_json;
	json_t *data = article_data(), *want_json, *got_json, *want_ev, *ev_form, *ev_json;
	char *fixture;
	size_t len;

	(void)state;
	/* The support article's event (tag 4 added to contact 8 through webhook 3). */
	assert_int_equal(
	    sbx_hook_payload(&form, &ct_form, 0, 3, 0, "sub_tag", "tag_id", 4, data, 1514940140),
	    0);
	assert_string_equal(ct_form, "application/x-www-form-urlencoded");
	fixture = th_fixture("sub_tag-support-article.form", &len);
	assert_non_null(fixture);
	while (len && (fixture[len - 1] == '\n'))
		fixture[--len] = '\0';
	/* Byte for byte what PHP's http_build_query writes for the article's listing. */
	assert_string_equal(form.data, fixture);
	free(fixture);

	assert_int_equal(
	    sbx_hook_payload(&js, &ct_json, 1, 3, 0, "sub_tag", "tag_id", 4, data, 1514940140), 0);
	assert_string_equal(ct_json, "application/json");
	fixture = th_fixture("sub_tag-support-article.json", NULL);
	want_json = json_loads(fixture, 0, NULL);
	got_json = json_loads(js.data, 0, NULL);
	assert_true(json_equal(want_json, got_json));
	free(fixture);

	/* Both parse, through the receiver, to the expected event. */
	fixture = th_fixture("sub_tag.expected.json", NULL);
	want_ev = json_loads(fixture, 0, NULL);
	ev_form = parse_event(&form, ct_form);
	ev_json = parse_event(&js, ct_json);
	assert_true(json_equal(ev_form, want_ev));
	assert_true(json_equal(ev_json, want_ev));
	free(fixture);

	json_decref(want_json);
	json_decref(got_json);
	json_decref(want_ev);
	json_decref(ev_form);
	json_decref(ev_json);
	json_decref(data);
	util_buf_release(&form);
	util_buf_release(&js);
}

static void test_payload_awkward_values(void **state)
{
	util_buf form = UTIL_BUF_INIT, js = UTIL_BUF_INIT;
	const char *ct1, *ct2;
	json_t *data, *a, *b;

	(void)state;
	/* Characters that need escaping in values: non-ASCII, '&', '=', '+', '[]', '%'. (Field
	 * names are identifiers; a name holding brackets could not survive PHP's encoding.) */
	data = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", "1", "firstname", "Zoë & \"Ann\"",
	                 "note", "a=b+c [x] 100%", "f_1", "odd key", "empty", "");
	assert_int_equal(sbx_hook_payload(&form, &ct1, 0, 1, 0, "object_create", NULL, 0, data, 1),
	                 0);
	assert_int_equal(sbx_hook_payload(&js, &ct2, 1, 1, 0, "object_create", NULL, 0, data, 1),
	                 0);
	assert_null(strstr(form.data, "tag_id"));
	a = parse_event(&form, ct1);
	b = parse_event(&js, ct2);
	if (!json_equal(a, b)) {
		char *x = json_dumps(a, JSON_COMPACT), *y = json_dumps(b, JSON_COMPACT);
		fail_msg("form %s != json %s", x, y);
	}
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(a, "data"), "firstname")),
	    "Zoë & \"Ann\"");
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "event"), "type")),
	                    "object_create");
	json_decref(a);
	json_decref(b);
	json_decref(data);
	util_buf_release(&form);
	util_buf_release(&js);
}

/* ---- over HTTP: sandbox -> receiver ---- */

typedef struct loop {
	sbx_server *sbx;
	char *dir, *db;
	rcv_queue *q;
	rcv_server *rcv;
	char token[RCV_TOKEN_HEX + 1];
	char hook_url[256];
	CURL *h;
} loop;

static void quiet(void *ud, const char *line)
{
	(void)ud;
	(void)line;
}

static void loop_start(loop *l, int json)
{
	sbx_config cfg = SBX_CONFIG_INIT;
	rcv_server_config rc = RCV_SERVER_CONFIG_INIT;
	char err[256];

	memset(l, 0, sizeof *l);
	cfg.control_token = TOKEN;
	cfg.webhook_json = json;
	if (sbx_server_start(&l->sbx, &cfg, err, sizeof err) < 0)
		fail_msg("sandbox: %s", err);
	l->dir = th_tmpdir();
	l->db = th_path(l->dir, "events.db");
	if (rcv_queue_open(&l->q, l->db, err, sizeof err) < 0)
		fail_msg("queue: %s", err);
	rc.log = quiet;
	if (rcv_server_start(&l->rcv, l->q, &rc, err, sizeof err) < 0)
		fail_msg("receiver: %s", err);
	assert_int_equal(rcv_token_new(l->token, sizeof l->token), 0);
	assert_int_equal(rcv_server_add_hook(l->rcv, l->token, "test", RCV_MODE_ONTRAPORT), 0);
	snprintf(l->hook_url, sizeof l->hook_url, "http://127.0.0.1:%d/hooks/%s",
	         rcv_server_port(l->rcv), l->token);
	l->h = curl_easy_init();
}

static void loop_stop(loop *l)
{
	curl_easy_cleanup(l->h);
	sbx_server_stop(l->sbx);
	rcv_server_stop(l->rcv);
	rcv_queue_close(l->q);
	free(l->db);
	th_rmdir(l->dir);
}

/* method path (on the sandbox) with a form body or none; the reply body as JSON (new), or NULL. */
static json_t *call(loop *l, const char *method, const char *path, const char *form, long *status)
{
	struct curl_slist *hs = NULL;
	util_buf out = UTIL_BUF_INIT;
	char url[512];
	json_t *j;

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", sbx_server_port(l->sbx), path);
	curl_easy_reset(l->h);
	hs = curl_slist_append(hs, "Api-Key: Key5678");
	hs = curl_slist_append(hs, "Api-Appid: 2_AppID_12345678");
	hs = curl_slist_append(hs, "X-Sandbox-Token: " TOKEN);
	curl_easy_setopt(l->h, CURLOPT_URL, url);
	curl_easy_setopt(l->h, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(l->h, CURLOPT_WRITEFUNCTION, th_collect);
	curl_easy_setopt(l->h, CURLOPT_WRITEDATA, &out);
	if (form)
		curl_easy_setopt(l->h, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(l->h, CURLOPT_CUSTOMREQUEST, method);
	assert_int_equal(curl_easy_perform(l->h), CURLE_OK);
	curl_easy_getinfo(l->h, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(hs);
	util_buf_ensure(&out);
	j = json_loads(out.data, JSON_DECODE_ANY, NULL);
	if (!j)
		j = json_string(out.data);
	util_buf_release(&out);
	return j;
}

/* Subscribe `event` with data `data` (NULL: none) to url; returns the subscription id. */
static long long subscribe(loop *l, const char *url, const char *event, const char *data)
{
	char body[1024], *u = curl_easy_escape(NULL, url, 0), *d = NULL;
	long status;
	json_t *r;
	long long id;

	if (data)
		d = curl_easy_escape(NULL, data, 0);
	snprintf(body, sizeof body, "url=%s&event=%s%s%s", u, event, d ? "&data=" : "", d ? d : "");
	curl_free(u);
	curl_free(d);
	r = call(l, "POST", "/1/Webhook/subscribe", body, &status);
	assert_int_equal(status, 200);
	id = json_integer_value(json_object_get(json_object_get(r, "data"), "id"));
	assert_true(id > 0);
	json_decref(r);
	return id;
}

static long long create_contact(loop *l, const char *form)
{
	long status;
	json_t *r = call(l, "POST", "/1/Contacts", form, &status);
	long long id;

	assert_int_equal(status, 200);
	id = atoll(json_string_value(json_object_get(json_object_get(r, "data"), "id")));
	json_decref(r);
	return id;
}

static int64_t pending_in_queue(loop *l)
{
	int64_t p = 0, d = 0, x = 0;
	rcv_queue_counts(l->q, &p, &d, &x);
	return p + d + x;
}

/* The sandbox's delivery log (new), once nothing is pending. */
static json_t *deliveries(loop *l)
{
	long status;
	json_t *r = NULL;
	int i;

	for (i = 0; i < 400; i++) {
		json_decref(r);
		r = call(l, "GET", "/_sandbox/deliveries?limit=1000", NULL, &status);
		assert_int_equal(status, 200);
		if (json_integer_value(json_object_get(r, "pending")) == 0)
			break;
		th_sleep_ms(10);
	}
	return r;
}

typedef struct found {
	json_t *events; /* array */
} found;

static int collect_event(const rcv_item *it, void *ud)
{
	json_array_append_new(ud, json_loads(it->event, 0, NULL));
	return 0;
}

/* Every event the receiver stored, in order (new array). */
static json_t *received(loop *l)
{
	json_t *a = json_array();
	rcv_queue_list(l->q, RCV_STATUS_ALL, 0, 0, collect_event, a);
	return a;
}

static const char *evs(json_t *ev, const char *group, const char *key)
{
	return json_string_value(json_object_get(group ? json_object_get(ev, group) : ev, key));
}

static void run_loop(int json)
{
	loop l;
	json_t *got, *ev, *log, *r;
	long long full, light, notify, form2, contact;
	long status;

	loop_start(&l, json);
	full = subscribe(&l, l.hook_url, "object_create(0)", NULL);
	light = subscribe(&l, l.hook_url, "object_create(0)", "{\"format\":\"lightweight\"}");
	notify = subscribe(&l, l.hook_url, "object_submits_form(1)", "{\"format\":\"notify\"}");
	form2 = subscribe(&l, l.hook_url, "object_submits_form(2)", NULL);
	subscribe(&l, l.hook_url, "object_create(14)", NULL); /* another type: never fires here */

	contact = create_contact(&l, "firstname=Mary&lastname=Smith&email=mary%40example.com");
	assert_true(TH_WAIT_UNTIL(pending_in_queue(&l) == 2, 5000));

	/* A form fill by a known email: no new contact, one form event (form 1 only). */
	r = call(&l, "POST", "/_sandbox/forms/submit",
	         "form_id=1&email=mary%40example.com&city=Paris", &status);
	assert_int_equal(status, 200);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), contact);
	assert_false(json_is_true(json_object_get(r, "created")));
	json_decref(r);
	assert_true(TH_WAIT_UNTIL(pending_in_queue(&l) == 3, 5000));
	log = deliveries(&l);
	assert_int_equal(json_array_size(json_object_get(log, "deliveries")), 3);
	json_decref(log);

	got = received(&l);
	assert_int_equal(json_array_size(got), 3);
	/* 1: full format, object_create. */
	ev = json_array_get(got, 0);
	assert_string_equal(evs(ev, NULL, "encoding"), json ? "json" : "form");
	assert_int_equal(atoll(evs(ev, NULL, "webhook_id")), full);
	assert_string_equal(evs(ev, NULL, "object_type_id"), "0");
	assert_string_equal(evs(ev, "event", "type"), "object_create");
	assert_int_equal(atoll(evs(ev, "data", "id")), contact);
	assert_string_equal(evs(ev, "data", "firstname"), "Mary");
	assert_string_equal(evs(ev, "data", "email"), "mary@example.com");
	assert_true(json_object_size(json_object_get(ev, "data")) > 20);
	assert_non_null(evs(ev, NULL, "timestamp"));
	/* 2: lightweight. */
	ev = json_array_get(got, 1);
	assert_int_equal(atoll(evs(ev, NULL, "webhook_id")), light);
	assert_int_equal(json_object_size(json_object_get(ev, "data")), 4);
	assert_string_equal(evs(ev, "data", "lastname"), "Smith");
	/* 3: the form, notify: only the id filled. */
	ev = json_array_get(got, 2);
	assert_int_equal(atoll(evs(ev, NULL, "webhook_id")), notify);
	assert_string_equal(evs(ev, "event", "type"), "object_submits_form");
	assert_string_equal(evs(ev, "event", "form_id"), "1");
	assert_int_equal(atoll(evs(ev, "data", "id")), contact);
	assert_string_equal(evs(ev, "data", "firstname"), "");
	assert_string_equal(evs(ev, "data", "city"), "");
	json_decref(got);

	/* A form fill by a new visitor: a new contact, so object_create fires too (twice: two
	 * subscriptions), then form 2's. */
	r = call(&l, "POST", "/_sandbox/forms/submit", "form_id=2&firstname=Ann&email=ann%40x.org",
	         &status);
	assert_int_equal(status, 200);
	assert_true(json_is_true(json_object_get(r, "created")));
	json_decref(r);
	assert_true(TH_WAIT_UNTIL(pending_in_queue(&l) == 6, 5000));
	got = received(&l);
	assert_string_equal(evs(json_array_get(got, 3), "event", "type"), "object_create");
	assert_string_equal(evs(json_array_get(got, 5), "event", "type"), "object_submits_form");
	assert_int_equal(atoll(evs(json_array_get(got, 5), NULL, "webhook_id")), form2);
	assert_string_equal(evs(json_array_get(got, 5), "data", "firstname"), "Ann");
	json_decref(got);

	/* The subscription records the last delivery. */
	r = call(&l, "GET", "/1/Webhooks", NULL, &status);
	assert_int_equal(status, 200);
	ev = json_array_get(json_object_get(r, "data"), 0);
	assert_string_equal(evs(ev, NULL, "last_code"), "200");
	assert_non_null(evs(ev, NULL, "last_hook"));
	assert_true(strstr(evs(ev, NULL, "last_payload"), "Ann") != NULL);
	assert_string_equal(evs(ev, NULL, "data"), "");
	assert_string_equal(evs(json_array_get(json_object_get(r, "data"), 1), NULL, "data"),
	                    "{\"format\":\"lightweight\"}");
	json_decref(r);

	/* Unsubscribed: no more deliveries for it. */
	r = call(&l, "DELETE", "/1/Webhook/unsubscribe?id=1", NULL, &status);
	assert_int_equal(status, 200);
	assert_string_equal(json_string_value(json_object_get(r, "data")), "Deleted");
	json_decref(r);
	r = call(&l, "POST", "/1/Webhook/unsubscribe", "id=1", &status);
	assert_int_equal(status, 404);
	json_decref(r);
	create_contact(&l, "firstname=Bo");
	assert_true(TH_WAIT_UNTIL(pending_in_queue(&l) == 7, 5000)); /* only the lightweight one */
	log = deliveries(&l);
	assert_int_equal(json_array_size(json_object_get(log, "deliveries")), 7);
	json_decref(log);
	th_sleep_ms(50);
	assert_int_equal(pending_in_queue(&l), 7);
	loop_stop(&l);
}

static void test_loop_form(void **state)
{
	(void)state;
	run_loop(0);
}

static void test_loop_json(void **state)
{
	(void)state;
	run_loop(1);
}

static void test_subscribe_errors(void **state)
{
	static const struct {
		const char *body, *part;
	} bad[] = {
	    {"event=object_create(0)", "Missing required parameter 'url'"},
	    {"url=http%3A%2F%2Fx", "Missing required parameter 'event'"},
	    {"url=http%3A%2F%2Fx%20y&event=object_create(0)", "blanks or control characters"},
	    {"url=x&event=tagged(1)", "Invalid event 'tagged(1)'"},
	    {"url=x&event=object_create(9999)", "no object type 9999"},
	    {"url=x&event=sub_tag(1)&data=notify", "expected a JSON object"},
	    {"url=x&event=sub_tag(1)&data=%7B%22format%22%3A%22tiny%22%7D",
	     "notify or lightweight"},
	};
	loop l;
	size_t i;
	long status;
	json_t *r;

	(void)state;
	loop_start(&l, 0);
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		r = call(&l, "POST", "/1/Webhook/subscribe", bad[i].body, &status);
		assert_int_equal(status, 400);
		if (!strstr(json_string_value(r), bad[i].part))
			fail_msg("'%s' answered '%s', lacking '%s'", bad[i].body,
			         json_string_value(r), bad[i].part);
		json_decref(r);
	}
	/* The SDK's own test URL is accepted (never delivered to: not http). */
	r = call(&l, "POST", "/1/Webhook/subscribe", "url=test.com&event=object_create(0)",
	         &status);
	assert_int_equal(status, 200);
	assert_true(json_is_integer(json_object_get(json_object_get(r, "data"), "id")));
	json_decref(r);
	create_contact(&l, "firstname=X");
	r = deliveries(&l);
	assert_string_equal(
	    evs(json_array_get(json_object_get(r, "deliveries"), 0), NULL, "status"), "failed");
	json_decref(r);
	r = call(&l, "POST", "/_sandbox/forms/submit", "form_id=99&email=a%40b.c", &status);
	assert_int_equal(status, 404);
	json_decref(r);
	r = call(&l, "POST", "/_sandbox/forms/submit", "email=a%40b.c", &status);
	assert_int_equal(status, 400);
	json_decref(r);
	/* No sandbox token, no control API. */
	loop_stop(&l);
}

/* A receiver that is down: the failure is recorded (code 0), nothing is retried; a reset
 * forgets the log; stopping with deliveries queued is clean (checked under ASan). */
static void test_failures_reset_stop(void **state)
{
	loop l;
	json_t *r, *d;
	long status;
	int i;
	char url[128];

	(void)state;
	loop_start(&l, 0);
	snprintf(url, sizeof url, "http://127.0.0.1:9/hooks/%s",
	         l.token); /* discard port: refused */
	subscribe(&l, url, "object_create(0)", NULL);
	create_contact(&l, "firstname=Al");
	r = deliveries(&l);
	d = json_array_get(json_object_get(r, "deliveries"), 0);
	assert_string_equal(evs(d, NULL, "status"), "failed");
	assert_int_equal(json_integer_value(json_object_get(d, "code")), 0);
	assert_non_null(evs(d, NULL, "error"));
	assert_int_equal(json_array_size(json_object_get(r, "deliveries")), 1);
	json_decref(r);
	r = call(&l, "GET", "/1/Webhook?id=1", NULL, &status);
	assert_string_equal(evs(json_object_get(r, "data"), NULL, "last_code"), "0");
	json_decref(r);

	r = call(&l, "POST", "/_sandbox/reset", "", &status);
	assert_int_equal(status, 200);
	json_decref(r);
	r = deliveries(&l);
	assert_int_equal(json_array_size(json_object_get(r, "deliveries")), 0);
	json_decref(r);

	/* Many deliveries queued, then stop at once. */
	subscribe(&l, l.hook_url, "object_create(0)", NULL);
	for (i = 0; i < 30; i++)
		create_contact(&l, "firstname=Q");
	loop_stop(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_strings),
	    cmocka_unit_test(test_formats),
	    cmocka_unit_test(test_data_formats),
	    cmocka_unit_test(test_payload_matches_reference),
	    cmocka_unit_test(test_payload_awkward_values),
	    cmocka_unit_test(test_loop_form),
	    cmocka_unit_test(test_loop_json),
	    cmocka_unit_test(test_subscribe_errors),
	    cmocka_unit_test(test_failures_reset_stop),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
