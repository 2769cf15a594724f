/*
 * sbx_criteria: which records a collection call selects (reference §3.1, §4).
 *
 * Two layers:
 *   - compilers that do no I/O and touch no data: a `condition` (the JSON
 *     array of §4, or a legacy SQL-like string) or a `search` text becomes an
 *     SQL boolean expression plus the values for its '?' placeholders. SQL is
 *     built only from the type's metadata names (quoted); request text only
 *     ever travels as a bound value;
 *   - sbx_call_select(), which reads every collection parameter of a call
 *     (ids, condition, search, searchNotes, performAll, group_id, externs and,
 *     for pages, start/range/sort/sortDir/listFields) into an sbx_select whose
 *     `q` the sbx_record_* functions take.
 *
 * Condition semantics (docs/sandbox.md has the table):
 *   =  <>  >  <  >=  <=  compare (numbers as numbers in numeric columns)
 *   LIKE                 SQL wildcards % and _, case-insensitive (ASCII)
 *   IN / NOT IN          {"list":[{"value":v},...]}; "=" with a list is IN
 *   IS "NULL"            null or empty; also {"value":null}; "= null" likewise
 *   IS NOT EMPTY         not null and not empty (observed; no value)
 *   AND binds tighter than OR, as in SQL; clauses are a flat list.
 * Every error is a 400 whose one line starts "Invalid condition: ".
 */
#ifndef SBX_CRITERIA_H
#define SBX_CRITERIA_H

#include <jansson.h>

#include "util.h"
#include "sbx_call.h"
#include "sbx_store.h"

#define SBX_CRITERIA_MAX_CLAUSES 500 /* clauses in one condition */
#define SBX_CRITERIA_MAX_LIST 10000  /* values in one IN list */
#define SBX_CRITERIA_MAX_TEXT 65536  /* bytes of a legacy string condition */
/* Bytes of one LIKE pattern: SQLite's SQLITE_MAX_LIKE_PATTERN_LENGTH, which
 * sqlite3_limit cannot raise. A search's pattern is its text with %, _ and \
 * escaped (two bytes each) between two %. */
#define SBX_CRITERIA_MAX_LIKE 50000

/*
 * Append the SQL for `condition` on type t to `where` (a parenthesised
 * boolean expression; nothing when the condition is an empty array) and its
 * values to `args` (a JSON array). condition is a JSON array, or a JSON
 * string holding a legacy condition (sbx_criteria_parse_legacy). Returns 0,
 * or -1 with e set to a 400 (and where/args as they were).
 */
int sbx_criteria_condition(const sbx_otype *t, json_t *condition, util_buf *where, json_t *args,
                           sbx_err *e);

/*
 * The same for `search`: a case-insensitive substring match over t's text
 * fields (text, longtext, email, phone, sms, address, url, state, country).
 * A blank text selects everything and appends nothing.
 */
int sbx_criteria_search(const sbx_otype *t, const char *text, util_buf *where, json_t *args,
                        sbx_err *e);

/*
 * Parse a legacy string condition -- `field op value` clauses joined by AND /
 * OR, e.g. `email like '%@foo.com' AND status IN (6, 7)`, `f1 IS NOT NULL` --
 * into the JSON form (*out new). Values are 'quoted' ('' or \' for a quote),
 * "quoted" or numbers. 400 on anything else.
 */
int sbx_criteria_parse_legacy(const char *text, json_t **out, sbx_err *e);

/* ---- a call's selection ---- */

typedef struct sbx_select {
	sbx_query q;     /* hand this to sbx_record_*; it points into the members below */
	sbx_ids ids;     /* the ids parameter */
	json_t *fields;  /* listFields, or NULL */
	json_t *externs; /* externs ("parent//child" strings, SBX_SEL_PAGE), or NULL */
	util_buf where;  /* condition, search and extra clauses, ANDed */
	json_t *args;    /* their values */
	int all;         /* performAll was given (ids are then ignored) */
	int narrowed;    /* ids, a condition or a search was given */
} sbx_select;

#define SBX_SEL_PAGE 0x1u  /* also read start, range (<= 50), sort, sortDir, listFields, externs */
#define SBX_EXTERNS_MAX 50 /* externs in one call */

/*
 * Read the collection parameters of c for type t into s (which must then be
 * released, whatever the result). -1 when the call has been answered (400).
 * group_id/group_ids select the members of saved groups (type 3: the records
 * of the group's object type its stored condition selects, any of the groups
 * given; 0 means none); an unknown group or one of another type is 400.
 * searchNotes is accepted (it adds nothing).
 */
int sbx_call_select(sbx_call *c, const sbx_otype *t, unsigned flags, sbx_select *s);

/* AND one more clause (SQL built by the caller from metadata names) with its
 * one value (stolen; NULL for none). -1 when out of memory. */
int sbx_select_and(sbx_select *s, const char *sql, json_t *arg);

void sbx_select_release(sbx_select *s);

#endif
