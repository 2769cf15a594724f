/*
 * queue_pg: the queue on PostgreSQL, behind rcv_queue (queue_pg.h). The
 * queue itself, leases and fencing are src/pgqueue's; this file adapts them
 * to rcv_queue's one-event-at-a-time contract:
 *
 *   - claims are taken PG_BATCH at a time, runs of consecutive events of a
 *     key among them (pgq_claim_runs), and handed out one by one in id order;
 *     every claim held (handed out or not) is in `claims` with its fencing
 *     token and key. When an event of a run is retried or released, or its
 *     lease was lost, the rest of its run is released, never handed out
 *     ahead of it: a key's events keep their order;
 *   - a done is not written at once: the dones of a batch are marked with one
 *     statement before the next claim (pgq_done_many), their claims renewed
 *     meanwhile; a crash in between only delivers them again (at least once);
 *   - the renewer thread extends each claim's lease every third of a lease;
 *     a renewal refused (PGQ_ELEASE: another worker took the event over)
 *     marks the claim lost: it is not handed out, and its finish is
 *     RCV_ELEASE without a write;
 *   - a connection that broke is closed and opened again on its next use;
 *   - with a spool (a local SQLite queue), an event the database cannot take
 *     is committed there instead (the sender still gets its 200 only after a
 *     commit), and so is every event after it until the spool is drained, so
 *     one receiver's events keep their order; the drainer thread moves them
 *     into the database, each exactly once (pgq_enqueue_spooled).
 */
#include "queue_pg.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pgqueue.h"
#include "queue_int.h"
#include "util.h"
#include "banned.h"

/*
 * Events one claim takes, runs of a key's consecutive events among them: one
 * claim's round trips and flush, and one statement of dones, for each batch,
 * not each event (a batch of 4, one event per key, each done on its own, did
 * about 360 events/s). The events not handed out yet wait for this worker,
 * so not many more.
 */
#define PG_BATCH 64
/*
 * The longest a done is kept before its mark (ms): a crash re-delivers the
 * dones kept, so with a slow handler they are marked this often, not only once
 * the batch is over (a fast one finishes a batch well within it).
 */
#define PG_DONES_MAX_AGE_MS 200
/* How soon an idle worker asks again: other hosts' events are only seen by asking. */
#define PG_POLL_MS 250

typedef struct pg_claim {
	int64_t id, fence;
	char *key;       /* its webhook key */
	int lost;        /* a renewal was refused: someone else has the event */
	int out;         /* handed out: its key's later events wait for its finish */
	int done;        /* delivered: its done is in `dones`, to be marked */
	int64_t held_at; /* monotonic ms before the claim or its last renewal: held since */
} pg_claim;

struct rcv_pg {
	char *url;
	pthread_mutex_t lock;
	pthread_cond_t cv; /* the renewer's sleep, and its stop (monotonic clock) */
	pgq *ops;          /* (lock) NULL = open on next use */
	pgq *ingest;       /* the committer thread's alone */
	int64_t lease_ms;  /* (lock) */
	pg_claim *claims;  /* (lock) every claim held */
	size_t nclaims, claims_alloc;
	rcv_item *ready[PG_BATCH]; /* (lock) claimed, not handed out yet (NULL: released) */
	int64_t done_ids[PG_BATCH], done_fences[PG_BATCH]; /* (lock) dones not marked yet */
	size_t ndones;
	int64_t dones_since; /* (lock) monotonic ms of the oldest done kept */
	uint64_t takeovers;  /* (lock) events claimed after another claim's lease ended */
	size_t nready, ready_at;
	int stopping; /* (lock) */
	pthread_t renewer;
	int renewer_running;

	/* The spool (rcv_pg__set_spool): events stored locally while the database is away. */
	rcv_queue *spool;      /* set once, before events arrive */
	rcv_pg_spool_ops sops; /* how it is used */
	char spool_tag[320];   /* host and path: the start of each spooled event's reference */
	char store_tag[300];   /* "#host:pid:start ms": the start of each store's reference */
	uint64_t stores;       /* the committer's: stores tried, each reference's count */
	char *settled_ref;     /* the drainer's: the last store settled, */
	int settled_stored;    /* and whether it had been committed */
	pthread_mutex_t smu;   /* spooled, sstop; never held across a call */
	pthread_cond_t scv;    /* the drainer's sleep (monotonic clock) */
	int64_t spooled;       /* (smu) events in the spool not drained yet */
	int sstop;             /* (smu) */
	pgq *drain;            /* the drainer thread's */
	pthread_t drainer;
	int drainer_running;
};

/* ---- errors and connections ---- */

static int rc_of(int pgrc)
{
	switch (pgrc) {
	case PGQ_OK:
		return 0;
	case PGQ_ENOTFOUND:
		return RCV_ENOTFOUND;
	case PGQ_ECONNECT:
		return RCV_EUNAVAIL;
	case PGQ_EINVALID:
		return RCV_EINVALID;
	case PGQ_ENEWER:
	case PGQ_ESCHEMA:
		return RCV_ENOTQUEUE;
	case PGQ_ELEASE:
		return RCV_ELEASE;
	default:
		return RCV_ERROR;
	}
}

/* pgqueue's line (the password never in it) as the queue's error; its code as ours. */
static int fail(int pgrc)
{
	rcv_queue__seterr("%s", pgq_last_error());
	return rc_of(pgrc);
}

/* After a failed call on *c: a connection that broke is dropped, to be opened again. */
static int after(pgq **c, int pgrc)
{
	int rc = fail(pgrc);

	if (pgrc != PGQ_ENOTFOUND && pgrc != PGQ_ELEASE && !pgq_connected(*c)) {
		pgq_close(*c);
		*c = NULL;
		rc = RCV_EUNAVAIL;
	}
	return rc;
}

/* The connection *c, opened when it is not. 0, or a code with the error set. */
static int conn(rcv_pg *p, pgq **c)
{
	int r;

	if (*c)
		return 0;
	r = pgq_open(c, p->url);
	return r ? fail(r) : 0;
}

/* One call on a connection, its arguments in `args`: 0 or a PGQ_E* code. */
typedef int (*pg_call)(pgq *c, void *args);

/*
 * Run call on *c, opening it when needed; when the connection turns out broken (the server
 * restarted since the last call: libpq only learns it on use), once more on a new one.
 * 0, or the code (the error set). Only for calls that may be repeated: reads, claims,
 * replay, purge; never a fenced finish, nor a store (store_chunk: once only).
 */
static int with_retry(rcv_pg *p, pgq **c, pg_call call, void *args)
{
	int tries, rc = 0;

	for (tries = 0; tries < 2; tries++) {
		int r;

		if ((rc = conn(p, c)) != 0)
			return rc;
		if ((r = call(*c, args)) == 0)
			return 0;
		if ((rc = after(c, r)) != RCV_EUNAVAIL)
			return rc;
	}
	return rc;
}

/* ---- items and claims ---- */

/* A new rcv_item holding it's strings; `it` is freed either way. NULL when out of memory. */
static rcv_item *item_of(pgq_item *it)
{
	rcv_item *r = calloc(1, sizeof *r);

	if (r) {
		r->id = it->id;
		r->received_at = it->received_at;
		r->webhook_key = it->webhook_key;
		r->event = it->event;
		r->body = it->body;
		r->body_len = it->body_len;
		r->content_type = it->content_type;
		r->status = it->status; /* pgq_status and rcv_status share their values */
		r->attempts = it->attempts;
		r->next_attempt_at = it->next_attempt_at;
		r->last_error = it->last_error;
		r->delivered_at = it->delivered_at;
		it->webhook_key = it->event = it->body = it->content_type = it->last_error = NULL;
	}
	pgq_item_free(it);
	return r;
}

static pg_claim *find_claim(rcv_pg *p, int64_t id)
{
	size_t i;

	for (i = 0; i < p->nclaims; i++)
		if (p->claims[i].id == id)
			return &p->claims[i];
	return NULL;
}

static int add_claim(rcv_pg *p, int64_t id, int64_t fence, const char *key, int64_t held_at)
{
	char *k = util_strdup(key);

	if (!k)
		return RCV_ERROR;
	if (p->nclaims == p->claims_alloc) {
		size_t n = p->claims_alloc ? p->claims_alloc * 2 : 8;
		pg_claim *c = realloc(p->claims, n * sizeof *c);
		if (!c) {
			free(k);
			return RCV_ERROR;
		}
		p->claims = c;
		p->claims_alloc = n;
	}
	p->claims[p->nclaims++] = (pg_claim){id, fence, k, 0, 0, 0, held_at};
	return 0;
}

static void drop_claim(rcv_pg *p, int64_t id)
{
	pg_claim *c = find_claim(p, id);

	if (c) {
		free(c->key);
		*c = p->claims[--p->nclaims];
	}
}

/* Whether a claim held for `key` was lost: its key's later events are not ours to deliver. */
static int key_lost(const rcv_pg *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nclaims; i++)
		if (p->claims[i].lost && strcmp(p->claims[i].key, key) == 0)
			return 1;
	return 0;
}

/* Whether an event of `key` is handed out and not finished: the key's next one waits. */
static int key_busy(const rcv_pg *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nclaims; i++)
		if (p->claims[i].out && !p->claims[i].done && strcmp(p->claims[i].key, key) == 0)
			return 1;
	return 0;
}

/*
 * Give back the events of `key` claimed and not handed out yet: the rest of a
 * run whose earlier event is retried, released or lost must wait for it, as
 * the next claim of the key will (from its oldest pending event). Caller holds
 * lock.
 */
static void release_rest_of_key(rcv_pg *p, const char *key)
{
	size_t i;

	for (i = p->ready_at; i < p->nready; i++) {
		rcv_item *it = p->ready[i];
		pg_claim *c;

		if (!it || strcmp(it->webhook_key, key) != 0)
			continue;
		c = find_claim(p, it->id);
		if (c && !c->lost && p->ops)
			pgq_release(p->ops, c->id, c->fence); /* else its lease ends it */
		drop_claim(p, it->id);
		rcv_item_free(it);
		p->ready[i] = NULL;
	}
}

/* ---- the renewer ---- */

/* Wait on cv (its clock monotonic; mu held) for at most ms. */
static void timed_wait(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(cv, mu, &ts);
}

/* Extend every claim held. Caller holds lock. */
static void renew_all(rcv_pg *p)
{
	size_t i;

	for (i = 0; i < p->nclaims; i++) {
		pg_claim *c = &p->claims[i];
		int64_t at;
		int r;

		if (c->lost)
			continue;
		if (conn(p, &p->ops))
			return;
		at = util_mono_ms();
		r = pgq_renew(p->ops, c->id, c->fence, p->lease_ms);
		if (r == 0)
			c->held_at = at;
		else if (r == PGQ_ELEASE)
			c->lost = 1;
		else if (r) {
			after(&p->ops, r);
			return; /* the next round tries again, while the lease lasts */
		}
	}
}

static int flush_dones(rcv_pg *p);

/*
 * Renew every third of a lease; and while dones are kept, mark them once the
 * oldest is PG_DONES_MAX_AGE_MS old, though no delivery thread comes back (a
 * slow handler holds the only one): a crash re-delivers no older dones.
 */
static void *renewer_main(void *arg)
{
	rcv_pg *p = arg;
	int64_t renewed = util_mono_ms();

	pthread_mutex_lock(&p->lock);
	while (!p->stopping) {
		int64_t now = util_mono_ms(), until = renewed + p->lease_ms / 3;

		if (p->ndones && p->dones_since + PG_DONES_MAX_AGE_MS < until)
			until = p->dones_since + PG_DONES_MAX_AGE_MS;
		if (until > now)
			timed_wait(&p->cv, &p->lock, until - now);
		if (p->stopping)
			break;
		now = util_mono_ms();
		if (p->ndones && now - p->dones_since >= PG_DONES_MAX_AGE_MS)
			flush_dones(p); /* on failure kept for the next try */
		if (now - renewed >= p->lease_ms / 3) {
			renew_all(p);
			renewed = util_mono_ms();
		}
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* ---- dones marked by the batch ---- */

/*
 * Mark the dones kept (rcv_pg__done) with one statement, committed without
 * waiting for its flush (as mark_relaxed, for the same reasons), and forget
 * their claims; a done whose lease was lost meanwhile is not marked (the
 * event is another worker's now). On failure they are kept, renewed, for the
 * next try. Caller holds lock. 0 or a code (the error set).
 */
static int flush_dones(rcv_pg *p)
{
	size_t i;
	int r;

	if (p->ndones == 0)
		return 0;
	if ((r = conn(p, &p->ops)) != 0)
		return r;
	r = pgq_sync_commit(p->ops, 0);
	if (r == 0)
		r = pgq_done_many(p->ops, p->done_ids, p->done_fences, p->ndones, NULL);
	if (pgq_sync_commit(p->ops, 1) != 0 && pgq_connected(p->ops)) {
		pgq_close(p->ops);
		p->ops = NULL;
	}
	if (r)
		return after(&p->ops, r);
	for (i = 0; i < p->ndones; i++)
		drop_claim(p, p->done_ids[i]);
	p->ndones = 0;
	return 0;
}

/* ---- open, close ---- */

static void free_pg(rcv_pg *p)
{
	size_t i;

	for (i = p->ready_at; i < p->nready; i++)
		rcv_item_free(p->ready[i]);
	pgq_close(p->ops);
	pgq_close(p->ingest);
	pgq_close(p->drain);
	if (p->url) {
		memset(p->url, 0, strlen(p->url)); /* the password */
		free(p->url);
	}
	for (i = 0; i < p->nclaims; i++)
		free(p->claims[i].key);
	free(p->claims);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->scv);
	pthread_mutex_destroy(&p->smu);
	free(p->settled_ref);
	free(p);
}

/* Each store's reference starts with this process's mark: a host's, a process's, a start's
 * (no host name holds '#', which sets these apart from the spooled events' references). */
static void store_tag(rcv_pg *p)
{
	char host[256] = "";

	gethostname(host, sizeof host - 1);
	snprintf(p->store_tag, sizeof p->store_tag, "#%.200s:%ld:%" PRId64, host, (long)getpid(),
	         util_now_ms());
}

int rcv_pg__open(rcv_pg **out, const char *url, int readonly)
{
	pthread_condattr_t ca;
	rcv_pg *p = calloc(1, sizeof *p);
	int rc;

	*out = NULL;
	if (!p || !(p->url = util_strdup(url))) {
		free(p);
		rcv_queue__seterr("queue: out of memory");
		return RCV_ERROR;
	}
	p->lease_ms = RCV_DEFAULT_LEASE_MS;
	store_tag(p);
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_mutex_init(&p->smu, NULL);
	pthread_cond_init(&p->scv, &ca);
	pthread_condattr_destroy(&ca);
	rc = conn(p, &p->ops);
	if (!rc && !readonly) {
		if (pthread_create(&p->renewer, NULL, renewer_main, p) != 0) {
			rcv_queue__seterr("queue: cannot start the lease renewer thread");
			rc = RCV_ERROR;
		} else {
			p->renewer_running = 1;
		}
	}
	if (rc) {
		free_pg(p);
		return rc;
	}
	*out = p;
	return 0;
}

void rcv_pg__close(rcv_pg *p)
{
	size_t i;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->lock);
	if (p->renewer_running)
		pthread_join(p->renewer, NULL);
	pthread_mutex_lock(&p->smu);
	p->sstop = 1;
	pthread_cond_broadcast(&p->scv);
	pthread_mutex_unlock(&p->smu);
	if (p->drainer_running)
		pthread_join(p->drainer, NULL);
	if (p->spool) /* what was not drained stays there for the next start */
		p->sops.close(p->spool);
	/* Delivered: marked done now, not delivered again by the next worker. */
	if (p->ops)
		flush_dones(p);
	/* Claimed but never handed out: given back now, not at the end of their lease. */
	for (i = p->ready_at; i < p->nready; i++) {
		pg_claim *c = p->ready[i] ? find_claim(p, p->ready[i]->id) : NULL;
		if (c && !c->lost && p->ops)
			pgq_release(p->ops, c->id, c->fence);
	}
	free_pg(p);
}

int rcv_pg__set_lease(rcv_pg *p, long lease_ms)
{
	pthread_mutex_lock(&p->lock);
	p->lease_ms = lease_ms;
	pthread_cond_broadcast(&p->cv); /* the renewer's period follows */
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* ---- enqueue (the committer thread) ---- */

/* Whether the spool has events not drained yet: new ones go after them, keeping the order. */
static int spool_first(rcv_pg *p)
{
	int64_t n;

	if (!p->spool)
		return 0;
	pthread_mutex_lock(&p->smu);
	n = p->spooled;
	pthread_mutex_unlock(&p->smu);
	return n > 0;
}

/* Store r in the spool: committed locally, so the sender gets its 200 (id 0: not in the
 * shared queue yet). Neither the database nor the spool: 503. store_ref: the store under way
 * when the database went away, which r may be in (NULL: none). */
static void spool_one(rcv_pg *p, rcv_enqueue_req *r, const char *store_ref)
{
	int64_t sid = 0;

	r->id = 0;
	if (!p->spool || p->sops.enqueue(p->spool, r->webhook_key, r->event_json, r->body,
	                                 r->body_len, r->content_type, store_ref, &sid) != 0) {
		r->rc = RCV_EUNAVAIL;
		return;
	}
	r->rc = 0;
	pthread_mutex_lock(&p->smu);
	p->spooled++;
	pthread_cond_broadcast(&p->scv);
	pthread_mutex_unlock(&p->smu);
}

/* Store n requests from r (n at most PGQ_MANY_MAX) with one statement under ref: 0 (ids
 * set; all 0 when an earlier try with ref was committed), or the PGQ_E* code. */
static int write_chunk(pgq *c, rcv_enqueue_req *r, size_t n, const char *ref)
{
	pgq_event_in ev[PGQ_MANY_MAX] = {{0}};
	int64_t ids[PGQ_MANY_MAX];
	rcv_enqueue_req *x = r;
	size_t i;
	int rc;

	for (i = 0; i < n; i++, x = x->next)
		ev[i] = (pgq_event_in){x->webhook_key, x->event_json, x->body, x->body_len,
		                       x->content_type};
	rc = pgq_enqueue_many(c, ev, n, ref, ids);
	if (rc != 0 && rc != PGQ_ESTORED)
		return rc;
	for (i = 0; i < n; i++, r = r->next) {
		r->id = rc == 0 ? ids[i] : 0;
		r->rc = 0;
	}
	return 0;
}

/*
 * Store a chunk (n requests from r) under a new reference (*ref): 0 when stored; the code
 * when it was refused (nothing stored); RCV_EUNAVAIL when the database cannot be reached,
 * *sent then 1 when a try may have been committed all the same (its answer lost with the
 * connection). A connection that broke (the server restarted since its last use: libpq
 * learns it only then) is opened again and the store tried once more, under the same
 * reference: stored once either way.
 */
static int store_chunk(rcv_pg *p, rcv_enqueue_req *r, size_t n, char *ref, size_t refsz, int *sent)
{
	int tries, rc = 0;

	snprintf(ref, refsz, "%s:%" PRIu64, p->store_tag, ++p->stores);
	*sent = 0;
	for (tries = 0; tries < 2; tries++) {
		int pgrc;

		if ((rc = conn(p, &p->ingest)) != 0)
			return rc;
		*sent = 1;
		if ((pgrc = write_chunk(p->ingest, r, n, ref)) == 0)
			return 0;
		if ((rc = after(&p->ingest, pgrc)) != RCV_EUNAVAIL)
			return rc;
	}
	return rc;
}

/*
 * Group commit: the batch stored PGQ_MANY_MAX requests per statement (one flush for all of
 * them, as the SQLite queue does), each request's rc and id set. Once the database cannot
 * be reached, the rest go to the spool (or 503) at once; while the spool holds events, new
 * ones go after them. Returns how many were stored.
 */
size_t rcv_pg__write_batch(rcv_pg *p, rcv_enqueue_req *batch)
{
	rcv_enqueue_req *r = batch;
	size_t stored = 0;
	int down = 0;

	while (r) {
		rcv_enqueue_req *next = r, *x;
		char ref[sizeof p->store_tag + 24];
		size_t n = 0;
		int tried = !down && !spool_first(p), sent = 0, rc = 0;

		while (next && n < PGQ_MANY_MAX) {
			next = next->next;
			n++;
		}
		if (tried) {
			rc = store_chunk(p, r, n, ref, sizeof ref, &sent);
			down = rc == RCV_EUNAVAIL;
		}
		for (x = r; x != next; x = x->next) {
			if (!tried || down)
				spool_one(p, x, sent ? ref : NULL);
			else if (rc)
				x->rc = rc;
			stored += x->rc == 0;
		}
		r = next;
	}
	return stored;
}

/* ---- the spool's drainer ---- */

/*
 * Whether the store named ref (an event's, spooled when the database went away while that
 * store was under way) had been committed: *stored 1 when it was, so the event is in the
 * database already; else 0, and it never will be. The drainer's cache keeps the last one
 * (a store's events are spooled one after the other). 0, or a code.
 */
static int settle(rcv_pg *p, const char *ref, int *stored)
{
	int r;

	if (p->settled_ref && strcmp(p->settled_ref, ref) == 0) {
		*stored = p->settled_stored;
		return 0;
	}
	if ((r = pgq_store_settle(p->drain, ref, stored)) != 0)
		return after(&p->drain, r);
	free(p->settled_ref);
	p->settled_ref = util_strdup(ref); /* NULL: only not cached */
	p->settled_stored = *stored;
	return 0;
}

/* Store a spooled event in the database, exactly once: its reference is unique there, so a
 * drain repeated after a crash between the insert and the spool's mark stores nothing new;
 * and one a store under way at the time may hold already is stored only if that one was
 * not committed. 0, or a code. */
static int move(rcv_pg *p, const rcv_item *it)
{
	char ref[400], *store_ref = NULL;
	int rc, in_store = 0;

	if ((rc = p->sops.store_ref(p->spool, it->id, &store_ref)) != 0)
		return rc;
	if (store_ref)
		rc = settle(p, store_ref, &in_store);
	free(store_ref);
	if (rc || in_store)
		return rc;
	snprintf(ref, sizeof ref, "%s:%lld:%lld", p->spool_tag, (long long)it->received_at,
	         (long long)it->id);
	rc = pgq_enqueue_spooled(p->drain, ref, it->received_at, it->webhook_key, it->event,
	                         it->body, it->body_len, it->content_type, NULL, NULL);
	return rc ? after(&p->drain, rc) : 0;
}

/* Move the spool's oldest event into the database (move). 0 when one moved, RCV_ENOTFOUND
 * when the spool is empty, else a code. */
static int drain_one(rcv_pg *p)
{
	rcv_item *it = NULL;
	int rc = p->sops.claim(p->spool, rcv_now_ms(), &it, NULL);

	if (rc)
		return rc;
	if ((rc = conn(p, &p->drain)) != 0 || (rc = move(p, it)) != 0) {
		p->sops.release(p->spool, it->id);
	} else if (p->sops.done(p->spool, it->id, rcv_now_ms()) != 0) {
		p->sops.release(p->spool, it->id); /* drained again later: stored once */
		rc = RCV_ERROR;
	} else {
		pthread_mutex_lock(&p->smu);
		p->spooled--;
		pthread_mutex_unlock(&p->smu);
	}
	rcv_item_free(it);
	return rc;
}

/* Sleep on scv until ms have passed or a stop. Caller holds smu. */
static void spool_sleep(rcv_pg *p, int64_t ms)
{
	timed_wait(&p->scv, &p->smu, ms);
}

static void *drainer_main(void *arg)
{
	rcv_pg *p = arg;
	int moved = 0;

	pthread_mutex_lock(&p->smu);
	while (!p->sstop) {
		int rc;

		if (p->spooled <= 0) {
			if (moved) { /* drained: forget what was moved, so the file stays small */
				pthread_mutex_unlock(&p->smu);
				p->sops.purge(p->spool, rcv_now_ms() + 1, RCV_DONE, NULL);
				pthread_mutex_lock(&p->smu);
				moved = 0;
				continue;
			}
			spool_sleep(p, 60000);
			continue;
		}
		pthread_mutex_unlock(&p->smu);
		rc = drain_one(p);
		pthread_mutex_lock(&p->smu);
		if (rc == 0)
			moved = 1;
		else if (!p->sstop) /* the database is still away: try again in a while */
			spool_sleep(p, PG_POLL_MS);
	}
	pthread_mutex_unlock(&p->smu);
	return NULL;
}

int rcv_pg__set_spool(rcv_pg *p, rcv_queue *spool, int64_t pending, const char *tag,
                      const rcv_pg_spool_ops *ops)
{
	p->spool = spool;
	p->sops = *ops;
	snprintf(p->spool_tag, sizeof p->spool_tag, "%s", tag);
	p->spooled = pending;
	if (pthread_create(&p->drainer, NULL, drainer_main, p) != 0) {
		rcv_queue__seterr("queue: cannot start the spool's drainer thread");
		p->spool = NULL;
		return RCV_ERROR;
	}
	p->drainer_running = 1;
	return 0;
}

uint64_t rcv_pg__takeovers(rcv_pg *p)
{
	uint64_t n;

	pthread_mutex_lock(&p->lock);
	n = p->takeovers;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void rcv_pg__spool_counts(rcv_pg *p, int64_t *spooled)
{
	pthread_mutex_lock(&p->smu);
	*spooled = p->spool ? p->spooled : 0;
	pthread_mutex_unlock(&p->smu);
}

/* ---- claims and finishes ---- */

/* Past the ready slots emptied; none left: the batch is over. Caller holds lock. */
static void skip_taken(rcv_pg *p)
{
	while (p->ready_at < p->nready && !p->ready[p->ready_at])
		p->ready_at++;
	if (p->ready_at == p->nready)
		p->nready = p->ready_at = 0;
}

/*
 * The oldest claimed event not handed out whose key has none handed out and
 * unfinished (a run's events go one after the other); those lost, or whose
 * key has a claim lost, are dropped with the rest of their key's run.
 * RCV_ENOTFOUND with *waiting 1 when events are left, all waiting for their
 * key. Caller holds lock.
 */
static int next_ready(rcv_pg *p, rcv_item **out, int *waiting)
{
	size_t i;

	*waiting = 0;
	for (i = p->ready_at; i < p->nready; i++) {
		rcv_item *it = p->ready[i];
		pg_claim *c;

		if (!it)
			continue; /* handed out, or released with the rest of its key's run */
		if (!(c = find_claim(p, it->id)) || key_lost(p, it->webhook_key)) {
			p->ready[i] = NULL;
			release_rest_of_key(p, it->webhook_key);
			drop_claim(p, it->id);
			rcv_item_free(it);
			continue;
		}
		if (key_busy(p, it->webhook_key)) {
			*waiting = 1;
			continue;
		}
		p->ready[i] = NULL;
		c->out = 1;
		*out = it;
		skip_taken(p);
		return 0;
	}
	skip_taken(p);
	return RCV_ENOTFOUND;
}

typedef struct claim_args {
	int64_t lease_ms;
	pgq_item **items;
	size_t n;
} claim_args;

static int call_claim(pgq *c, void *args)
{
	claim_args *a = args;

	return pgq_claim_runs(c, PG_BATCH, PG_BATCH, a->lease_ms, &a->items, &a->n);
}

/* Claim a batch into `ready`. Caller holds lock; ready is empty. */
static int fill(rcv_pg *p)
{
	claim_args a = {p->lease_ms, NULL, 0};
	pgq_item **items;
	size_t n, i;
	int64_t at = util_mono_ms(); /* the leases start after this */
	int rc = with_retry(p, &p->ops, call_claim, &a);

	if (rc)
		return rc;
	items = a.items;
	n = a.n;
	for (i = 0; i < n; i++) {
		int64_t id = items[i]->id, fence = items[i]->fence;
		rcv_item *it;

		p->takeovers += items[i]->taken_over != 0;
		it = item_of(items[i]);

		if (!it || add_claim(p, id, fence, it->webhook_key, at)) {
			rcv_item_free(it);
			pgq_release(p->ops, id, fence); /* out of memory: back at once */
			continue;
		}
		p->ready[p->nready++] = it;
	}
	free(items); /* the items themselves were taken */
	return 0;
}

int rcv_pg__claim(rcv_pg *p, rcv_item **out, int64_t *wake_at)
{
	int rc, waiting;

	pthread_mutex_lock(&p->lock);
	rc = next_ready(p, out, &waiting);
	/* The batch's dones are marked before the next claim: its keys' next events follow. */
	if (rc == RCV_ENOTFOUND && !waiting && (rc = flush_dones(p)) == 0)
		rc = RCV_ENOTFOUND;
	if (rc == RCV_ENOTFOUND && !waiting && (rc = fill(p)) == 0)
		rc = next_ready(p, out, &waiting);
	pthread_mutex_unlock(&p->lock);
	if (rc == RCV_ENOTFOUND && wake_at)
		*wake_at = rcv_now_ms() + PG_POLL_MS;
	return rc;
}

enum finish_kind { F_DONE, F_RETRY, F_DEAD, F_RELEASE };

static int mark(pgq *c, int64_t id, int64_t fence, enum finish_kind kind, const char *error,
                int64_t delay_ms)
{
	if (kind == F_DONE)
		return pgq_done(c, id, fence);
	if (kind == F_RETRY)
		return pgq_retry(c, id, fence, error ? error : "failed", delay_ms);
	if (kind == F_DEAD)
		return pgq_dead(c, id, fence, error ? error : "failed");
	return pgq_release(c, id, fence);
}

/*
 * A finish's mark, committed without waiting for its flush (synchronous_commit
 * off for it alone): a mark lost in a crash of the database only means the
 * event is delivered again, as at least once allows, and the next durable
 * commit (every claim's is: a fence is never given twice) flushes it with
 * itself, so a key's next event is never claimed while its previous one's mark
 * could still be lost. A session that could not be made durable again is
 * closed. Caller holds lock; p->ops is open. 0 or a PGQ_E* code.
 */
static int mark_relaxed(rcv_pg *p, int64_t id, int64_t fence, enum finish_kind kind,
                        const char *error, int64_t delay_ms)
{
	int r = pgq_sync_commit(p->ops, 0);

	if (r == 0)
		r = mark(p->ops, id, fence, kind, error, delay_ms);
	if (pgq_sync_commit(p->ops, 1) != 0 && pgq_connected(p->ops)) {
		pgq_close(p->ops);
		p->ops = NULL;
	}
	return r;
}

static int finish(rcv_pg *p, int64_t id, enum finish_kind kind, const char *error, int64_t delay_ms)
{
	pg_claim *c;
	int rc, r = 0;

	pthread_mutex_lock(&p->lock);
	c = find_claim(p, id);
	if (!c) {
		pthread_mutex_unlock(&p->lock);
		rcv_queue__seterr("queue: event %lld is not claimed by this process",
		                  (long long)id);
		return RCV_ENOTFOUND;
	}
	if (c->lost) {
		release_rest_of_key(p, c->key);
		drop_claim(p, id);
		pthread_mutex_unlock(&p->lock);
		rcv_queue__seterr("queue: event %lld: its lease was lost: another worker took it "
		                  "over",
		                  (long long)id);
		return RCV_ELEASE;
	}
	if (c->done) { /* its done is kept for the batch already */
		pthread_mutex_unlock(&p->lock);
		rcv_queue__seterr("queue: event %lld is not claimed by this process",
		                  (long long)id);
		return RCV_ENOTFOUND;
	}
	/* A done is kept only while its lease surely lasts (half of it left at least): one
	 * that may have ended (a worker paused, renewals failing) is written now, and a
	 * refusal reported. */
	if (kind == F_DONE && p->ndones < PG_BATCH &&
	    util_mono_ms() - c->held_at < p->lease_ms / 2) {
		/* Marked with the batch's other dones, before the next claim (flush_dones). */
		c->done = 1;
		if (p->ndones == 0) {
			p->dones_since = util_mono_ms();
			pthread_cond_broadcast(&p->cv); /* the renewer marks them in time */
		}
		p->done_ids[p->ndones] = id;
		p->done_fences[p->ndones++] = c->fence;
		if (util_mono_ms() - p->dones_since >= PG_DONES_MAX_AGE_MS)
			flush_dones(p); /* on failure kept for the next try */
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	if (kind == F_RETRY || kind == F_RELEASE) {
		release_rest_of_key(p, c->key); /* after this event, not before it */
		c = find_claim(p, id);          /* the claims moved */
	}
	rc = conn(p, &p->ops);
	if (!rc) {
		r = mark_relaxed(p, id, c->fence, kind, error, delay_ms);
		rc = r ? after(&p->ops, r) : 0;
	}
	/* A mark not written keeps the claim (the caller tries again); a release never does. */
	if (rc == 0 || rc == RCV_ELEASE || kind == F_RELEASE)
		drop_claim(p, id);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int rcv_pg__done(rcv_pg *p, int64_t id)
{
	return finish(p, id, F_DONE, NULL, 0);
}

int rcv_pg__retry(rcv_pg *p, int64_t id, const char *error, int64_t retry_at_ms)
{
	int64_t delay = retry_at_ms - rcv_now_ms();

	return finish(p, id, F_RETRY, error, delay > 0 ? delay : 0);
}

int rcv_pg__dead(rcv_pg *p, int64_t id, const char *error)
{
	return finish(p, id, F_DEAD, error, 0);
}

void rcv_pg__release(rcv_pg *p, int64_t id)
{
	finish(p, id, F_RELEASE, NULL, 0);
}

/* ---- reading, replay, purge ---- */

typedef struct read_args {
	int64_t id, before_ms;
	int mask;
	pgq_item *item;
	int64_t *pending, *done, *dead, *count;
} read_args;

static int call_get(pgq *c, void *args)
{
	read_args *a = args;

	return pgq_get(c, a->id, &a->item);
}

static int call_counts(pgq *c, void *args)
{
	read_args *a = args;

	return pgq_counts(c, a->pending, a->done, a->dead);
}

static int call_replay(pgq *c, void *args)
{
	read_args *a = args;

	return pgq_replay(c, a->id, a->count);
}

static int call_purge(pgq *c, void *args)
{
	read_args *a = args;

	return pgq_purge(c, a->before_ms, a->mask, a->count);
}

/* call on the ops connection, under the lock, after the dones kept: what it reads or
 * changes is the queue as this process delivered it (a failed flush is tried later). */
static int on_ops(rcv_pg *p, pg_call call, read_args *a)
{
	int rc;

	pthread_mutex_lock(&p->lock);
	flush_dones(p);
	rc = with_retry(p, &p->ops, call, a);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int rcv_pg__get(rcv_pg *p, int64_t id, rcv_item **out)
{
	read_args a = {.id = id};
	int rc = on_ops(p, call_get, &a);

	*out = NULL;
	if (rc)
		return rc;
	*out = item_of(a.item);
	if (!*out) {
		rcv_queue__seterr("queue: out of memory");
		return RCV_ERROR;
	}
	return 0;
}

typedef struct list_ctx {
	rcv_list_cb cb;
	void *userdata;
} list_ctx;

static int list_one(const pgq_item *it, void *ud)
{
	list_ctx *l = ud;
	rcv_item r;

	memset(&r, 0, sizeof r);
	r.id = it->id;
	r.received_at = it->received_at;
	r.webhook_key = it->webhook_key;
	r.event = it->event;
	r.body = it->body;
	r.body_len = it->body_len;
	r.content_type = it->content_type;
	r.status = it->status;
	r.attempts = it->attempts;
	r.next_attempt_at = it->next_attempt_at;
	r.last_error = it->last_error;
	r.delivered_at = it->delivered_at;
	return l->cb(&r, l->userdata);
}

/* On a connection of its own, so that cb may use the queue (as with SQLite). */
int rcv_pg__list(rcv_pg *p, int status_mask, int64_t after_id, size_t limit, rcv_list_cb cb,
                 void *userdata)
{
	list_ctx l = {cb, userdata};
	pgq *c = NULL;
	int r, rc;

	pthread_mutex_lock(&p->lock);
	flush_dones(p); /* the list shows what was delivered */
	pthread_mutex_unlock(&p->lock);
	rc = conn(p, &c);

	if (rc)
		return rc;
	r = pgq_list(c, status_mask, after_id, limit, list_one, &l);
	/* A non-zero return of cb is passed up as it is; pgqueue's own failures are negative. */
	rc = r < 0 && r >= PGQ_ELEASE ? fail(r) : r;
	pgq_close(c);
	return rc;
}

int rcv_pg__counts(rcv_pg *p, int64_t *pending, int64_t *done, int64_t *dead)
{
	read_args a = {.pending = pending, .done = done, .dead = dead};

	return on_ops(p, call_counts, &a);
}

int rcv_pg__replay(rcv_pg *p, int64_t id, int64_t *count)
{
	read_args a = {.id = id, .count = count};

	return on_ops(p, call_replay, &a);
}

int rcv_pg__purge(rcv_pg *p, int64_t before_ms, int status_mask, int64_t *count)
{
	read_args a = {.before_ms = before_ms, .mask = status_mask, .count = count};

	return on_ops(p, call_purge, &a);
}
