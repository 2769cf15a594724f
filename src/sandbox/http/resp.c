/* resp: response bodies -- the Ontraport envelope and plain-text errors. */
#include "sbx_resp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "banned.h"

void sbx_resp_init(sbx_resp *r)
{
	memset(r, 0, sizeof *r);
}

void sbx_resp_release(sbx_resp *r)
{
	util_buf_release(&r->body);
}

static void set_text(sbx_resp *r, int status, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void set_text(sbx_resp *r, int status, const char *fmt, va_list ap)
{
	util_buf_clear(&r->body);
	r->status = status;
	r->content_type = SBX_CT_TEXT;
	if (util_buf_vprintf(&r->body, fmt, ap) < 0) {
		util_buf_clear(&r->body);
		util_buf_puts(&r->body, "Internal Server Error");
	}
}

void sbx_resp_text(sbx_resp *r, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_text(r, status, fmt, ap);
	va_end(ap);
}

void sbx_resp_err(sbx_resp *r, const sbx_err *e)
{
	if (e && e->status)
		sbx_resp_text(r, e->status, "%s", e->text);
	else
		sbx_resp_text(r, 500, "Internal Server Error");
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
	return util_buf_append(data, buffer, size);
}

void sbx_resp_json(sbx_resp *r, json_t *v)
{
	util_buf_clear(&r->body);
	if (!v || json_dump_callback(v, dump_cb, &r->body, JSON_COMPACT | JSON_ENCODE_ANY) < 0) {
		json_decref(v);
		sbx_resp_text(r, 500, "Internal Server Error: could not encode the response");
		return;
	}
	json_decref(v);
	r->status = 200;
	r->content_type = SBX_CT_JSON;
}

void sbx_resp_envelope(sbx_resp *r, long account_id, json_t *data, unsigned flags)
{
	util_buf *b = &r->body;

	util_buf_clear(b);
	/* Written piecewise so the (possibly large) data is not copied into a wrapper. */
	util_buf_puts(b, "{\"code\":0");
	if (!(flags & SBX_ENV_NODATA)) {
		util_buf_puts(b, ",\"data\":");
		if (!data ||
		    json_dump_callback(data, dump_cb, b, JSON_COMPACT | JSON_ENCODE_ANY) < 0) {
			json_decref(data);
			sbx_resp_text(r, 500,
			              "Internal Server Error: could not encode the response");
			return;
		}
	}
	json_decref(data);
	util_buf_printf(b, ",\"account_id\":%ld", account_id);
	if (flags & SBX_ENV_MISC)
		util_buf_puts(b, ",\"misc\":[]");
	util_buf_putc(b, '}');
	if (util_buf_failed(b)) {
		sbx_resp_text(r, 500, "Internal Server Error: out of memory");
		return;
	}
	r->status = 200;
	r->content_type = SBX_CT_JSON;
}

void sbx_resp_envelope_text(sbx_resp *r, long account_id, const char *data, size_t len,
                            unsigned flags)
{
	util_buf *b = &r->body;

	util_buf_clear(b);
	util_buf_puts(b, "{\"code\":0");
	if (!(flags & SBX_ENV_NODATA)) {
		util_buf_puts(b, ",\"data\":");
		util_buf_append(b, data, len);
	}
	util_buf_printf(b, ",\"account_id\":%ld", account_id);
	if (flags & SBX_ENV_MISC)
		util_buf_puts(b, ",\"misc\":[]");
	util_buf_putc(b, '}');
	if (util_buf_failed(b)) {
		sbx_resp_text(r, 500, "Internal Server Error: out of memory");
		return;
	}
	r->status = 200;
	r->content_type = SBX_CT_JSON;
}

int sbx_resp_header(sbx_resp *r, const char *name, const char *fmt, ...)
{
	sbx_hdr *h = NULL;
	va_list ap;
	size_t i;
	int n;

	if (strlen(name) >= sizeof h->name)
		return -1;
	for (i = 0; i < r->nheaders; i++)
		if (util_strieq(r->headers[i].name, name))
			h = &r->headers[i];
	if (!h) {
		if (r->nheaders >= SBX_RESP_MAX_HEADERS)
			return -1;
		h = &r->headers[r->nheaders++];
		snprintf(h->name, sizeof h->name, "%s", name);
	}
	va_start(ap, fmt);
	n = vsnprintf(h->value, sizeof h->value, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= sizeof h->value ? -1 : 0;
}

const char *sbx_resp_get_header(const sbx_resp *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (util_strieq(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}
