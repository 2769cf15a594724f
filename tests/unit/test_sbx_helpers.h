/*
 * Helpers shared by the sandbox unit tests that drive an in-process sandbox
 * over real HTTP (header-only: each test is its own executable): start and
 * stop a server, call the API with a JSON or form body, the control API, and
 * read the reply's envelope.
 */
#ifndef TEST_SBX_HELPERS_H
#define TEST_SBX_HELPERS_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "sandbox.h"

typedef struct sbx_fixture {
	sbx_server *srv;
	CURL *h;
	long status;
	util_buf body;
} sbx_fixture;

static inline size_t th_collect(char *p, size_t size, size_t n, void *arg)
{
	util_buf_append(arg, p, size * n);
	return size * n;
}

/* Send method url with a body of content type ct ("json", "form" or NULL). */
static inline long th_send(sbx_fixture *f, const char *method, const char *url,
                           struct curl_slist *list, const char *ct, const char *body)
{
	util_buf_release(&f->body);
	util_buf_ensure(&f->body);
	curl_easy_reset(f->h);
	curl_easy_setopt(f->h, CURLOPT_URL, url);
	if (ct)
		list = curl_slist_append(list,
		                         strcmp(ct, "json") == 0
		                             ? "Content-Type: application/json"
		                             : "Content-Type: application/x-www-form-urlencoded");
	curl_easy_setopt(f->h, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(f->h, CURLOPT_WRITEFUNCTION, th_collect);
	curl_easy_setopt(f->h, CURLOPT_WRITEDATA, &f->body);
	if (body)
		curl_easy_setopt(f->h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(f->h, CURLOPT_CUSTOMREQUEST, method);
	if (curl_easy_perform(f->h) != CURLE_OK)
		f->status = -1;
	else
		curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &f->status);
	curl_slist_free_all(list);
	util_buf_ensure(&f->body);
	return f->status;
}

/* method /1<path> with a body of content type ct ("json", "form" or NULL). Returns the status. */
static inline long th_call(sbx_fixture *f, const char *method, const char *path, const char *ct,
                           const char *body)
{
	struct curl_slist *list = NULL;
	char url[2048];

	snprintf(url, sizeof url, "http://127.0.0.1:%d/1%s", sbx_server_port(f->srv), path);
	list = curl_slist_append(list, "Api-Key: " SBX_DEFAULT_API_KEY);
	list = curl_slist_append(list, "Api-Appid: " SBX_DEFAULT_APP_ID);
	return th_send(f, method, url, list, ct, body);
}

/* method /_sandbox<path> with an optional JSON body. */
static inline long th_control(sbx_fixture *f, const char *method, const char *path,
                              const char *json)
{
	struct curl_slist *list = NULL;
	char url[2048], hdr[128];

	snprintf(url, sizeof url, "http://127.0.0.1:%d/_sandbox%s", sbx_server_port(f->srv), path);
	snprintf(hdr, sizeof hdr, "X-Sandbox-Token: %s", sbx_server_control_token(f->srv));
	list = curl_slist_append(list, hdr);
	return th_send(f, method, url, list, json ? "json" : NULL, json);
}

/* The reply's envelope (new), after asserting status 200 and code 0. */
static inline json_t *th_ok(sbx_fixture *f)
{
	json_t *env;

	if (f->status != 200)
		fail_msg("status %ld: %s", f->status, f->body.data);
	env = json_loads(f->body.data, 0, NULL);
	assert_non_null(env);
	assert_int_equal(json_integer_value(json_object_get(env, "code")), 0);
	return env;
}

/* The reply's `data` as compact JSON text (freed with the next call's body: copy it). */
static inline const char *th_data(sbx_fixture *f, char *out, size_t outsz)
{
	json_t *env = th_ok(f);
	char *s = json_dumps(json_object_get(env, "data"), JSON_COMPACT | JSON_ENCODE_ANY);

	snprintf(out, outsz, "%s", s ? s : "(none)");
	free(s);
	json_decref(env);
	return out;
}

/* Field `name` of record id of type `type` as text ("(null)" for null), via GET /object. */
static inline const char *th_field(sbx_fixture *f, int type, long long id, const char *name,
                                   char *out, size_t outsz)
{
	char path[128];
	json_t *env, *v;

	snprintf(path, sizeof path, "/object?objectID=%d&id=%lld", type, id);
	th_call(f, "GET", path, NULL, NULL);
	env = th_ok(f);
	v = json_object_get(json_object_get(env, "data"), name);
	snprintf(out, outsz, "%s", json_is_string(v) ? json_string_value(v) : "(null)");
	json_decref(env);
	return out;
}

/* Assert an error reply: the status and the exact one-line text. */
static inline void th_fails(sbx_fixture *f, long status, const char *text)
{
	if (f->status != status || strcmp(f->body.data, text) != 0)
		fail_msg("got %ld '%s', expected %ld '%s'", f->status, f->body.data, status, text);
}

/* Call and assert the error reply in one. */
static inline void th_refused(sbx_fixture *f, const char *method, const char *path, const char *ct,
                              const char *body, long status, const char *text)
{
	th_call(f, method, path, ct, body);
	th_fails(f, status, text);
}

static inline int th_setup(void **state)
{
	sbx_fixture *f = calloc(1, sizeof *f);
	sbx_config cfg = SBX_CONFIG_INIT;
	char err[256] = "";

	assert_non_null(f);
	cfg.port = 0;
	cfg.threads = 2;
	cfg.quiet = 1;
	cfg.rate_limit = 1000000;
	if (sbx_server_start(&f->srv, &cfg, err, sizeof err) != 0)
		fail_msg("sbx_server_start: %s", err);
	f->h = curl_easy_init();
	assert_non_null(f->h);
	*state = f;
	return 0;
}

static inline int th_teardown(void **state)
{
	sbx_fixture *f = *state;

	curl_easy_cleanup(f->h);
	sbx_server_stop(f->srv);
	util_buf_release(&f->body);
	free(f);
	return 0;
}

#endif
