/*
 * txn_actions: what is done to transactions after they exist, and orders
 * (REFERENCE-MORE.md §M2.4, §M2.7).
 *
 *   PUT  /1/transaction/refund          ids | id  -> "Refunded"
 *   PUT  /1/transaction/void            ids | id  -> "Voided"
 *   PUT  /1/transaction/writeOff        ids | id  -> 1
 *   PUT  /1/transaction/markPaid        id | ids  -> []
 *   POST /1/transaction/rerun           ids | id  -> 1
 *   POST /1/transaction/resendInvoice   ids | id  -> ""
 *   GET  /1/transaction/order?id=       the order as an offer
 *   PUT  /1/transaction/order           offer {order_id, offer_id, products, cc_id...}
 *                                       -> the order record
 *
 * objectID is optional (46 when given). Each action moves the transaction's
 * status and its purchases' status (the tables in sbx_commerce.h's sources),
 * and only from the statuses it makes sense from: every id is checked before
 * anything changes, and a wrong one answers 400 naming it. The products'
 * totals follow a transaction that stops or starts being paid. Selecting by
 * condition or performAll is not emulated (400).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_commerce.h"
#include "sbx_routes.h"
#include "util.h"
#include "banned.h"

#define IDS_MAX 500

/* Transaction status -> name (NET's table, §M2.4). */
static const char *status_name(long long s)
{
	static const char *const names[] = {
	    "unpaid", "paid",     "refunded",    "partially refunded",
	    "void",   "declined", "written off", "pending"};
	return s >= 0 && s < 8 ? names[s] : "unknown";
}

typedef struct action {
	const char *name;
	unsigned from;   /* bit n: allowed from transaction status n */
	int to;          /* the new status, -1 = unchanged */
	int purchase_to; /* the purchases' new status */
	const char *from_text;
	const char *reply; /* JSON text of the reply's data */
} action;

#define BIT(n) (1u << (n))

static const action actions[] = {
    {"refund", BIT(1) | BIT(3), 2, 4, "paid or partially refunded", "\"Refunded\""},
    {"void", BIT(0) | BIT(1) | BIT(7), 4, 3, "unpaid, paid or pending", "\"Voided\""},
    {"writeOff", BIT(0) | BIT(5) | BIT(7), 6, 5, "unpaid, declined or pending", "1"},
    {"markPaid", BIT(0) | BIT(5) | BIT(7), 1, 1, "unpaid, declined or pending", "[]"},
    {"rerun", BIT(0) | BIT(5), 1, 1, "unpaid or declined", "1"},
    {"resendInvoice", 0xffu, -1, -1, "any", "\"\""},
};

/* The ids of the call (ids, else id), each an existing transaction; answers on failure. */
static int read_ids(sbx_call *c, sbx_ids *ids, long long *status)
{
	long long type = SBX_TRANSACTION, id;
	size_t i;
	int rc;

	if (sbx_arg_int(c, "objectID", SBX_OPTIONAL, 0, INT_MAX, &type) < 0)
		return -1;
	if (type != SBX_TRANSACTION)
		return sbx_fail(c, 400, "Invalid objectID %lld: expected 46 (transactions)", type);
	if (json_object_get(c->params, "condition") || json_object_get(c->params, "performAll"))
		return sbx_fail(c, 400,
		                "the sandbox selects transactions by ids only (no condition "
		                "or performAll)");
	if ((rc = sbx_arg_ids(c, "ids", SBX_OPTIONAL, ids)) < 0)
		return -1;
	if (rc == 1) {
		if (sbx_arg_int(c, "id", SBX_REQUIRED, 1, 1LL << 53, &id) < 0)
			return -1;
		if (!(ids->v = malloc(sizeof *ids->v)))
			return sbx_fail(c, 500, "out of memory");
		ids->v[0] = id;
		ids->n = 1;
	}
	if (ids->n > IDS_MAX)
		return sbx_fail(c, 400, "Invalid ids: at most %d transactions at once", IDS_MAX);
	for (i = 0; i < ids->n; i++) {
		json_t *t = sbx_commerce_get(c, SBX_TRANSACTION, ids->v[i]);
		if (!t || sbx_whole(json_object_get(t, "status"), &status[i]) < 0) {
			json_decref(t);
			return sbx_fail(c, 404, "Transaction %lld not found", ids->v[i]);
		}
		json_decref(t);
	}
	return 0;
}

/* Move one transaction and its purchases. */
static int apply(sbx_call *c, const action *a, long long id, long long old, sbx_err *e)
{
	json_t *ps = sbx_commerce_where(c, SBX_PURCHASE, "invoice_id", id), *p;
	int was_paid = old == 1 || old == 3, now_paid = a->to == 1;
	size_t i;

	if (!ps)
		return sbx_err_set(e, 500, "could not read the purchases of transaction %lld", id);
	if (sbx_commerce_set(c, SBX_TRANSACTION, id, json_pack("{s:i}", "status", a->to), e) < 0)
		goto fail;
	json_array_foreach(ps, i, p)
	{
		long long pid = 0, product = 0, cents = 0;
		sbx_whole(json_object_get(p, "id"), &pid);
		sbx_whole(json_object_get(p, "product_id"), &product);
		sbx_cents(json_object_get(p, "total_price"), &cents);
		if (sbx_commerce_set(c, SBX_PURCHASE, pid,
		                     json_pack("{s:i}", "status", a->purchase_to), e) < 0 ||
		    (was_paid != now_paid &&
		     sbx_commerce_product_total(c, product, cents, now_paid ? 1 : -1, e) < 0))
			goto fail;
	}
	json_decref(ps);
	return 0;
fail:
	json_decref(ps);
	return -1;
}

static void act(sbx_call *c, const action *a)
{
	sbx_ids ids = SBX_IDS_INIT;
	long long status[IDS_MAX + 1];
	sbx_err e = SBX_ERR_INIT;
	size_t i;

	if (read_ids(c, &ids, status) < 0)
		goto out;
	for (i = 0; i < ids.n; i++)
		if (!(a->from & BIT(status[i] & 31))) {
			sbx_fail(c, 400, "Cannot %s transaction %lld: it is %s (expected %s)",
			         a->name, ids.v[i], status_name(status[i]), a->from_text);
			goto out;
		}
	if (a->to >= 0) {
		if (sbx_store_begin(c->ctx->store, &e) < 0) {
			sbx_fail_err(c, &e);
			goto out;
		}
		for (i = 0; i < ids.n; i++)
			if (apply(c, a, ids.v[i], status[i], &e) < 0)
				break;
		if (i < ids.n || sbx_store_commit(c->ctx->store, &e) < 0) {
			sbx_store_rollback(c->ctx->store);
			sbx_fail_err(c, &e);
			goto out;
		}
	}
	sbx_reply(c, json_loads(a->reply, JSON_DECODE_ANY, NULL));
out:
	sbx_ids_release(&ids);
}

static void refund(sbx_call *c)
{
	act(c, &actions[0]);
}
static void void_txn(sbx_call *c)
{
	act(c, &actions[1]);
}
static void write_off(sbx_call *c)
{
	act(c, &actions[2]);
}
static void mark_paid(sbx_call *c)
{
	act(c, &actions[3]);
}
static void rerun(sbx_call *c)
{
	act(c, &actions[4]);
}
static void resend_invoice(sbx_call *c)
{
	act(c, &actions[5]);
}

/* ---- orders ---- */

/* The order named by id: an order's id, else a transaction's with an order (§M2.7). */
static json_t *find_order(sbx_call *c, long long id)
{
	json_t *o = sbx_commerce_get(c, SBX_ORDER, id), *t;
	long long oid = 0;

	if (o)
		return o;
	t = sbx_commerce_get(c, SBX_TRANSACTION, id);
	if (t && sbx_whole(json_object_get(t, "order_id"), &oid) == 0 && oid > 0)
		o = sbx_commerce_get(c, SBX_ORDER, oid);
	json_decref(t);
	return o;
}

static void default_key(json_t *o, const char *key, json_t *v)
{
	if (!json_object_get(o, key))
		json_object_set_new(o, key, v);
	else
		json_decref(v);
}

/* The offer view of an order (new), as examples/resp-get-transaction-order.json shows it. */
static json_t *order_view(sbx_call *c, json_t *order)
{
	long long offer_id = 0;
	json_t *offer_rec, *view = NULL;
	const char *data;

	sbx_whole(json_object_get(order, "offer_id"), &offer_id);
	offer_rec = sbx_commerce_get(c, SBX_OFFER, offer_id);
	data = json_string_value(json_object_get(offer_rec, "data"));
	if (data)
		view = json_loads(data, 0, NULL);
	if (!json_is_object(view)) {
		json_decref(view);
		view = json_pack("{s:[]}", "products");
	}
	json_decref(offer_rec);
	if (!view)
		return NULL;
	default_key(view, "shipping", json_null());
	default_key(view, "delay", json_string("0"));
	default_key(view, "invoice_template", json_string("1"));
	default_key(view, "hasTaxes", json_false());
	default_key(view, "hasShipping", json_false());
	default_key(view, "send_recurring_invoice", json_string("0"));
	json_object_set_new(view, "cc_id", json_incref(json_object_get(order, "cc_id")));
	json_object_set_new(view, "offer_id", json_integer(offer_id));
	json_object_set_new(view, "order_id", json_incref(json_object_get(order, "id")));
	json_object_set_new(view, "payment_next_date",
	                    json_incref(json_object_get(order, "payment_next_date")));
	json_object_set_new(view, "status", json_incref(json_object_get(order, "status")));
	json_object_set_new(view, "gateway_id", json_incref(json_object_get(order, "gateway_id")));
	json_object_set_new(view, "affiliate_id", json_string("0"));
	return view;
}

static void order_get(sbx_call *c)
{
	long long id;
	json_t *order;

	if (sbx_arg_int(c, "id", SBX_REQUIRED, 1, 1LL << 53, &id) < 0)
		return;
	if (!(order = find_order(c, id))) {
		sbx_fail(c, 404, "Order %lld not found", id);
		return;
	}
	sbx_reply(c, order_view(c, order));
	json_decref(order);
}

/* The new total of one charge of the order's offer; -1 (answered) on a bad line. */
static long long offer_charge(sbx_call *c, json_t *offer)
{
	json_t *lines = json_object_get(offer, "products"), *l;
	long long total = 0;
	size_t i;

	if (!json_is_array(lines) || json_array_size(lines) == 0)
		return sbx_fail(c, 400, "Invalid offer: expected products, a list of one or more");
	json_array_foreach(lines, i, l)
	{
		long long pid = 0, qty = 0, cents = 0;
		json_t *p0 = json_array_get(json_object_get(l, "price"), 0), *prod;
		if (sbx_whole(json_object_get(l, "id"), &pid) < 0 ||
		    !(prod = sbx_commerce_get(c, SBX_PRODUCT, pid)))
			return sbx_fail(
			    c, 400, "Invalid product in offer line %zu: no such product", i + 1);
		if (sbx_cents(p0 ? json_object_get(p0, "price") : json_object_get(prod, "price"),
		              &cents) < 0)
			cents = 0;
		json_decref(prod);
		if (sbx_whole(json_object_get(l, "quantity"), &qty) < 0 || qty < 1 || qty > 100000)
			return sbx_fail(c, 400,
			                "Invalid quantity in offer line %zu: expected 1 to 100000",
			                i + 1);
		total += cents * qty;
		if (total > SBX_CENTS_MAX)
			return sbx_fail(c, 400, "Invalid offer: the total is too large");
	}
	return total;
}

static void order_put(sbx_call *c)
{
	json_t *offer = NULL, *order = NULL, *v;
	long long oid = 0, offer_id = 0, stored_offer = 0, cc = -1, total;
	sbx_err e = SBX_ERR_INIT;
	char *data = NULL;
	int rc;

	/* [LMCP]: an update without the offer deletes the order; here it is refused. */
	if (sbx_arg_json(c, "offer", SBX_REQUIRED, &offer) < 0)
		return;
	if (!json_is_object(offer) || sbx_whole(json_object_get(offer, "order_id"), &oid) < 0 ||
	    sbx_whole(json_object_get(offer, "offer_id"), &offer_id) < 0) {
		sbx_fail(c, 400, "Invalid offer: expected an object with order_id and offer_id");
		goto out;
	}
	if (!(order = sbx_commerce_get(c, SBX_ORDER, oid))) {
		sbx_fail(c, 404, "Order %lld not found", oid);
		goto out;
	}
	sbx_whole(json_object_get(order, "offer_id"), &stored_offer);
	if (stored_offer != offer_id) {
		sbx_fail(c, 400, "Invalid offer_id %lld: order %lld has offer %lld", offer_id, oid,
		         stored_offer);
		goto out;
	}
	if ((total = offer_charge(c, offer)) < 0)
		goto out;
	if (json_object_get(offer, "cc_id") && sbx_whole(json_object_get(offer, "cc_id"), &cc) < 0)
		cc = -1;
	data = json_dumps(offer, JSON_COMPACT | JSON_PRESERVE_ORDER);
	v = json_pack("{s:o}", "next_charge", sbx_cents_json(total));
	if (v && cc >= 0)
		json_object_set_new(v, "cc_id", json_integer(cc));
	if (sbx_store_begin(c->ctx->store, &e) < 0) {
		json_decref(v);
		sbx_fail_err(c, &e);
		goto out;
	}
	rc = sbx_commerce_set(c, SBX_ORDER, oid, v, &e);
	if (rc == 0)
		rc = sbx_commerce_set(c, SBX_OFFER, offer_id,
		                      json_pack("{s:s}", "data", data ? data : "{}"), &e);
	if (rc < 0 || sbx_store_commit(c->ctx->store, &e) < 0) {
		sbx_store_rollback(c->ctx->store);
		sbx_fail_err(c, &e);
		goto out;
	}
	sbx_reply(c, sbx_commerce_get(c, SBX_ORDER, oid));
out:
	free(data);
	json_decref(order);
	json_decref(offer);
}

/*
 * POST /_sandbox/purchases/fire with contact_id and products, a list of
 * {"id", "quantity" (default 1), "price" (default the product's)}: a purchase
 * made outside the API (an order form, a checkout), done as a logged manual
 * transaction would be: the transaction, its purchases, the totals and the
 * purchase_product / transaction_created_with_product webhooks. Reply as
 * processManual's with chargeLog ({invoice_id} in the envelope).
 */
static void ctl_purchase(sbx_call *c)
{
	json_t *products = json_incref(json_object_get(c->params, "products")), *p, *line, *lines;
	size_t i;

	if (!json_is_array(products) || !json_array_size(products)) {
		json_decref(products);
		sbx_fail(c, 400, "Invalid products: expected a list of {\"id\", \"quantity\"}");
		return;
	}
	if (!(lines = json_array())) {
		json_decref(products);
		sbx_fail(c, 500, "Internal Server Error: out of memory");
		return;
	}
	json_array_foreach(products, i, p)
	{
		json_t *q = json_object_get(p, "quantity"), *price = json_object_get(p, "price");
		line = json_pack("{s:O?, s:o}", "id", json_object_get(p, "id"), "quantity",
		                 q ? json_incref(q) : json_integer(1));
		if (line && price)
			json_object_set_new(line, "price", json_pack("[{s:O}]", "price", price));
		json_array_append_new(lines, line);
	}
	json_decref(products);
	json_object_set_new(c->params, "chargeNow", json_string("chargeLog"));
	json_object_set_new(c->params, "offer", json_pack("{s:o}", "products", lines));
	json_object_del(c->params, "products");
	sbx_commerce_process_manual(c);
}

/* The commerce routes: this file's and commerce.c's. */
const sbx_route sbx_routes_commerce[] = {
    {"POST", "/1/transaction/processManual", sbx_commerce_process_manual, 0},
    {"PUT", "/1/transaction/refund", refund, 0},
    {"PUT", "/1/transaction/void", void_txn, 0},
    {"PUT", "/1/transaction/writeOff", write_off, 0},
    {"PUT", "/1/transaction/markPaid", mark_paid, 0},
    {"POST", "/1/transaction/rerun", rerun, 0},
    {"POST", "/1/transaction/resendInvoice", resend_invoice, 0},
    {"GET", "/1/transaction/order", order_get, 0},
    {"PUT", "/1/transaction/order", order_put, 0},
    {"POST", "/_sandbox/purchases/fire", ctl_purchase, 0},
    {NULL, NULL, NULL, 0},
};
