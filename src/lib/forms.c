/*
 * forms: the calls on forms and landing pages beside their records
 * (REFERENCE-MORE §M6): the form blocks (GET /Form/getAllFormBlocks, paged;
 * GET /Form/getBlocksByFormName), a form's HTML (GET /form, the one path whose
 * case matters, §M13) and a landing page's hosted URL (GET
 * /landingPage/getHostedURL). The parsers of the new shapes do no I/O and are
 * capped, so they are fuzzed alone (fuzz_form_blocks).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "banned.h"

#define BLOCKS_PAGE 50 /* form blocks per page (§M6.1) */

/* A block id or form name: a non-empty string, capped, without control characters. */
static int check_text(const json_t *v, const char *what)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v), i;

	if (!s || !n)
		return ontra__error(ONTRA_EBADRESPONSE,
		                    "bad form blocks: a %s is not a non-empty string", what);
	if (n > ONTRA_FORM_TEXT_MAX)
		return ontra__error(ONTRA_EBADRESPONSE,
		                    "bad form blocks: a %s of %zu bytes (at most %d)", what, n,
		                    ONTRA_FORM_TEXT_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return ontra__error(ONTRA_EBADRESPONSE,
			                    "bad form blocks: a %s holds a control character",
			                    what);
	return 0;
}

int ontra_form_blocks_parse(json_t **out, const json_t *data)
{
	const char *key;
	json_t *arr, *name;

	*out = NULL;
	if (json_is_array(data) && json_array_size(data) == 0)
		return (*out = json_array()) ? 0 : ontra__error_oom();
	if (!json_is_object(data))
		return ontra__error(ONTRA_EBADRESPONSE,
		                    "bad form blocks: expected an object of block id to form name");
	if (json_object_size(data) > ONTRA_FORM_BLOCKS_MAX)
		return ontra__error(ONTRA_EBADRESPONSE,
		                    "bad form blocks: %zu in one page (at most %d)",
		                    json_object_size(data), ONTRA_FORM_BLOCKS_MAX);
	if (!(arr = json_array()))
		return ontra__error_oom();
	json_object_foreach((json_t *)data, key, name)
	{
		json_t *k = json_string(key);
		int rc = k ? check_text(k, "block id") : ontra__error_oom();
		if (rc == 0)
			rc = check_text(name, "form name");
		if (rc == 0 && json_array_append_new(arr, json_pack("{s:O s:O}", "block_id", k,
		                                                    "formname", name)) < 0)
			rc = ontra__error_oom();
		json_decref(k);
		if (rc < 0) {
			json_decref(arr);
			return rc;
		}
	}
	*out = arr;
	return 0;
}

int ontra_block_ids_parse(json_t **out, const json_t *data)
{
	json_t *ids = json_object_get(data, "block_ids"), *v;
	size_t i;
	int rc;

	*out = NULL;
	if (!json_is_array(ids))
		return ontra__error(ONTRA_EBADRESPONSE,
		                    "bad form blocks: expected {\"block_ids\": [...]}");
	if (json_array_size(ids) > ONTRA_FORM_BLOCKS_MAX)
		return ontra__error(ONTRA_EBADRESPONSE,
		                    "bad form blocks: %zu block ids (at most %d)",
		                    json_array_size(ids), ONTRA_FORM_BLOCKS_MAX);
	json_array_foreach(ids, i, v) if ((rc = check_text(v, "block id")) < 0) return rc;
	*out = json_copy(ids);
	return *out ? 0 : ontra__error_oom();
}

/* GET path with `key`=`value` (an int or a string): the envelope's data, new. */
static int get_data(json_t **out, ontra_client *c, const char *path, const char *key,
                    const char *text, long long num)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *q = NULL;
	int rc;

	*out = NULL;
	if ((rc = ontra_params_new(&q)) < 0)
		return rc;
	rc = text ? ontra_params_add(q, key, text) : ontra_params_add_int(q, key, num);
	if (rc == 0) {
		req.path = path;
		req.query = q;
		rc = ontra_call_data(out, c, &req);
	}
	ontra_params_free(q);
	return rc;
}

int ontra_form_blocks(ontra_client *c, size_t limit, ontra_form_block_fn fn, void *userdata)
{
	size_t given = 0, page, n = BLOCKS_PAGE;
	int rc = 0;

	if (!fn)
		return ontra__error(ONTRA_EINVALID, "form blocks: no callback given");
	for (page = 0; rc == 0 && n == BLOCKS_PAGE && (!limit || given < limit); page++) {
		json_t *data = NULL, *blocks = NULL, *b;
		size_t i;

		if ((rc = get_data(&data, c, "/Form/getAllFormBlocks", "page", NULL,
		                   (long long)page)) == 0)
			rc = ontra_form_blocks_parse(&blocks, data);
		json_decref(data);
		n = json_array_size(blocks);
		json_array_foreach(blocks, i, b)
		{
			if (rc < 0 || (limit && given >= limit))
				break;
			if (fn(json_string_value(json_object_get(b, "block_id")),
			       json_string_value(json_object_get(b, "formname")), userdata) != 0)
				rc = ontra__error(ONTRA_EUSER,
				                  "form blocks: stopped by the callback");
			given++;
		}
		json_decref(blocks);
	}
	return rc;
}

int ontra_form_block_ids(json_t **out, ontra_client *c, const char *name)
{
	json_t *data = NULL;
	int rc;

	*out = NULL;
	if (!name || !*name)
		return ontra__error(ONTRA_EINVALID,
		                    "empty form name: expected a form's or landing page's name");
	if ((rc = get_data(&data, c, "/Form/getBlocksByFormName", "name", name, 0)) == 0)
		rc = ontra_block_ids_parse(out, data);
	json_decref(data);
	return rc;
}

/* The data, a JSON string of at most max bytes without NUL, as a new C string. */
static int string_data(char **out, json_t *data, size_t max, const char *what)
{
	const char *s = json_string_value(data);
	size_t n = json_string_length(data);

	if (!s)
		return ontra__error(ONTRA_EBADRESPONSE, "bad %s: expected a string", what);
	if (n > max)
		return ontra__error(ONTRA_EBADRESPONSE, "bad %s: %zu bytes (at most %zu)", what, n,
		                    max);
	if (memchr(s, '\0', n))
		return ontra__error(ONTRA_EBADRESPONSE, "bad %s: it holds a NUL byte", what);
	return (*out = util_strndup(s, n)) ? 0 : ontra__error_oom();
}

int ontra_form_html(char **out, ontra_client *c, long long form_id)
{
	json_t *data = NULL;
	int rc;

	*out = NULL;
	if ((rc = ontra__check_id(form_id, "form")) < 0)
		return rc;
	/* Lower case on purpose: /Form?id= is the record, /form?id= the HTML (§M13). */
	if ((rc = get_data(&data, c, "/form", "id", NULL, form_id)) == 0)
		rc = string_data(out, data, ONTRA_FORM_HTML_MAX, "form HTML");
	json_decref(data);
	return rc;
}

int ontra_landing_page_url(char **out, ontra_client *c, long long id)
{
	json_t *data = NULL;
	int rc;

	*out = NULL;
	if ((rc = ontra__check_id(id, "landing page")) < 0)
		return rc;
	if ((rc = get_data(&data, c, "/landingPage/getHostedURL", "id", NULL, id)) == 0 &&
	    (rc = string_data(out, data, ONTRA_FORM_TEXT_MAX, "hosted URL")) == 0 &&
	    !util_starts_with(*out, "http://") && !util_starts_with(*out, "https://")) {
		free(*out);
		*out = NULL;
		rc = ontra__error(ONTRA_EBADRESPONSE,
		                  "bad hosted URL: expected http:// or https://");
	}
	json_decref(data);
	return rc;
}
