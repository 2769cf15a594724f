/*
 * record: generic record operations on any object type (contracts in sbx_store.h).
 *
 * Records leave the store as {field: "text" | null}: SQLite hands back every
 * column as text, so ids and timestamps come out as "8" and "1538502649", the
 * way Ontraport writes them (§1.7). SQL is built only from metadata names,
 * quoted; request values are always bound.
 */
#include "sbx_store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbx_json.h"
#include "util.h"
#include "banned.h"

static int oom(sbx_err *e)
{
	return sbx_err_set(e, 500, "Internal Server Error: out of memory");
}

/* Undo appends to b back to length mark. */
static void truncate_to(util_buf *b, size_t mark)
{
	b->len = mark;
	if (b->data)
		b->data[mark] = '\0';
	b->overflow = b->oom = 0;
}

static int domain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c >= 0x80;
}

int sbx_email_valid(const char *s)
{
	const char *at = strrchr(s, '@'), *p, *dot = NULL;
	size_t len = strlen(s);

	if (!at || at == s || len > 254 || (size_t)(at - s) > 64)
		return 0;
	for (p = s; p < at; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c == 0x7f || strchr("\"(),:;<>@[\\]", c))
			return 0;
	}
	if (s[0] == '.' || at[-1] == '.' || strstr(s, ".."))
		return 0;
	/* Domain: labels of letters, digits, '-' (and UTF-8 for IDNs) joined by single dots,
	 * at least two labels, none empty or starting/ending with '-'. */
	for (p = at + 1; *p; p++) {
		if (*p == '.') {
			if (p == at + 1 || p[-1] == '.' || p[-1] == '-' || p[1] == '-')
				return 0;
			dot = p;
		} else if (!domain_char((unsigned char)*p)) {
			return 0;
		}
	}
	return dot && dot[1] && p[-1] != '-' && at[1] != '-';
}

/* ---- values ---- */

typedef struct val {
	const char *s; /* NULL = SQL NULL */
	char num[40];  /* storage for converted numbers */
	int set;       /* 1 sent, 2 default, 3 timestamp */
} val;

/* The text of a JSON value sent for field f; 400 for arrays/objects, 422 for bad emails. */
static int to_text(const sbx_field *f, json_t *v, val *out, sbx_err *e)
{
	char shown[80];

	if (json_is_null(v)) {
		out->s = NULL;
	} else if (json_is_string(v)) {
		out->s = json_string_value(v);
	} else if (json_is_integer(v)) {
		snprintf(out->num, sizeof out->num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		out->s = out->num;
	} else if (json_is_real(v)) {
		snprintf(out->num, sizeof out->num, "%.15g", json_real_value(v));
		out->s = out->num;
	} else if (json_is_boolean(v)) {
		out->s = json_is_true(v) ? "1" : "0";
	} else {
		return sbx_err_set(
		    e, 400, "Invalid value for field '%s': expected a string or number", f->name);
	}
	if (f->type == SBX_FT_EMAIL && out->s && *out->s && !sbx_email_valid(out->s))
		return sbx_err_set(e, 422, "Invalid email address '%s' in field '%s'",
		                   sbx_clip(out->s, shown, sizeof shown), f->name);
	return 0;
}

static void bind_val(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* Whether the client may write f through this call. */
static int writable(const sbx_field *f, unsigned flags)
{
	return f && f->stored && ((f->flags & SBX_F_EDITABLE) || (flags & SBX_REC_RAW));
}

static int blank(json_t *v)
{
	return json_is_string(v) && json_string_length(v) == 0;
}

/* ---- reading ---- */

/* Whether column i of the row is left out: NULL in a field marked SBX_F_OMIT_NULL. */
static int omitted(const sbx_otype *t, sqlite3_stmt *s, int i)
{
	const sbx_field *f;

	if (!t->omit_null || sqlite3_column_type(s, i) != SQLITE_NULL)
		return 0;
	f = sbx_otype_field(t, sqlite3_column_name(s, i));
	return f && (f->flags & SBX_F_OMIT_NULL);
}

/* The current row of s as {column: text | null}. */
static json_t *row_json(const sbx_otype *t, sqlite3_stmt *s)
{
	json_t *o = json_object();
	int i, n = sqlite3_column_count(s);

	for (i = 0; o && i < n; i++) {
		json_t *v;
		if (omitted(t, s, i))
			continue;
		if (sqlite3_column_type(s, i) == SQLITE_NULL) {
			v = json_null();
		} else {
			const char *txt = (const char *)sqlite3_column_text(s, i);
			v = json_stringn(txt ? txt : "", (size_t)sqlite3_column_bytes(s, i));
		}
		/* Column names are metadata field names, already checked identifiers. */
		if (!v || json_object_set_new_nocheck(o, sqlite3_column_name(s, i), v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* Append the current row of s to b as a JSON object {column: "text" | null}. */
static int row_text(const sbx_otype *t, sqlite3_stmt *s, util_buf *b)
{
	int i, n = sqlite3_column_count(s), first = 1;

	util_buf_putc(b, '{');
	for (i = 0; i < n; i++) {
		if (omitted(t, s, i))
			continue;
		if (!first)
			util_buf_putc(b, ',');
		first = 0;
		/* Column names are metadata field names: identifiers, nothing to escape. */
		util_buf_putc(b, '"');
		util_buf_puts(b, sqlite3_column_name(s, i));
		util_buf_puts(b, "\":");
		if (sqlite3_column_type(s, i) == SQLITE_NULL) {
			util_buf_puts(b, "null");
		} else {
			const char *txt = (const char *)sqlite3_column_text(s, i);
			sbx_json_put_string(b, txt ? txt : "", (size_t)sqlite3_column_bytes(s, i));
		}
	}
	util_buf_putc(b, '}');
	return util_buf_failed(b) ? -1 : 0;
}

/* SELECT of the id and `fields` (or everything when fields names none of t's columns). */
static int build_select(util_buf *b, const sbx_otype *t, json_t *fields)
{
	size_t i, n = 0;
	json_t *name;

	if (fields) {
		util_buf_puts(b, "SELECT ");
		json_array_foreach(fields, i, name)
		{
			const char *s = json_string_value(name);
			if (!s || !sbx_otype_has_column(t, s))
				continue;
			if (n++)
				util_buf_putc(b, ',');
			sbx_sql_ident(b, s);
		}
		if (n) {
			util_buf_puts(b, " FROM ");
			sbx_sql_ident(b, t->table);
			return util_buf_failed(b) ? -1 : 0;
		}
		util_buf_clear(b);
	}
	util_buf_puts(b, t->sql_select);
	return util_buf_failed(b) ? -1 : 0;
}

/* One record into *jout (jansson) or appended to tout (text). */
static int get_row(sbx_store *st, const sbx_otype *t, long long id, json_t *fields, json_t **jout,
                   util_buf *tout, sbx_err *e)
{
	util_buf sql = UTIL_BUF_INIT;
	sqlite3_stmt *s;
	size_t mark = tout ? tout->len : 0;
	int rc, ok;

	if (!fields) {
		s = sbx_store_prepare(st, t->sql_get, e);
	} else if (build_select(&sql, t, fields) < 0 || util_buf_puts(&sql, " WHERE ") < 0 ||
	           sbx_sql_ident(&sql, t->id_field) < 0 || util_buf_puts(&sql, "=?") < 0) {
		util_buf_release(&sql);
		return oom(e);
	} else {
		s = sbx_store_prepare(st, sql.data, e);
	}
	util_buf_release(&sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (jout)
			ok = (*jout = row_json(t, s)) != NULL;
		else if (!(ok = row_text(t, s, tout) == 0))
			truncate_to(tout, mark);
		sbx_store_done(st, s);
		return ok ? 0 : oom(e);
	}
	sbx_store_done(st, s);
	if (rc != SQLITE_DONE)
		return sbx_store__sqlerr(st, e, "get");
	return sbx_err_set(e, 404, "Object not found: no %s with id %lld", t->name, id);
}

int sbx_record_get(sbx_store *st, const sbx_otype *t, long long id, json_t *fields, json_t **out,
                   sbx_err *e)
{
	*out = NULL;
	return get_row(st, t, id, fields, out, NULL, e);
}

int sbx_record_get_text(sbx_store *st, const sbx_otype *t, long long id, json_t *fields,
                        util_buf *out, sbx_err *e)
{
	return get_row(st, t, id, fields, NULL, out, e);
}

/* " WHERE ..." for q's id filter and condition. */
static void build_where(util_buf *b, const sbx_otype *t, const sbx_query *q)
{
	int n = 0;

	if (q->nids) {
		util_buf_puts(b, " WHERE ");
		sbx_sql_ident(b, t->id_field);
		util_buf_puts(b, " IN (SELECT value FROM json_each(?))");
		n++;
	}
	if (q->where && *q->where) {
		util_buf_puts(b, n ? " AND (" : " WHERE (");
		util_buf_puts(b, q->where);
		util_buf_putc(b, ')');
	}
}

/* Bind what build_where() asked for, from parameter 1; returns the next index or -1. */
static int bind_where(sqlite3_stmt *s, const sbx_query *q, sbx_err *e)
{
	int i = 1;
	size_t k;

	if (q->nids) {
		util_buf ids = UTIL_BUF_INIT;
		util_buf_putc(&ids, '[');
		for (k = 0; k < q->nids; k++)
			util_buf_printf(&ids, k ? ",%lld" : "%lld", q->ids[k]);
		util_buf_putc(&ids, ']');
		if (util_buf_failed(&ids)) {
			util_buf_release(&ids);
			return oom(e);
		}
		sqlite3_bind_text(s, i++, ids.data, (int)ids.len, SQLITE_TRANSIENT);
		util_buf_release(&ids);
	}
	if (q->where && *q->where && q->where_args) {
		json_t *v;
		json_array_foreach(q->where_args, k, v)
		{
			if (json_is_string(v))
				sqlite3_bind_text(s, i, json_string_value(v),
				                  (int)json_string_length(v), SQLITE_TRANSIENT);
			else if (json_is_integer(v))
				sqlite3_bind_int64(s, i, json_integer_value(v));
			else if (json_is_real(v))
				sqlite3_bind_double(s, i, json_real_value(v));
			else if (json_is_boolean(v))
				sqlite3_bind_int(s, i, json_is_true(v));
			else
				sqlite3_bind_null(s, i);
			i++;
		}
	}
	return i;
}

/* A page of records into *jout (jansson array) or appended to tout (text). */
static int list_rows(sbx_store *st, const sbx_otype *t, const sbx_query *q, json_t **jout,
                     util_buf *tout, sbx_err *e)
{
	util_buf sql = UTIL_BUF_INIT;
	const char *sort = q->sort ? q->sort : t->id_field;
	const char *dir = q->desc ? " DESC" : " ASC";
	size_t mark = tout ? tout->len : 0, n = 0;
	sqlite3_stmt *s;
	json_t *arr = NULL;
	int i, rc = SQLITE_DONE, ok = 1;

	if (!sbx_otype_has_column(t, sort)) {
		char shown[80];
		return sbx_err_set(e, 400, "Invalid sort '%s': no such field for %s",
		                   sbx_clip(sort, shown, sizeof shown), t->name);
	}
	build_select(&sql, t, q->fields);
	build_where(&sql, t, q);
	util_buf_puts(&sql, " ORDER BY ");
	sbx_sql_ident(&sql, sort);
	util_buf_puts(&sql, dir);
	if (strcmp(sort, t->id_field)) {
		/* Ties keep a stable order, so paging through them neither skips nor repeats. */
		util_buf_putc(&sql, ',');
		sbx_sql_ident(&sql, t->id_field);
	}
	if (q->range > 0)
		util_buf_puts(&sql, " LIMIT ? OFFSET ?");
	if (util_buf_failed(&sql)) {
		util_buf_release(&sql);
		return oom(e);
	}
	s = sbx_store_prepare(st, sql.data, e);
	util_buf_release(&sql);
	if (!s)
		return -1;
	if ((i = bind_where(s, q, e)) < 0) {
		sbx_store_done(st, s);
		return -1;
	}
	if (q->range > 0) {
		sqlite3_bind_int64(s, i, q->range);
		sqlite3_bind_int64(s, i + 1, q->start > 0 ? q->start : 0);
	}
	if (jout)
		ok = (arr = json_array()) != NULL;
	else
		util_buf_putc(tout, '[');
	while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (arr) {
			json_t *row = row_json(t, s);
			ok = row && json_array_append_new(arr, row) == 0;
		} else {
			if (n++)
				util_buf_putc(tout, ',');
			ok = row_text(t, s, tout) == 0;
		}
	}
	sbx_store_done(st, s);
	if (tout)
		ok = ok && util_buf_putc(tout, ']') == 0;
	if (!ok || rc != SQLITE_DONE) {
		json_decref(arr);
		if (tout)
			truncate_to(tout, mark);
		return !ok ? oom(e) : sbx_store__sqlerr(st, e, "list");
	}
	if (jout)
		*jout = arr;
	return 0;
}

int sbx_record_list(sbx_store *st, const sbx_otype *t, const sbx_query *q, json_t **out, sbx_err *e)
{
	*out = NULL;
	return list_rows(st, t, q, out, NULL, e);
}

int sbx_record_list_text(sbx_store *st, const sbx_otype *t, const sbx_query *q, util_buf *out,
                         sbx_err *e)
{
	return list_rows(st, t, q, NULL, out, e);
}

/*
 * Prepare and bind "<head> <table> WHERE ... [ORDER BY <id>]" for what q
 * selects (count, delete, ids). NULL with e set on failure.
 */
static sqlite3_stmt *prepare_where(sbx_store *st, const sbx_otype *t, const sbx_query *q,
                                   const char *head, int by_id, sbx_err *e)
{
	util_buf sql = UTIL_BUF_INIT;
	sqlite3_stmt *s;

	util_buf_puts(&sql, head);
	sbx_sql_ident(&sql, t->table);
	build_where(&sql, t, q);
	if (by_id) {
		util_buf_puts(&sql, " ORDER BY ");
		sbx_sql_ident(&sql, t->id_field);
	}
	if (util_buf_failed(&sql)) {
		util_buf_release(&sql);
		oom(e);
		return NULL;
	}
	s = sbx_store_prepare(st, sql.data, e);
	util_buf_release(&sql);
	if (s && bind_where(s, q, e) < 0) {
		sbx_store_done(st, s);
		return NULL;
	}
	return s;
}

/* Run "<head> FROM t WHERE ..." for count/delete; *n = count(*) or changes. */
static int run_where(sbx_store *st, const sbx_otype *t, const sbx_query *q, const char *head,
                     int is_count, long long *n, sbx_err *e)
{
	sqlite3_stmt *s = prepare_where(st, t, q, head, 0, e);
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (is_count && rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else if (!is_count && rc == SQLITE_DONE)
		*n = sqlite3_changes64(st->db);
	sbx_store_done(st, s);
	if (rc != (is_count ? SQLITE_ROW : SQLITE_DONE))
		return sbx_store__sqlerr(st, e, is_count ? "count" : "delete");
	return 0;
}

int sbx_record_count(sbx_store *st, const sbx_otype *t, const sbx_query *q, long long *out,
                     sbx_err *e)
{
	return run_where(st, t, q, "SELECT count(*) FROM ", 1, out, e);
}

int sbx_record_delete_where(sbx_store *st, const sbx_otype *t, const sbx_query *q, long long *n,
                            sbx_err *e)
{
	return run_where(st, t, q, "DELETE FROM ", 0, n, e);
}

int sbx_record_ids(sbx_store *st, const sbx_otype *t, const sbx_query *q, long long **out,
                   size_t *n, sbx_err *e)
{
	util_buf head = UTIL_BUF_INIT;
	sqlite3_stmt *s;
	long long *v = NULL;
	size_t len = 0, alloc = 0;
	int rc;

	*out = NULL;
	*n = 0;
	util_buf_puts(&head, "SELECT ");
	sbx_sql_ident(&head, t->id_field);
	util_buf_puts(&head, " FROM ");
	if (util_buf_failed(&head)) {
		util_buf_release(&head);
		return oom(e);
	}
	s = prepare_where(st, t, q, head.data, 1, e);
	util_buf_release(&head);
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			long long *nv = realloc(v, na * sizeof *v);
			if (!nv) {
				sbx_store_done(st, s);
				free(v);
				return oom(e);
			}
			v = nv;
			alloc = na;
		}
		v[len++] = sqlite3_column_int64(s, 0);
	}
	sbx_store_done(st, s);
	if (rc != SQLITE_DONE) {
		free(v);
		return sbx_store__sqlerr(st, e, "ids");
	}
	*out = v;
	*n = len;
	return 0;
}

int sbx_record_delete(sbx_store *st, const sbx_otype *t, long long id, sbx_err *e)
{
	sbx_query q = {0};
	long long n = 0;

	q.ids = &id;
	q.nids = 1;
	if (sbx_record_delete_where(st, t, &q, &n, e) < 0)
		return -1;
	if (!n)
		return sbx_err_set(e, 404, "Object not found: no %s with id %lld", t->name, id);
	return 0;
}

/* ---- writing ---- */

static void now_text(char *out, size_t outsz)
{
	snprintf(out, outsz, "%lld", (long long)time(NULL));
}

static json_t *text_json(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The create reply: fields sent (in order), then defaulted ones, then the id, then owner. */
static json_t *make_echo(const sbx_otype *t, const val *vals, const size_t *sent, size_t nsent,
                         long long id)
{
	json_t *o = json_object();
	const sbx_field *owner = sbx_otype_field(t, "owner");
	char idtext[32];
	size_t i;

	if (!o)
		return NULL;
	for (i = 0; i < nsent; i++)
		if (&t->fields[sent[i]] != owner)
			json_object_set_new(o, t->fields[sent[i]].name, text_json(vals[sent[i]].s));
	for (i = 0; i < t->nfields; i++)
		if (vals[i].set == 2 && &t->fields[i] != owner)
			json_object_set_new(o, t->fields[i].name, text_json(vals[i].s));
	snprintf(idtext, sizeof idtext, "%lld", id);
	json_object_set_new(o, t->id_field, json_string(idtext));
	if (owner)
		json_object_set_new(o, "owner", text_json(vals[owner - t->fields].s));
	return o;
}

int sbx_record_insert(sbx_store *st, const sbx_otype *t, json_t *values, unsigned flags,
                      long long *id_out, json_t **echo_out, sbx_err *e)
{
	val *vals = calloc(t->nfields ? t->nfields : 1, sizeof *vals);
	size_t *sent = calloc(t->nfields ? t->nfields : 1, sizeof *sent);
	size_t nsent = 0, i;
	char now[32];
	const char *key;
	json_t *v;
	sqlite3_stmt *s = NULL;
	int rc = -1, col = 1;

	if (echo_out)
		*echo_out = NULL;
	if (!vals || !sent) {
		oom(e);
		goto out;
	}
	json_object_foreach(values, key, v)
	{
		const sbx_field *f = sbx_otype_field(t, key);
		size_t k;
		if (!writable(f, flags) || ((flags & SBX_REC_IGNORE_BLANKS) && blank(v)))
			continue; /* unknown or read-only fields are ignored, as Ontraport does */
		k = (size_t)(f - t->fields);
		if (to_text(f, v, &vals[k], e) < 0)
			goto out;
		vals[k].set = 1;
		sent[nsent++] = k;
	}
	now_text(now, sizeof now);
	for (i = 0; i < t->nfields; i++) {
		const sbx_field *f = &t->fields[i];
		if (vals[i].set || !f->stored)
			continue;
		if (f->flags & (SBX_F_CREATED | SBX_F_MODIFIED)) {
			vals[i].s = now;
			vals[i].set = 3;
		} else if (f->dflt) {
			vals[i].s = f->dflt;
			vals[i].set = 2;
		} else if (f->flags & SBX_F_REQUIRED) {
			sbx_err_set(e, 400, "Missing required field '%s'", f->name);
			goto out;
		}
	}
	s = sbx_store_prepare(st, t->sql_insert, e);
	if (!s)
		goto out;
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].stored)
			bind_val(s, col++, vals[i].s);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sbx_store__sqlerr(st, e, "insert");
		goto out;
	}
	*id_out = sqlite3_last_insert_rowid(st->db);
	if (echo_out && !(*echo_out = make_echo(t, vals, sent, nsent, *id_out))) {
		oom(e);
		goto out;
	}
	rc = 0;
out:
	sbx_store_done(st, s);
	free(vals);
	free(sent);
	return rc;
}

static int same(json_t *old, const char *s)
{
	if (!s)
		return !old || json_is_null(old);
	return json_is_string(old) && !strcmp(json_string_value(old), s);
}

int sbx_record_update(sbx_store *st, const sbx_otype *t, long long id, json_t *values,
                      unsigned flags, json_t **attrs_out, sbx_err *e)
{
	val *vals = calloc(t->nfields ? t->nfields : 1, sizeof *vals);
	size_t *changed = calloc(t->nfields ? t->nfields : 1, sizeof *changed);
	size_t nchanged = 0, i;
	util_buf sql = UTIL_BUF_INIT;
	json_t *old = NULL, *attrs = NULL, *v;
	const char *key;
	char now[32], idtext[32];
	sqlite3_stmt *s = NULL;
	int rc = -1, col = 1;

	if (attrs_out)
		*attrs_out = NULL;
	if (!vals || !changed) {
		oom(e);
		goto out;
	}
	if (sbx_record_get(st, t, id, NULL, &old, e) < 0)
		goto out;
	json_object_foreach(values, key, v)
	{
		const sbx_field *f = sbx_otype_field(t, key);
		size_t k;
		if (!writable(f, flags) || ((flags & SBX_REC_IGNORE_BLANKS) && blank(v)))
			continue;
		k = (size_t)(f - t->fields);
		if (to_text(f, v, &vals[k], e) < 0)
			goto out;
		if (same(json_object_get(old, f->name), vals[k].s))
			continue;
		vals[k].set = 1;
		changed[nchanged++] = k;
	}
	attrs = json_object();
	if (!attrs) {
		oom(e);
		goto out;
	}
	for (i = 0; i < nchanged; i++)
		json_object_set_new(attrs, t->fields[changed[i]].name,
		                    text_json(vals[changed[i]].s));
	if (nchanged) {
		now_text(now, sizeof now);
		util_buf_puts(&sql, "UPDATE ");
		sbx_sql_ident(&sql, t->table);
		util_buf_puts(&sql, " SET ");
		for (i = 0; i < t->nfields; i++) {
			const sbx_field *f = &t->fields[i];
			if (!vals[i].set && f->stored && (f->flags & SBX_F_MODIFIED)) {
				vals[i].s = now;
				vals[i].set = 3;
				json_object_set_new(attrs, f->name, json_string(now));
			}
			if (!vals[i].set)
				continue;
			if (col++ > 1)
				util_buf_putc(&sql, ',');
			sbx_sql_ident(&sql, f->name);
			util_buf_puts(&sql, "=?");
		}
		util_buf_puts(&sql, " WHERE ");
		sbx_sql_ident(&sql, t->id_field);
		util_buf_puts(&sql, "=?");
		if (util_buf_failed(&sql)) {
			oom(e);
			goto out;
		}
		s = sbx_store_prepare(st, sql.data, e);
		if (!s)
			goto out;
		col = 1;
		for (i = 0; i < t->nfields; i++)
			if (vals[i].set)
				bind_val(s, col++, vals[i].s);
		sqlite3_bind_int64(s, col, id);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sbx_store__sqlerr(st, e, "update");
			goto out;
		}
	}
	snprintf(idtext, sizeof idtext, "%lld", id);
	json_object_set_new(attrs, t->id_field, json_string(idtext));
	if (attrs_out) {
		*attrs_out = attrs;
		attrs = NULL;
	}
	rc = 0;
out:
	sbx_store_done(st, s);
	util_buf_release(&sql);
	json_decref(old);
	json_decref(attrs);
	free(vals);
	free(changed);
	return rc;
}

int sbx_record_insert_bulk(sbx_store *st, const sbx_otype *t, const char *const *names,
                           size_t nnames, long long n, sbx_fill_fn fill, void *arg,
                           long long *first_id, sbx_err *e)
{
	util_buf sql = UTIL_BUF_INIT, marks = UTIL_BUF_INIT;
	char **bufs = NULL, now[32];
	const char **fixed = NULL; /* per field: default or timestamp text, NULL = not set */
	unsigned char *given = NULL;
	sqlite3_stmt *s = NULL;
	size_t i, ncols = 0;
	long long k;
	int rc = -1, began = 0;

	*first_id = 0;
	given = calloc(t->nfields + 1, 1);
	fixed = calloc(t->nfields + 1, sizeof *fixed);
	bufs = calloc(nnames + 1, sizeof *bufs);
	if (!given || !fixed || !bufs)
		goto nomem;
	for (i = 0; i < nnames; i++) {
		const sbx_field *f = sbx_otype_field(t, names[i]);
		if (!f || !f->stored) {
			sbx_err_set(e, 400, "Unknown field '%s' for %s", names[i], t->name);
			goto out;
		}
		given[f - t->fields] = 1;
		if (!(bufs[i] = malloc(SBX_FILL_MAX)))
			goto nomem;
	}
	now_text(now, sizeof now);
	util_buf_puts(&sql, "INSERT INTO ");
	sbx_sql_ident(&sql, t->table);
	util_buf_puts(&sql, " (");
	for (i = 0; i < nnames; i++) {
		sbx_sql_ident(&sql, names[i]);
		util_buf_puts(&sql, ",");
		util_buf_puts(&marks, "?,");
		ncols++;
	}
	for (i = 0; i < t->nfields; i++) {
		const sbx_field *f = &t->fields[i];
		if (given[i] || !f->stored)
			continue;
		fixed[i] = (f->flags & (SBX_F_CREATED | SBX_F_MODIFIED)) ? now : f->dflt;
		if (!fixed[i])
			continue;
		sbx_sql_ident(&sql, f->name);
		util_buf_puts(&sql, ",");
		util_buf_puts(&marks, "?,");
		ncols++;
	}
	if (!ncols) {
		sbx_err_set(e, 400, "Nothing to insert");
		goto out;
	}
	sql.data[--sql.len] = '\0'; /* drop the trailing commas */
	marks.data[--marks.len] = '\0';
	util_buf_puts(&sql, ") VALUES (");
	util_buf_puts(&sql, marks.data);
	util_buf_putc(&sql, ')');
	if (util_buf_failed(&sql) || util_buf_failed(&marks))
		goto nomem;
	if (sbx_store_begin(st, e) < 0)
		goto out;
	began = 1;
	s = sbx_store_prepare(st, sql.data, e);
	if (!s)
		goto out;
	for (k = 0; k < n; k++) {
		int col = 1;
		for (i = 0; i < nnames; i++)
			bufs[i][0] = '\0';
		fill(arg, k, bufs, nnames);
		for (i = 0; i < nnames; i++) {
			bufs[i][SBX_FILL_MAX - 1] = '\0';
			sqlite3_bind_text(s, col++, bufs[i], -1, SQLITE_STATIC);
		}
		for (i = 0; i < t->nfields; i++)
			if (fixed[i])
				sqlite3_bind_text(s, col++, fixed[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sbx_store__sqlerr(st, e, "bulk insert");
			goto out;
		}
		sqlite3_reset(s);
		if (k == 0)
			*first_id = sqlite3_last_insert_rowid(st->db);
	}
	sbx_store_done(st, s);
	s = NULL;
	rc = sbx_store_commit(st, e);
	began = 0;
	goto out;
nomem:
	oom(e);
out:
	sbx_store_done(st, s);
	if (began)
		sbx_store_rollback(st);
	for (i = 0; bufs && i < nnames; i++)
		free(bufs[i]);
	free(bufs);
	free(fixed);
	free(given);
	util_buf_release(&sql);
	util_buf_release(&marks);
	return rc;
}
