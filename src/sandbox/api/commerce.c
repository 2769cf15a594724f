/*
 * commerce: a manual transaction (REFERENCE-MORE.md §M2.5-M2.6), and the
 * helpers the commerce resources share (sbx_commerce.h).
 *
 *   POST /1/transaction/processManual   contact_id, chargeNow ("chargeNow" |
 *        "chargeLog"), offer {products: [...]}, gateway_id (chargeNow),
 *        cc_id, payer, invoice_template, trans_date (ms), external_order_id
 *        -> {invoice_id} (chargeLog), {result_code, transaction_id,
 *           external_txn, message, invoice_id} (chargeNow)
 *
 * What it keeps, in one SQL transaction: the transaction (46), one purchase
 * (17) per product line, and for subscription and payment-plan lines an
 * order (52) with its copy of the offer (65) and an open order (44) each; the
 * products' total_income/total_purchases and the contact's spent,
 * num_purchased and last invoice fields follow. Then it reports
 * purchase_product(P) per paid purchase and transaction_created_with_product(P)
 * once per product. A chargeNow paying with the card number 4000000000000002
 * is declined (status 5, purchases 2, no order, no purchase event). The
 * choices the reference leaves open are listed in docs/sandbox.md.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbx_commerce.h"
#include "sbx_deliveries.h"
#include "sbx_routes.h"
#include "util.h"
#include "banned.h"

#define LINES_MAX 100
#define DECLINED_CARD "4000000000000002"

/* ---- shared helpers (sbx_commerce.h) ---- */

int sbx_cents(const json_t *v, long long *out)
{
	const char *s = json_string_value(v);
	long long whole = 0, frac = 0;
	size_t i = 0, d = 0, f = 0;

	if (json_is_integer(v) || json_is_real(v)) {
		double x = json_number_value(v) * 100.0;
		if (!(x >= 0) || x > (double)SBX_CENTS_MAX)
			return -1;
		*out = (long long)llround(x);
		return 0;
	}
	if (!s)
		return -1;
	for (; s[i] >= '0' && s[i] <= '9'; i++, d++)
		whole = whole * 10 + (s[i] - '0');
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++, f++)
			frac = frac * 10 + (s[i] - '0');
	if (d > 9 || f > 2)
		return -1;
	if (d == 0 || s[i] != '\0')
		return -1;
	*out = whole * 100 + (f == 1 ? frac * 10 : frac);
	return 0;
}

json_t *sbx_cents_json(long long cents)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld.%02lld", cents / 100, cents % 100);
	return json_string(buf);
}

int sbx_whole(const json_t *v, long long *out)
{
	const char *s = json_string_value(v);

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
	    fabs(json_real_value(v)) < 9e15) {
		*out = (long long)json_real_value(v);
		return 0;
	}
	return s && util_parse_ll(s, LLONG_MIN, LLONG_MAX, out) == 0 ? 0 : -1;
}

json_t *sbx_commerce_get(sbx_call *c, long long type, long long id)
{
	const sbx_otype *t = sbx_store_type(c->ctx->store, type);
	json_t *rec = NULL;
	sbx_err e = SBX_ERR_INIT;

	if (!t || id < 1 || sbx_record_get(c->ctx->store, t, id, NULL, &rec, &e) < 0)
		return NULL;
	return rec;
}

long long sbx_commerce_insert(sbx_call *c, long long type, json_t *values, sbx_err *e)
{
	const sbx_otype *t = sbx_store_type(c->ctx->store, type);
	long long id = -1;

	if (!t || !values) {
		sbx_err_set(e, 500, "no object type %lld", type);
		return -1;
	}
	return sbx_record_insert(c->ctx->store, t, values, SBX_REC_RAW, &id, NULL, e) < 0 ? -1 : id;
}

int sbx_commerce_set(sbx_call *c, long long type, long long id, json_t *values, sbx_err *e)
{
	const sbx_otype *t = sbx_store_type(c->ctx->store, type);
	int rc;

	if (!t || !values) {
		json_decref(values);
		return sbx_err_set(e, 500, "no object type %lld", type);
	}
	rc = sbx_record_update(c->ctx->store, t, id, values, SBX_REC_RAW, NULL, e);
	json_decref(values);
	return rc;
}

json_t *sbx_commerce_where(sbx_call *c, long long type, const char *field, long long value)
{
	const sbx_otype *t = sbx_store_type(c->ctx->store, type);
	util_buf where = UTIL_BUF_INIT;
	sbx_query q;
	json_t *args = json_pack("[I]", (json_int_t)value), *out = NULL;
	sbx_err e = SBX_ERR_INIT;

	memset(&q, 0, sizeof q);
	if (t && args && sbx_sql_ident(&where, field) == 0 &&
	    util_buf_append(&where, "=?", 2) == 0 && util_buf_append(&where, "", 1) == 0) {
		q.range = 100000;
		q.where = where.data;
		q.where_args = args;
		if (sbx_record_list(c->ctx->store, t, &q, &out, &e) < 0)
			out = NULL;
	}
	util_buf_release(&where);
	json_decref(args);
	return out;
}

/* ---- the manual transaction ---- */

typedef struct line {
	long long product_id, quantity, cents, payments;
	int type; /* purchase type: 0 one-time, 1 subscription, 2 payment plan */
	const char *unit;
	json_t *product; /* the product record (owned) */
} line;

typedef struct sale {
	long long contact_id, gateway_id, cc_id, template_id, date, total;
	int log_only, declined;
	const char *external_order_id;
	json_t *contact, *offer; /* borrowed from the handler */
	line lines[LINES_MAX];
	size_t n;
} sale;

static long long unit_seconds(const char *unit)
{
	static const struct {
		const char *unit;
		long long s;
	} u[] = {{"day", 86400},
	         {"week", 7 * 86400},
	         {"month", 30 * 86400},
	         {"quarter", 91 * 86400},
	         {"year", 365 * 86400}};

	for (size_t i = 0; unit && i < sizeof u / sizeof *u; i++)
		if (util_strieq(unit, u[i].unit))
			return u[i].s;
	return 0;
}

/* One offer line into l; answers 400 and returns -1 when it is wrong. */
static int read_line(sbx_call *c, json_t *j, size_t k, line *l)
{
	const char *type = json_string_value(json_object_get(j, "type"));
	json_t *p0 = json_array_get(json_object_get(j, "price"), 0);

	memset(l, 0, sizeof *l);
	if (!json_is_object(j) || sbx_whole(json_object_get(j, "id"), &l->product_id) < 0 ||
	    !(l->product = sbx_commerce_get(c, SBX_PRODUCT, l->product_id)))
		return sbx_fail(c, 400, "Invalid product in offer line %zu: no such product", k);
	if (sbx_whole(json_object_get(j, "quantity"), &l->quantity) < 0 || l->quantity < 1 ||
	    l->quantity > 100000)
		return sbx_fail(c, 400, "Invalid quantity in offer line %zu: expected 1 to 100000",
		                k);
	l->type = type && util_strieq(type, "subscription")   ? 1
	          : type && util_strieq(type, "payment_plan") ? 2
	                                                      : 0;
	/* No price: the product's own ([WPF]: "let Ontraport calculate the price"). */
	if (sbx_cents(p0 ? json_object_get(p0, "price") : json_object_get(l->product, "price"),
	              &l->cents) < 0) {
		if (p0)
			return sbx_fail(c, 400,
			                "Invalid price in offer line %zu: expected a number", k);
		l->cents = 0;
	}
	l->unit = json_string_value(json_object_get(p0, "unit"));
	if (l->type && !unit_seconds(l->unit))
		return sbx_fail(c, 400,
		                "Invalid unit in offer line %zu: a %s needs day, week, month, "
		                "quarter or year",
		                k, l->type == 1 ? "subscription" : "payment plan");
	if (sbx_whole(json_object_get(p0, "payment_count"), &l->payments) < 0 || l->payments < 1)
		l->payments = 1;
	if (l->cents * l->quantity > SBX_CENTS_MAX)
		return sbx_fail(c, 400, "Invalid offer line %zu: the total is too large", k);
	return 0;
}

static void release_sale(sale *s)
{
	for (size_t i = 0; i < s->n; i++)
		json_decref(s->lines[i].product);
}

static int read_offer(sbx_call *c, sale *s)
{
	json_t *lines = json_object_get(s->offer, "products");
	size_t n = json_array_size(lines);

	if (!json_is_object(s->offer) || !json_is_array(lines) || n == 0)
		return sbx_fail(c, 400, "Invalid offer: expected products, a list of one or more");
	if (n > LINES_MAX)
		return sbx_fail(c, 400, "Invalid offer: more than %d products", LINES_MAX);
	for (s->n = 0; s->n < n; s->n++) {
		if (read_line(c, json_array_get(lines, s->n), s->n + 1, &s->lines[s->n]) < 0) {
			json_decref(s->lines[s->n].product);
			return -1;
		}
		s->total += s->lines[s->n].cents * s->lines[s->n].quantity;
		if (s->total > SBX_CENTS_MAX)
			return sbx_fail(c, 400, "Invalid offer: the total is too large");
	}
	return 0;
}

/* The parameters; answers and returns -1 on a mistake. */
static int read_sale(sbx_call *c, sale *s)
{
	const char *charge, *card;
	json_t *payer = NULL;
	long long ms = 0;
	int rc;

	if (sbx_arg_int(c, "contact_id", SBX_REQUIRED, 0, 1LL << 53, &s->contact_id) < 0 ||
	    sbx_arg_str(c, "chargeNow", SBX_REQUIRED, &charge) < 0 ||
	    sbx_arg_int(c, "gateway_id", SBX_OPTIONAL, 0, 1LL << 53, &s->gateway_id) < 0 ||
	    sbx_arg_int(c, "cc_id", SBX_OPTIONAL, 0, 1LL << 53, &s->cc_id) < 0 ||
	    sbx_arg_int(c, "invoice_template", SBX_OPTIONAL, -1, 1LL << 53, &s->template_id) < 0 ||
	    sbx_arg_int(c, "trans_date", SBX_OPTIONAL, 0, 1LL << 53, &ms) < 0 ||
	    sbx_arg_str(c, "external_order_id", SBX_OPTIONAL, &s->external_order_id) < 0 ||
	    sbx_arg_json(c, "offer", SBX_REQUIRED, &s->offer) < 0)
		return -1;
	if (strcmp(charge, "chargeNow") && strcmp(charge, "chargeLog"))
		return sbx_fail(
		    c, 400, "Invalid chargeNow '%.40s': expected chargeNow or chargeLog", charge);
	s->log_only = strcmp(charge, "chargeLog") == 0;
	/* [WPF] handles this plain-text body; the status is UNCONFIRMED (400). */
	if (!(s->contact = sbx_commerce_get(c, SBX_CONTACT, s->contact_id)))
		return sbx_fail(c, 400, "Invalid Contact ID");
	if (!s->log_only) {
		json_t *gw = sbx_commerce_get(c, SBX_GATEWAY, s->gateway_id);
		json_decref(gw);
		if (!gw)
			return sbx_fail(c, 400, "Invalid gateway_id %lld: no such gateway",
			                s->gateway_id);
		if ((rc = sbx_arg_json(c, "payer", SBX_OPTIONAL, &payer)) < 0)
			return -1;
		card = json_string_value(json_object_get(payer, "ccnumber"));
		s->declined = card && strcmp(card, DECLINED_CARD) == 0;
		json_decref(payer);
	}
	s->date = ms ? ms / 1000 : (long long)time(NULL);
	return read_offer(c, s);
}

static long long add_transaction(sbx_call *c, sale *s, sbx_err *e)
{
	const char *fn = json_string_value(json_object_get(s->contact, "firstname"));
	const char *ln = json_string_value(json_object_get(s->contact, "lastname"));
	char name[256], *offer = json_dumps(s->offer, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_t *v;
	long long id;

	snprintf(name, sizeof name, "%s%s%s", fn ? fn : "", fn && ln && *fn && *ln ? " " : "",
	         ln ? ln : "");
	v = json_pack("{s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:s, s:s?}", "status",
	              (json_int_t)(s->declined ? 5 : 1), "contact_id", (json_int_t)s->contact_id,
	              "contact_name", name, "date", (json_int_t)s->date, "gateway_id",
	              (json_int_t)s->gateway_id, "cc_id", (json_int_t)s->cc_id, "template_id",
	              (json_int_t)(s->template_id ? s->template_id : 1), "subtotal",
	              sbx_cents_json(s->total), "total", sbx_cents_json(s->total), "offer_data",
	              offer ? offer : "{}", "external_order_id", s->external_order_id);
	id = sbx_commerce_insert(c, SBX_TRANSACTION, v, e);
	json_decref(v);
	free(offer);
	return id;
}

/* The sale's offer with only its subscription and payment-plan lines, as JSON text (new). */
static char *recurring_offer(const sale *s)
{
	json_t *copy = json_deep_copy(s->offer), *lines = json_array();
	char *text = NULL;

	for (size_t i = 0; copy && lines && i < s->n; i++)
		if (s->lines[i].type)
			json_array_append(lines,
			                  json_array_get(json_object_get(s->offer, "products"), i));
	if (copy && lines && json_object_set(copy, "products", lines) == 0)
		text = json_dumps(copy, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(lines);
	json_decref(copy);
	return text;
}

/* The order of a recurring line: its offer copy, the order, its open order. */
static long long add_order(sbx_call *c, sale *s, const line *l, long long *order_id, sbx_err *e)
{
	const char *pname = json_string_value(json_object_get(l->product, "name"));
	char *data = recurring_offer(s);
	long long next = s->date + unit_seconds(l->unit), offer_id, oo;
	long long left = l->type == 2 ? l->payments - 1 : 0;
	json_t *v;

	v = json_pack("{s:s, s:s, s:i}", "name", pname ? pname : "", "data", data ? data : "{}",
	              "public", 0);
	free(data);
	offer_id = sbx_commerce_insert(c, SBX_OFFER, v, e);
	json_decref(v);
	if (offer_id < 0)
		return -1;
	if (*order_id == 0) {
		v = json_pack(
		    "{s:I, s:I, s:I, s:s, s:I, s:s, s:I, s:I, s:i, s:I, s:o}", "contact_id",
		    (json_int_t)s->contact_id, "offer_id", (json_int_t)offer_id, "cc_id",
		    (json_int_t)s->cc_id, "name", pname ? pname : "", "payment_next_date",
		    (json_int_t)next, "unit", l->unit, "count", (json_int_t)l->payments,
		    "gateway_id", (json_int_t)s->gateway_id, "status", 0, "transactions_remaining",
		    (json_int_t)left, "next_charge", sbx_cents_json(l->cents * l->quantity));
		*order_id = sbx_commerce_insert(c, SBX_ORDER, v, e);
		json_decref(v);
		if (*order_id < 0)
			return -1;
	}
	v = json_pack("{s:I, s:I, s:I, s:I, s:o, s:I, s:i, s:i, s:s}", "contact_id",
	              (json_int_t)s->contact_id, "order_id", (json_int_t)*order_id, "product_id",
	              (json_int_t)l->product_id, "payment_next_date", (json_int_t)next,
	              "payment_amount", sbx_cents_json(l->cents * l->quantity), "payment_remaining",
	              (json_int_t)left, "type", l->type == 2 ? 1 : 0, "payment_made", 1, "unit",
	              l->unit);
	oo = sbx_commerce_insert(c, SBX_OPEN_ORDER, v, e);
	json_decref(v);
	return oo;
}

int sbx_commerce_product_total(sbx_call *c, long long product_id, long long cents, int sign,
                               sbx_err *e)
{
	json_t *p = sbx_commerce_get(c, SBX_PRODUCT, product_id);
	long long income = 0, count = 0;

	if (!p)
		return 0; /* deleted since: nothing to count on */
	sbx_cents(json_object_get(p, "total_income"), &income);
	sbx_whole(json_object_get(p, "total_purchases"), &count);
	json_decref(p);
	income += sign * cents;
	count += sign;
	return sbx_commerce_set(c, SBX_PRODUCT, product_id,
	                        json_pack("{s:o, s:I}", "total_income",
	                                  sbx_cents_json(income < 0 ? 0 : income),
	                                  "total_purchases", (json_int_t)(count < 0 ? 0 : count)),
	                        e);
}

static int add_contact_totals(sbx_call *c, sale *s, long long txn, sbx_err *e)
{
	long long spent = 0, bought = 0;

	sbx_cents(json_object_get(s->contact, "spent"), &spent);
	sbx_whole(json_object_get(s->contact, "num_purchased"), &bought);
	if (!s->declined) {
		spent += s->total;
		bought += (long long)s->n;
	}
	return sbx_commerce_set(c, SBX_CONTACT, s->contact_id,
	                        json_pack("{s:o, s:I, s:I, s:o}", "spent", sbx_cents_json(spent),
	                                  "num_purchased", (json_int_t)bought, "mriInvoiceNum",
	                                  (json_int_t)txn, "mriInvoiceTotal",
	                                  sbx_cents_json(s->total)),
	                        e);
}

/* Everything the sale keeps; the purchase ids into pids. */
static long long keep_sale(sbx_call *c, sale *s, long long *pids, sbx_err *e)
{
	long long txn = add_transaction(c, s, e), order_id = 0;
	size_t i;

	if (txn < 0)
		return -1;
	for (i = 0; i < s->n; i++) {
		const line *l = &s->lines[i];
		json_t *v;
		if (l->type && !s->declined && add_order(c, s, l, &order_id, e) < 0)
			return -1;
		v = json_pack("{s:I, s:I, s:O, s:O, s:I, s:o, s:o, s:I, s:i, s:i}", "contact_id",
		              (json_int_t)s->contact_id, "product_id", (json_int_t)l->product_id,
		              "name", json_object_get(l->product, "name"), "description",
		              json_object_get(l->product, "description"), "quantity",
		              (json_int_t)l->quantity, "price", sbx_cents_json(l->cents),
		              "total_price", sbx_cents_json(l->cents * l->quantity), "invoice_id",
		              (json_int_t)txn, "type", l->type, "status", s->declined ? 2 : 1);
		if (v && order_id)
			json_object_set_new(v, "order_id", json_integer(order_id));
		pids[i] = sbx_commerce_insert(c, SBX_PURCHASE, v, e);
		json_decref(v);
		if (pids[i] < 0)
			return -1;
		if (!s->declined &&
		    sbx_commerce_product_total(c, l->product_id, l->cents * l->quantity, 1, e) < 0)
			return -1;
	}
	if (order_id && sbx_commerce_set(c, SBX_TRANSACTION, txn,
	                                 json_pack("{s:I}", "order_id", order_id), e) < 0)
		return -1;
	return add_contact_totals(c, s, txn, e) < 0 ? -1 : txn;
}

static void report_sale(sbx_call *c, const sale *s, long long txn, const long long *pids)
{
	size_t i, j;

	for (i = 0; i < s->n && !s->declined; i++)
		sbx_report_purchase(c->ctx, pids[i], s->lines[i].product_id);
	for (i = 0; i < s->n; i++) {
		for (j = 0; j < i && s->lines[j].product_id != s->lines[i].product_id; j++)
			;
		if (j == i)
			sbx_report_transaction(c->ctx, txn, s->lines[i].product_id);
	}
}

void sbx_commerce_process_manual(sbx_call *c)
{
	sale s;
	long long pids[LINES_MAX], txn;
	sbx_err e = SBX_ERR_INIT;

	memset(&s, 0, sizeof s);
	if (read_sale(c, &s) < 0)
		goto out;
	if (sbx_store_begin(c->ctx->store, &e) < 0) {
		sbx_fail_err(c, &e);
		goto out;
	}
	if ((txn = keep_sale(c, &s, pids, &e)) < 0 || sbx_store_commit(c->ctx->store, &e) < 0) {
		sbx_store_rollback(c->ctx->store);
		sbx_fail_err(c, &e);
		goto out;
	}
	report_sale(c, &s, txn, pids);
	if (s.log_only)
		sbx_reply(c, json_pack("{s:I}", "invoice_id", (json_int_t)txn));
	else
		sbx_reply(c, json_pack("{s:i, s:I, s:s, s:s, s:I}", "result_code",
		                       s.declined ? 0 : 1, "transaction_id", (json_int_t)txn,
		                       "external_txn", "", "message", s.declined ? "Declined" : "",
		                       "invoice_id", (json_int_t)txn));
out:
	release_sale(&s);
	json_decref(s.contact);
	json_decref(s.offer);
}
