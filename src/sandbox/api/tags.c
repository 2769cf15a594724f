/*
 * tags: tag and untag objects by tag id (/objects/tag) or name
 * (/objects/tagByName, which creates the tags it does not find), and list the
 * objects that have a tag (GET /objects/tag) -- reference §3.2.
 *
 * A record's tags are its `contact_cat` list (contacts and custom objects).
 * Tags are records of type 14 (`tag_id`, `tag_name`, `object_type_id`); the
 * /Tags CRUD is the generic code in objects.c and writes.c. Ontraport applies
 * tag changes asynchronously and answers "The tag is now being processed.";
 * the sandbox applies them before answering, with the same words.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sbx_criteria.h"
#include "sbx_objects.h"
#include "sbx_lists.h"
#include "sbx_call.h"
#include "sbx_routes.h"
#include "banned.h"

#define TAG_TYPE 14
#define TAG_REPLY "The tag is now being processed."
#define TAG_NAME_MAX 255 /* bytes of a tag name created by tagByName */

static const sbx_otype *tag_type(sbx_call *c)
{
	const sbx_otype *t = sbx_store_type(c->ctx->store, TAG_TYPE);

	if (!t)
		sbx_fail(c, 500, "Internal Server Error: no tag type");
	return t;
}

/*
 * The id of the tag named `name` (exact, case-sensitive), preferring a tag of
 * object type `otype` when several share the name; 0 when there is none.
 */
static int tag_by_name(sbx_store *st, const sbx_otype *tags, const char *name, long long otype,
                       long long *out, sbx_err *e)
{
	util_buf sql = UTIL_BUF_INIT;
	sqlite3_stmt *s;
	int rc;

	*out = 0;
	util_buf_puts(&sql, "SELECT ");
	sbx_sql_ident(&sql, tags->id_field);
	util_buf_puts(&sql, " FROM ");
	sbx_sql_ident(&sql, tags->table);
	util_buf_puts(&sql, " WHERE \"tag_name\" = ? ORDER BY \"object_type_id\" = ? DESC, ");
	sbx_sql_ident(&sql, tags->id_field);
	util_buf_puts(&sql, " LIMIT 1");
	if (util_buf_failed(&sql)) {
		util_buf_release(&sql);
		return sbx_err_set(e, 500, "Internal Server Error: out of memory");
	}
	s = sbx_store_prepare(st, sql.data, e);
	util_buf_release(&sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, otype);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sbx_store_done(st, s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sbx_err_set(e, 500, "Internal Server Error: tag lookup: %s",
		                   sqlite3_errmsg(sbx_store_db(st)));
	return 0;
}

/* PUT /objects/tag: objectID, add_list (tag ids, which must exist), ids (or a selection). */
static void tag_add(sbx_call *c)
{
	sbx_list_ids_arg arg = {"add_list", TAG_TYPE};
	sbx_list_op op = {SBX_FIELD_TAGS, "be tagged", 0, 1, TAG_REPLY, sbx_list_items_ids, &arg};
	const sbx_otype *t;

	if (sbx_call_otype(c, &t) == 0)
		sbx_list_call(c, t, &op);
}

/* DELETE /objects/tag: objectID, remove_list (tag ids; unknown ones change nothing), ids. */
static void tag_remove(sbx_call *c)
{
	sbx_list_ids_arg arg = {"remove_list", -1};
	sbx_list_op op = {SBX_FIELD_TAGS, "be tagged", 1, 1, TAG_REPLY, sbx_list_items_ids, &arg};
	const sbx_otype *t;

	if (sbx_call_otype(c, &t) == 0)
		sbx_list_call(c, t, &op);
}

typedef struct names_arg {
	const sbx_otype *type; /* the type being tagged: new tags belong to it */
	int create;            /* create the names that are not tags yet (adding) */
} names_arg;

/* The tag ids for add_names / remove_names, creating missing tags when adding. */
static int items_names(sbx_call *c, void *argp, sbx_idlist *items, sbx_pending *ev)
{
	const names_arg *a = argp;
	const char *param = a->create ? "add_names" : "remove_names";
	sbx_store *st = c->ctx->store;
	const sbx_otype *tags = tag_type(c);
	json_t *names = NULL, *name;
	size_t i;
	int rc = -1;

	if (!tags || sbx_arg_list(c, param, SBX_REQUIRED, &names) < 0)
		return -1;
	json_array_foreach(names, i, name)
	{
		const char *s = json_string_value(name);
		long long id;
		sbx_err e = SBX_ERR_INIT;

		if (!*s || strlen(s) > TAG_NAME_MAX) {
			sbx_fail(c, 400, "Invalid %s: tag name %zu is %s", param, i + 1,
			         *s ? "longer than 255 bytes" : "empty");
			goto out;
		}
		if (tag_by_name(st, tags, s, a->type->id, &id, &e) < 0) {
			sbx_fail_err(c, &e);
			goto out;
		}
		if (!id && a->create) {
			json_t *rec = json_pack("{s:s, s:I}", "tag_name", s, "object_type_id",
			                        (json_int_t)a->type->id);
			int r = rec ? sbx_record_insert(st, tags, rec, 0, &id, NULL, &e) : -1;
			json_decref(rec);
			if (r < 0 || sbx_pending_add(ev, SBX_EV_CREATED, tags->id, id, 0) < 0) {
				if (!e.status)
					sbx_err_set(&e, 500,
					            "Internal Server Error: out of memory");
				sbx_fail_err(c, &e);
				goto out;
			}
		}
		/* Removing a name that is no tag removes nothing. */
		if (id && sbx_idlist_add(items, id) < 0) {
			sbx_fail(c, 500, "Internal Server Error: out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(names);
	return rc;
}

static void tag_by_names(sbx_call *c, int remove)
{
	names_arg arg = {NULL, !remove};
	sbx_list_op op = {SBX_FIELD_TAGS, "be tagged", remove, 1, TAG_REPLY, items_names, &arg};

	if (sbx_call_otype(c, &arg.type) == 0)
		sbx_list_call(c, arg.type, &op);
}

/* PUT /objects/tagByName: objectID, add_names (created when missing), ids. */
static void tagbyname_add(sbx_call *c)
{
	tag_by_names(c, 0);
}

/* DELETE /objects/tagByName: objectID, remove_names, ids. */
static void tagbyname_remove(sbx_call *c)
{
	tag_by_names(c, 1);
}

/*
 * GET /objects/tag: objectID and tag_id or tag_name (an unknown tag is 404),
 * with the collection parameters of §3.1; count=1 answers {"count": "N"}.
 */
static void tag_list(sbx_call *c)
{
	const sbx_otype *t, *tags;
	const char *name = NULL;
	long long tag = 0;
	sbx_select s;
	util_buf sql = UTIL_BUF_INIT;
	char pattern[64];
	int absent;
	sbx_err e = SBX_ERR_INIT;

	if (sbx_call_otype(c, &t) < 0 || !(tags = tag_type(c)) ||
	    (absent = sbx_arg_int(c, "tag_id", SBX_OPTIONAL, 1, LLONG_MAX, &tag)) < 0 ||
	    (absent && sbx_arg_str(c, "tag_name", SBX_OPTIONAL, &name) < 0))
		return;
	if (!sbx_otype_field(t, SBX_FIELD_TAGS)) {
		sbx_fail(c, 400, "Invalid objectID '%lld': %s records cannot be tagged", t->id,
		         t->name);
		return;
	}
	if (absent && (!name || !*name)) {
		sbx_fail(c, 400, "Missing required parameter 'tag_id' (or 'tag_name')");
		return;
	}
	if (!absent) {
		json_t *rec = NULL, *fields = json_pack("[s]", tags->id_field);
		int rc = fields ? sbx_record_get(c->ctx->store, tags, tag, fields, &rec, &e) : -1;
		json_decref(fields);
		json_decref(rec);
		if (rc < 0) {
			if (!e.status)
				sbx_err_set(&e, 500, "Internal Server Error: out of memory");
			sbx_fail_err(c, &e);
			return;
		}
	} else if (tag_by_name(c->ctx->store, tags, name, t->id, &tag, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	} else if (!tag) {
		char shown[80];
		sbx_fail(c, 404, "Object not found: no tag named '%s'",
		         sbx_clip(name, shown, sizeof shown));
		return;
	}
	if (sbx_call_select(c, t, SBX_SEL_PAGE, &s) == 0) {
		snprintf(pattern, sizeof pattern, "%%*/*%lld*/*%%", tag);
		sbx_sql_ident(&sql, SBX_FIELD_TAGS);
		util_buf_puts(&sql, " LIKE ?");
		if (util_buf_failed(&sql) || sbx_select_and(&s, sql.data, json_string(pattern)) < 0)
			sbx_fail(c, 500, "Internal Server Error: out of memory");
		else
			sbx_reply_page(c, t, &s);
	}
	sbx_select_release(&s);
	util_buf_release(&sql);
}

const sbx_route sbx_routes_tags[] = {
    {"GET", "/1/objects/tag", tag_list, 0},
    {"PUT", "/1/objects/tag", tag_add, 0},
    {"DELETE", "/1/objects/tag", tag_remove, 0},
    {"PUT", "/1/objects/tagByName", tagbyname_add, 0},
    {"DELETE", "/1/objects/tagByName", tagbyname_remove, 0},
    {NULL, NULL, NULL, 0},
};
