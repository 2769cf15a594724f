/*
 * queue_pg_none: the PostgreSQL backend as libontraport has it: none. The
 * library's receiver (ontra_receiver_*) keeps its queue in SQLite, and the
 * library does not link libpq; queue_pg.c goes into the programs only (the
 * ontraport command's --queue postgresql://). rcv_pg__open refuses with one
 * line; the rest is never reached, since no queue has a `pg` part without it.
 */
#include "queue_pg.h"

#include "queue_int.h"
#include "banned.h"

int rcv_pg__open(rcv_pg **out, const char *url, int readonly)
{
	(void)url;
	(void)readonly;
	*out = NULL;
	rcv_queue__seterr("this build's queue is SQLite only: a postgresql:// queue needs the "
	                  "ontraport command (docs/postgresql.md)");
	return RCV_EINVALID;
}

void rcv_pg__close(rcv_pg *p)
{
	(void)p;
}

size_t rcv_pg__write_batch(rcv_pg *p, rcv_enqueue_req *batch)
{
	(void)p;
	(void)batch;
	return 0;
}

int rcv_pg__set_lease(rcv_pg *p, long lease_ms)
{
	(void)p;
	(void)lease_ms;
	return RCV_EINVALID;
}

int rcv_pg__set_spool(rcv_pg *p, rcv_queue *spool, int64_t pending, const char *tag,
                      const rcv_pg_spool_ops *ops)
{
	(void)p;
	(void)spool;
	(void)pending;
	(void)tag;
	(void)ops;
	return RCV_EINVALID;
}

uint64_t rcv_pg__takeovers(rcv_pg *p)
{
	(void)p;
	return 0;
}

void rcv_pg__spool_counts(rcv_pg *p, int64_t *spooled)
{
	(void)p;
	*spooled = 0;
}

int rcv_pg__claim(rcv_pg *p, rcv_item **out, int64_t *wake_at)
{
	(void)p;
	(void)wake_at;
	*out = NULL;
	return RCV_EINVALID;
}

int rcv_pg__done(rcv_pg *p, int64_t id)
{
	(void)p;
	(void)id;
	return RCV_EINVALID;
}

int rcv_pg__retry(rcv_pg *p, int64_t id, const char *error, int64_t retry_at_ms)
{
	(void)p;
	(void)id;
	(void)error;
	(void)retry_at_ms;
	return RCV_EINVALID;
}

int rcv_pg__dead(rcv_pg *p, int64_t id, const char *error)
{
	(void)p;
	(void)id;
	(void)error;
	return RCV_EINVALID;
}

void rcv_pg__release(rcv_pg *p, int64_t id)
{
	(void)p;
	(void)id;
}

int rcv_pg__get(rcv_pg *p, int64_t id, rcv_item **out)
{
	(void)p;
	(void)id;
	*out = NULL;
	return RCV_EINVALID;
}

int rcv_pg__list(rcv_pg *p, int status_mask, int64_t after_id, size_t limit, rcv_list_cb cb,
                 void *userdata)
{
	(void)p;
	(void)status_mask;
	(void)after_id;
	(void)limit;
	(void)cb;
	(void)userdata;
	return RCV_EINVALID;
}

int rcv_pg__counts(rcv_pg *p, int64_t *pending, int64_t *done, int64_t *dead)
{
	(void)p;
	*pending = *done = *dead = 0;
	return RCV_EINVALID;
}

int rcv_pg__replay(rcv_pg *p, int64_t id, int64_t *count)
{
	(void)p;
	(void)id;
	*count = 0;
	return RCV_EINVALID;
}

int rcv_pg__purge(rcv_pg *p, int64_t before_ms, int status_mask, int64_t *count)
{
	(void)p;
	(void)before_ms;
	(void)status_mask;
	*count = 0;
	return RCV_EINVALID;
}
