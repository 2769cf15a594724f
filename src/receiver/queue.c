/*
 * queue: open/close, schema, and group commit.
 *
 * Group commit: HTTP handlers hand events to one committer thread
 * (rcv_queue_submit) and wait. The committer takes every submission waiting
 * at that moment, writes them in one transaction, commits with one flush
 * (WAL, synchronous=FULL), and only then tells each submitter its id. Events
 * arriving while a transaction is being written queue up for the next one, so
 * the batch grows with the load and one flush covers many acknowledgements.
 */
#include "queue_int.h"
#include "queue_pg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "banned.h"

#define RCV_SCHEMA_VERSION 2
#define RCV_BUSY_TIMEOUT_MS 5000
/* PRAGMA application_id of a queue: "ONTQ". Queues made before it carry 0. */
#define RCV_APPLICATION_ID 0x4F4E5451

int rcv_queue__sqlerr(sqlite3 *db, const char *what)
{
	rcv_queue__seterr("queue: %s: %s", what, db ? sqlite3_errmsg(db) : "no database");
	return RCV_ERROR;
}

int rcv_queue__exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return rcv_queue__sqlerr(db, sql);
	return 0;
}

void rcv_queue__changed(rcv_queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->seq++;
	pthread_cond_broadcast(&q->seq_cv);
	pthread_mutex_unlock(&q->mu);
}

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS rcv_events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT," /* arrival order; never reused */
    " received_at INTEGER NOT NULL,"         /* ms since the epoch */
    " webhook_key TEXT NOT NULL,"
    " event TEXT NOT NULL," /* normalized event, compact JSON */
    " body BLOB NOT NULL,"  /* raw request body */
    " content_type TEXT,"
    " status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','done','dead')),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_at INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT,"
    " delivered_at INTEGER,"
    /* A spool's (version 2): the shared queue's store that was under way when the database
     * went away, so that this event may be in it already (rcv_pg, pgq_store_settle). */
    " store_ref TEXT);"
    /* Heads of each key's pending events; listing and counting by status. */
    "CREATE INDEX IF NOT EXISTS rcv_events_status ON rcv_events(status, webhook_key, id);"
    /* Every key with events: lets a claim visit each key's head in O(log n). */
    "CREATE TABLE IF NOT EXISTS rcv_keys (webhook_key TEXT PRIMARY KEY) WITHOUT ROWID;";

static int open_conn(sqlite3 **out, const char *path, int flags, const char *sync)
{
	sqlite3 *db = NULL;
	char sql[96];

	*out = NULL;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		rcv_queue__seterr("queue: cannot open '%.150s': %s", path,
		                  db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return RCV_ERROR;
	}
	sqlite3_busy_timeout(db, RCV_BUSY_TIMEOUT_MS);
	if (!sync) {
		*out = db;
		return 0;
	}
	snprintf(sql, sizeof sql, "PRAGMA synchronous=%s; PRAGMA journal_size_limit=67108864;",
	         sync);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		int notadb = sqlite3_errcode(db) == SQLITE_NOTADB;
		if (notadb)
			rcv_queue__seterr("queue: '%.150s' is not an event queue: %s", path,
			                  sqlite3_errmsg(db));
		else
			rcv_queue__sqlerr(db, sql);
		sqlite3_close(db);
		return notadb ? RCV_ENOTQUEUE : RCV_ERROR;
	}
	*out = db;
	return 0;
}

/* One integer from a query (0 when it gives no row). */
static int query_int(sqlite3 *db, const char *sql, int *value)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*value = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return RCV_ERROR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : RCV_ERROR;
}

enum { DB_EMPTY, DB_QUEUE, DB_OLD_QUEUE };

/*
 * What the file at path holds, read without writing anything: an empty database
 * (DB_EMPTY, a new file), a queue (application_id set), or a queue made before the
 * application_id was (its table there, user_version 1). Anything else is
 * RCV_ENOTQUEUE: the file is someone else's and stays as it is.
 */
static int identify(sqlite3 *db, const char *path)
{
	int app, version, tables, events;

	if (query_int(db, "PRAGMA application_id", &app) ||
	    query_int(db, "PRAGMA user_version", &version) ||
	    query_int(db, "SELECT count(*) FROM sqlite_master", &tables) ||
	    query_int(db,
	              "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
	              "'rcv_events'",
	              &events)) {
		if (sqlite3_errcode(db) != SQLITE_NOTADB)
			return rcv_queue__sqlerr(db, "read the database header");
		rcv_queue__seterr("queue: '%.150s' is not an event queue: %s", path,
		                  sqlite3_errmsg(db));
		return RCV_ENOTQUEUE;
	}
	if (version > RCV_SCHEMA_VERSION && (app == RCV_APPLICATION_ID || app == 0) && events) {
		rcv_queue__seterr(
		    "queue: database schema version %d is newer than this program's %d", version,
		    RCV_SCHEMA_VERSION);
		return RCV_ERROR;
	}
	if (app == RCV_APPLICATION_ID && events)
		return DB_QUEUE;
	if (app == 0 && events && version == 1)
		return DB_OLD_QUEUE;
	if (app == 0 && tables == 0 && version == 0)
		return DB_EMPTY;
	rcv_queue__seterr("queue: '%.150s' is not an event queue: a SQLite database of another "
	                  "program (application_id %d, %d table%s); left unchanged",
	                  path, app, tables, tables == 1 ? "" : "s");
	return RCV_ENOTQUEUE;
}

/*
 * Bring the schema to this version (inside the caller's write transaction): a new queue
 * gets it whole; an older one, what it lacks. Read again under the lock: another process
 * may have done it meanwhile.
 */
static int migrate(sqlite3 *db)
{
	char pragma[64];
	int version;

	if (query_int(db, "PRAGMA user_version", &version))
		return rcv_queue__sqlerr(db, "read the schema version");
	if (version == RCV_SCHEMA_VERSION)
		return 0;
	if (version == 1 && rcv_queue__exec(db, "ALTER TABLE rcv_events ADD COLUMN store_ref TEXT"))
		return RCV_ERROR;
	if (rcv_queue__exec(db, SCHEMA))
		return RCV_ERROR;
	snprintf(pragma, sizeof pragma, "PRAGMA application_id=%d", RCV_APPLICATION_ID);
	if (rcv_queue__exec(db, pragma))
		return RCV_ERROR;
	snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", RCV_SCHEMA_VERSION);
	return rcv_queue__exec(db, pragma);
}

/* Check the file is a queue (or empty), then set up WAL, the schema and the stamp. */
static int init_schema(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st = NULL;
	int kind = identify(db, path), rc, version = 0;

	if (kind < 0)
		return kind;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK)
		return rcv_queue__sqlerr(db, "set wal mode");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0) {
		sqlite3_finalize(st);
		rcv_queue__seterr("queue: the database cannot use write-ahead logging");
		return RCV_ERROR;
	}
	sqlite3_finalize(st);
	if (kind == DB_QUEUE && query_int(db, "PRAGMA user_version", &version) == 0 &&
	    version == RCV_SCHEMA_VERSION)
		return 0;
	/* A new queue gets its schema; an older one what it lacks, and its stamp. */
	if (rcv_queue__exec(db, "BEGIN IMMEDIATE"))
		return RCV_ERROR;
	if (migrate(db) || rcv_queue__exec(db, "COMMIT")) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return RCV_ERROR;
	}
	return 0;
}

/* Write one batch in one transaction. Returns 0 or RCV_ERROR (nothing stored). */
static int write_batch(rcv_queue *q, rcv_enqueue_req *batch)
{
	rcv_enqueue_req *r;
	int rc = 0;

	pthread_mutex_lock(&q->wlock);
	if (rcv_queue__exec(q->wdb, "BEGIN IMMEDIATE")) {
		pthread_mutex_unlock(&q->wlock);
		return RCV_ERROR;
	}
	for (r = batch; r && rc == 0; r = r->next) {
		sqlite3_stmt *st = q->w_insert;

		sqlite3_bind_int64(st, 1, r->received_at);
		sqlite3_bind_text(st, 2, r->webhook_key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->event_json, -1, SQLITE_STATIC);
		sqlite3_bind_blob64(st, 4, r->body ? r->body : "", r->body_len, SQLITE_STATIC);
		if (r->content_type)
			sqlite3_bind_text(st, 5, r->content_type, -1, SQLITE_STATIC);
		if (r->store_ref)
			sqlite3_bind_text(st, 6, r->store_ref, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = rcv_queue__sqlerr(q->wdb, "store event");
		r->id = sqlite3_last_insert_rowid(q->wdb);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);

		/* Cheap when the key is known (one B-tree probe); needed for claim. */
		st = q->w_key;
		sqlite3_bind_text(st, 1, r->webhook_key, -1, SQLITE_STATIC);
		if (rc == 0 && sqlite3_step(st) != SQLITE_DONE)
			rc = rcv_queue__sqlerr(q->wdb, "store webhook key");
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	if (rc == 0 && sqlite3_exec(q->wdb, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = rcv_queue__sqlerr(q->wdb, "commit");
	if (rc)
		sqlite3_exec(q->wdb, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_unlock(&q->wlock);
	return rc;
}

static void *committer_main(void *arg)
{
	rcv_queue *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		rcv_enqueue_req *batch, *r, *next;
		uint64_t n;
		int rc;

		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->work_cv, &q->mu);
		if (!q->head)
			break; /* stopping, and everything handed over is written */
		batch = q->head;
		q->head = q->tail = NULL;
		pthread_mutex_unlock(&q->mu);

		if (q->pg) { /* grouped commits; each request has its own outcome */
			n = rcv_pg__write_batch(q->pg, batch);
			rc = 0;
		} else {
			rc = write_batch(q, batch);
			n = 0;
		}
		for (r = batch; r; r = next) {
			next = r->next; /* r belongs to its submitter once done runs */
			if (!q->pg) {
				n++;
				r->rc = rc;
				if (rc)
					r->id = 0;
			}
			r->done(r);
		}

		pthread_mutex_lock(&q->mu);
		if (rc == 0) {
			q->commits += q->pg ? n : 1;
			q->committed += n;
		}
		q->seq++;
		pthread_cond_broadcast(&q->done_cv);
		pthread_cond_broadcast(&q->seq_cv);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int rcv_queue_submit(rcv_queue *q, rcv_enqueue_req *req)
{
	req->rc = RCV_ERROR;
	req->id = 0;
	req->next = NULL;
	req->received_at = rcv_now_ms();
	pthread_mutex_lock(&q->mu);
	if (q->stopping) {
		pthread_mutex_unlock(&q->mu);
		return RCV_ESTOPPED;
	}
	if (q->tail)
		q->tail->next = req;
	else
		q->head = req;
	q->tail = req;
	pthread_cond_signal(&q->work_cv);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

/* The synchronous form waits on done_cv for a flag that done sets. */
typedef struct sync_req {
	rcv_enqueue_req req;
	rcv_queue *q;
	int finished;
} sync_req;

static void sync_done(rcv_enqueue_req *req)
{
	sync_req *s = req->userdata;

	pthread_mutex_lock(&s->q->mu);
	s->finished = 1;
	pthread_mutex_unlock(&s->q->mu);
	/* The committer broadcasts done_cv after the whole batch. */
}

int rcv_queue_enqueue(rcv_queue *q, const char *webhook_key, const char *event_json,
                      const void *body, size_t body_len, const char *content_type, int64_t *id_out)
{
	return rcv_queue__enqueue_ref(q, webhook_key, event_json, body, body_len, content_type,
	                              NULL, id_out);
}

int rcv_queue__enqueue_ref(rcv_queue *q, const char *webhook_key, const char *event_json,
                           const void *body, size_t body_len, const char *content_type,
                           const char *store_ref, int64_t *id_out)
{
	sync_req s;
	int rc;

	if (id_out)
		*id_out = 0;
	if (!webhook_key || !event_json) {
		rcv_queue__seterr("queue: enqueue without a webhook key or event");
		return RCV_EINVALID;
	}
	memset(&s, 0, sizeof s);
	s.q = q;
	s.req.webhook_key = webhook_key;
	s.req.event_json = event_json;
	s.req.body = body;
	s.req.body_len = body ? body_len : 0;
	s.req.content_type = content_type;
	s.req.store_ref = store_ref;
	s.req.done = sync_done;
	s.req.userdata = &s;
	rc = rcv_queue_submit(q, &s.req);
	if (rc) {
		rcv_queue__seterr("queue: closing");
		return rc;
	}
	pthread_mutex_lock(&q->mu);
	while (!s.finished)
		pthread_cond_wait(&q->done_cv, &q->mu);
	pthread_mutex_unlock(&q->mu);
	if (s.req.rc == 0 && id_out)
		*id_out = s.req.id;
	if (s.req.rc)
		rcv_queue__seterr("queue: the commit holding the event failed");
	return s.req.rc;
}

void rcv_queue_commit_stats(rcv_queue *q, uint64_t *commits, uint64_t *events)
{
	pthread_mutex_lock(&q->mu);
	if (commits)
		*commits = q->commits;
	if (events)
		*events = q->committed;
	pthread_mutex_unlock(&q->mu);
}

uint64_t rcv_queue_seq(rcv_queue *q)
{
	uint64_t s;

	pthread_mutex_lock(&q->mu);
	s = q->seq;
	pthread_mutex_unlock(&q->mu);
	return s;
}

void rcv_queue_kick(rcv_queue *q)
{
	rcv_queue__changed(q);
}

void rcv_queue_wait(rcv_queue *q, uint64_t seen, int64_t deadline_ms)
{
	int64_t left = deadline_ms - rcv_now_ms();
	struct timespec ts;

	if (left <= 0)
		return;
	/* seq_cv runs on the monotonic clock: a wall-clock jump cannot stretch the wait. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(left / 1000);
	ts.tv_nsec += (long)(left % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&q->mu);
	while (q->seq == seen) {
		if (pthread_cond_timedwait(&q->seq_cv, &q->mu, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&q->mu);
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return rcv_queue__sqlerr(db, "prepare");
	return 0;
}

/* Create the file ourselves so that it (and the -wal/-shm SQLite derives) is 0600. */
static int create_private(const char *path)
{
	int fd;

	if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0) {
		rcv_queue__seterr("queue: '%.100s' is not a file path", path);
		return RCV_EINVALID;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		rcv_queue__seterr("queue: cannot open '%.150s': %s", path, strerror(errno));
		return RCV_ERROR;
	}
	close(fd);
	return 0;
}

static void free_queue(rcv_queue *q)
{
	size_t i;

	sqlite3_finalize(q->w_insert);
	sqlite3_finalize(q->w_key);
	sqlite3_finalize(q->s_heads);
	sqlite3_finalize(q->s_get);
	sqlite3_finalize(q->s_store_ref);
	sqlite3_finalize(q->s_done);
	sqlite3_finalize(q->s_retry);
	sqlite3_finalize(q->s_dead);
	rcv_pg__close(q->pg);
	/* The last connection to close checkpoints and removes the WAL. */
	sqlite3_close_v2(q->sdb);
	sqlite3_close_v2(q->wdb);
	for (i = 0; i < q->nclaims; i++)
		free(q->claims[i].key);
	free(q->claims);
	pthread_cond_destroy(&q->work_cv);
	pthread_cond_destroy(&q->done_cv);
	pthread_cond_destroy(&q->seq_cv);
	pthread_mutex_destroy(&q->mu);
	pthread_mutex_destroy(&q->slock);
	pthread_mutex_destroy(&q->wlock);
	free(q);
}

#define RW (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)

static rcv_queue *new_queue(void)
{
	pthread_condattr_t ca;
	rcv_queue *q = calloc(1, sizeof *q);

	if (!q)
		return NULL;
	pthread_mutex_init(&q->mu, NULL);
	pthread_mutex_init(&q->slock, NULL);
	pthread_mutex_init(&q->wlock, NULL);
	pthread_cond_init(&q->work_cv, NULL);
	pthread_cond_init(&q->done_cv, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->seq_cv, &ca);
	pthread_condattr_destroy(&ca);
	return q;
}

static int start_committer(rcv_queue *q)
{
	if (pthread_create(&q->committer, NULL, committer_main, q) != 0) {
		rcv_queue__seterr("queue: cannot start the committer thread");
		return RCV_ERROR;
	}
	q->committer_running = 1;
	return 0;
}

/* The read-write connections, statements and committer of a queue. */
static int open_rw(rcv_queue *q, const char *path)
{
	int rc = create_private(path);

	if (!rc)
		rc = open_conn(&q->wdb, path, RW, "FULL");
	if (!rc)
		rc = init_schema(q->wdb, path);
	if (!rc)
		rc = open_conn(&q->sdb, path, RW, "NORMAL");
	if (!rc)
		rc = prepare(q->wdb,
		             "INSERT INTO rcv_events (received_at, webhook_key, event, body,"
		             " content_type, store_ref) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		             &q->w_insert);
	if (!rc)
		rc = prepare(q->wdb, "INSERT OR IGNORE INTO rcv_keys (webhook_key) VALUES (?1)",
		             &q->w_key);
	return rc ? rc : start_committer(q);
}

/* One read-only connection to an existing queue; nothing is written, no committer runs. */
static int open_ro(rcv_queue *q, const char *path)
{
	int rc;

	if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0) {
		rcv_queue__seterr("queue: '%.100s' is not a file path", path);
		return RCV_EINVALID;
	}
	rc = open_conn(&q->sdb, path, SQLITE_OPEN_READONLY, NULL);
	if (!rc) {
		rc = identify(q->sdb, path);
		if (rc == DB_EMPTY) {
			rcv_queue__seterr(
			    "queue: '%.150s' is not an event queue: an empty database", path);
			rc = RCV_ENOTQUEUE;
		}
	}
	q->stopping = 1; /* rcv_queue_submit refuses: there is no committer */
	return rc < 0 ? rc : 0;
}

int rcv_queue_is_url(const char *path)
{
	return path &&
	       (util_starts_with(path, "postgresql://") || util_starts_with(path, "postgres://"));
}

/* A queue on PostgreSQL: its backend, and (but read-only) the committer that enqueues. */
static int open_pg(rcv_queue *q, const char *url, int readonly)
{
	int rc = rcv_pg__open(&q->pg, url, readonly);

	if (rc || readonly) {
		q->stopping = 1; /* rcv_queue_submit refuses: there is no committer */
		return rc;
	}
	return start_committer(q);
}

int rcv_queue_set_lease(rcv_queue *q, long lease_ms)
{
	if (lease_ms < 1000 || lease_ms > 86400000L) {
		rcv_queue__seterr("queue: lease %ld ms out of range: expected 1000 to 86400000",
		                  lease_ms);
		return RCV_EINVALID;
	}
	return q->pg ? rcv_pg__set_lease(q->pg, lease_ms) : 0;
}

static int open_queue(rcv_queue **out, const char *path, int readonly, char *err, size_t errsz)
{
	rcv_queue *q;
	int rc;

	*out = NULL;
	rcv_queue__seterr("%s", "");
	if (!path || !*path) {
		if (err && errsz)
			snprintf(err, errsz, "queue: no database path");
		return RCV_EINVALID;
	}
	q = new_queue();
	if (!q) {
		if (err && errsz)
			snprintf(err, errsz, "out of memory");
		return RCV_ERROR;
	}
	if (rcv_queue_is_url(path))
		rc = open_pg(q, path, readonly);
	else
		rc = readonly ? open_ro(q, path) : open_rw(q, path);
	if (rc) {
		if (err && errsz)
			snprintf(err, errsz, "%s", rcv_queue_last_error());
		free_queue(q);
		return rc;
	}
	*out = q;
	return 0;
}

int rcv_queue_open(rcv_queue **out, const char *path, char *err, size_t errsz)
{
	return open_queue(out, path, 0, err, errsz);
}

int rcv_queue_open_readonly(rcv_queue **out, const char *path, char *err, size_t errsz)
{
	return open_queue(out, path, 1, err, errsz);
}

void rcv_queue_close(rcv_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stopping = 1;
	pthread_cond_broadcast(&q->work_cv);
	pthread_mutex_unlock(&q->mu);
	if (q->committer_running)
		pthread_join(q->committer, NULL);
	free_queue(q);
}
