/*
 * Helpers shared by the receiver's unit tests (header-only: each test is its
 * own executable). Fixtures, temporary directories, HTTP posts, waiting.
 */
#ifndef TEST_RCV_HELPERS_H
#define TEST_RCV_HELPERS_H

#include <curl/curl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "receiver.h"

/* Read a whole file; NULL if it cannot be read. */
static inline char *th_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	util_buf b = UTIL_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		util_buf_append(&b, chunk, n);
	fclose(f);
	util_buf_ensure(&b);
	if (len)
		*len = b.len;
	return util_buf_detach(&b);
}

/* tests/data/webhooks/<name>: from ONTRA_TEST_DATA (set by ctest), else beside this file. */
static inline char *th_fixture(const char *name, size_t *len)
{
	const char *env = getenv("ONTRA_TEST_DATA");
	char path[1024];

	if (env && *env) {
		snprintf(path, sizeof path, "%s/webhooks/%s", env, name);
	} else {
		const char *here = __FILE__, *slash = strrchr(here, '/');
		int dirlen = slash ? (int)(slash - here) : 1;
		snprintf(path, sizeof path, "%.*s/../data/webhooks/%s", dirlen, slash ? here : ".",
		         name);
	}
	return th_read_file(path, len);
}

/* A fresh private directory under $TMPDIR or /tmp; the caller frees the string. */
static inline char *th_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[512];

	snprintf(tmpl, sizeof tmpl, "%s/rcvtest.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl))
		return NULL;
	return strdup(tmpl);
}

/* Remove a flat directory made by th_tmpdir and free its name. */
static inline void th_rmdir(char *dir)
{
	DIR *d;
	struct dirent *e;
	char path[1024];

	if (!dir)
		return;
	d = opendir(dir);
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
}

static inline char *th_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static inline void th_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Poll cond (an expression) every 5 ms until true or timeout_ms passed; yields its last value. */
#define TH_WAIT_UNTIL(cond, timeout_ms)                                                            \
	({                                                                                         \
		int64_t th_deadline_ = rcv_now_ms() + (timeout_ms);                                \
		int th_ok_;                                                                        \
		while (!(th_ok_ = !!(cond)) && rcv_now_ms() < th_deadline_)                        \
			th_sleep_ms(5);                                                            \
		th_ok_;                                                                            \
	})

static inline size_t th_collect(char *p, size_t size, size_t n, void *ud)
{
	util_buf_append(ud, p, size * n);
	return size * n;
}

/*
 * POST body to url on handle h (NULL: a one-off handle). Returns the HTTP
 * status (0 when no answer came) and the response body in *resp (may be NULL;
 * free it). `headers` may be NULL.
 */
static inline long th_post_h(CURL *h, const char *url, const char *body, size_t len,
                             const char *ctype, struct curl_slist *headers, char **resp)
{
	CURL *own = h ? NULL : curl_easy_init();
	util_buf out = UTIL_BUF_INIT;
	struct curl_slist *hs = NULL, *it;
	char ct[256];
	long status = 0;

	if (!h)
		h = own;
	if (resp)
		*resp = NULL;
	if (ctype) {
		snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
		hs = curl_slist_append(hs, ct);
	} else {
		hs = curl_slist_append(hs, "Content-Type:"); /* curl would add a form type */
	}
	hs = curl_slist_append(hs, "Expect:");
	for (it = headers; it; it = it->next)
		hs = curl_slist_append(hs, it->data);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, th_collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hs);
	if (own)
		curl_easy_cleanup(own);
	util_buf_ensure(&out);
	if (resp)
		*resp = util_buf_detach(&out);
	else
		util_buf_release(&out);
	return status;
}

static inline long th_post(const char *url, const char *body, const char *ctype, char **resp)
{
	return th_post_h(NULL, url, body, strlen(body), ctype, NULL, resp);
}

#endif
