/*
 * conn: connecting, errors (one line, the password masked), results.
 *
 * libpq's messages can quote what it could not parse of a URL, a password
 * included ("invalid percent-encoded token"); so every message recorded is
 * scrubbed of the connection's password, both as written in the URL and as
 * decoded, before anyone sees it.
 */
#include "pgq_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

#define PGQ_CONNECT_TIMEOUT "10"

static _Thread_local char tls_err[1024]; /* a multi-host URL: a failure per host */

const char *pgq_last_error(void)
{
	return tls_err;
}

/* Replace each occurrence of secret (when at least 1 byte) in s (size sz) by UTIL_URL_MASK. */
static void mask_in(char *s, size_t sz, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0, m = strlen(UTIL_URL_MASK);
	char *p;

	if (n == 0)
		return;
	while ((p = strstr(s, secret)) != NULL) {
		size_t tail = strlen(p + n);
		if (m <= n) {
			memcpy(p, UTIL_URL_MASK, m);
			memmove(p + m, p + n, tail + 1);
		} else {
			/* A short secret: the mask is longer; make room, cut at the end. */
			size_t off = (size_t)(p - s), keep = tail;
			if (off + m + keep + 1 > sz)
				keep = sz > off + m + 1 ? sz - off - m - 1 : 0;
			if (off + m >= sz) {
				*p = '\0';
				return;
			}
			memmove(p + m, p + n, keep);
			p[m + keep] = '\0';
			memcpy(p, UTIL_URL_MASK, m);
		}
	}
}

/* One line: newlines and tabs become spaces, runs of spaces and the trailing ones go. */
static void one_line(char *s)
{
	char *r = s, *w = s;

	for (; *r; r++) {
		char c = (*r == '\n' || *r == '\r' || *r == '\t') ? ' ' : *r;
		if (c == ' ' && (w == s || w[-1] == ' '))
			continue;
		*w++ = c;
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

static void record(const pgq *q, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void record(const pgq *q, const char *fmt, va_list ap)
{
	vsnprintf(tls_err, sizeof tls_err, fmt, ap);
	one_line(tls_err);
	if (q) {
		mask_in(tls_err, sizeof tls_err, q->secret_raw);
		mask_in(tls_err, sizeof tls_err, q->secret);
	}
}

int pgq__seterr(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(NULL, fmt, ap);
	va_end(ap);
	return code;
}

static int seterr_q(const pgq *q, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int seterr_q(const pgq *q, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(q, fmt, ap);
	va_end(ap);
	return code;
}

int pgq__pgerr(pgq *q, const PGresult *res, const char *what)
{
	const char *msg = res ? PQresultErrorMessage(res) : NULL;

	if (!msg || !*msg)
		msg = q && q->conn ? PQerrorMessage(q->conn) : "no connection";
	if (!msg || !*msg)
		msg = "unknown error";
	return seterr_q(q, PGQ_ERROR, "queue: %s: %s", what, msg);
}

const char *pgq_url_shown(const char *url, char *out, size_t outsz)
{
	char *p;

	util_url_shown(url, out, outsz);
	/* libpq also takes the password as a query parameter: ?password=... or &password=... */
	for (p = strchr(out, '?'); p && *p; p++) {
		if ((*p == '?' || *p == '&') && strncmp(p + 1, "password=", 9) == 0) {
			char *v = p + 10, *end = v + strcspn(v, "&#");
			size_t m = strlen(UTIL_URL_MASK);
			if ((size_t)(end - v) >= m) {
				memcpy(v, UTIL_URL_MASK, m);
				memmove(v + m, end, strlen(end) + 1);
			} else {
				memset(v, '*', (size_t)(end - v)); /* too short to need more */
			}
		}
	}
	return out;
}

/* The password as written in the URL's userinfo ("user:PASSWORD@"), or NULL. */
static char *raw_password(const char *url)
{
	const char *a = strstr(url, "://"), *colon, *at = NULL, *p;
	size_t n;

	if (!a)
		return NULL;
	a += 3;
	n = strcspn(a, "/?#");
	for (p = a; p < a + n; p++)
		if (*p == '@')
			at = p;
	if (!at)
		return NULL;
	colon = memchr(a, ':', (size_t)(at - a));
	return colon && at > colon + 1 ? util_strndup(colon + 1, (size_t)(at - colon - 1)) : NULL;
}

/* The password libpq reads from the URL (decoded, or a password= parameter), or NULL. */
static char *parsed_password(const char *url)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL), *o;
	char *pw = NULL;

	for (o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
			pw = util_strdup(o->val);
	PQconninfoFree(opts);
	return pw;
}

/* Whether libpq cannot parse url (the error recorded, the password masked). */
static int url_invalid(const pgq *q, const char *url, const char *shown)
{
	char *why = NULL;
	PQconninfoOption *opts = PQconninfoParse(url, &why);

	if (opts) {
		PQconninfoFree(opts);
		return 0;
	}
	seterr_q(q, PGQ_EINVALID, "queue: invalid URL '%s': %s", shown,
	         why ? why : "out of memory");
	PQfreemem(why);
	return 1;
}

/* The server's notices ("relation already exists, skipping") are not for the user. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int is_pg_url(const char *url)
{
	return util_starts_with(url, "postgresql://") || util_starts_with(url, "postgres://");
}

int pgq__connect(pgq **out, const char *url)
{
	/* Defaults first: what the URL itself sets (expanded in place of dbname) overrides them. */
	const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
	const char *vals[] = {PGQ_CONNECT_TIMEOUT, "ontraport", url, NULL};
	char shown[512];
	pgq *q;

	*out = NULL;
	if (!url || !is_pg_url(url))
		return pgq__seterr(PGQ_EINVALID,
		                   "queue: '%.200s' is not a PostgreSQL URL (expected "
		                   "postgresql://[user[:password]@]host[:port]/database)",
		                   url ? pgq_url_shown(url, shown, sizeof shown) : "");
	q = calloc(1, sizeof *q);
	if (!q)
		return pgq__seterr(PGQ_ERROR, "queue: out of memory");
	q->secret = parsed_password(url);
	q->secret_raw = raw_password(url);
	pgq_url_shown(url, shown, sizeof shown);
	if (url_invalid(q, url, shown)) {
		pgq_close(q);
		return PGQ_EINVALID;
	}
	q->conn = PQconnectdbParams(keys, vals, 1);
	if (!q->conn) {
		pgq_close(q);
		return pgq__seterr(PGQ_ERROR, "queue: out of memory");
	}
	PQsetNoticeProcessor(q->conn, quiet, NULL);
	if (PQstatus(q->conn) != CONNECTION_OK) {
		seterr_q(q, PGQ_ECONNECT, "queue: cannot connect to '%s': %s", shown,
		         PQerrorMessage(q->conn));
		pgq_close(q);
		return PGQ_ECONNECT;
	}
	*out = q;
	return 0;
}

void pgq_close(pgq *q)
{
	if (!q)
		return;
	PQfinish(q->conn);
	for (size_t i = 0; i < q->nhints; i++) /* queue.c's claim hints */
		free(q->hints[i].key);
	free(q->hints);
	free(q->secret);
	free(q->secret_raw);
	free(q);
}

PGresult *pgq__exec(pgq *q, ExecStatusType want, const char *what, const char *sql, int nparams,
                    const char *const *params)
{
	PGresult *res = PQexecParams(q->conn, sql, nparams, NULL, params, NULL, NULL, 0);

	if (res && PQresultStatus(res) == want)
		return res;
	pgq__pgerr(q, res, what);
	PQclear(res);
	return NULL;
}

int pgq__cmd(pgq *q, const char *what, const char *sql)
{
	/* PQexec: sql may hold several statements (a migration). */
	PGresult *res = PQexec(q->conn, sql);
	int rc = res && PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pgq__pgerr(q, res, what);

	PQclear(res);
	return rc;
}

int64_t pgq__int(const PGresult *res, int row, int col)
{
	long long v = 0;

	if (PQgetisnull(res, row, col) ||
	    util_parse_ll(PQgetvalue(res, row, col), INT64_MIN, INT64_MAX, &v) != 0)
		return 0;
	return (int64_t)v;
}

char *pgq__text(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : util_strdup(PQgetvalue(res, row, col));
}

void pgq_item_free(pgq_item *it)
{
	if (!it)
		return;
	free(it->webhook_key);
	free(it->event);
	free(it->body);
	free(it->content_type);
	free(it->last_error);
	free(it);
}

void pgq_items_free(pgq_item **items, size_t n)
{
	size_t i;

	if (!items)
		return;
	for (i = 0; i < n; i++)
		pgq_item_free(items[i]);
	free(items);
}

/* The body: bytea in the text form ("\x..."), unescaped into a NUL-terminated copy. */
static int row_body(pgq_item *it, const PGresult *res, int row)
{
	size_t n = 0;
	unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, 4), &n);

	if (!raw)
		return -1;
	it->body = malloc(n + 1);
	if (it->body) {
		if (n > 0)
			memcpy(it->body, raw, n);
		it->body[n] = '\0';
		it->body_len = n;
	}
	PQfreemem(raw);
	return it->body ? 0 : -1;
}

static int status_of(const char *s)
{
	if (strcmp(s, "pending") == 0)
		return PGQ_PENDING;
	if (strcmp(s, "done") == 0)
		return PGQ_DONE;
	return strcmp(s, "dead") == 0 ? PGQ_DEAD : 0;
}

pgq_item *pgq__row_item(const PGresult *res, int row)
{
	pgq_item *it = calloc(1, sizeof *it);

	if (!it)
		return NULL;
	it->id = pgq__int(res, row, 0);
	it->received_at = pgq__int(res, row, 1);
	it->webhook_key = pgq__text(res, row, 2);
	it->event = pgq__text(res, row, 3);
	it->content_type = pgq__text(res, row, 5);
	it->status = status_of(PQgetvalue(res, row, 6));
	it->attempts = (int)pgq__int(res, row, 7);
	it->next_attempt_at = pgq__int(res, row, 8);
	it->last_error = pgq__text(res, row, 9);
	it->delivered_at = pgq__int(res, row, 10);
	it->fence = pgq__int(res, row, 11);
	it->lease_until = pgq__int(res, row, 12);
	if (row_body(it, res, row) || !it->webhook_key || !it->event ||
	    (!it->content_type && !PQgetisnull(res, row, 5)) ||
	    (!it->last_error && !PQgetisnull(res, row, 9))) {
		pgq_item_free(it);
		pgq__seterr(PGQ_ERROR, "queue: out of memory");
		return NULL;
	}
	return it;
}
