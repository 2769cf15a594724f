/*
 * subscriptions: add objects to, and remove them from, sequences and
 * automations (campaigns) -- PUT/DELETE /objects/subscribe with sub_type
 * Campaign (the default) or Sequence, and the legacy PUT/DELETE
 * /objects/sequence (reference §3.2).
 *
 * Membership is the record's `updateSequence` (sequence ids, type 5) or
 * `updateCampaign` (automation ids, type 140) list (§5). Ontraport answers
 * "The subscription is now being processed." and works later; the sandbox
 * makes the change before answering.
 */
#include <stddef.h>

#include "sbx_lists.h"
#include "sbx_call.h"
#include "sbx_routes.h"
#include "util.h"
#include "banned.h"

#define SEQUENCE_TYPE 5
#define CAMPAIGN_TYPE 140
#define SUB_REPLY "The subscription is now being processed."

static void subscription(sbx_call *c, int sequence, int remove)
{
	sbx_list_ids_arg arg = {remove ? "remove_list" : "add_list", remove     ? -1
	                                                             : sequence ? SEQUENCE_TYPE
	                                                                        : CAMPAIGN_TYPE};
	sbx_list_op op = {sequence ? SBX_FIELD_SEQUENCES : SBX_FIELD_CAMPAIGNS,
	                  sequence ? "join sequences" : "join campaigns",
	                  remove,
	                  0,
	                  SUB_REPLY,
	                  sbx_list_items_ids,
	                  &arg};
	const sbx_otype *t;

	if (sbx_call_otype(c, &t) == 0)
		sbx_list_call(c, t, &op);
}

/* sub_type: Campaign (default) or Sequence, any case. -1 when answered (400). */
static int sub_type(sbx_call *c, int *sequence)
{
	const char *s = NULL;

	if (sbx_arg_str(c, "sub_type", SBX_OPTIONAL, &s) < 0)
		return -1;
	*sequence = 0;
	if (!s || !*s || util_strieq(s, "Campaign"))
		return 0;
	if (util_strieq(s, "Sequence")) {
		*sequence = 1;
		return 0;
	}
	return sbx_fail(c, 400, "Invalid sub_type '%.32s': expected Campaign or Sequence", s);
}

/* PUT /objects/subscribe: objectID, add_list, ids, sub_type. */
static void subscribe_add(sbx_call *c)
{
	int sequence;

	if (sub_type(c, &sequence) == 0)
		subscription(c, sequence, 0);
}

/* DELETE /objects/subscribe: objectID, remove_list, ids, sub_type. */
static void subscribe_remove(sbx_call *c)
{
	int sequence;

	if (sub_type(c, &sequence) == 0)
		subscription(c, sequence, 1);
}

/* PUT /objects/sequence: objectID, add_list (sequence ids), ids. */
static void sequence_add(sbx_call *c)
{
	subscription(c, 1, 0);
}

/* DELETE /objects/sequence: objectID, remove_list, ids. */
static void sequence_remove(sbx_call *c)
{
	subscription(c, 1, 1);
}

const sbx_route sbx_routes_subscriptions[] = {
    {"PUT", "/1/objects/subscribe", subscribe_add, 0},
    {"DELETE", "/1/objects/subscribe", subscribe_remove, 0},
    {"PUT", "/1/objects/sequence", sequence_add, 0},
    {"DELETE", "/1/objects/sequence", sequence_remove, 0},
    {NULL, NULL, NULL, 0},
};
