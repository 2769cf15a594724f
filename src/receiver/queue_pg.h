/*
 * The queue's PostgreSQL backend (queue_pg.c), behind rcv_queue: queue.c and
 * queue_ops.c call these when the queue was opened with a postgresql:// URL
 * (q->pg set). Not for other files. The contract is receiver.h's (the
 * paragraph on rcv_queue_open with a URL); the design, docs/postgresql.md.
 *
 * Two connections: `ingest`, the committer thread's alone (enqueues), and
 * `ops` (claims, finishes, reads, replay, purge, and the lease renewals of
 * the renewer thread) under `lock`, which is never held across a delivery.
 * A connection that broke is closed and opened again on its next use.
 */
#ifndef RCV_QUEUE_PG_H
#define RCV_QUEUE_PG_H

#include "receiver.h"

typedef struct rcv_pg rcv_pg;

/* Connect (ops; ingest too unless readonly) and, unless readonly, start the renewer.
 * 0 and *out, or RCV_EINVALID / RCV_EUNAVAIL / RCV_ENOTQUEUE with the error set. */
int rcv_pg__open(rcv_pg **out, const char *url, int readonly);
/* Stop the renewer, release the claims not handed out, close, free. NULL accepted. */
void rcv_pg__close(rcv_pg *p);

/* The committer's batch: each request's rc and id set. Returns how many were stored. */
size_t rcv_pg__write_batch(rcv_pg *p, rcv_enqueue_req *batch);

int rcv_pg__set_lease(rcv_pg *p, long lease_ms);
/*
 * The spool as this backend uses it: a SQLite rcv_queue, reached through pointers that
 * queue_ops.c fills (rcv_queue_set_spool), so that queue_pg.c does not depend on the SQLite
 * backend's files, which depend on it.
 */
typedef struct rcv_pg_spool_ops {
	int (*enqueue)(rcv_queue *q, const char *webhook_key, const char *event_json,
	               const void *body, size_t body_len, const char *content_type,
	               const char *store_ref, int64_t *id_out);
	int (*store_ref)(rcv_queue *q, int64_t id, char **out);
	int (*claim)(rcv_queue *q, int64_t now_ms, rcv_item **out, int64_t *wake_at);
	int (*done)(rcv_queue *q, int64_t id, int64_t at_ms);
	void (*release)(rcv_queue *q, int64_t id);
	int (*purge)(rcv_queue *q, int64_t before_ms, int status_mask, int64_t *count);
	void (*close)(rcv_queue *q);
} rcv_pg_spool_ops;

/* Take the spool (owned from now: closed by rcv_pg__close), holding `pending` events not
 * drained yet, and start its drainer. `tag` starts each spooled event's reference. */
int rcv_pg__set_spool(rcv_pg *p, rcv_queue *spool, int64_t pending, const char *tag,
                      const rcv_pg_spool_ops *ops);
/* Events in the spool not drained yet. */
void rcv_pg__spool_counts(rcv_pg *p, int64_t *spooled);
/* Events this process claimed after another claim's lease ended without a finish. */
uint64_t rcv_pg__takeovers(rcv_pg *p);
int rcv_pg__claim(rcv_pg *p, rcv_item **out, int64_t *wake_at);
int rcv_pg__done(rcv_pg *p, int64_t id);
int rcv_pg__retry(rcv_pg *p, int64_t id, const char *error, int64_t retry_at_ms);
int rcv_pg__dead(rcv_pg *p, int64_t id, const char *error);
void rcv_pg__release(rcv_pg *p, int64_t id);
int rcv_pg__get(rcv_pg *p, int64_t id, rcv_item **out);
int rcv_pg__list(rcv_pg *p, int status_mask, int64_t after_id, size_t limit, rcv_list_cb cb,
                 void *userdata);
int rcv_pg__counts(rcv_pg *p, int64_t *pending, int64_t *done, int64_t *dead);
int rcv_pg__replay(rcv_pg *p, int64_t id, int64_t *count);
int rcv_pg__purge(rcv_pg *p, int64_t before_ms, int status_mask, int64_t *count);

#endif
