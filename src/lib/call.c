/*
 * Checking a response as the API promises it (REFERENCE.md §1.3-1.4): a 2xx
 * status and the {code, data, account_id} envelope. Error statuses become the
 * error codes callers branch on, with the server's own text kept.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "banned.h"

/* The server's text for an error message: one printable line, bounded. */
static void server_text(const char *body, size_t len, char *out, size_t outsz)
{
	json_t *j = NULL, *m;
	const char *s = body;
	size_t n = len, w = 0, i;

	if (len && (body[0] == '{' || body[0] == '[')) {
		j = json_loadb(body, len, 0, NULL);
		m = json_is_object(j) ? json_object_get(j, "message") : NULL;
		if (!json_is_string(m) && json_is_object(j))
			m = json_object_get(j, "data");
		if (json_is_string(m)) {
			s = json_string_value(m);
			n = strlen(s);
		}
	}
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	if (n && *s == '<') {
		/* An HTML page (a proxy's or a web server's): its title says most. */
		const char *t = util_memfind(s, n, "<title>", 7);
		const char *e = t ? util_memfind(t, n - (size_t)(t - s), "</title>", 8) : NULL;
		if (t && e) {
			snprintf(out, outsz, "%.*s (an HTML page)",
			         (int)(e - t - 7 < 120 ? e - t - 7 : 120), t + 7);
		} else {
			snprintf(out, outsz, "(an HTML page)");
		}
		json_decref(j);
		return;
	}
	for (i = 0; i < n && w + 4 < outsz && w < 200; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\n' || ch == '\r') {
			/* only the first line, unless that one is empty */
			if (w)
				break;
			continue;
		}
		out[w++] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
	}
	if (i < n && w >= 200 && w + 4 < outsz) {
		memcpy(out + w, "...", 3);
		w += 3;
	}
	while (w && out[w - 1] == ' ')
		w--;
	out[w] = '\0';
	json_decref(j);
}

static int status_code(int status)
{
	if (status == 401)
		return ONTRA_EAUTH;
	if (status == 403) /* authenticated, not allowed: no other key pair is the fix */
		return ONTRA_EFORBIDDEN;
	if (status == 404 || status == 410)
		return ONTRA_ENOTFOUND;
	if (status == 429)
		return ONTRA_ERATELIMIT;
	if (status >= 500)
		return ONTRA_ESERVER;
	if (status >= 400)
		return ONTRA_EINVALID;
	return ONTRA_EBADRESPONSE; /* 1xx/3xx: not something the API answers */
}

int ontra_response_check(json_t **out, const ontra_response *r)
{
	char text[256];
	json_error_t jerr;
	json_t *env, *code;
	int rc;

	*out = NULL;
	if (r->status < 200 || r->status > 299) {
		server_text(r->body, r->body_len, text, sizeof text);
		if (r->status >= 300 && r->status < 400) {
			char loc[512];
			util_url_shown(ontra_response_header(r, "Location"), loc, sizeof loc);
			rc = ontra__error(
			    ONTRA_EBADRESPONSE,
			    "the server answered %d redirecting to '%s': check the base url "
			    "(https?)",
			    r->status, loc);
		} else {
			rc = ontra__error(status_code(r->status), "the server answered %d: %s",
			                  r->status, *text ? text : "(empty body)");
		}
		ontra__error_detail(r->status, 0, r->body, r->body_len);
		return rc;
	}
	env = json_loadb(r->body, r->body_len, 0, &jerr);
	if (!env) {
		server_text(r->body, r->body_len, text, sizeof text);
		rc = ontra__error(ONTRA_EBADRESPONSE, "the server's response is not JSON (%s): %s",
		                  jerr.text, *text ? text : "(empty body)");
		ontra__error_detail(r->status, 0, r->body, r->body_len);
		return rc;
	}
	code = json_object_get(env, "code");
	if (!json_is_object(env) || !json_is_integer(code)) {
		json_decref(env);
		rc = ontra__error(ONTRA_EBADRESPONSE,
		                  "the server's response has no {code, data} envelope");
		ontra__error_detail(r->status, 0, r->body, r->body_len);
		return rc;
	}
	if (json_integer_value(code) != 0) {
		rc = ontra__error(ONTRA_ESERVER, "the server answered code %lld",
		                  (long long)json_integer_value(code));
		ontra__error_detail(r->status, 0, r->body, r->body_len);
		json_decref(env);
		return rc;
	}
	*out = env;
	return 0;
}

/* Whether a checked value's text is the integer 0 (what json_integer_value gives 0 for). */
static int is_zero(const util_json_member *m)
{
	return m && ((m->value_len == 1 && m->value[0] == '0') ||
	             (m->value_len == 2 && memcmp(m->value, "-0", 2) == 0));
}

/*
 * The data member's text when the scan vouches for a 2xx {code: 0} envelope:
 * 0; 1 when it does not (the caller asks jansson); < 0 out of memory.
 */
static int scanned_text(ontra_response *r)
{
	util_json_scan sc;
	const util_json_member *data;

	if (r->status < 200 || r->status > 299 || util_json_check(&sc, r->body, r->body_len) < 0 ||
	    sc.top != '{' || !is_zero(util_json_member_get(&sc, "code")))
		return 1;
	data = util_json_member_get(&sc, "data");
	if (!data) {
		r->text = "null";
		r->text_len = 4;
	} else if (!sc.spaced) {
		r->text = data->value;
		r->text_len = data->value_len;
	} else {
		if (!(r->text_owned = malloc(data->value_len + 1)))
			return ontra__error_oom();
		r->text_len = util_json_compact(r->text_owned, data->value, data->value_len);
		r->text = r->text_owned;
	}
	return 0;
}

/*
 * ontra_response_check, keeping the data's text in r (ontra_call_text): from
 * the scan when it vouches for the answer, else from jansson's check (its
 * verdict and messages) and its compact layout of the data.
 */
static int check_text(ontra_response *r)
{
	json_t *env, *data;
	int rc;

	if ((rc = scanned_text(r)) <= 0)
		return rc;
	if ((rc = ontra_response_check(&env, r)) < 0)
		return rc;
	data = json_object_get(env, "data");
	r->text_owned = data ? json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(env);
	if (data && !r->text_owned)
		return ontra__error_oom();
	r->text = r->text_owned ? r->text_owned : "null";
	r->text_len = strlen(r->text);
	return 0;
}

/*
 * Send and check, asking again after a garbled 2xx answer to a request safe to
 * repeat. env != NULL: the envelope as values (ontra_call); else the data's
 * text in the response (ontra_call_text). *rout is the last response, kept
 * (NULL when nothing was received).
 */
static int call_checked(ontra_response **rout, json_t **env, ontra_client *c,
                        const ontra_request *req)
{
	ontra_response *r;
	int rc, n;

	*rout = NULL;
	for (n = 0;; n++) {
		if ((rc = ontra_send(&r, c, req)) < 0)
			return rc;
		rc = env ? ontra_response_check(env, r) : check_text(r);
		/* A garbled 2xx answer to a request that is safe to repeat (a proxy or the
		 * server cut it short) is asked again, like a dropped connection. */
		if (rc != ONTRA_EBADRESPONSE || r->status < 200 || r->status > 299 ||
		    !ontra__retry_safe(req) || n >= c->max_retries)
			break;
		ontra__log(c, ONTRA_LOG_INFO, "* retry %d/%d after a malformed %d answer", n + 1,
		           c->max_retries, r->status);
		ontra_response_free(r);
		c->stats.retries++;
		ontra__sleep(ontra__backoff(c, n));
	}
	if (rc == ONTRA_ESERVER && r->status >= 500 && !ontra__retry_safe(req)) {
		/* Say what a caller most needs to know about a failed create. */
		char msg[600];
		snprintf(msg, sizeof msg, "%s", ontra_error_last()->message);
		rc = ontra__error(ONTRA_ESERVER,
		                  "%s (the request may have been carried out; it was not "
		                  "repeated, since a repeat could create a duplicate)",
		                  msg);
		ontra__error_detail(r->status, 0, r->body, r->body_len);
	}
	*rout = r;
	return rc;
}

int ontra_call(json_t **out, ontra_client *c, const ontra_request *req)
{
	ontra_response *r;
	int rc;

	*out = NULL;
	rc = call_checked(&r, out, c, req);
	ontra_response_free(r);
	return rc;
}

int ontra_call_text(ontra_response **out, const char **json, size_t *len, ontra_client *c,
                    const ontra_request *req)
{
	ontra_response *r;
	int rc;

	*out = NULL;
	*json = NULL;
	*len = 0;
	if ((rc = call_checked(&r, NULL, c, req)) < 0) {
		ontra_response_free(r);
		return rc;
	}
	*out = r;
	*json = r->text;
	*len = r->text_len;
	return 0;
}

int ontra_call_data(json_t **out, ontra_client *c, const ontra_request *req)
{
	json_t *env, *data;
	int rc;

	*out = NULL;
	if ((rc = ontra_call(&env, c, req)) < 0)
		return rc;
	data = json_object_get(env, "data");
	*out = data ? json_incref(data) : json_null();
	json_decref(env);
	return 0;
}

int ontra_client_verify(ontra_client *c)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	json_t *data;
	int rc;

	req.path = "/objects/meta?objectID=0&format=byId";
	if ((rc = ontra_call_data(&data, c, &req)) < 0)
		return rc;
	json_decref(data);
	return 0;
}

int ontra__check_id(long long id, const char *what)
{
	if (id <= 0)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid %s id %lld: expected a positive whole number", what,
		                    id);
	return 0;
}

int ontra__get_by_id(json_t **out, ontra_client *c, const char *endpoint, const char *what,
                     long long id)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	char path[96];
	int rc;

	*out = NULL;
	if ((rc = ontra__check_id(id, what)) < 0)
		return rc;
	snprintf(path, sizeof path, "/%s?id=%lld", endpoint, id);
	req.path = path;
	if ((rc = ontra_call_data(out, c, &req)) < 0)
		return rc;
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return ontra__error(ONTRA_EBADRESPONSE, "the server's reply holds no %s", what);
	}
	return 0;
}
