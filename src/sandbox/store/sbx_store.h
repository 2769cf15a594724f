/*
 * sbx_store: the sandbox's data, in SQLite.
 *
 * Layout (docs/sandbox.md has the long form):
 *   sbx_meta          key/value: schema version
 *   sbx_object_types  one row per object type (contacts 0, tasks 1, ... custom >= 10000)
 *   sbx_fields        one row per field of a type: alias, type (reference §1.7), flags, options
 *   sbx_sections      the field editor's sections of a type: id, name, description
 *   sbx_field_layout  where the field editor shows a field: its id, section, column
 *   o_<type id>       one table per object type, one column per stored field, so a
 *                     condition on a field can become indexed SQL
 * The metadata is loaded into memory (sbx_otype / sbx_field) at open and after
 * every schema change, so requests never read it from SQL.
 *
 * Threading: one SQLite connection, guarded by one mutex. Every function below
 * (except open/close/lock/unlock) must be called with the lock held; the
 * router takes it around each handler, so handlers just call. Pointers into
 * the metadata (sbx_otype, sbx_field) stay valid while the lock is held and no
 * schema change (add type/field, reset) happens -- i.e. for the whole handler
 * unless the handler itself changes the schema.
 */
#ifndef SBX_STORE_H
#define SBX_STORE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "util.h"
#include "sbx_err.h"

#define SBX_SCHEMA_VERSION 5

/* Field types, reference §1.7. Keep in step with the names in meta.c. */
typedef enum sbx_ftype {
	SBX_FT_TEXT,
	SBX_FT_LONGTEXT,
	SBX_FT_EMAIL,
	SBX_FT_PHONE,
	SBX_FT_SMS,
	SBX_FT_NUMERIC,
	SBX_FT_PRICE,
	SBX_FT_CHECK,
	SBX_FT_DROP,
	SBX_FT_LIST,
	SBX_FT_FULLDATE,
	SBX_FT_TIMESTAMP,
	SBX_FT_COUNTRY,
	SBX_FT_STATE,
	SBX_FT_ADDRESS,
	SBX_FT_PARENT,
	SBX_FT_SUBSCRIPTION,
	SBX_FT_MERGEFIELD, /* computed for display; has no column */
	SBX_FT_URL,
	SBX_FT_COUNT_
} sbx_ftype;

/* "text", "email", ... for a type; NULL when out of range. */
const char *sbx_ftype_name(sbx_ftype t);
/* The type named s, or -1. */
int sbx_ftype_parse(const char *s);

/* Field flags. The first four are what /objects/meta shows. */
#define SBX_F_REQUIRED 0x01u
#define SBX_F_UNIQUE 0x02u
#define SBX_F_EDITABLE 0x04u /* clients may write it (else ignored on create/update) */
#define SBX_F_DELETABLE 0x08u
#define SBX_F_INDEXED 0x10u  /* an SQL index on the column */
#define SBX_F_CREATED 0x20u  /* set to the current Unix time on insert ("date") */
#define SBX_F_MODIFIED 0x40u /* set to the current Unix time on insert and change ("dlm") */
/* Left out of records while NULL (rule tags, REFERENCE-MORE §M13). */
#define SBX_F_OMIT_NULL 0x80u

/* A field as declared (seed tables, fieldeditor later). Strings are borrowed. */
typedef struct sbx_field_def {
	const char *name;  /* column and API name: [A-Za-z_][A-Za-z0-9_]{0,63} */
	const char *alias; /* display name */
	sbx_ftype type;
	unsigned flags;      /* SBX_F_* */
	const char *options; /* JSON object text for drop/list ({"1":"Closed - Lost"}), or NULL */
	const char *parent;  /* parent fields: the object type id it points to ("2"), or NULL */
	const char *dflt;    /* value stored on insert when none is sent, or NULL */
	const char *section; /* fieldeditor section name, or NULL */
} sbx_field_def;

/* Access verbs an object type allows through the generic endpoints (§2 Access). */
#define SBX_ACC_GET 0x1u
#define SBX_ACC_POST 0x2u
#define SBX_ACC_PUT 0x4u
#define SBX_ACC_DELETE 0x8u
#define SBX_ACC_ALL (SBX_ACC_GET | SBX_ACC_POST | SBX_ACC_PUT | SBX_ACC_DELETE)

/* An object type as declared. Strings are borrowed. */
typedef struct sbx_type_def {
	long long id;            /* 0 contacts, 7 messages, >= 10000 custom */
	const char *name;        /* meta "name" ("Contact", "SmartFormFE") */
	const char *singular;    /* endpoint for one record ("Contact", "Form"), or NULL */
	const char *plural;      /* endpoint for the collection ("Contacts"), or NULL */
	const char *id_field;    /* record id key: "id" (default when NULL), "tag_id", ... */
	unsigned access;         /* SBX_ACC_* */
	int custom;              /* a custom object (>= 10000) */
	const char *list_fields; /* getInfo's default listFields, comma-separated, or NULL */
	const sbx_field_def *fields;
	size_t nfields;
} sbx_type_def;

/* The in-memory metadata. Owned by the store; read-only for everyone else. */
typedef struct sbx_field {
	char *name, *alias;
	sbx_ftype type;
	unsigned flags;
	json_t *options;         /* drop/list options object, or NULL */
	long long parent_object; /* -1 when none */
	char *dflt;              /* or NULL */
	char *section;           /* or NULL */
	int stored;              /* has a column (everything but mergefields) */
} sbx_field;

typedef struct sbx_otype {
	long long id;
	char *name, *singular, *plural; /* singular/plural may be NULL */
	char *table;                    /* "o_0" */
	char *id_field;                 /* "id", "tag_id", ... */
	unsigned access;
	int custom;
	json_t *list_fields; /* array of strings (getInfo) */
	int omit_null;       /* a field has SBX_F_OMIT_NULL */
	sbx_field *fields;   /* display order */
	size_t nfields;
	sbx_field **by_name; /* the fields sorted by name (bsearch) */
	char *sql_select;    /* SELECT <id, stored fields> FROM <table> */
	char *sql_get;       /* sql_select + " WHERE <id field>=?": the hot path, built once */
	char *sql_insert;    /* INSERT INTO <table> (<stored fields>) VALUES (?...) */
} sbx_otype;

typedef struct sbx_store sbx_store;

/*
 * Open (creating and seeding when new) the database at path: a file name or
 * ":memory:" (NULL = ":memory:"). Files use WAL with synchronous=NORMAL, so
 * what a reply confirmed survives a crash of the process (not of the OS).
 * On failure returns -1, *out NULL, e set (status 500).
 */
int sbx_store_open(sbx_store **out, const char *path, sbx_err *e);
/* Close and free; NULL is accepted. No lock needed (nobody else may use it). */
void sbx_store_close(sbx_store *st);

void sbx_store_lock(sbx_store *st);
void sbx_store_unlock(sbx_store *st);

/* Drop every table and seed again, as on first open. */
int sbx_store_reset(sbx_store *st, sbx_err *e);

/* The connection, for resources that need plain SQL. */
sqlite3 *sbx_store_db(sbx_store *st);

/*
 * A prepared statement for sql, from the store's cache when possible. Hand it
 * back with sbx_store_done() (which resets it) before releasing the lock.
 * NULL with e set (500) when SQLite refuses the SQL.
 */
sqlite3_stmt *sbx_store_prepare(sbx_store *st, const char *sql, sbx_err *e);
void sbx_store_done(sbx_store *st, sqlite3_stmt *stmt);

/* Run SQL with no results (DDL, BEGIN...). -1 with e set (500) on error. */
int sbx_store_exec(sbx_store *st, const char *sql, sbx_err *e);

/* Savepoint-based transactions, so they nest. */
int sbx_store_begin(sbx_store *st, sbx_err *e);
int sbx_store_commit(sbx_store *st, sbx_err *e);
void sbx_store_rollback(sbx_store *st);

/* ---- metadata (meta.c) ---- */

size_t sbx_store_ntypes(const sbx_store *st);
/* Types in ascending id order; i < sbx_store_ntypes(). */
const sbx_otype *sbx_store_type_at(const sbx_store *st, size_t i);
/* The type with this id, or NULL. */
const sbx_otype *sbx_store_type(const sbx_store *st, long long id);
/* The type whose singular (plural = 0) or plural (plural = 1) endpoint name is
 * the len bytes at name, compared case-insensitively; or NULL. */
const sbx_otype *sbx_store_type_by_name(const sbx_store *st, const char *name, size_t len,
                                        int plural);
/* A field of t by name (case-sensitive, as Ontraport's field names are), or NULL. */
const sbx_field *sbx_otype_field(const sbx_otype *t, const char *name);
/* Whether name is t's id field or one of its stored fields. */
int sbx_otype_has_column(const sbx_otype *t, const char *name);

/* Declare a new object type and create its table. 400 for a bad definition
 * (bad identifier, duplicate id or name), 500 on SQL errors. */
int sbx_store_add_type(sbx_store *st, const sbx_type_def *def, sbx_err *e);
/* Add a field (and its column) to an existing type. */
int sbx_store_add_field(sbx_store *st, long long type_id, const sbx_field_def *def, sbx_err *e);

/*
 * Change an existing field's alias, type, required/unique flags and options
 * (def->name names it; def->flags' other bits, parent, dflt and section are
 * kept). 404 when there is no such field. The column is not changed: the
 * only type change the field editor makes is text -> longtext, both TEXT.
 */
int sbx_store_update_field(sbx_store *st, long long type_id, const sbx_field_def *def, sbx_err *e);
/* Remove a field and its column (with the values of every record). 404 when
 * there is no such field. */
int sbx_store_drop_field(sbx_store *st, long long type_id, const char *name, sbx_err *e);

/* ---- seed data (schema.c) ---- */

/* Create the metadata tables, declare the built-in types and insert the seed
 * records. Called inside a transaction on a database with no tables. */
int sbx_schema_seed(sbx_store *st, sbx_err *e);

/* ---- records (record.c) ---- */

/* Flags for insert/update. */
#define SBX_REC_RAW 0x1u           /* also write non-editable fields (seeding, fixtures) */
#define SBX_REC_IGNORE_BLANKS 0x2u /* skip "" values (saveorupdate ignore_blanks) */

/*
 * Which records a list/count/delete touches. Zero-initialise, then fill in.
 * `where` is the hook for criteria (§4): an SQL boolean expression that the
 * sandbox built itself from metadata names (quoted with sbx_sql_ident) and
 * '?' placeholders -- never text from a request -- with the values in
 * where_args (a JSON array, bound in order; strings, numbers, null, booleans).
 */
typedef struct sbx_query {
	long long start;      /* offset */
	long long range;      /* page size; <= 0 means all (count/delete only) */
	const char *sort;     /* field to sort by, NULL = id */
	int desc;             /* sort descending */
	const long long *ids; /* restrict to these ids when nids > 0 */
	size_t nids;
	json_t *fields;     /* listFields: array of names; NULL = every stored field */
	const char *where;  /* see above, or NULL */
	json_t *where_args; /* borrowed */
} sbx_query;

/* Quote an identifier for SQL ("name" with " doubled) into b. */
int sbx_sql_ident(util_buf *b, const char *name);

/*
 * One record as {field: "string" | null}: the id field first, then the
 * stored fields in display order, or only `fields` (names of t's columns; a
 * name t does not have is skipped) when not NULL. 404 when there is no such
 * record. *out is new.
 */
int sbx_record_get(sbx_store *st, const sbx_otype *t, long long id, json_t *fields, json_t **out,
                   sbx_err *e);

/*
 * Insert a record from `values` (a JSON object field -> value; unknown and,
 * without SBX_REC_RAW, non-editable fields are ignored; values are strings,
 * numbers, booleans (stored "1"/"0") or null). Fields not given get their
 * default; SBX_F_CREATED/MODIFIED fields get the current time. Email fields
 * must hold a valid address or "" (else 422). On success *id_out is the new
 * id and *echo_out (if not NULL) a new object like Ontraport's create reply:
 * the fields given, then defaulted ones, then the id, then owner.
 */
int sbx_record_insert(sbx_store *st, const sbx_otype *t, json_t *values, unsigned flags,
                      long long *id_out, json_t **echo_out, sbx_err *e);

/*
 * Update record id from `values` (same rules as insert). *attrs_out (if not
 * NULL) is a new object of the fields whose value changed, then the
 * SBX_F_MODIFIED fields (when anything changed), then the id -- the `attrs`
 * of Ontraport's update reply. 404 when there is no such record.
 */
int sbx_record_update(sbx_store *st, const sbx_otype *t, long long id, json_t *values,
                      unsigned flags, json_t **attrs_out, sbx_err *e);

/*
 * The ids of every record q selects (start/range/sort ignored), ascending, as
 * a new array (*out NULL and *n 0 when none; free() it).
 */
int sbx_record_ids(sbx_store *st, const sbx_otype *t, const sbx_query *q, long long **out,
                   size_t *n, sbx_err *e);

/* Delete one record; 404 when there is none. */
int sbx_record_delete(sbx_store *st, const sbx_otype *t, long long id, sbx_err *e);

/* Delete every record q selects (start/range/sort ignored); *n = how many. */
int sbx_record_delete_where(sbx_store *st, const sbx_otype *t, const sbx_query *q, long long *n,
                            sbx_err *e);

/* The page of records q selects, as a new JSON array. 400 for an unknown sort field. */
int sbx_record_list(sbx_store *st, const sbx_otype *t, const sbx_query *q, json_t **out,
                    sbx_err *e);

/*
 * The same two, written straight into `out` as compact JSON text (an object,
 * an array of objects) without building jansson values: the hot read paths
 * (GET /object, GET /objects) use these. Nothing is appended on failure.
 */
int sbx_record_get_text(sbx_store *st, const sbx_otype *t, long long id, json_t *fields,
                        util_buf *out, sbx_err *e);
int sbx_record_list_text(sbx_store *st, const sbx_otype *t, const sbx_query *q, util_buf *out,
                         sbx_err *e);

/* How many records q selects (start/range/sort ignored). */
int sbx_record_count(sbx_store *st, const sbx_otype *t, const sbx_query *q, long long *out,
                     sbx_err *e);

/*
 * Insert n records in one transaction, fast (benchmarks seed 1,000,000).
 * Each record gets what sbx_record_insert would give it for an empty input,
 * plus `names[j]` = the text fill() writes into vals[j] (a buffer of
 * SBX_FILL_MAX bytes) for j < nnames; names must be stored fields of t.
 * *first_id is the id of the first record; ids are consecutive.
 */
#define SBX_FILL_MAX 256
typedef void (*sbx_fill_fn)(void *arg, long long index, char **vals, size_t nnames);
int sbx_record_insert_bulk(sbx_store *st, const sbx_otype *t, const char *const *names,
                           size_t nnames, long long n, sbx_fill_fn fill, void *arg,
                           long long *first_id, sbx_err *e);

/* Whether s is an address the sandbox accepts in an email field. */
int sbx_email_valid(const char *s);

#endif
