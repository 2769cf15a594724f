/*
 * ontra_receiver_* against a real sandbox process: the sandbox fires real
 * webhooks (form bodies, or JSON with --webhook-json) at the receiver's URL,
 * subscribed through the library, and the test checks what the callback got.
 *   - without a queue: each event reaches the callback, in both encodings, on
 *     a port or on a listening socket given; a failing callback makes the
 *     answer a 500 (the subscription's last_code);
 *   - with a queue: a failed callback is called again and the event handled;
 *     an event not handled before a stop is handled after the next start;
 *   - bodies that are not events are answered 4xx and queue nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAX_SEEN 16

/* What the callback saw; the test thread waits on it. */
typedef struct seen {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int calls;      /* every call */
	int fail_first; /* fail the first call of each event (by contact id) */
	int fail_all;   /* fail every call */
	int n;          /* events handled (returned 0) */
	long long ids[MAX_SEEN], tried[MAX_SEEN];
	int kinds[MAX_SEEN], queue_ids[MAX_SEEN];
	char emails[MAX_SEEN][64], encodings[MAX_SEEN][8];
	int ntried;
} seen;

static void seen_init(seen *s)
{
	memset(s, 0, sizeof *s);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
}

/* Forget what was seen (between two receivers: no callback is running). */
static void seen_reset(seen *s)
{
	s->calls = s->fail_first = s->fail_all = s->n = s->ntried = 0;
}

static int tried_before(seen *s, long long id)
{
	int i;

	for (i = 0; i < s->ntried; i++)
		if (s->tried[i] == id)
			return 1;
	if (s->ntried < MAX_SEEN)
		s->tried[s->ntried++] = id;
	return 0;
}

static int on_event(const ontra_event *ev, void *userdata)
{
	seen *s = userdata;
	long long id = ontra_event_object_id(ev);
	const char *email = ontra_event_field(ev, "email");
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	s->calls++;
	if (s->fail_all || (s->fail_first && !tried_before(s, id))) {
		rc = -1;
	} else if (s->n < MAX_SEEN) {
		s->ids[s->n] = id;
		s->kinds[s->n] = ontra_event_kind(ev);
		s->queue_ids[s->n] =
		    (int)json_integer_value(json_object_get(ontra_event_json(ev), "id"));
		snprintf(s->emails[s->n], sizeof s->emails[0], "%s", email ? email : "");
		snprintf(s->encodings[s->n], sizeof s->encodings[0], "%s",
		         ontra_event_encoding(ev));
		s->n++;
	}
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static double time_scale(void)
{
	const char *v = getenv("ONTRA_TEST_TIME_SCALE");
	double f = v ? strtod(v, NULL) : 1;
	return f >= 1 ? f : 1;
}

/* Wait until *counter reaches want, at most 10 s (scaled); the count reached. */
static int wait_count(seen *s, const int *counter, int want)
{
	struct timespec until;
	int got;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)(10 * time_scale());
	pthread_mutex_lock(&s->mu);
	while (*counter < want && pthread_cond_timedwait(&s->cv, &s->mu, &until) == 0)
		;
	got = *counter;
	pthread_mutex_unlock(&s->mu);
	return got;
}

/* Subscribe the receiver's URL to object_create(0) (new contacts); the subscription id. */
static long long subscribe(ontra_client *c, const ontra_receiver *r)
{
	ontra_webhook_options wo = ONTRA_WEBHOOK_OPTIONS_INIT;
	json_t *sub = NULL;
	char url[512];
	long long id;

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", ontra_receiver_port(r),
	         ontra_receiver_path(r));
	wo.url = url;
	wo.event = ONTRA_EVENT_OBJECT_CREATE;
	wo.target = ONTRA_CONTACT;
	if (ontra_webhook_subscribe(&sub, c, &wo) != 0)
		fail_msg("subscribe: %s", ontra_error_last()->message);
	id = json_integer_value(json_object_get(sub, "id"));
	json_decref(sub);
	assert_true(id > 0);
	return id;
}

/* Create a contact; its id. */
static long long contact(ontra_client *c, const char *email)
{
	json_t *fields = json_pack("{s:s}", "email", email), *rec = NULL;
	long long id;

	if (ontra_object_create(&rec, c, ONTRA_CONTACT, fields) != 0)
		fail_msg("create %s: %s", email, ontra_error_last()->message);
	id = json_integer_value(json_object_get(rec, "id"));
	if (!id)
		id = strtoll(json_string_value(json_object_get(rec, "id")), NULL, 10);
	json_decref(fields);
	json_decref(rec);
	assert_true(id > 0);
	return id;
}

static ontra_receiver *start(ontra_receiver_options *o, seen *s)
{
	ontra_receiver *r = NULL;

	o->on_event = on_event;
	o->userdata = s;
	if (ontra_receiver_start(&r, o) != 0)
		fail_msg("receiver: %s", ontra_error_last()->message);
	assert_true(ontra_receiver_port(r) > 0);
	assert_int_equal(strncmp(ontra_receiver_path(r), "/hooks/", 7), 0);
	return r;
}

/* A sandbox, a client for it and what the callback saw: each test's world. */
typedef struct world {
	sandbox_proc sp;
	ontra_client *c;
	seen s;
} world;

static int up(void **state, const char *const *extra)
{
	world *w = calloc(1, sizeof *w);

	if (!w || sandbox_start(&w->sp, extra) != 0)
		return -1;
	w->c = sandbox_client(&w->sp);
	seen_init(&w->s);
	*state = w;
	return 0;
}

static int up_form(void **state)
{
	return up(state, NULL);
}

static int up_json(void **state)
{
	static const char *const extra[] = {"--webhook-json", NULL};
	return up(state, extra);
}

static int down(void **state)
{
	world *w = *state;

	ontra_client_free(w->c);
	sandbox_stop(&w->sp);
	free(w);
	return 0;
}

/* Form bodies (the sandbox's default), on a port the receiver picked. */
static void each_event_reaches_the_callback(void **state)
{
	ontra_receiver_options o = ONTRA_RECEIVER_OPTIONS_INIT;
	world *w = *state;
	seen *s = &w->s;
	ontra_receiver *r = start(&o, s);
	long long a, b;

	subscribe(w->c, r);
	a = contact(w->c, "ann@example.com");
	b = contact(w->c, "bob@example.com");
	assert_int_equal(wait_count(s, &s->n, 2), 2);
	assert_int_equal(s->calls, 2);
	assert_int_equal(s->ids[0], a);
	assert_int_equal(s->ids[1], b);
	assert_int_equal(s->kinds[0], ONTRA_EVENT_OBJECT_CREATE);
	assert_string_equal(s->emails[0], "ann@example.com");
	assert_string_equal(s->emails[1], "bob@example.com");
	assert_string_equal(s->encodings[0], "form");
	assert_int_equal(s->queue_ids[0], 0); /* no queue */
	ontra_receiver_free(r);
}

/* A listening socket of the caller's: the receiver serves on it. */
static int listening_socket(int *port)
{
	struct sockaddr_in a;
	socklen_t n = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd > 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* JSON bodies (--webhook-json), on a socket given. */
static void json_bodies_on_a_given_socket(void **state)
{
	ontra_receiver_options o = ONTRA_RECEIVER_OPTIONS_INIT;
	world *w = *state;
	seen *s = &w->s;
	ontra_receiver *r;
	int port, fd = listening_socket(&port);

	o.listen_fd = fd;
	o.token = "0123456789abcdef0123456789abcdef";
	r = start(&o, s);
	close(fd); /* the receiver serves on its own dup */
	assert_int_equal(ontra_receiver_port(r), port);
	assert_string_equal(ontra_receiver_path(r), "/hooks/0123456789abcdef0123456789abcdef");
	subscribe(w->c, r);
	contact(w->c, "jo@example.com");
	assert_int_equal(wait_count(s, &s->n, 1), 1);
	assert_string_equal(s->encodings[0], "json");
	assert_string_equal(s->emails[0], "jo@example.com");
	ontra_receiver_free(r);
}

/* The subscription's last_code once the sandbox recorded a delivery; NULL if none in time. */
static char *last_code(ontra_client *c, long long hook)
{
	int i, tries = (int)(200 * time_scale());

	for (i = 0; i < tries; i++) {
		json_t *w = NULL;
		char *code = NULL;
		const char *v;
		if (ontra_webhook_get(&w, c, hook) == 0) {
			v = json_string_value(json_object_get(w, "last_code"));
			if (v && strcmp(v, "0") != 0)
				code = strdup(v);
		}
		json_decref(w);
		if (code)
			return code;
		usleep(50 * 1000); /* polling a condition, not a fixed wait */
	}
	return NULL;
}

/* No queue: a failing callback makes the answer a 500, never a 200. */
static void failing_callback_answers_500(void **state)
{
	ontra_receiver_options o = ONTRA_RECEIVER_OPTIONS_INIT;
	world *w = *state;
	seen *s = &w->s;
	ontra_receiver *r;
	long long hook;
	char *code;

	s->fail_all = 1;
	r = start(&o, s);
	hook = subscribe(w->c, r);
	contact(w->c, "no@example.com");
	assert_int_equal(wait_count(s, &s->calls, 1), 1);
	code = last_code(w->c, hook);
	assert_non_null(code);
	assert_string_equal(code, "500");
	free(code);
	assert_int_equal(s->n, 0);
	ontra_receiver_free(r);
}

static char *queue_file(char *dir, size_t dirsz)
{
	char *path = malloc(512);

	snprintf(dir, dirsz, "%s/itest_receiver.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, 512, "%s/events.db", dir);
	return path;
}

static void remove_queue(const char *dir, const char *path)
{
	char p[600];

	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	rmdir(dir);
}

/* With a queue: 200 once stored; the failed callback is called again, then handled. */
static void queue_retries_a_failed_callback(void **state)
{
	ontra_receiver_options o = ONTRA_RECEIVER_OPTIONS_INIT;
	world *w = *state;
	seen *s = &w->s;
	ontra_receiver *r;
	long long a, b, hook;
	char dir[256], *path = queue_file(dir, sizeof dir), *code;

	s->fail_first = 1;
	o.queue_path = path;
	o.retry_base_ms = 50;
	r = start(&o, s);
	hook = subscribe(w->c, r);
	a = contact(w->c, "q1@example.com");
	b = contact(w->c, "q2@example.com");
	assert_int_equal(wait_count(s, &s->n, 2), 2);
	assert_int_equal(s->calls, 4);  /* each failed once, then handled */
	assert_int_equal(s->ids[0], a); /* in arrival order */
	assert_int_equal(s->ids[1], b);
	assert_int_equal(s->queue_ids[0], 1);
	assert_int_equal(s->queue_ids[1], 2);
	code = last_code(w->c, hook);
	assert_non_null(code);
	assert_string_equal(code, "200"); /* answered when stored, before the callback */
	free(code);
	ontra_receiver_free(r);

	/* Stopped with an event not handled: the next start on the file handles it. */
	seen_reset(s);
	s->fail_all = 1;
	r = start(&o, s);
	subscribe(w->c, r);
	contact(w->c, "q3@example.com");
	assert_true(wait_count(s, &s->calls, 1) >= 1);
	ontra_receiver_free(r);
	assert_int_equal(s->n, 0);
	seen_reset(s);
	r = start(&o, s);
	assert_int_equal(wait_count(s, &s->n, 1), 1);
	assert_string_equal(s->emails[0], "q3@example.com");
	assert_int_equal(s->queue_ids[0], 3);
	ontra_receiver_free(r);
	remove_queue(dir, path);
	free(path);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* POST (or `method`) body to the receiver; the HTTP status. */
static long post(const ontra_receiver *r, const char *method, const char *path, const char *ct,
                 const char *body)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = NULL;
	char url[512], cth[128];
	long status = 0;

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", ontra_receiver_port(r),
	         path ? path : ontra_receiver_path(r));
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	if (ct) {
		snprintf(cth, sizeof cth, "Content-Type: %s", ct);
		hdr = curl_slist_append(hdr, cth);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return status;
}

/* Bodies that are not events: 4xx, and nothing queued (the good one is the queue's first). */
static void bad_bodies_are_refused(void **state)
{
	static const char form[] = "application/x-www-form-urlencoded";
	ontra_receiver_options o = ONTRA_RECEIVER_OPTIONS_INIT;
	ontra_receiver *r;
	char dir[256], *path = queue_file(dir, sizeof dir);
	seen s;

	(void)state;
	seen_init(&s);
	o.queue_path = path;
	r = start(&o, &s);
	assert_int_equal(post(r, "POST", NULL, "application/json", "{\"event\":"), 400);
	assert_int_equal(post(r, "POST", NULL, form, "data[id]=4"), 400);
	assert_int_equal(post(r, "POST", NULL, "text/xml", "<event/>"), 415);
	assert_int_equal(post(r, "POST", NULL, form, ""), 400);
	assert_int_equal(post(r, "GET", NULL, NULL, NULL), 405);
	assert_int_equal(
	    post(r, "POST", "/hooks/0123456789abcdef0123456789abcdef", form, "event[type]=sub_tag"),
	    404);
	assert_int_equal(
	    post(r, "POST", NULL, form,
	         "event[type]=sub_tag&event[tag_id]=4&data[id]=8&data[email]=ok%40x.io"),
	    200);
	assert_int_equal(wait_count(&s, &s.n, 1), 1);
	assert_int_equal(s.queue_ids[0], 1);
	assert_int_equal(s.ids[0], 8);
	assert_string_equal(s.emails[0], "ok@x.io");
	assert_int_equal(s.calls, 1);
	ontra_receiver_free(r);
	remove_queue(dir, path);
	free(path);
}

/* Refused options: one line, nothing started. */
static void bad_options(void **state)
{
	ontra_receiver_options o = ONTRA_RECEIVER_OPTIONS_INIT;
	ontra_receiver *r = (ontra_receiver *)1;
	seen s;

	(void)state;
	seen_init(&s);
	assert_int_equal(ontra_receiver_start(&r, &o), ONTRA_EINVALID);
	assert_null(r);
	assert_non_null(strstr(ontra_error_last()->message, "no event callback"));
	o.on_event = on_event;
	o.userdata = &s;
	o.token = "short";
	assert_int_equal(ontra_receiver_start(&r, &o), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "invalid receiver token"));
	o.token = NULL;
	o.bind = "localhost";
	assert_int_equal(ontra_receiver_start(&r, &o), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "invalid bind address 'localhost'"));
	o.bind = NULL;
	o.queue_path = "/nonexistent-dir/q.db";
	assert_true(ontra_receiver_start(&r, &o) < 0);
	assert_null(r);
	/* the library's queue is SQLite only: it does not link libpq */
	o.queue_path = "postgresql://user:secret@127.0.0.1:1/db";
	assert_true(ontra_receiver_start(&r, &o) < 0);
	assert_null(r);
	assert_non_null(strstr(ontra_error_last()->message, "SQLite only"));
	assert_null(strstr(ontra_error_last()->message, "secret"));
	ontra_receiver_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(each_event_reaches_the_callback, up_form, down),
	    cmocka_unit_test_setup_teardown(json_bodies_on_a_given_socket, up_json, down),
	    cmocka_unit_test_setup_teardown(failing_callback_answers_500, up_form, down),
	    cmocka_unit_test_setup_teardown(queue_retries_a_failed_callback, up_form, down),
	    cmocka_unit_test(bad_bodies_are_refused),
	    cmocka_unit_test(bad_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
