/* store: the SQLite connection, its lock, statement cache and lifecycle (see sbx_store.h). */
#include "sbx_store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

int sbx_store__sqlerr(sbx_store *st, sbx_err *e, const char *what)
{
	return sbx_err_set(e, 500, "Internal Server Error: %s: %s", what, sqlite3_errmsg(st->db));
}

sqlite3 *sbx_store_db(sbx_store *st)
{
	return st->db;
}

void sbx_store_lock(sbx_store *st)
{
	pthread_mutex_lock(&st->mu);
}

void sbx_store_unlock(sbx_store *st)
{
	pthread_mutex_unlock(&st->mu);
}

int sbx_store_exec(sbx_store *st, const char *sql, sbx_err *e)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sbx_store__sqlerr(st, e, "exec");
	return 0;
}

/* ---- statement cache: open addressing on an FNV-1a hash of the SQL text ---- */

/*
 * Only a bucket selector (a hit is confirmed with strcmp), so it samples: the
 * length and the first and last 64 bytes. A full SELECT of contacts is a
 * kilobyte that differs, if at all, at its ends (columns, WHERE, ORDER BY).
 */
static size_t hash_sql(const char *s)
{
	size_t n = strlen(s), h = 2166136261u ^ n, i;

	for (i = 0; i < n && i < 64; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	for (i = n > 64 ? n - 64 : n; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

void sbx_store__flush_stmts(sbx_store *st)
{
	size_t i;

	for (i = 0; i < SBX_STMT_CACHE; i++) {
		sbx_stmt_slot *sl = &st->cache[i];
		if (!sl->sql)
			continue;
		sqlite3_finalize(sl->stmt);
		free(sl->sql);
		memset(sl, 0, sizeof *sl);
	}
	st->ncached = 0;
}

sqlite3_stmt *sbx_store_prepare(sbx_store *st, const char *sql, sbx_err *e)
{
	size_t h = hash_sql(sql), i, free_slot = (size_t)-1;
	sqlite3_stmt *stmt;

	for (i = 0; i < SBX_STMT_CACHE; i++) {
		sbx_stmt_slot *sl = &st->cache[(h + i) & (SBX_STMT_CACHE - 1)];
		if (!sl->sql) {
			free_slot = (h + i) & (SBX_STMT_CACHE - 1);
			break;
		}
		if (!strcmp(sl->sql, sql)) {
			if (sl->in_use)
				break; /* nested use of the same SQL: hand out a private copy */
			sl->in_use = 1;
			return sl->stmt;
		}
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
	    SQLITE_OK) {
		sbx_store__sqlerr(st, e, "prepare");
		return NULL;
	}
	/* Keep the table at most 3/4 full so probes stay short; once full, further
	 * distinct SQL (rare listFields combinations) is simply not cached. */
	if (free_slot != (size_t)-1 && st->ncached < SBX_STMT_CACHE * 3 / 4) {
		sbx_stmt_slot *sl = &st->cache[free_slot];
		sl->sql = util_strdup(sql);
		if (sl->sql) {
			sl->stmt = stmt;
			sl->in_use = 1;
			st->ncached++;
		}
	}
	return stmt;
}

void sbx_store_done(sbx_store *st, sqlite3_stmt *stmt)
{
	size_t i;

	if (!stmt)
		return;
	/* Scanning for the pointer is cheaper than hashing the SQL again (a full
	 * SELECT of contacts is a kilobyte of text). */
	for (i = 0; i < SBX_STMT_CACHE; i++) {
		sbx_stmt_slot *sl = &st->cache[i];
		if (sl->stmt == stmt && sl->sql) {
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			sl->in_use = 0;
			return;
		}
	}
	sqlite3_finalize(stmt); /* not cached */
}

/* ---- transactions ---- */

int sbx_store_begin(sbx_store *st, sbx_err *e)
{
	if (sbx_store_exec(st, "SAVEPOINT sbx", e) < 0)
		return -1;
	st->savepoints++;
	return 0;
}

int sbx_store_commit(sbx_store *st, sbx_err *e)
{
	if (sbx_store_exec(st, "RELEASE sbx", e) < 0) {
		sbx_store_rollback(st);
		return -1;
	}
	st->savepoints--;
	return 0;
}

void sbx_store_rollback(sbx_store *st)
{
	if (st->savepoints <= 0)
		return;
	sqlite3_exec(st->db, "ROLLBACK TO sbx; RELEASE sbx", NULL, NULL, NULL);
	st->savepoints--;
}

/* ---- lifecycle ---- */

/*
 * The store lock is taken by every API request and held only for a few
 * microseconds, so a waiter does better spinning briefly than sleeping in the
 * kernel: glibc's adaptive mutex does that (elsewhere: a plain one).
 */
static int init_mutex(pthread_mutex_t *mu)
{
#ifdef __GLIBC__
	pthread_mutexattr_t a;
	int rc;

	if (pthread_mutexattr_init(&a) != 0)
		return -1;
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP);
	rc = pthread_mutex_init(mu, &a);
	pthread_mutexattr_destroy(&a);
	return rc;
#else
	return pthread_mutex_init(mu, NULL);
#endif
}

/* 1 when the database already holds the sandbox schema, 0 when it is empty, -1 otherwise. */
static int check_schema(sbx_store *st, sbx_err *e)
{
	sqlite3_stmt *s;
	int rc, ntables = 0, have_meta = 0;
	long long version = -1;

	if (sqlite3_prepare_v2(st->db, "SELECT name FROM sqlite_master WHERE type='table'", -1, &s,
	                       NULL) != SQLITE_OK)
		return sbx_store__sqlerr(st, e, "open");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		ntables++;
		if (name && !strcmp(name, "sbx_meta"))
			have_meta = 1;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sbx_store__sqlerr(st, e, "open");
	if (!ntables)
		return 0;
	if (!have_meta)
		return sbx_err_set(e, 500,
		                   "the database holds tables but is not a sandbox database");
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM sbx_meta WHERE key='schema_version'", -1,
	                       &s, NULL) != SQLITE_OK)
		return sbx_store__sqlerr(st, e, "open");
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (version != SBX_SCHEMA_VERSION)
		return sbx_err_set(
		    e, 500,
		    "the database has sandbox schema version %lld, this sandbox needs "
		    "%d: delete it or use another file",
		    version, SBX_SCHEMA_VERSION);
	return 1;
}

static int seed(sbx_store *st, sbx_err *e)
{
	if (sbx_store_begin(st, e) < 0)
		return -1;
	if (sbx_schema_seed(st, e) < 0) {
		sbx_store_rollback(st);
		sbx_meta__free(st);
		return -1;
	}
	return sbx_store_commit(st, e);
}

int sbx_store_open(sbx_store **out, const char *path, sbx_err *e)
{
	sbx_store *st;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
	            SQLITE_OPEN_PRIVATECACHE;
	int rc;

	*out = NULL;
	if (!path || !*path)
		path = ":memory:";
	st = calloc(1, sizeof *st);
	if (!st)
		return sbx_err_set(e, 500, "out of memory");
	if (init_mutex(&st->mu) != 0) {
		free(st);
		return sbx_err_set(e, 500, "could not create a mutex");
	}
	st->is_file = strcmp(path, ":memory:") != 0;
	/* NOMUTEX: our own mutex already serialises every use of the connection. */
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		sbx_err_set(e, 500, "could not open database '%s': %s", path,
		            st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 1);
	/* WAL + NORMAL: commits don't wait for fsync of the database file, only the WAL
	 * is synced at checkpoints; a process crash loses nothing committed. */
	if (sbx_store_exec(st,
	                   st->is_file ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	                                 "PRAGMA journal_size_limit=67108864;"
	                               : "PRAGMA journal_mode=MEMORY;",
	                   e) < 0 ||
	    sbx_store_exec(st,
	                   "PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY;"
	                   "PRAGMA cache_size=-65536;",
	                   e) < 0)
		goto fail;
	rc = check_schema(st, e);
	if (rc < 0)
		goto fail;
	if (rc == 0 ? seed(st, e) < 0 : sbx_meta__load(st, e) < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	sbx_store_close(st);
	return -1;
}

int sbx_store_reset(sbx_store *st, sbx_err *e)
{
	sqlite3_stmt *s;
	util_buf sql = UTIL_BUF_INIT;
	int rc;

	sbx_store__flush_stmts(st);
	if (sbx_store_begin(st, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT name FROM sqlite_master WHERE type='table' AND name NOT "
	                       "LIKE 'sqlite%'",
	                       -1, &s, NULL) != SQLITE_OK) {
		sbx_store__sqlerr(st, e, "reset");
		goto fail;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		util_buf_puts(&sql, "DROP TABLE ");
		sbx_sql_ident(&sql, (const char *)sqlite3_column_text(s, 0));
		util_buf_puts(&sql, ";");
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE || util_buf_failed(&sql)) {
		sbx_store__sqlerr(st, e, "reset");
		goto fail;
	}
	if (sql.len && sbx_store_exec(st, sql.data, e) < 0)
		goto fail;
	/* AUTOINCREMENT counters live in sqlite_sequence, which cannot be dropped. (It
	 * may not exist yet; then there is nothing to forget.) */
	sqlite3_exec(st->db, "DELETE FROM sqlite_sequence", NULL, NULL, NULL);
	sbx_meta__free(st);
	if (sbx_schema_seed(st, e) < 0)
		goto fail;
	util_buf_release(&sql);
	return sbx_store_commit(st, e);
fail:
	util_buf_release(&sql);
	sbx_store_rollback(st);
	sbx_meta__free(st);
	/* Put back the metadata of whatever the rollback restored. */
	sbx_meta__load(st, NULL);
	return -1;
}

void sbx_store_close(sbx_store *st)
{
	if (!st)
		return;
	sbx_store__flush_stmts(st);
	sbx_meta__free(st);
	if (st->db)
		sqlite3_close(st->db);
	pthread_mutex_destroy(&st->mu);
	free(st);
}
