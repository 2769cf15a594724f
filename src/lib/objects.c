/*
 * The object modules: get, create, update, upsert, delete, search (streamed
 * page by page) (REFERENCE.md §3). Tags, sequences and campaigns of objects:
 * tagging.c.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "internal.h"
#include "banned.h"

#define PAGE_MAX 50

int ontra__ids_csv(util_buf *buf, const long long *ids, size_t n, const char *what)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ids[i] <= 0)
			return ontra__error(ONTRA_EINVALID,
			                    "invalid %s %lld: expected a positive whole number",
			                    what, ids[i]);
		util_buf_printf(buf, "%s%lld", i ? "," : "", ids[i]);
	}
	if (util_buf_ensure(buf) < 0)
		return ontra__error_oom();
	return 0;
}

int ontra__check_type(int type)
{
	if (type < 0)
		return ontra__error(ONTRA_EINVALID, "invalid object type %d", type);
	return 0;
}

static int check_id(long long id)
{
	return ontra__check_id(id, "object");
}

/* A copy of the values, checked and normalised against the type's fields. */
static int checked_copy(json_t **out, ontra_client *c, int type, const json_t *fields)
{
	json_t *copy;
	int rc;

	*out = NULL;
	if (!json_is_object(fields))
		return ontra__error(ONTRA_EINVALID, "field values must be a JSON object");
	copy = json_deep_copy(fields);
	if (!copy)
		return ontra__error_oom();
	if ((rc = ontra_fields_check(c, type, copy)) < 0) {
		json_decref(copy);
		return rc;
	}
	*out = copy;
	return 0;
}

/* GET /object of one record: the checks, then req->path written in path. */
static int get_request(ontra_request *req, char *path, size_t pathsz, int type, long long id)
{
	int rc;

	if ((rc = ontra__check_type(type)) < 0 || (rc = check_id(id)) < 0)
		return rc;
	snprintf(path, pathsz, "/object?objectID=%d&id=%lld", type, id);
	req->path = path;
	return 0;
}

int ontra_object_get(json_t **out, ontra_client *c, int type, long long id)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	char path[96];
	int rc;

	*out = NULL;
	if ((rc = get_request(&req, path, sizeof path, type, id)) < 0)
		return rc;
	if ((rc = ontra_call_data(out, c, &req)) < 0)
		return rc;
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return ontra__error(ONTRA_EBADRESPONSE, "the server's reply holds no object");
	}
	return 0;
}

int ontra_object_get_text(ontra_response **out, const char **json, size_t *len, ontra_client *c,
                          int type, long long id)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	char path[96];
	int rc;

	*out = NULL;
	*json = NULL;
	*len = 0;
	if ((rc = get_request(&req, path, sizeof path, type, id)) < 0)
		return rc;
	if ((rc = ontra_call_text(out, json, len, c, &req)) < 0)
		return rc;
	if ((*json)[0] != '{') {
		ontra_response_free(*out);
		*out = NULL;
		*json = NULL;
		*len = 0;
		return ontra__error(ONTRA_EBADRESPONSE, "the server's reply holds no object");
	}
	return 0;
}

int ontra_object_create(json_t **out, ontra_client *c, int type, const json_t *fields)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	json_t *body;
	int rc;

	*out = NULL;
	if ((rc = ontra__check_type(type)) < 0 || (rc = checked_copy(&body, c, type, fields)) < 0)
		return rc;
	json_object_set_new(body, "objectID", json_integer(type));
	req.method = "POST";
	req.path = "/objects";
	req.json = body;
	rc = ontra_call_data(out, c, &req);
	json_decref(body);
	return rc;
}

int ontra_object_update(json_t **out, ontra_client *c, int type, long long id, const json_t *fields)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	json_t *body, *data = NULL, *attrs;
	int rc;

	*out = NULL;
	if ((rc = ontra__check_type(type)) < 0 || (rc = check_id(id)) < 0 ||
	    (rc = checked_copy(&body, c, type, fields)) < 0)
		return rc;
	if (json_object_size(body) == 0) {
		json_decref(body);
		return ontra__error(ONTRA_EINVALID,
		                    "nothing to update: give at least one field=value");
	}
	json_object_set_new(body, "objectID", json_integer(type));
	json_object_set_new(body, "id", json_integer(id));
	req.method = "PUT";
	req.path = "/objects";
	req.json = body;
	rc = ontra_call_data(&data, c, &req);
	json_decref(body);
	if (rc < 0)
		return rc;
	attrs = json_object_get(data, "attrs");
	*out = json_incref(attrs ? attrs : data);
	json_decref(data);
	return 0;
}

/* Add the values of a JSON object as form fields (strings as they are). */
static int form_from_object(ontra_params *form, const json_t *obj)
{
	const char *k;
	json_t *v;
	char buf[64];
	int rc;

	json_object_foreach((json_t *)obj, k, v)
	{
		const char *t = json_is_string(v) ? json_string_value(v) : NULL;
		if (!t) {
			if (json_is_integer(v))
				snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
			else
				snprintf(buf, sizeof buf, "%s", "");
			t = buf;
		}
		if ((rc = ontra_params_add(form, k, t)) < 0)
			return rc;
	}
	return 0;
}

int ontra_object_upsert(json_t **out, int *created, ontra_client *c, int type, const json_t *fields,
                        int ignore_blanks)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *form = NULL;
	json_t *body, *data = NULL, *attrs;
	int rc;

	*out = NULL;
	if (created)
		*created = 0;
	if ((rc = ontra__check_type(type)) < 0 || (rc = checked_copy(&body, c, type, fields)) < 0)
		return rc;
	if ((rc = ontra_params_new(&form)) < 0 ||
	    (rc = ontra_params_add_int(form, "objectID", type)) < 0 ||
	    (rc = form_from_object(form, body)) < 0 ||
	    (ignore_blanks && (rc = ontra_params_add(form, "ignore_blanks", "1")) < 0))
		goto out;
	/* Form encoding, as the official SDK sends saveorupdate. */
	req.method = "POST";
	req.path = "/objects/saveorupdate";
	req.form = form;
	if ((rc = ontra_call_data(&data, c, &req)) < 0)
		goto out;
	attrs = json_object_get(data, "attrs");
	if (created)
		*created = attrs == NULL;
	*out = json_incref(attrs ? attrs : data);
out:
	json_decref(data);
	json_decref(body);
	ontra_params_free(form);
	return rc;
}

int ontra_object_delete(ontra_client *c, int type, long long id)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	char path[96];
	json_t *data;
	int rc;

	if ((rc = ontra__check_type(type)) < 0 || (rc = check_id(id)) < 0)
		return rc;
	snprintf(path, sizeof path, "/object?objectID=%d&id=%lld", type, id);
	req.method = "DELETE";
	req.path = path;
	if ((rc = ontra_call_data(&data, c, &req)) < 0)
		return rc;
	json_decref(data);
	return 0;
}

/* ---- searching ---- */

/* The collection parameters of a search (REFERENCE.md §3.1), without paging. */
static int search_params(ontra_params *q, const ontra_search_options *o, int with_tag)
{
	util_buf ids = UTIL_BUF_INIT;
	int rc = 0;

	if (!o || o->version < 1 || o->version > ONTRA_SEARCH_OPTIONS_VERSION)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid search options: expected ONTRA_SEARCH_OPTIONS_INIT");
	if ((rc = ontra__check_type(o->object_type)) < 0)
		return rc;
	if ((rc = ontra_params_add_int(q, "objectID", o->object_type)) < 0)
		return rc;
	if (o->ids_count && !o->ids)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid search options: ids_count is %zu but ids is NULL",
		                    o->ids_count);
	if (o->ids_count) {
		if ((rc = ontra__ids_csv(&ids, o->ids, o->ids_count, "object id")) < 0 ||
		    (rc = ontra_params_add(q, "ids", ids.data)) < 0)
			goto out;
	}
	if (o->condition) {
		char *s = json_dumps(o->condition, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!s) {
			rc =
			    ontra__error(ONTRA_EINVALID, "the condition cannot be encoded as JSON");
			goto out;
		}
		rc = ontra_params_add(q, "condition", s);
		free(s);
		if (rc < 0)
			goto out;
	}
	if (o->search && *o->search && (rc = ontra_params_add(q, "search", o->search)) < 0)
		goto out;
	if (o->search_notes && (rc = ontra_params_add(q, "searchNotes", "true")) < 0)
		goto out;
	if (o->group_id > 0 && (rc = ontra_params_add_int(q, "group_id", o->group_id)) < 0)
		goto out;
	if (with_tag) {
		if (o->tag_id > 0)
			rc = ontra_params_add_int(q, "tag_id", o->tag_id);
		else if (o->tag_name && *o->tag_name)
			rc = ontra_params_add(q, "tag_name", o->tag_name);
		if (rc < 0)
			goto out;
	}
out:
	util_buf_release(&ids);
	return rc;
}

/* One extern: "parent//child", both parts names (letters, digits, _), as the API spells
 * field names; else ONTRA_EINVALID naming it. */
static int check_extern(const char *e)
{
	const char *sep = e ? strstr(e, "//") : NULL;
	size_t i;

	if (!sep || sep == e || !sep[2])
		goto bad;
	for (i = 0; e[i]; i++)
		if (&e[i] != sep && &e[i] != sep + 1 && !isalnum((unsigned char)e[i]) &&
		    e[i] != '_')
			goto bad;
	return 0;
bad:
	return ontra__error(ONTRA_EINVALID,
	                    "invalid extern '%s': expected parent//field, such as owner//email",
	                    e ? e : "(null)");
}

/* externs=a//b,c//d (version 2 options). */
static int externs_param(ontra_params *q, const ontra_search_options *o)
{
	util_buf b = UTIL_BUF_INIT;
	size_t i;
	int rc;

	if (o->version < 2 || !o->externs_count)
		return 0;
	if (!o->externs || o->externs_count > ONTRA_EXTERNS_MAX)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid search options: %zu externs (1 to %d, not NULL)",
		                    o->externs_count, ONTRA_EXTERNS_MAX);
	for (i = 0; i < o->externs_count; i++) {
		if ((rc = check_extern(o->externs[i])) < 0) {
			util_buf_release(&b);
			return rc;
		}
		util_buf_printf(&b, "%s%s", i ? "," : "", o->externs[i]);
	}
	rc = util_buf_ensure(&b) < 0 ? ontra__error_oom() : ontra_params_add(q, "externs", b.data);
	util_buf_release(&b);
	return rc;
}

static int list_params(ontra_params *q, const ontra_search_options *o)
{
	util_buf b = UTIL_BUF_INIT;
	size_t i;
	int rc = 0;

	if ((rc = externs_param(q, o)) < 0)
		return rc;

	if (o->sort && *o->sort) {
		if ((rc = ontra_params_add(q, "sort", o->sort)) < 0 ||
		    (rc = ontra_params_add(q, "sortDir", o->sort_desc ? "desc" : "asc")) < 0)
			return rc;
	}
	if (o->fields_count) {
		for (i = 0; i < o->fields_count; i++)
			util_buf_printf(&b, "%s%s", i ? "," : "", o->fields[i]);
		if (util_buf_ensure(&b) < 0) {
			util_buf_release(&b);
			return ontra__error_oom();
		}
		rc = ontra_params_add(q, "listFields", b.data);
		util_buf_release(&b);
	}
	return rc;
}

/*
 * Keyset paging. Offsets (start=N) cost the server a walk over N records per
 * page, so a listing of a million records costs it quadratic work, and a record
 * deleted during the listing shifts the rest back by one: the record just past
 * the page boundary is never seen. So a plain listing (no sort, tag or group
 * asked for, a condition of ANDs only) asks each page after the first for
 * "id > the last id seen", sorted by id: constant cost per page, and nothing
 * skipped whatever changes meanwhile. It switches only once the first page
 * shows the server's default order is ascending ids; otherwise it pages by
 * offset, as before.
 */
static int keyset_eligible(const ontra_search_options *o, int with_tag)
{
	size_t i;
	json_t *v;

	if (with_tag || (o->sort && *o->sort) || o->group_id > 0)
		return 0;
	if (o->fields_count) {
		for (i = 0; i < o->fields_count; i++)
			if (o->fields[i] && strcmp(o->fields[i], "id") == 0)
				break;
		if (i == o->fields_count)
			return 0; /* the pages would not carry the ids */
	}
	if (o->condition) {
		if (!json_is_array(o->condition) || json_array_size(o->condition) == 0)
			return 0;
		json_array_foreach(o->condition, i, v)
		{
			if (json_is_string(v) && !util_strieq(json_string_value(v), "AND"))
				return 0; /* an OR: where an extra AND binds is not documented */
		}
	}
	return 1;
}

/* The id of a record of a page, or 0 when it has none that is a positive integer. */
static long long record_id(const json_t *obj)
{
	const json_t *v = json_object_get(obj, "id");
	long long id;

	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? (long long)json_integer_value(v) : 0;
	return json_is_string(v) && util_parse_ll(json_string_value(v), 1, ONTRA_ID_MAX, &id) == 0
	           ? id
	           : 0;
}

/* The last id of a page whose ids all rise above after; 0 if they do not. */
static long long page_rising_ids(const json_t *page, long long after)
{
	size_t i;
	json_t *obj;
	long long id, last = after;

	json_array_foreach(page, i, obj)
	{
		if ((id = record_id(obj)) <= last)
			return 0;
		last = id;
	}
	return last;
}

/* The page query: base, then either start= or the keyset condition and sort. */
static int page_params(ontra_params *q, const ontra_params *base, const ontra_search_options *o,
                       long long after, size_t start, size_t want)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < ontra_params_count(base); i++) {
		const char *k = ontra_params_key(base, i);
		if (after && strcmp(k, "condition") == 0)
			continue;
		rc = ontra_params_add(q, k, ontra_params_value(base, i));
	}
	if (rc == 0 && after) {
		json_t *cond = json_array(), *v;
		char *s = NULL;
		if (cond && o->condition) {
			json_array_foreach(o->condition, i, v) json_array_append(cond, v);
			json_array_append_new(cond, json_string("AND"));
		}
		if (cond)
			json_array_append_new(cond, json_pack("{s:{s:s},s:s,s:{s:I}}", "field",
			                                      "field", "id", "op", ">", "value",
			                                      "value", (json_int_t)after));
		if (!cond || !(s = json_dumps(cond, JSON_COMPACT)))
			rc = ontra__error_oom();
		json_decref(cond);
		if (rc == 0 && (rc = ontra_params_add(q, "condition", s)) == 0 &&
		    (rc = ontra_params_add(q, "sort", "id")) == 0)
			rc = ontra_params_add(q, "sortDir", "asc");
		free(s);
		start = 0;
	}
	if (rc == 0 && (rc = ontra_params_add_int(q, "start", (long long)start)) == 0)
		rc = ontra_params_add_int(q, "range", (long long)want);
	return rc;
}

int ontra_search(ontra_client *c, const ontra_search_options *o, ontra_object_fn fn, void *ud)
{
	ontra_params *base = NULL;
	size_t page = o && o->page_size && o->page_size < PAGE_MAX ? o->page_size : PAGE_MAX;
	size_t seen = 0, start;
	long long after = 0; /* > 0: keyset paging, the last id seen */
	int with_tag, keyset, rc;

	if (!fn)
		return ontra__error(ONTRA_EINVALID, "ontra_search needs a callback");
	with_tag = o && (o->tag_id > 0 || (o->tag_name && *o->tag_name));
	if ((rc = ontra_params_new(&base)) < 0 || (rc = search_params(base, o, with_tag)) < 0 ||
	    (rc = list_params(base, o)) < 0)
		goto out;
	keyset = keyset_eligible(o, with_tag);
	start = o->start;
	for (;;) {
		ontra_request req = ONTRA_REQUEST_INIT;
		ontra_params *q = NULL;
		json_t *data = NULL, *obj;
		size_t want = page, i, got;
		long long last;

		if (o->limit && o->limit - seen < want)
			want = o->limit - seen;
		if ((rc = ontra_params_new(&q)) < 0)
			goto out;
		rc = page_params(q, base, o, after, start, want);
		req.path = with_tag ? "/objects/tag" : "/objects";
		req.query = q;
		if (rc == 0)
			rc = ontra_call_data(&data, c, &req);
		ontra_params_free(q);
		if (rc < 0)
			goto out;
		if (!json_is_array(data)) {
			json_decref(data);
			rc = ontra__error(ONTRA_EBADRESPONSE,
			                  "the server's search reply is not a list");
			goto out;
		}
		got = json_array_size(data);
		last = got && keyset ? page_rising_ids(data, after) : 0;
		if (!after && !last)
			keyset = 0; /* not in ascending id order: page by offset to the end */
		if (after && got && !last) {
			json_decref(data);
			rc = ontra__error(ONTRA_EBADRESPONSE,
			                  "the server's search page after id %lld is not "
			                  "in ascending id order, as asked (sort=id)",
			                  after);
			goto out;
		}
		json_array_foreach(data, i, obj)
		{
			if (fn(obj, ud) != 0) {
				json_decref(data);
				rc = ontra__error(ONTRA_EUSER, "search stopped by the caller");
				goto out;
			}
			if (++seen == o->limit && o->limit)
				break;
		}
		json_decref(data);
		start += got;
		if (last)
			after = last;
		/* A short page is the last one; a server that ignores range cannot loop us forever.
		 */
		if (got < want || got == 0 || (o->limit && seen >= o->limit) || got > PAGE_MAX)
			break;
	}
	rc = 0;
out:
	ontra_params_free(base);
	return rc;
}

int ontra_search_count(long long *out, ontra_client *c, const ontra_search_options *o)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *q = NULL;
	json_t *data = NULL, *count;
	long long v;
	int rc;

	*out = -1;
	if (o && (o->tag_id > 0 || (o->tag_name && *o->tag_name)))
		return ontra__error(ONTRA_EINVALID, "counting objects with a tag is not supported");
	if ((rc = ontra_params_new(&q)) < 0 || (rc = search_params(q, o, 0)) < 0)
		goto out;
	req.path = "/objects/getInfo";
	req.query = q;
	if ((rc = ontra_call_data(&data, c, &req)) < 0)
		goto out;
	count = json_object_get(data, "count");
	if (json_is_integer(count))
		v = json_integer_value(count);
	else if (!json_is_string(count) ||
	         util_parse_ll(json_string_value(count), 0, ONTRA_ID_MAX, &v) < 0) {
		rc = ontra__error(ONTRA_EBADRESPONSE, "the server's getInfo reply has no count");
		goto out;
	}
	*out = v;
out:
	json_decref(data);
	ontra_params_free(q);
	return rc;
}

int ontra_objects_delete(ontra_client *c, const ontra_search_options *o, ontra_delete_scope scope)
{
	int all = scope == ONTRA_DELETE_ALL;
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *q = NULL;
	json_t *data = NULL;
	int rc;

	if (scope != ONTRA_DELETE_SELECTED && scope != ONTRA_DELETE_ALL)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid delete scope %d: expected "
		                    "ONTRA_DELETE_SELECTED or ONTRA_DELETE_ALL",
		                    (int)scope);
	if (!all && ontra_search_selects_all(o))
		return ontra__error(
		    ONTRA_EINVALID,
		    "refusing to delete every object of the type: the selection is empty "
		    "or always true; expected ids, a narrowing condition, a search or a "
		    "group (or ONTRA_DELETE_ALL)");
	if ((rc = ontra_params_new(&q)) < 0 || (rc = search_params(q, o, 0)) < 0)
		goto out;
	if (all && !o->ids_count && (rc = ontra_params_add(q, "performAll", "1")) < 0)
		goto out;
	req.method = "DELETE";
	req.path = "/objects";
	req.query = q;
	rc = ontra_call_data(&data, c, &req);
out:
	json_decref(data);
	ontra_params_free(q);
	return rc;
}
