/*
 * What both backends of the queue share (queue.c and queue_ops.c on SQLite,
 * queue_pg.c on PostgreSQL): the thread's last error, and items.
 */
#include "queue_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "banned.h"

static _Thread_local char tls_err[1024]; /* room for a multi-host URL's every failure */

const char *rcv_queue_last_error(void)
{
	return tls_err;
}

void rcv_queue__seterr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tls_err, sizeof tls_err, fmt, ap);
	va_end(ap);
}

void rcv_item_free(rcv_item *it)
{
	if (!it)
		return;
	free(it->webhook_key);
	free(it->event);
	free(it->body);
	free(it->content_type);
	free(it->last_error);
	free(it);
}
