/*
 * schema: the built-in object types and their fields, and the seed records --
 * the state a new or reset sandbox starts from.
 *
 * Field lists follow the reference (§5 contacts, §6.2 messages, §7.1 rules, the
 * examples/ payloads for the rest). Display order is the order records are
 * returned in, so the fields the examples show first come first. A type
 * without a named endpoint in the reference (users, sequences) has no
 * singular/plural name and is reached through /objects?objectID=N only.
 *
 * To add a type: write its field table and a row in `types` below. To change a
 * field of an existing type, remember that files made by an older sandbox keep
 * their schema: bump SBX_SCHEMA_VERSION when the change matters.
 */
#include "sbx_store_int.h"

#include <stdio.h>
#include <string.h>

#include "banned.h"

/* clang-format off */
/* The tables below read best one field per line, aligned by hand. */

/* Shorthands for the tables below. */
#define ED SBX_F_EDITABLE
#define RO 0u
#define F(name, alias, type, flags) {name, alias, SBX_FT_##type, flags, NULL, NULL, NULL, NULL}
#define FO(name, alias, type, flags, options)                                                     \
	{name, alias, SBX_FT_##type, flags, options, NULL, NULL, NULL}
#define FP(name, alias, flags, parent) {name, alias, SBX_FT_PARENT, flags, NULL, parent, NULL, NULL}
#define FDF(name, alias, type, flags, dflt) {name, alias, SBX_FT_##type, flags, NULL, NULL, dflt, NULL}
#define CREATED(alias) {"date", alias, SBX_FT_TIMESTAMP, SBX_F_CREATED, NULL, NULL, NULL, NULL}
#define MODIFIED(alias) {"dlm", alias, SBX_FT_TIMESTAMP, SBX_F_MODIFIED, NULL, NULL, NULL, NULL}
#define OWNER {"owner", "Owner", SBX_FT_PARENT, ED, NULL, "2", "1", NULL}
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Contacts (0): reference §5. owner/firstname/lastname/email lead, as in the examples. */
static const sbx_field_def contact_fields[] = {
	{"owner", "Owner", SBX_FT_PARENT, ED, NULL, "2", "1", "Contact Information"},
	{"firstname", "First Name", SBX_FT_TEXT, ED, NULL, NULL, NULL, "Contact Information"},
	{"lastname", "Last Name", SBX_FT_TEXT, ED, NULL, NULL, NULL, "Contact Information"},
	/* Indexed: lookups by email (saveorupdate, getByEmail, conditions) must stay fast
	 * at a million contacts. */
	{"email", "Email", SBX_FT_EMAIL, ED | SBX_F_INDEXED, NULL, NULL, NULL, "Contact Information"},
	F("fn", "Name", MERGEFIELD, RO),
	F("address", "Address", ADDRESS, ED),
	F("address2", "Address 2", TEXT, ED),
	F("city", "City", TEXT, ED),
	F("state", "State", STATE, ED),
	F("zip", "Zip Code", TEXT, ED),
	F("country", "Country", COUNTRY, ED),
	F("birthday", "Birthday", FULLDATE, ED),
	F("office_phone", "Office Phone", PHONE, ED),
	F("home_phone", "Home Phone", PHONE, ED),
	F("cell_phone", "Cell Phone", PHONE, ED),
	F("sms_number", "SMS Number", SMS, ED),
	F("fax", "Fax", PHONE, ED),
	F("company", "Company", TEXT, ED),
	F("title", "Title", TEXT, ED),
	F("website", "Website", URL, ED),
	F("timezone", "Timezone", TEXT, ED),
	FO("priority", "Priority", DROP, ED, "{\"0\":\"None\",\"8\":\"High\",\"9\":\"Medium\",\"10\":\"Low\"}"),
	FO("status", "Sales Stage", DROP, ED,
	   "{\"1\":\"Closed - Lost\",\"2\":\"Closed - Won\",\"3\":\"Committed\",\"4\":\"Consideration\","
	   "\"5\":\"Demo Scheduled\",\"6\":\"Qualified Lead\",\"7\":\"New Prospect\"}"),
	FO("bulk_mail", "Bulk Email Status", DROP, ED,
	   "{\"0\":\"Transactional Only\",\"1\":\"Opted-in\",\"2\":\"Double opt-in\","
	   "\"-2\":\"Hard bounce\",\"-5\":\"Under review\"}"),
	FO("bulk_sms", "Bulk SMS Status", DROP, ED,
	   "{\"0\":\"Opted-out\",\"1\":\"Opted-in\",\"2\":\"Double opt-in\",\"-2\":\"Hard bounce\"}"),
	F("contact_cat", "Contact Tags", SUBSCRIPTION, ED),
	F("updateSequence", "Sequences", SUBSCRIPTION, ED),
	F("updateCampaign", "Campaigns", SUBSCRIPTION, ED),
	FDF("use_utm_names", "Use UTM Names", CHECK, ED, "false"),
	FP("freferrer", "First Referrer", ED, "36"),
	FP("lreferrer", "Last Referrer", ED, "36"),
	FP("n_lead_source", "First Lead Source", ED, "76"),
	FP("n_content", "First Content", ED, "78"),
	FP("n_medium", "First Medium", ED, "77"),
	FP("n_campaign", "First Campaign", ED, "75"),
	FP("n_term", "First Term", ED, "79"),
	FP("l_lead_source", "Last Lead Source", ED, "76"),
	FP("l_content", "Last Content", ED, "78"),
	FP("l_medium", "Last Medium", ED, "77"),
	FP("l_campaign", "Last Campaign", ED, "75"),
	FP("l_term", "Last Term", ED, "79"),
	F("referral_page", "Referring Page", URL, ED),
	F("aff_sales", "Number of Sales", NUMERIC, RO),
	F("aff_amount", "Total Affiliate Sales", PRICE, RO),
	FP("program_id", "Partner Program", ED, "35"),
	F("aff_paypal", "Paypal Address", TEXT, ED),
	F("spent", "Total Amount of Purchases", PRICE, RO),
	F("grade", "Score", NUMERIC, RO),
	F("num_purchased", "Number of Purchases", NUMERIC, RO),
	F("mriInvoiceNum", "Last Invoice #", NUMERIC, RO),
	F("mriInvoiceTotal", "Last Total Invoice Amount", PRICE, RO),
	F("mrcAmount", "Last Charge Amount", PRICE, RO),
	F("mrcUnpaid", "Total Amount of Unpaid Transactions", PRICE, RO),
	F("mrcResult", "Last CC Status", DROP, RO),
	FO("ccType", "Card Type", DROP, RO,
	   "{\"1\":\"Visa\",\"2\":\"MasterCard\",\"3\":\"American Express\",\"4\":\"Discover\","
	   "\"5\":\"PayPal\",\"6\":\"Other\"}"),
	F("ccExpirationMonth", "Card Expiration Month", DROP, RO),
	F("ccExpirationYear", "Card Expiration Year", NUMERIC, RO),
	F("ccExpirationDate", "Card Expiration Date", FULLDATE, RO),
	F("ccNumber", "Card Number (Last 4)", TEXT, RO),
	F("unpaid_invoices", "Unpaid Invoices", NUMERIC, RO),
	F("has_membership", "Has Membership", CHECK, RO),
	CREATED("Date Added"),
	MODIFIED("Date Modified"),
	F("dla", "Date of Last Activity", TIMESTAMP, RO),
	F("time_since_dla", "Time Since Last Activity", NUMERIC, RO),
	F("unique_id", "Unique ID", TEXT, RO | SBX_F_UNIQUE),
	F("system_source", "System Source", DROP, RO),
	F("source_location", "Source Location", TEXT, RO),
	F("ip_addy", "IP Address", TEXT, ED),
	F("ip_addy_display", "IP Address (display)", TEXT, RO),
	F("import_id", "Import ID", NUMERIC, RO),
	F("bindex", "Bindex", NUMERIC, RO),
	F("last_inbound_sms", "Last Inbound SMS", LONGTEXT, RO),
	F("fb_gender", "Gender", TEXT, ED),
	F("facebook_link", "Facebook", URL, ED),
	F("twitter_link", "Twitter", URL, ED),
	F("instagram_link", "Instagram", URL, ED),
	F("linkedin_link", "LinkedIn", URL, ED),
	F("profile_image", "Profile Image", URL, ED),
	F("emailHash", "Email Hash", TEXT, RO),
	F("n_media", "First Media", TEXT, RO),
};

/* Tasks (1): the fields of examples/resp-get-task-single.json. */
static const sbx_field_def task_fields[] = {
	{"owner", "Assignee", SBX_FT_PARENT, ED | SBX_F_DELETABLE, NULL, "2", "1", NULL},
	FP("drip_id", "Sequence", RO, "5"),
	/* The example meta shows no parent_object for contact_id: it follows object_type_id. */
	F("contact_id", "Contact", PARENT, RO),
	F("step_num", "Step", NUMERIC, RO),
	F("subject", "Subject", TEXT, ED),
	F("date_assigned", "Date Assigned", TIMESTAMP, RO),
	F("date_due", "Date Due", TIMESTAMP, ED),
	F("date_complete", "Date Completed", TIMESTAMP, RO),
	FO("status", "Status", DROP, ED, "{\"0\":\"Pending\",\"1\":\"Complete\",\"2\":\"Cancelled\"}"),
	F("type", "Type", NUMERIC, RO),
	F("details", "Details", LONGTEXT, ED),
	F("hidden", "Hidden", CHECK, RO),
	FP("call_outcome_id", "Outcome", RO, "66"),
	FP("item_id", "Task Message", RO, "7"),
	F("notifications", "Notifications", TEXT, RO),
	F("rules", "Rules", TEXT, RO),
	F("object_type_id", "Object Type", NUMERIC, RO),
	F("object_name", "Object Name", TEXT, RO),
};

/* Users (2): staff; every record's `owner` points here. Fields UNCONFIRMED (§9). */
static const sbx_field_def user_fields[] = {
	F("firstname", "First Name", TEXT, ED),
	F("lastname", "Last Name", TEXT, ED),
	F("email", "Email", EMAIL, ED),
	F("cell_phone", "Cell Phone", PHONE, ED),
	CREATED("Date Added"),
	MODIFIED("Date Modified"),
};

/* Sequences (5): the records carry `drip_id` (read by [DIVI] and Thrive's Ontraport client,
 * which sort the same list by `id`), so both keys are there: `id` the record id and
 * `drip_id` the same number (set by the seed; UNCONFIRMED, §9). */
static const sbx_field_def sequence_fields[] = {
	F("drip_id", "Sequence ID", NUMERIC, RO),
	F("name", "Name", TEXT, ED),
	F("subscriber_count", "Subscribers", NUMERIC, RO),
	FDF("object_type_id", "Object Type", NUMERIC, ED, "0"),
	FO("pause", "Status", DROP, ED, "{\"0\":\"Live\",\"1\":\"Paused\"}"),
	OWNER,
	CREATED("Date Created"),
	MODIFIED("Date Modified"),
};

/* Notes (12): REFERENCE-MORE §M4. `type` 1 manual, 2 form, 3/4 phone call, 5 API ([JS] only);
 * a note made through the API is type 5 unless sent (UNCONFIRMED). `time` may be set on create. */
static const sbx_field_def note_fields[] = {
	{"contact_id", "Contact", SBX_FT_PARENT, ED | SBX_F_REQUIRED | SBX_F_INDEXED, NULL, "0", NULL, NULL},
	F("data", "Note", LONGTEXT, ED),
	{"author", "Author", SBX_FT_PARENT, ED, NULL, "2", "1", NULL},
	OWNER,
	{"type", "Type", SBX_FT_DROP, ED,
	 "{\"1\":\"Manual\",\"2\":\"Form\",\"3\":\"Phone call\",\"4\":\"Phone call 2\",\"5\":\"API\"}",
	 NULL, "5", NULL},
	FDF("object_type_id", "Object Type", NUMERIC, ED, "0"),
	{"time", "Time", SBX_FT_TIMESTAMP, ED | SBX_F_CREATED, NULL, NULL, NULL, NULL},
	MODIFIED("Date Modified"),
};

/* Rules (6): §7.1, in the order of examples/resp-get-rule-single.json. */
static const sbx_field_def rule_fields[] = {
	FP("drip_id", "Sequence", ED, "5"),
	F("events", "Events", LONGTEXT, ED),
	F("conditions", "Conditions", LONGTEXT, ED),
	F("actions", "Actions", LONGTEXT, ED),
	F("name", "Name", TEXT, ED),
	{"pause", "Status", SBX_FT_DROP, ED, "{\"0\":\"Live\",\"1\":\"Paused\"}", NULL, "0", NULL},
	FDF("last_action", "Last Action", TIMESTAMP, RO, "0"),
	FDF("object_type_id", "Object Type", NUMERIC, ED, "0"),
	CREATED("Date Created"),
	MODIFIED("Date Modified"),
	/* No `tags` key unless tags were sent (§7.1, REFERENCE-MORE §M13). */
	F("tags", "Tags", TEXT, ED | SBX_F_OMIT_NULL),
};

/* Messages (7): §6.2 writable fields, then the read-only ones. */
static const sbx_field_def message_fields[] = {
	F("alias", "Name", TEXT, ED),
	F("name", "Name", MERGEFIELD, SBX_F_DELETABLE),
	F("type", "Type", TEXT, ED),
	FDF("object_type_id", "Object Type", NUMERIC, ED, "0"),
	F("subject", "Subject", TEXT, ED | SBX_F_DELETABLE),
	F("from", "From", TEXT, ED),
	F("send_out_name", "Send Out Name", TEXT, ED),
	F("send_from", "Send From", EMAIL, ED),
	F("reply_to_email", "Reply To Email", EMAIL, ED),
	F("send_to", "Send To", TEXT, ED),
	F("plaintext", "Plain Text", LONGTEXT, ED),
	F("message_body", "Message Body", LONGTEXT, ED),
	F("resource", "Resource", LONGTEXT, ED),
	F("email_title", "Email Title", TEXT, ED),
	F("transactional_email", "Transactional Email", CHECK, ED),
	F("utm_tracking", "UTM Tracking", CHECK, ED),
	F("task_data", "Task Data", LONGTEXT, ED),
	F("due_date", "Due Date", NUMERIC, ED),
	FP("task_owner", "Task Owner", ED, "2"),
	FP("task_form", "Task Form", ED, "122"),
	{"last_save", "Last Saved", SBX_FT_TIMESTAMP, SBX_F_MODIFIED, NULL, NULL, NULL, NULL},
	F("last_auto", "Last Autosaved", TIMESTAMP, RO),
	F("autosave", "Autosave", LONGTEXT, RO),
	CREATED("Date Created"),
	MODIFIED("Date Modified"),
	F("mcsent", "Sent", NUMERIC, RO),
	F("mcopened", "Opened", NUMERIC, RO),
	F("mcclicked", "Clicked", NUMERIC, RO),
	F("mcnotopened", "Not Opened", NUMERIC, RO),
	F("mcnotclicked", "Not Clicked", NUMERIC, RO),
	F("mcabuse", "Complaints", NUMERIC, RO),
	F("mcunsub", "Unsubscribed", NUMERIC, RO),
	F("spam_score", "Spam Score", NUMERIC, RO),
	F("json_data", "ONTRAmail Data", LONGTEXT, RO),
	OWNER,
	F("word_wrap_checkbox", "Word Wrap", CHECK, RO),
	F("email_header_data", "Email Header Data", LONGTEXT, RO),
	F("site_id", "Site", NUMERIC, RO),
	F("tags", "Tags", TEXT, RO),
};

/* Tags (14): id key tag_id (§9). */
static const sbx_field_def tag_fields[] = {
	F("tag_name", "Tag Name", TEXT, ED | SBX_F_REQUIRED),
	FDF("object_type_id", "Object Type", NUMERIC, ED, "0"),
};

/* Forms (122): examples/resp-get-forms-list.json and -meta.json; id key form_id. The
 * full set of REFERENCE-MORE §M6.1 (records carry them all, §M13); type 10 SmartForm,
 * 11 ONTRAform. */
static const sbx_field_def form_fields[] = {
	F("formname", "Form Name", TEXT, ED | SBX_F_DELETABLE),
	FDF("type", "Type", NUMERIC, RO, "11"),
	F("tags", "Tags", TEXT, ED),
	F("sequences", "Sequences", TEXT, ED),
	F("redirect", "Thank You Page", URL, SBX_F_DELETABLE),
	OWNER,
	FDF("captcha", "Captcha", CHECK, ED, "0"),
	F("notif", "Notification E-mail", EMAIL, ED),
	FDF("fillouts", "Fillouts", NUMERIC, RO, "0"),
	FDF("unique_fillouts", "Unique Fillouts", NUMERIC, RO, "0"),
	FDF("visits", "Visits", NUMERIC, RO, "0"),
	FDF("unique_visits", "Unique Visits", NUMERIC, RO, "0"),
	FDF("unique_convert", "Conversion", NUMERIC, RO, "0"),
	FDF("revenue", "Revenue", PRICE, RO, "0"),
	F("campaigns", "Campaigns", TEXT, ED),
	FDF("responsive", "Responsive", CHECK, ED, "1"),
	F("json_raw_object", "Design", LONGTEXT, RO),
	FDF("object_type_id", "Object Type", NUMERIC, RO, "0"),
	FDF("deleted", "Deleted", TEXT, RO, "false"),
	CREATED("Date Created"),
	MODIFIED("Date Modified"),
};

/* Groups (3): saved groups of records (REFERENCE-MORE §M8.3; fields UNCONFIRMED). Members
 * are the records of object_type_id that `condition` (criteria JSON, §4) selects, evaluated
 * at each request; made with the control API (no create endpoint). */
static const sbx_field_def group_fields[] = {
	F("name", "Name", TEXT, ED),
	FDF("object_type_id", "Object Type", NUMERIC, RO, "0"),
	F("condition", "Condition", LONGTEXT, RO),
	CREATED("Date Created"),
	MODIFIED("Date Modified"),
};

/* Landing pages (20): REFERENCE-MORE §M6.2, examples/resp-get-landingpages-*.json.
 * The hosted URL is http(s)://<domain>/<uri_id> (ssl_enabled picks the scheme). */
static const sbx_field_def landing_page_fields[] = {
	F("name", "Name", TEXT, ED),
	F("domain", "Domain", URL, SBX_F_DELETABLE),
	F("uri_id", "Hosted URL Id", TEXT, RO),
	FDF("ssl_enabled", "SSL", CHECK, ED, "0"),
	F("resource", "Design", LONGTEXT, RO),
	FO("design_type", "Design Type", DROP, RO,
	   "{\"0\":\"HTML\",\"1\":\"Code mode\",\"2\":\"Redirect\",\"3\":\"ONTRApages\"}"),
	FDF("rotation", "Next Split Test", NUMERIC, RO, "0"),
	F("last_save", "Last Saved", TIMESTAMP, RO),
	F("last_auto", "Last Autosaved", TIMESTAMP, RO),
	F("autosave", "Autosave", LONGTEXT, RO),
	FDF("visits_0", "Visits A", NUMERIC, RO, "0"),
	FDF("visits_1", "Visits B", NUMERIC, RO, "0"),
	FDF("visits_2", "Visits C", NUMERIC, RO, "0"),
	FDF("visits_3", "Visits D", NUMERIC, RO, "0"),
	FDF("unique_visits_0", "Unique Visits A", NUMERIC, RO, "0"),
	FDF("unique_visits_1", "Unique Visits B", NUMERIC, RO, "0"),
	FDF("unique_visits_2", "Unique Visits C", NUMERIC, RO, "0"),
	FDF("unique_visits_3", "Unique Visits D", NUMERIC, RO, "0"),
	FDF("convert_0", "Conversions A", NUMERIC, RO, "0"),
	FDF("convert_1", "Conversions B", NUMERIC, RO, "0"),
	FDF("convert_2", "Conversions C", NUMERIC, RO, "0"),
	FDF("convert_3", "Conversions D", NUMERIC, RO, "0"),
	FDF("unique_convert_0", "Unique Conversions A", NUMERIC, RO, "0"),
	FDF("unique_convert_1", "Unique Conversions B", NUMERIC, RO, "0"),
	FDF("unique_convert_2", "Unique Conversions C", NUMERIC, RO, "0"),
	FDF("unique_convert_3", "Unique Conversions D", NUMERIC, RO, "0"),
	F("seo_settings", "SEO Settings", LONGTEXT, RO),
	CREATED("Date Created"),
	MODIFIED("Date Modified"),
};

/* Automations / Campaign Builder items (140): examples/resp-get-campaignbuilderitem*. */
static const sbx_field_def campaign_fields[] = {
	F("name", "Name", TEXT, ED | SBX_F_UNIQUE),
	CREATED("Date Created"),
	MODIFIED("Date Modified"),
	FDF("object_type_id", "Object Type", NUMERIC, RO, "0"),
	FO("pause", "Status", DROP, ED, "{\"0\":\"Live\",\"1\":\"Paused\"}"),
	FDF("deleted", "Deleted", TEXT, RO, "false"),
	F("state", "State", TEXT, RO),
	F("subs", "Subscribers", NUMERIC, RO),
	F("subs_ever", "Subscribers Ever", NUMERIC, RO),
	F("element_num", "Elements", NUMERIC, RO),
	F("todos", "To-dos", NUMERIC, RO),
};

/* Webhook subscriptions (145): §8.1, examples/resp-get-webhooks-list.json. */
static const sbx_field_def webhook_fields[] = {
	F("event", "Event", TEXT, ED | SBX_F_REQUIRED),
	FDF("data", "Data", TEXT, ED, ""),
	F("url", "URL", URL, ED | SBX_F_REQUIRED),
	F("last_hook", "Last Hook", TIMESTAMP, RO),
	FDF("last_code", "Last Code", NUMERIC, RO, "0"),
	FDF("last_payload", "Last Payload", LONGTEXT, RO, ""),
	OWNER,
};

/* Products (16): REFERENCE-MORE §M2.2. total_income/total_purchases follow the purchases. */
static const sbx_field_def product_fields[] = {
	F("name", "Name", TEXT, ED | SBX_F_REQUIRED),
	F("price", "Price", PRICE, ED),
	F("description", "Description", LONGTEXT, ED),
	F("sku", "SKU", TEXT, ED),
	F("external_id", "External ID", TEXT, ED),
	F("product_group", "Product Group", TEXT, ED),
	FDF("taxable", "Taxable", CHECK, ED, "0"),
	FDF("total_income", "Total Income", PRICE, RO, "0.00"),
	FDF("total_purchases", "Total Purchases", NUMERIC, RO, "0"),
	FDF("deleted", "Deleted", CHECK, RO, "0"),
	CREATED("Date Created"),
	MODIFIED("Date Modified"),
	OWNER,
};

/* Offers (65): §M2.3; `data` is the offer as JSON text. */
static const sbx_field_def offer_fields[] = {
	F("name", "Name", TEXT, ED | SBX_F_REQUIRED),
	FDF("public", "Public", CHECK, ED, "1"),
	F("data", "Data", LONGTEXT, ED),
	FDF("referenced", "Referenced", NUMERIC, RO, "0"),
	OWNER,
};

/* Transactions (46, meta name Invoice): §M2.4, with the NET status table. No dlm (§M2.4). */
static const sbx_field_def transaction_fields[] = {
	FDF("hidden", "Hidden", CHECK, RO, "0"),
	FO("status", "Status", DROP, RO,
	   "{\"0\":\"Unpaid\",\"1\":\"Paid\",\"2\":\"Refunded\",\"3\":\"Partially Refunded\","
	   "\"4\":\"Void\",\"5\":\"Declined\",\"6\":\"Written Off\",\"7\":\"Pending\"}"),
	FP("contact_id", "Contact", RO, "0"),
	F("contact_name", "Contact Name", TEXT, RO),
	FDF("order_id", "Order", NUMERIC, RO, "0"),
	FDF("form_id", "Form", NUMERIC, RO, "0"),
	FDF("lp_id", "Landing Page", NUMERIC, RO, "0"),
	FDF("cc_id", "Credit Card", NUMERIC, RO, "0"),
	FDF("gateway_id", "Gateway", NUMERIC, RO, "0"),
	F("date", "Date", TIMESTAMP, RO),
	FDF("template_id", "Invoice Template", NUMERIC, RO, "1"),
	F("subtotal", "Subtotal", PRICE, RO),
	FDF("tax", "Tax", PRICE, RO, "0.00"),
	FDF("shipping", "Shipping", PRICE, RO, "0.00"),
	F("total", "Total", PRICE, RO),
	F("external_order_id", "External Order ID", TEXT, RO),
	F("oprid", "Affiliate", TEXT, RO),
	F("offer_data", "Offer", LONGTEXT, RO),
};

/* Purchases (17): §M2.8 (NET's status table: 0 collections, 1 paid, 2 declined, 3 voided,
 * 4 refunded, 5 written off, 7 pending). */
static const sbx_field_def purchase_fields[] = {
	FP("contact_id", "Contact", RO, "0"),
	FP("product_id", "Product", RO, "16"),
	F("name", "Name", TEXT, RO),
	F("description", "Description", LONGTEXT, RO),
	F("quantity", "Quantity", NUMERIC, RO),
	F("price", "Price", PRICE, RO),
	F("total_price", "Total Price", PRICE, RO),
	FDF("discount", "Discount", PRICE, RO, "0.00"),
	FP("invoice_id", "Invoice", RO, "46"),
	FDF("order_id", "Order", NUMERIC, RO, "0"),
	FO("type", "Type", DROP, RO,
	   "{\"0\":\"One-time\",\"1\":\"Subscription\",\"2\":\"Payment Plan\",\"3\":\"Trial\"}"),
	FO("status", "Status", DROP, RO,
	   "{\"0\":\"Collections\",\"1\":\"Paid\",\"2\":\"Declined\",\"3\":\"Voided\","
	   "\"4\":\"Refunded\",\"5\":\"Written Off\",\"7\":\"Pending\"}"),
	OWNER,
	CREATED("Date"),
	MODIFIED("Date Modified"),
};

/* Open orders (44): §M2.7, the future charges of a subscription or plan. */
static const sbx_field_def open_order_fields[] = {
	FP("contact_id", "Contact", RO, "0"),
	FP("order_id", "Order", RO, "52"),
	FP("product_id", "Product", RO, "16"),
	F("payment_next_date", "Next Payment", TIMESTAMP, RO),
	F("payment_amount", "Amount", PRICE, RO),
	FDF("payment_remaining", "Payments Remaining", NUMERIC, RO, "0"),
	FDF("payment_made", "Payments Made", NUMERIC, RO, "1"),
	FDF("billing_status", "Billing Status", TEXT, RO, "current"),
	FO("type", "Type", DROP, RO, "{\"0\":\"Subscription\",\"1\":\"Payment Plan\",\"2\":\"Setup Fee\"}"),
	F("unit", "Unit", TEXT, RO),
};

/* Orders (52): §M2.7, a subscription's or plan's schedule; `offer_id` its copy of the offer. */
static const sbx_field_def order_fields[] = {
	FP("contact_id", "Contact", RO, "0"),
	FP("offer_id", "Offer", RO, "65"),
	FDF("cc_id", "Credit Card", NUMERIC, RO, "0"),
	F("name", "Name", TEXT, RO),
	F("payment_next_date", "Next Payment", TIMESTAMP, RO),
	F("unit", "Unit", TEXT, RO),
	FDF("count", "Count", NUMERIC, RO, "1"),
	FDF("gateway_id", "Gateway", NUMERIC, RO, "0"),
	FO("status", "Status", DROP, RO, "{\"0\":\"Current\",\"1\":\"Past Due\"}"),
	FDF("transactions", "Transactions", NUMERIC, RO, "1"),
	FDF("transactions_remaining", "Transactions Remaining", NUMERIC, RO, "0"),
	F("next_charge", "Next Charge", PRICE, RO),
	MODIFIED("Date Modified"),
};

/* Gateways (70): fields UNCONFIRMED (§M2.9). */
static const sbx_field_def gateway_fields[] = {
	F("name", "Name", TEXT, RO),
	F("type", "Type", TEXT, RO),
	F("external_id", "External ID", TEXT, RO),
};

static const sbx_type_def types[] = {
	{0, "Contact", "Contact", "Contacts", "id", SBX_ACC_ALL, 0,
	 "fn,email,office_phone,date,grade,dla,contact_id", contact_fields, N(contact_fields)},
	{1, "Task", "Task", "Tasks", "id", SBX_ACC_GET | SBX_ACC_PUT, 0,
	 "subject,contact_id,owner,date_due,status", task_fields, N(task_fields)},
	{2, "User", NULL, NULL, "id", SBX_ACC_GET, 0, "firstname,lastname,email", user_fields,
	 N(user_fields)},
	{3, "Group", "Group", "Groups", "id", SBX_ACC_GET | SBX_ACC_DELETE, 0, "name,object_type_id",
	 group_fields, N(group_fields)},
	{5, "Sequence", NULL, NULL, "id", SBX_ACC_GET, 0, "name,subscriber_count",
	 sequence_fields, N(sequence_fields)},
	{6, "Rule", "Rule", "Rules", "id", SBX_ACC_ALL, 0, "name,last_action,pause,date,dlm",
	 rule_fields, N(rule_fields)},
	{7, "Message", "Message", "Messages", "id", SBX_ACC_GET | SBX_ACC_DELETE, 0,
	 "name,subject,spam_score,date,type,mcsent,mcopened,mcclicked,mcnotopened,mcnotclicked,"
	 "mcunsub,mcabuse,dlm",
	 message_fields, N(message_fields)},
	{12, "Note", "Note", "Notes", "id", SBX_ACC_ALL, 0, "contact_id,data,author,time", note_fields,
	 N(note_fields)},
	{14, "Tag", "Tag", "Tags", "tag_id", SBX_ACC_ALL, 0, "tag_name,object_type_id", tag_fields,
	 N(tag_fields)},
	{16, "Product", "Product", "Products", "id", SBX_ACC_ALL, 0, "name,price,sku,total_purchases",
	 product_fields, N(product_fields)},
	{17, "Purchase", "Purchase", "Purchases", "id", SBX_ACC_GET, 0,
	 "contact_id,product_id,name,quantity,total_price,invoice_id,status,date", purchase_fields,
	 N(purchase_fields)},
	{44, "OpenOrder", "OpenOrder", "OpenOrders", "id", SBX_ACC_GET, 0,
	 "contact_id,order_id,product_id,payment_next_date,payment_amount,billing_status",
	 open_order_fields, N(open_order_fields)},
	{46, "Invoice", "Transaction", "Transactions", "id", SBX_ACC_GET, 0,
	 "contact_id,contact_name,date,total,status", transaction_fields, N(transaction_fields)},
	{52, "Order", "Order", "Orders", "id", SBX_ACC_GET | SBX_ACC_DELETE, 0,
	 "contact_id,name,unit,payment_next_date,next_charge,status", order_fields,
	 N(order_fields)},
	{65, "Offer", "Offer", "Offers", "id", SBX_ACC_GET | SBX_ACC_POST | SBX_ACC_PUT, 0,
	 "name,public,referenced", offer_fields, N(offer_fields)},
	{70, "Gateway", NULL, NULL, "id", SBX_ACC_GET, 0, "name,type", gateway_fields,
	 N(gateway_fields)},
	{20, "LandingPage", "LandingPage", "LandingPages", "id", SBX_ACC_GET, 0,
	 "name,domain,lpsent,unique_lpsent,lpconvert,unique_lpconvert,date,dlm",
	 landing_page_fields, N(landing_page_fields)},
	{122, "SmartFormFE", "Form", "Forms", "form_id", SBX_ACC_GET, 0,
	 "formname,redirect,fillouts,visits,type,date,dlm,unique_fillouts,unique_visits",
	 form_fields, N(form_fields)},
	{140, "CampaignBuilder", "CampaignBuilderItem", "CampaignBuilderItems", "id", SBX_ACC_GET, 0,
	 "name,state,date,dlm,subs,subs_ever,element_num,todos", campaign_fields,
	 N(campaign_fields)},
	{145, "Webhook", "Webhook", "Webhooks", "id", SBX_ACC_GET, 0, "event,url,last_hook,last_code",
	 webhook_fields, N(webhook_fields)},
};

/*
 * The records a new account starts with: the owner user every `owner` points
 * at, and a few pick-list entries so sequences/campaigns/forms are never empty
 * in demos and tests (Ontraport accounts come with example automations too).
 */
static const struct {
	long long type;
	const char *json;
} seed_records[] = {
	{2, "{\"firstname\":\"Sandbox\",\"lastname\":\"Owner\",\"email\":\"owner@sandbox.example\"}"},
	{5, "{\"drip_id\":\"1\",\"name\":\"Welcome Sequence\",\"subscriber_count\":\"0\"}"},
	{5, "{\"drip_id\":\"2\",\"name\":\"Nurture Sequence\",\"subscriber_count\":\"0\"}"},
	{140, "{\"name\":\"Example: High Level Customer Lifecycle\",\"pause\":\"0\",\"state\":\"0\","
	      "\"subs\":\"0\"}"},
	{140, "{\"name\":\"Onboarding Automation\",\"pause\":\"0\",\"state\":\"0\",\"subs\":\"0\"}"},
	{122, "{\"formname\":\"Contact Us\",\"type\":\"11\",\"tags\":null}"},
	{122, "{\"formname\":\"Newsletter Signup\",\"type\":\"11\",\"tags\":null}"},
	{20, "{\"name\":\"Spring Sale\",\"domain\":\"sandbox.pages.ontraport.net\","
	     "\"uri_id\":\"1\",\"design_type\":\"3\"}"},
	/* One gateway, so a charge can be made (UNCONFIRMED fields, §M2.9). */
	{70, "{\"name\":\"Sandbox Gateway\",\"type\":\"sandbox\",\"external_id\":\"sbx_1\"}"},
};

/* clang-format on */

int sbx_schema_seed(sbx_store *st, sbx_err *e)
{
	size_t i;

	if (sbx_meta__create_schema(st, e) < 0)
		return -1;
	for (i = 0; i < N(types); i++)
		if (sbx_store_add_type(st, &types[i], e) < 0)
			return -1;
	for (i = 0; i < N(seed_records); i++) {
		const sbx_otype *t = sbx_store_type(st, seed_records[i].type);
		json_t *v = json_loads(seed_records[i].json, 0, NULL);
		long long id;
		int rc;

		if (!t || !v) {
			json_decref(v);
			return sbx_err_set(e, 500, "could not seed object type %lld",
			                   seed_records[i].type);
		}
		rc = sbx_record_insert(st, t, v, SBX_REC_RAW, &id, NULL, e);
		json_decref(v);
		if (rc < 0)
			return -1;
	}
	return 0;
}
