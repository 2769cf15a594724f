/*
 * sbx_req: one HTTP request as the sandbox sees it, and its parameters.
 *
 * server.c fills an sbx_req from libmicrohttpd; tests fill one by hand. Nothing
 * here does I/O: sbx_req_parse_params() turns the raw query string and body
 * into ONE jansson object (req->params) that every handler reads through the
 * typed getters of sbx_params.h.
 */
#ifndef SBX_REQ_H
#define SBX_REQ_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"
#include "sbx_err.h"

#define SBX_MAX_BODY_DEFAULT ((size_t)8 << 20) /* request body cap (413 beyond) */
#define SBX_MAX_HEADERS 100                    /* request headers (431 beyond) */
#define SBX_MAX_ARGS 10000                     /* query arguments (400 beyond) */
#define SBX_MAX_JSON_DEPTH 64                  /* nesting of JSON bodies and values */

typedef struct sbx_kv {
	const char *key;
	const char *value; /* NULL for a query argument given without '=' */
} sbx_kv;

typedef struct sbx_req {
	const char *method; /* borrowed: "GET", "POST", ... */
	const char *path;   /* borrowed: percent-decoded path, no query string */
	const char *query;  /* borrowed: raw query string after '?', or NULL */
	sbx_kv *args;       /* query arguments as decoded by MHD, repeats kept; owned array */
	size_t nargs, args_alloc;
	int args_overflow;               /* more than SBX_MAX_ARGS were given */
	sbx_kv headers[SBX_MAX_HEADERS]; /* borrowed strings */
	size_t nheaders;
	int headers_overflow; /* more than SBX_MAX_HEADERS were given */
	util_buf body;        /* owned raw body; body.cap is the size cap */
	json_t *params;       /* owned; NULL until sbx_req_parse_params() */
} sbx_req;

/* Initialise r with a body cap of max_body bytes (0 = SBX_MAX_BODY_DEFAULT). */
void sbx_req_init(sbx_req *r, size_t max_body);
/* Free what r owns (borrowed strings are untouched). */
void sbx_req_release(sbx_req *r);

/* Record a header / query argument (strings borrowed). -1 once over the cap. */
int sbx_req_add_header(sbx_req *r, const char *name, const char *value);
int sbx_req_add_arg(sbx_req *r, const char *key, const char *value);

/* First header named `name` (ASCII case-insensitive), or NULL. Borrowed. */
const char *sbx_req_header(const sbx_req *r, const char *name);

/*
 * Build r->params: the query string decoded with PHP bracket expansion
 * (util_form_decode), then the body's top-level keys on top (the body wins a
 * name given in both), decoded per Content-Type:
 *   application/json                   a JSON object (anything else is 400)
 *   application/x-www-form-urlencoded  form decoding
 *   other or missing, non-empty body   JSON object if it parses, else form
 * Empty bodies add nothing. Returns 0, or -1 with e set to a 400 that names
 * the problem (malformed JSON, too deep, bad form encoding).
 */
int sbx_req_parse_params(sbx_req *r, sbx_err *e);

/* Whether every array/object in v is nested at most max_depth deep. */
int sbx_json_depth_ok(const json_t *v, int max_depth);

#endif
