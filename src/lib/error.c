/*
 * The thread-local last error. The library owns its memory; the pointers
 * handed out stay valid until the next error on the same thread.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "banned.h"

/* The server's body is kept for diagnosis, but not without bound. */
#define ERROR_BODY_CAP (64 * 1024)

/*
 * Per-thread state lives on the heap behind a pthread key, so that a
 * thread's saved body is freed when the thread exits. If the state cannot
 * be allocated, a static fallback holds an out-of-memory message.
 */
struct err_state {
	ontra_error pub;
	char message[512];
	char *body;
};

static pthread_key_t err_key;
static pthread_once_t err_once = PTHREAD_ONCE_INIT;
static const ontra_error oom_error = {ONTRA_ERROR, 0, 0, "out of memory", NULL, 0};

static void state_free(void *p)
{
	struct err_state *st = p;
	if (st) {
		free(st->body);
		free(st);
	}
}

static void key_init(void)
{
	(void)pthread_key_create(&err_key, state_free);
}

static struct err_state *state(void)
{
	struct err_state *st;

	pthread_once(&err_once, key_init);
	st = pthread_getspecific(err_key);
	if (!st) {
		st = calloc(1, sizeof *st);
		if (!st)
			return NULL;
		st->pub.message = st->message;
		if (pthread_setspecific(err_key, st) != 0) {
			free(st);
			return NULL;
		}
	}
	return st;
}

static struct err_state *reset(void)
{
	struct err_state *st = state();

	if (!st)
		return NULL;
	free(st->body);
	st->body = NULL;
	memset(&st->pub, 0, sizeof st->pub);
	st->message[0] = '\0';
	st->pub.message = st->message;
	return st;
}

int ontra__error(int code, const char *fmt, ...)
{
	va_list ap;
	struct err_state *st = reset();

	if (!st)
		return code;
	st->pub.code = code;
	va_start(ap, fmt);
	vsnprintf(st->message, sizeof st->message, fmt, ap);
	va_end(ap);
	/* One line, always: a server's text may carry newlines. */
	for (char *p = st->message; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return code;
}

void ontra__error_detail(int http_status, int curl_code, const char *body, size_t body_len)
{
	struct err_state *st = state();

	if (!st)
		return;
	st->pub.http_status = http_status;
	st->pub.curl_code = curl_code;
	if (body) {
		size_t n = body_len > ERROR_BODY_CAP ? ERROR_BODY_CAP : body_len;
		free(st->body);
		st->pub.body = NULL;
		st->pub.body_len = 0;
		st->body = malloc(n + 1);
		if (st->body) {
			memcpy(st->body, body, n);
			st->body[n] = '\0';
			st->pub.body = st->body;
			st->pub.body_len = n;
		}
	}
}

int ontra__error_oom(void)
{
	struct err_state *st = reset();

	if (st) {
		st->pub.code = ONTRA_ERROR;
		snprintf(st->message, sizeof st->message, "out of memory");
	}
	return ONTRA_ERROR;
}

const ontra_error *ontra_error_last(void)
{
	struct err_state *st = state();

	return st ? &st->pub : &oom_error;
}

void ontra_error_clear(void)
{
	reset();
}

const char *ontra_error_name(int code)
{
	switch (code) {
	case ONTRA_OK:
		return "ok";
	case ONTRA_EINVALID:
		return "invalid input";
	case ONTRA_EAUTH:
		return "auth";
	case ONTRA_ENOTFOUND:
		return "not found";
	case ONTRA_ERATELIMIT:
		return "rate limited";
	case ONTRA_ESERVER:
		return "server error";
	case ONTRA_ENETWORK:
		return "network error";
	case ONTRA_EBADRESPONSE:
		return "bad response";
	case ONTRA_EUSER:
		return "stopped by caller";
	case ONTRA_EUNSAFE:
		return "unsafe to repeat";
	case ONTRA_EFORBIDDEN:
		return "forbidden";
	default:
		return "error";
	}
}

void ontra_free(void *p)
{
	free(p);
}

const char *ontra_version(void)
{
	return ONTRA_VERSION;
}
