/*
 * sbx_lists: the id lists Ontraport keeps inside records -- `contact_cat`
 * (tags), `updateSequence` (sequences), `updateCampaign` (automations) --
 * written with "*" "/" "*" around and between the ids (reference §1.7: the
 * string *<slash>*1*<slash>*2*<slash>* for tags 1 and 2; spelled out here only
 * because the sequence would end this comment), and the webhook events that
 * changing them (or creating records) causes, held back until the change
 * is committed.
 */
#ifndef SBX_LISTS_H
#define SBX_LISTS_H

#include <stddef.h>

#include "util.h"
#include "sbx_call.h"
#include "sbx_store.h"

#define SBX_FIELD_TAGS "contact_cat"
#define SBX_FIELD_SEQUENCES "updateSequence"
#define SBX_FIELD_CAMPAIGNS "updateCampaign"

/* ---- id lists ---- */

typedef struct sbx_idlist {
	long long *v;
	size_t n, alloc;
} sbx_idlist;

#define SBX_IDLIST_INIT                                                                            \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Replace l with the ids in s: every run of digits is an id, so the stored
 * form, "1,2" and "" all read as expected. NULL is the empty list. -1 out of
 * memory. */
int sbx_idlist_parse(sbx_idlist *l, const char *s);
int sbx_idlist_has(const sbx_idlist *l, long long id);
/* 1 added, 0 already there, -1 out of memory. */
int sbx_idlist_add(sbx_idlist *l, long long id);
/* 1 removed, 0 was not there. */
int sbx_idlist_remove(sbx_idlist *l, long long id);
/* Append the stored form of l to out; nothing for an empty list. */
int sbx_idlist_format(const sbx_idlist *l, util_buf *out);
void sbx_idlist_release(sbx_idlist *l);

/* ---- events held until commit ---- */

typedef enum sbx_ev_kind { SBX_EV_CREATED, SBX_EV_TAG_ADDED, SBX_EV_TAG_REMOVED } sbx_ev_kind;

typedef struct sbx_pending_ev {
	sbx_ev_kind kind;
	long long type, id, tag;
} sbx_pending_ev;

typedef struct sbx_pending {
	sbx_pending_ev *v;
	size_t n, alloc;
} sbx_pending;

#define SBX_PENDING_INIT                                                                           \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Queue one event. -1 out of memory. */
int sbx_pending_add(sbx_pending *p, sbx_ev_kind kind, long long type, long long id, long long tag);
/* Queue tag events for a record whose tag list went from old_text to new_text
 * (either may be NULL): added for ids only in new, removed for ids only in old. */
int sbx_pending_tag_diff(sbx_pending *p, long long type, long long id, const char *old_text,
                         const char *new_text);
/* Queue the events of a record just created: object created, then a tag added
 * for each tag in its `contact_cat` (rec: the fields it was created with). */
int sbx_pending_created(sbx_pending *p, const sbx_otype *t, long long id, json_t *rec);
/* Report every queued event through sbx_deliveries.h, in order, and empty p. */
void sbx_pending_flush(sbx_pending *p, sbx_ctx *ctx);
void sbx_pending_release(sbx_pending *p);

/* ---- bulk changes ---- */

/*
 * For every record q selects (start/range/sort ignored), add (remove = 0) or
 * remove the `n` ids `items` in t's list field `field`; records whose list
 * does not change are not written (and keep their dlm). When `p` is not NULL,
 * a tag event is queued for each id actually added or removed. No
 * transaction of its own: call it inside the caller's.
 */
int sbx_list_apply(sbx_store *st, const sbx_otype *t, const char *field, const sbx_query *q,
                   const long long *items, size_t n, int remove, sbx_pending *p, sbx_err *e);

/*
 * After a change to the list field `field` (SBX_FIELD_SEQUENCES or
 * _CAMPAIGNS) that touched the lists ids[0..n): set those sequences'
 * `subscriber_count` or automations' `subs` to their number of members, and
 * the automations' `subs_ever` to the members they ever had (never down).
 * ids NULL: every sequence or automation. Any other field: nothing.
 */
int sbx_subs_recount(sbx_store *st, const char *field, const long long *ids, size_t n, sbx_err *e);
/* After records of t were written with `values` (their fields; NULL after a
 * delete): recount every list whose field t has and values names. */
int sbx_subs_recount_for(sbx_store *st, const sbx_otype *t, json_t *values, sbx_err *e);

/* ---- the tag and subscription calls ---- */

/* Which ids a call adds or removes, decided inside its transaction (tagByName
 * creates tags there). Fill `items`; -1 when the call has been answered. */
typedef int (*sbx_list_items_fn)(sbx_call *c, void *arg, sbx_idlist *items, sbx_pending *ev);

typedef struct sbx_list_op {
	const char *field;       /* SBX_FIELD_TAGS, _SEQUENCES or _CAMPAIGNS */
	const char *cannot;      /* for types without the field: "be tagged" */
	int remove;              /* remove the items instead of adding them */
	int events;              /* report tag events */
	const char *reply;       /* the "... is now being processed." data */
	sbx_list_items_fn items; /* the ids to add or remove */
	void *arg;
} sbx_list_op;

/*
 * A whole PUT/DELETE of /objects/tag, tagByName, subscribe or sequence on
 * type t: the records the collection parameters select (ids, or performAll,
 * a condition or a search; none of them is a 400), op->items, the change --
 * all in one transaction, so bad input changes nothing -- then the queued
 * events and the reply string.
 */
void sbx_list_call(sbx_call *c, const sbx_otype *t, const sbx_list_op *op);

/* An sbx_list_items_fn that reads the id list parameter `param` (add_list,
 * remove_list); when `type` >= 0 each id must be a record of that type
 * (else 400 "Invalid add_list: no Tag with id 9"). */
typedef struct sbx_list_ids_arg {
	const char *param;
	long long type;
} sbx_list_ids_arg;
int sbx_list_items_ids(sbx_call *c, void *arg, sbx_idlist *items, sbx_pending *ev);

#endif
