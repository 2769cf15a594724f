/*
 * forms: the form and landing-page calls beside the generic records
 * (REFERENCE-MORE §M6, §M13), on forms (122) and landing pages (20).
 *
 *   GET /1/Form/getAllFormBlocks?page=N      {"f<form_id>": "<formname>", ...}, 50 a page
 *                                            (zero-based), [] past the last
 *   GET /1/Form/getBlocksByFormName?name=X   {"block_ids": ["f<form_id>", ...]}
 *   GET /1/form?id=N  (exactly lower case)   data = the form's HTML (a string)
 *   GET /1/Form?id=N  (any other case)       the form record, as GET /object
 *   GET /1/landingPage/getHostedURL?id=N     data = the hosted URL (a string)
 *
 * A form's block id is "f" and its form_id; the HTML is made from the record
 * (a SmartForm's fields, an ONTRAform's script tag); a landing page holds no
 * form blocks. These are the sandbox's choices (UNCONFIRMED, docs/sandbox.md).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_objects.h"
#include "sbx_routes.h"
#include "util.h"
#include "banned.h"

#define FORM_TYPE 122
#define LANDING_PAGE_TYPE 20
#define BLOCKS_PAGE 50 /* forms per getAllFormBlocks page (§M6.1) */
#define SMARTFORM "10" /* a form record's type: 10 SmartForm, 11 ONTRAform */

static const char *str_of(json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));
	return s ? s : "";
}

/* The store's type or a 500 (it is built in, so only a broken store lacks it). */
static const sbx_otype *must_type(sbx_call *c, long long id)
{
	const sbx_otype *t = sbx_store_type(c->ctx->store, id);
	if (!t)
		sbx_fail(c, 500, "Internal Server Error: no object type %lld", id);
	return t;
}

/* GET /Form/getAllFormBlocks */
static void all_blocks(sbx_call *c)
{
	const sbx_otype *t = must_type(c, FORM_TYPE);
	sbx_query q = {0};
	json_t *rows = NULL, *row, *data;
	long long page = 0;
	sbx_err e = SBX_ERR_INIT;
	size_t i;

	if (!t || sbx_arg_int(c, "page", SBX_OPTIONAL, 0, LLONG_MAX / BLOCKS_PAGE, &page) < 0)
		return;
	q.start = page * BLOCKS_PAGE;
	q.range = BLOCKS_PAGE;
	if (sbx_record_list(c->ctx->store, t, &q, &rows, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	/* PHP encodes an empty map as [] (UNCONFIRMED: past the last page). */
	data = json_array_size(rows) ? json_object() : json_array();
	json_array_foreach(rows, i, row)
	{
		char block[32];
		snprintf(block, sizeof block, "f%s", str_of(row, "form_id"));
		json_object_set_new(data, block, json_string(str_of(row, "formname")));
	}
	json_decref(rows);
	sbx_reply(c, data);
}

/* The ids of type t's records whose `field` is exactly `name`, as a new array. */
static int ids_named(sbx_call *c, const sbx_otype *t, const char *field, const char *name,
                     long long **ids, size_t *n)
{
	util_buf sql = UTIL_BUF_INIT;
	json_t *args = json_pack("[s]", name);
	sbx_query q = {0};
	sbx_err e = SBX_ERR_INIT;
	int rc;

	sbx_sql_ident(&sql, field);
	util_buf_puts(&sql, "=?");
	if (!args || util_buf_failed(&sql)) {
		json_decref(args);
		util_buf_release(&sql);
		return sbx_fail(c, 500, "Internal Server Error: out of memory");
	}
	q.where = sql.data;
	q.where_args = args;
	rc = sbx_record_ids(c->ctx->store, t, &q, ids, n, &e);
	json_decref(args);
	util_buf_release(&sql);
	return rc < 0 ? sbx_fail_err(c, &e) : 0;
}

/* GET /Form/getBlocksByFormName?name= */
static void blocks_by_name(sbx_call *c)
{
	const sbx_otype *ft = must_type(c, FORM_TYPE),
	                *lt = ft ? must_type(c, LANDING_PAGE_TYPE) : NULL;
	long long *forms = NULL, *pages = NULL;
	size_t nforms = 0, npages = 0, i;
	const char *name;
	json_t *blocks;

	if (!lt || sbx_arg_str(c, "name", SBX_REQUIRED, &name) < 0 ||
	    ids_named(c, ft, "formname", name, &forms, &nforms) < 0)
		return;
	if (ids_named(c, lt, "name", name, &pages, &npages) < 0) {
		free(forms);
		return;
	}
	if (!nforms && !npages) {
		char shown[80];
		sbx_fail(c, 404, "Object not found: no form or landing page named '%s'",
		         sbx_clip(name, shown, sizeof shown));
	} else if (!(blocks = json_array())) {
		sbx_fail(c, 500, "Internal Server Error: out of memory");
	} else {
		for (i = 0; i < nforms; i++)
			json_array_append_new(blocks, json_sprintf("f%lld", forms[i]));
		sbx_reply(c, json_pack("{s:o}", "block_ids", blocks));
	}
	free(forms);
	free(pages);
}

/* Append s to b with the five HTML specials escaped. */
static void html_text(util_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			util_buf_puts(b, "&amp;");
			break;
		case '<':
			util_buf_puts(b, "&lt;");
			break;
		case '>':
			util_buf_puts(b, "&gt;");
			break;
		case '"':
			util_buf_puts(b, "&quot;");
			break;
		case '\'':
			util_buf_puts(b, "&#39;");
			break;
		default:
			util_buf_putc(b, *s);
		}
	}
}

/* A SmartForm's HTML: its name, the contact fields and a submit button; an
 * ONTRAform's embed script (§M6.1: GET /form "does not support ONTRAforms"). */
static void form_html(util_buf *b, json_t *rec, long long account)
{
	const char *id = str_of(rec, "form_id");

	if (strcmp(str_of(rec, "type"), SMARTFORM) != 0) {
		util_buf_printf(
		    b,
		    "<script type=\"text/javascript\" src=\"https://forms.ontraport.com/"
		    "v2.4/include/formEditor/genjs-v3.php?html=false&uid=p2c%lldf%s\">"
		    "</script>",
		    account, id);
		return;
	}
	util_buf_puts(b, "<form class=\"moonray-form\" method=\"post\" "
	                 "action=\"https://forms.ontraport.com/v2.4/form_processor.php\">"
	                 "<h2>");
	html_text(b, str_of(rec, "formname"));
	util_buf_printf(b, "</h2><input type=\"hidden\" name=\"uid\" value=\"p2c%lldf%s\">",
	                account, id);
	util_buf_puts(b, "<label>First Name <input type=\"text\" name=\"firstname\"></label>"
	                 "<label>Last Name <input type=\"text\" name=\"lastname\"></label>"
	                 "<label>Email <input type=\"email\" name=\"email\"></label>");
	if (*str_of(rec, "redirect")) {
		util_buf_puts(b, "<input type=\"hidden\" name=\"redirect\" value=\"");
		html_text(b, str_of(rec, "redirect"));
		util_buf_puts(b, "\">");
	}
	util_buf_puts(b, "<input type=\"submit\" value=\"Submit\"></form>");
}

/* Whether the path's resource segment is spelled exactly "form" (§M13: the one
 * place where the case of a path matters). */
static int lower_form(const char *path)
{
	return !strncmp(path, "/1/form", 7) && (!path[7] || !strcmp(path + 7, "/"));
}

/* GET /form?id= (HTML) and GET /Form?id= (the record). */
static void form_get(sbx_call *c)
{
	const sbx_otype *t = must_type(c, FORM_TYPE);
	util_buf html = UTIL_BUF_INIT;
	json_t *rec = NULL;
	sbx_err e = SBX_ERR_INIT;
	long long id;

	if (!t)
		return;
	if (!lower_form(c->req->path)) {
		c->otype = t;
		sbx_object_get(c);
		return;
	}
	if (sbx_arg_int(c, "id", SBX_REQUIRED, 1, LLONG_MAX, &id) < 0)
		return;
	if (sbx_record_get(c->ctx->store, t, id, NULL, &rec, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	form_html(&html, rec, c->ctx->account_id);
	if (util_buf_failed(&html))
		sbx_fail(c, 500, "Internal Server Error: out of memory");
	else
		sbx_reply(c, json_stringn(html.data, html.len));
	util_buf_release(&html);
	json_decref(rec);
}

/* GET /landingPage/getHostedURL?id= */
static void hosted_url(sbx_call *c)
{
	const sbx_otype *t = must_type(c, LANDING_PAGE_TYPE);
	json_t *rec = NULL;
	const char *domain, *uri;
	sbx_err e = SBX_ERR_INIT;
	long long id;

	if (!t || sbx_arg_int(c, "id", SBX_REQUIRED, 1, LLONG_MAX, &id) < 0)
		return;
	if (sbx_record_get(c->ctx->store, t, id, NULL, &rec, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	domain = str_of(rec, "domain");
	uri = str_of(rec, "uri_id");
	/* No domain: the account's own pages host (UNCONFIRMED, the example's shape). */
	sbx_reply(c, json_sprintf("%s://%s/%s",
	                          strcmp(str_of(rec, "ssl_enabled"), "1") ? "http" : "https",
	                          *domain ? domain : "sandbox.ontraport.com",
	                          *uri ? uri : str_of(rec, "id")));
	json_decref(rec);
}

const sbx_route sbx_routes_forms[] = {
    {"GET", "/1/Form/getAllFormBlocks", all_blocks, 0},
    {"GET", "/1/Form/getBlocksByFormName", blocks_by_name, 0},
    {"GET", "/1/form", form_get, 0},
    {"GET", "/1/landingPage/getHostedURL", hosted_url, 0},
    {NULL, NULL, NULL, 0},
};
