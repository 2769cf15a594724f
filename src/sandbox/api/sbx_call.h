/*
 * sbx_call: what a handler works with -- the call, the route type, and the
 * helpers that read parameters (answering 400 themselves) and answer.
 *
 * Adding a resource = adding one file, e.g. src/sandbox/api/tags.c, that
 * includes this header and sbx_routes.h and defines
 *
 *     const sbx_route sbx_routes_tags[] = {
 *             {"PUT", "/1/objects/tag", put_tag, 0},
 *             {NULL, NULL, NULL, 0},
 *     };
 *
 * then declaring it in sbx_routes.h and listing it in routes.c. Handlers are
 * `void fn(sbx_call *c)`: read parameters with the sbx_arg_* helpers (which
 * answer 400 themselves and return -1), do the work through sbx_store.h, then
 * answer with sbx_reply*() or sbx_fail().
 *
 * Every handler runs with the store locked (one request at a time in the
 * store), so it must never block on the network; queue outbound work (webhook
 * deliveries) for another thread instead.
 */
#ifndef SBX_CALL_H
#define SBX_CALL_H

#include <jansson.h>

#include "sbx_ctx.h"
#include "sbx_params.h"
#include "sbx_req.h"
#include "sbx_resp.h"
#include "sbx_store.h"

/* One request being handled. */
typedef struct sbx_call {
	sbx_ctx *ctx;
	sbx_req *req;
	json_t *params; /* == req->params: the unified parameters (may be modified) */
	sbx_resp *resp;
	const sbx_otype *otype; /* the type a {type}/{types} segment named, else NULL */
} sbx_call;

typedef void (*sbx_handler)(sbx_call *c);

typedef struct sbx_route {
	const char *method; /* "GET", "POST", "PUT", "DELETE"; NULL ends a table */
	const char *path;   /* "/1/objects/meta", "/1/{types}/getInfo", "/_sandbox/reset" */
	sbx_handler handler;
	unsigned flags; /* reserved for per-route switches; 0 for now */
} sbx_route;

/* ---- helpers for handlers ---- */

/* Parameter getters that answer 400 on bad input (see sbx_params.h for the
 * return values: 0 given, 1 absent, -1 failed and answered). */
int sbx_arg_str(sbx_call *c, const char *name, int required, const char **out);
int sbx_arg_int(sbx_call *c, const char *name, int required, long long min, long long max,
                long long *out);
int sbx_arg_bool(sbx_call *c, const char *name, int required, int *out);
int sbx_arg_list(sbx_call *c, const char *name, int required, json_t **out);
int sbx_arg_ids(sbx_call *c, const char *name, int required, sbx_ids *out);
int sbx_arg_json(sbx_call *c, const char *name, int required, json_t **out);

/*
 * The object type of this call: c->otype when the path named one, else the
 * required `objectID` parameter (missing or not a number -> 400, unknown type
 * -> 400 "Invalid objectID '9999': no such object type"). -1 when answered.
 */
int sbx_call_otype(sbx_call *c, const sbx_otype **out);

/*
 * Delete the record of type t (NULL: already answered) that the required `id`
 * parameter names. 0 when deleted (the caller replies); -1 when answered
 * (400 bad id, 404 no such record, 500).
 */
int sbx_delete_by_id(sbx_call *c, const sbx_otype *t);

/* Answers. Each steals `data`. */
void sbx_reply(sbx_call *c, json_t *data);      /* {code, data, account_id} */
void sbx_reply_list(sbx_call *c, json_t *data); /* ... plus "misc": [] */
void sbx_reply_nodata(sbx_call *c);             /* {code, account_id} */
/* data given as JSON text (e.g. from sbx_record_get_text); env = SBX_ENV_* flags. */
void sbx_reply_jsontext(sbx_call *c, const util_buf *data, unsigned env);
/* A plain-text error; returns -1 so handlers can `return sbx_fail(...)`. */
int sbx_fail(sbx_call *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int sbx_fail_err(sbx_call *c, const sbx_err *e);

#endif
