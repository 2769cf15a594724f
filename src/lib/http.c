/*
 * The transport: one request over the client's libcurl handle, which keeps
 * its connection alive between requests. Responses are collected whole (each
 * is one page of at most 50 records, or a single record) up to a size cap.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "internal.h"
#include "banned.h"

struct transfer {
	ontra_client *c;
	util_buf body;
	ontra_params *headers;
	int header_oom;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct transfer *t = ud;
	size_t n = size * nmemb;

	if (util_buf_append(&t->body, data, n) < 0)
		return 0; /* cap or memory: curl stops with CURLE_WRITE_ERROR */
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	struct transfer *t = ud;
	size_t n = size * nmemb, len = n;
	char line[8192];
	ontra_params *fresh;

	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		/* A new status line (after a 100 Continue): start the list again. */
		if (ontra_params_count(t->headers)) {
			if (ontra_params_new(&fresh) < 0) {
				t->header_oom = 1;
				return n;
			}
			ontra_params_free(t->headers);
			t->headers = fresh;
		}
		return n;
	}
	if (len == 0 || len >= sizeof line || !memchr(data, ':', len))
		return n;
	memcpy(line, data, len);
	line[len] = '\0';
	/* A header we cannot parse is skipped, not fatal; one we cannot store fails the
	 * request (a response missing its rate-limit headers would mislead the pacer). */
	if (ontra_params_add_header(t->headers, line) == ONTRA_ERROR)
		t->header_oom = 1;
	return n;
}

/* The X-Rate-Limit-* headers in one pass: for each, the first value that parses; else -1. */
static void rate_headers(const ontra_params *h, ontra_rate_limit *rl)
{
	size_t i;
	long long v;

	rl->limit = rl->remaining = rl->reset = -1;
	for (i = 0; i < ontra_params_count(h); i++) {
		const char *k = ontra_params_key(h, i);
		long *slot = NULL;
		if (!util_strnieq(k, "X-Rate-Limit-", 13))
			continue;
		if (util_strieq(k + 13, "Limit"))
			slot = &rl->limit;
		else if (util_strieq(k + 13, "Remaining"))
			slot = &rl->remaining;
		else if (util_strieq(k + 13, "Reset"))
			slot = &rl->reset;
		if (slot && *slot < 0 &&
		    util_parse_ll(ontra_params_value(h, i), -1, 1L << 30, &v) == 0)
			*slot = (long)v;
	}
}

static int has_header(const ontra_params *h, const char *name)
{
	size_t i;

	for (i = 0; i < ontra_params_count(h); i++)
		if (util_strieq(ontra_params_key(h, i), name))
			return 1;
	return 0;
}

static int is_token(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s))
			return 0;
	return 1;
}

static int add_header(struct curl_slist **list, const char *name, const char *value)
{
	char line[8192];
	struct curl_slist *n;

	if ((size_t)snprintf(line, sizeof line, "%s: %s", name, value) >= sizeof line)
		return ontra__error(ONTRA_EINVALID, "header '%s' is too long", name);
	n = curl_slist_append(*list, line);
	if (!n)
		return ontra__error_oom();
	*list = n;
	return 0;
}

/*
 * The headers of a request that brings none of its own and no body -- most
 * reads: built once per client (c->base_hdrs), borrowed by each request.
 */
static int base_headers(ontra_client *c, struct curl_slist **out)
{
	struct curl_slist *l = NULL, *n;
	int rc;

	if (!c->base_hdrs) {
		if ((rc = add_header(&l, "Api-Key", c->api_key)) < 0 ||
		    (rc = add_header(&l, "Api-Appid", c->app_id)) < 0 ||
		    (rc = add_header(&l, "Accept", "application/json")) < 0) {
			ontra__headers_wipe(l);
			return rc;
		}
		if (!(n = curl_slist_append(l, "Expect:"))) {
			ontra__headers_wipe(l);
			return ontra__error_oom();
		}
		c->base_hdrs = n;
	}
	*out = c->base_hdrs;
	return 0;
}

/* Build the URL: base + path (+ the path's own query) + encoded query params. */
static int build_url(util_buf *url, const ontra_client *c, const ontra_request *req)
{
	const char *path = req->path;
	char shown[512];

	if (!path || !*path)
		return ontra__error(ONTRA_EINVALID,
		                    "missing request path: expected e.g. /Contacts");
	if (strpbrk(path, " \t\r\n") || util_starts_with(path, "http:") ||
	    util_starts_with(path, "https:"))
		return ontra__error(ONTRA_EINVALID,
		                    "invalid path '%s': expected a path relative to the base url, "
		                    "without spaces",
		                    util_url_shown(path, shown, sizeof shown));
	util_buf_puts(url, c->base_url);
	if (path[0] != '/')
		util_buf_putc(url, '/');
	util_buf_puts(url, path);
	if (ontra_params_count(req->query)) {
		util_buf_putc(url, strchr(path, '?') ? '&' : '?');
		if (ontra__params_encode(req->query, url) < 0)
			return ONTRA_ERROR;
	}
	if (util_buf_failed(url))
		return ontra__error_oom();
	return 0;
}

static void log_request(ontra_client *c, const char *method, const char *url,
                        const struct curl_slist *hdrs, size_t body_len)
{
	/* build_url made it the base + the request's part: the base is shown masked. */
	ontra__log(c, ONTRA_LOG_INFO, "> %s %s%s", method, c->base_shown,
	           url + strlen(c->base_url));
	if (c->log_level < ONTRA_LOG_DEBUG)
		return;
	for (; hdrs; hdrs = hdrs->next) {
		if (util_strnieq(hdrs->data, "Api-Key:", 8)) {
			char masked[16];
			util_mask_secret(c->api_key, masked, sizeof masked);
			ontra__log(c, ONTRA_LOG_DEBUG, "> Api-Key: %s", masked);
		} else if (util_strnieq(hdrs->data, "X-Sandbox-Token:", 16)) {
			/* The sandbox's control token (ontraport sandbox fire) is a secret too. */
			char masked[16];
			util_mask_secret(hdrs->data + 16 + strspn(hdrs->data + 16, " "), masked,
			                 sizeof masked);
			ontra__log(c, ONTRA_LOG_DEBUG, "> X-Sandbox-Token: %s", masked);
		} else if (hdrs->data[strlen(hdrs->data) - 1] != ':') {
			ontra__log(c, ONTRA_LOG_DEBUG, "> %s", hdrs->data);
		}
	}
	if (body_len)
		ontra__log(c, ONTRA_LOG_DEBUG, "> (%zu bytes of body)", body_len);
}

static void log_response(ontra_client *c, const ontra_response *r)
{
	size_t i;

	ontra__log(c, ONTRA_LOG_INFO, "< %d (%.0f ms, %zu bytes, rate limit %ld/%ld, reset %ld s)",
	           r->status, r->seconds * 1000.0, r->body_len, r->rate.remaining, r->rate.limit,
	           r->rate.reset);
	for (i = 0; c->log_level >= ONTRA_LOG_DEBUG && i < ontra_params_count(r->headers); i++)
		ontra__log(c, ONTRA_LOG_DEBUG, "< %s: %s", ontra_params_key(r->headers, i),
		           ontra_params_value(r->headers, i));
}

/* Whether a request may be repeated after it may have reached the server. */
int ontra__retry_safe(const ontra_request *req)
{
	const char *m = req->method ? req->method : "GET";
	const char *p = req->path ? req->path : "";
	size_t n = strcspn(p, "?");
	static const char *const safe_posts[] = {"/saveorupdate", "/pause", "/unpause"};
	size_t i;

	if (req->version >= 2 && req->retry == ONTRA_RETRY_SAFE)
		return 1;
	if (req->version >= 2 && req->retry == ONTRA_RETRY_NEVER)
		return 0;
	if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0 ||
	    strcmp(m, "PUT") == 0 || strcmp(m, "DELETE") == 0)
		return 1;
	if (strcmp(m, "POST") != 0)
		return 0;
	for (i = 0; i < sizeof safe_posts / sizeof *safe_posts; i++) {
		size_t l = strlen(safe_posts[i]);
		if (n >= l && util_strnieq(p + n - l, safe_posts[i], l))
			return 1;
	}
	return 0;
}

/* Whether a transfer failed before anything could reach the server. */
static int never_sent(CURLcode cc)
{
	return cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_RESOLVE_PROXY ||
	       cc == CURLE_COULDNT_CONNECT || cc == CURLE_UNSUPPORTED_PROTOCOL ||
	       cc == CURLE_URL_MALFORMAT;
}

/* What a request needs on the wire, built once and sent as many times as it takes. */
struct prepared {
	const char *method;
	util_buf url;
	util_buf form;
	char *json_body;
	const char *body;
	size_t body_len;
	struct curl_slist *hdrs;
	int hdrs_borrowed; /* hdrs is the client's base_hdrs */
	/* Send on a new connection. For requests that must not be repeated: on a
	 * reused keep-alive connection that dies before the answer, libcurl (before
	 * 8.16's CURLOPT_FORBID_RETRY_ON_REUSE) silently sends the request again
	 * on a fresh one -- a second create. A fresh connection is never retried. */
	int fresh;
};

static void prepared_release(struct prepared *p)
{
	if (!p->hdrs_borrowed)
		curl_slist_free_all(p->hdrs);
	util_buf_release(&p->url);
	util_buf_release(&p->form);
	free(p->json_body);
}

static int prepare(struct prepared *p, ontra_client *c, const ontra_request *req)
{
	const char *ctype = NULL;
	size_t i;
	int rc;

	memset(p, 0, sizeof *p);
	if (!c || !req || req->version < 1 || req->version > ONTRA_REQUEST_VERSION)
		return ontra__error(ONTRA_EINVALID, "invalid request: expected ONTRA_REQUEST_INIT");
	p->method = req->method ? req->method : "GET";
	if (!is_token(p->method))
		return ontra__error(ONTRA_EINVALID,
		                    "invalid method '%s': expected an HTTP method such as GET",
		                    p->method);
	if ((req->form != NULL) + (req->json != NULL) + (req->body != NULL) > 1)
		return ontra__error(ONTRA_EINVALID,
		                    "a request takes one body: form, json or raw, not several");
	if ((rc = build_url(&p->url, c, req)) < 0)
		return rc;
	if (req->form) {
		if ((rc = ontra__params_encode(req->form, &p->form)) < 0)
			return rc;
		if (util_buf_ensure(&p->form) < 0)
			return ontra__error_oom();
		p->body = p->form.data;
		p->body_len = p->form.len;
		ctype = "application/x-www-form-urlencoded";
	} else if (req->json) {
		p->json_body = json_dumps(req->json, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!p->json_body)
			return ontra__error(ONTRA_EINVALID,
			                    "request body cannot be encoded as JSON");
		p->body = p->json_body;
		p->body_len = strlen(p->json_body);
		ctype = "application/json";
	} else if (req->body) {
		p->body = req->body;
		p->body_len = req->body_len;
		ctype = req->content_type;
	}

	if (!ctype && ontra_params_count(req->headers) == 0) {
		p->hdrs_borrowed = 1;
		return base_headers(c, &p->hdrs);
	}
	/* Headers: ours first, then the caller's; the caller cannot replace auth. */
	if (add_header(&p->hdrs, "Api-Key", c->api_key) < 0 ||
	    add_header(&p->hdrs, "Api-Appid", c->app_id) < 0)
		return ONTRA_ERROR;
	if (!has_header(req->headers, "Accept") &&
	    add_header(&p->hdrs, "Accept", "application/json") < 0)
		return ONTRA_ERROR;
	if (ctype && !has_header(req->headers, "Content-Type") &&
	    add_header(&p->hdrs, "Content-Type", ctype) < 0)
		return ONTRA_ERROR;
	for (i = 0; i < ontra_params_count(req->headers); i++) {
		const char *k = ontra_params_key(req->headers, i);
		if (util_strieq(k, "Api-Key") || util_strieq(k, "Api-Appid"))
			continue;
		if (strpbrk(ontra_params_value(req->headers, i), "\r\n") || !is_token(k))
			return ontra__error(ONTRA_EINVALID, "invalid header '%s'", k);
		if ((rc = add_header(&p->hdrs, k, ontra_params_value(req->headers, i))) < 0)
			return rc;
	}
	/* No "Expect: 100-continue" round trip on larger bodies. */
	if (!has_header(req->headers, "Expect")) {
		struct curl_slist *n = curl_slist_append(p->hdrs, "Expect:");
		if (!n)
			return ontra__error_oom();
		p->hdrs = n;
	}
	return 0;
}

/*
 * One attempt. Returns 0 with *out set (any HTTP status), or a negative code
 * with *cc_out set for transport failures.
 */
static int attempt(ontra_response **out, CURLcode *cc_out, ontra_client *c,
                   const struct prepared *p)
{
	struct transfer t = {c, UTIL_BUF_INIT, NULL, 0};
	const char *method = p->method;
	CURL *h = c->curl;
	CURLcode cc;
	long status = 0, nconn = 0;
	double secs = 0;
	ontra_response *r;
	int rc;

	*out = NULL;
	*cc_out = CURLE_OK;
	if (ontra_params_new(&t.headers) < 0)
		return ONTRA_ERROR;
	t.body.cap = c->max_response_size;

	curl_easy_reset(h);
	if (c->share)
		curl_easy_setopt(h, CURLOPT_SHARE, c->share->curl);
	curl_easy_setopt(h, CURLOPT_URL, p->url.data);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, p->hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, p->fresh ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
	if (strcmp(method, "GET") == 0 && !p->body) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else {
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		if (p->body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
		    strcmp(method, "PATCH") == 0) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->body_len);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, p->body ? p->body : "");
		}
	}

	log_request(c, method, p->url.data, p->hdrs, p->body_len);
	c->stats.requests++;
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &nconn);
	if (nconn > 0)
		c->stats.connections += (unsigned long)nconn;
	/* The easy handle must not keep pointers into our buffers after this. */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
	if (cc != CURLE_OK) {
		*cc_out = cc;
		if (cc == CURLE_WRITE_ERROR && t.body.overflow) {
			rc = ontra__error(ONTRA_EBADRESPONSE,
			                  "response larger than the %zu-byte limit",
			                  c->max_response_size);
		} else if (cc == CURLE_WRITE_ERROR && t.body.oom) {
			/* Not a network failure: not retried, and no EUNSAFE. */
			rc = ontra__error_oom();
		} else {
			rc = ontra__error(ONTRA_ENETWORK, "cannot reach %s: %s", c->base_shown,
			                  curl_easy_strerror(cc));
			ontra__error_detail(0, (int)cc, NULL, 0);
		}
		ontra__log(c, ONTRA_LOG_INFO, "< %s", ontra_error_last()->message);
		goto done;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &secs);
	if (t.header_oom || util_buf_ensure(&t.body) < 0) {
		rc = ontra__error_oom();
		goto done;
	}
	r = calloc(1, sizeof *r);
	if (!r) {
		rc = ontra__error_oom();
		goto done;
	}
	r->status = (int)status;
	r->body_len = t.body.len;
	r->body = util_buf_detach(&t.body);
	r->headers = t.headers;
	t.headers = NULL;
	r->seconds = secs;
	rate_headers(r->headers, &r->rate);
	if (r->rate.limit >= 0 || r->rate.remaining >= 0)
		c->last_rate = r->rate;
	if (r->status == 429)
		c->stats.rate_limited++;
	ontra__pacer_update(c->pacer, &r->rate, r->status, secs);
	if (c->budget.answer)
		c->budget.answer(c->budget.userdata, c->app_id, &r->rate, r->status, secs);
	log_response(c, r);
	*out = r;
	rc = 0;
done:
	util_buf_release(&t.body);
	ontra_params_free(t.headers);
	return rc;
}

/* Exponential backoff with jitter: base 0.25 s doubling, capped at 8 s, in [d/2, d]. */
double ontra__backoff(ontra_client *c, int n)
{
	double d = 0.25 * (double)(1u << (n > 5 ? 5 : n));
	if (d > 8.0)
		d = 8.0;
	return d / 2 + d / 2 * ((double)rand_r(&c->seed) / (double)RAND_MAX);
}

/* Log and announce a rate-limit wait of `wait` seconds, then sleep it. */
static void wait_for_rate(ontra_client *c, double wait, const char *why)
{
	if (wait > 0.5)
		ontra__log(c, ONTRA_LOG_INFO, "* pacing: waiting %.1f s for the rate limit: %s",
		           wait, why);
	if (wait >= 1.0 && c->on_wait)
		c->on_wait(c->on_wait_userdata, wait, why);
	ontra__sleep(wait);
}

/* The longest wait taken from one answer of a budget: the API's window plus 10%. */
#define BUDGET_MAX_WAIT_MS 66000L

/*
 * Ask the client's budget (ontra_budget) until it lets the request go: 0, or
 * ONTRA_ERATELIMIT when the waits would pass max_wait (nothing sent), or 1
 * when the budget cannot answer (the caller paces with the client's pacer).
 */
static int pace_budget(ontra_client *c, const char *method, const char *path)
{
	double waited = 0, wait;
	char why[256];
	long ms;

	for (;;) {
		why[0] = '\0';
		ms = c->budget.reserve(c->budget.userdata, c->app_id, why, sizeof why);
		if (ms < 0)
			return 1;
		if (ms == 0)
			return 0;
		if (!why[0])
			snprintf(why, sizeof why, "the account's shared rate budget is spent");
		wait = (double)(ms < BUDGET_MAX_WAIT_MS ? ms : BUDGET_MAX_WAIT_MS) / 1000.0;
		if (c->max_wait >= 0 && waited + wait > c->max_wait)
			return ontra__error(
			    ONTRA_ERATELIMIT,
			    "%s %s: rate limit: it would wait %ld s (%s), longer than "
			    "the maximum wait of %g s; nothing was sent",
			    method, path, (long)(waited + wait + 0.999), why, c->max_wait);
		if (waited == 0)
			c->stats.paced++;
		wait_for_rate(c, wait, why);
		waited += wait;
	}
}

/*
 * Wait for the rate limit before an attempt: the budget's word when the
 * client has one, else the pacer's; at most the client's max_wait (else
 * ONTRA_ERATELIMIT, nothing sent), telling on_wait of a wait of a second or
 * more.
 */
static int pace(ontra_client *c, const char *method, const char *path)
{
	char why[256];
	double wait;
	int rc;

	if (c->budget.reserve && (rc = pace_budget(c, method, path)) <= 0)
		return rc;
	if (ontra__pacer_reserve_within(c->pacer, c->max_wait, &wait, why, sizeof why) < 0)
		return ontra__error(ONTRA_ERATELIMIT,
		                    "%s %s: rate limit: it would wait %ld s (%s), longer than the "
		                    "maximum wait of %g s; nothing was sent",
		                    method, path, (long)(wait + 0.999), why, c->max_wait);
	if (wait <= 0)
		return 0;
	c->stats.paced++;
	wait_for_rate(c, wait, why);
	return 0;
}

/* A write to the field editor (/objects/fieldeditor, /Contacts/fieldeditor, ...): the
 * account's fields change, so the metadata does. */
static int changes_fields(const char *method, const char *path)
{
	static const char fe[] = "/fieldeditor";
	size_t n = path ? strcspn(path, "?") : 0;

	if (n && path[n - 1] == '/')
		n--;
	return !util_strieq(method, "GET") && !util_strieq(method, "HEAD") && n >= sizeof fe - 1 &&
	       util_strnieq(path + n - (sizeof fe - 1), fe, sizeof fe - 1);
}

int ontra_send(ontra_response **out, ontra_client *c, const ontra_request *req)
{
	struct prepared p;
	ontra_response *r = NULL;
	double start, wait;
	int rc, n, safe;
	CURLcode cc = CURLE_OK;

	*out = NULL;
	if ((rc = prepare(&p, c, req)) < 0)
		goto done;
	safe = ontra__retry_safe(req);
	p.fresh = !safe;
	start = ontra__now();
	for (n = 0;; n++) {
		const char *why = NULL;
		char whybuf[64];
		int paced_wait = 0;

		if ((rc = pace(c, p.method, req->path)) < 0)
			break;
		rc = attempt(&r, &cc, c, &p);
		if (rc == 0 && r->status == 429) {
			/* Refused before any work: always safe to send again after the reset
			 * (capped). */
			wait = ontra__reset_seconds(r->rate.reset);
			if (c->max_wait >= 0 && wait > c->max_wait)
				break; /* the 429 stands: waiting it out would take longer than
				          allowed */
			why = "429 rate limited";
			/* the pacer (or the budget, told of the 429) holds the next send until
			 * the reset */
			paced_wait = c->pacer != NULL || c->budget.reserve != NULL;
		} else if (rc == 0 &&
		           (r->status == 500 || r->status == 502 || r->status == 503 ||
		            r->status == 504) &&
		           safe) {
			wait = ontra__backoff(c, n);
			snprintf(whybuf, sizeof whybuf, "%d", r->status);
			why = whybuf;
		} else if (rc == ONTRA_ENETWORK && (safe || never_sent(cc))) {
			wait = ontra__backoff(c, n);
			why = curl_easy_strerror(cc);
		} else {
			break;
		}
		if (n >= c->max_retries ||
		    (ontra__now() - start + wait) * 1000.0 > (double)c->retry_max_ms)
			break;
		ontra__log(c, ONTRA_LOG_INFO, "* retry %d/%d in %.2f s after %s", n + 1,
		           c->max_retries, wait, why);
		ontra_response_free(r);
		r = NULL;
		c->stats.retries++;
		if (!paced_wait)
			ontra__sleep(wait);
	}
	if (rc == ONTRA_ENETWORK && !safe && !never_sent(cc)) {
		rc = ontra__error(
		    ONTRA_EUNSAFE,
		    "%s %s: %s; the request may have reached the server, so it was not "
		    "repeated (a repeat could create a duplicate; use an upsert)",
		    p.method, req->path, curl_easy_strerror(cc));
		ontra__error_detail(0, (int)cc, NULL, 0);
	}
	if (rc == 0 && r->status >= 200 && r->status <= 299 && changes_fields(p.method, req->path))
		ontra__meta_stale(c);
	if (rc == 0)
		*out = r;
done:
	prepared_release(&p);
	return rc;
}

void ontra_response_free(ontra_response *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->text_owned);
	ontra_params_free(r->headers);
	free(r);
}

int ontra_response_status(const ontra_response *r)
{
	return r->status;
}

const char *ontra_response_body(const ontra_response *r, size_t *len)
{
	if (len)
		*len = r->body_len;
	return r->body;
}

const char *ontra_response_header(const ontra_response *r, const char *name)
{
	size_t i;

	for (i = 0; i < ontra_params_count(r->headers); i++)
		if (util_strieq(ontra_params_key(r->headers, i), name))
			return ontra_params_value(r->headers, i);
	return NULL;
}

const ontra_params *ontra_response_headers(const ontra_response *r)
{
	return r->headers;
}

void ontra_response_rate_limit(const ontra_response *r, ontra_rate_limit *out)
{
	*out = r->rate;
}
