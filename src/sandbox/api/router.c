/* router: matching a request to a route, and dispatch (see sbx_router.h). */
#include "sbx_router.h"

#include <stdio.h>
#include <string.h>

#include "util.h"
#include "banned.h"

typedef struct seg {
	const char *p;
	size_t n;
} seg;

/* Split "/a/b/" into segments; a single trailing slash is ignored. -1 when too many/long. */
static int split(const char *path, seg *out, size_t max)
{
	size_t n = 0;
	const char *p = path;

	if (*p != '/')
		return -1;
	p++;
	if (!*p)
		return 0;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (n >= max || len > SBX_MAX_SEGMENT)
			return -1;
		out[n].p = p;
		out[n].n = len;
		n++;
		if (!slash || !slash[1])
			break;
		p = slash + 1;
	}
	return (int)n;
}

/* Whether route pattern `pat` matches the path segments; sets *ot for a placeholder. */
static int path_matches(const char *pat, const seg *segs, int nsegs, sbx_type_lookup lookup,
                        void *arg, const sbx_otype **ot)
{
	seg ps[SBX_MAX_SEGMENTS];
	int n = split(pat, ps, SBX_MAX_SEGMENTS), i;

	*ot = NULL;
	if (n != nsegs)
		return 0;
	for (i = 0; i < n; i++) {
		int plural = -1;
		if (ps[i].n == 6 && !memcmp(ps[i].p, "{type}", 6))
			plural = 0;
		else if (ps[i].n == 7 && !memcmp(ps[i].p, "{types}", 7))
			plural = 1;
		if (plural >= 0) {
			if (!segs[i].n || !lookup ||
			    !(*ot = lookup(arg, segs[i].p, segs[i].n, plural)))
				return 0;
		} else if (ps[i].n != segs[i].n || !util_strnieq(ps[i].p, segs[i].p, segs[i].n)) {
			return 0;
		}
	}
	return 1;
}

static int method_matches(const char *route, const char *method)
{
	if (!strcmp(route, method))
		return 1;
	return !strcmp(method, "HEAD") && !strcmp(route, "GET");
}

static void add_allow(sbx_match *m, const char *method)
{
	size_t len = strlen(m->allow);
	const char *p = m->allow;

	/* Already listed? (compare whole entries) */
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == strlen(method) && !strncmp(p, method, n))
			return;
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	snprintf(m->allow + len, sizeof m->allow - len, "%s%s", len ? ", " : "", method);
}

int sbx_route_match(const sbx_route *const *tables, const char *method, const char *path,
                    sbx_type_lookup lookup, void *lookup_arg, sbx_match *m)
{
	seg segs[SBX_MAX_SEGMENTS];
	int nsegs, pass;
	size_t t;

	memset(m, 0, sizeof *m);
	nsegs = split(path, segs, SBX_MAX_SEGMENTS);
	if (nsegs < 0)
		return 404;
	/* Pass 0: literal routes; pass 1: routes with {type}/{types}. A literal route for
	 * the path wins even when it was declared after a placeholder one. */
	for (pass = 0; pass < 2; pass++) {
		for (t = 0; tables[t]; t++) {
			const sbx_route *r;
			for (r = tables[t]; r->method; r++) {
				const sbx_otype *ot;
				int has_ph = strchr(r->path, '{') != NULL;
				if (has_ph != pass)
					continue;
				if (!path_matches(r->path, segs, nsegs, lookup, lookup_arg, &ot))
					continue;
				if (method_matches(r->method, method)) {
					m->route = r;
					m->otype = ot;
					m->allow[0] = '\0';
					return 200;
				}
				add_allow(m, r->method);
			}
		}
	}
	return m->allow[0] ? 405 : 404;
}

/*
 * Whether the API takes this method anywhere. It takes GET, POST, PUT and
 * DELETE (HEAD as GET): its status table has no 405, and a verb an object
 * type does not take is a 403. What it answers to another method (PATCH) is
 * UNCONFIRMED (docs/sandbox.md): the sandbox answers 403 as for such a verb.
 */
static int api_method(const char *method)
{
	static const char *const verbs[] = {"GET", "HEAD", "POST", "PUT", "DELETE"};
	size_t i;

	for (i = 0; i < sizeof verbs / sizeof *verbs; i++)
		if (!strcmp(method, verbs[i]))
			return 1;
	return 0;
}

static const sbx_otype *store_lookup(void *arg, const char *name, size_t len, int plural)
{
	return sbx_store_type_by_name(arg, name, len, plural);
}

void sbx_router_dispatch(sbx_call *c, const sbx_route *const *tables)
{
	sbx_store *st = c->ctx->store;
	char shown[80], method[32];
	sbx_match m;
	int rc;

	sbx_store_lock(st);
	rc = sbx_route_match(tables, c->req->method, c->req->path, store_lookup, st, &m);
	if (rc == 200) {
		c->otype = m.otype;
		m.route->handler(c);
		if (!c->resp->status)
			sbx_resp_text(c->resp, 500,
			              "Internal Server Error: the handler gave no answer");
	} else if (rc == 405 && !api_method(c->req->method)) {
		sbx_resp_text(c->resp, 403, "Forbidden: the API does not take %s (%s takes %s)",
		              sbx_clip(c->req->method, method, sizeof method),
		              sbx_clip(c->req->path, shown, sizeof shown), m.allow);
	} else if (rc == 405) {
		sbx_resp_text(c->resp, 405, "Method Not Allowed: %s is not accepted by %s (use %s)",
		              sbx_clip(c->req->method, method, sizeof method),
		              sbx_clip(c->req->path, shown, sizeof shown), m.allow);
		sbx_resp_header(c->resp, "Allow", "%s", m.allow);
	} else {
		sbx_resp_text(c->resp, 404, "Not Found: no endpoint %s",
		              sbx_clip(c->req->path, shown, sizeof shown));
	}
	sbx_store_unlock(st);
}
