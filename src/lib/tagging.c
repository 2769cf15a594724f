/*
 * Tags, sequences and campaigns of objects: tag and untag by id or by name,
 * subscribe and unsubscribe (REFERENCE.md §3). Above objects.c and resolve.c
 * (untagging checks that the tags exist).
 */
#include <string.h>

#include "util.h"
#include "internal.h"
#include "banned.h"

#define NAMES_MAX 1000

static int ids_form(ontra_params *form, int type, const long long *ids, size_t n)
{
	util_buf b = UTIL_BUF_INIT;
	int rc;

	if (n == 0)
		return ontra__error(ONTRA_EINVALID, "no object ids given");
	if ((rc = ontra__check_type(type)) < 0 ||
	    (rc = ontra__ids_csv(&b, ids, n, "object id")) < 0 ||
	    (rc = ontra_params_add_int(form, "objectID", type)) < 0 ||
	    (rc = ontra_params_add(form, "ids", b.data)) < 0) {
		util_buf_release(&b);
		return rc;
	}
	util_buf_release(&b);
	return 0;
}

static int check_op(ontra_list_op op)
{
	if (op != ONTRA_ADD && op != ONTRA_REMOVE)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid op %d: expected ONTRA_ADD or ONTRA_REMOVE", (int)op);
	return 0;
}

/* PUT (add) or DELETE (remove) with a form of ids + list ids. */
static int list_call(ontra_client *c, const char *path, int type, const long long *ids, size_t n,
                     const long long *list, size_t nlist, const char *what, ontra_list_op op,
                     const char *extra_key, const char *extra_value)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *form = NULL;
	util_buf b = UTIL_BUF_INIT;
	json_t *data = NULL;
	int remove = op == ONTRA_REMOVE, rc;

	if (nlist == 0)
		return ontra__error(ONTRA_EINVALID, "no %s ids given", what);
	if ((rc = check_op(op)) < 0)
		return rc;
	if ((rc = ontra_params_new(&form)) < 0 || (rc = ids_form(form, type, ids, n)) < 0 ||
	    (rc = ontra__ids_csv(&b, list, nlist, what)) < 0 ||
	    (rc = ontra_params_add(form, remove ? "remove_list" : "add_list", b.data)) < 0 ||
	    (extra_key && (rc = ontra_params_add(form, extra_key, extra_value)) < 0))
		goto out;
	req.path = path;
	if (remove) {
		/* DELETE carries its parameters in the query string, as the SDK sends them. */
		req.method = "DELETE";
		req.query = form;
	} else {
		req.method = "PUT";
		req.form = form;
	}
	rc = ontra_call_data(&data, c, &req);
out:
	json_decref(data);
	util_buf_release(&b);
	ontra_params_free(form);
	return rc;
}

/* Untagging by a tag that does not exist is a mistake worth reporting, not a no-op. */
static int tag_ids_exist(ontra_client *c, const long long *tag_ids, size_t ntags)
{
	size_t i;
	int rc;

	for (i = 0; i < ntags; i++) {
		json_t *t = NULL;
		if ((rc = ontra__check_id(tag_ids[i], "object")) < 0)
			return rc;
		rc = ontra_object_get(&t, c, ONTRA_TAG, tag_ids[i]);
		json_decref(t);
		if (rc == ONTRA_ENOTFOUND)
			return ontra__error(ONTRA_ENOTFOUND, "no tag with id %lld", tag_ids[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int ontra_tag_ids(ontra_client *c, int type, const long long *ids, size_t n,
                  const long long *tag_ids, size_t ntags, ontra_list_op op)
{
	int rc;

	if (op == ONTRA_REMOVE && n && ids && ntags && (rc = tag_ids_exist(c, tag_ids, ntags)) < 0)
		return rc;
	return list_call(c, "/objects/tag", type, ids, n, tag_ids, ntags, "tag", op, NULL, NULL);
}

int ontra_subscribe(ontra_client *c, int type, const long long *ids, size_t n,
                    const long long *list_ids, size_t nlists, ontra_sub_type kind, ontra_list_op op)
{
	return list_call(c, "/objects/subscribe", type, ids, n, list_ids, nlists,
	                 kind == ONTRA_SUB_SEQUENCE ? "sequence" : "campaign", op, "sub_type",
	                 kind == ONTRA_SUB_SEQUENCE ? "Sequence" : "Campaign");
}

int ontra_tag_names(ontra_client *c, int type, const long long *ids, size_t n,
                    const char *const *names, size_t nnames, ontra_list_op op)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	json_t *body = NULL, *jids = NULL, *jnames = NULL, *data = NULL;
	int remove = op == ONTRA_REMOVE;
	size_t i;
	int rc = 0;

	if ((rc = check_op(op)) < 0)
		return rc;
	if (n == 0)
		return ontra__error(ONTRA_EINVALID, "no object ids given");
	if (nnames == 0 || nnames > NAMES_MAX)
		return ontra__error(ONTRA_EINVALID, "give 1 to %d tag names", NAMES_MAX);
	if ((rc = ontra__check_type(type)) < 0)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = ontra__check_id(ids[i], "object")) < 0)
			return rc;
	for (i = 0; i < nnames; i++) {
		if (!names[i] || !*names[i] || !util_utf8_valid(names[i], strlen(names[i])))
			return ontra__error(ONTRA_EINVALID,
			                    "invalid tag name '%s': expected non-empty text",
			                    names[i] ? names[i] : "");
		if (remove) {
			/* Untagging by a name that is not a tag is a mistake worth reporting, not a
			 * no-op. */
			long long id;
			if ((rc = ontra_tag_find(&id, c, names[i])) < 0)
				return rc;
		}
	}
	jids = json_array();
	jnames = json_array();
	if (!jids || !jnames) {
		rc = ontra__error_oom();
		goto out;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(jids, json_integer(ids[i]));
	for (i = 0; i < nnames; i++)
		json_array_append_new(jnames, json_string(names[i]));
	body = json_pack("{s:i, s:O, s:O}", "objectID", type, "ids", jids,
	                 remove ? "remove_names" : "add_names", jnames);
	if (!body) {
		rc = ontra__error_oom();
		goto out;
	}
	req.method = remove ? "DELETE" : "PUT";
	req.path = "/objects/tagByName";
	req.json = body;
	rc = ontra_call_data(&data, c, &req);
out:
	json_decref(data);
	json_decref(body);
	json_decref(jids);
	json_decref(jnames);
	return rc;
}
