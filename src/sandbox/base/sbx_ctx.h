/*
 * sbx_ctx: what the server shares with handlers and event reports. Pointers
 * only, so every floor can carry it without including the floors above.
 */
#ifndef SBX_CTX_H
#define SBX_CTX_H

struct sbx_store;
struct sbx_stats;
struct sbx_ratelimit;
struct sbx_deliveries;
struct sbx_faults;

/* What the server shares with handlers. */
typedef struct sbx_ctx {
	struct sbx_store *store;
	struct sbx_stats *stats;
	struct sbx_ratelimit *limiter;
	struct sbx_faults *faults; /* injected failures (sbx_faults.h) */
	long account_id;
	struct sbx_deliveries *deliveries; /* webhook deliveries (deliveries.c), or NULL */
} sbx_ctx;

#endif
