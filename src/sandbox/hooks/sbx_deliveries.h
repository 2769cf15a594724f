/*
 * Webhook events (Watch Events, REFERENCE.md §8): the resources report what
 * happened to objects; deliveries.c turns each report into deliveries to the
 * matching webhook subscriptions (records of object type 145).
 *
 * Contract for callers (the object, tag, form and commerce resources): call these
 * after the change is made, from the handler, with the store locked. Report
 * a tag as added only when the object did not have it before, and as
 * removed only when it had it. Every endpoint that creates or tags objects
 * reports, including bulk calls (one report per object) and tagByName.
 *
 * Contract for the implementation: match the subscriptions, build each
 * payload from the record as it is now, queue it and return at once; never
 * do network I/O here. One delivery thread POSTs the queue in order, outside
 * the store lock, at most once per delivery (Ontraport documents no retries),
 * and records last_hook, last_code and last_payload on the subscription.
 */
#ifndef SBX_DELIVERIES_H
#define SBX_DELIVERIES_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

struct sbx_ctx;
struct sbx_store;
struct sbx_otype;

void sbx_report_object_created(struct sbx_ctx *ctx, long long type, long long id);
void sbx_report_tag_added(struct sbx_ctx *ctx, long long type, long long id, long long tag_id);
void sbx_report_tag_removed(struct sbx_ctx *ctx, long long type, long long id, long long tag_id);
void sbx_report_form_submitted(struct sbx_ctx *ctx, long long type, long long id,
                               long long form_id);
/* purchase_product(product_id): a purchase record (type 17) was made, paid. */
void sbx_report_purchase(struct sbx_ctx *ctx, long long purchase_id, long long product_id);
/* transaction_created_with_product(product_id): a transaction (type 46) holding the product
 * was made or logged; report each product once per transaction. */
void sbx_report_transaction(struct sbx_ctx *ctx, long long transaction_id, long long product_id);

/* ---- the delivery engine (owned by the server) ---- */

typedef struct sbx_deliveries sbx_deliveries;

typedef struct sbx_deliveries_config {
	int json;         /* POST JSON bodies instead of form bodies */
	long timeout_ms;  /* per delivery; 0 = 10000 */
	size_t queue_max; /* deliveries waiting; 0 = 100000 (more are dropped, and logged) */
	size_t log_max;   /* deliveries kept for GET /_sandbox/deliveries; 0 = 1000 */
} sbx_deliveries_config;

#define SBX_DELIVERIES_CONFIG_INIT                                                                 \
	{                                                                                          \
		0, 0, 0, 0                                                                         \
	}

/*
 * Start the delivery thread. `st` is borrowed (the thread takes its lock to
 * record each outcome) and must outlive the engine. Returns 0 and *out, or -1
 * with *out NULL (out of memory, no thread).
 */
int sbx_deliveries_new(sbx_deliveries **out, struct sbx_store *st,
                       const sbx_deliveries_config *cfg);

/*
 * Stop: the delivery in flight is cut short, queued deliveries are dropped,
 * the thread is joined, everything freed. Call without the store lock (the
 * thread may be waiting for it). NULL is accepted.
 */
void sbx_deliveries_free(sbx_deliveries *ev);

/*
 * Forget queued deliveries and the log (the control API's reset; called with
 * the store locked). A delivery in flight finishes but records nothing on the
 * subscriptions made after the reset.
 */
void sbx_deliveries_reset(sbx_deliveries *ev);

/*
 * The last `limit` deliveries, oldest first, optionally only those of one
 * subscription (webhook_id > 0): a new array of {seq, webhook_id, event,
 * object_type_id, object_id, url, content_type, body, body_bytes, status
 * ("delivered" | "failed" | "dropped"), code, error, queued_ms, sent_ms, us}.
 * "pending" (deliveries queued or in flight) is written to *pending if not NULL.
 */
json_t *sbx_deliveries_log_json(sbx_deliveries *ev, size_t limit, long long webhook_id,
                                size_t *pending);

#endif
