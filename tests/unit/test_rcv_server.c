/* Unit tests for src/receiver/server.c: the HTTP endpoint, over real HTTP with libcurl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include "test_rcv_helpers.h"

static const char TOKEN[] = "0123456789abcdef0123456789abcdef";
static const char OTHER[] = "fedcba9876543210fedcba9876543210";
static const char GENERIC[] = "00000000000000000000000000000001";
static const char FORM_BODY[] = "webhook_id=3&object_type_id=0&event%5Btype%5D=sub_tag"
                                "&event%5Btag_id%5D=4&data%5Bid%5D=8&data%5Bfirstname%5D=Mary"
                                "&timestamp=1514940140";
static const char FORM[] = "application/x-www-form-urlencoded";

typedef struct fixture {
	char *dir;
	rcv_queue *q;
	rcv_server *s;
	char base[64];
	char url[160];
} fixture;

static void quiet_log(void *ud, const char *line)
{
	(void)ud;
	/* One line per refusal: never a newline inside, never a whole token. */
	assert_null(strchr(line, '\n'));
	assert_null(strstr(line, TOKEN));
}

static int setup_with(void **state, size_t max_body)
{
	fixture *f = calloc(1, sizeof *f);
	rcv_server_config cfg = RCV_SERVER_CONFIG_INIT;
	char err[256], *db;

	f->dir = th_tmpdir();
	db = th_path(f->dir, "q.db");
	if (rcv_queue_open(&f->q, db, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	free(db);
	cfg.limits.max_body = max_body;
	cfg.log = quiet_log;
	if (rcv_server_start(&f->s, f->q, &cfg, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	assert_int_equal(rcv_server_add_hook(f->s, TOKEN, "sub_tag(4)", RCV_MODE_ONTRAPORT), 0);
	assert_int_equal(rcv_server_add_hook(f->s, GENERIC, "campaign", RCV_MODE_GENERIC), 0);
	snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", rcv_server_port(f->s));
	snprintf(f->url, sizeof f->url, "%s/hooks/%s", f->base, TOKEN);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, 0);
}

static int setup_small(void **state)
{
	return setup_with(state, 1024);
}

static int teardown(void **state)
{
	fixture *f = *state;

	rcv_server_stop(f->s);
	rcv_queue_close(f->q);
	th_rmdir(f->dir);
	free(f);
	return 0;
}

static int64_t stored(fixture *f)
{
	int64_t p = -1, d = -1, x = -1;

	assert_int_equal(rcv_queue_counts(f->q, &p, &d, &x), 0);
	return p + d + x;
}

static void test_accepts_form_and_json(void **state)
{
	fixture *f = *state;
	char *resp = NULL;
	rcv_item *it = NULL;
	json_t *r, *ev;

	assert_int_equal(th_post(f->url, FORM_BODY, FORM, &resp), 200);
	r = json_loads(resp, 0, NULL);
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_int_equal(rcv_queue_get(f->q, json_integer_value(json_object_get(r, "id")), &it), 0);
	json_decref(r);
	free(resp);
	/* Committed before the 200: it is in the queue, with the hook's key and raw body. */
	assert_string_equal(it->webhook_key, "sub_tag(4)");
	assert_string_equal(it->content_type, FORM);
	assert_int_equal(it->body_len, strlen(FORM_BODY));
	assert_memory_equal(it->body, FORM_BODY, it->body_len);
	ev = json_loads(it->event, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(ev, "encoding")), "form");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(ev, "data"), "firstname")), "Mary");
	json_decref(ev);
	rcv_item_free(it);

	assert_int_equal(th_post(f->url, "{\"event\":{\"type\":\"sub_tag\",\"tag_id\":\"4\"}}",
	                         "application/json", NULL),
	                 200);
	/* No Content-Type: sniffed. */
	assert_int_equal(th_post(f->url, "{\"event\":{\"type\":\"x\"}}", NULL, NULL), 200);
	assert_int_equal(stored(f), 3);
}

static void test_generic_hook(void **state)
{
	fixture *f = *state;
	char url[200];
	rcv_item *it = NULL;

	snprintf(url, sizeof url, "%s/hooks/%s", f->base, GENERIC);
	/* Any fields: not an Ontraport event, accepted on a generic hook. */
	assert_int_equal(th_post(url, "first=Mary&email=m%40x.com", FORM, NULL), 200);
	assert_int_equal(th_post(f->url, "first=Mary&email=m%40x.com", FORM, NULL), 400);
	assert_int_equal(rcv_queue_claim(f->q, rcv_now_ms(), &it, NULL), 0);
	assert_string_equal(it->webhook_key, "campaign");
	assert_non_null(strstr(it->event, "\"fields\":{\"first\":\"Mary\",\"email\":\"m@x.com\"}"));
	rcv_item_free(it);
}

static void test_not_found_stores_nothing(void **state)
{
	fixture *f = *state;
	char url[256], *resp = NULL;

	snprintf(url, sizeof url, "%s/hooks/%s", f->base, OTHER);
	assert_int_equal(th_post(url, FORM_BODY, FORM, &resp), 404);
	assert_string_equal(resp, "not found\n");
	free(resp);
	snprintf(url, sizeof url, "%s/hooks/%.31s", f->base, TOKEN); /* a prefix of the token */
	assert_int_equal(th_post(url, FORM_BODY, FORM, NULL), 404);
	snprintf(url, sizeof url, "%s/hooks/%sa", f->base, TOKEN); /* longer */
	assert_int_equal(th_post(url, FORM_BODY, FORM, NULL), 404);
	snprintf(url, sizeof url, "%s/hooks/%s/", f->base, TOKEN);
	assert_int_equal(th_post(url, FORM_BODY, FORM, NULL), 404);
	snprintf(url, sizeof url, "%s/", f->base);
	assert_int_equal(th_post(url, FORM_BODY, FORM, NULL), 404);
	snprintf(url, sizeof url, "%s/hooks/", f->base);
	assert_int_equal(th_post(url, FORM_BODY, FORM, NULL), 404);
	snprintf(url, sizeof url, "%s/x/hooks/%s", f->base, TOKEN);
	assert_int_equal(th_post(url, FORM_BODY, FORM, NULL), 404);
	/* A query string does not change the route. */
	snprintf(url, sizeof url, "%s?x=1", f->url);
	assert_int_equal(th_post(url, FORM_BODY, FORM, NULL), 200);
	assert_int_equal(stored(f), 1);

	/* A removed hook is gone. */
	assert_int_equal(rcv_server_remove_hook(f->s, TOKEN), 0);
	assert_int_equal(rcv_server_remove_hook(f->s, TOKEN), RCV_ENOTFOUND);
	assert_int_equal(th_post(f->url, FORM_BODY, FORM, NULL), 404);
	assert_int_equal(stored(f), 1);
}

static long request(const char *url, const char *method, const char *body)
{
	CURL *h = curl_easy_init();
	long status = 0;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	else
		curl_easy_setopt(h, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, th_collect);
	{
		util_buf sink = UTIL_BUF_INIT;
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
		if (curl_easy_perform(h) == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		util_buf_release(&sink);
	}
	curl_easy_cleanup(h);
	return status;
}

static void test_wrong_method(void **state)
{
	fixture *f = *state;

	assert_int_equal(request(f->url, "GET", NULL), 405);
	assert_int_equal(request(f->url, "PUT", FORM_BODY), 405);
	assert_int_equal(request(f->url, "DELETE", NULL), 405);
	assert_int_equal(request(f->url, "HEAD", NULL), 405);
	/* A wrong method on a wrong path says nothing about tokens. */
	assert_int_equal(request("http://127.0.0.1:1/", "GET", NULL), 0);
	assert_int_equal(stored(f), 0);
}

static void test_too_large(void **state)
{
	fixture *f = *state; /* max_body 1024 */
	char *big = malloc(5000), *resp = NULL;
	struct curl_slist *chunked = curl_slist_append(NULL, "Transfer-Encoding: chunked");
	CURL *h;

	memset(big, 'a', 4999);
	big[4999] = '\0';
	memcpy(big, "event[type]=x&data[a]=", 22);
	/* With a Content-Length: refused from the headers. */
	assert_int_equal(th_post(f->url, big, FORM, &resp), 413);
	assert_non_null(strstr(resp, "1024 bytes"));
	free(resp);
	/* Chunked, no length: refused once the body runs past the cap. */
	h = curl_easy_init();
	assert_int_equal(th_post_h(h, f->url, big, 1025, FORM, chunked, NULL), 413);
	curl_easy_cleanup(h);
	/* Exactly the cap is fine. */
	big[1024] = '\0';
	assert_int_equal(th_post(f->url, big, FORM, NULL), 200);
	assert_int_equal(stored(f), 1);
	curl_slist_free_all(chunked);
	free(big);
}

static void test_bad_bodies(void **state)
{
	fixture *f = *state;
	char *resp = NULL;

	assert_int_equal(th_post(f->url, "{\"event\":", "application/json", &resp), 400);
	assert_non_null(strstr(resp, "malformed json"));
	/* One line of text. */
	assert_non_null(strchr(resp, '\n'));
	assert_true(strchr(resp, '\n') == resp + strlen(resp) - 1);
	free(resp);
	assert_int_equal(th_post(f->url, "", FORM, NULL), 400);
	assert_int_equal(th_post(f->url, "<xml/>", "application/xml", NULL), 415);
	assert_int_equal(th_post(f->url, "event[type]=%ff", FORM, NULL), 400);
	assert_int_equal(th_post(f->url, "{\"data\":{}}", "application/json", &resp), 400);
	assert_string_equal(resp, "missing 'event' (not an ontraport webhook body)\n");
	free(resp);
	assert_int_equal(stored(f), 0);
	/* And it keeps serving. */
	assert_int_equal(th_post(f->url, FORM_BODY, FORM, NULL), 200);
	assert_int_equal(stored(f), 1);
}

static void test_too_many_headers(void **state)
{
	fixture *f = *state;
	struct curl_slist *hs = NULL;
	char line[64];
	int i;

	for (i = 0; i < 80; i++) {
		snprintf(line, sizeof line, "X-Filler-%d: %d", i, i);
		hs = curl_slist_append(hs, line);
	}
	assert_int_equal(th_post_h(NULL, f->url, FORM_BODY, strlen(FORM_BODY), FORM, hs, NULL),
	                 431);
	curl_slist_free_all(hs);
	/* Headers too large for the connection's memory: MHD refuses them itself. */
	{
		char *huge = malloc(70000);
		memcpy(huge, "X-Huge: ", 8);
		memset(huge + 8, 'h', 69990);
		huge[69998] = '\0';
		hs = curl_slist_append(NULL, huge);
		long st = th_post_h(NULL, f->url, FORM_BODY, strlen(FORM_BODY), FORM, hs, NULL);
		assert_true(st == 431 || st == 413 || st == 400 || st == 0);
		curl_slist_free_all(hs);
		free(huge);
	}
	assert_int_equal(stored(f), 0);
	assert_int_equal(th_post(f->url, FORM_BODY, FORM, NULL), 200);
}

/* Raw socket abuse: garbage, a half request, a connection dropped mid-body. */
static int raw_send(int port, const char *data, size_t len, char *reply, size_t replysz)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n = 0;
	struct timeval tv = {2, 0};

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (send(fd, data, len, MSG_NOSIGNAL) < 0) {
		close(fd);
		return -1;
	}
	if (reply) {
		n = recv(fd, reply, replysz - 1, 0);
		reply[n > 0 ? n : 0] = '\0';
	}
	close(fd);
	return (int)n;
}

static void test_raw_abuse(void **state)
{
	fixture *f = *state;
	char req[512], reply[512];
	int port = rcv_server_port(f->s);

	raw_send(port, "\x16\x03\x01garbage\r\n\r\n", 15, reply, sizeof reply);
	raw_send(port, "NOT HTTP AT ALL\r\n\r\n", 19, reply, sizeof reply);
	/* A body cut short: the sender drops after half of it. */
	snprintf(req, sizeof req,
	         "POST /hooks/%s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\n"
	         "Content-Length: 500\r\n\r\nevent[type]=sub_tag",
	         TOKEN, FORM);
	raw_send(port, req, strlen(req), NULL, 0);
	/* A negative, an absurd, and a garbage Content-Length. */
	snprintf(
	    req, sizeof req,
	    "POST /hooks/%s HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
	    TOKEN);
	raw_send(port, req, strlen(req), reply, sizeof reply);
	assert_true(strstr(reply, " 413 ") || strstr(reply, " 400 "));
	snprintf(req, sizeof req,
	         "POST /hooks/%s HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", TOKEN);
	raw_send(port, req, strlen(req), reply, sizeof reply);
	assert_true(strstr(reply, " 400 ") != NULL);
	th_sleep_ms(50);
	assert_int_equal(stored(f), 0);
	/* Still serving. */
	assert_int_equal(th_post(f->url, FORM_BODY, FORM, NULL), 200);
	assert_int_equal(stored(f), 1);
}

/* --- concurrency ------------------------------------------------------------------- */

#define SENDERS 8
#define EACH 40

typedef struct sender {
	const char *url;
	int ok, other;
} sender;

static void *send_many(void *p)
{
	sender *s = p;
	CURL *h = curl_easy_init(); /* keep-alive across requests */
	int i;

	for (i = 0; i < EACH; i++) {
		if (th_post_h(h, s->url, FORM_BODY, strlen(FORM_BODY), FORM, NULL, NULL) == 200)
			s->ok++;
		else
			s->other++;
	}
	curl_easy_cleanup(h);
	return NULL;
}

static void test_concurrent_senders(void **state)
{
	fixture *f = *state;
	pthread_t th[SENDERS];
	sender s[SENDERS];
	int i, ok = 0;

	for (i = 0; i < SENDERS; i++) {
		s[i].url = f->url;
		s[i].ok = s[i].other = 0;
		pthread_create(&th[i], NULL, send_many, &s[i]);
	}
	for (i = 0; i < SENDERS; i++) {
		pthread_join(th[i], NULL);
		ok += s[i].ok;
		assert_int_equal(s[i].other, 0);
	}
	assert_int_equal(ok, SENDERS * EACH);
	assert_int_equal(stored(f), SENDERS * EACH);
}

/* Stopping under load: every 200 is stored, the rest are refused or cut, nothing hangs. */
static void *send_until_refused(void *p)
{
	sender *s = p;
	CURL *h = curl_easy_init();

	for (;;) {
		long st = th_post_h(h, s->url, FORM_BODY, strlen(FORM_BODY), FORM, NULL, NULL);
		if (st == 200)
			s->ok++;
		else if (++s->other > 3)
			break;
	}
	curl_easy_cleanup(h);
	return NULL;
}

static void test_stop_under_load(void **state)
{
	fixture *f = *state;
	pthread_t th[4];
	sender s[4];
	int i, ok = 0;

	for (i = 0; i < 4; i++) {
		s[i].url = f->url;
		s[i].ok = s[i].other = 0;
		pthread_create(&th[i], NULL, send_until_refused, &s[i]);
	}
	th_sleep_ms(200);
	rcv_server_stop(f->s);
	f->s = NULL;
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ok += s[i].ok;
	}
	assert_true(ok > 0);
	/* Every acknowledged event is stored (some stored ones may have lost their answer). */
	assert_true(stored(f) >= ok);
}

/* Without a queue: the handler's verdict is the answer; it sees the parsed event. */
static int verdict; /* what handle returns */
static int handled; /* calls */

static int handle(void *ud, const char *key, json_t *event)
{
	(void)ud;
	assert_string_equal(key, "k");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(event, "event"), "type")), "sub_tag");
	handled++;
	return verdict;
}

static void test_no_queue_handler(void **state)
{
	rcv_server_config cfg = RCV_SERVER_CONFIG_INIT;
	rcv_server *s = (rcv_server *)1;
	char err[256], url[256], *resp = NULL;
	static const char body[] = "event[type]=sub_tag&data[id]=3";

	(void)state;
	handled = 0;
	assert_int_equal(rcv_server_start(&s, NULL, &cfg, err, sizeof err), RCV_EINVALID);
	assert_null(s);
	assert_non_null(strstr(err, "no queue and no event handler"));
	cfg.handle = handle;
	cfg.log = quiet_log;
	cfg.listen_fd = 987; /* not open */
	assert_int_equal(rcv_server_start(&s, NULL, &cfg, err, sizeof err), RCV_EINVALID);
	assert_non_null(strstr(err, "invalid listening socket 987"));
	cfg.listen_fd = 0;
	assert_int_equal(rcv_server_start(&s, NULL, &cfg, err, sizeof err), 0);
	assert_int_equal(rcv_server_add_hook(s, TOKEN, "k", RCV_MODE_ONTRAPORT), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hooks/%s", rcv_server_port(s), TOKEN);
	verdict = 0;
	assert_int_equal(th_post(url, body, "application/x-www-form-urlencoded", &resp), 200);
	assert_string_equal(resp, "{\"ok\":true}\n");
	free(resp);
	verdict = -1;
	assert_int_equal(th_post(url, body, "application/x-www-form-urlencoded", &resp), 500);
	assert_string_equal(resp, "event not handled\n");
	free(resp);
	assert_int_equal(th_post(url, "data[id]=3", "application/x-www-form-urlencoded", NULL),
	                 400);
	assert_int_equal(handled, 2); /* not for the refused body */
	rcv_server_stop(s);
}

static void test_config_errors(void **state)
{
	rcv_server_config cfg = RCV_SERVER_CONFIG_INIT;
	rcv_server *s = (rcv_server *)1;
	rcv_queue *q = NULL;
	char err[256], *dir = th_tmpdir(), *db = th_path(dir, "q.db");
	char tok[RCV_TOKEN_HEX + 1];

	assert_int_equal(rcv_queue_open(&q, db, err, sizeof err), 0);
	cfg.bind = "localhost";
	assert_int_equal(rcv_server_start(&s, q, &cfg, err, sizeof err), RCV_EINVALID);
	assert_null(s);
	assert_non_null(strstr(err, "'localhost'"));
	cfg.bind = "::1";
	if (rcv_server_start(&s, q, &cfg, err, sizeof err) == 0) { /* IPv6 may be off */
		assert_true(rcv_server_port(s) > 0);
		rcv_server_stop(s);
	}
	cfg.bind = NULL;
	assert_int_equal(rcv_server_start(&s, q, &cfg, err, sizeof err), 0);
	/* Tokens must carry at least 128 bits. */
	assert_int_equal(rcv_server_add_hook(s, "abc", "k", RCV_MODE_ONTRAPORT), RCV_EINVALID);
	assert_int_equal(
	    rcv_server_add_hook(s, "0123456789abcdef0123456789abcdeg", "k", RCV_MODE_ONTRAPORT),
	    RCV_EINVALID);
	assert_int_equal(rcv_server_add_hook(s, TOKEN, "", RCV_MODE_ONTRAPORT), RCV_EINVALID);
	assert_int_equal(rcv_token_new(tok, sizeof tok), 0);
	assert_int_equal(strlen(tok), 32);
	assert_true(rcv_token_valid(tok));
	assert_int_equal(rcv_server_add_hook(s, tok, "k", RCV_MODE_ONTRAPORT), 0);
	assert_int_equal(rcv_server_add_hook(s, tok, "k2", RCV_MODE_GENERIC), 0); /* replaces */
	assert_int_equal(rcv_token_new(tok, 10), RCV_EINVALID);
	rcv_server_stop(s);
	rcv_server_stop(NULL);
	rcv_queue_close(q);
	free(db);
	th_rmdir(dir);
}

static void test_tokens_differ(void **state)
{
	char a[RCV_TOKEN_HEX + 1], b[RCV_TOKEN_HEX + 1];

	assert_int_equal(rcv_token_new(a, sizeof a), 0);
	assert_int_equal(rcv_token_new(b, sizeof b), 0);
	assert_string_not_equal(a, b);
	assert_false(rcv_token_valid(NULL));
	assert_false(rcv_token_valid(""));
	assert_true(rcv_token_valid("ABCDEF0123456789ABCDEF0123456789"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_accepts_form_and_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_generic_hook, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_found_stores_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_method, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_large, setup_small, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_bodies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_headers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_raw_abuse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_senders, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_under_load, setup, teardown),
	    cmocka_unit_test(test_config_errors),
	    cmocka_unit_test(test_no_queue_handler),
	    cmocka_unit_test(test_tokens_differ),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
