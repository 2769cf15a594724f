/*
 * deliver_forward: POST each event to a URL with one kept-alive libcurl
 * handle. Only http and https; no redirects (a 3xx is a failure: the user
 * gave the URL to deliver to, not one to be sent elsewhere); the answer's
 * body is read and dropped.
 */
#include "deliver_int.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "receiver.h"
#include "util.h"
#include "banned.h"

struct rcv_forwarder {
	CURL *h;
	struct curl_slist *headers;
	char *url;
	char curl_err[CURL_ERROR_SIZE];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

int rcv_forwarder_new(rcv_forwarder **out, const char *url, long timeout_ms, char *err,
                      size_t errsz)
{
	rcv_forwarder *f;
	struct curl_slist *h1;

	*out = NULL;
	if (!url || !(util_strnieq(url, "http://", 7) || util_strnieq(url, "https://", 8))) {
		snprintf(err, errsz, "forward url must start with http:// or https://");
		return RCV_EINVALID;
	}
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		snprintf(err, errsz, "cannot initialise libcurl: %s",
		         curl_easy_strerror(global_rc));
		return RCV_ERROR;
	}
	f = calloc(1, sizeof *f);
	if (!f || !(f->url = util_strdup(url)) || !(f->h = curl_easy_init())) {
		snprintf(err, errsz, "out of memory");
		if (f)
			free(f->url);
		free(f);
		return RCV_ERROR;
	}
	h1 = curl_slist_append(NULL, "Content-Type: application/json");
	f->headers = h1 ? curl_slist_append(h1, "Expect:") : NULL; /* no 100-continue round trip */
	if (!f->headers) {
		curl_slist_free_all(h1);
		rcv_forwarder_free(f);
		snprintf(err, errsz, "out of memory");
		return RCV_ERROR;
	}
	curl_easy_setopt(f->h, CURLOPT_URL, f->url);
	curl_easy_setopt(f->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(f->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(f->h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 10000 ? timeout_ms : 10000L);
	curl_easy_setopt(f->h, CURLOPT_HTTPHEADER, f->headers);
	curl_easy_setopt(f->h, CURLOPT_USERAGENT, "ontraport-receiver");
	curl_easy_setopt(f->h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(f->h, CURLOPT_ERRORBUFFER, f->curl_err);
	*out = f;
	return 0;
}

int rcv_forwarder_post(rcv_forwarder *f, const char *doc, size_t len, char *err, size_t errsz)
{
	long status = 0;
	CURLcode rc;

	f->curl_err[0] = '\0';
	curl_easy_setopt(f->h, CURLOPT_POSTFIELDS, doc);
	curl_easy_setopt(f->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(f->h);
	curl_easy_setopt(f->h, CURLOPT_POSTFIELDS, NULL);
	if (rc != CURLE_OK) {
		snprintf(err, errsz, "forward failed: %s",
		         f->curl_err[0] ? f->curl_err : curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		snprintf(err, errsz, "forward answered http %ld", status);
		return -1;
	}
	return 0;
}

void rcv_forwarder_free(rcv_forwarder *f)
{
	if (!f)
		return;
	curl_easy_cleanup(f->h);
	curl_slist_free_all(f->headers);
	free(f->url);
	free(f);
}
