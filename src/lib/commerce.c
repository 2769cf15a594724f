/*
 * Commerce (REFERENCE-MORE.md §M2): offers (their lines parsed from text and
 * checked without I/O, then resolved and sent), manual transactions, the
 * actions on transactions, and orders. Products, transactions, purchases and
 * orders are read and listed with the generic object calls (objects.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "banned.h"

#define LINES_MAX 100  /* products in one offer */
#define IDS_MAX 500    /* transactions in one action */
#define PRICE_DIGITS 9 /* whole digits of a price: below a billion */
#define CENTS_MAX 99999999999LL

static const char *const units[] = {"day", "week", "month", "quarter", "year"};
static const char *const line_types[] = {"single", "one_time", "subscription", "payment_plan"};

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

#define IN(s, list) in_list((s), (list), sizeof(list) / sizeof *(list))

/* A price "10", "10.5", "10.50" (no sign, no exponent) in cents; -1 when it is not one. */
static long long parse_cents(const char *s, size_t n)
{
	long long whole = 0, frac = 0;
	size_t i = 0, digits = 0, fdigits = 0;

	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		whole = whole * 10 + (s[i] - '0');
	if (digits == 0 || digits > PRICE_DIGITS)
		return -1;
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, fdigits++)
			frac = frac * 10 + (s[i] - '0');
		if (fdigits == 0 || fdigits > 2)
			return -1;
		if (fdigits == 1)
			frac *= 10;
	}
	return i == n ? whole * 100 + frac : -1;
}

/* A whole number in [min, max] from n bytes of digits; -1 when it is not one. */
static long long parse_count(const char *s, size_t n, long long min, long long max)
{
	char num[16];
	long long v;

	if (n == 0 || n >= sizeof num || strspn(s, "0123456789") < n)
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	return util_parse_ll(num, min, max, &v) == 0 ? v : -1;
}

/* The unit spelled by the n bytes at s, or NULL. */
static const char *parse_unit(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (strlen(units[i]) == n && util_strnieq(s, units[i], n))
			return units[i];
	return NULL;
}

/* What follows the '@': PRICE[/UNIT[/PAYMENTS]]. Returns 0 with the parts, or -1. */
static int parse_price_part(const char *s, long long *cents, const char **unit, long long *count)
{
	const char *slash = strchr(s, '/'), *slash2 = slash ? strchr(slash + 1, '/') : NULL;

	*unit = NULL;
	*count = 0;
	*cents = parse_cents(s, slash ? (size_t)(slash - s) : strlen(s));
	if (*cents < 0)
		return -1;
	if (!slash)
		return 0;
	*unit = parse_unit(slash + 1, slash2 ? (size_t)(slash2 - slash - 1) : strlen(slash + 1));
	if (!*unit)
		return -1;
	if (slash2 &&
	    (*count = parse_count(slash2 + 1, strlen(slash2 + 1), 2, ONTRA_PAYMENTS_MAX)) < 0)
		return -1;
	return 0;
}

static json_t *cents_string(long long cents)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld.%02lld", cents / 100, cents % 100);
	return json_string(buf);
}

/* "<what> '<part>'<expected> in offer line '<text>'" */
static int line_error(const char *text, const char *what, const char *part, const char *expected)
{
	return ontra__error(ONTRA_EINVALID, "%s '%.40s'%s in offer line '%.80s'", what, part,
	                    expected, text);
}

int ontra_offer_line_parse(json_t **out, const char *text)
{
	const char *at, *star, *unit = NULL;
	long long cents = -1, count = 0, qty = 1;
	size_t n, name_len;
	json_t *o;

	*out = NULL;
	if (!text || !*text)
		return ontra__error(ONTRA_EINVALID,
		                    "empty offer line: expected PRODUCT[*QUANTITY][@PRICE[/UNIT"
		                    "[/PAYMENTS]]]");
	n = strlen(text);
	if (n > ONTRA_OFFER_LINE_MAX)
		return ontra__error(ONTRA_EINVALID, "offer line longer than %d bytes",
		                    ONTRA_OFFER_LINE_MAX);
	if (!util_utf8_valid(text, n))
		return ontra__error(ONTRA_EINVALID, "invalid offer line: expected UTF-8 text");
	name_len = n;
	/* The last '@' starts the price when what follows is one; else it is part of the name. */
	at = strrchr(text, '@');
	if (at && parse_price_part(at + 1, &cents, &unit, &count) == 0)
		name_len = (size_t)(at - text);
	else if (at && at[1] >= '0' && at[1] <= '9')
		return line_error(text, "invalid price", at + 1,
		                  ": expected PRICE[/UNIT[/PAYMENTS]] (UNIT day, week, month, "
		                  "quarter or year; PAYMENTS 2 to 1000)");
	else
		cents = -1;
	/* The last '*' before it starts the quantity when digits follow. */
	for (star = NULL, n = 0; n < name_len; n++)
		if (text[n] == '*')
			star = text + n;
	if (star && star[1] >= '0' && star[1] <= '9') {
		size_t qn = name_len - (size_t)(star - text) - 1;
		if (strspn(star + 1, "0123456789") >= qn) {
			if ((qty = parse_count(star + 1, qn, 1, ONTRA_QUANTITY_MAX)) < 0) {
				char q[24];
				snprintf(q, sizeof q, "%.*s", (int)(qn < 20 ? qn : 20), star + 1);
				return line_error(text, "invalid quantity", q,
				                  ": expected 1 to 100000");
			}
			name_len = (size_t)(star - text);
		}
	}
	while (name_len && (text[name_len - 1] == ' ' || text[name_len - 1] == '\t'))
		name_len--;
	if (name_len == 0)
		return ontra__error(ONTRA_EINVALID, "no product in offer line '%.80s'", text);
	o = json_pack("{s:s%, s:I, s:s}", "product", text, name_len, "quantity", (json_int_t)qty,
	              "type",
	              count  ? "payment_plan"
	              : unit ? "subscription"
	                     : "single");
	if (o && cents >= 0)
		json_object_set_new(o, "price", cents_string(cents));
	if (o && unit)
		json_object_set_new(o, "unit", json_string(unit));
	if (o && count)
		json_object_set_new(o, "payment_count", json_integer(count));
	if (!o)
		return ontra__error_oom();
	*out = o;
	return 0;
}

/* A number given as a JSON number or a string of digits; 0 and *v, or -1. */
static int json_num(const json_t *j, double *v)
{
	const char *s = json_string_value(j);
	long long cents;

	if (json_is_integer(j) || json_is_real(j)) {
		*v = json_number_value(j);
		return 0;
	}
	if (!s || (cents = parse_cents(s, strlen(s))) < 0)
		return -1;
	*v = (double)cents / 100.0;
	return 0;
}

static int check_price(const json_t *line, size_t k, const char *type)
{
	const json_t *price = json_object_get(line, "price"), *p0;
	const char *unit;
	double v;

	if (!price) {
		if (strcmp(type, "subscription") == 0 || strcmp(type, "payment_plan") == 0)
			return ontra__error(ONTRA_EINVALID,
			                    "offer line %zu: a %s needs a price with a unit", k,
			                    type);
		return 0;
	}
	p0 = json_array_get(price, 0);
	if (!json_is_array(price) || json_array_size(price) != 1 || !json_is_object(p0))
		return ontra__error(ONTRA_EINVALID,
		                    "offer line %zu: invalid price: expected [{\"price\": N}]", k);
	if (json_num(json_object_get(p0, "price"), &v) < 0 || v < 0 || v > CENTS_MAX / 100)
		return ontra__error(ONTRA_EINVALID,
		                    "offer line %zu: invalid price: expected a number from 0", k);
	unit = json_string_value(json_object_get(p0, "unit"));
	if (json_object_get(p0, "unit") && !IN(unit, units))
		return ontra__error(ONTRA_EINVALID,
		                    "offer line %zu: invalid unit: expected day, week, month, "
		                    "quarter or year",
		                    k);
	if (!unit && (strcmp(type, "subscription") == 0 || strcmp(type, "payment_plan") == 0))
		return ontra__error(ONTRA_EINVALID, "offer line %zu: a %s needs a price unit", k,
		                    type);
	return 0;
}

static int check_line(const json_t *line, size_t k)
{
	const char *type = json_string_value(json_object_get(line, "type"));
	double id, qty;

	if (!json_is_object(line))
		return ontra__error(ONTRA_EINVALID, "offer line %zu: expected an object", k);
	if (json_num(json_object_get(line, "id"), &id) < 0 || id < 1 || id > ONTRA_ID_MAX ||
	    id != (double)(long long)id)
		return ontra__error(ONTRA_EINVALID,
		                    "offer line %zu: invalid product id: expected a positive whole "
		                    "number",
		                    k);
	if (json_num(json_object_get(line, "quantity"), &qty) < 0 || qty < 1 ||
	    qty > ONTRA_QUANTITY_MAX || qty != (double)(long long)qty)
		return ontra__error(ONTRA_EINVALID,
		                    "offer line %zu: invalid quantity: expected 1 to %d", k,
		                    ONTRA_QUANTITY_MAX);
	if (!type)
		type = "single";
	else if (!IN(type, line_types))
		return ontra__error(
		    ONTRA_EINVALID,
		    "offer line %zu: invalid type '%.40s': expected single, one_time, "
		    "subscription or payment_plan",
		    k, type);
	return check_price(line, k, type);
}

int ontra_offer_check(const json_t *offer)
{
	const json_t *lines = json_object_get(offer, "products");
	size_t i, n = json_array_size(lines);
	int rc;

	if (!json_is_object(offer))
		return ontra__error(ONTRA_EINVALID, "invalid offer: expected a JSON object");
	if (!json_is_array(lines) || n == 0)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid offer: expected \"products\", a list of one product "
		                    "or more");
	if (n > LINES_MAX)
		return ontra__error(ONTRA_EINVALID, "invalid offer: more than %d products",
		                    LINES_MAX);
	for (i = 0; i < n; i++)
		if ((rc = check_line(json_array_get(lines, i), i + 1)) < 0)
			return rc;
	return 0;
}

/* The API's line for a parsed line and the product record it names (both borrowed). */
static json_t *api_line(const json_t *parsed, const json_t *product, long long id)
{
	const json_t *pp = json_object_get(parsed, "price");
	const char *unit = json_string_value(json_object_get(parsed, "unit"));
	json_t *price, *line;
	double v = 0;

	if (pp)
		json_num(pp, &v);
	else
		json_num(json_object_get(product, "price"), &v); /* a blank price stays 0 */
	price = json_pack("{s:f}", "price", v);
	if (price && unit) {
		json_t *count = json_object_get(parsed, "payment_count");
		json_object_set_new(price, "unit", json_string(unit));
		json_object_set_new(price, "payment_count",
		                    json_integer(count ? json_integer_value(count) : 1));
	}
	line = json_pack("{s:I, s:O, s:O, s:O, s:[o]}", "id", (json_int_t)id, "name",
	                 json_object_get(product, "name"), "quantity",
	                 json_object_get(parsed, "quantity"), "type",
	                 json_object_get(parsed, "type"), "price", price);
	return line;
}

int ontra_offer_add_line(json_t *offer, ontra_client *c, const char *text)
{
	json_t *parsed = NULL, *product = NULL, *line = NULL, *lines;
	long long id;
	int rc;

	if (!json_is_object(offer))
		return ontra__error(ONTRA_EINVALID, "invalid offer: expected a JSON object");
	if ((rc = ontra_offer_line_parse(&parsed, text)) < 0)
		return rc;
	if ((rc = ontra_resolve(&id, c, ONTRA_PRODUCT,
	                        json_string_value(json_object_get(parsed, "product")))) < 0 ||
	    (rc = ontra_object_get(&product, c, ONTRA_PRODUCT, id)) < 0)
		goto out;
	if (!json_is_string(json_object_get(product, "name"))) {
		rc = ontra__error(ONTRA_EBADRESPONSE, "product %lld has no name", id);
		goto out;
	}
	lines = json_object_get(offer, "products");
	if (!(line = api_line(parsed, product, id)) ||
	    (!lines && json_object_set_new(offer, "products", lines = json_array()) < 0) ||
	    !json_is_array(lines) || json_array_append(lines, line) < 0) {
		rc =
		    json_is_array(lines) || !lines
		        ? ontra__error_oom()
		        : ontra__error(ONTRA_EINVALID, "invalid offer: \"products\" is not a list");
		goto out;
	}
	rc = 0;
out:
	json_decref(parsed);
	json_decref(product);
	json_decref(line);
	return rc;
}

/* ---- offers ---- */

static int send_json(json_t **out, ontra_client *c, const char *method, const char *path,
                     json_t *body, ontra_retry retry)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	int rc;

	*out = NULL;
	if (!body)
		return ontra__error_oom();
	req.method = method;
	req.path = path;
	req.json = body;
	req.retry = retry;
	rc = ontra_call_data(out, c, &req);
	json_decref(body);
	return rc;
}

/* The offer as the JSON text an Offer record's "data" holds (new string), or NULL. */
static char *offer_text(const json_t *offer)
{
	return json_dumps(offer, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

int ontra_offer_create(json_t **out, ontra_client *c, const char *name, const json_t *offer)
{
	char *data;
	int rc;

	*out = NULL;
	if (!name || !*name)
		return ontra__error(ONTRA_EINVALID, "missing offer name");
	if ((rc = ontra_offer_check(offer)) < 0)
		return rc;
	if (!(data = offer_text(offer)))
		return ontra__error_oom();
	rc = send_json(out, c, "POST", "/Offers",
	               json_pack("{s:s, s:i, s:s}", "name", name, "public", 1, "data", data),
	               ONTRA_RETRY_NEVER);
	free(data);
	if (rc == 0 && !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		rc = ontra__error(ONTRA_EBADRESPONSE, "the server's reply holds no offer");
	}
	return rc;
}

int ontra_offer_update(json_t **out, ontra_client *c, long long id, const char *name,
                       const json_t *offer)
{
	json_t *body;
	char *data = NULL;
	int rc;

	*out = NULL;
	if ((rc = ontra__check_id(id, "offer")) < 0)
		return rc;
	if (!name && !offer)
		return ontra__error(ONTRA_EINVALID,
		                    "nothing to change in offer %lld: give a name "
		                    "or an offer",
		                    id);
	if (name && !*name)
		return ontra__error(ONTRA_EINVALID, "empty offer name");
	if (offer && ((rc = ontra_offer_check(offer)) < 0))
		return rc;
	if (offer && !(data = offer_text(offer)))
		return ontra__error_oom();
	body = json_pack("{s:I}", "id", (json_int_t)id);
	if (body && name)
		json_object_set_new(body, "name", json_string(name));
	if (body && data)
		json_object_set_new(body, "data", json_string(data));
	free(data);
	return send_json(out, c, "PUT", "/Offers", body, ONTRA_RETRY_AUTO);
}

int ontra_offer_get(json_t **out, ontra_client *c, long long id)
{
	const char *data;
	json_t *offer;
	int rc;

	if ((rc = ontra__get_by_id(out, c, "Offer", "offer", id)) < 0)
		return rc;
	data = json_string_value(json_object_get(*out, "data"));
	offer = data ? json_loads(data, 0, NULL) : NULL;
	if (json_is_object(offer))
		json_object_set_new(*out, "offer", offer);
	else
		json_decref(offer);
	return 0;
}

/* ---- transactions ---- */

static int check_transaction(const ontra_transaction_options *o)
{
	if (!o || o->version < 1 || o->version > ONTRA_TRANSACTION_OPTIONS_VERSION)
		return ontra__error(ONTRA_EINVALID, "invalid transaction options: expected "
		                                    "ONTRA_TRANSACTION_OPTIONS_INIT");
	if (o->contact_id < 1 || o->contact_id > ONTRA_ID_MAX)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid contact id %lld: expected a positive whole number",
		                    o->contact_id);
	if (o->log_only && (o->gateway_id || o->cc_id || o->payer))
		return ontra__error(
		    ONTRA_EINVALID,
		    "a logged sale takes no gateway, card or payer: it charges nothing");
	if (!o->log_only && o->gateway_id < 1)
		return ontra__error(ONTRA_EINVALID, "a charge needs a gateway: give its id");
	if (o->cc_id < 0 || o->gateway_id < 0 || o->trans_date < 0 ||
	    o->trans_date > ONTRA_ID_MAX / 1000)
		return ontra__error(ONTRA_EINVALID, "invalid card id, gateway id or date: expected "
		                                    "positive numbers");
	if (o->invoice_template != 0 && o->invoice_template != ONTRA_INVOICE_NONE &&
	    (o->invoice_template < 1 || o->invoice_template > ONTRA_ID_MAX))
		return ontra__error(ONTRA_EINVALID,
		                    "invalid invoice template %lld: expected an id, or -1 for none",
		                    o->invoice_template);
	return ontra_offer_check(o->offer);
}

static json_t *transaction_body(const ontra_transaction_options *o)
{
	json_t *b = json_pack("{s:I, s:s, s:O, s:I}", "contact_id", (json_int_t)o->contact_id,
	                      "chargeNow", o->log_only ? "chargeLog" : "chargeNow", "offer",
	                      o->offer, "invoice_template",
	                      (json_int_t)(o->invoice_template ? o->invoice_template : 1));

	if (!b)
		return NULL;
	if (o->gateway_id)
		json_object_set_new(b, "gateway_id", json_integer(o->gateway_id));
	if (o->cc_id)
		json_object_set_new(b, "cc_id", json_integer(o->cc_id));
	if (o->payer)
		json_object_set(b, "payer", (json_t *)o->payer);
	if (o->billing_address)
		json_object_set(b, "billing_address", (json_t *)o->billing_address);
	if (o->trans_date)
		json_object_set_new(b, "trans_date", json_integer(o->trans_date * 1000));
	if (o->external_order_id)
		json_object_set_new(b, "external_order_id", json_string(o->external_order_id));
	return b;
}

int ontra_transaction_process(json_t **out, ontra_client *c, const ontra_transaction_options *o)
{
	int rc;

	*out = NULL;
	if ((rc = check_transaction(o)) < 0)
		return rc;
	rc = send_json(out, c, "POST", "/transaction/processManual", transaction_body(o),
	               ONTRA_RETRY_NEVER);
	if (rc == 0 && !json_object_get(*out, "invoice_id")) {
		json_decref(*out);
		*out = NULL;
		rc = ontra__error(ONTRA_EBADRESPONSE, "the server's reply holds no invoice_id");
	}
	return rc;
}

static const struct {
	const char *name, *method;
	ontra_retry retry;
} ops[] = {
    {"refund", "PUT", ONTRA_RETRY_AUTO},   {"void", "PUT", ONTRA_RETRY_AUTO},
    {"writeOff", "PUT", ONTRA_RETRY_AUTO}, {"markPaid", "PUT", ONTRA_RETRY_AUTO},
    {"rerun", "POST", ONTRA_RETRY_NEVER},  {"resendInvoice", "POST", ONTRA_RETRY_NEVER},
};

const char *ontra_transaction_op_name(ontra_transaction_op op)
{
	return (unsigned)op < sizeof ops / sizeof *ops ? ops[op].name : NULL;
}

/* markPaid: one form-encoded PUT with `id` per transaction. */
static int mark_paid(json_t **last, ontra_client *c, const long long *ids, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		ontra_request req = ONTRA_REQUEST_INIT;
		ontra_params *form = NULL;

		if ((rc = ontra_params_new(&form)) < 0 ||
		    (rc = ontra_params_add_int(form, "id", ids[i])) < 0) {
			ontra_params_free(form);
			break;
		}
		req.method = "PUT";
		req.path = "/transaction/markPaid";
		req.form = form;
		json_decref(*last);
		*last = NULL;
		rc = ontra_call_data(last, c, &req);
		ontra_params_free(form);
	}
	return rc;
}

int ontra_transaction_act(json_t **out, ontra_client *c, ontra_transaction_op op,
                          const long long *ids, size_t n)
{
	char path[64];
	json_t *last = NULL, *arr;
	int rc;

	if (out)
		*out = NULL;
	if (!ontra_transaction_op_name(op))
		return ontra__error(ONTRA_EINVALID, "invalid transaction action %d", (int)op);
	if (!ids || n == 0 || n > IDS_MAX)
		return ontra__error(ONTRA_EINVALID, "%s needs 1 to %d transaction ids, got %zu",
		                    ops[op].name, IDS_MAX, ids ? n : 0);
	for (size_t i = 0; i < n; i++)
		if ((rc = ontra__check_id(ids[i], "transaction")) < 0)
			return rc;
	if (op == ONTRA_TXN_MARK_PAID) {
		rc = mark_paid(&last, c, ids, n);
	} else {
		arr = json_array();
		for (size_t i = 0; arr && i < n; i++)
			json_array_append_new(arr, json_integer(ids[i]));
		snprintf(path, sizeof path, "/transaction/%s", ops[op].name);
		rc = send_json(
		    &last, c, ops[op].method, path,
		    arr ? json_pack("{s:i, s:o}", "objectID", ONTRA_TRANSACTION, "ids", arr) : NULL,
		    ops[op].retry);
	}
	if (rc == 0 && out)
		*out = last;
	else
		json_decref(last);
	return rc;
}

/* ---- orders ---- */

int ontra_order_get(json_t **out, ontra_client *c, long long id)
{
	int rc;

	*out = NULL;
	if ((rc = ontra__check_id(id, "order")) < 0)
		return rc;
	return ontra__get_by_id(out, c, "transaction/order", "order", id);
}

int ontra_order_update(json_t **out, ontra_client *c, const json_t *offer)
{
	const char *keys[] = {"order_id", "offer_id"};
	double v;
	int rc;

	*out = NULL;
	if ((rc = ontra_offer_check(offer)) < 0)
		return rc;
	for (size_t i = 0; i < 2; i++)
		if (json_num(json_object_get(offer, keys[i]), &v) < 0 || v < 1)
			return ontra__error(ONTRA_EINVALID,
			                    "invalid order: expected \"%s\", a positive id (as "
			                    "ontra_order_get gives it)",
			                    keys[i]);
	return send_json(out, c, "PUT", "/transaction/order",
	                 json_pack("{s:i, s:O}", "objectID", ONTRA_ORDER, "offer", offer),
	                 ONTRA_RETRY_AUTO);
}
