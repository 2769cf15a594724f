/*
 * The state of `ontraport watch --poll` (poll_store.h): state and outbox
 * tables in one SQLite file (WAL, synchronous=FULL: a set is on disk when
 * it returns, as an enqueue is).
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "poll_store.h"
#include "util.h"
#include "banned.h"

#define LAST_ID_KEY "queue.last_id"

struct cli_poll_store {
	sqlite3 *db;
	int lock_fd; /* an flock on the file: one poller per state */
	int checked; /* the outbox's head was looked for in the queue (after a crash) */
};

static const char schema_sql[] =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS outbox(n INTEGER PRIMARY KEY AUTOINCREMENT,"
    " event TEXT NOT NULL, body TEXT NOT NULL);";

static int sqlerr(cli_poll_store *s, const char *what, char *err, size_t errsz)
{
	return util_errf(err, errsz, -1, "poll state: %s: %s", what, sqlite3_errmsg(s->db));
}

static int exec(cli_poll_store *s, const char *sql, char *err, size_t errsz)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sqlerr(s, sql, err, errsz);
	return 0;
}

int cli_poll_store_open(cli_poll_store **out, const char *path, char *err, size_t errsz)
{
	cli_poll_store *s;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	*out = NULL;
	if (fd < 0)
		return util_errf(err, errsz, -1, "cannot open the poll state '%s': %s", path,
		                 strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		return util_errf(err, errsz, -1,
		                 e == EWOULDBLOCK
		                     ? "another 'ontraport watch --poll' uses the poll state '%s'"
		                     : "cannot lock the poll state '%s'",
		                 path);
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		close(fd);
		return util_errf(err, errsz, -1, "out of memory");
	}
	s->lock_fd = fd;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
	        SQLITE_OK ||
	    sqlite3_busy_timeout(s->db, 5000) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
		util_errf(err, errsz, -1, "cannot open the poll state '%s': %s", path,
		          s->db ? sqlite3_errmsg(s->db) : "out of memory");
		cli_poll_store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void cli_poll_store_close(cli_poll_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	close(s->lock_fd); /* after SQLite's own locks on the file are gone */
	free(s);
}

int cli_poll_store_get(cli_poll_store *s, const char *key, char **value, char *err, size_t errsz)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*value = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM state WHERE key = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return sqlerr(s, "read", err, errsz);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*value = util_strdup((const char *)sqlite3_column_text(st, 0));
		rc = *value ? 0 : util_errf(err, errsz, -1, "out of memory");
	} else {
		rc = rc == SQLITE_DONE ? 1 : sqlerr(s, "read", err, errsz);
	}
	sqlite3_finalize(st);
	return rc;
}

/* One statement with one or two text parameters (b may be NULL). */
static int run2(cli_poll_store *s, const char *sql, const char *a, const char *b, char *err,
                size_t errsz)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlerr(s, "write", err, errsz);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sqlerr(s, "write", err, errsz);
	sqlite3_finalize(st);
	return rc;
}

static int put(cli_poll_store *s, const char *key, const char *value, char *err, size_t errsz)
{
	return run2(s, "INSERT OR REPLACE INTO state(key, value) VALUES(?, ?)", key, value, err,
	            errsz);
}

int cli_poll_store_set(cli_poll_store *s, const char *key, const char *value,
                       const cli_poll_event *events, size_t n, char *err, size_t errsz)
{
	int rc = exec(s, "BEGIN IMMEDIATE", err, errsz);

	if (rc == 0)
		rc = put(s, key, value, err, errsz);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = run2(s, "INSERT INTO outbox(event, body) VALUES(?, ?)", events[i].event,
		          events[i].body, err, errsz);
	if (rc == 0)
		return exec(s, "COMMIT", err, errsz);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* ---- drain ---- */

typedef struct head {
	int64_t n;
	char *event, *body;
} head;

/* The outbox's oldest row: 0, 1 when empty, -1. */
static int read_head(cli_poll_store *s, head *h, char *err, size_t errsz)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(h, 0, sizeof *h);
	if (sqlite3_prepare_v2(s->db, "SELECT n, event, body FROM outbox ORDER BY n LIMIT 1", -1,
	                       &st, NULL) != SQLITE_OK)
		return sqlerr(s, "read the outbox", err, errsz);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		h->n = sqlite3_column_int64(st, 0);
		h->event = util_strdup((const char *)sqlite3_column_text(st, 1));
		h->body = util_strdup((const char *)sqlite3_column_text(st, 2));
		rc = h->event && h->body ? 0 : util_errf(err, errsz, -1, "out of memory");
	} else {
		rc = rc == SQLITE_DONE ? 1 : sqlerr(s, "read the outbox", err, errsz);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The row done: deleted, with the queue id it got, in one transaction. */
static int row_done(cli_poll_store *s, int64_t n, int64_t id, char *err, size_t errsz)
{
	char nb[32], idb[32];
	int rc;

	snprintf(nb, sizeof nb, "%lld", (long long)n);
	snprintf(idb, sizeof idb, "%lld", (long long)id);
	rc = exec(s, "BEGIN IMMEDIATE", err, errsz);
	if (rc == 0)
		rc = run2(s, "DELETE FROM outbox WHERE n = CAST(? AS INTEGER)", nb, NULL, err,
		          errsz);
	if (rc == 0)
		rc = put(s, LAST_ID_KEY, idb, err, errsz);
	if (rc == 0)
		return exec(s, "COMMIT", err, errsz);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

typedef struct finder {
	const char *event;
	int64_t found;
} finder;

static int find_event(const rcv_item *item, void *ud)
{
	finder *f = ud;

	if (item->event && strcmp(item->event, f->event) == 0) {
		f->found = item->id;
		return 1;
	}
	return 0;
}

/* The queue id of the head's event when an enqueue of it already went through, else 0. */
static int64_t already_queued(cli_poll_store *s, rcv_queue *q, const head *h)
{
	char *text = NULL, *end;
	long long last = 0;
	finder f = {h->event, 0};

	if (cli_poll_store_get(s, LAST_ID_KEY, &text, NULL, 0) == 0)
		last = strtoll(text, &end, 10);
	free(text);
	rcv_queue_list(q, RCV_STATUS_ALL, last, 0, find_event, &f);
	return f.found;
}

int cli_poll_store_drain(cli_poll_store *s, rcv_queue *q, const char *webhook_key, size_t *moved,
                         char *err, size_t errsz)
{
	head h;
	int rc;

	if (moved)
		*moved = 0;
	while ((rc = read_head(s, &h, err, errsz)) == 0) {
		int64_t id = s->checked ? 0 : already_queued(s, q, &h);
		s->checked = 1;
		if (!id && (rc = rcv_queue_enqueue(q, webhook_key, h.event, h.body, strlen(h.body),
		                                   "application/x-www-form-urlencoded", &id)) < 0)
			rc = util_errf(err, errsz, -1, "cannot queue a polled event: %s",
			               rcv_queue_last_error()[0] ? rcv_queue_last_error()
			                                         : rcv_strerror(rc));
		if (rc >= 0)
			rc = row_done(s, h.n, id, err, errsz);
		free(h.event);
		free(h.body);
		if (rc < 0)
			return -1;
		if (moved)
			(*moved)++;
	}
	s->checked = 1;
	return rc < 0 ? -1 : 0;
}
