/*
 * The durable state of `objects import` (cmd_import.c): the checkpoint file
 * that says how far an import got, and the CSV report of rejected rows.
 *
 * The checkpoint is written whole to FILE.tmp, fsync'd, renamed over FILE
 * and the directory fsync'd, after every row: a crash leaves the old or the
 * new checkpoint, never a torn one. The rejects report is fsync'd before
 * the checkpoint that counts its lines, and cut back on resume to the size
 * the checkpoint recorded, so a row's reject line is never written twice.
 */
#ifndef CLI_IMPORT_STATE_H
#define CLI_IMPORT_STATE_H

#include <stdio.h>

typedef struct cli_import_state {
	long long records;       /* input records done (a CSV header is one) */
	long long offset;        /* the bytes of input they take */
	unsigned long long hash; /* FNV-1a 64 of those bytes */
	long long rejects_size;  /* bytes of the rejects report that count */
	char type[32];           /* the object type (as a number) */
	char key[128];           /* the merge key's field */
	char mode[16];           /* "upsert", "create-only", "update-only" */
} cli_import_state;

/* FNV-1a 64 of n bytes, continued from h (start with CLI_IMPORT_HASH_INIT). */
#define CLI_IMPORT_HASH_INIT 0xcbf29ce484222325ULL
unsigned long long cli_import_hash(unsigned long long h, const char *p, size_t n);

/*
 * Read the checkpoint at path: 1 with *st, 0 when there is none, -1 when it
 * cannot be read or is not a checkpoint (error printed).
 */
int cli_import_state_load(const char *path, cli_import_state *st);

/* Write it durably (see above), mode 0600. 0, or -1 with the error printed. */
int cli_import_state_save(const char *path, const cli_import_state *st);

/*
 * Open the rejects report at path (mode 0600) keeping its first `keep`
 * bytes (-1: start it afresh); a new or emptied one gets the header line.
 * NULL with the error printed.
 */
FILE *cli_import_rejects_open(const char *path, long long keep);

/* Append "row,field,reason" (RFC 4180 quoted, cells made formula-safe), flushed and fsync'd. */
int cli_import_rejects_add(FILE *f, long long row, const char *field, const char *reason);

#endif
