/*
 * Webhook events: nothing is subscribed yet in this version, so reports are
 * dropped. The Watch Events work replaces this file with real deliveries.
 */
#include "sbx_events.h"

void sbx_event_object_created(struct sbx_ctx *ctx, long long type, long long id)
{
	(void)ctx;
	(void)type;
	(void)id;
}

void sbx_event_tag_added(struct sbx_ctx *ctx, long long type, long long id, long long tag_id)
{
	(void)ctx;
	(void)type;
	(void)id;
	(void)tag_id;
}

void sbx_event_tag_removed(struct sbx_ctx *ctx, long long type, long long id, long long tag_id)
{
	(void)ctx;
	(void)type;
	(void)id;
	(void)tag_id;
}

void sbx_event_form_submitted(struct sbx_ctx *ctx, long long type, long long id, long long form_id)
{
	(void)ctx;
	(void)type;
	(void)id;
	(void)form_id;
}
