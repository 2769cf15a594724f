/*
 * rules: create and update rules (reference §7), stored in the object store
 * as type 6, and pause/unpause. Reads go through the generic endpoints
 * (GET /Rule, /Rules, /Rules/getInfo, /Rules/meta); this file answers
 *
 *   POST /1/Rules              create (JSON as the SDK sends it, form too): the full record
 *   PUT  /1/Rules              update (form, JSON too): {attrs: {<changed>, dlm, id}}
 *   DELETE /1/Rule?id=         delete one: reply without data
 *   POST /1/objects/pause      pause (objectID 6 rules, 5 sequences: types with a
 *   POST /1/objects/unpause    "pause" field), by ids: reply without data
 *
 * Rule strings are checked as a server would (the reference leaves the real
 * server's checks UNCONFIRMED): every item must be Name(args) with a known
 * name and the right number of arguments, else 400 with a short text. The
 * table below is the sandbox's own, kept apart from the client library's
 * catalogue on purpose, so that a mistake in one shows up against the other.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sbx_deliveries.h"
#include "sbx_call.h"
#include "sbx_routes.h"
#include "util.h"
#include "banned.h"

#define RULE_TEXT_MAX (64 * 1024)
#define RULE_ITEMS_MAX 256

enum { P_EVENTS = 1, P_CONDITIONS = 2, P_ACTIONS = 4 };

/* name, the parts it may appear in, argument count. Ping_APIURL also takes 1-3 with "::". */
static const struct rule_item {
	const char *name;
	unsigned char parts;
	unsigned char nargs;
} items[] = {
    /* events, §7.3 */
    {"Contact_added_to_my_database", P_EVENTS, 0},
    {"field_is_updated", P_EVENTS, 1},
    {"Contact_added_to_campaign", P_EVENTS, 1},
    {"Contact_leaves_campaign", P_EVENTS, 1},
    {"Subscription_to_drip_is_paused", P_EVENTS, 1},
    {"Subscription_to_drip_is_unpaused", P_EVENTS, 1},
    {"pause_campaign", P_EVENTS, 1},
    {"unpause_campaign", P_EVENTS, 1},
    {"Contact_added_to_category", P_EVENTS, 1},
    {"Contact_removed_from_category", P_EVENTS, 1},
    {"Contact_subscribed_to_fulfillment", P_EVENTS, 1},
    {"Contact_unsubscribed_from_fulfillment", P_EVENTS, 1},
    {"on_date_field", P_EVENTS, 1},
    {"relative_date_field", P_EVENTS, 4},
    {"campaign_builder_object_change", P_EVENTS, 2},
    {"object_completed_task", P_EVENTS, 1},
    {"object_submits_form", P_EVENTS, 2},
    {"call_is_logged", P_EVENTS, 0},
    {"Contact_opens_email", P_EVENTS, 1},
    {"Contact_clicks_emailanchor", P_EVENTS, 2},
    {"Contact_sends_Email", P_EVENTS, 0},
    {"sms_message_received", P_EVENTS, 1},
    {"Contact_purchases_product", P_EVENTS, 1},
    {"Contact_receives_refund_on_product", P_EVENTS, 1},
    {"Contact_visits_landingpage_splittest", P_EVENTS, 1},
    {"Contact_visits_purl_splittest", P_EVENTS, 1},
    {"Contact_is_subscribed_to_productsub", P_EVENTS, 1},
    {"Contact_subscription_to_productsub_is_subaction", P_EVENTS, 2},
    {"Contact_subscription_to_productsub_is_subevent", P_EVENTS, 2},
    {"Contact_credit_card_is_ccstatus", P_EVENTS, 1},
    {"contact_visits_url", P_EVENTS, 1},
    {"clicks_tracked_link", P_EVENTS, 1},
    {"Contact_given_access_to_wpintmembershiplevel", P_EVENTS, 1},
    {"Contact_removed_from_access_to_wpintmembershiplevel", P_EVENTS, 1},
    /* conditions, §7.4 */
    {"campaignbuilder_subscription_date_is_val", P_CONDITIONS, 3},
    {"Been_on_campaign_for_timeframe", P_CONDITIONS, 2},
    {"paused_or_active_on_camp", P_CONDITIONS, 2},
    {"been_on_campaignbuilder_for_timeframe", P_CONDITIONS, 3},
    {"Date_of_subscription_to_drip_is_datecondition_datevalue", P_CONDITIONS, 3},
    {"Is_subscribed_to_drip", P_CONDITIONS, 1},
    {"Is_not_subscribed_to_drip", P_CONDITIONS, 1},
    {"Subscription_to_dripa_is_paused", P_CONDITIONS, 1},
    {"Subscription_to_dripa_is_not_paused", P_CONDITIONS, 1},
    {"field_is_condition_fieldvalue", P_CONDITIONS, 3},
    {"Is_in_category", P_CONDITIONS, 1},
    {"Is_not_in_category", P_CONDITIONS, 1},
    {"Is_on_fulfillment", P_CONDITIONS, 1},
    {"Is_not_on_fulfillment", P_CONDITIONS, 1},
    {"Has_opened_email_condition_n_times", P_CONDITIONS, 3},
    {"Has_clicked_emailanchor_condition_n_times", P_CONDITIONS, 3},
    {"sms_contains_email", P_CONDITIONS, 0},
    {"sms_does_not_contain_email", P_CONDITIONS, 0},
    {"sms_contains_text", P_CONDITIONS, 1},
    {"sms_does_not_contain_text", P_CONDITIONS, 1},
    {"Has_spent_condition_N_on_product", P_CONDITIONS, 3},
    {"Has_purchased_condition_n_product", P_CONDITIONS, 3},
    {"Is_subscribed_to_productsub", P_CONDITIONS, 1},
    {"Has_been_subscribed_to_productsub_for_timeframe", P_CONDITIONS, 2},
    {"Has_visited_website_condition_n_times", P_CONDITIONS, 3},
    {"Has_visited_landingpage_splittest_condition_n_times", P_CONDITIONS, 4},
    {"Contact_has_access_to_wpintmembershiplevel", P_CONDITIONS, 1},
    {"Contact_does_not_have_access_to_wpintmembershiplevel", P_CONDITIONS, 1},
    {"url_condition", P_CONDITIONS, 2},
    /* actions, §7.5 */
    {"Add_contact_to_category", P_ACTIONS, 1},
    {"Remove_contact_from_category", P_ACTIONS, 1},
    {"campaign_builder_action_change", P_ACTIONS, 2},
    {"pause_or_unpause_on_camp", P_ACTIONS, 2},
    {"Assign_contact_to_drip", P_ACTIONS, 1},
    {"Remove_contact_from_drip", P_ACTIONS, 1},
    {"Remove_contact_from_all_sequences", P_ACTIONS, 0},
    {"Pause_subscription_to_dripa", P_ACTIONS, 1},
    {"Unpause_subscription_to_dripa", P_ACTIONS, 1},
    {"Change_field_to_fieldvalue", P_ACTIONS, 3},
    {"Add_to_leadrouter", P_ACTIONS, 1},
    {"Assign_to_fulfillment", P_ACTIONS, 1},
    {"Remove_from_fulfillment", P_ACTIONS, 1},
    {"Remove_from_all_fulfillments", P_ACTIONS, 0},
    {"Recharge_all_declined_transactions", P_ACTIONS, 0},
    {"Add_product_to_purchase_history", P_ACTIONS, 1},
    {"Cancel_open_orders_with_product", P_ACTIONS, 1},
    {"Notify_someone_with_emailmbs", P_ACTIONS, 2},
    {"Send_contact_an_emailmbs", P_ACTIONS, 1},
    {"Send_contact_a_postcard", P_ACTIONS, 1},
    {"Send_contact_a_task", P_ACTIONS, 1},
    {"send_contact_an_sms", P_ACTIONS, 2},
    {"Ping_APIURL", P_ACTIONS, 1},
    {"Add_access_for_contact_to_wpintmembershiplevel", P_ACTIONS, 1},
    {"Remove_access_for_contact_to_wpintmembershiplevel", P_ACTIONS, 1},
    {"facebook_audience_action", P_ACTIONS, 2},
    {"Notify_someone_with_sms", P_ACTIONS, 3},
};

static const struct rule_item *find_item(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof items / sizeof *items; i++)
		if (strlen(items[i].name) == len && !memcmp(items[i].name, name, len))
			return &items[i];
	return NULL;
}

/* Count the arguments in [p, end): "" is none, else separators + 1. */
static size_t count_args(const char *p, const char *end, const char *sep)
{
	size_t n = 1, seplen = strlen(sep);
	const char *q;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return 0;
	for (q = p; q + seplen <= end; q++)
		if (!memcmp(q, sep, seplen)) {
			n++;
			q += seplen - 1;
		}
	return n;
}

/*
 * Check one rule string of a part. 0 when fine; else -1 with a short reason
 * in why (naming the item).
 */
static int check_rule_string(const char *s, unsigned part, char *why, size_t whysz)
{
	const char *p = s;
	char shown[80], clipped[80];
	size_t n = 0;

	if (strlen(s) > RULE_TEXT_MAX) {
		snprintf(why, whysz, "too long");
		return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (!*p) {
		if (part == P_CONDITIONS)
			return 0;
		snprintf(why, whysz, "at least one item is required");
		return -1;
	}
	for (;;) {
		const char *name = p, *open, *close, *next;
		const struct rule_item *it;
		size_t len, given;

		if (++n > RULE_ITEMS_MAX) {
			snprintf(why, whysz, "too many items");
			return -1;
		}
		/* The item runs to the next ';' or '|', which cannot appear inside it. */
		next = p + strcspn(p, ";|");
		open = memchr(p, '(', (size_t)(next - p));
		close = next;
		while (close > p && isspace((unsigned char)close[-1]))
			close--;
		snprintf(shown, sizeof shown, "%.*s", (int)(close - p), p);
		if (!open || close == p || close[-1] != ')' ||
		    memchr(open + 1, '(', (size_t)(close - open - 1)) ||
		    memchr(open + 1, ')', (size_t)(close - open - 2))) {
			snprintf(why, whysz, "malformed item '%s' (expected Name(arguments))",
			         sbx_clip(shown, clipped, sizeof clipped));
			return -1;
		}
		len = (size_t)(open - name);
		while (len && isspace((unsigned char)name[len - 1]))
			len--;
		it = find_item(name, len);
		if (!it || !(it->parts & part)) {
			snprintf(why, whysz, "unknown item '%.*s'", (int)(len < 64 ? len : 64),
			         name);
			return -1;
		}
		given = count_args(open + 1, close - 1, ",");
		if (!strcmp(it->name, "Ping_APIURL") &&
		    util_memfind(open + 1, (size_t)(close - open - 2), "::", 2)) {
			given = count_args(open + 1, close - 1, "::");
			if (given > 3) {
				snprintf(why, whysz,
				         "'Ping_APIURL' takes 1 to 3 arguments, got %zu", given);
				return -1;
			}
		} else if (given != it->nargs) {
			snprintf(why, whysz, "'%s' takes %u argument%s, got %zu", it->name,
			         it->nargs, it->nargs == 1 ? "" : "s", given);
			return -1;
		}
		if (!*next)
			return 0;
		if (*next == '|' && part != P_CONDITIONS) {
			snprintf(why, whysz, "'|' is only allowed between conditions");
			return -1;
		}
		p = next + 1;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == ';' || *p == '|') {
			snprintf(why, whysz, "empty item after '%c'", *next);
			return -1;
		}
	}
}

/* Check the rule strings present in the call; answers 400 and returns -1 on a bad one. */
static int check_parts(sbx_call *c)
{
	static const struct {
		const char *key;
		unsigned part;
	} parts[] = {{"events", P_EVENTS}, {"conditions", P_CONDITIONS}, {"actions", P_ACTIONS}};
	char why[160];
	size_t i;

	for (i = 0; i < 3; i++) {
		const char *s = NULL;
		if (sbx_arg_str(c, parts[i].key, SBX_OPTIONAL, &s) < 0)
			return -1;
		if (s && check_rule_string(s, parts[i].part, why, sizeof why) < 0)
			return sbx_fail(c, 400, "Invalid %s: %s", parts[i].key, why);
	}
	return 0;
}

static const char *const parts_names[] = {"events", "conditions", "actions"};

static const sbx_otype *rule_type(sbx_call *c)
{
	const sbx_otype *t = sbx_store_type(c->ctx->store, 6);

	if (!t)
		sbx_fail(c, 500, "Internal Server Error: no rule type in the store");
	return t;
}

/* pause arrives as 1/0/true/false: stored "1" or "0". -1 when answered. */
static int normalise_pause(sbx_call *c, json_t *values)
{
	int pause;
	int rc = sbx_arg_bool(c, "pause", SBX_OPTIONAL, &pause);

	if (rc < 0)
		return -1;
	if (rc == 0)
		json_object_set_new(values, "pause", json_string(pause ? "1" : "0"));
	else
		json_object_del(values, "pause");
	return 0;
}

/* POST /1/Rules */
static void rule_create(sbx_call *c)
{
	const sbx_otype *t = rule_type(c);
	json_t *values, *rec = NULL;
	long long id, type = 0;
	sbx_err e = SBX_ERR_INIT;

	if (!t || check_parts(c) < 0 ||
	    sbx_arg_int(c, "object_type_id", SBX_OPTIONAL, 0, INT_MAX, &type) < 0)
		return;
	if (!sbx_store_type(c->ctx->store, type)) {
		sbx_fail(c, 400, "Invalid object_type_id '%lld': no such object type", type);
		return;
	}
	values = json_deep_copy(c->params);
	if (!values) {
		sbx_fail(c, 500, "Internal Server Error: out of memory");
		return;
	}
	json_object_del(values, "id");
	/* Parts not given are empty: a suite run against a live account expects POST
	 * /Rules {} to succeed (REFERENCE-MORE §M13; the SDK's "required" is its own
	 * check). Such a rule never fires. */
	for (size_t i = 0; i < 3; i++)
		if (!json_object_get(values, parts_names[i]))
			json_object_set_new(values, parts_names[i], json_string(""));
	if (normalise_pause(c, values) == 0) {
		if (sbx_record_insert(c->ctx->store, t, values, 0, &id, NULL, &e) < 0 ||
		    sbx_record_get(c->ctx->store, t, id, NULL, &rec, &e) < 0) {
			sbx_fail_err(c, &e);
		} else {
			sbx_report_object_created(c->ctx, t->id, id);
			sbx_reply(c,
			          rec); /* the full record (examples/resp-post-rules-create.json) */
		}
	}
	json_decref(values);
}

/* PUT /1/Rules */
static void rule_update(sbx_call *c)
{
	const sbx_otype *t = rule_type(c);
	json_t *values, *attrs = NULL;
	long long id, type;
	sbx_err e = SBX_ERR_INIT;
	int rc;

	if (!t || sbx_arg_int(c, "id", SBX_REQUIRED, 1, LLONG_MAX, &id) < 0 || check_parts(c) < 0 ||
	    (rc = sbx_arg_int(c, "object_type_id", SBX_OPTIONAL, 0, INT_MAX, &type)) < 0)
		return;
	if (rc == 0 && !sbx_store_type(c->ctx->store, type)) {
		sbx_fail(c, 400, "Invalid object_type_id '%lld': no such object type", type);
		return;
	}
	values = json_deep_copy(c->params);
	if (!values) {
		sbx_fail(c, 500, "Internal Server Error: out of memory");
		return;
	}
	json_object_del(values, "id");
	if (normalise_pause(c, values) == 0) {
		if (sbx_record_update(c->ctx->store, t, id, values, 0, &attrs, &e) < 0)
			sbx_fail_err(c, &e);
		else
			sbx_reply(c, json_pack("{s:o}", "attrs", attrs));
	}
	json_decref(values);
}

/* DELETE /1/Rule?id= */
static void rule_delete(sbx_call *c)
{
	if (sbx_delete_by_id(c, rule_type(c)) == 0)
		sbx_reply_nodata(c);
}

/* POST /1/objects/pause, /1/objects/unpause: objectID + ids. Unknown ids are skipped. */
static void set_paused(sbx_call *c, int pause)
{
	const sbx_otype *t;
	sbx_ids ids = SBX_IDS_INIT;
	json_t *values;
	size_t i;
	sbx_err e = SBX_ERR_INIT;

	if (sbx_call_otype(c, &t) < 0 || sbx_arg_ids(c, "ids", SBX_REQUIRED, &ids) < 0)
		return;
	if (!sbx_otype_field(t, "pause")) {
		sbx_fail(c, 400, "Invalid objectID '%lld': %s records cannot be paused", t->id,
		         t->name);
		sbx_ids_release(&ids);
		return;
	}
	values = json_pack("{s:s}", "pause", pause ? "1" : "0");
	if (!values || sbx_store_begin(c->ctx->store, &e) < 0) {
		json_decref(values);
		sbx_ids_release(&ids);
		sbx_fail(c, 500, "Internal Server Error: cannot start a transaction");
		return;
	}
	for (i = 0; i < ids.n; i++) {
		sbx_err one = SBX_ERR_INIT;
		if (sbx_record_update(c->ctx->store, t, ids.v[i], values, 0, NULL, &one) < 0 &&
		    one.status != 404) {
			sbx_store_rollback(c->ctx->store);
			sbx_fail_err(c, &one);
			goto out;
		}
	}
	if (sbx_store_commit(c->ctx->store, &e) < 0)
		sbx_fail_err(c, &e);
	else
		sbx_reply_nodata(c);
out:
	json_decref(values);
	sbx_ids_release(&ids);
}

static void objects_pause(sbx_call *c)
{
	set_paused(c, 1);
}

static void objects_unpause(sbx_call *c)
{
	set_paused(c, 0);
}

const sbx_route sbx_routes_rules[] = {
    {"POST", "/1/Rules", rule_create, 0},
    {"PUT", "/1/Rules", rule_update, 0},
    {"DELETE", "/1/Rule", rule_delete, 0},
    {"POST", "/1/objects/pause", objects_pause, 0},
    {"POST", "/1/objects/unpause", objects_unpause, 0},
    {NULL, NULL, NULL, 0},
};
