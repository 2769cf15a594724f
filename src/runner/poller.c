/*
 * poller: what the poll trigger (poll.c) and `ontraport watch --poll` share
 * (runner.h, "The poller"). Pages one object type by date last modified
 * (dlm, Unix seconds), compares each object's watched fields with the
 * values it saw last time, and hands each changed object to the caller's
 * store, which commits what the change means (a run, queued events) with
 * the object's new snapshot.
 *
 * The state, kept by the caller's store:
 *   "poll.cursor"     {"type": T, "dlm": D, "after": K[, "base": 1]}: every
 *                     object with dlm < D was handled, and of those with
 *                     dlm == D the ids <= K (K = 0: none yet, or all of
 *                     them, see below); "base" while a full baseline is
 *                     still being read
 *   "poll.snap.<id>"  {"t": T, "dlm": D, "v": {field: value}}: the watched
 *                     values last seen for the object (a field missing from
 *                     "v" was not watched then: it is not compared until
 *                     it is recorded)
 * An object's change and its new snapshot commit in one transaction, and
 * the cursor moves only past objects already committed, so a crash or a
 * restart reads some objects again and finds them equal to their snapshot:
 * nothing is reported twice and nothing is skipped.
 *
 * Ties: dlm has a resolution of one second, so a page of 50 may end in the
 * middle of the objects sharing a dlm. When a page is full, the objects
 * below its last dlm D are handled, then the objects with dlm == D are read
 * apart, by id ("dlm = D AND id > K", sort id), then paging goes on above D.
 * A write can still land on the cursor's second after it was read, so the
 * next poll reads from dlm >= D again (the snapshots make that harmless),
 * until D is POLL_SETTLE_S old by the local clock.
 *
 * The rate share: every request (counted from the client's stats around
 * each call, retries included) is remembered for a minute; a page is only
 * asked for while fewer than share * limit were sent in the last minute.
 * A poll that stops for the share goes on from its cursor next time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner.h"
#include "util.h"
#include "banned.h"

#define POLL_PAGE 50           /* the API's largest page */
#define POLL_DEFAULT_LIMIT 180 /* Ontraport's documented requests a minute */
#define POLL_WINDOW_MS 60000LL /* the rate limit's window */
#define POLL_BUDGET_MAX 1024   /* requests remembered (a budget above this is cut) */
#define POLL_SETTLE_S 300      /* a dlm this old gets no more writes */
#define POLL_DEFAULT_SHARE 0.2
#define POLL_KEY_MAX 64

struct run_poller {
	run_poller_config cfg; /* get, set, ud; type and fields copied below */
	char *type_name;
	double share;
	int ready; /* type and fields resolved (on the first poll) */
	int type;
	char **names; /* the watched fields' names; NULL = every field */
	char **keys;  /* as the scenario wrote them (changes are keyed by these) */
	size_t nfields;
	char **wanted; /* the fields named in the config (copies); NULL = every field */
	long limit;    /* the account's requests a minute */
	int64_t sent[POLL_BUDGET_MAX]; /* when requests were sent (ms), oldest first */
	size_t nsent;
	int64_t started_ms; /* the last poll's start, 0 before the first */
	int more;           /* the last poll stopped for the share: more to read */
	char desc[200];
};

typedef struct cursor {
	long long dlm, after;
	int base; /* a full baseline is being read: snapshots only */
} cursor;

/* Fields never compared when every field is watched: the cursor itself, and a clock. */
static const char *const unwatched_[] = {"id", "dlm", "time_since_dla", NULL};

/* ---------------------------------------------------------------- share */

static size_t budget(const run_poller *p)
{
	double b = floor(p->share * (double)p->limit);
	if (b < 1)
		return 1;
	return b > POLL_BUDGET_MAX ? POLL_BUDGET_MAX : (size_t)b;
}

static void forget_old(run_poller *p, int64_t now)
{
	size_t k = 0;

	while (k < p->nsent && p->sent[k] <= now - POLL_WINDOW_MS)
		k++;
	memmove(p->sent, p->sent + k, (p->nsent - k) * sizeof *p->sent);
	p->nsent -= k;
}

static int has_room(run_poller *p)
{
	forget_old(p, util_now_ms());
	return p->nsent < budget(p);
}

static void fmt_every(long long s, char *out, size_t outsz)
{
	static const struct {
		long long secs;
		char unit;
	} units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < 4 && len + 1 < outsz; i++)
		if (s >= units[i].secs || (i == 3 && len == 0)) {
			int n = snprintf(out + len, outsz - len, "%lld%c", s / units[i].secs,
			                 units[i].unit);
			s %= units[i].secs;
			len += n > 0 ? (size_t)n : 0;
		}
}

static void describe_update(run_poller *p)
{
	char every[32];

	fmt_every(p->cfg.every_s, every, sizeof every);
	snprintf(
	    p->desc, sizeof p->desc,
	    "polls %s every %s, using at most %zu of the account's %ld requests a minute (%.0f%%)",
	    p->type_name, every, budget(p), p->limit, p->share * 100.0);
}

/* Remember the requests c sent since `before` (its stats' count), and the limit it was told. */
static void spend(run_poller *p, ontra_client *c, unsigned long before)
{
	ontra_client_stats st;
	ontra_rate_limit rl;
	int64_t now = util_now_ms();

	ontra_client_stats_get(c, &st);
	for (unsigned long n = st.requests - before; n > 0; n--) {
		if (p->nsent ==
		    POLL_BUDGET_MAX) { /* retries beyond the largest budget: drop the oldest */
			memmove(p->sent, p->sent + 1, (p->nsent - 1) * sizeof *p->sent);
			p->nsent--;
		}
		p->sent[p->nsent++] = now;
	}
	ontra_client_rate_limit(c, &rl);
	if (rl.limit > 0 && rl.limit != p->limit) {
		p->limit = rl.limit;
		describe_update(p);
	}
}

static unsigned long requests_so_far(const ontra_client *c)
{
	ontra_client_stats st;
	ontra_client_stats_get(c, &st);
	return st.requests;
}

static int lib_err(char *err, size_t errsz, const char *what)
{
	return util_errf(err, errsz, -1, "poll: %s: %s", what, ontra_error_last()->message);
}

/* ------------------------------------------------------------- fields */

/* The field of `fields` (ontra_fields') that `name` names: a name, else an alias (any case). */
static const char *field_named(const json_t *fields, const char *name)
{
	const char *key;
	json_t *f;

	if (json_object_get(fields, name))
		return name;
	json_object_foreach((json_t *)fields, key, f)
	{
		const char *alias = json_string_value(json_object_get(f, "alias"));
		if (alias && !strcmp(alias, name))
			return key;
	}
	json_object_foreach((json_t *)fields, key, f)
	{
		const char *alias = json_string_value(json_object_get(f, "alias"));
		if (util_strieq(key, name) || (alias && util_strieq(alias, name)))
			return key;
	}
	return NULL;
}

static int unknown_field(const json_t *fields, const char *name, const char *type, char *err,
                         size_t errsz)
{
	size_t n = json_object_size(fields) * 2, k = 0;
	const char **cand = calloc(n + 1, sizeof *cand), *key, *near = NULL;
	json_t *f;
	int rc;

	if (cand) {
		json_object_foreach((json_t *)fields, key, f)
		{
			cand[k++] = key;
			if (json_string_value(json_object_get(f, "alias")))
				cand[k++] = json_string_value(json_object_get(f, "alias"));
		}
		near = util_nearest(name, cand, k);
	}
	if (near)
		rc = util_errf(err, errsz, -1,
		               "poll: unknown field '%s' for %s (did you mean '%s'?)", name, type,
		               near);
	else
		rc = util_errf(err, errsz, -1, "poll: unknown field '%s' for %s", name, type);
	free(cand);
	return rc;
}

static int resolve_changed(run_poller *p, const json_t *fields, char *err, size_t errsz)
{
	size_t n = p->cfg.nfields;

	p->names = calloc(n + 1, sizeof *p->names);
	p->keys = calloc(n + 1, sizeof *p->keys);
	if (!p->names || !p->keys)
		return util_errf(err, errsz, -1, "poll: out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *want = p->wanted[i];
		const char *name = want ? field_named(fields, want) : NULL;
		if (!name)
			return unknown_field(fields, want ? want : "?", p->type_name, err, errsz);
		p->names[i] = util_strdup(name);
		p->keys[i] = util_strdup(want);
		p->nfields = i + 1;
		if (!p->names[i] || !p->keys[i])
			return util_errf(err, errsz, -1, "poll: out of memory");
	}
	return 0;
}

/* The type and the watched fields, from the account's metadata (once). */
static int resolve(run_poller *p, ontra_client *c, char *err, size_t errsz)
{
	const char *type = p->type_name;
	const json_t *fields = NULL;
	unsigned long before = requests_so_far(c);
	int rc;

	rc = ontra_object_type(&p->type, c, type);
	if (rc == 0)
		rc = ontra_fields(&fields, c, p->type);
	spend(p, c, before);
	if (rc < 0)
		return lib_err(err, errsz, type);
	if (!json_object_get(fields, "dlm"))
		return util_errf(err, errsz, -1,
		                 "poll: %s have no date last modified (dlm) to page by", type);
	if (p->wanted && resolve_changed(p, fields, err, errsz) < 0)
		return -1;
	p->ready = 1;
	return 0;
}

/* ------------------------------------------------------------- state */

static int load_cursor(run_poller *p, cursor *cur, char *err, size_t errsz)
{
	char *text = NULL;
	json_t *v;
	int rc = p->cfg.get(p->cfg.ud, "poll.cursor", &text, err, errsz);

	if (rc < 0)
		return -1;
	if (rc == 1)
		return 1;
	v = json_loads(text, 0, NULL);
	free(text);
	rc = 1; /* unreadable, or of another type: start again */
	if (json_is_integer(json_object_get(v, "dlm")) &&
	    json_integer_value(json_object_get(v, "type")) == p->type) {
		cur->dlm = json_integer_value(json_object_get(v, "dlm"));
		cur->after = json_integer_value(json_object_get(v, "after"));
		cur->base = json_integer_value(json_object_get(v, "base")) != 0;
		rc = 0;
	}
	json_decref(v);
	return rc;
}

static int save_cursor(run_poller *p, const cursor *cur, char *err, size_t errsz)
{
	char text[128];

	snprintf(text, sizeof text, "{\"type\":%d,\"dlm\":%lld,\"after\":%lld%s}", p->type,
	         cur->dlm, cur->after, cur->base ? ",\"base\":1" : "");
	return p->cfg.set(p->cfg.ud, "poll.cursor", text, NULL, err, errsz) < 0 ? -1 : 0;
}

/* The snapshot of object `id` (new), or NULL when there is none. */
static int load_snap(run_poller *p, long long id, json_t **out, char *err, size_t errsz)
{
	char key[POLL_KEY_MAX], *text = NULL;
	int rc;

	*out = NULL;
	snprintf(key, sizeof key, "poll.snap.%lld", id);
	rc = p->cfg.get(p->cfg.ud, key, &text, err, errsz);
	if (rc < 0)
		return -1;
	if (rc == 0)
		*out = json_loads(text, 0, NULL);
	free(text);
	if (*out && json_integer_value(json_object_get(*out, "t")) != p->type) {
		json_decref(*out); /* of the type polled before: as if there were none */
		*out = NULL;
	}
	return 0;
}

/* ------------------------------------------------------------- objects */

static int rec_ll(const json_t *rec, const char *key, long long *out)
{
	const json_t *v = json_object_get(rec, key);

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	return json_is_string(v) ? util_parse_ll(json_string_value(v), 0, INT64_MAX, out) : -1;
}

static int is_unwatched(const char *name)
{
	for (size_t i = 0; unwatched_[i]; i++)
		if (!strcmp(name, unwatched_[i]))
			return 1;
	return 0;
}

/* The watched values of rec: {name: value}, every field but unwatched_ when none is named. */
static json_t *watched_values(const run_poller *p, const json_t *rec)
{
	json_t *v = json_object(), *val;
	const char *key;

	if (!v)
		return NULL;
	if (!p->names) {
		json_object_foreach((json_t *)rec, key, val)
		{
			if (!is_unwatched(key))
				json_object_set(v, key, val);
		}
		return v;
	}
	for (size_t i = 0; i < p->nfields; i++) {
		val = json_object_get(rec, p->names[i]);
		json_object_set_new(v, p->names[i], val ? json_incref(val) : json_null());
	}
	return v;
}

/* Whether the snapshot lacks a field of `now` (one watched since it was taken). */
static int lacks_field(const json_t *snap, const json_t *now)
{
	const json_t *v = json_object_get(snap, "v");
	const char *name;
	json_t *val;

	json_object_foreach((json_t *)now, name, val)
	{
		if (!json_object_get(v, name))
			return 1;
	}
	return 0;
}

static int same_value(const json_t *a, const json_t *b)
{
	if (!a || json_is_null(a))
		return !b || json_is_null(b);
	return b && json_equal((json_t *)a, (json_t *)b);
}

static int add_change(json_t *changes, const char *key, const json_t *old, json_t *now)
{
	json_t *ch = json_pack("{s:O?, s:O?}", "old", old, "new", now);
	return ch ? json_object_set_new(changes, key, ch) : -1;
}

/*
 * {key: {"old", "new"}} for each watched field whose value differs from the
 * snapshot's `old` (NULL: no snapshot, every old value null; a field the
 * snapshot lacks is skipped).
 */
static json_t *changes_of(const run_poller *p, const json_t *old, const json_t *now)
{
	json_t *changes = json_object(), *val;
	const char *name;
	int rc = 0;

	if (!changes)
		return NULL;
	if (!p->names) {
		json_object_foreach((json_t *)now, name, val)
		{
			const json_t *was = json_object_get(old, name);
			if ((!old || was) && !same_value(was, val) && rc == 0)
				rc = add_change(changes, name, was, val);
		}
	}
	for (size_t i = 0; p->names && i < p->nfields && rc == 0; i++) {
		const json_t *was = json_object_get(old, p->names[i]);
		val = json_object_get(now, p->names[i]);
		if ((!old || was) && !same_value(was, val))
			rc = add_change(changes, p->keys[i], was, val);
	}
	if (rc < 0) {
		json_decref(changes);
		return NULL;
	}
	return changes;
}

/*
 * One object: its snapshot brought up to date, with the change handed to
 * the store when `report` and its watched fields changed, or when it has no
 * snapshot yet (the store tells a new object from an empty change).
 * Without `report` (a baseline) the store gets the snapshot alone.
 */
static int handle(run_poller *p, json_t *rec, int report, size_t *added, char *err, size_t errsz)
{
	long long id, dlm, snap_dlm = -1;
	json_t *snap = NULL, *now = NULL, *changes = NULL, *newsnap = NULL;
	char *snap_text = NULL, key[POLL_KEY_MAX];
	run_poller_change ch;
	int rc = -1;

	if (rec_ll(rec, "id", &id) < 0 || rec_ll(rec, "dlm", &dlm) < 0)
		return util_errf(err, errsz, -1, "poll: a record without a numeric id and dlm");
	if (load_snap(p, id, &snap, err, errsz) < 0)
		return -1;
	if (snap)
		rec_ll(snap, "dlm", &snap_dlm);
	now = watched_values(p, rec);
	changes = now ? changes_of(p, json_object_get(snap, "v"), now) : NULL;
	newsnap = now ? json_pack("{s:i, s:I, s:O}", "t", p->type, "dlm", (json_int_t)dlm, "v", now)
	              : NULL;
	snap_text = newsnap ? json_dumps(newsnap, JSON_COMPACT) : NULL;
	if (!snap_text || !changes) {
		rc = util_errf(err, errsz, -1, "poll: out of memory");
		goto out;
	}
	rc = 0;
	if (snap && json_object_size(changes) == 0) {
		if (!lacks_field(snap, now))
			goto out; /* nothing watched changed: the snapshot is right as it is */
		report = 0;       /* a field newly watched: recorded, not reported */
	}
	ch = (run_poller_change){.id = id,
	                         .dlm = dlm,
	                         .snap_dlm = snap_dlm,
	                         .old = json_object_get(snap, "v"),
	                         .now = now,
	                         .changes = changes,
	                         .record = rec};
	snprintf(key, sizeof key, "poll.snap.%lld", id);
	rc = p->cfg.set(p->cfg.ud, key, snap_text, report ? &ch : NULL, err, errsz);
	if (rc > 0 && added)
		*added += (size_t)rc;
	rc = rc < 0 ? -1 : 0;
out:
	free(snap_text);
	json_decref(snap);
	json_decref(now);
	json_decref(changes);
	json_decref(newsnap);
	return rc;
}

/* ------------------------------------------------------------- paging */

static int collect(json_t *object, void *ud)
{
	return json_array_append((json_t *)ud, object);
}

/*
 * One page (at most `limit` objects, one request) into *out (new): "dlm OP
 * dlm" (no condition when op is NULL) and "id > after" when after > 0,
 * sorted by `sort`.
 */
static int fetch(run_poller *p, ontra_client *c, const char *op, long long dlm, long long after,
                 const char *sort, int desc, size_t limit, json_t **out, char *err, size_t errsz)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	json_t *cond = json_array(), *page = json_array();
	unsigned long before = requests_so_far(c);
	int rc = cond && page ? 0 : -1;

	if (rc == 0 && op)
		rc = ontra_condition_add(cond, "AND", "dlm", op, json_integer(dlm));
	if (rc == 0 && after > 0)
		rc = ontra_condition_add(cond, "AND", "id", ">", json_integer(after));
	o.object_type = p->type;
	o.condition = json_array_size(cond) ? cond : NULL;
	o.sort = sort;
	o.sort_desc = desc;
	o.limit = limit;
	o.page_size = limit;
	if (rc == 0)
		rc = ontra_search(c, &o, collect, page);
	spend(p, c, before);
	json_decref(cond);
	if (rc < 0) {
		json_decref(page);
		*out = NULL;
		return lib_err(err, errsz, "search by dlm");
	}
	*out = page;
	return 0;
}

static long long page_dlm(const json_t *page, size_t i)
{
	long long v = -1;
	rec_ll(json_array_get(page, i), "dlm", &v);
	return v;
}

/*
 * The objects with dlm == D and id > *after, by id, a page at a time,
 * *after moving on (and, when `save`, the cursor with it, keeping `base`).
 * Changes are reported when `report`. *stopped when the share ran out
 * before the last page.
 */
static int scan_tie(run_poller *p, ontra_client *c, long long dlm, long long *after, int report,
                    int save, int base, size_t *added, int *stopped, char *err, size_t errsz)
{
	for (;;) {
		json_t *page = NULL;
		size_t n, i;
		int rc = 0;
		if (!has_room(p)) {
			*stopped = 1;
			return 0;
		}
		if (fetch(p, c, "=", dlm, *after, "id", 0, POLL_PAGE, &page, err, errsz) < 0)
			return -1;
		n = json_array_size(page);
		for (i = 0; i < n && rc == 0; i++) {
			rc = handle(p, json_array_get(page, i), report, added, err, errsz);
			if (rc == 0)
				rec_ll(json_array_get(page, i), "id", after);
		}
		json_decref(page);
		if (rc == 0 && save && n) {
			cursor cur = {dlm, *after, base};
			rc = save_cursor(p, &cur, err, errsz);
		}
		if (rc < 0)
			return -1;
		if (n < POLL_PAGE)
			return 0;
	}
}

/* Handle page[0..n) (all of them, or those below the page's last dlm when `below_last`). */
static int handle_page(run_poller *p, json_t *page, int below_last, int report, size_t *added,
                       char *err, size_t errsz)
{
	size_t n = json_array_size(page);
	long long last = page_dlm(page, n - 1);

	for (size_t i = 0; i < n; i++) {
		if (below_last && page_dlm(page, i) >= last)
			break;
		if (handle(p, json_array_get(page, i), report, added, err, errsz) < 0)
			return -1;
	}
	return 0;
}

static int settled(long long dlm)
{
	return dlm < util_now_ms() / 1000 - POLL_SETTLE_S;
}

/*
 * The records sharing the cursor's dlm, from cur->after on, then the cursor
 * past them. 0: done; 1: the share ran out in the middle (the cursor keeps
 * its place); -1: failed.
 */
static int past_tie(run_poller *p, ontra_client *c, cursor *cur, size_t *added, char *err,
                    size_t errsz)
{
	int stopped = 0;

	if (scan_tie(p, c, cur->dlm, &cur->after, !cur->base, 1, cur->base, added, &stopped, err,
	             errsz) < 0)
		return -1;
	if (stopped)
		return p->more = 1, 1;
	cur->after = 0;
	return save_cursor(p, cur, err, errsz) < 0 ? -1 : 0;
}

/*
 * Everything changed since the cursor, while the share lasts (reported, or
 * only recorded while a full baseline is read). 0 when it read to the end,
 * 1 when the share ran out first, -1 when it failed.
 */
static int scan(run_poller *p, ontra_client *c, cursor *cur, size_t *added, char *err, size_t errsz)
{
	int strict = cur->dlm > 0 && settled(cur->dlm), rc;

	if (cur->after > 0) { /* a tie block left in the middle */
		if ((rc = past_tie(p, c, cur, added, err, errsz)) != 0)
			return rc;
		strict = 1;
	}
	for (;;) {
		json_t *page = NULL;
		size_t n;
		long long last;

		if (!has_room(p))
			return p->more = 1, 1;
		if (fetch(p, c, strict ? ">" : ">=", cur->dlm, 0, "dlm", 0, POLL_PAGE, &page, err,
		          errsz) < 0)
			return -1;
		n = json_array_size(page);
		last = n ? page_dlm(page, n - 1) : cur->dlm;
		rc = n ? handle_page(p, page, n == POLL_PAGE, !cur->base, added, err, errsz) : 0;
		json_decref(page);
		if (rc < 0)
			return -1;
		if (last > cur->dlm) {
			*cur = (cursor){last, 0, cur->base};
			if (save_cursor(p, cur, err, errsz) < 0)
				return -1;
		}
		if (n < POLL_PAGE)
			return 0;
		/* a full page: its last second may go on in the next; read that second by id */
		if ((rc = past_tie(p, c, cur, added, err, errsz)) != 0)
			return rc;
		strict = 1;
	}
}

/*
 * The first poll. By default the cursor starts at the newest dlm of the
 * type, and the objects that carry it get a snapshot (so a change within
 * that second is still seen). With full_baseline, every object gets a
 * snapshot, from the oldest dlm up (over several polls when the share runs
 * out). Nothing is reported for what happened before.
 */
static int baseline(run_poller *p, ontra_client *c, char *err, size_t errsz)
{
	cursor cur = {0, 0, 0};
	json_t *page = NULL;
	long long after = 0;
	int stopped = 0;

	if (p->cfg.full_baseline) {
		cur.base = 1;
		return save_cursor(p, &cur, err, errsz) < 0 ? -1 : 1;
	}
	if (!has_room(p))
		return p->more = 1, 0;
	if (fetch(p, c, NULL, 0, 0, "dlm", 1, 1, &page, err, errsz) < 0)
		return -1;
	cur.dlm = json_array_size(page) ? page_dlm(page, 0) : 0;
	json_decref(page);
	if (cur.dlm > 0 && scan_tie(p, c, cur.dlm, &after, 0, 0, 0, NULL, &stopped, err, errsz) < 0)
		return -1;
	if (stopped)
		return p->more = 1, 0;
	return save_cursor(p, &cur, err, errsz);
}

/* ------------------------------------------------------------- face */

static int copy_config(run_poller *p, const run_poller_config *cfg)
{
	p->cfg = *cfg;
	p->cfg.fields = NULL; /* the copies are p->wanted */
	p->cfg.nfields = cfg->fields ? cfg->nfields : 0;
	p->type_name = util_strdup(cfg->type ? cfg->type : "contacts");
	if (!p->type_name)
		return -1;
	if (!cfg->fields)
		return 0;
	p->wanted = calloc(cfg->nfields + 1, sizeof *p->wanted);
	if (!p->wanted)
		return -1;
	for (size_t i = 0; i < cfg->nfields; i++)
		if (!(p->wanted[i] = util_strdup(cfg->fields[i] ? cfg->fields[i] : "?")))
			return -1;
	return 0;
}

int run_poller_new(run_poller **out, const run_poller_config *cfg, char *err, size_t errsz)
{
	double share = cfg ? cfg->share : 0;
	run_poller *p;

	*out = NULL;
	if (!cfg || !cfg->get || !cfg->set)
		return util_errf(err, errsz, -1, "poll: expected a store (get and set)");
	if (share == 0)
		share = POLL_DEFAULT_SHARE;
	if (!(share > 0 && share <= 1))
		return util_errf(err, errsz, -1,
		                 "poll: invalid share %g: expected a fraction above 0, at most 1",
		                 share);
	p = calloc(1, sizeof *p);
	if (!p)
		return util_errf(err, errsz, -1, "poll: out of memory");
	if (copy_config(p, cfg) < 0) {
		run_poller_free(p);
		return util_errf(err, errsz, -1, "poll: out of memory");
	}
	p->share = share;
	p->limit = POLL_DEFAULT_LIMIT;
	describe_update(p);
	*out = p;
	return 0;
}

void run_poller_free(run_poller *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nfields; i++) {
		free(p->names[i]);
		free(p->keys[i]);
	}
	for (size_t i = 0; p->wanted && i < p->cfg.nfields; i++)
		free(p->wanted[i]);
	free(p->wanted);
	free(p->names);
	free(p->keys);
	free(p->type_name);
	free(p);
}

int run_poller_once(run_poller *p, ontra_client *c, size_t *added, char *err, size_t errsz)
{
	cursor cur = {0, 0, 0};
	int rc;

	if (added)
		*added = 0;
	p->started_ms = util_now_ms();
	p->more = 0;
	if (!p->ready && resolve(p, c, err, errsz) < 0)
		return -1;
	rc = load_cursor(p, &cur, err, errsz);
	if (rc < 0)
		return -1;
	if (rc == 1 && (rc = baseline(p, c, err, errsz)) <= 0)
		return rc;
	if (rc == 1)
		cur = (cursor){0, 0, 1}; /* a full baseline, started just now */
	rc = scan(p, c, &cur, added, err, errsz);
	if (rc == 0 && cur.base) { /* the baseline read to the end: changes count from now */
		cur.base = 0;
		rc = save_cursor(p, &cur, err, errsz);
	}
	return rc < 0 ? -1 : 0;
}

int run_poller_baseline_done(const run_poller *p, int *done, char *err, size_t errsz)
{
	cursor cur = {0, 0, 0};
	int rc = load_cursor((run_poller *)p, &cur, err, errsz);

	if (rc < 0)
		return -1;
	*done = rc == 0 && !cur.base;
	return 0;
}

int run_poller_type(const run_poller *p)
{
	return p->ready ? p->type : -1;
}

int64_t run_poller_next_ms(const run_poller *p)
{
	size_t b = budget(p);
	int64_t at = p->started_ms ? p->started_ms + (int64_t)p->cfg.every_s * 1000 : 0;

	if (p->nsent >= b) { /* the share is spent until the b-th newest request is a minute old */
		int64_t free_at = p->sent[p->nsent - b] + POLL_WINDOW_MS;
		if (p->more || free_at > at)
			at = free_at;
	} else if (p->more) {
		at = p->started_ms;
	}
	return at;
}

size_t run_poller_budget(const run_poller *p)
{
	return budget(p);
}

const char *run_poller_describe(const run_poller *p)
{
	return p->desc;
}
