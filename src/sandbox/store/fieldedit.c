/*
 * fieldedit: changing and removing fields of an existing type, for the field
 * editor (api/fieldeditor.c). Adding one is sbx_store_add_field (meta.c).
 * Each change is one savepoint, then the in-memory metadata is reloaded.
 */
#include "sbx_store_int.h"

#include <stdio.h>
#include <string.h>

#include "util.h"
#include "banned.h"

static int no_field(const sbx_otype *t, long long type_id, const char *name, sbx_err *e)
{
	if (!t)
		return sbx_err_set(e, 400, "Invalid objectID '%lld': no such object type", type_id);
	return sbx_err_set(e, 404, "Field '%.64s' not found", name ? name : "");
}

static int update_row(sbx_store *st, long long type_id, const sbx_field_def *d, sbx_err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db,
	                       "UPDATE sbx_fields SET alias=?,type=?,required=?,\"unique\"=?,"
	                       "options=? WHERE type_id=? AND name=?",
	                       -1, &s, NULL) != SQLITE_OK)
		return sbx_store__sqlerr(st, e, "update field");
	sqlite3_bind_text(s, 1, d->alias, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, sbx_ftype_name(d->type), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, !!(d->flags & SBX_F_REQUIRED));
	sqlite3_bind_int(s, 4, !!(d->flags & SBX_F_UNIQUE));
	if (d->options)
		sqlite3_bind_text(s, 5, d->options, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 5);
	sqlite3_bind_int64(s, 6, type_id);
	sqlite3_bind_text(s, 7, d->name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sbx_store__sqlerr(st, e, "update field");
}

int sbx_store_update_field(sbx_store *st, long long type_id, const sbx_field_def *def, sbx_err *e)
{
	const sbx_otype *t = sbx_store_type(st, type_id);

	if (!t || !sbx_otype_field(t, def->name))
		return no_field(t, type_id, def->name, e);
	if (!def->alias || !*def->alias || !sbx_ftype_name(def->type))
		return sbx_err_set(e, 400, "Field '%.64s' needs an alias and a known type",
		                   def->name);
	sbx_store__flush_stmts(st);
	if (sbx_store_begin(st, e) < 0)
		return -1;
	if (update_row(st, type_id, def, e) < 0) {
		sbx_store_rollback(st);
		return -1;
	}
	if (sbx_store_commit(st, e) < 0)
		return -1;
	return sbx_meta__load(st, e);
}

int sbx_store_drop_field(sbx_store *st, long long type_id, const char *name, sbx_err *e)
{
	const sbx_otype *t = sbx_store_type(st, type_id);
	const sbx_field *f = t ? sbx_otype_field(t, name) : NULL;
	util_buf sql = UTIL_BUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (!f)
		return no_field(t, type_id, name, e);
	sbx_store__flush_stmts(st);
	if (sbx_store_begin(st, e) < 0)
		return -1;
	if (f->stored) {
		util_buf_puts(&sql, "ALTER TABLE ");
		sbx_sql_ident(&sql, t->table);
		util_buf_puts(&sql, " DROP COLUMN ");
		sbx_sql_ident(&sql, name);
		rc = util_buf_failed(&sql) ? sbx_err_set(e, 500, "out of memory")
		                           : sbx_store_exec(st, sql.data, e);
		util_buf_release(&sql);
	}
	if (rc == 0 &&
	    sqlite3_prepare_v2(st->db, "DELETE FROM sbx_fields WHERE type_id=? AND name=?", -1, &s,
	                       NULL) != SQLITE_OK)
		rc = sbx_store__sqlerr(st, e, "drop field");
	if (rc == 0) {
		sqlite3_bind_int64(s, 1, type_id);
		sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = sbx_store__sqlerr(st, e, "drop field");
	}
	sqlite3_finalize(s);
	if (rc < 0) {
		sbx_store_rollback(st);
		return -1;
	}
	if (sbx_store_commit(st, e) < 0)
		return -1;
	return sbx_meta__load(st, e);
}
