/* The client handle: options, one libcurl easy handle, counters. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "internal.h"
#include "banned.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_TIMEOUT_MS 60000L
#define DEFAULT_MAX_RESPONSE (64u * 1024u * 1024u)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* A value that goes into a header must not be able to start another one. */
static int header_safe(const char *s)
{
	return s && *s && !strpbrk(s, "\r\n");
}

/* Errors show the URL without its userinfo: it may hold a password. */
static int check_base_url(const char *url)
{
	char shown[512];

	util_url_shown(url, shown, sizeof shown);
	if (!util_starts_with(url, "https://") && !util_starts_with(url, "http://"))
		return ontra__error(ONTRA_EINVALID,
		                    "invalid base url '%s': expected http:// or https://", shown);
	if (strpbrk(url, " \t\r\n?#"))
		return ontra__error(ONTRA_EINVALID,
		                    "invalid base url '%s': expected no spaces, query or fragment",
		                    shown);
	if (strlen(url) < 10 || url[strlen(url) - 1] == ':')
		return ontra__error(ONTRA_EINVALID, "invalid base url '%s': no host", shown);
	return 0;
}

/*
 * Repeats of a failed safe request, from max_retries (version 2): before
 * version 4, -1 was the default and 0 none; since, 0 is the default (zero
 * means "not given") and ONTRA_RETRIES_NONE none. At most 100.
 */
static int max_retries(const ontra_client_options *opts)
{
	int n = opts->max_retries;

	if (opts->version >= 4)
		n = n == ONTRA_RETRIES_NONE ? 0 : n == 0 ? -1 : n;
	if (n < 0)
		return 5;
	return n > 100 ? 100 : n;
}

int ontra_client_new(ontra_client **out, const ontra_client_options *opts)
{
	ontra_client *c;
	const char *base;
	size_t n;
	int rc;

	*out = NULL;
	if (!opts || opts->version < 1 || opts->version > ONTRA_CLIENT_OPTIONS_VERSION)
		return ontra__error(ONTRA_EINVALID,
		                    "client options version %u unsupported (expected 1..%d)",
		                    opts ? opts->version : 0, ONTRA_CLIENT_OPTIONS_VERSION);
	if (!header_safe(opts->app_id))
		return ontra__error(
		    ONTRA_EINVALID,
		    "missing app id: expected a non-empty value without line breaks");
	if (!header_safe(opts->api_key))
		return ontra__error(
		    ONTRA_EINVALID,
		    "missing api key: expected a non-empty value without line breaks");
	base = opts->base_url && *opts->base_url ? opts->base_url : ONTRA_DEFAULT_BASE_URL;
	if ((rc = check_base_url(base)) < 0)
		return rc;
	if (opts->user_agent && strpbrk(opts->user_agent, "\r\n"))
		return ontra__error(ONTRA_EINVALID, "invalid user agent: it holds a line break");

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return ontra__error(ONTRA_ERROR, "libcurl failed to initialise: %s",
		                    curl_easy_strerror(curl_init_rc));

	c = calloc(1, sizeof *c);
	if (!c)
		return ontra__error_oom();
	c->base_url = util_strdup(base);
	/* The mask may be longer than what it hides, and libcurl may add a '/'. */
	c->base_shown = malloc(strlen(base) + sizeof UTIL_URL_MASK + 2);
	c->app_id = util_strdup(opts->app_id);
	c->api_key = util_strdup(opts->api_key);
	c->ca_file = opts->ca_file ? util_strdup(opts->ca_file) : NULL;
	if (opts->user_agent)
		c->user_agent = util_strdup(opts->user_agent);
	else
		c->user_agent = util_strdup("libontraport/" ONTRA_VERSION);
	c->curl = curl_easy_init();
	if (!c->base_url || !c->base_shown || !c->app_id || !c->api_key || !c->user_agent ||
	    !c->curl || (opts->ca_file && !c->ca_file)) {
		ontra_client_free(c);
		return ontra__error_oom();
	}
	n = strlen(c->base_url);
	while (n > 0 && c->base_url[n - 1] == '/')
		c->base_url[--n] = '\0';
	util_url_shown(c->base_url, c->base_shown, strlen(base) + sizeof UTIL_URL_MASK + 2);
	n = strlen(c->base_shown);
	while (n > 0 && c->base_shown[n - 1] == '/')
		c->base_shown[--n] = '\0';
	c->connect_timeout_ms =
	    opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
	c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
	c->max_response_size =
	    opts->max_response_size ? opts->max_response_size : DEFAULT_MAX_RESPONSE;
	c->log = opts->log;
	c->log_userdata = opts->log_userdata;
	c->log_level = opts->log_level ? opts->log_level : ONTRA_LOG_INFO;
	c->last_rate.limit = c->last_rate.remaining = c->last_rate.reset = -1;
	c->max_retries = 5;
	c->retry_max_ms = 120000;
	c->max_wait = -1;
	/* Through unsigned long long: a double beyond UINT_MAX converted straight to unsigned int
	 * is undefined (and the monotonic clock passes 2^32 microseconds after 72 minutes). */
	c->seed = (unsigned int)(unsigned long long)(ontra__now() * 1e6) ^ (unsigned int)(size_t)c;
	if (opts->version >= 2) {
		c->share = opts->share;
		c->max_retries = max_retries(opts);
		if (opts->retry_max_ms > 0)
			c->retry_max_ms = opts->retry_max_ms;
	}
	if (opts->version >= 3) {
		if (opts->max_wait_ms > 0)
			c->max_wait = (double)opts->max_wait_ms / 1000.0;
		else if (opts->max_wait_ms < 0)
			c->max_wait = 0; /* ONTRA_NO_WAIT */
		c->on_wait = opts->on_wait;
		c->on_wait_userdata = opts->on_wait_userdata;
	}
	if (opts->version >= 5 && opts->cache_dir && *opts->cache_dir) {
		if (!(c->cache_dir = util_strdup(opts->cache_dir))) {
			ontra_client_free(c);
			return ontra__error_oom();
		}
		c->cache_ttl_s = opts->cache_ttl_s > 0 ? opts->cache_ttl_s : 0;
		c->cache_skip = opts->cache_refresh != 0;
	}
	if (opts->version >= 6 && opts->budget) {
		if (!opts->budget->reserve) {
			ontra_client_free(c);
			return ontra__error(ONTRA_EINVALID,
			                    "client options: a budget needs its reserve function");
		}
		c->budget = *opts->budget;
	}
	if (c->share) {
		c->pacer = c->share->pacer;
		curl_easy_setopt(c->curl, CURLOPT_SHARE, c->share->curl);
	} else if (opts->version < 2 || !opts->no_pacing) {
		c->pacer = ontra__pacer_new();
		if (!c->pacer) {
			ontra_client_free(c);
			return ontra__error_oom();
		}
	}
	if (opts->version >= 2 && opts->no_pacing && c->share)
		c->pacer = NULL;
	*out = c;
	return 0;
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
	ontra_share *s = ud;
	(void)h;
	(void)access;
	if (data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&s->locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
	ontra_share *s = ud;
	(void)h;
	if (data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&s->locks[data]);
}

int ontra_share_new(ontra_share **out)
{
	ontra_share *s;
	int i;

	*out = NULL;
	pthread_once(&curl_once, curl_init);
	s = calloc(1, sizeof *s);
	if (!s)
		return ontra__error_oom();
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&s->locks[i], NULL);
	s->curl = curl_share_init();
	s->pacer = ontra__pacer_new();
	if (!s->curl || !s->pacer) {
		ontra_share_free(s);
		return ontra__error_oom();
	}
	curl_share_setopt(s->curl, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(s->curl, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(s->curl, CURLSHOPT_USERDATA, s);
	curl_share_setopt(s->curl, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(s->curl, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(s->curl, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	*out = s;
	return 0;
}

void ontra_share_free(ontra_share *s)
{
	int i;

	if (!s)
		return;
	if (s->curl)
		curl_share_cleanup(s->curl);
	ontra__pacer_free(s->pacer);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&s->locks[i]);
	free(s);
}

void ontra__headers_wipe(struct curl_slist *list)
{
	struct curl_slist *n;

	for (n = list; n; n = n->next) {
		volatile char *d = n->data;
		while (*d)
			*d++ = '\0';
	}
	curl_slist_free_all(list);
}

void ontra_client_free(ontra_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	ontra__headers_wipe(c->base_hdrs);
	if (!c->share)
		ontra__pacer_free(c->pacer);
	json_decref(c->meta);
	json_decref(c->meta_retired);
	free(c->base_url);
	free(c->base_shown);
	free(c->app_id);
	if (c->api_key) {
		/* Do not leave the key lying around in freed memory. */
		volatile char *k = c->api_key;
		while (*k)
			*k++ = '\0';
	}
	free(c->api_key);
	free(c->user_agent);
	free(c->ca_file);
	free(c->cache_dir);
	free(c);
}

const char *ontra_client_base_url(const ontra_client *c)
{
	return c->base_url;
}

void ontra_client_rate_limit(const ontra_client *c, ontra_rate_limit *out)
{
	*out = c->last_rate;
}

void ontra_client_stats_get(const ontra_client *c, ontra_client_stats *out)
{
	*out = c->stats;
}

void ontra__log(const ontra_client *c, int level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (!c->log || level > c->log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	c->log(c->log_userdata, level, line);
}
