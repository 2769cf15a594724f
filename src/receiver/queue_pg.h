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
