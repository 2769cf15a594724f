/*
 * Private to the store's files (open.c, store.c, meta.c, record.c, schema.c): the
 * store's insides. Resources use sbx_store.h only.
 */
#ifndef SBX_STORE_INT_H
#define SBX_STORE_INT_H

#include <pthread.h>

#include "sbx_store.h"

#define SBX_STMT_CACHE 256 /* cached prepared statements (a power of two) */

typedef struct sbx_stmt_slot {
	char *sql; /* owned; NULL = free slot */
	sqlite3_stmt *stmt;
	int in_use; /* handed out and not yet done */
} sbx_stmt_slot;

struct sbx_store {
	pthread_mutex_t mu;
	sqlite3 *db;
	int is_file;
	sbx_stmt_slot cache[SBX_STMT_CACHE];
	size_t ncached;
	sbx_otype *types; /* ascending id */
	size_t ntypes;
	int savepoints; /* open savepoint depth */
};

/* Finalize every cached statement (before schema changes). */
void sbx_store__flush_stmts(sbx_store *st);

/* (Re)load the in-memory metadata from the tables; flushes the statement cache. */
int sbx_meta__load(sbx_store *st, sbx_err *e);
/* Free the in-memory metadata. */
void sbx_meta__free(sbx_store *st);
/* Create the metadata tables (sbx_meta, sbx_object_types, sbx_fields). */
int sbx_meta__create_schema(sbx_store *st, sbx_err *e);

/* Set e from the connection's last error (status 500); returns -1. */
int sbx_store__sqlerr(sbx_store *st, sbx_err *e, const char *what);

#endif
