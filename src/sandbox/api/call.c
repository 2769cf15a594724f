/* call: the helpers handlers answer with (see sbx_call.h). */
#include "sbx_call.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

#include "banned.h"

int sbx_fail(sbx_call *c, int status, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	sbx_resp_text(c->resp, status, "%s", text);
	return -1;
}

int sbx_fail_err(sbx_call *c, const sbx_err *e)
{
	sbx_resp_err(c->resp, e);
	return -1;
}

/* Turn a getter's result into the call's answer on failure. */
static int answered(sbx_call *c, int rc, const sbx_err *e)
{
	if (rc < 0)
		sbx_fail_err(c, e);
	return rc;
}

int sbx_arg_str(sbx_call *c, const char *name, int required, const char **out)
{
	sbx_err e = SBX_ERR_INIT;
	return answered(c, sbx_param_str(c->params, name, required, out, &e), &e);
}

int sbx_arg_int(sbx_call *c, const char *name, int required, long long min, long long max,
                long long *out)
{
	sbx_err e = SBX_ERR_INIT;
	return answered(c, sbx_param_int(c->params, name, required, min, max, out, &e), &e);
}

int sbx_arg_bool(sbx_call *c, const char *name, int required, int *out)
{
	sbx_err e = SBX_ERR_INIT;
	return answered(c, sbx_param_bool(c->params, name, required, out, &e), &e);
}

int sbx_arg_list(sbx_call *c, const char *name, int required, json_t **out)
{
	sbx_err e = SBX_ERR_INIT;
	return answered(c, sbx_param_list(c->params, name, required, out, &e), &e);
}

int sbx_arg_ids(sbx_call *c, const char *name, int required, sbx_ids *out)
{
	sbx_err e = SBX_ERR_INIT;
	return answered(c, sbx_param_ids(c->params, name, required, out, &e), &e);
}

int sbx_arg_json(sbx_call *c, const char *name, int required, json_t **out)
{
	sbx_err e = SBX_ERR_INIT;
	return answered(c, sbx_param_json(c->params, name, required, out, &e), &e);
}

int sbx_call_otype(sbx_call *c, const sbx_otype **out)
{
	long long id;

	if (c->otype) {
		*out = c->otype;
		return 0;
	}
	if (sbx_arg_int(c, "objectID", SBX_REQUIRED, LLONG_MIN, LLONG_MAX, &id) < 0)
		return -1;
	*out = sbx_store_type(c->ctx->store, id);
	if (!*out)
		return sbx_fail(c, 400, "Invalid objectID '%lld': no such object type", id);
	return 0;
}

int sbx_delete_by_id(sbx_call *c, const sbx_otype *t)
{
	long long id;
	sbx_err e = SBX_ERR_INIT;

	if (!t || sbx_arg_int(c, "id", SBX_REQUIRED, 1, LLONG_MAX, &id) < 0)
		return -1;
	if (sbx_record_delete(c->ctx->store, t, id, &e) < 0)
		return sbx_fail_err(c, &e);
	return 0;
}

void sbx_reply(sbx_call *c, json_t *data)
{
	sbx_resp_envelope(c->resp, c->ctx->account_id, data, 0);
}

void sbx_reply_list(sbx_call *c, json_t *data)
{
	sbx_resp_envelope(c->resp, c->ctx->account_id, data, SBX_ENV_MISC);
}

void sbx_reply_nodata(sbx_call *c)
{
	sbx_resp_envelope(c->resp, c->ctx->account_id, NULL, SBX_ENV_NODATA);
}

void sbx_reply_jsontext(sbx_call *c, const util_buf *data, unsigned env)
{
	sbx_resp_envelope_text(c->resp, c->ctx->account_id, data->data ? data->data : "null",
	                       data->data ? data->len : 4, env);
}
