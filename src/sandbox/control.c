/*
 * control: the sandbox's own API under /_sandbox/, for tests, demos and
 * benchmarks. Needs X-Sandbox-Token (server.c checks it); never rate-limited,
 * never counted in the stats. Replies are plain JSON (no Ontraport envelope);
 * errors are plain text like the rest.
 */
#include <stdio.h>
#include <string.h>

#include "sbx_ratelimit.h"
#include "sbx_router.h"
#include "sbx_stats.h"

#define SEED_MAX 10000000LL  /* contacts per seed call */
#define FIXTURES_MAX 10000   /* records per seed/objects call */

/* POST /_sandbox/reset: seeded data, zero counters, an empty rate window. */
static void ctl_reset(sbx_call *c)
{
	sbx_err e = SBX_ERR_INIT;

	if (sbx_store_reset(c->ctx->store, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	sbx_stats_reset(c->ctx->stats);
	sbx_ratelimit_reset(c->ctx->limiter);
	sbx_resp_json(c->resp, json_pack("{s:b}", "reset", 1));
}

/* GET /_sandbox/stats */
static void ctl_stats(sbx_call *c)
{
	sbx_resp_json(c->resp, sbx_stats_json(c->ctx->stats));
}

/* GET /_sandbox/requests[?limit=N] (default 100): the last N API requests, oldest first. */
static void ctl_requests(sbx_call *c)
{
	long long limit = 100;

	if (sbx_arg_int(c, "limit", SBX_OPTIONAL, 0, SBX_LOG_MAX, &limit) < 0)
		return;
	sbx_resp_json(c->resp, sbx_stats_log_json(c->ctx->stats, (size_t)limit));
}

/* Synthetic contact number `base + index`. */
static void fill_contact(void *arg, long long index, char **vals, size_t n)
{
	long long i = *(const long long *)arg + index;

	(void)n;
	snprintf(vals[0], SBX_FILL_MAX, "First%lld", i);
	snprintf(vals[1], SBX_FILL_MAX, "Last%lld", i);
	snprintf(vals[2], SBX_FILL_MAX, "contact%lld@example.com", i);
}

/* The id the next contact will get (AUTOINCREMENT never reuses ids). */
static long long next_id(sbx_store *st, const sbx_otype *t)
{
	sqlite3_stmt *s;
	long long next = 1;

	if (sqlite3_prepare_v2(sbx_store_db(st), "SELECT seq FROM sqlite_sequence WHERE name=?", -1,
	                       &s, NULL) != SQLITE_OK)
		return next;
	sqlite3_bind_text(s, 1, t->table, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		next = sqlite3_column_int64(s, 0) + 1;
	sqlite3_finalize(s);
	return next;
}

/*
 * POST /_sandbox/seed/contacts?count=N: N contacts in one transaction; contact
 * with id K is FirstK LastK <contactK@example.com> (when ids are not shared
 * with contacts created otherwise during the call, which the store lock
 * guarantees).
 */
static void ctl_seed_contacts(sbx_call *c)
{
	static const char *const names[] = {"firstname", "lastname", "email"};
	const sbx_otype *t = sbx_store_type(c->ctx->store, 0);
	long long count, first, base;
	sbx_err e = SBX_ERR_INIT;

	if (sbx_arg_int(c, "count", SBX_REQUIRED, 1, SEED_MAX, &count) < 0)
		return;
	if (!t) {
		sbx_fail(c, 500, "Internal Server Error: no contact type");
		return;
	}
	base = next_id(c->ctx->store, t);
	if (sbx_record_insert_bulk(c->ctx->store, t, names, 3, count, fill_contact, &base, &first,
	                           &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	sbx_resp_json(c->resp, json_pack("{s:I, s:I, s:I}", "created", (json_int_t)count,
	                                 "first_id", (json_int_t)first, "last_id",
	                                 (json_int_t)(first + count - 1)));
}

/*
 * POST /_sandbox/seed/objects with {"objectID": N, "records": [{field: value}, ...]}:
 * fixtures for any type, bypassing the type's access rules and read-only flags
 * (so tests can create messages, tasks, ...). Reply {"ids": [..]}. All or nothing.
 */
static void ctl_seed_objects(sbx_call *c)
{
	sbx_store *st = c->ctx->store;
	const sbx_otype *t;
	json_t *records = json_object_get(c->params, "records"), *rec, *ids;
	sbx_err e = SBX_ERR_INIT;
	size_t i;

	if (sbx_call_otype(c, &t) < 0)
		return;
	if (!json_is_array(records) || json_array_size(records) > FIXTURES_MAX) {
		sbx_fail(c, 400, "Invalid records: expected a JSON array of at most %d objects",
		         FIXTURES_MAX);
		return;
	}
	ids = json_array();
	if (!ids || sbx_store_begin(st, &e) < 0) {
		json_decref(ids);
		sbx_fail_err(c, &e);
		return;
	}
	json_array_foreach(records, i, rec) {
		long long id;
		if (!json_is_object(rec)) {
			sbx_err_set(&e, 400, "Invalid records[%zu]: expected an object", i);
			break;
		}
		if (sbx_record_insert(st, t, rec, SBX_REC_RAW, &id, NULL, &e) < 0)
			break;
		json_array_append_new(ids, json_integer(id));
	}
	if (e.status)
		sbx_store_rollback(st);
	if (e.status || sbx_store_commit(st, &e) < 0) { /* a failed commit rolls back itself */
		json_decref(ids);
		sbx_fail_err(c, &e);
		return;
	}
	sbx_resp_json(c->resp, json_pack("{s:o}", "ids", ids));
}

const sbx_route sbx_routes_control[] = {
	{"POST", "/_sandbox/reset", ctl_reset, 0},
	{"GET", "/_sandbox/stats", ctl_stats, 0},
	{"GET", "/_sandbox/requests", ctl_requests, 0},
	{"POST", "/_sandbox/seed/contacts", ctl_seed_contacts, 0},
	{"POST", "/_sandbox/seed/objects", ctl_seed_objects, 0},
	{NULL, NULL, NULL, 0},
};
