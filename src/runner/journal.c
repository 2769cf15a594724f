/*
 * journal: the run journal's file: open (a new file is made 0600, marked
 * with application_id 'ONTR'; any other file is refused and left as it
 * was), the schema, errors. The runs and their steps are in
 * journal_ops.c, the triggers' state in journal_state.c. See journal_int.h
 * for the locking.
 */
#include "journal_int.h"

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

#define JOURNAL_SCHEMA_VERSION 1
#define JOURNAL_BUSY_TIMEOUT_MS 5000
/* PRAGMA application_id of a run journal: "ONTR". */
#define JOURNAL_APPLICATION_ID 0x4F4E5452
#define JOURNAL_FOREIGN RUN_JOURNAL_EFOREIGN

int run_journal__sqlerr(sqlite3 *db, const char *what)
{
	return run_journal__seterr("journal: %s: %s", what,
	                           db ? sqlite3_errmsg(db) : "no database");
}

int run_journal__exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return run_journal__sqlerr(db, sql);
	return 0;
}

/* Run a statement without results, kept prepared; 0 or -1 (the error says `what`). */
static int step_kept(run_journal *j, const char *sql, const char *what)
{
	sqlite3_stmt *st = run_journal__prepare(j, sql);
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : run_journal__sqlerr(j->db, what);
	run_journal__finish(j, st);
	return rc;
}

int run_journal__begin(run_journal *j)
{
	return step_kept(j, "BEGIN IMMEDIATE", "BEGIN IMMEDIATE");
}

int run_journal__begin_flushed(run_journal *j)
{
	if (step_kept(j, "PRAGMA synchronous=FULL", "synchronous"))
		return -1;
	j->flushing = 1;
	if (run_journal__begin(j) == 0)
		return 0;
	j->flushing = 0;
	step_kept(j, "PRAGMA synchronous=NORMAL", "synchronous");
	return -1;
}

int run_journal__end(run_journal *j, int rc)
{
	if (rc == 0)
		rc = step_kept(j, "COMMIT", "commit");
	if (rc)
		sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	if (j->flushing) {
		j->flushing = 0;
		if (step_kept(j, "PRAGMA synchronous=NORMAL", "synchronous") && rc == 0)
			rc = -1;
	}
	return rc;
}

sqlite3_stmt *run_journal__prepare(run_journal *j, const char *sql)
{
	run_cached_stmt *c;
	sqlite3_stmt *st = NULL;
	size_t i;

	for (i = 0; i < j->nstmts; i++) {
		c = &j->stmts[i];
		if (!c->busy && strcmp(c->sql, sql) == 0) {
			c->busy = 1;
			return c->st;
		}
	}
	if (sqlite3_prepare_v3(j->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		run_journal__sqlerr(j->db, "prepare");
		sqlite3_finalize(st);
		return NULL;
	}
	if (j->nstmts < RUN_STMT_CACHE) {
		c = &j->stmts[j->nstmts];
		if ((c->sql = util_strdup(sql))) { /* else not kept: finish finalizes it */
			c->st = st;
			c->busy = 1;
			j->nstmts++;
		}
	}
	return st;
}

void run_journal__finish(run_journal *j, sqlite3_stmt *st)
{
	size_t i;

	for (i = 0; st && i < j->nstmts; i++) {
		if (j->stmts[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			j->stmts[i].busy = 0;
			return;
		}
	}
	sqlite3_finalize(st);
}

int64_t run_journal__now_ms(void)
{
	return util_now_ms();
}

int run_journal__check_event(const char *event_json)
{
	size_t n;

	if (!event_json)
		return run_journal__seterr("journal: a run without an event");
	n = strlen(event_json);
	if (n > RUN_EVENT_MAX)
		return run_journal__seterr(
		    "journal: event of %zu bytes is too large (at most %d bytes, 1 MiB)", n,
		    RUN_EVENT_MAX);
	return 0;
}

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS runs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT," /* order of arrival; never reused */
    " scenario TEXT NOT NULL,"
    " source TEXT NOT NULL," /* what made it: one run per source and scenario */
    " order_key TEXT,"       /* NULL: no order */
    " event TEXT NOT NULL,"  /* compact JSON */
    " status TEXT NOT NULL DEFAULT 'pending'"
    "  CHECK (status IN ('pending','done','dead','filtered')),"
    " step INTEGER NOT NULL DEFAULT 0," /* the next step to run */
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_at INTEGER NOT NULL DEFAULT 0," /* ms */
    " last_error TEXT,"
    " created_at INTEGER NOT NULL," /* ms */
    " updated_at INTEGER NOT NULL,"
    " UNIQUE (scenario, source));"
    /* A claim walks a scenario's pending runs in id order. */
    "CREATE INDEX IF NOT EXISTS runs_claim ON runs(scenario, status, id);"
    /* Whether a run has an earlier pending run of its order key: one probe. */
    "CREATE INDEX IF NOT EXISTS runs_order ON runs(scenario, order_key, status, id)"
    " WHERE order_key IS NOT NULL;"
    "CREATE TABLE IF NOT EXISTS steps ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL,"
    " step_id TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('sending','done','skipped','failed')),"
    " output TEXT,"
    " error TEXT,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " idem_key TEXT,"
    " started_at INTEGER NOT NULL DEFAULT 0," /* ms */
    " finished_at INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (run_id, idx)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS state ("
    " scenario TEXT NOT NULL,"
    " key TEXT NOT NULL,"
    " value TEXT NOT NULL,"
    " PRIMARY KEY (scenario, key)) WITHOUT ROWID;";

/* One integer from a query (0 when it gives no row). */
static int query_int(sqlite3 *db, const char *sql, int *value)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*value = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

enum { DB_EMPTY, DB_JOURNAL };

/*
 * What the file at path holds, read without writing anything: an empty
 * database (a new file) or a journal. Anything else is JOURNAL_FOREIGN: the
 * file is someone else's and stays as it is.
 */
static int identify(sqlite3 *db, const char *path)
{
	int app, version, tables, runs;

	if (query_int(db, "PRAGMA application_id", &app) ||
	    query_int(db, "PRAGMA user_version", &version) ||
	    query_int(db, "SELECT count(*) FROM sqlite_master", &tables) ||
	    query_int(db,
	              "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'runs'",
	              &runs)) {
		if (sqlite3_errcode(db) != SQLITE_NOTADB)
			return run_journal__sqlerr(db, "read the database header");
		run_journal__seterr("journal: '%.150s' is not a run journal: %s; left unchanged",
		                    path, sqlite3_errmsg(db));
		return JOURNAL_FOREIGN;
	}
	if (app == JOURNAL_APPLICATION_ID && runs && version > JOURNAL_SCHEMA_VERSION)
		return run_journal__seterr(
		    "journal: '%.150s' has schema version %d, newer than this program's %d", path,
		    version, JOURNAL_SCHEMA_VERSION);
	if (app == JOURNAL_APPLICATION_ID && runs)
		return DB_JOURNAL;
	if (app == 0 && tables == 0 && version == 0)
		return DB_EMPTY;
	run_journal__seterr("journal: '%.150s' is not a run journal: a SQLite database of another "
	                    "program (application_id %d, %d table%s); left unchanged",
	                    path, app, tables, tables == 1 ? "" : "s");
	return JOURNAL_FOREIGN;
}

/* WAL, then (for a new file) the schema and the stamp, in one transaction. */
static int init_schema(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	char stamp[96];
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK)
		return run_journal__sqlerr(db, "set wal mode");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0) {
		sqlite3_finalize(st);
		return run_journal__seterr("journal: the database cannot use write-ahead logging");
	}
	sqlite3_finalize(st);
	snprintf(stamp, sizeof stamp, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
	         JOURNAL_APPLICATION_ID, JOURNAL_SCHEMA_VERSION);
	if (run_journal__exec(db, "BEGIN IMMEDIATE"))
		return -1;
	if (run_journal__exec(db, SCHEMA) || run_journal__exec(db, stamp) ||
	    run_journal__exec(db, "COMMIT")) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static int check_path(const char *path)
{
	if (!path || !*path)
		return run_journal__seterr("journal: no database path");
	if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return run_journal__seterr("journal: '%.100s' is not a file path", path);
	return 0;
}

/* Create the file ourselves so that it (and the -wal/-shm SQLite derives) is 0600. */
static int create_private(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return run_journal__seterr("journal: cannot open '%.150s': %s", path,
		                           strerror(errno));
	close(fd);
	return 0;
}

static int open_db(run_journal *j, const char *path, int flags)
{
	if (sqlite3_open_v2(path, &j->db, flags, NULL) != SQLITE_OK)
		return run_journal__seterr("journal: cannot open '%.150s': %s", path,
		                           j->db ? sqlite3_errmsg(j->db) : "out of memory");
	sqlite3_busy_timeout(j->db, JOURNAL_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(j->db, 0);
	return 0;
}

static int open_rw(run_journal *j, const char *path)
{
	int kind;

	if (create_private(path) || open_db(j, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
		return -1;
	kind = identify(j->db, path); /* before anything that could write */
	if (kind < 0)
		return kind;
	if (run_journal__exec(j->db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
	                             " PRAGMA journal_size_limit=67108864;"))
		return -1;
	return init_schema(j->db);
}

static int open_ro(run_journal *j, const char *path)
{
	int kind;

	j->readonly = 1;
	if (open_db(j, path, SQLITE_OPEN_READONLY))
		return -1;
	kind = identify(j->db, path);
	if (kind == DB_EMPTY) {
		run_journal__seterr("journal: '%.150s' is not a run journal: an empty database",
		                    path);
		return JOURNAL_FOREIGN;
	}
	return kind < 0 ? kind : 0;
}

static int open_journal(run_journal **out, const char *path, int readonly, char *err, size_t errsz)
{
	run_journal *j;
	int rc;

	*out = NULL;
	run_journal__seterr("%s", "");
	rc = run_pgj__is_url(path) ? 0 : check_path(path);
	j = rc ? NULL : calloc(1, sizeof *j);
	if (!rc && !j)
		rc = run_journal__seterr("journal: out of memory");
	if (!rc) {
		pthread_mutex_init(&j->mu, NULL);
		if (run_pgj__is_url(path))
			rc = run_pgj__open(&j->pg, path);
		else
			rc = readonly ? open_ro(j, path) : open_rw(j, path);
	}
	if (rc) {
		if (err && errsz)
			snprintf(err, errsz, "%s", run_journal_last_error());
		run_journal_close(j);
		return rc;
	}
	*out = j;
	return 0;
}

int run_journal_open(run_journal **out, const char *path, char *err, size_t errsz)
{
	return open_journal(out, path, 0, err, errsz);
}

int run_journal_open_readonly(run_journal **out, const char *path, char *err, size_t errsz)
{
	return open_journal(out, path, 1, err, errsz);
}

int run_journal_is_url(const char *path)
{
	return run_pgj__is_url(path);
}

void run_journal_set_lease(run_journal *j, int64_t lease_ms)
{
	if (j->pg && lease_ms >= 1000)
		run_pgj__set_lease(j->pg, lease_ms);
}

void run_journal_close(run_journal *j)
{
	size_t i;

	if (!j)
		return;
	run_pgj__close(j->pg);
	for (i = 0; i < j->nstmts; i++) {
		sqlite3_finalize(j->stmts[i].st);
		free(j->stmts[i].sql);
	}
	/* The last connection to close checkpoints and removes the WAL. */
	sqlite3_close_v2(j->db);
	for (i = 0; i < j->nclaims; i++) {
		free(j->claims[i].scenario);
		free(j->claims[i].key);
	}
	free(j->claims);
	pthread_mutex_destroy(&j->mu);
	free(j);
}
