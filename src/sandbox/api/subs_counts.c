/*
 * subs_counts: the subscriber counters of sequences (5, `subscriber_count`)
 * and automations (140, `subs`, `subs_ever`), kept in step with the
 * memberships (REFERENCE-MORE §M7, emulator rules, UNCONFIRMED): the count is
 * the number of records whose `updateSequence` / `updateCampaign` list holds
 * the list's id; `subs_ever` the number of distinct records that were ever
 * counted (table sbx_subs_ever), so it never goes down.
 */
#include <stddef.h>
#include <string.h>

#include "sbx_lists.h"
#include "banned.h"

#define SEQUENCE_TYPE 5
#define CAMPAIGN_TYPE 140

/* ` + (SELECT count(*) FROM <table> WHERE <field> LIKE '%*<slash>*' || L.id || ...)`
 * for every type with the list field. */
static void count_terms(sbx_store *st, const char *field, const sbx_otype *lt, util_buf *sql)
{
	size_t i;

	util_buf_puts(sql, "0");
	for (i = 0; i < sbx_store_ntypes(st); i++) {
		const sbx_otype *t = sbx_store_type_at(st, i);
		if (!sbx_otype_field(t, field))
			continue;
		util_buf_puts(sql, " + (SELECT count(*) FROM ");
		sbx_sql_ident(sql, t->table);
		util_buf_puts(sql, " WHERE ");
		sbx_sql_ident(sql, field);
		util_buf_puts(sql, " LIKE '%*/*' || ");
		sbx_sql_ident(sql, lt->table);
		util_buf_putc(sql, '.');
		sbx_sql_ident(sql, lt->id_field);
		util_buf_puts(sql, " || '*/*%')");
	}
}

/* ` WHERE <id> IN (1,2)` for the lists changed. */
static void id_filter(const sbx_otype *lt, const long long *ids, size_t n, util_buf *sql)
{
	size_t i;

	if (!ids)
		return;
	util_buf_puts(sql, " WHERE ");
	sbx_sql_ident(sql, lt->id_field);
	util_buf_puts(sql, " IN (");
	for (i = 0; i < n; i++)
		util_buf_printf(sql, "%s%lld", i ? "," : "", ids[i]);
	util_buf_putc(sql, ')');
}

/* Remember every current member of the changed automations in sbx_subs_ever. */
static void ever_inserts(sbx_store *st, const sbx_otype *lt, const long long *ids, size_t n,
                         util_buf *sql)
{
	size_t i;

	util_buf_puts(sql, "CREATE TABLE IF NOT EXISTS sbx_subs_ever (list_type INTEGER, list_id "
	                   "INTEGER, obj_type INTEGER, obj_id INTEGER, PRIMARY KEY (list_type, "
	                   "list_id, obj_type, obj_id)) WITHOUT ROWID;");
	for (i = 0; i < sbx_store_ntypes(st); i++) {
		const sbx_otype *t = sbx_store_type_at(st, i);
		if (!sbx_otype_field(t, SBX_FIELD_CAMPAIGNS))
			continue;
		util_buf_printf(sql, "INSERT OR IGNORE INTO sbx_subs_ever SELECT %lld, L.", lt->id);
		sbx_sql_ident(sql, lt->id_field);
		util_buf_printf(sql, ", %lld, X.", t->id);
		sbx_sql_ident(sql, t->id_field);
		util_buf_puts(sql, " FROM ");
		sbx_sql_ident(sql, lt->table);
		util_buf_puts(sql, " AS L JOIN ");
		sbx_sql_ident(sql, t->table);
		util_buf_puts(sql, " AS X ON X.");
		sbx_sql_ident(sql, SBX_FIELD_CAMPAIGNS);
		util_buf_puts(sql, " LIKE '%*/*' || L.");
		sbx_sql_ident(sql, lt->id_field);
		util_buf_puts(sql, " || '*/*%'");
		if (ids) {
			util_buf_puts(sql, " WHERE L.");
			sbx_sql_ident(sql, lt->id_field);
			util_buf_puts(sql, " IN (SELECT ");
			sbx_sql_ident(sql, lt->id_field);
			util_buf_puts(sql, " FROM ");
			sbx_sql_ident(sql, lt->table);
			id_filter(lt, ids, n, sql);
			util_buf_putc(sql, ')');
		}
		util_buf_putc(sql, ';');
	}
}

int sbx_subs_recount(sbx_store *st, const char *field, const long long *ids, size_t n, sbx_err *e)
{
	int campaigns = strcmp(field, SBX_FIELD_CAMPAIGNS) == 0;
	const sbx_otype *lt = sbx_store_type(st, campaigns ? CAMPAIGN_TYPE : SEQUENCE_TYPE);
	const char *count = campaigns ? "subs" : "subscriber_count";
	util_buf sql = UTIL_BUF_INIT;
	int rc;

	if (!campaigns && strcmp(field, SBX_FIELD_SEQUENCES) != 0)
		return 0;
	if (!lt || (ids && !n) || !sbx_otype_field(lt, count))
		return 0;
	util_buf_puts(&sql, "UPDATE ");
	sbx_sql_ident(&sql, lt->table);
	util_buf_puts(&sql, " SET ");
	sbx_sql_ident(&sql, count);
	util_buf_puts(&sql, " = ");
	count_terms(st, field, lt, &sql);
	id_filter(lt, ids, n, &sql);
	util_buf_putc(&sql, ';');
	if (campaigns && sbx_otype_field(lt, "subs_ever")) {
		ever_inserts(st, lt, ids, n, &sql);
		util_buf_puts(&sql, "UPDATE ");
		sbx_sql_ident(&sql, lt->table);
		util_buf_puts(&sql, " SET subs_ever = (SELECT count(*) FROM sbx_subs_ever WHERE "
		                    "list_type = ");
		util_buf_printf(&sql, "%lld AND list_id = ", lt->id);
		sbx_sql_ident(&sql, lt->table);
		util_buf_putc(&sql, '.');
		sbx_sql_ident(&sql, lt->id_field);
		util_buf_putc(&sql, ')');
		id_filter(lt, ids, n, &sql);
		util_buf_putc(&sql, ';');
	}
	rc = util_buf_failed(&sql) ? sbx_err_set(e, 500, "Internal Server Error: out of memory")
	                           : sbx_store_exec(st, sql.data, e);
	util_buf_release(&sql);
	return rc;
}

int sbx_subs_recount_for(sbx_store *st, const sbx_otype *t, json_t *values, sbx_err *e)
{
	static const char *const fields[] = {SBX_FIELD_SEQUENCES, SBX_FIELD_CAMPAIGNS};
	size_t i;

	for (i = 0; i < sizeof fields / sizeof *fields; i++)
		if (sbx_otype_field(t, fields[i]) &&
		    (!values || json_object_get(values, fields[i])) &&
		    sbx_subs_recount(st, fields[i], NULL, 0, e) < 0)
			return -1;
	return 0;
}
