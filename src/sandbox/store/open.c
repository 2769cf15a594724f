/*
 * open: the store's lifecycle -- open (and seed an empty database), reset,
 * close. Above meta.c and schema.c, which it loads and seeds; nothing below
 * calls back up here.
 */
#include "sbx_store_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

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
