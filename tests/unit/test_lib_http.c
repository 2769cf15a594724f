/*
 * lib/http.c: the wire form of a request (method, URL, auth headers, query
 * and body encodings), requests refused before sending, responses (status,
 * headers, rate limits, size cap), and the retry policy: which statuses and
 * transport errors are repeated, unsafe writes never, 429 even for a create (within max_retries),
 * and the limits max_retries and retry_max_ms. Backoffs are kept small: max_retries is at most 2,
 * so a test pays at most 0.75 s of backoff.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_fail.h"
#include "internal.h"
#include "ontraport.h"
#include "mock_http.h"

static unsigned long requests_of(const ontra_client *c)
{
	ontra_client_stats st;
	ontra_client_stats_get(c, &st);
	return st.requests;
}

/* The value of header `name` in a recorded request, or "" (a static buffer). */
static const char *req_header(const mock_req *r, const char *name)
{
	static char v[512];
	mock_header(r->head, strlen(r->head), name, v, sizeof v);
	return v;
}

/* A loopback port nothing listens on. */
static int closed_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void test_get_wire(void **state)
{
	static const char *const replies[] = {"{\"code\":0}", NULL};
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *q = NULL, *h = NULL;
	ontra_response *r = NULL;
	mock_http m;
	ontra_client *c;

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	c = mock_client(m.base_url);
	assert_int_equal(ontra_params_new(&q), 0);
	assert_int_equal(ontra_params_add(q, "search", "a b&c=d/é"), 0);
	assert_int_equal(ontra_params_add_int(q, "range", 5), 0);
	assert_int_equal(ontra_params_new(&h), 0);
	assert_int_equal(ontra_params_add_header(h, "X-Trace: t1"), 0);
	assert_int_equal(ontra_params_add_header(h, "Api-Key: stolen"), 0);
	req.path = "Contacts?objectID=0"; /* no leading slash; its own query */
	req.query = q;
	req.headers = h;
	assert_int_equal(ontra_send(&r, c, &req), 0);
	mock_stop(&m);
	assert_int_equal(m.nreqs, 1);
	assert_string_equal(m.reqs[0].method, "GET");
	assert_string_equal(m.reqs[0].target,
	                    "/1/Contacts?objectID=0&search=a%20b%26c%3Dd%2F%C3%A9&range=5");
	/* The caller's Api-Key is dropped: the client's own key is sent, once. */
	assert_string_equal(req_header(&m.reqs[0], "Api-Key"), "Key5678");
	assert_null(strstr(m.reqs[0].head, "stolen"));
	assert_string_equal(req_header(&m.reqs[0], "Api-Appid"), "2_AppID_12345678");
	assert_string_equal(req_header(&m.reqs[0], "Accept"), "application/json");
	assert_string_equal(req_header(&m.reqs[0], "User-Agent"), "libontraport/" ONTRA_VERSION);
	assert_string_equal(req_header(&m.reqs[0], "X-Trace"), "t1");
	assert_string_equal(m.reqs[0].body, "");
	mock_free(&m);
	ontra_response_free(r);
	ontra_params_free(q);
	ontra_params_free(h);
	ontra_client_free(c);
}

static void test_body_encodings(void **state)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *form = NULL;
	ontra_response *r = NULL;
	json_t *j;
	mock_http m;
	ontra_client *c;

	(void)state;
	assert_int_equal(mock_start(&m, NULL), 0);
	c = mock_client(m.base_url);
	assert_int_equal(ontra_params_new(&form), 0);
	assert_int_equal(ontra_params_add(form, "firstname", "Ann Lee"), 0);
	assert_int_equal(ontra_params_add(form, "note", "a+b&c"), 0);
	req.method = "POST";
	req.path = "/objects/saveorupdate";
	req.form = form;
	assert_int_equal(ontra_send(&r, c, &req), 0);
	ontra_response_free(r);

	j = json_pack("{s:s, s:i}", "email", "a@b.c", "objectID", 0);
	assert_non_null(j);
	req = (ontra_request)ONTRA_REQUEST_INIT;
	req.method = "PUT";
	req.path = "/objects";
	req.json = j;
	assert_int_equal(ontra_send(&r, c, &req), 0);
	ontra_response_free(r);

	req = (ontra_request)ONTRA_REQUEST_INIT;
	req.method = "PATCH";
	req.path = "/raw";
	req.body = "hello\0there";
	req.body_len = 11;
	req.content_type = "application/octet-stream";
	assert_int_equal(ontra_send(&r, c, &req), 0);
	ontra_response_free(r);
	mock_stop(&m);

	assert_int_equal(m.nreqs, 3);
	assert_string_equal(m.reqs[0].method, "POST");
	assert_string_equal(m.reqs[0].content_type, "application/x-www-form-urlencoded");
	assert_string_equal(m.reqs[0].body, "firstname=Ann%20Lee&note=a%2Bb%26c");
	assert_string_equal(m.reqs[1].method, "PUT");
	assert_string_equal(m.reqs[1].content_type, "application/json");
	assert_string_equal(m.reqs[1].body, "{\"email\":\"a@b.c\",\"objectID\":0}");
	assert_string_equal(m.reqs[2].method, "PATCH");
	assert_string_equal(m.reqs[2].content_type, "application/octet-stream");
	assert_string_equal(req_header(&m.reqs[2], "Content-Length"), "11");
	assert_memory_equal(m.reqs[2].body, "hello\0there", 11);
	/* No 100-continue round trip. */
	assert_null(strstr(m.reqs[0].head, "100-continue"));
	mock_free(&m);
	json_decref(j);
	ontra_params_free(form);
	ontra_client_free(c);
}

/* A request that is refused before anything is sent, with `part` in its message. */
static void refused(ontra_client *c, const ontra_request *req, const char *part)
{
	ontra_response *r = (ontra_response *)1;

	assert_int_equal(ontra_send(&r, c, req), ONTRA_EINVALID);
	assert_null(r);
	if (!strstr(ontra_error_last()->message, part))
		fail_msg("'%s' lacks '%s'", ontra_error_last()->message, part);
	assert_int_equal(requests_of(c), 0);
}

static void test_refused_requests(void **state)
{
	ontra_client *c = mock_client("http://127.0.0.1:9/1");
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *form = NULL, *h = NULL;
	json_t *j = json_object();

	(void)state;
	assert_non_null(j);
	refused(c, &req, "missing request path");
	req.path = "/a b";
	refused(c, &req, "invalid path '/a b'");
	req.path = "https://evil.example/x";
	refused(c, &req, "expected a path relative to the base url");
	req.path = "/Contacts";
	req.method = "GE T";
	refused(c, &req, "invalid method 'GE T'");
	req.method = "POST";
	assert_int_equal(ontra_params_new(&form), 0);
	req.form = form;
	req.json = j;
	refused(c, &req, "a request takes one body");
	req.form = NULL;
	req.json = NULL;
	assert_int_equal(ontra_params_new(&h), 0);
	assert_int_equal(ontra_params_add(h, "X-Bad", "a\r\nInjected: 1"), 0);
	req.headers = h;
	refused(c, &req, "invalid header 'X-Bad'");
	req.headers = NULL;
	req.version = 99;
	refused(c, &req, "expected ONTRA_REQUEST_INIT");
	ontra_params_free(form);
	ontra_params_free(h);
	json_decref(j);
	ontra_client_free(c);
}

static void test_response_parts(void **state)
{
	static const char *const replies[] = {"{\"code\":0,\"data\":[]}", NULL};
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_response *r = NULL;
	ontra_rate_limit rl;
	const char *body;
	size_t len = 0;
	mock_http m;
	ontra_client *c;

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	m.statuses[0] = 201;
	m.extra[0] = "X-Rate-Limit-Limit: 180\r\nX-Rate-Limit-Remaining: 17\r\n"
	             "X-Rate-Limit-Reset: 42\r\nX-Custom: yes\r\n";
	c = mock_client(m.base_url);
	ontra_client_rate_limit(c, &rl);
	assert_int_equal(rl.limit, -1);
	req.path = "/Contacts";
	assert_int_equal(ontra_send(&r, c, &req), 0);
	mock_stop(&m);
	assert_int_equal(ontra_response_status(r), 201);
	body = ontra_response_body(r, &len);
	assert_string_equal(body, replies[0]);
	assert_int_equal(len, strlen(replies[0]));
	assert_string_equal(ontra_response_header(r, "x-custom"), "yes");
	assert_string_equal(ontra_response_header(r, "CONTENT-TYPE"), "application/json");
	assert_null(ontra_response_header(r, "X-Absent"));
	assert_true(ontra_params_count(ontra_response_headers(r)) >= 5);
	ontra_response_rate_limit(r, &rl);
	assert_int_equal(rl.limit, 180);
	assert_int_equal(rl.remaining, 17);
	assert_int_equal(rl.reset, 42);
	ontra_client_rate_limit(c, &rl);
	assert_int_equal(rl.remaining, 17);
	ontra_response_free(r);
	mock_free(&m);
	ontra_client_free(c);
}

static void test_response_too_large(void **state)
{
	static const char *const replies[] = {"{\"code\":0,\"data\":\"0123456789012345678901234\"}",
	                                      NULL};
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_response *r = (ontra_response *)1;
	ontra_client *c = NULL;
	mock_http m;

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	o.base_url = m.base_url;
	o.app_id = "a";
	o.api_key = "k";
	o.max_response_size = 16;
	o.max_retries = ONTRA_RETRIES_NONE;
	if (ontra_client_new(&c, &o) != 0)
		fail_msg("cannot create a client: %s", ontra_error_last()->message);
	req.path = "/big";
	assert_int_equal(ontra_send(&r, c, &req), ONTRA_EBADRESPONSE);
	assert_null(r);
	assert_non_null(strstr(ontra_error_last()->message, "larger than the 16-byte limit"));
	mock_stop(&m);
	assert_int_equal(m.nreqs, 1);
	mock_free(&m);
	ontra_client_free(c);
}

/* Send req to a server answering `statuses` in turn; return the final status (or error). */
static int run_statuses(mock_http *m, ontra_client **cp, const ontra_request *req,
                        const int *statuses, size_t n, int max_retries)
{
	ontra_response *r = NULL;
	int rc;
	size_t i;

	assert_int_equal(mock_start(m, NULL), 0);
	for (i = 0; i < n; i++)
		m->statuses[i] = statuses[i];
	*cp = mock_client_retry(m->base_url, max_retries, 0);
	rc = ontra_send(&r, *cp, req);
	if (rc == 0)
		rc = ontra_response_status(r);
	ontra_response_free(r);
	mock_stop(m);
	mock_free(m);
	return rc;
}

static void check_retries(const char *method, const char *path, ontra_retry retry,
                          const int *statuses, size_t n, int max_retries, int want_rc,
                          unsigned long want_requests)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_client *c = NULL;
	ontra_client_stats st;
	mock_http m;
	int rc;

	req.method = method;
	req.path = path;
	req.retry = retry;
	rc = run_statuses(&m, &c, &req, statuses, n, max_retries);
	ontra_client_stats_get(c, &st);
	ontra_client_free(c);
	if (rc != want_rc || st.requests != want_requests || st.retries != want_requests - 1)
		fail_msg("%s %s: got %d after %lu requests (%lu retries), expected %d after %lu",
		         method, path, rc, st.requests, st.retries, want_rc, want_requests);
}

static void test_retry_statuses(void **state)
{
	static const int s503[] = {503, 200}, s502[] = {502, 500, 200},
	                 s500x4[] = {500, 500, 500, 500}, s404[] = {404, 200}, s400[] = {400, 200},
	                 s501[] = {501, 200}, s504[] = {504, 200};

	(void)state;
	/* A safe GET is repeated after 500/502/503/504... */
	check_retries("GET", "/Contacts", ONTRA_RETRY_AUTO, s503, 2, 2, 200, 2);
	check_retries("GET", "/Contacts", ONTRA_RETRY_AUTO, s502, 3, 2, 200, 3);
	check_retries("DELETE", "/object?id=1", ONTRA_RETRY_AUTO, s504, 2, 2, 200, 2);
	/* ...up to max_retries, then the last answer is returned... */
	check_retries("GET", "/Contacts", ONTRA_RETRY_AUTO, s500x4, 4, 2, 500, 3);
	check_retries("GET", "/Contacts", ONTRA_RETRY_AUTO, s500x4, 4, ONTRA_RETRIES_NONE, 500, 1);
	/* ...but not after a client error or a 501. */
	check_retries("GET", "/Contacts", ONTRA_RETRY_AUTO, s404, 2, 2, 404, 1);
	check_retries("GET", "/Contacts", ONTRA_RETRY_AUTO, s400, 2, 2, 400, 1);
	check_retries("GET", "/Contacts", ONTRA_RETRY_AUTO, s501, 2, 2, 501, 1);
	/* A create is never repeated; an upsert, pause or unpause is. */
	check_retries("POST", "/objects", ONTRA_RETRY_AUTO, s503, 2, 2, 503, 1);
	check_retries("POST", "/objects/saveorupdate", ONTRA_RETRY_AUTO, s503, 2, 2, 200, 2);
	check_retries("POST", "/Rules/pause?x=1", ONTRA_RETRY_AUTO, s503, 2, 2, 200, 2);
	/* The caller's word wins over the method. */
	check_retries("GET", "/Contacts", ONTRA_RETRY_NEVER, s503, 2, 2, 503, 1);
	check_retries("POST", "/objects", ONTRA_RETRY_SAFE, s503, 2, 2, 200, 2);
}

static void test_retry_budget(void **state)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_response *r = NULL;
	ontra_client *c;
	mock_http m;

	(void)state;
	/* retry_max_ms smaller than the first backoff (at least 125 ms): no repeat. */
	assert_int_equal(mock_start(&m, NULL), 0);
	m.statuses[0] = 503;
	c = mock_client_retry(m.base_url, 5, 50);
	req.path = "/Contacts";
	assert_int_equal(ontra_send(&r, c, &req), 0);
	assert_int_equal(ontra_response_status(r), 503);
	assert_int_equal(requests_of(c), 1);
	ontra_response_free(r);
	mock_stop(&m);
	mock_free(&m);
	ontra_client_free(c);
}

static void test_retry_429(void **state)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_response *r = NULL;
	ontra_client_stats st;
	ontra_client *c;
	mock_http m;

	(void)state;
	/* A 429 is repeated even for a create: the server did nothing. It waits the reset (1 s). */
	assert_int_equal(mock_start(&m, NULL), 0);
	m.statuses[0] = 429;
	m.extra[0] = "X-Rate-Limit-Reset: 1\r\n";
	c = mock_client_retry(m.base_url, 2, 0);
	req.method = "POST";
	req.path = "/objects";
	assert_int_equal(ontra_send(&r, c, &req), 0);
	assert_int_equal(ontra_response_status(r), 200);
	ontra_client_stats_get(c, &st);
	assert_int_equal(st.requests, 2);
	assert_int_equal(st.rate_limited, 1);
	ontra_response_free(r);
	mock_stop(&m);
	mock_free(&m);
	ontra_client_free(c);

	/* With a budget shorter than the reset, the 429 comes back at once. */
	assert_int_equal(mock_start(&m, NULL), 0);
	m.statuses[0] = 429;
	m.extra[0] = "X-Rate-Limit-Reset: 30\r\n";
	c = mock_client_retry(m.base_url, 2, 1000);
	assert_int_equal(ontra_send(&r, c, &req), 0);
	assert_int_equal(ontra_response_status(r), 429);
	assert_int_equal(requests_of(c), 1);
	ontra_response_free(r);
	mock_stop(&m);
	mock_free(&m);
	ontra_client_free(c);
}

static void test_dropped_connection(void **state)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_response *r = (ontra_response *)1;
	ontra_client *c;
	mock_http m;

	(void)state;
	/* A create whose connection dies after sending is not repeated: EUNSAFE. */
	assert_int_equal(mock_start(&m, NULL), 0);
	m.statuses[0] = MOCK_DROP;
	c = mock_client_retry(m.base_url, 2, 0);
	req.method = "POST";
	req.path = "/objects";
	assert_int_equal(ontra_send(&r, c, &req), ONTRA_EUNSAFE);
	assert_null(r);
	assert_non_null(strstr(ontra_error_last()->message, "POST /objects"));
	assert_non_null(strstr(ontra_error_last()->message, "was not repeated"));
	assert_int_not_equal(ontra_error_last()->curl_code, 0);
	assert_int_equal(requests_of(c), 1);
	mock_stop(&m);
	assert_int_equal(m.nreqs, 1);
	mock_free(&m);
	ontra_client_free(c);

	/* A GET is asked again. */
	assert_int_equal(mock_start(&m, NULL), 0);
	m.statuses[0] = MOCK_DROP;
	c = mock_client_retry(m.base_url, 2, 0);
	req.method = "GET";
	assert_int_equal(ontra_send(&r, c, &req), 0);
	assert_int_equal(ontra_response_status(r), 200);
	assert_int_equal(requests_of(c), 2);
	ontra_response_free(r);
	mock_stop(&m);
	mock_free(&m);
	ontra_client_free(c);
}

static void test_connect_refused(void **state)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_response *r = (ontra_response *)1;
	char base[64];
	ontra_client *c;

	(void)state;
	snprintf(base, sizeof base, "http://127.0.0.1:%d/1", closed_port());
	/* Nothing reached the server: even a create is tried again, then ENETWORK. */
	c = mock_client_retry(base, 1, 0);
	req.method = "POST";
	req.path = "/objects";
	assert_int_equal(ontra_send(&r, c, &req), ONTRA_ENETWORK);
	assert_null(r);
	assert_non_null(strstr(ontra_error_last()->message, "cannot reach http://127.0.0.1:"));
	assert_int_equal(ontra_error_last()->curl_code, CURLE_COULDNT_CONNECT);
	assert_int_equal(requests_of(c), 2);
	ontra_client_free(c);
}

static void test_backoff_and_safety(void **state)
{
	ontra_client *c = mock_client_retry("http://127.0.0.1:9/1", 1, 0);
	ontra_request req = ONTRA_REQUEST_INIT;
	int i;

	(void)state;
	for (i = 0; i < 50; i++) {
		double b0 = ontra__backoff(c, 0), b3 = ontra__backoff(c, 3),
		       b9 = ontra__backoff(c, 9);
		assert_true(b0 >= 0.125 && b0 <= 0.25);
		assert_true(b3 >= 1.0 && b3 <= 2.0);
		assert_true(b9 >= 4.0 && b9 <= 8.0); /* capped */
	}
	assert_true(ontra__retry_safe(&req)); /* NULL method = GET */
	req.method = "HEAD";
	assert_true(ontra__retry_safe(&req));
	req.method = "PATCH";
	assert_false(ontra__retry_safe(&req));
	req.method = "POST";
	req.path = "/objects";
	assert_false(ontra__retry_safe(&req));
	req.path = "/objects/SaveOrUpdate?x=1";
	assert_true(ontra__retry_safe(&req));
	req.path = "/objects/saveorupdate/other";
	assert_false(ontra__retry_safe(&req));
	req.version = 1; /* version 1 has no retry field: it is not read */
	req.retry = ONTRA_RETRY_NEVER;
	req.path = "/unpause";
	assert_true(ontra__retry_safe(&req));
	ontra_client_free(c);
}

struct logbuf {
	char text[8192];
};

static void collect(void *ud, int level, const char *line)
{
	struct logbuf *b = ud;
	size_t n = strlen(b->text);
	(void)level;
	snprintf(b->text + n, sizeof b->text - n, "%s\n", line);
}

static void test_log_masks_key(void **state)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_response *r = NULL;
	ontra_client *c = NULL;
	struct logbuf log;
	mock_http m;

	(void)state;
	memset(&log, 0, sizeof log);
	assert_int_equal(mock_start(&m, NULL), 0);
	o.base_url = m.base_url;
	o.app_id = "2_AppID_12345678";
	o.api_key = "SecretKey12345678";
	o.log = collect;
	o.log_userdata = &log;
	o.log_level = ONTRA_LOG_DEBUG;
	if (ontra_client_new(&c, &o) != 0)
		fail_msg("cannot create a client: %s", ontra_error_last()->message);
	req.path = "/Contacts";
	assert_int_equal(ontra_send(&r, c, &req), 0);
	mock_stop(&m);
	assert_non_null(strstr(m.reqs[0].head, "SecretKey12345678"));
	assert_non_null(strstr(log.text, "> GET http://127.0.0.1:"));
	assert_non_null(strstr(log.text, "> Api-Key: "));
	assert_non_null(strstr(log.text, "< 200 ("));
	assert_null(strstr(log.text, "SecretKey12345678"));
	assert_null(strstr(log.text, "Key12345678"));
	ontra_response_free(r);
	mock_free(&m);
	ontra_client_free(c);
}

/*
 * One GET with a JSON body and response headers, failing each of its
 * allocations in turn: every run either succeeds with the whole response or
 * fails with "out of memory" -- never a response quietly missing a header.
 */
static int send_with_failure(long k, int *has_headers)
{
	static const char *const replies[] = {"{\"code\":0}", NULL};
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_response *r = NULL;
	ontra_params *q = NULL;
	ontra_client *c;
	mock_http m;
	int rc;

	assert_int_equal(mock_start(&m, replies), 0);
	m.extra[0] = "X-Rate-Limit-Limit: 180\r\nX-Rate-Limit-Remaining: 17\r\nX-Custom: yes\r\n";
	c = mock_client_retry(m.base_url, ONTRA_RETRIES_NONE, 0);
	assert_int_equal(ontra_params_new(&q), 0);
	assert_int_equal(ontra_params_add(q, "search", "x y"), 0);
	req.path = "/Contacts";
	req.query = q;
	alloc_fail_set(k ? alloc_fail_count() + k : 0);
	rc = ontra_send(&r, c, &req);
	alloc_fail_set(0);
	*has_headers = rc == 0 && ontra_response_header(r, "X-Custom") &&
	               ontra_response_header(r, "X-Rate-Limit-Limit") &&
	               ontra_response_header(r, "X-Rate-Limit-Remaining");
	if (rc < 0 && strcmp(ontra_error_last()->message, "out of memory") != 0)
		fail_msg("allocation %ld: '%s', expected 'out of memory'", k,
		         ontra_error_last()->message);
	ontra_response_free(r);
	ontra_params_free(q);
	ontra_client_free(c);
	mock_stop(&m);
	mock_free(&m);
	return rc;
}

static void test_each_allocation_fails_cleanly(void **state)
{
	long base, used, k;
	int whole, failures = 0;

	(void)state;
	if (getenv("ONTRA_FAIL_ALLOC"))
		skip(); /* scripts/torture.sh is failing allocations already */
	base = alloc_fail_count();
	assert_int_equal(send_with_failure(0, &whole), 0);
	assert_true(whole);
	used = alloc_fail_count() - base;
	assert_true(used > 5);
	for (k = 1; k <= used; k++) {
		int rc = send_with_failure(k, &whole);
		if (rc == 0 && !whole)
			fail_msg(
			    "allocation %ld of %ld failed, yet the response came back without its "
			    "headers",
			    k, used);
		failures += rc < 0;
	}
	/* Most of them are the request's and response's own: they must fail the call. */
	assert_true(failures > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get_wire),
	    cmocka_unit_test(test_body_encodings),
	    cmocka_unit_test(test_refused_requests),
	    cmocka_unit_test(test_response_parts),
	    cmocka_unit_test(test_response_too_large),
	    cmocka_unit_test(test_retry_statuses),
	    cmocka_unit_test(test_retry_budget),
	    cmocka_unit_test(test_retry_429),
	    cmocka_unit_test(test_dropped_connection),
	    cmocka_unit_test(test_connect_refused),
	    cmocka_unit_test(test_backoff_and_safety),
	    cmocka_unit_test(test_log_masks_key),
	    cmocka_unit_test(test_each_allocation_fails_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
