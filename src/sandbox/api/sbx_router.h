/*
 * sbx_router: matching a request to a route, and dispatching it.
 *
 * The router names no resource: the server hands it the table of route
 * tables (sbx_routes.h, defined in routes.c above every resource), and the
 * handlers work through sbx_call.h, below both.
 *
 * Path patterns are split on '/'. Literal segments match case-insensitively
 * (reference §1.1). Two placeholders stand for Ontraport's named endpoints:
 * "{type}" matches an object type's singular endpoint name ("Contact",
 * "Message") and "{types}" its plural ("Contacts"); the type lands in
 * c->otype. A route without placeholders wins over one with them, so
 * POST /1/message (messages.c) can override the generic POST /1/{types}.
 */
#ifndef SBX_ROUTER_H
#define SBX_ROUTER_H

#include "sbx_call.h"

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
 * Take the store lock, match c->req against the NULL-terminated list of route
 * tables (sbx_route_tables), run the handler (or answer 404/405), release the
 * lock. Afterwards c->resp holds the answer (a handler that set nothing
 * becomes a 500).
 */
void sbx_router_dispatch(sbx_call *c, const sbx_route *const *tables);

#endif
