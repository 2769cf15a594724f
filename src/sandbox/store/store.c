/* store: the SQLite connection, its lock, statement cache and transactions (see sbx_store.h). */
#include "sbx_store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

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
