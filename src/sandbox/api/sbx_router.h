/*
 * sbx_router: route tables, matching, and what a handler works with.
 *
 * Adding a resource = adding one file, e.g. src/sandbox/api/tags.c, that defines
 *
 *     const sbx_route sbx_routes_tags[] = {
 *             {"PUT", "/1/objects/tag", put_tag, 0},
 *             {NULL, NULL, NULL, 0},
 *     };
 *
 * and listing sbx_routes_tags in router.c's table of tables (and its extern
 * below). Handlers are `void fn(sbx_call *c)`: read parameters with the
 * sbx_arg_* helpers (which answer 400 themselves and return -1), do the work
 * through sbx_store.h, then answer with sbx_reply*() or sbx_fail().
 *
 * Path patterns are split on '/'. Literal segments match case-insensitively
 * (reference §1.1). Two placeholders stand for Ontraport's named endpoints:
 * "{type}" matches an object type's singular endpoint name ("Contact",
 * "Message") and "{types}" its plural ("Contacts"); the type lands in
 * c->otype. A route without placeholders wins over one with them, so
 * POST /1/message (messages.c, later) can override the generic
 * POST /1/{types}.
 *
 * Every handler runs with the store locked (one request at a time in the
 * store), so it must never block on the network; queue outbound work (webhook
 * deliveries) for another thread instead.
 */
#ifndef SBX_ROUTER_H
#define SBX_ROUTER_H

#include <jansson.h>

#include "sbx_params.h"
#include "sbx_req.h"
#include "sbx_ctx.h"
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

/* The route tables, one per resource file. */
extern const sbx_route sbx_routes_objects[];       /* objects.c: reads, create */
extern const sbx_route sbx_routes_writes[];        /* writes.c: update, delete, saveorupdate */
extern const sbx_route sbx_routes_tags[];          /* tags.c */
extern const sbx_route sbx_routes_subscriptions[]; /* subscriptions.c */
extern const sbx_route sbx_routes_control[];
extern const sbx_route sbx_routes_messages[]; /* messages.c */
extern const sbx_route sbx_routes_rules[];    /* rules.c */
extern const sbx_route sbx_routes_webhooks[]; /* webhooks.c: subscriptions, deliveries, forms */
extern const sbx_route sbx_routes_faults[];   /* ctl_faults.c */

/* ---- matching (pure, unit-tested) ---- */

#define SBX_MAX_SEGMENTS 8  /* path segments; deeper paths are 404 */
#define SBX_MAX_SEGMENT 128 /* bytes per segment */

/* Resolve a {type} (plural = 0) or {types} (plural = 1) segment; NULL = no such type. */
typedef const sbx_otype *(*sbx_type_lookup)(void *arg, const char *name, size_t len, int plural);

typedef struct sbx_match {
	const sbx_route *route; /* the winner, or NULL */
	const sbx_otype *otype; /* what its placeholder named, or NULL */
	char allow[64];         /* on 405: the methods the path does accept ("GET, POST") */
} sbx_match;

/*
 * Find the route for method + path in the NULL-terminated list of tables.
 * HEAD matches GET routes. Returns 200 (m->route set), 405 (the path exists
 * with other methods, listed in m->allow) or 404.
 */
int sbx_route_match(const sbx_route *const *tables, const char *method, const char *path,
                    sbx_type_lookup lookup, void *lookup_arg, sbx_match *m);

/*
 * Take the store lock, match c->req against every route table, run the
 * handler (or answer 404/405), release the lock. Afterwards c->resp holds the
 * answer (a handler that set nothing becomes a 500).
 */
void sbx_router_dispatch(sbx_call *c);

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
