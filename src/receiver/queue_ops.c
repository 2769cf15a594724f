/*
 * queue_ops: delivery state on the state connection (sdb): claim, finish,
 * get, list, counts, replay, purge. See queue_int.h for the locking order.
 */
#include "queue_int.h"
#include "queue_pg.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "banned.h"

#define ITEM_COLUMNS                                                                               \
	"id, received_at, webhook_key, event, body, content_type, status, attempts,"               \
	" next_attempt_at, last_error, delivered_at"

/* How many rows rcv_queue_list holds at a time (it calls back without locks). */
#define LIST_PAGE 64

static char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? util_strdup((const char *)t) : NULL;
}

/* A new item from the current row of a statement selecting ITEM_COLUMNS. */
static rcv_item *row_item(sqlite3_stmt *st)
{
	rcv_item *it = calloc(1, sizeof *it);
	const void *blob;
	int n;

	if (!it)
		return NULL;
	it->id = sqlite3_column_int64(st, 0);
	it->received_at = sqlite3_column_int64(st, 1);
	it->webhook_key = col_text(st, 2);
	it->event = col_text(st, 3);
	blob = sqlite3_column_blob(st, 4);
	n = sqlite3_column_bytes(st, 4);
	it->body = malloc((size_t)n + 1);
	if (it->body) {
		if (n > 0)
			memcpy(it->body, blob, (size_t)n);
		it->body[n] = '\0';
		it->body_len = (size_t)n;
	}
	it->content_type = col_text(st, 5);
	it->status = rcv_status_parse((const char *)sqlite3_column_text(st, 6));
	it->attempts = sqlite3_column_int(st, 7);
	it->next_attempt_at = sqlite3_column_int64(st, 8);
	it->last_error = col_text(st, 9);
	it->delivered_at = sqlite3_column_int64(st, 10);
	if (!it->webhook_key || !it->event || !it->body) {
		rcv_item_free(it);
		rcv_queue__seterr("queue: out of memory");
		return NULL;
	}
	return it;
}

/* The cached statement *slot, prepared on first use. Caller holds slock. */
static sqlite3_stmt *cached(rcv_queue *q, sqlite3_stmt **slot, const char *sql)
{
	if (!*slot && sqlite3_prepare_v3(q->sdb, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) !=
	                  SQLITE_OK) {
		rcv_queue__sqlerr(q->sdb, "prepare");
		*slot = NULL;
	}
	return *slot;
}

static int key_claimed(const rcv_queue *q, const char *key)
{
	size_t i;

	for (i = 0; i < q->nclaims; i++)
		if (strcmp(q->claims[i].key, key) == 0)
			return 1;
	return 0;
}

static int add_claim(rcv_queue *q, int64_t id, const char *key)
{
	if (q->nclaims == q->claims_alloc) {
		size_t n = q->claims_alloc ? q->claims_alloc * 2 : 8;
		rcv_claim *c = realloc(q->claims, n * sizeof *c);
		if (!c)
			return RCV_ERROR;
		q->claims = c;
		q->claims_alloc = n;
	}
	q->claims[q->nclaims].key = util_strdup(key);
	if (!q->claims[q->nclaims].key)
		return RCV_ERROR;
	q->claims[q->nclaims++].id = id;
	return 0;
}

static void drop_claim(rcv_queue *q, int64_t id)
{
	size_t i;

	for (i = 0; i < q->nclaims; i++) {
		if (q->claims[i].id == id) {
			free(q->claims[i].key);
			q->claims[i] = q->claims[--q->nclaims];
			return;
		}
	}
}

/* Load one event by id. Caller holds slock. */
static int get_locked(rcv_queue *q, int64_t id, rcv_item **out)
{
	sqlite3_stmt *st =
	    cached(q, &q->s_get, "SELECT " ITEM_COLUMNS " FROM rcv_events WHERE id = ?1");
	int rc;

	*out = NULL;
	if (!st)
		return RCV_ERROR;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = row_item(st);
		rc = *out ? 0 : RCV_ERROR;
	} else if (rc == SQLITE_DONE) {
		rcv_queue__seterr("queue: no event %lld", (long long)id);
		rc = RCV_ENOTFOUND;
	} else {
		rc = rcv_queue__sqlerr(q->sdb, "read event");
	}
	sqlite3_reset(st);
	return rc;
}

int rcv_queue_get(rcv_queue *q, int64_t id, rcv_item **out)
{
	int rc;

	if (q->pg)
		return rcv_pg__get(q->pg, id, out);

	pthread_mutex_lock(&q->slock);
	rc = get_locked(q, id, out);
	pthread_mutex_unlock(&q->slock);
	return rc;
}

int rcv_queue__store_ref(rcv_queue *q, int64_t id, char **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	pthread_mutex_lock(&q->slock);
	st = cached(q, &q->s_store_ref, "SELECT store_ref FROM rcv_events WHERE id = ?1");
	if (!st) {
		pthread_mutex_unlock(&q->slock);
		return RCV_ERROR;
	}
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = 0;
		if (sqlite3_column_type(st, 0) != SQLITE_NULL && !(*out = col_text(st, 0))) {
			rcv_queue__seterr("queue: out of memory");
			rc = RCV_ERROR;
		}
	} else {
		rc = rc == SQLITE_DONE ? 0 : rcv_queue__sqlerr(q->sdb, "read event");
	}
	sqlite3_reset(st);
	pthread_mutex_unlock(&q->slock);
	return rc;
}

int rcv_queue_claim(rcv_queue *q, int64_t now_ms, rcv_item **out, int64_t *wake_at)
{
	/*
	 * The head (oldest pending event) of each key, oldest first. Each head
	 * is one probe of the (status, webhook_key, id) index, so a claim costs
	 * O(keys * log n) however long the backlog is.
	 */
	static const char HEADS[] =
	    "SELECT e.id, e.webhook_key, e.next_attempt_at FROM rcv_keys k"
	    " JOIN rcv_events e ON e.id = (SELECT id FROM rcv_events"
	    "  WHERE status = 'pending' AND webhook_key = k.webhook_key ORDER BY id LIMIT 1)"
	    " ORDER BY e.id";
	sqlite3_stmt *st;
	int64_t chosen = 0, wake = 0;
	char *chosen_key = NULL;
	int rc;

	if (q->pg)
		return rcv_pg__claim(q->pg, out, wake_at);

	*out = NULL;
	if (wake_at)
		*wake_at = 0;
	pthread_mutex_lock(&q->slock);
	st = cached(q, &q->s_heads, HEADS);
	if (!st) {
		pthread_mutex_unlock(&q->slock);
		return RCV_ERROR;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 1);
		int64_t at = sqlite3_column_int64(st, 2);

		if (!key || key_claimed(q, key))
			continue; /* that key's head is being delivered */
		if (at <= now_ms) {
			chosen = sqlite3_column_int64(st, 0);
			chosen_key = util_strdup(key);
			break;
		}
		if (wake == 0 || at < wake)
			wake = at;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = rcv_queue__sqlerr(q->sdb, "find deliverable events");
		sqlite3_reset(st);
		pthread_mutex_unlock(&q->slock);
		return rc;
	}
	sqlite3_reset(st);
	if (!chosen) {
		pthread_mutex_unlock(&q->slock);
		if (wake_at)
			*wake_at = wake;
		return RCV_ENOTFOUND;
	}
	rc = chosen_key ? get_locked(q, chosen, out) : RCV_ERROR;
	if (rc == 0 && add_claim(q, chosen, chosen_key)) {
		rcv_item_free(*out);
		*out = NULL;
		rc = RCV_ERROR;
	}
	if (rc == RCV_ERROR && !chosen_key)
		rcv_queue__seterr("queue: out of memory");
	free(chosen_key);
	pthread_mutex_unlock(&q->slock);
	return rc;
}

/* Step a bound write statement on sdb under wlock. Caller holds slock. */
static int write_step(rcv_queue *q, sqlite3_stmt *st, const char *what)
{
	int rc;

	pthread_mutex_lock(&q->wlock);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : rcv_queue__sqlerr(q->sdb, what);
	pthread_mutex_unlock(&q->wlock);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/*
 * End a finish call (slock held; released here). The claim goes only once the outcome is
 * recorded: if the write failed (a full disk, a lock held past the busy timeout) the key
 * stays claimed, so the event is not handed out again while the caller retries the mark.
 */
static void finish_claim(rcv_queue *q, int64_t id, int rc)
{
	if (rc == 0)
		drop_claim(q, id);
	pthread_mutex_unlock(&q->slock);
	if (rc == 0)
		rcv_queue__changed(q);
}

/* A PostgreSQL queue's finish or replay: waiters woken when it went through. */
static int pg_finished(rcv_queue *q, int rc)
{
	if (rc == 0)
		rcv_queue__changed(q);
	return rc;
}

int rcv_queue_done(rcv_queue *q, int64_t id, int64_t at_ms)
{
	sqlite3_stmt *st;
	int rc = RCV_ERROR;

	if (q->pg)
		return pg_finished(q, rcv_pg__done(q->pg, id));

	pthread_mutex_lock(&q->slock);
	st = cached(q, &q->s_done,
	            "UPDATE rcv_events SET status = 'done', delivered_at = ?2, last_error = NULL"
	            " WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, at_ms);
		rc = write_step(q, st, "mark event done");
	}
	finish_claim(q, id, rc);
	return rc;
}

int rcv_queue_retry(rcv_queue *q, int64_t id, const char *error, int64_t retry_at_ms)
{
	sqlite3_stmt *st;
	int rc = RCV_ERROR;

	if (q->pg)
		return pg_finished(q, rcv_pg__retry(q->pg, id, error, retry_at_ms));

	pthread_mutex_lock(&q->slock);
	st = cached(q, &q->s_retry,
	            "UPDATE rcv_events SET attempts = attempts + 1, next_attempt_at = ?2,"
	            " last_error = ?3 WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, retry_at_ms);
		sqlite3_bind_text(st, 3, error ? error : "failed", -1, SQLITE_TRANSIENT);
		rc = write_step(q, st, "record failed delivery");
	}
	finish_claim(q, id, rc);
	return rc;
}

int rcv_queue_dead(rcv_queue *q, int64_t id, const char *error)
{
	sqlite3_stmt *st;
	int rc = RCV_ERROR;

	if (q->pg)
		return pg_finished(q, rcv_pg__dead(q->pg, id, error));

	pthread_mutex_lock(&q->slock);
	st = cached(q, &q->s_dead,
	            "UPDATE rcv_events SET status = 'dead', attempts = attempts + 1,"
	            " last_error = ?2 WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, error ? error : "failed", -1, SQLITE_TRANSIENT);
		rc = write_step(q, st, "record dead event");
	}
	finish_claim(q, id, rc);
	return rc;
}

void rcv_queue_release(rcv_queue *q, int64_t id)
{
	if (q->pg) {
		rcv_pg__release(q->pg, id);
		rcv_queue__changed(q);
		return;
	}
	pthread_mutex_lock(&q->slock);
	drop_claim(q, id);
	pthread_mutex_unlock(&q->slock);
	rcv_queue__changed(q);
}

int rcv_queue_list(rcv_queue *q, int status_mask, int64_t after_id, size_t limit, rcv_list_cb cb,
                   void *userdata)
{
	static const char SQL[] = "SELECT " ITEM_COLUMNS " FROM rcv_events WHERE id > ?1 AND ("
	                          " (?2 & 1 AND status = 'pending') OR (?2 & 2 AND status = 'done')"
	                          " OR (?2 & 4 AND status = 'dead')) ORDER BY id LIMIT ?3";
	rcv_item *page[LIST_PAGE];
	size_t seen = 0;

	if (q->pg)
		return rcv_pg__list(q->pg, status_mask, after_id, limit, cb, userdata);

	for (;;) {
		sqlite3_stmt *st = NULL;
		size_t n = 0, i, want = LIST_PAGE;
		int rc = 0, step;

		if (limit && limit - seen < want)
			want = limit - seen;
		if (want == 0)
			return 0;
		pthread_mutex_lock(&q->slock);
		if (sqlite3_prepare_v2(q->sdb, SQL, -1, &st, NULL) != SQLITE_OK) {
			rc = rcv_queue__sqlerr(q->sdb, "list events");
		} else {
			sqlite3_bind_int64(st, 1, after_id);
			sqlite3_bind_int(st, 2, status_mask);
			sqlite3_bind_int64(st, 3, (sqlite3_int64)want);
			while ((step = sqlite3_step(st)) == SQLITE_ROW) {
				if (!(page[n] = row_item(st))) {
					rc = RCV_ERROR;
					break;
				}
				n++;
			}
			if (rc == 0 && step != SQLITE_DONE)
				rc = rcv_queue__sqlerr(q->sdb, "list events");
		}
		sqlite3_finalize(st);
		pthread_mutex_unlock(&q->slock);

		/* Call back without any lock held: cb may use the queue. */
		for (i = 0; i < n; i++) {
			if (rc == 0)
				rc = cb(page[i], userdata);
			after_id = page[i]->id;
			rcv_item_free(page[i]);
		}
		seen += n;
		if (rc || n < want)
			return rc;
	}
}

int rcv_queue_counts(rcv_queue *q, int64_t *pending, int64_t *done, int64_t *dead)
{
	sqlite3_stmt *st = NULL;
	int64_t c[3] = {0, 0, 0};
	int rc = 0, step;

	if (q->pg)
		return rcv_pg__counts(q->pg, pending, done, dead);

	pthread_mutex_lock(&q->slock);
	if (sqlite3_prepare_v2(q->sdb, "SELECT status, count(*) FROM rcv_events GROUP BY status",
	                       -1, &st, NULL) != SQLITE_OK) {
		rc = rcv_queue__sqlerr(q->sdb, "count events");
	} else {
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			int s = rcv_status_parse((const char *)sqlite3_column_text(st, 0));
			int64_t n = sqlite3_column_int64(st, 1);
			if (s == RCV_PENDING)
				c[0] = n;
			else if (s == RCV_DONE)
				c[1] = n;
			else if (s == RCV_DEAD)
				c[2] = n;
		}
		if (step != SQLITE_DONE)
			rc = rcv_queue__sqlerr(q->sdb, "count events");
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&q->slock);
	if (pending)
		*pending = c[0];
	if (done)
		*done = c[1];
	if (dead)
		*dead = c[2];
	return rc;
}

/* Run one write statement with up to two int64 parameters; *changes = rows changed. */
static int run_write(rcv_queue *q, const char *sql, int nparams, int64_t a, int64_t b,
                     int64_t *changes, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(q->sdb, sql, -1, &st, NULL) != SQLITE_OK)
		return rcv_queue__sqlerr(q->sdb, what);
	if (nparams > 0)
		sqlite3_bind_int64(st, 1, a);
	if (nparams > 1)
		sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : rcv_queue__sqlerr(q->sdb, what);
	if (rc == 0 && changes)
		*changes = sqlite3_changes64(q->sdb);
	sqlite3_finalize(st);
	return rc;
}

int rcv_queue_replay(rcv_queue *q, int64_t id, int64_t *count)
{
	static const char RESET[] = "UPDATE rcv_events SET status = 'pending', attempts = 0,"
	                            " next_attempt_at = 0, last_error = NULL, delivered_at = NULL";
	char sql[256];
	int64_t n = 0;
	int rc;

	if (q->pg)
		return pg_finished(q, rcv_pg__replay(q->pg, id, count));

	if (count)
		*count = 0;
	if (id > 0)
		snprintf(sql, sizeof sql, "%s WHERE id = ?1", RESET);
	else
		snprintf(sql, sizeof sql, "%s WHERE status = 'dead'", RESET);
	pthread_mutex_lock(&q->slock);
	pthread_mutex_lock(&q->wlock);
	rc = run_write(q, sql, id > 0 ? 1 : 0, id, 0, &n, "replay events");
	pthread_mutex_unlock(&q->wlock);
	pthread_mutex_unlock(&q->slock);
	if (rc == 0 && id > 0 && n == 0) {
		rcv_queue__seterr("queue: no event %lld", (long long)id);
		rc = RCV_ENOTFOUND;
	}
	if (count)
		*count = n;
	rcv_queue__changed(q);
	return rc;
}

int rcv_queue_purge(rcv_queue *q, int64_t before_ms, int status_mask, int64_t *count)
{
	int64_t n = 0;
	int rc;

	if (q->pg)
		return rcv_pg__purge(q->pg, before_ms, status_mask, count);

	if (count)
		*count = 0;
	pthread_mutex_lock(&q->slock);
	pthread_mutex_lock(&q->wlock);
	rc = rcv_queue__exec(q->sdb, "BEGIN IMMEDIATE");
	if (!rc)
		rc = run_write(q,
		               "DELETE FROM rcv_events WHERE received_at < ?1 AND ("
		               " (?2 & 1 AND status = 'pending') OR (?2 & 2 AND status = 'done')"
		               " OR (?2 & 4 AND status = 'dead'))",
		               2, before_ms, status_mask, &n, "purge events");
	/* Forget keys that no longer have events, so claims stop visiting them. */
	if (!rc)
		rc = run_write(q,
		               "DELETE FROM rcv_keys WHERE webhook_key NOT IN"
		               " (SELECT DISTINCT webhook_key FROM rcv_events)",
		               0, 0, 0, NULL, "purge webhook keys");
	if (!rc)
		rc = rcv_queue__exec(q->sdb, "COMMIT");
	if (rc)
		sqlite3_exec(q->sdb, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_unlock(&q->wlock);
	pthread_mutex_unlock(&q->slock);
	if (rc == 0 && count)
		*count = n;
	rcv_queue__changed(q);
	return rc;
}

int rcv_queue_set_spool(rcv_queue *q, const char *path, char *err, size_t errsz)
{
	static const rcv_pg_spool_ops OPS = {
	    rcv_queue__enqueue_ref, rcv_queue__store_ref, rcv_queue_claim, rcv_queue_done,
	    rcv_queue_release,      rcv_queue_purge,      rcv_queue_close};
	char host[256] = "", tag[320];
	rcv_queue *spool = NULL;
	int64_t pending = 0;
	int rc;

	if (!q->pg || q->stopping) {
		snprintf(err, errsz, "queue: only a writable queue on PostgreSQL has a spool");
		return RCV_EINVALID;
	}
	if ((rc = rcv_queue_open(&spool, path, err, errsz)) != 0)
		return rc;
	if ((rc = rcv_queue_counts(spool, &pending, NULL, NULL)) == 0) {
		gethostname(host, sizeof host - 1);
		snprintf(tag, sizeof tag, "%.100s:%.200s", host, path);
		rc = rcv_pg__set_spool(q->pg, spool, pending, tag, &OPS);
	}
	if (rc) {
		snprintf(err, errsz, "%s", rcv_queue_last_error());
		rcv_queue_close(spool);
	}
	return rc;
}

uint64_t rcv_queue_takeovers(rcv_queue *q)
{
	return q->pg ? rcv_pg__takeovers(q->pg) : 0;
}

int64_t rcv_queue_spooled(rcv_queue *q)
{
	int64_t n = 0;

	if (q->pg)
		rcv_pg__spool_counts(q->pg, &n);
	return n;
}
