/*
 * objects: the generic object endpoints (reference §3) for every object type,
 * and their named aliases (/Contact, /Contacts, /Messages/meta, ...).
 *
 * This file holds the reads (one, a page, meta, getInfo) and create; the
 * other writes are in writes.c, tags in tags.c, sequences and campaigns in
 * subscriptions.c. Which records a collection call selects is criteria.c's.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sbx_criteria.h"
#include "sbx_objects.h"
#include "sbx_lists.h"
#include "sbx_call.h"
#include "sbx_routes.h"
#include "util.h"
#include "banned.h"

/* GET /object?objectID=&id=, GET /<Type>?id= */
void sbx_object_get(sbx_call *c)
{
	const sbx_otype *t;
	json_t *fields = NULL;
	util_buf rec = UTIL_BUF_INIT;
	long long id;
	sbx_err e = SBX_ERR_INIT;

	if (sbx_call_otype(c, &t) < 0 ||
	    sbx_arg_int(c, "id", SBX_REQUIRED, 0, LLONG_MAX, &id) < 0 ||
	    sbx_arg_list(c, "listFields", SBX_OPTIONAL, &fields) < 0)
		return;
	if (sbx_record_get_text(c->ctx->store, t, id, fields, &rec, &e) < 0)
		sbx_fail_err(c, &e);
	else
		sbx_reply_jsontext(c, &rec, 0);
	util_buf_release(&rec);
	json_decref(fields);
}

/* {"count": "N"} for a call with count=1 (§3.1; the shape .NET reads from /objects/tag). */
int sbx_reply_count(sbx_call *c, const sbx_otype *t, const sbx_query *q)
{
	long long n;
	char count[32];
	sbx_err e = SBX_ERR_INIT;

	if (sbx_record_count(c->ctx->store, t, q, &n, &e) < 0)
		return sbx_fail_err(c, &e);
	snprintf(count, sizeof count, "%lld", n);
	sbx_reply(c, json_pack("{s:s}", "count", count));
	return 0;
}

/* The field `name` of record id of t, as stored (new), or NULL. */
static json_t *field_of(sbx_call *c, const sbx_otype *t, long long id, const char *name)
{
	json_t *fields = json_pack("[s]", name), *rec = NULL, *v = NULL;
	sbx_err e = SBX_ERR_INIT;

	if (fields && sbx_record_get(c->ctx->store, t, id, fields, &rec, &e) == 0)
		v = json_incref(json_object_get(rec, name));
	json_decref(rec);
	json_decref(fields);
	return v;
}

/* A whole number from a record value ("12"), or 0. */
static long long num_of(const json_t *v)
{
	long long n = 0;
	return util_parse_ll(json_string_value(v), 1, LLONG_MAX, &n) == 0 ? n : 0;
}

/*
 * The value of extern "parent//child" for a row of t (§M8.1): `child` of the
 * record that the row's parent field (a field of type parent) points at. null
 * for an unknown relation or child field, or no related record (UNCONFIRMED).
 */
static json_t *extern_value(sbx_call *c, const sbx_otype *t, json_t *row, const char *ext)
{
	const char *sep = strstr(ext, "//");
	const sbx_field *f;
	const sbx_otype *pt;
	json_t *link, *v = NULL;
	char parent[80];

	if (!sep || sep == ext || (size_t)(sep - ext) >= sizeof parent)
		return json_null();
	memcpy(parent, ext, (size_t)(sep - ext));
	parent[sep - ext] = '\0';
	if (!(f = sbx_otype_field(t, parent)) || f->parent_object < 0 ||
	    !(pt = sbx_store_type(c->ctx->store, f->parent_object)))
		return json_null();
	/* listFields may leave the parent field out of the row: read it. */
	link = json_object_get(row, parent)
	           ? json_incref(json_object_get(row, parent))
	           : field_of(c, t, num_of(json_object_get(row, t->id_field)), parent);
	if (num_of(link) && (pt->id_field && !strcmp(sep + 2, pt->id_field)))
		v = json_incref(link);
	else if (num_of(link) && sbx_otype_field(pt, sep + 2))
		v = field_of(c, pt, num_of(link), sep + 2);
	json_decref(link);
	return v ? v : json_null();
}

/* The page of s with its externs joined in, as the list reply. */
static void reply_page_externs(sbx_call *c, const sbx_otype *t, sbx_select *s)
{
	json_t *rows = NULL, *row, *ext;
	sbx_err e = SBX_ERR_INIT;
	size_t i, k;

	if (sbx_record_list(c->ctx->store, t, &s->q, &rows, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	json_array_foreach(rows, i, row)
	{
		json_array_foreach(s->externs, k, ext)
		{
			const char *name = json_string_value(ext);
			json_object_set_new(row, name, extern_value(c, t, row, name));
		}
	}
	sbx_reply_list(c, rows);
}

void sbx_reply_page(sbx_call *c, const sbx_otype *t, sbx_select *s)
{
	util_buf rows = UTIL_BUF_INIT;
	sbx_err e = SBX_ERR_INIT;
	int count = 0;

	if (sbx_arg_bool(c, "count", SBX_OPTIONAL, &count) < 0)
		return;
	if (count) {
		sbx_reply_count(c, t, &s->q);
		return;
	}
	if (json_array_size(s->externs)) {
		reply_page_externs(c, t, s);
		return;
	}
	if (sbx_record_list_text(c->ctx->store, t, &s->q, &rows, &e) < 0)
		sbx_fail_err(c, &e);
	else
		sbx_reply_jsontext(c, &rows, SBX_ENV_MISC);
	util_buf_release(&rows);
}

/* GET /objects?objectID=, GET /<Types> */
static void objects_list(sbx_call *c)
{
	const sbx_otype *t;
	sbx_select s;

	if (sbx_call_otype(c, &t) < 0)
		return;
	if (sbx_call_select(c, t, SBX_SEL_PAGE, &s) == 0)
		sbx_reply_page(c, t, &s);
	sbx_select_release(&s);
}

/* POST /objects (objectID + fields), POST /<Types> (fields) */
static void objects_create(sbx_call *c)
{
	const sbx_otype *t;
	sbx_pending ev = SBX_PENDING_INIT;
	json_t *echo = NULL;
	long long id;
	sbx_err e = SBX_ERR_INIT;

	if (sbx_call_otype(c, &t) < 0)
		return;
	if (!(t->access & SBX_ACC_POST)) {
		sbx_fail(c, 403, "Forbidden: %s records cannot be created through this endpoint",
		         t->name);
		return;
	}
	/* The parameters are the field values; objectID and anything else that is not a
	 * field of the type is ignored by the store. */
	if (sbx_record_insert(c->ctx->store, t, c->params, 0, &id, &echo, &e) < 0 ||
	    sbx_subs_recount_for(c->ctx->store, t, c->params, &e) < 0) {
		json_decref(echo);
		sbx_fail_err(c, &e);
		return;
	}
	if (sbx_pending_created(&ev, t, id, echo) < 0) {
		json_decref(echo);
		sbx_fail(c, 500, "Internal Server Error: out of memory");
	} else {
		sbx_pending_flush(&ev, c->ctx);
		sbx_reply(c, echo);
	}
	sbx_pending_release(&ev);
}

static json_t *flag(const sbx_field *f, unsigned bit)
{
	return json_string(f->flags & bit ? "1" : "0");
}

/* {name, fields: {<field>: {alias, type, required, unique, editable, deletable[, options]
 * [, parent_object]}}} -- examples/resp-get-objects-meta-contact.json. */
static json_t *type_meta(const sbx_otype *t)
{
	json_t *fields = json_object(), *o;
	size_t i;

	/* The id key first, read-only: conditions and listFields name it like any field. */
	if (fields)
		json_object_set_new(fields, t->id_field,
		                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "alias", "ID",
		                              "type", "numeric", "required", "0", "unique", "1",
		                              "editable", "0", "deletable", "0"));
	for (i = 0; fields && i < t->nfields; i++) {
		const sbx_field *f = &t->fields[i];
		json_t *m = json_object();
		if (!m)
			break;
		json_object_set_new(m, "alias", json_string(f->alias));
		json_object_set_new(m, "type", json_string(sbx_ftype_name(f->type)));
		json_object_set_new(m, "required", flag(f, SBX_F_REQUIRED));
		json_object_set_new(m, "unique", flag(f, SBX_F_UNIQUE));
		json_object_set_new(m, "editable", flag(f, SBX_F_EDITABLE));
		json_object_set_new(m, "deletable", flag(f, SBX_F_DELETABLE));
		if (f->options)
			json_object_set_new(m, "options", json_deep_copy(f->options));
		if (f->type == SBX_FT_PARENT && f->parent_object >= 0)
			json_object_set_new(m, "parent_object", json_integer(f->parent_object));
		json_object_set_new(fields, f->name, m);
	}
	o = json_object();
	if (o) {
		json_object_set_new(o, "name", json_string(t->name));
		json_object_set_new(o, "fields", fields);
	} else {
		json_decref(fields);
	}
	return o;
}

static void add_meta(json_t *data, const sbx_otype *t, int by_name)
{
	char key[32];

	snprintf(key, sizeof key, "%lld", t->id);
	json_object_set_new(data, by_name ? t->name : key, type_meta(t));
}

/* GET /objects/meta[?objectID=&format=], GET /<Types>/meta */
static void objects_meta(sbx_call *c)
{
	const sbx_otype *t = c->otype;
	const char *format = NULL;
	json_t *data;
	int by_name = 0;
	size_t i;

	if (sbx_arg_str(c, "format", SBX_OPTIONAL, &format) < 0)
		return;
	/* byName is UNCONFIRMED (§13.6): keyed by the type's meta name. */
	if (format && *format && !util_strieq(format, "byId")) {
		if (!util_strieq(format, "byName")) {
			sbx_fail(c, 400, "Invalid format '%.20s': expected byId or byName", format);
			return;
		}
		by_name = 1;
	}
	if (!t) {
		/* objectID is optional here: without it, every type. */
		long long id;
		int rc = sbx_arg_int(c, "objectID", SBX_OPTIONAL, LLONG_MIN, LLONG_MAX, &id);
		if (rc < 0)
			return;
		if (rc == 0 && !(t = sbx_store_type(c->ctx->store, id))) {
			sbx_fail(c, 400, "Invalid objectID '%lld': no such object type", id);
			return;
		}
	}
	data = json_object();
	if (!data) {
		sbx_fail(c, 500, "Internal Server Error: out of memory");
		return;
	}
	if (t)
		add_meta(data, t, by_name);
	else
		for (i = 0; i < sbx_store_ntypes(c->ctx->store); i++)
			add_meta(data, sbx_store_type_at(c->ctx->store, i), by_name);
	sbx_reply(c, data);
}

/* GET /objects/getInfo?objectID=, GET /<Types>/getInfo */
static void objects_getinfo(sbx_call *c)
{
	const sbx_otype *t;
	sbx_select s;
	long long n;
	char count[32];
	sbx_err e = SBX_ERR_INIT;

	if (sbx_call_otype(c, &t) < 0)
		return;
	if (sbx_call_select(c, t, 0, &s) == 0) {
		if (sbx_record_count(c->ctx->store, t, &s.q, &n, &e) < 0) {
			sbx_fail_err(c, &e);
		} else {
			snprintf(count, sizeof count, "%lld", n);
			/* count is a string (§1.7); the three empty lists are what the examples
			 * show. */
			sbx_reply(c, json_pack("{s:O, s:[], s:[], s:[], s:s}", "listFields",
			                       t->list_fields, "listFieldSettings",
			                       "cardViewSettings", "viewMode", "count", count));
		}
	}
	sbx_select_release(&s);
}

const sbx_route sbx_routes_objects[] = {
    {"GET", "/1/object", sbx_object_get, 0},
    {"GET", "/1/objects", objects_list, 0},
    {"POST", "/1/objects", objects_create, 0},
    {"GET", "/1/objects/meta", objects_meta, 0},
    {"GET", "/1/objects/getInfo", objects_getinfo, 0},
    {"GET", "/1/{type}", sbx_object_get, 0},
    {"GET", "/1/{types}", objects_list, 0},
    {"POST", "/1/{types}", objects_create, 0},
    {"GET", "/1/{types}/meta", objects_meta, 0},
    {"GET", "/1/{types}/getInfo", objects_getinfo, 0},
    {NULL, NULL, NULL, 0},
};
