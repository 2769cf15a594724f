/*
 * Unit tests for src/sandbox/server.c (and the parts behind it), over real HTTP:
 * an in-process sandbox on a free port, driven with libcurl.
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
#include <unistd.h>

#include <cmocka.h>

#include "util.h"
#include "sandbox.h"

#define TOKEN "t0k3n"

static const char *const api[] = {"Api-Key: Key5678", "Api-Appid: 2_AppID_12345678", NULL};
static const char *const api_json[] = {"Api-Key: Key5678", "Api-Appid: 2_AppID_12345678",
                                       "Content-Type: application/json", NULL};
static const char *const ctl[] = {"X-Sandbox-Token: " TOKEN, NULL};
static const char *const ctl_json[] = {"X-Sandbox-Token: " TOKEN, "Content-Type: application/json",
                                       NULL};
static const char *const none[] = {NULL};

typedef struct reply {
	long status;
	util_buf body;
	util_buf headers;
} reply;

typedef struct fixture {
	sbx_server *srv;
	CURL *h;   /* API requests: one handle, so one kept-alive connection */
	CURL *ctl; /* control requests */
	reply r;
} fixture;

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	util_buf_append(arg, p, size * n);
	return size * n;
}

/* Perform method path on h with the NULL-terminated headers and body (NULL = none). */
static long perform(fixture *f, CURL *h, const char *method, const char *path,
                    const char *const *headers, const char *body, size_t body_len)
{
	struct curl_slist *list = NULL;
	char url[1024];
	size_t i;
	CURLcode rc;

	util_buf_release(&f->r.body);
	util_buf_release(&f->r.headers);
	util_buf_ensure(&f->r.body);
	curl_easy_reset(h); /* keeps the connection cache */
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", sbx_server_port(f->srv), path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	for (i = 0; headers[i]; i++)
		list = curl_slist_append(list, headers[i]);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &f->r.body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &f->r.headers);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	if (strcmp(method, body ? "POST" : "GET"))
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	rc = curl_easy_perform(h);
	curl_slist_free_all(list);
	assert_int_equal(rc, CURLE_OK);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &f->r.status);
	return f->r.status;
}

static long get(fixture *f, const char *path, const char *const *headers)
{
	return perform(f, f->h, "GET", path, headers, NULL, 0);
}

static long post(fixture *f, const char *path, const char *const *headers, const char *body)
{
	return perform(f, f->h, "POST", path, headers, body, strlen(body));
}

static long control(fixture *f, const char *method, const char *path)
{
	return perform(f, f->ctl, method, path, ctl, strcmp(method, "POST") ? NULL : "", 0);
}

/* The value of response header name (case-insensitive), in a static buffer, or NULL. */
static const char *header(fixture *f, const char *name)
{
	static char value[256];
	const char *p = f->r.headers.data;
	size_t n = strlen(name);

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > n && p[n] == ':' && util_strnieq(p, name, n)) {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			snprintf(value, sizeof value, "%.*s", (int)(p + len - v), v);
			if (value[0] && value[strlen(value) - 1] == '\r')
				value[strlen(value) - 1] = '\0';
			return value;
		}
		p = eol ? eol + 1 : p + len;
	}
	return NULL;
}

static json_t *body_json(fixture *f)
{
	json_t *v = json_loadb(f->r.body.data, f->r.body.len, 0, NULL);

	assert_non_null(v);
	return v;
}

static long long stat_of(fixture *f, const char *key)
{
	json_t *s;
	long long n;

	assert_int_equal(control(f, "GET", "/_sandbox/stats"), 200);
	s = body_json(f);
	n = json_integer_value(json_object_get(s, key));
	json_decref(s);
	return n;
}

static int start(void **state, long rate_limit, long window_ms, size_t max_body)
{
	fixture *f = calloc(1, sizeof *f);
	sbx_config cfg = SBX_CONFIG_INIT;
	char err[256] = "";

	assert_non_null(f);
	cfg.port = 0;
	cfg.control_token = TOKEN;
	cfg.rate_limit = rate_limit;
	cfg.rate_window_ms = window_ms;
	cfg.max_body = max_body;
	cfg.threads = 2;
	cfg.quiet = 1;
	if (sbx_server_start(&f->srv, &cfg, err, sizeof err) != 0)
		fail_msg("sbx_server_start: %s", err);
	assert_true(sbx_server_port(f->srv) > 0);
	assert_string_equal(sbx_server_control_token(f->srv), TOKEN);
	f->h = curl_easy_init();
	f->ctl = curl_easy_init();
	assert_non_null(f->h);
	assert_non_null(f->ctl);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return start(state, 1000, 60000, 0);
}

static int setup_rate(void **state)
{
	return start(state, 5, 2000, 0); /* a minute compressed into two seconds */
}

static int setup_small_body(void **state)
{
	return start(state, 1000, 60000, 4096);
}

static int teardown(void **state)
{
	fixture *f = *state;

	curl_easy_cleanup(f->h);
	curl_easy_cleanup(f->ctl);
	sbx_server_stop(f->srv);
	util_buf_release(&f->r.body);
	util_buf_release(&f->r.headers);
	free(f);
	return 0;
}

static void test_auth_401(void **state)
{
	fixture *f = *state;
	static const char *const key_only[] = {"Api-Key: Key5678", NULL};
	static const char *const wrong[] = {"Api-Key: Key5679", "Api-Appid: 2_AppID_12345678",
	                                    NULL};
	static const char *const lower[] = {"api-key: Key5678", "API-APPID: 2_AppID_12345678",
	                                    NULL};
	const char *const *bad[] = {none, key_only, wrong};
	size_t i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(get(f, "/1/Contacts", bad[i]), 401);
		assert_string_equal(f->r.body.data, "Your App ID and API Key do not authenticate.");
		assert_string_equal(header(f, "Content-Type"), "text/plain; charset=UTF-8");
		assert_null(header(f, "X-Rate-Limit-Limit"));
	}
	/* also for unknown paths: credentials come before routing */
	assert_int_equal(get(f, "/1/nothing", none), 401);
	/* header names are case-insensitive; 401s did not use up the rate limit */
	assert_int_equal(get(f, "/1/Contacts", lower), 200);
	assert_string_equal(header(f, "X-Rate-Limit-Remaining"), "999");
	assert_int_equal(stat_of(f, "requests"), 5);
}

static void test_envelopes(void **state)
{
	fixture *f = *state;
	json_t *v;
	char *s;

	assert_int_equal(get(f, "/1/Contacts", api), 200);
	assert_string_equal(f->r.body.data,
	                    "{\"code\":0,\"data\":[],\"account_id\":187157,\"misc\":[]}");
	assert_string_equal(header(f, "Content-Type"), "application/json");

	assert_int_equal(post(f, "/1/objects", api_json,
	                      "{\"objectID\":0,\"firstname\":\"unit\",\"lastname\":\"test\"}"),
	                 200);
	assert_string_equal(f->r.body.data,
	                    "{\"code\":0,\"data\":{\"firstname\":\"unit\",\"lastname\":\"test\","
	                    "\"use_utm_names\":\"false\",\"id\":\"1\",\"owner\":\"1\"},"
	                    "\"account_id\":187157}");
	/* a form body to the named endpoint, no objectID */
	assert_int_equal(post(f, "/1/Contacts", api, "firstname=Mary&email=mary%40example.com"),
	                 200);
	v = body_json(f);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "data"), "id")),
	                    "2");
	json_decref(v);
	assert_int_equal(post(f, "/1/Contacts", api, "email=not-an-email"), 422);

	assert_int_equal(get(f, "/1/Contact?id=2", api), 200);
	v = body_json(f);
	assert_int_equal(json_integer_value(json_object_get(v, "code")), 0);
	assert_true(json_is_integer(json_object_get(v, "account_id")));
	assert_null(json_object_get(v, "misc"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "data"), "email")),
	                    "mary@example.com");
	json_decref(v);

	assert_int_equal(get(f, "/1/object?objectID=0&id=99", api), 404);
	assert_string_equal(header(f, "Content-Type"), "text/plain; charset=UTF-8");
	assert_int_equal(get(f, "/1/object?id=1", api), 400);
	assert_string_equal(f->r.body.data, "Missing required parameter 'objectID'");
	assert_int_equal(get(f, "/1/objects?objectID=4242", api), 400);
	assert_string_equal(f->r.body.data, "Invalid objectID '4242': no such object type");

	assert_int_equal(get(f, "/1/objects?objectID=0&listFields=id,firstname&sortDir=desc", api),
	                 200);
	v = body_json(f);
	s = json_dumps(json_object_get(v, "data"), JSON_COMPACT);
	assert_string_equal(s, "[{\"id\":\"2\",\"firstname\":\"Mary\"},{\"id\":\"1\",\"firstname\":"
	                       "\"unit\"}]");
	free(s);
	json_decref(v);

	assert_int_equal(get(f, "/1/objects/getInfo?objectID=0", api), 200);
	v = body_json(f);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "data"), "count")),
	                    "2");
	json_decref(v);

	assert_int_equal(get(f, "/1/objects/meta?objectID=0&format=byId", api), 200);
	v = body_json(f);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(
	            json_object_get(json_object_get(json_object_get(v, "data"), "0"), "fields"),
	            "firstname"),
	        "alias")),
	    "First Name");
	json_decref(v);
	assert_int_equal(get(f, "/1/objects/meta", api), 200);
	v = body_json(f);
	assert_non_null(json_object_get(json_object_get(v, "data"), "7"));
	assert_non_null(json_object_get(json_object_get(v, "data"), "145"));
	json_decref(v);
	assert_int_equal(get(f, "/1/objects/meta?objectID=", api), 200); /* "" = every type */
	assert_int_equal(get(f, "/1/objects/meta?objectID=999", api), 400);
	assert_int_equal(get(f, "/1/Messages/meta?format=byName", api), 200);
	v = body_json(f);
	assert_non_null(json_object_get(json_object_get(v, "data"), "Message"));
	json_decref(v);
}

static void test_messages(void **state)
{
	fixture *f = *state;
	static const char fixtures[] = "{\"objectID\":7,\"records\":[{\"alias\":\"test1\",\"type\":"
	                               "\"Template\"},{\"alias\":\"Second\",\"type\":\"sms\"}]}";
	json_t *v;
	char *s;

	assert_int_equal(perform(f, f->ctl, "POST", "/_sandbox/seed/objects", ctl_json, fixtures,
	                         strlen(fixtures)),
	                 200);
	assert_string_equal(f->r.body.data, "{\"ids\":[1,2]}");
	assert_int_equal(get(f, "/1/Messages?listFields=id,alias,type", api), 200);
	v = body_json(f);
	s = json_dumps(v, JSON_COMPACT);
	assert_string_equal(s,
	                    "{\"code\":0,\"data\":[{\"id\":\"1\",\"alias\":\"test1\",\"type\":"
	                    "\"Template\"},{\"id\":\"2\",\"alias\":\"Second\",\"type\":\"sms\"}],"
	                    "\"account_id\":187157,\"misc\":[]}");
	free(s);
	json_decref(v);
	assert_int_equal(get(f, "/1/Message?id=2", api), 200);
	v = body_json(f);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "data"), "alias")),
	                    "Second");
	assert_non_null(json_object_get(json_object_get(v, "data"), "last_save"));
	json_decref(v);
	/* messages are created through /message, not the generic endpoint */
	assert_int_equal(post(f, "/1/objects", api, "objectID=7&alias=x"), 403);
	assert_int_equal(get(f, "/1/Messages/getInfo", api), 200);
}

static void test_rate_limit(void **state)
{
	fixture *f = *state;
	char want[8];
	long long reset = -1;
	int i;

	for (i = 0; i < 5; i++) {
		assert_int_equal(get(f, "/1/Contacts", api), 200);
		assert_string_equal(header(f, "X-Rate-Limit-Limit"), "5");
		snprintf(want, sizeof want, "%d", 4 - i);
		assert_string_equal(header(f, "X-Rate-Limit-Remaining"), want);
		assert_true(!strcmp(header(f, "X-Rate-Limit-Reset"), "2") ||
		            !strcmp(header(f, "X-Rate-Limit-Reset"), "1"));
	}
	/* request limit+1 inside the window */
	assert_int_equal(get(f, "/1/Contacts", api), 429);
	assert_string_equal(f->r.body.data,
	                    "Too Many Requests - You have exceeded your maximum rate "
	                    "limit of 5 requests per minute.");
	assert_string_equal(header(f, "Content-Type"), "text/plain; charset=UTF-8");
	assert_string_equal(header(f, "X-Rate-Limit-Remaining"), "0");
	assert_non_null(header(f, "X-Rate-Limit-Reset"));
	/* unknown paths count too; control requests are never limited */
	assert_int_equal(get(f, "/1/nothing", api), 429);
	assert_int_equal(util_parse_ll(header(f, "X-Rate-Limit-Reset"), 1, 2, &reset), 0);
	assert_int_equal(stat_of(f, "rate_limited"), 2);
	/* wait as long as the server says, then it works again */
	sleep((unsigned)reset);
	assert_int_equal(get(f, "/1/Contacts", api), 200);
	assert_string_equal(header(f, "X-Rate-Limit-Remaining"), "4");
}

static void test_keep_alive_one_connection(void **state)
{
	fixture *f = *state;
	json_t *v;
	int i;

	assert_int_equal(control(f, "POST", "/_sandbox/reset"), 200);
	for (i = 0; i < 50; i++)
		assert_int_equal(get(f, "/1/objects?objectID=0", api), 200);
	assert_int_equal(control(f, "GET", "/_sandbox/stats"), 200);
	v = body_json(f);
	assert_int_equal(json_integer_value(json_object_get(v, "connections")), 1);
	assert_int_equal(json_integer_value(json_object_get(v, "requests")), 50);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(v, "by_status"), "200")), 50);
	json_decref(v);
}

static void test_body_too_large(void **state)
{
	fixture *f = *state;
	static const char *const chunked[] = {"Api-Key: Key5678", "Api-Appid: 2_AppID_12345678",
	                                      "Transfer-Encoding: chunked", NULL};
	char *big = malloc(10001);

	assert_non_null(big);
	memset(big, 'a', 10000);
	big[10000] = '\0';
	assert_int_equal(perform(f, f->h, "POST", "/1/objects", api, big, 10000), 413);
	assert_true(util_starts_with(f->r.body.data, "Payload Too Large"));
	assert_int_equal(perform(f, f->h, "POST", "/1/objects", chunked, big, 10000), 413);
	/* exactly at the cap is fine (and a malformed form body then is a 400) */
	assert_int_equal(perform(f, f->h, "POST", "/1/objects", api, big, 4096), 400);
	free(big);
	/* still serving */
	assert_int_equal(get(f, "/1/Contacts", api), 200);
	assert_int_equal(stat_of(f, "requests"), 4);
}

static void test_bad_requests(void **state)
{
	fixture *f = *state;

	assert_int_equal(get(f, "/1/nothing/here", api), 404);
	assert_string_equal(header(f, "Content-Type"), "text/plain; charset=UTF-8");
	assert_int_equal(get(f, "/favicon.ico", none), 404);
	assert_int_equal(perform(f, f->h, "DELETE", "/1/objects/meta", api, NULL, 0), 405);
	assert_string_equal(header(f, "Allow"), "GET");
	assert_int_equal(post(f, "/1/objects", api_json, "{\"objectID\":0,"), 400);
	assert_true(util_starts_with(f->r.body.data, "Malformed JSON body"));
	assert_int_equal(post(f, "/1/objects", api_json, "[1,2]"), 400);
	assert_int_equal(get(f, "/1/objects?objectID=0&range=abc", api), 400);
	assert_string_equal(f->r.body.data, "Invalid range 'abc': expected a whole number >= 0");
	assert_int_equal(get(f, "/1/objects?objectID=0&sortDir=up", api), 400);
	assert_int_equal(get(f, "/1/objects?objectID=0&sort=nosuch", api), 400);
	assert_int_equal(get(f, "/1/objects?objectID=0&condition=%5B%5D", api), 200);  /* [] */
	assert_int_equal(get(f, "/1/objects?objectID=0&condition=%5B1%5D", api), 400); /* [1] */
	assert_int_equal(get(f, "/1/objects?objectID=0&group_id=3", api), 400);
	assert_int_equal(get(f, "/1/objects?objectID=0&ids=%FF", api), 400); /* not UTF-8 */
	assert_int_equal(get(f, "/1/CONTACTS?ids=0&range=500", api), 200);   /* ids=0: no filter */
	assert_int_equal(get(f, "/1/Contacts", api), 200);
}

static void test_control_api(void **state)
{
	fixture *f = *state;
	static const char *const wrong[] = {"X-Sandbox-Token: nope", NULL};
	json_t *v, *last;

	/* no token, the Ontraport credentials, a wrong token: all refused */
	assert_int_equal(perform(f, f->h, "GET", "/_sandbox/stats", none, NULL, 0), 401);
	assert_string_equal(f->r.body.data, "invalid sandbox control token");
	assert_int_equal(perform(f, f->h, "GET", "/_sandbox/stats", api, NULL, 0), 401);
	assert_int_equal(perform(f, f->h, "POST", "/_sandbox/reset", wrong, "", 0), 401);
	assert_int_equal(perform(f, f->h, "GET", "/_sandbox/nothing", ctl, NULL, 0), 404);

	assert_int_equal(control(f, "POST", "/_sandbox/seed/contacts?count=120"), 200);
	assert_string_equal(f->r.body.data, "{\"created\":120,\"first_id\":1,\"last_id\":120}");
	assert_int_equal(get(f, "/1/Contact?id=77&listFields=firstname,email", api), 200);
	assert_string_equal(f->r.body.data, "{\"code\":0,\"data\":{\"firstname\":\"First77\","
	                                    "\"email\":\"contact77@seed.example\"},"
	                                    "\"account_id\":187157}");
	assert_int_equal(get(f, "/1/objects?objectID=0&start=100&range=50", api), 200);
	v = body_json(f);
	assert_int_equal(json_array_size(json_object_get(v, "data")), 20);
	json_decref(v);
	assert_int_equal(post(f, "/1/Contacts", api, "firstname=Posted"), 200);

	/* the request log proves what was sent, in order, control requests excluded */
	assert_int_equal(control(f, "GET", "/_sandbox/requests?limit=2"), 200);
	v = body_json(f);
	assert_int_equal(json_array_size(v), 2);
	last = json_array_get(v, 1);
	assert_string_equal(json_string_value(json_object_get(last, "method")), "POST");
	assert_string_equal(json_string_value(json_object_get(last, "path")), "/1/Contacts");
	assert_string_equal(json_string_value(json_object_get(last, "body")), "firstname=Posted");
	assert_int_equal(json_integer_value(json_object_get(last, "status")), 200);
	last = json_array_get(v, 0);
	assert_string_equal(json_string_value(json_object_get(last, "query")),
	                    "objectID=0&start=100&range=50");
	json_decref(v);
	assert_int_equal(stat_of(f, "requests"), 3);

	assert_int_equal(control(f, "GET", "/_sandbox/requests?limit=-1"), 400);
	assert_int_equal(control(f, "POST", "/_sandbox/seed/contacts?count=0"), 400);
	assert_int_equal(control(f, "POST", "/_sandbox/reset"), 200);
	assert_int_equal(stat_of(f, "requests"), 0);
	assert_int_equal(get(f, "/1/objects/getInfo?objectID=0", api), 200);
	v = body_json(f);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "data"), "count")),
	                    "0");
	json_decref(v);
}

static void test_custom_object_type(void **state)
{
	fixture *f = *state;
	static const char dog[] = "{\"name\":\"Dog\",\"fields\":{\"name\":{\"alias\":\"Name\"},"
	                          "\"breed\":{\"alias\":\"Breed\",\"type\":\"drop\",\"options\":"
	                          "{\"1\":\"Labrador\"}},\"weight\":{\"type\":\"numeric\","
	                          "\"required\":1}}}";
	static const char bad[] = "{\"name\":\"Cat\",\"fields\":{\"x\":{\"type\":\"blob\"}}}";
	json_t *v, *meta;

	assert_int_equal(
	    perform(f, f->ctl, "POST", "/_sandbox/object-types", ctl_json, dog, strlen(dog)), 200);
	assert_string_equal(f->r.body.data, "{\"id\":10000,\"name\":\"Dog\",\"singular\":\"Dog\","
	                                    "\"plural\":\"Dogs\"}");
	assert_int_equal(
	    perform(f, f->ctl, "POST", "/_sandbox/object-types", ctl_json, dog, strlen(dog)),
	    400); /* the name is taken */
	assert_int_equal(
	    perform(f, f->ctl, "POST", "/_sandbox/object-types", ctl_json, bad, strlen(bad)), 400);
	assert_string_equal(f->r.body.data, "Invalid type 'blob' for field 'x'");

	assert_int_equal(post(f, "/1/dogs", api, "name=Rex&breed=1&weight=30"), 200);
	assert_int_equal(post(f, "/1/objects", api, "objectID=10000&name=Fifi"), 400);
	assert_string_equal(f->r.body.data, "Missing required field 'weight'");
	assert_int_equal(get(f, "/1/Dog?id=1", api), 200);
	v = body_json(f);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "data"), "breed")),
	                    "1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "data"), "owner")),
	                    "1");
	json_decref(v);
	assert_int_equal(get(f, "/1/Dogs/meta", api), 200);
	v = body_json(f);
	meta = json_object_get(json_object_get(v, "data"), "10000");
	assert_string_equal(json_string_value(json_object_get(meta, "name")), "Dog");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_object_get(json_object_get(meta, "fields"), "breed"),
	                        "options"),
	        "1")),
	    "Labrador");
	json_decref(v);
	/* a reset forgets it */
	assert_int_equal(control(f, "POST", "/_sandbox/reset"), 200);
	assert_int_equal(get(f, "/1/Dogs", api), 404);
}

/* The stderr request log: one line per request, no header values. */
static void test_request_log_line(void **state)
{
	fixture *f = *state;
	sbx_config cfg = SBX_CONFIG_INIT;
	sbx_server *quiet = f->srv;
	char path[] = "/tmp/test_sbx_server_log_XXXXXX", err[256], text[4096];
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	cfg.control_token = TOKEN;
	cfg.quiet = 0;
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	assert_int_equal(sbx_server_start(&f->srv, &cfg, err, sizeof err), 0);
	get(f, "/1/Contacts?range=2", api);
	get(f, "/1/Contacts", none);
	sbx_server_stop(f->srv);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f->srv = quiet;
	n = pread(fd, text, sizeof text - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	text[n] = '\0';
	assert_non_null(strstr(text, "sandbox: GET /1/Contacts 200 "));
	assert_non_null(strstr(text, "sandbox: GET /1/Contacts 401 "));
	assert_null(strstr(text, "Key5678"));
	assert_null(strstr(text, "2_AppID"));
	assert_null(strstr(text, "range=2"));
}

static void test_start_errors(void **state)
{
	fixture *f = *state;
	sbx_config cfg = SBX_CONFIG_INIT;
	sbx_server *s = (sbx_server *)1;
	char err[256] = "";

	cfg.port = sbx_server_port(f->srv); /* taken */
	assert_int_equal(sbx_server_start(&s, &cfg, err, sizeof err), -1);
	assert_null(s);
	assert_true(strstr(err, "could not listen") != NULL);
	cfg.port = 0;
	cfg.bind = "no-such-host.invalid";
	assert_int_equal(sbx_server_start(&s, &cfg, err, sizeof err), -1);
	cfg.bind = NULL;
	cfg.db = "/nonexistent-dir/x.db";
	assert_int_equal(sbx_server_start(&s, &cfg, err, sizeof err), -1);
	assert_true(strstr(err, "could not open database") != NULL);
	/* a random token when none is configured */
	cfg.db = NULL;
	assert_int_equal(sbx_server_start(&s, &cfg, err, sizeof err), 0);
	assert_int_equal(strlen(sbx_server_control_token(s)), 32);
	sbx_server_stop(s);
	sbx_server_stop(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_auth_401, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_envelopes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_messages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rate_limit, setup_rate, teardown),
	    cmocka_unit_test_setup_teardown(test_keep_alive_one_connection, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_body_too_large, setup_small_body, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_control_api, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_custom_object_type, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_request_log_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_start_errors, setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
