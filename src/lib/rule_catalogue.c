/*
 * The catalogue of the rule language (REFERENCE.md §7.3-7.6): every event,
 * condition and action with its arguments, whether it is for contacts only,
 * and the value vocabularies (units, conditionals, options, relative dates).
 *
 * Argument names are the official SDK's. Where the reference leaves a
 * format open (number_units, email_id_link_num, facebook's add_remove), the
 * argument is plain text; docs/rules.md lists those choices.
 */
#include <limits.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"
#include "util.h"
#include "banned.h"

#define K(kind) ONTRA_RULE_ARG_##kind
#define ARG(name, kind)                                                                            \
	{                                                                                          \
		name, K(kind), 0, 0, NULL                                                          \
	}
#define OPT(name, lo, hi, meaning)                                                                 \
	{                                                                                          \
		name, K(OPTION), lo, hi, meaning                                                   \
	}

/* ---- argument lists shared by several items ---- */

static const ontra_rule_arg a_sequence[] = {ARG("sequence_id", ID)};
static const ontra_rule_arg a_campaign[] = {ARG("campaign_id", ID)};
static const ontra_rule_arg a_tag[] = {ARG("tag_id", ID)};
static const ontra_rule_arg a_fulfillment[] = {ARG("fulfillment_id", ID)};
static const ontra_rule_arg a_product[] = {ARG("product_id", ID)};
static const ontra_rule_arg a_email[] = {ARG("email_id", ID)};
static const ontra_rule_arg a_membership[] = {ARG("wpMembership_id", ID)};
static const ontra_rule_arg a_field[] = {ARG("field_id", FIELD)};
static const ontra_rule_arg a_text[] = {ARG("text", TEXT)};

/* ---- events (triggers) ---- */

static const ontra_rule_arg e_date_field[] = {ARG("date_field", FIELD)};
static const ontra_rule_arg e_relative_date[] = {ARG("numberOf", NUMBER), ARG("units", UNITS),
                                                 OPT("option", 0, 1, "0 before, 1 after"),
                                                 ARG("date_field", FIELD)};
static const ontra_rule_arg e_campaign_change[] = {OPT("option", 0, 1, "0 added, 1 removed"),
                                                   ARG("campaign_id", ID)};
static const ontra_rule_arg e_task[] = {ARG("task_id", ID)};
static const ontra_rule_arg e_form[] = {ARG("form_id", ID),
                                        {"outcome", K(OPTION), 0, 1, "0 success, 1 failure"}};
static const ontra_rule_arg e_click[] = {ARG("email_id", ID), ARG("link_num", NUMBER)};
static const ontra_rule_arg e_number[] = {ARG("number_id", ID)};
static const ontra_rule_arg e_landing[] = {ARG("landingPage_id", ID)};
static const ontra_rule_arg e_purl[] = {ARG("PURL_id", ID)};
static const ontra_rule_arg e_subaction[] = {
    ARG("order_id", ID),
    OPT("option", 0, 3,
        "0 charged and successful, 1 canceled, 2 completed, 3 charged but declined")};
static const ontra_rule_arg e_ccstatus[] = {OPT("option", 0, 1, "0 charged, 1 declined")};
static const ontra_rule_arg e_url[] = {ARG("url", TEXT)};
static const ontra_rule_arg e_tracked[] = {ARG("trackedLink_id", ID)};

#define DEF(name, args, conly, summary)                                                            \
	{                                                                                          \
		name, ONTRA_RULE_EVENTS, args, sizeof args / sizeof *args, conly, summary          \
	}
#define DEF0(name, conly, summary)                                                                 \
	{                                                                                          \
		name, ONTRA_RULE_EVENTS, NULL, 0, conly, summary                                   \
	}

static const ontra_rule_def events[] = {
    DEF0("Contact_added_to_my_database", 0, "the object is created"),
    DEF("field_is_updated", a_field, 0, "a field's value changes"),
    DEF("Contact_added_to_campaign", a_sequence, 0, "the object is added to a sequence"),
    DEF("Contact_leaves_campaign", a_sequence, 0, "the object is removed from a sequence"),
    DEF("Subscription_to_drip_is_paused", a_sequence, 0,
        "its subscription to a sequence is paused"),
    DEF("Subscription_to_drip_is_unpaused", a_sequence, 0,
        "its subscription to a sequence is resumed"),
    DEF("pause_campaign", a_campaign, 0, "the object is paused on an automation"),
    DEF("unpause_campaign", a_campaign, 0, "the object is resumed on an automation"),
    DEF("Contact_added_to_category", a_tag, 0, "a tag is added"),
    DEF("Contact_removed_from_category", a_tag, 0, "a tag is removed"),
    DEF("Contact_subscribed_to_fulfillment", a_fulfillment, 0, "added to a fulfillment list"),
    DEF("Contact_unsubscribed_from_fulfillment", a_fulfillment, 0,
        "removed from a fulfillment list"),
    DEF("on_date_field", e_date_field, 0, "today is the date in a date field"),
    DEF("relative_date_field", e_relative_date, 0,
        "today is some time before or after a date field"),
    DEF("campaign_builder_object_change", e_campaign_change, 0,
        "added to or removed from an automation"),
    DEF("object_completed_task", e_task, 0, "a task is completed"),
    DEF("object_submits_form", e_form, 0, "a form is submitted (or fails)"),
    DEF0("call_is_logged", 0, "a call is logged (the sdk lists no arguments for it)"),
    DEF("Contact_opens_email", a_email, 0, "an e-mail is opened"),
    DEF("Contact_clicks_emailanchor", e_click, 0, "a link in an e-mail is clicked"),
    DEF0("Contact_sends_Email", 0, "the object sends you an e-mail"),
    DEF("sms_message_received", e_number, 0, "an sms arrives on a number"),
    DEF("Contact_purchases_product", a_product, 1, "a product is purchased"),
    DEF("Contact_receives_refund_on_product", a_product, 1, "a product is refunded"),
    DEF("Contact_visits_landingpage_splittest", e_landing, 1, "a landing page is visited"),
    DEF("Contact_visits_purl_splittest", e_purl, 1, "a purl is visited"),
    DEF("Contact_is_subscribed_to_productsub", a_product, 1, "an open order is created"),
    DEF("Contact_subscription_to_productsub_is_subaction", e_subaction, 1,
        "an open order is charged, canceled or completed"),
    DEF("Contact_subscription_to_productsub_is_subevent", e_subaction, 1,
        "the java sdk's spelling of Contact_subscription_to_productsub_is_subaction"),
    DEF("Contact_credit_card_is_ccstatus", e_ccstatus, 1, "a credit card is charged or declined"),
    DEF("contact_visits_url", e_url, 1, "a url is visited"),
    DEF("clicks_tracked_link", e_tracked, 1, "a tracked link is clicked"),
    DEF("Contact_given_access_to_wpintmembershiplevel", a_membership, 1,
        "given access to a wordpress membership level"),
    DEF("Contact_removed_from_access_to_wpintmembershiplevel", a_membership, 1,
        "loses access to a wordpress membership level"),
};

#undef DEF
#undef DEF0

/* ---- conditions ---- */

static const ontra_rule_arg c_campaign_date[] = {
    ARG("campaign_id", ID),
    {"conditional", K(DATE_CONDITIONAL), 0, 0, "1 on, 2 before, 3 after"},
    ARG("date", DATE)};
static const ontra_rule_arg c_campaign_time[] = {ARG("campaign_id", ID), ARG("number_units", TEXT)};
static const ontra_rule_arg c_paused_active[] = {
    OPT("option", 0, 1, "0 active (resumed), 1 paused"), ARG("campaign_id", ID)};
static const ontra_rule_arg c_sequence_time[] = {ARG("sequence_id", ID), ARG("numberOf", NUMBER),
                                                 ARG("units", UNITS)};
static const ontra_rule_arg c_sequence_date[] = {
    ARG("sequence_id", ID),
    {"conditional", K(DATE_CONDITIONAL), 0, 0, "1 on, 2 before, 3 after"},
    ARG("date", DATE)};
static const ontra_rule_arg c_field_value[] = {
    ARG("field_id", FIELD), ARG("conditional", ANY_CONDITIONAL), ARG("value", VALUE)};
static const ontra_rule_arg c_opened[] = {ARG("email_id", ID), ARG("conditional", CONDITIONAL),
                                          ARG("number", NUMBER)};
static const ontra_rule_arg c_clicked[] = {ARG("email_id_link_num", TEXT),
                                           ARG("conditional", CONDITIONAL), ARG("number", NUMBER)};
static const ontra_rule_arg c_spent[] = {ARG("conditional", CONDITIONAL), ARG("number", AMOUNT),
                                         ARG("product_id", ID)};
static const ontra_rule_arg c_purchased[] = {ARG("conditional", CONDITIONAL), ARG("number", NUMBER),
                                             ARG("product_id", ID)};
static const ontra_rule_arg c_productsub_time[] = {ARG("product_id", ID),
                                                   ARG("number_units", TEXT)};
static const ontra_rule_arg c_website[] = {ARG("wordpress_id", ID), ARG("conditional", CONDITIONAL),
                                           ARG("number", NUMBER)};
static const ontra_rule_arg c_landing[] = {ARG("landingPage_id", ID),
                                           ARG("object_type_id", OBJECT_TYPE),
                                           ARG("conditional", CONDITIONAL), ARG("number", NUMBER)};
static const ontra_rule_arg c_url[] = {ARG("conditional", CONDITIONAL), ARG("text", TEXT)};

#define DEF(name, args, conly, summary)                                                            \
	{                                                                                          \
		name, ONTRA_RULE_CONDITIONS, args, sizeof args / sizeof *args, conly, summary      \
	}
#define DEF0(name, conly, summary)                                                                 \
	{                                                                                          \
		name, ONTRA_RULE_CONDITIONS, NULL, 0, conly, summary                               \
	}

static const ontra_rule_def conditions[] = {
    DEF("campaignbuilder_subscription_date_is_val", c_campaign_date, 0,
        "subscribed to an automation on, before or after a date"),
    DEF("Been_on_campaign_for_timeframe", c_campaign_time, 0, "on an automation for some time"),
    DEF("paused_or_active_on_camp", c_paused_active, 0, "paused or active on an automation"),
    DEF("been_on_campaignbuilder_for_timeframe", c_sequence_time, 0, "on a sequence for some time"),
    DEF("Date_of_subscription_to_drip_is_datecondition_datevalue", c_sequence_date, 0,
        "subscribed to a sequence on, before or after a date"),
    DEF("Is_subscribed_to_drip", a_sequence, 0, "on a sequence"),
    DEF("Is_not_subscribed_to_drip", a_sequence, 0, "not on a sequence"),
    DEF("Subscription_to_dripa_is_paused", a_sequence, 0, "its sequence subscription is paused"),
    DEF("Subscription_to_dripa_is_not_paused", a_sequence, 0,
        "its sequence subscription is not paused"),
    DEF("field_is_condition_fieldvalue", c_field_value, 0, "a field compares to a value"),
    DEF("Is_in_category", a_tag, 0, "has a tag"),
    DEF("Is_not_in_category", a_tag, 0, "does not have a tag"),
    DEF("Is_on_fulfillment", a_fulfillment, 0, "on a fulfillment list"),
    DEF("Is_not_on_fulfillment", a_fulfillment, 0, "not on a fulfillment list"),
    DEF("Has_opened_email_condition_n_times", c_opened, 0, "opened an e-mail n times"),
    DEF("Has_clicked_emailanchor_condition_n_times", c_clicked, 0,
        "clicked a link in an e-mail n times"),
    DEF0("sms_contains_email", 0, "the sms received holds an e-mail address"),
    DEF0("sms_does_not_contain_email", 0, "the sms received holds no e-mail address"),
    DEF("sms_contains_text", a_text, 0, "the sms received holds a text"),
    DEF("sms_does_not_contain_text", a_text, 0, "the sms received does not hold a text"),
    DEF("Has_spent_condition_N_on_product", c_spent, 1, "spent an amount on a product"),
    DEF("Has_purchased_condition_n_product", c_purchased, 1, "bought a product n times"),
    DEF("Is_subscribed_to_productsub", a_product, 1, "has an open order for a product"),
    DEF("Has_been_subscribed_to_productsub_for_timeframe", c_productsub_time, 1,
        "has had an open order for some time"),
    DEF("Has_visited_website_condition_n_times", c_website, 1, "visited a wordpress site n times"),
    DEF("Has_visited_landingpage_splittest_condition_n_times", c_landing, 1,
        "visited a landing page n times"),
    DEF("Contact_has_access_to_wpintmembershiplevel", a_membership, 1,
        "has access to a wordpress membership level"),
    DEF("Contact_does_not_have_access_to_wpintmembershiplevel", a_membership, 1,
        "has no access to a wordpress membership level"),
    DEF("url_condition", c_url, 0, "the url visited compares to a text"),
};

#undef DEF
#undef DEF0

/* ---- actions ---- */

static const ontra_rule_arg x_campaign_change[] = {OPT("option", 0, 1, "0 add, 1 remove"),
                                                   ARG("campaign_id", ID)};
static const ontra_rule_arg x_pause_camp[] = {OPT("option", 0, 1, "1 pause, 0 unpause"),
                                              ARG("campaign_id", ID)};
static const ontra_rule_arg x_change_field[] = {ARG("field_id", FIELD), ARG("value", VALUE),
                                                ARG("field_option", VALUE)};
static const ontra_rule_arg x_leadrouter[] = {ARG("leadRouter_id", ID)};
static const ontra_rule_arg x_notify_email[] = {ARG("user_id", ID), ARG("email_id", ID)};
static const ontra_rule_arg x_postcard[] = {ARG("postcard_id", ID)};
static const ontra_rule_arg x_task[] = {ARG("task_id", ID)};
static const ontra_rule_arg x_sms[] = {ARG("sms_id", ID), ARG("number_id", ID)};
static const ontra_rule_arg x_ping[] = {ARG("webhook_id", ID)};
static const ontra_rule_arg x_facebook[] = {ARG("add_remove", TEXT), ARG("custom_audience_id", ID)};
static const ontra_rule_arg x_notify_sms[] = {ARG("user_id", ID), ARG("sms_id", ID),
                                              ARG("number_id", ID)};

#define DEF(name, args, conly, summary)                                                            \
	{                                                                                          \
		name, ONTRA_RULE_ACTIONS, args, sizeof args / sizeof *args, conly, summary         \
	}
#define DEF0(name, conly, summary)                                                                 \
	{                                                                                          \
		name, ONTRA_RULE_ACTIONS, NULL, 0, conly, summary                                  \
	}

static const ontra_rule_def actions[] = {
    DEF("Add_contact_to_category", a_tag, 0, "add a tag"),
    DEF("Remove_contact_from_category", a_tag, 0, "remove a tag"),
    DEF("campaign_builder_action_change", x_campaign_change, 0,
        "add to or remove from an automation"),
    DEF("pause_or_unpause_on_camp", x_pause_camp, 0, "pause or resume on an automation"),
    DEF("Assign_contact_to_drip", a_sequence, 0, "add to a sequence"),
    DEF("Remove_contact_from_drip", a_sequence, 0, "remove from a sequence"),
    DEF0("Remove_contact_from_all_sequences", 0, "remove from every sequence"),
    DEF("Pause_subscription_to_dripa", a_sequence, 0, "pause a sequence subscription"),
    DEF("Unpause_subscription_to_dripa", a_sequence, 0, "resume a sequence subscription"),
    DEF("Change_field_to_fieldvalue", x_change_field, 0, "set a field to a value"),
    DEF("Add_to_leadrouter", x_leadrouter, 1, "send to a lead router"),
    DEF("Assign_to_fulfillment", a_fulfillment, 0, "add to a fulfillment list"),
    DEF("Remove_from_fulfillment", a_fulfillment, 0, "remove from a fulfillment list"),
    DEF0("Remove_from_all_fulfillments", 0, "remove from every fulfillment list"),
    DEF0("Recharge_all_declined_transactions", 1, "recharge every declined transaction"),
    DEF("Add_product_to_purchase_history", a_product, 1, "add a product to the purchase history"),
    DEF("Cancel_open_orders_with_product", a_product, 1, "cancel the open orders of a product"),
    DEF("Notify_someone_with_emailmbs", x_notify_email, 0, "send an e-mail to a user"),
    DEF("Send_contact_an_emailmbs", a_email, 0, "send an e-mail"),
    DEF("Send_contact_a_postcard", x_postcard, 1, "send a postcard"),
    DEF("Send_contact_a_task", x_task, 0, "assign a task"),
    DEF("send_contact_an_sms", x_sms, 0, "send an sms from a number"),
    DEF("Ping_APIURL", x_ping, 0,
        "call a webhook (legacy form: Ping_APIURL(url::post_data::json_flag))"),
    DEF("Add_access_for_contact_to_wpintmembershiplevel", a_membership, 1,
        "give access to a wordpress membership level"),
    DEF("Remove_access_for_contact_to_wpintmembershiplevel", a_membership, 1,
        "take away access to a wordpress membership level"),
    DEF("facebook_audience_action", x_facebook, 0, "add to or remove from a facebook audience"),
    DEF("Notify_someone_with_sms", x_notify_sms, 0, "send an sms to a user"),
};

#undef DEF
#undef DEF0

/* ---- vocabularies (§7.6) ---- */

static const char *const conditionals[] = {"Equal To",
                                           "Not Equal To",
                                           "Greater Than",
                                           "Less Than",
                                           "Greater Than or Equal To",
                                           "Less Than or Equal To",
                                           "Contains",
                                           "Does Not Contain",
                                           "Starts With",
                                           "Ends With",
                                           NULL};

static const char *const relative_dates[] = {
    "TODAY",    "YESTERDAY", "LSUNDAY",  "L2SUNDAY", "FDTMONTH", "FDLMONTH", "TDLMONTH",
    "FDTYEAR",  "TDLYEAR",   "S7DAYS",   "S30DAYS",  "S90DAYS",  "S120DAYS", "S180DAYS",
    "TOMORROW", "FDNMONTH",  "TDNMONTH", "FDNYEAR",  "TDNYEAR",  "7DFNOW",   "14DFNOW",
    "30DFNOW",  "60DFNOW",   "90DFNOW",  "120DFNOW", "180DFNOW", NULL};

static const ontra_rule_def *table(ontra_rule_part part, size_t *n)
{
	switch (part) {
	case ONTRA_RULE_EVENTS:
		*n = sizeof events / sizeof *events;
		return events;
	case ONTRA_RULE_CONDITIONS:
		*n = sizeof conditions / sizeof *conditions;
		return conditions;
	case ONTRA_RULE_ACTIONS:
		*n = sizeof actions / sizeof *actions;
		return actions;
	}
	*n = 0;
	return NULL;
}

const char *ontra_rule_part_name(ontra_rule_part part)
{
	switch (part) {
	case ONTRA_RULE_EVENTS:
		return "events";
	case ONTRA_RULE_CONDITIONS:
		return "conditions";
	case ONTRA_RULE_ACTIONS:
		return "actions";
	}
	return "?";
}

size_t ontra_rule_catalogue_size(ontra_rule_part part)
{
	size_t n;

	table(part, &n);
	return n;
}

const ontra_rule_def *ontra_rule_catalogue_at(ontra_rule_part part, size_t i)
{
	size_t n;
	const ontra_rule_def *t = table(part, &n);

	return i < n ? &t[i] : NULL;
}

const ontra_rule_def *ontra_rule_catalogue_find(ontra_rule_part part, const char *name)
{
	size_t n, i;
	const ontra_rule_def *t = table(part, &n);

	for (i = 0; name && i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

const char *const *ontra_rule_vocabulary(ontra_rule_vocab which)
{
	switch (which) {
	case ONTRA_RULE_VOCAB_CONDITIONALS:
		return conditionals;
	case ONTRA_RULE_VOCAB_RELATIVE_DATES:
		return relative_dates;
	}
	return NULL;
}

const char *ontra__rule_kind_name(ontra_rule_arg_kind kind)
{
	switch (kind) {
	case K(ID):
		return "id";
	case K(NUMBER):
		return "number";
	case K(AMOUNT):
		return "amount";
	case K(UNITS):
		return "units";
	case K(OPTION):
		return "option";
	case K(CONDITIONAL):
		return "conditional";
	case K(DATE_CONDITIONAL):
		return "date conditional";
	case K(ANY_CONDITIONAL):
		return "conditional";
	case K(DATE):
		return "date";
	case K(FIELD):
		return "field";
	case K(TEXT):
		return "text";
	case K(VALUE):
		return "value";
	case K(OBJECT_TYPE):
		return "object type";
	}
	return "?";
}

/* ---- value checks ---- */

#define NUM_DIGITS_MAX 18 /* whole numbers fit in a long long, and in a JSON number exactly */

static int all_digits(const char *s, size_t max)
{
	size_t n = 0;

	if (!*s)
		return 0;
	for (; *s; s++, n++)
		if (!isdigit((unsigned char)*s) || n >= max)
			return 0;
	return 1;
}

/* digits [ '.' digits ] */
static int is_amount(const char *s)
{
	size_t n = 0, frac = 0;
	int dot = 0;

	for (; *s; s++) {
		if (*s == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return 0;
		if (dot)
			frac++;
		else
			n++;
	}
	return n > 0 && n <= NUM_DIGITS_MAX && (!dot || (frac > 0 && frac <= 6));
}

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* YYYY-MM-DD with a plausible month and day. */
static int is_iso_date(const char *s)
{
	long long y, m, d;
	char part[8];

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	snprintf(part, sizeof part, "%.4s", s);
	if (!all_digits(part, 4) || util_parse_ll(part, 1900, 9999, &y) < 0)
		return 0;
	snprintf(part, sizeof part, "%.2s", s + 5);
	if (!all_digits(part, 2) || util_parse_ll(part, 1, 12, &m) < 0)
		return 0;
	snprintf(part, sizeof part, "%.2s", s + 8);
	return all_digits(part, 2) && util_parse_ll(part, 1, 31, &d) == 0;
}

/* A field is named by letters, digits and '_' (firstname, f1234) or by number. */
static int is_field(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!(isalnum((unsigned char)*s) || *s == '_') || n >= 64)
			return 0;
	return n > 0;
}

static void nearest_hint(char *why, size_t whysz, const char *prefix, const char *value,
                         const char *const *list)
{
	size_t n = 0;
	const char *near;

	while (list[n])
		n++;
	near = util_nearest(value, list, n);
	if (near)
		snprintf(why, whysz, "%s (did you mean '%s'?)", prefix, near);
	else
		snprintf(why, whysz, "%s", prefix);
}

int ontra__rule_arg_ok(const ontra_rule_arg *arg, const char *v, char *why, size_t whysz)
{
	long long n;

	switch (arg->kind) {
	case K(ID):
		if (all_digits(v, NUM_DIGITS_MAX) && util_parse_ll(v, 1, ONTRA_ID_MAX, &n) == 0)
			return 0;
		snprintf(why, whysz, "expected an id (a positive whole number)");
		return -1;
	case K(NUMBER):
		if (all_digits(v, NUM_DIGITS_MAX))
			return 0;
		snprintf(why, whysz, "expected a whole number");
		return -1;
	case K(OBJECT_TYPE):
		if (all_digits(v, 10) && util_parse_ll(v, 0, INT_MAX, &n) == 0)
			return 0;
		snprintf(why, whysz, "expected an object type id (a whole number, 0 for contacts)");
		return -1;
	case K(AMOUNT):
		if (is_amount(v))
			return 0;
		snprintf(why, whysz, "expected an amount (a number such as 10 or 9.95)");
		return -1;
	case K(UNITS):
		if (strcmp(v, "0") == 0 || strcmp(v, "1") == 0 || strcmp(v, "2") == 0)
			return 0;
		snprintf(why, whysz, "expected 0 (days), 1 (weeks) or 2 (months)");
		return -1;
	case K(OPTION):
		if (all_digits(v, 1) && util_parse_ll(v, arg->min, arg->max, &n) == 0)
			return 0;
		snprintf(why, whysz, "expected %s", arg->values ? arg->values : "an option number");
		return -1;
	case K(DATE_CONDITIONAL):
		if (strcmp(v, "1") == 0 || strcmp(v, "2") == 0 || strcmp(v, "3") == 0)
			return 0;
		snprintf(why, whysz, "expected 1 (on), 2 (before) or 3 (after)");
		return -1;
	case K(CONDITIONAL):
		if (in_list(conditionals, v))
			return 0;
		nearest_hint(
		    why, whysz,
		    "expected a conditional: Equal To, Not Equal To, Greater Than, Less Than, "
		    "Greater Than or Equal To, Less Than or Equal To, Contains, Does Not Contain, "
		    "Starts With or Ends With",
		    v, conditionals);
		return -1;
	case K(ANY_CONDITIONAL):
		if (in_list(conditionals, v) || strcmp(v, "1") == 0 || strcmp(v, "2") == 0 ||
		    strcmp(v, "3") == 0)
			return 0;
		nearest_hint(
		    why, whysz,
		    "expected a conditional (Equal To, Not Equal To, Greater Than, Less Than, "
		    "Greater Than or Equal To, Less Than or Equal To, Contains, Does Not Contain, "
		    "Starts With, Ends With) or for dates 1 (on), 2 (before), 3 (after)",
		    v, conditionals);
		return -1;
	case K(DATE):
		if (in_list(relative_dates, v) || is_iso_date(v) || all_digits(v, 12))
			return 0;
		nearest_hint(
		    why, whysz,
		    "expected a date: YYYY-MM-DD, Unix seconds, or a relative date (TODAY, "
		    "YESTERDAY, TOMORROW, S7DAYS, 7DFNOW, ...; see 'ontraport rules catalogue')",
		    v, relative_dates);
		return -1;
	case K(FIELD):
		if (is_field(v))
			return 0;
		snprintf(why, whysz, "expected a field name or number (letters, digits and _)");
		return -1;
	case K(TEXT):
		if (*v)
			return 0;
		snprintf(why, whysz, "expected some text");
		return -1;
	case K(VALUE):
		return 0;
	}
	snprintf(why, whysz, "unknown argument kind");
	return -1;
}
