/*
 * meta: object types and fields -- the metadata tables, their in-memory copy,
 * and the DDL that declares a type or adds a field.
 *
 * Identifiers that reach SQL (table, id field, field names) are checked against
 * [A-Za-z_][A-Za-z0-9_]{0,63} when declared and always quoted, so no text from
 * a request can ever become SQL.
 */
#include "sbx_store_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

static const char *const ftype_names[SBX_FT_COUNT_] = {
    "text",    "longtext", "email",        "phone",      "sms",       "numeric", "price",
    "check",   "drop",     "list",         "fulldate",   "timestamp", "country", "state",
    "address", "parent",   "subscription", "mergefield", "url",
};

const char *sbx_ftype_name(sbx_ftype t)
{
	return (unsigned)t < SBX_FT_COUNT_ ? ftype_names[t] : NULL;
}

int sbx_ftype_parse(const char *s)
{
	int i;

	for (i = 0; s && i < SBX_FT_COUNT_; i++)
		if (!strcmp(ftype_names[i], s))
			return i;
	return -1;
}

/* The SQLite column type: numbers compare (and index) as numbers, the rest as text. */
static const char *column_affinity(sbx_ftype t)
{
	switch (t) {
	case SBX_FT_CHECK:
	case SBX_FT_DROP:
	case SBX_FT_FULLDATE:
	case SBX_FT_TIMESTAMP:
	case SBX_FT_PARENT:
		return "INTEGER";
	case SBX_FT_NUMERIC:
	case SBX_FT_PRICE:
		return "NUMERIC";
	default:
		return "TEXT";
	}
}

static int ident_ok(const char *s)
{
	size_t i;

	if (!s || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; s[i]; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_') || i >= 64)
			return 0;
	return 1;
}

int sbx_meta__create_schema(sbx_store *st, sbx_err *e)
{
	static const char ddl[] =
	    "CREATE TABLE sbx_meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	    "CREATE TABLE sbx_object_types ("
	    " id INTEGER PRIMARY KEY,"              /* object type id (§2) */
	    " name TEXT NOT NULL,"                  /* meta name: Contact, SmartFormFE */
	    " singular TEXT COLLATE NOCASE UNIQUE," /* endpoint /Contact */
	    " plural TEXT COLLATE NOCASE UNIQUE,"   /* endpoint /Contacts */
	    " table_name TEXT NOT NULL UNIQUE,"
	    " id_field TEXT NOT NULL DEFAULT 'id',"
	    " access TEXT NOT NULL," /* verbs, e.g. 'GET POST PUT DELETE' */
	    " custom INTEGER NOT NULL DEFAULT 0,"
	    " list_fields TEXT);" /* getInfo default listFields, comma-separated */
	    "CREATE TABLE sbx_fields ("
	    " type_id INTEGER NOT NULL,"
	    " pos INTEGER NOT NULL," /* display order */
	    " name TEXT NOT NULL,"
	    " alias TEXT NOT NULL,"
	    " type TEXT NOT NULL," /* §1.7: text, email, drop, ... */
	    " required INTEGER NOT NULL DEFAULT 0,"
	    " \"unique\" INTEGER NOT NULL DEFAULT 0,"
	    " editable INTEGER NOT NULL DEFAULT 1,"
	    " deletable INTEGER NOT NULL DEFAULT 0,"
	    " indexed INTEGER NOT NULL DEFAULT 0,"
	    " auto TEXT,"    /* 'created' | 'modified' | NULL */
	    " options TEXT," /* JSON object (drop/list) */
	    " parent_object INTEGER,"
	    " dflt TEXT,"
	    " section TEXT,"
	    " omit_null INTEGER NOT NULL DEFAULT 0," /* left out of records while NULL */
	    " PRIMARY KEY (type_id, name)) WITHOUT ROWID;"
	    "CREATE TABLE sbx_sections (" /* the field editor's sections (api/fieldeditor.c) */
	    " type_id INTEGER NOT NULL,"
	    " id INTEGER NOT NULL,"
	    " name TEXT NOT NULL COLLATE NOCASE,"
	    " description TEXT,"
	    " PRIMARY KEY (type_id, id)) WITHOUT ROWID;"
	    "CREATE TABLE sbx_field_layout (" /* a field's id, section and column there */
	    " type_id INTEGER NOT NULL,"
	    " name TEXT NOT NULL,"
	    " fid INTEGER NOT NULL,"
	    " section_id INTEGER NOT NULL,"
	    " col INTEGER NOT NULL,"
	    " PRIMARY KEY (type_id, name)) WITHOUT ROWID;";
	char ver[96];

	if (sbx_store_exec(st, ddl, e) < 0)
		return -1;
	snprintf(ver, sizeof ver, "INSERT INTO sbx_meta VALUES ('schema_version', '%d')",
	         SBX_SCHEMA_VERSION);
	return sbx_store_exec(st, ver, e);
}

/* ---- in-memory copy ---- */

static void free_type(sbx_otype *t)
{
	size_t i;

	for (i = 0; i < t->nfields; i++) {
		sbx_field *f = &t->fields[i];
		free(f->name);
		free(f->alias);
		json_decref(f->options);
		free(f->dflt);
		free(f->section);
	}
	free(t->fields);
	free(t->by_name);
	free(t->name);
	free(t->singular);
	free(t->plural);
	free(t->table);
	free(t->id_field);
	json_decref(t->list_fields);
	free(t->sql_select);
	free(t->sql_get);
	free(t->sql_insert);
	memset(t, 0, sizeof *t);
}

void sbx_meta__free(sbx_store *st)
{
	size_t i;

	for (i = 0; i < st->ntypes; i++)
		free_type(&st->types[i]);
	free(st->types);
	st->types = NULL;
	st->ntypes = 0;
}

static char *col_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? util_strdup((const char *)t) : NULL;
}

static unsigned parse_access(const char *s)
{
	unsigned a = 0;

	if (!s)
		return 0;
	if (strstr(s, "GET"))
		a |= SBX_ACC_GET;
	if (strstr(s, "POST"))
		a |= SBX_ACC_POST;
	if (strstr(s, "PUT"))
		a |= SBX_ACC_PUT;
	if (strstr(s, "DELETE"))
		a |= SBX_ACC_DELETE;
	return a;
}

static int cmp_field_ptr(const void *a, const void *b)
{
	return strcmp((*(sbx_field *const *)a)->name, (*(sbx_field *const *)b)->name);
}

/* Derive by_name and the cached SQL of a loaded type. */
static int finish_type(sbx_otype *t)
{
	util_buf sel = UTIL_BUF_INIT, ins = UTIL_BUF_INIT, vals = UTIL_BUF_INIT;
	size_t i, nstored = 0;

	t->by_name = malloc((t->nfields ? t->nfields : 1) * sizeof *t->by_name);
	if (!t->by_name)
		return -1;
	for (i = 0; i < t->nfields; i++)
		t->by_name[i] = &t->fields[i];
	qsort(t->by_name, t->nfields, sizeof *t->by_name, cmp_field_ptr);

	util_buf_puts(&sel, "SELECT ");
	sbx_sql_ident(&sel, t->id_field);
	util_buf_puts(&ins, "INSERT INTO ");
	sbx_sql_ident(&ins, t->table);
	util_buf_puts(&ins, " (");
	for (i = 0; i < t->nfields; i++) {
		if (!t->fields[i].stored)
			continue;
		util_buf_putc(&sel, ',');
		sbx_sql_ident(&sel, t->fields[i].name);
		if (nstored++) {
			util_buf_putc(&ins, ',');
			util_buf_putc(&vals, ',');
		}
		sbx_sql_ident(&ins, t->fields[i].name);
		util_buf_putc(&vals, '?');
	}
	util_buf_puts(&sel, " FROM ");
	sbx_sql_ident(&sel, t->table);
	if (nstored) {
		util_buf_puts(&ins, ") VALUES (");
		util_buf_puts(&ins, vals.data);
		util_buf_putc(&ins, ')');
	} else {
		util_buf_clear(&ins);
		util_buf_puts(&ins, "INSERT INTO ");
		sbx_sql_ident(&ins, t->table);
		util_buf_puts(&ins, " DEFAULT VALUES");
	}
	util_buf_release(&vals);
	if (util_buf_failed(&sel) || util_buf_failed(&ins)) {
		util_buf_release(&sel);
		util_buf_release(&ins);
		return -1;
	}
	t->sql_select = util_buf_detach(&sel);
	t->sql_insert = util_buf_detach(&ins);
	util_buf_puts(&sel, t->sql_select ? t->sql_select : "");
	util_buf_puts(&sel, " WHERE ");
	sbx_sql_ident(&sel, t->id_field);
	util_buf_puts(&sel, "=?");
	if (util_buf_failed(&sel)) {
		util_buf_release(&sel);
		return -1;
	}
	t->sql_get = util_buf_detach(&sel);
	return t->sql_select && t->sql_insert && t->sql_get ? 0 : -1;
}

static json_t *csv_to_array(const char *s)
{
	json_t *a = json_array();

	while (a && s && *s) {
		const char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		if (n)
			json_array_append_new(a, json_stringn(s, n));
		s = c ? c + 1 : NULL;
	}
	return a;
}

static int load_types(sbx_store *st, sbx_err *e)
{
	sqlite3_stmt *s;
	size_t alloc = 0;
	int rc;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT id,name,singular,plural,table_name,id_field,access,custom,"
	                       "list_fields FROM sbx_object_types ORDER BY id",
	                       -1, &s, NULL) != SQLITE_OK)
		return sbx_store__sqlerr(st, e, "load metadata");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sbx_otype *t;
		const char *access = (const char *)sqlite3_column_text(s, 6);
		if (st->ntypes == alloc) {
			size_t n = alloc ? alloc * 2 : 32;
			sbx_otype *p = realloc(st->types, n * sizeof *p);
			if (!p)
				break;
			st->types = p;
			alloc = n;
		}
		t = &st->types[st->ntypes++];
		memset(t, 0, sizeof *t);
		t->id = sqlite3_column_int64(s, 0);
		t->name = col_strdup(s, 1);
		t->singular = col_strdup(s, 2);
		t->plural = col_strdup(s, 3);
		t->table = col_strdup(s, 4);
		t->id_field = col_strdup(s, 5);
		t->access = parse_access(access);
		t->custom = sqlite3_column_int(s, 7);
		t->list_fields = csv_to_array((const char *)sqlite3_column_text(s, 8));
		if (!t->name || !t->table || !t->id_field || !t->list_fields)
			break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? sbx_err_set(e, 500, "out of memory")
		                        : sbx_store__sqlerr(st, e, "load metadata");
	return 0;
}

static int load_fields(sbx_store *st, sbx_err *e)
{
	sqlite3_stmt *s;
	sbx_otype *t = NULL;
	size_t alloc = 0;
	int rc;

	if (sqlite3_prepare_v2(
	        st->db,
	        "SELECT type_id,name,alias,type,required,\"unique\",editable,deletable,"
	        "indexed,auto,options,parent_object,dflt,section,omit_null FROM sbx_fields "
	        "ORDER BY type_id,pos",
	        -1, &s, NULL) != SQLITE_OK)
		return sbx_store__sqlerr(st, e, "load metadata");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long tid = sqlite3_column_int64(s, 0);
		const char *type = (const char *)sqlite3_column_text(s, 3);
		const char *autos = (const char *)sqlite3_column_text(s, 9);
		const char *opts = (const char *)sqlite3_column_text(s, 10);
		sbx_field *f;
		int ft;

		if (!t || t->id != tid) {
			t = (sbx_otype *)sbx_store_type(st, tid);
			alloc = 0;
			if (!t)
				continue; /* fields of a type that is gone */
		}
		if (t->nfields == alloc) {
			size_t n = alloc ? alloc * 2 : 16;
			sbx_field *p = realloc(t->fields, n * sizeof *p);
			if (!p)
				break;
			t->fields = p;
			alloc = n;
		}
		f = &t->fields[t->nfields++];
		memset(f, 0, sizeof *f);
		f->name = col_strdup(s, 1);
		f->alias = col_strdup(s, 2);
		ft = sbx_ftype_parse(type);
		f->type = ft < 0 ? SBX_FT_TEXT : (sbx_ftype)ft;
		f->flags = (sqlite3_column_int(s, 4) ? SBX_F_REQUIRED : 0) |
		           (sqlite3_column_int(s, 5) ? SBX_F_UNIQUE : 0) |
		           (sqlite3_column_int(s, 6) ? SBX_F_EDITABLE : 0) |
		           (sqlite3_column_int(s, 7) ? SBX_F_DELETABLE : 0) |
		           (sqlite3_column_int(s, 8) ? SBX_F_INDEXED : 0) |
		           (sqlite3_column_int(s, 14) ? SBX_F_OMIT_NULL : 0);
		if (f->flags & SBX_F_OMIT_NULL)
			t->omit_null = 1;
		if (autos && !strcmp(autos, "created"))
			f->flags |= SBX_F_CREATED;
		else if (autos && !strcmp(autos, "modified"))
			f->flags |= SBX_F_MODIFIED;
		f->options = opts ? json_loads(opts, 0, NULL) : NULL;
		f->parent_object =
		    sqlite3_column_type(s, 11) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 11);
		f->dflt = col_strdup(s, 12);
		f->section = col_strdup(s, 13);
		f->stored = f->type != SBX_FT_MERGEFIELD;
		if (!f->name || !f->alias)
			break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? sbx_err_set(e, 500, "out of memory")
		                        : sbx_store__sqlerr(st, e, "load metadata");
	return 0;
}

int sbx_meta__load(sbx_store *st, sbx_err *e)
{
	size_t i;

	sbx_store__flush_stmts(st);
	sbx_meta__free(st);
	if (load_types(st, e) < 0 || load_fields(st, e) < 0)
		goto fail;
	for (i = 0; i < st->ntypes; i++)
		if (finish_type(&st->types[i]) < 0) {
			sbx_err_set(e, 500, "out of memory");
			goto fail;
		}
	return 0;
fail:
	sbx_meta__free(st);
	return -1;
}

/* ---- lookups ---- */

size_t sbx_store_ntypes(const sbx_store *st)
{
	return st->ntypes;
}

const sbx_otype *sbx_store_type_at(const sbx_store *st, size_t i)
{
	return i < st->ntypes ? &st->types[i] : NULL;
}

const sbx_otype *sbx_store_type(const sbx_store *st, long long id)
{
	size_t lo = 0, hi = st->ntypes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->types[mid].id == id)
			return &st->types[mid];
		if (st->types[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const sbx_otype *sbx_store_type_by_name(const sbx_store *st, const char *name, size_t len,
                                        int plural)
{
	size_t i;

	for (i = 0; i < st->ntypes; i++) {
		const char *n = plural ? st->types[i].plural : st->types[i].singular;
		if (n && strlen(n) == len && util_strnieq(n, name, len))
			return &st->types[i];
	}
	return NULL;
}

static int cmp_key_field(const void *key, const void *elem)
{
	return strcmp(key, (*(sbx_field *const *)elem)->name);
}

const sbx_field *sbx_otype_field(const sbx_otype *t, const char *name)
{
	sbx_field *const *p;

	if (!t->by_name || !name)
		return NULL;
	p = bsearch(name, t->by_name, t->nfields, sizeof *t->by_name, cmp_key_field);
	return p ? *p : NULL;
}

int sbx_otype_has_column(const sbx_otype *t, const char *name)
{
	const sbx_field *f;

	if (!strcmp(name, t->id_field))
		return 1;
	f = sbx_otype_field(t, name);
	return f && f->stored;
}

/* ---- declaring types and fields ---- */

static int check_field_def(const sbx_field_def *f, sbx_err *e)
{
	if (!ident_ok(f->name))
		return sbx_err_set(e, 400, "Invalid field name '%s'", f->name ? f->name : "");
	if (!f->alias || !*f->alias)
		return sbx_err_set(e, 400, "Field '%s' needs an alias", f->name);
	if (!sbx_ftype_name(f->type))
		return sbx_err_set(e, 400, "Field '%s' has an unknown type", f->name);
	if (f->options) {
		json_t *o = json_loads(f->options, 0, NULL);
		int ok = json_is_object(o);
		json_decref(o);
		if (!ok)
			return sbx_err_set(e, 400, "Field '%s': options must be a JSON object",
			                   f->name);
	}
	return 0;
}

/* Bind text or NULL. */
static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* Insert the metadata row of one field and create its index. The column exists. */
static int insert_field_row(sbx_store *st, long long type_id, const char *table, int pos,
                            const sbx_field_def *f, sbx_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db,
	                       "INSERT INTO sbx_fields (type_id,pos,name,alias,type,required,"
	                       "\"unique\",editable,deletable,indexed,auto,options,parent_object,"
	                       "dflt,section,omit_null) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	                       -1, &s, NULL) != SQLITE_OK)
		return sbx_store__sqlerr(st, e, "add field");
	sqlite3_bind_int64(s, 1, type_id);
	sqlite3_bind_int(s, 2, pos);
	bind_text(s, 3, f->name);
	bind_text(s, 4, f->alias);
	bind_text(s, 5, sbx_ftype_name(f->type));
	sqlite3_bind_int(s, 6, !!(f->flags & SBX_F_REQUIRED));
	sqlite3_bind_int(s, 7, !!(f->flags & SBX_F_UNIQUE));
	sqlite3_bind_int(s, 8, !!(f->flags & SBX_F_EDITABLE));
	sqlite3_bind_int(s, 9, !!(f->flags & SBX_F_DELETABLE));
	sqlite3_bind_int(s, 10, !!(f->flags & SBX_F_INDEXED));
	bind_text(s, 11,
	          (f->flags & SBX_F_CREATED)    ? "created"
	          : (f->flags & SBX_F_MODIFIED) ? "modified"
	                                        : NULL);
	bind_text(s, 12, f->options);
	if (f->parent)
		sqlite3_bind_int64(s, 13, strtoll(f->parent, NULL, 10));
	bind_text(s, 14, f->dflt);
	bind_text(s, 15, f->section);
	sqlite3_bind_int(s, 16, !!(f->flags & SBX_F_OMIT_NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return sbx_err_set(e, 400, "Field '%s' already exists", f->name);
		return sbx_store__sqlerr(st, e, "add field");
	}
	if ((f->flags & SBX_F_INDEXED) && f->type != SBX_FT_MERGEFIELD) {
		util_buf sql = UTIL_BUF_INIT;
		char idx[160];
		int fail;
		snprintf(idx, sizeof idx, "%s_%s", table, f->name);
		util_buf_puts(&sql, "CREATE INDEX ");
		sbx_sql_ident(&sql, idx);
		util_buf_puts(&sql, " ON ");
		sbx_sql_ident(&sql, table);
		util_buf_putc(&sql, '(');
		sbx_sql_ident(&sql, f->name);
		util_buf_putc(&sql, ')');
		fail = util_buf_failed(&sql) || sbx_store_exec(st, sql.data, e) < 0;
		util_buf_release(&sql);
		if (fail)
			return sbx_err_set(e, 500, "Internal Server Error: could not index '%s'",
			                   f->name);
	}
	return 0;
}

static void access_text(unsigned a, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s%s%s", a & SBX_ACC_GET ? "GET " : "",
	         a & SBX_ACC_POST ? "POST " : "", a & SBX_ACC_PUT ? "PUT " : "",
	         a & SBX_ACC_DELETE ? "DELETE" : "");
}

static int add_type(sbx_store *st, const sbx_type_def *d, sbx_err *e)
{
	const char *id_field = d->id_field ? d->id_field : "id";
	util_buf sql = UTIL_BUF_INIT;
	sqlite3_stmt *s;
	char table[32], access[32];
	size_t i, j;
	int rc;

	if (d->id < 0 || !d->name || !*d->name || !ident_ok(id_field) ||
	    (d->singular && !ident_ok(d->singular)) || (d->plural && !ident_ok(d->plural)))
		return sbx_err_set(e, 400, "Invalid object type definition for %lld", d->id);
	for (i = 0; i < d->nfields; i++) {
		if (check_field_def(&d->fields[i], e) < 0)
			return -1;
		if (!strcmp(d->fields[i].name, id_field))
			return sbx_err_set(e, 400, "Field '%s' clashes with the id field",
			                   id_field);
		for (j = 0; j < i; j++)
			if (!strcmp(d->fields[i].name, d->fields[j].name))
				return sbx_err_set(e, 400, "Field '%s' is declared twice",
				                   d->fields[i].name);
	}
	snprintf(table, sizeof table, "o_%lld", d->id);
	access_text(d->access, access, sizeof access);
	if (sqlite3_prepare_v2(st->db,
	                       "INSERT INTO sbx_object_types (id,name,singular,plural,table_name,"
	                       "id_field,access,custom,list_fields) VALUES (?,?,?,?,?,?,?,?,?)",
	                       -1, &s, NULL) != SQLITE_OK)
		return sbx_store__sqlerr(st, e, "add type");
	sqlite3_bind_int64(s, 1, d->id);
	bind_text(s, 2, d->name);
	bind_text(s, 3, d->singular);
	bind_text(s, 4, d->plural);
	bind_text(s, 5, table);
	bind_text(s, 6, id_field);
	bind_text(s, 7, access);
	sqlite3_bind_int(s, 8, d->custom);
	bind_text(s, 9, d->list_fields);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		if ((rc & 0xff) == SQLITE_CONSTRAINT)
			return sbx_err_set(e, 400, "Object type %lld or its name already exists",
			                   d->id);
		return sbx_store__sqlerr(st, e, "add type");
	}
	/* AUTOINCREMENT: a deleted record's id is never handed out again, as in Ontraport. */
	util_buf_puts(&sql, "CREATE TABLE ");
	sbx_sql_ident(&sql, table);
	util_buf_puts(&sql, " (");
	sbx_sql_ident(&sql, id_field);
	util_buf_puts(&sql, " INTEGER PRIMARY KEY AUTOINCREMENT");
	for (i = 0; i < d->nfields; i++) {
		if (d->fields[i].type == SBX_FT_MERGEFIELD)
			continue;
		util_buf_putc(&sql, ',');
		sbx_sql_ident(&sql, d->fields[i].name);
		util_buf_printf(&sql, " %s", column_affinity(d->fields[i].type));
	}
	util_buf_putc(&sql, ')');
	rc = util_buf_failed(&sql) ? sbx_err_set(e, 500, "out of memory")
	                           : sbx_store_exec(st, sql.data, e);
	util_buf_release(&sql);
	if (rc < 0)
		return -1;
	for (i = 0; i < d->nfields; i++)
		if (insert_field_row(st, d->id, table, (int)i, &d->fields[i], e) < 0)
			return -1;
	return 0;
}

int sbx_store_add_type(sbx_store *st, const sbx_type_def *def, sbx_err *e)
{
	sbx_store__flush_stmts(st);
	if (sbx_store_begin(st, e) < 0)
		return -1;
	if (add_type(st, def, e) < 0) {
		sbx_store_rollback(st);
		return -1;
	}
	if (sbx_store_commit(st, e) < 0)
		return -1;
	return sbx_meta__load(st, e);
}

/* The display position after the type's last field (fields may have been dropped since). */
static int next_pos(sbx_store *st, long long type_id)
{
	sqlite3_stmt *s;
	int pos = 0;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT coalesce(max(pos),-1)+1 FROM sbx_fields WHERE type_id=?", -1,
	                       &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(s, 1, type_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		pos = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return pos;
}

int sbx_store_add_field(sbx_store *st, long long type_id, const sbx_field_def *def, sbx_err *e)
{
	const sbx_otype *t = sbx_store_type(st, type_id);
	util_buf sql = UTIL_BUF_INIT;
	int rc;

	if (!t)
		return sbx_err_set(e, 400, "Invalid objectID '%lld': no such object type", type_id);
	if (check_field_def(def, e) < 0)
		return -1;
	if (sbx_otype_field(t, def->name) || !strcmp(def->name, t->id_field))
		return sbx_err_set(e, 400, "Field '%s' already exists", def->name);
	sbx_store__flush_stmts(st);
	if (sbx_store_begin(st, e) < 0)
		return -1;
	if (def->type != SBX_FT_MERGEFIELD) {
		util_buf_puts(&sql, "ALTER TABLE ");
		sbx_sql_ident(&sql, t->table);
		util_buf_puts(&sql, " ADD COLUMN ");
		sbx_sql_ident(&sql, def->name);
		util_buf_printf(&sql, " %s", column_affinity(def->type));
		rc = util_buf_failed(&sql) ? sbx_err_set(e, 500, "out of memory")
		                           : sbx_store_exec(st, sql.data, e);
		util_buf_release(&sql);
		if (rc < 0)
			goto fail;
	}
	if (insert_field_row(st, type_id, t->table, next_pos(st, type_id), def, e) < 0)
		goto fail;
	if (sbx_store_commit(st, e) < 0)
		return -1;
	return sbx_meta__load(st, e);
fail:
	sbx_store_rollback(st);
	return -1;
}
