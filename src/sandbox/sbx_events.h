/*
 * Webhook events (Watch Events, REFERENCE.md §8): the resources report what
 * happened to objects; events.c turns each report into deliveries to the
 * matching webhook subscriptions.
 *
 * Contract for callers (the object, tag and form resources): call these
 * after the change is made, from the handler, with the store locked. Report
 * a tag as added only when the object did not have it before, and as
 * removed only when it had it. Every endpoint that creates or tags objects
 * reports, including bulk calls (one report per object) and tagByName.
 *
 * Contract for the implementation: record what must be sent and return at
 * once; never do network I/O here (deliveries run on their own thread,
 * outside the store lock).
 */
#ifndef SBX_EVENTS_H
#define SBX_EVENTS_H

struct sbx_ctx;

void sbx_event_object_created(struct sbx_ctx *ctx, long long type, long long id);
void sbx_event_tag_added(struct sbx_ctx *ctx, long long type, long long id, long long tag_id);
void sbx_event_tag_removed(struct sbx_ctx *ctx, long long type, long long id, long long tag_id);
void sbx_event_form_submitted(struct sbx_ctx *ctx, long long type, long long id, long long form_id);

#endif
