/*
 * Commerce through the library against a real sandbox (REFERENCE-MORE §M1-M2):
 *  - ontra_offer_line_parse and ontra_offer_check, pure: what they accept and
 *    the one-line errors for what they refuse, with no request sent;
 *  - ontra_offer_add_line resolves the product by name or id, reads its price,
 *    and leaves the offer unchanged on failure;
 *  - offers saved, changed and read back with their offer decoded;
 *  - ontra_transaction_process refuses bad options locally, charges and logs;
 *    ontra_transaction_act moves statuses, markPaid one request an id;
 *  - orders read and updated;
 *  - the purchase event strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

static sandbox_proc sp;
static ontra_client *cl;
static long long widget, member, contact;

static unsigned long requests(void)
{
	return client_requests(cl);
}

static void expect_message(const char *part)
{
	assert_true(error_says(part));
}

static long long create(int type, const char *json)
{
	long long id = create_record(cl, type, json);

	assert_true(id > 0);
	return id;
}

static int setup(void **state)
{
	(void)state;
	if (sandbox_start(&sp, NULL) != 0)
		return -1;
	cl = sandbox_client(&sp);
	widget = create(ONTRA_PRODUCT, "{\"name\":\"Widget\",\"price\":\"10\"}");
	member = create(ONTRA_PRODUCT, "{\"name\":\"Membership\",\"price\":\"29\"}");
	contact = create(ONTRA_CONTACT, "{\"firstname\":\"Mary\",\"email\":\"mary@example.com\"}");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ontra_client_free(cl);
	sandbox_stop(&sp);
	return 0;
}

static void line_parse(void **state)
{
	json_t *o = NULL;

	(void)state;
	assert_int_equal(ontra_offer_line_parse(&o, "Widget"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "product")), "Widget");
	assert_int_equal(json_integer_value(json_object_get(o, "quantity")), 1);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "single");
	assert_null(json_object_get(o, "price"));
	json_decref(o);
	assert_int_equal(ontra_offer_line_parse(&o, "Big Widget*3@9.5"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "product")), "Big Widget");
	assert_int_equal(json_integer_value(json_object_get(o, "quantity")), 3);
	assert_string_equal(json_string_value(json_object_get(o, "price")), "9.50");
	json_decref(o);
	assert_int_equal(ontra_offer_line_parse(&o, "Course@100/Month/3"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "payment_plan");
	assert_string_equal(json_string_value(json_object_get(o, "unit")), "month");
	assert_int_equal(json_integer_value(json_object_get(o, "payment_count")), 3);
	json_decref(o);
	assert_int_equal(ontra_offer_line_parse(&o, "Club@5/year"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "subscription");
	json_decref(o);
	/* '*' and '@' that start no valid suffix belong to the name. */
	assert_int_equal(ontra_offer_line_parse(&o, "2*4 Lumber"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "product")), "2*4 Lumber");
	json_decref(o);
	assert_int_equal(ontra_offer_line_parse(&o, "me@home"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "product")), "me@home");
	json_decref(o);

	assert_int_equal(ontra_offer_line_parse(&o, "Widget*0"), ONTRA_EINVALID);
	assert_null(o);
	expect_message("invalid quantity '0'");
	assert_int_equal(ontra_offer_line_parse(&o, "Widget*100001"), ONTRA_EINVALID);
	assert_int_equal(ontra_offer_line_parse(&o, "Widget@1.234"), ONTRA_EINVALID);
	expect_message("invalid price '1.234'");
	assert_int_equal(ontra_offer_line_parse(&o, "Widget@5/fortnight"), ONTRA_EINVALID);
	assert_int_equal(ontra_offer_line_parse(&o, "Widget@5/month/1"), ONTRA_EINVALID);
	assert_int_equal(ontra_offer_line_parse(&o, "@5"), ONTRA_EINVALID);
	expect_message("no product");
	assert_int_equal(ontra_offer_line_parse(&o, ""), ONTRA_EINVALID);
	assert_int_equal(ontra_offer_line_parse(&o, NULL), ONTRA_EINVALID);
	assert_int_equal(ontra_offer_line_parse(&o, "\xff\xfe"), ONTRA_EINVALID);
	expect_message("UTF-8");
}

static void offer_check(void **state)
{
	static const struct {
		const char *json;
		const char *why; /* NULL = valid */
	} cases[] = {
	    {"{\"products\":[{\"id\":1,\"quantity\":1}]}", NULL},
	    {"{\"products\":[{\"id\":\"1\",\"quantity\":\"2\",\"type\":\"single\","
	     "\"price\":[{\"price\":\"10.00\"}]}]}",
	     NULL},
	    {"{\"products\":[{\"id\":1,\"quantity\":1,\"type\":\"subscription\","
	     "\"price\":[{\"price\":29,\"unit\":\"month\"}]}]}",
	     NULL},
	    {"[]", "expected a JSON object"},
	    {"{}", "a list of one product or more"},
	    {"{\"products\":[]}", "a list of one product or more"},
	    {"{\"products\":[{\"id\":0,\"quantity\":1}]}", "offer line 1: invalid product id"},
	    {"{\"products\":[{\"id\":1,\"quantity\":1},{\"id\":1.5,\"quantity\":1}]}",
	     "offer line 2: invalid product id"},
	    {"{\"products\":[{\"id\":1,\"quantity\":0}]}", "invalid quantity"},
	    {"{\"products\":[{\"id\":1,\"quantity\":1,\"type\":\"gift\"}]}", "invalid type 'gift'"},
	    {"{\"products\":[{\"id\":1,\"quantity\":1,\"type\":\"payment_plan\"}]}",
	     "needs a price"},
	    {"{\"products\":[{\"id\":1,\"quantity\":1,\"price\":[{\"price\":-1}]}]}",
	     "invalid price"},
	    {"{\"products\":[{\"id\":1,\"quantity\":1,\"price\":[{\"price\":1,\"unit\":\"x\"}]}]}",
	     "invalid unit"},
	    {"{\"products\":[{\"id\":1,\"quantity\":1,\"price\":{\"price\":1}}]}", "invalid price"},
	};
	unsigned long before = requests();

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		json_t *o = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
		assert_non_null(o);
		if (!cases[i].why) {
			if (ontra_offer_check(o) != 0)
				fail_msg("case %zu refused: %s", i, ontra_error_last()->message);
		} else {
			assert_int_equal(ontra_offer_check(o), ONTRA_EINVALID);
			expect_message(cases[i].why);
		}
		json_decref(o);
	}
	assert_int_equal(ontra_offer_check(NULL), ONTRA_EINVALID);
	assert_int_equal(requests(), before);
}

static void add_line_resolves(void **state)
{
	json_t *offer = json_object(), *line;
	char *before;

	(void)state;
	assert_int_equal(ontra_offer_add_line(offer, cl, "Widget*2"), 0);
	line = json_array_get(json_object_get(offer, "products"), 0);
	assert_int_equal(record_id(line, "id"), widget);
	assert_string_equal(json_string_value(json_object_get(line, "name")), "Widget");
	/* No price in the text: the product's. */
	assert_true(json_number_value(json_object_get(
	                json_array_get(json_object_get(line, "price"), 0), "price")) == 10.0);
	assert_int_equal(ontra_offer_check(offer), 0);
	before = json_dumps(offer, JSON_SORT_KEYS);
	assert_int_equal(ontra_offer_add_line(offer, cl, "Nothing"), ONTRA_ENOTFOUND);
	expect_message("no product named 'Nothing'");
	assert_int_equal(ontra_offer_add_line(offer, cl, "987"), ONTRA_ENOTFOUND);
	{
		char *after = json_dumps(offer, JSON_SORT_KEYS);
		assert_string_equal(before, after);
		free(after);
	}
	free(before);
	json_decref(offer);
}

static void offers_saved(void **state)
{
	json_t *offer = json_object(), *res = NULL;
	long long id;

	(void)state;
	assert_int_equal(ontra_offer_add_line(offer, cl, "Membership@29/month"), 0);
	assert_int_equal(ontra_offer_create(&res, cl, "", offer), ONTRA_EINVALID);
	assert_null(res);
	assert_int_equal(ontra_offer_create(&res, cl, "Monthly", offer), 0);
	id = record_id(res, "id");
	json_decref(res);
	assert_int_equal(ontra_offer_update(&res, cl, id, NULL, NULL), ONTRA_EINVALID);
	assert_int_equal(ontra_offer_update(&res, cl, id, "Monthly club", NULL), 0);
	json_decref(res);
	assert_int_equal(ontra_offer_get(&res, cl, id), 0);
	assert_string_equal(json_string_value(json_object_get(res, "name")), "Monthly club");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(json_object_get(res, "offer"), "products"), 0),
	        "type")),
	    "subscription");
	json_decref(res);
	assert_int_equal(ontra_offer_get(&res, cl, 999), ONTRA_ENOTFOUND);
	json_decref(offer);
}

static long long status_of(long long txn)
{
	json_t *rec = NULL;
	long long s;

	assert_int_equal(ontra_object_get(&rec, cl, ONTRA_TRANSACTION, txn), 0);
	s = record_id(rec, "status");
	json_decref(rec);
	return s;
}

static void transactions(void **state)
{
	ontra_transaction_options o = ONTRA_TRANSACTION_OPTIONS_INIT;
	json_t *offer = json_object(), *res = NULL;
	long long t1, t2, ids[2];
	unsigned long before;

	(void)state;
	assert_int_equal(ontra_offer_add_line(offer, cl, "Widget*2"), 0);
	assert_int_equal(ontra_offer_add_line(offer, cl, "Membership@29/month"), 0);
	before = requests();
	o.offer = offer;
	assert_int_equal(ontra_transaction_process(&res, cl, &o), ONTRA_EINVALID); /* no contact */
	o.contact_id = contact;
	assert_int_equal(ontra_transaction_process(&res, cl, &o), ONTRA_EINVALID); /* no gateway */
	expect_message("needs a gateway");
	o.log_only = 1;
	o.gateway_id = 1;
	assert_int_equal(ontra_transaction_process(&res, cl, &o), ONTRA_EINVALID);
	expect_message("takes no gateway");
	o.gateway_id = 0;
	o.invoice_template = -5;
	assert_int_equal(ontra_transaction_process(&res, cl, &o), ONTRA_EINVALID);
	o.invoice_template = ONTRA_INVOICE_NONE;
	o.version = 99;
	assert_int_equal(ontra_transaction_process(&res, cl, &o), ONTRA_EINVALID);
	o.version = ONTRA_TRANSACTION_OPTIONS_VERSION;
	assert_int_equal(requests(), before);
	assert_null(res);

	o.trans_date = 1769817600;
	o.external_order_id = "WC-1";
	assert_int_equal(ontra_transaction_process(&res, cl, &o), 0);
	t1 = record_id(res, "invoice_id");
	json_decref(res);
	assert_int_equal(status_of(t1), 1);
	o.log_only = 0;
	o.gateway_id = 1;
	o.trans_date = 0;
	assert_int_equal(ontra_transaction_process(&res, cl, &o), 0);
	t2 = record_id(res, "invoice_id");
	assert_int_equal(json_integer_value(json_object_get(res, "result_code")), 1);
	json_decref(res);

	ids[0] = t1;
	ids[1] = t2;
	assert_int_equal(ontra_transaction_act(&res, cl, ONTRA_TXN_REFUND, ids, 2), 0);
	assert_string_equal(json_string_value(res), "Refunded");
	json_decref(res);
	assert_int_equal(status_of(t1), 2);
	assert_int_equal(status_of(t2), 2);
	assert_int_equal(ontra_transaction_act(&res, cl, ONTRA_TXN_VOID, ids, 1), ONTRA_EINVALID);
	assert_null(res);
	expect_message("it is refunded");
	before = requests();
	assert_int_equal(ontra_transaction_act(NULL, cl, ONTRA_TXN_VOID, ids, 0), ONTRA_EINVALID);
	assert_int_equal(ontra_transaction_act(NULL, cl, (ontra_transaction_op)9, ids, 1),
	                 ONTRA_EINVALID);
	ids[1] = 0;
	assert_int_equal(ontra_transaction_act(NULL, cl, ONTRA_TXN_VOID, ids, 2), ONTRA_EINVALID);
	assert_int_equal(requests(), before);
	assert_null(ontra_transaction_op_name((ontra_transaction_op)6));
	assert_string_equal(ontra_transaction_op_name(ONTRA_TXN_WRITE_OFF), "writeOff");
	json_decref(offer);
}

static void mark_paid_one_a_request(void **state)
{
	ontra_transaction_options o = ONTRA_TRANSACTION_OPTIONS_INIT;
	json_t *offer = json_object(), *res = NULL;
	json_t *payer = json_pack("{s:s, s:s, s:i, s:i}", "ccnumber", "4000000000000002", "code",
	                          "1", "expire_month", 1, "expire_year", 2035);
	long long ids[2];
	unsigned long before;

	(void)state;
	assert_int_equal(ontra_offer_add_line(offer, cl, "Widget"), 0);
	o.offer = offer;
	o.contact_id = contact;
	o.gateway_id = 1;
	o.payer = payer;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ontra_transaction_process(&res, cl, &o), 0);
		assert_int_equal(json_integer_value(json_object_get(res, "result_code")), 0);
		ids[i] = record_id(res, "invoice_id");
		json_decref(res);
		assert_int_equal(status_of(ids[i]), 5);
	}
	before = requests();
	assert_int_equal(ontra_transaction_act(&res, cl, ONTRA_TXN_MARK_PAID, ids, 2), 0);
	assert_int_equal(requests() - before, 2);
	assert_true(json_is_array(res));
	json_decref(res);
	assert_int_equal(status_of(ids[0]), 1);
	assert_int_equal(status_of(ids[1]), 1);
	json_decref(payer);
	json_decref(offer);
}

static void orders(void **state)
{
	ontra_transaction_options o = ONTRA_TRANSACTION_OPTIONS_INIT;
	json_t *offer = json_object(), *res = NULL, *order = NULL, *txn = NULL;
	long long t, oid;

	(void)state;
	assert_int_equal(ontra_offer_add_line(offer, cl, "Membership@29/month"), 0);
	o.offer = offer;
	o.contact_id = contact;
	o.log_only = 1;
	assert_int_equal(ontra_transaction_process(&res, cl, &o), 0);
	t = record_id(res, "invoice_id");
	json_decref(res);
	assert_int_equal(ontra_object_get(&txn, cl, ONTRA_TRANSACTION, t), 0);
	oid = record_id(txn, "order_id");
	json_decref(txn);
	assert_true(oid > 0);
	assert_int_equal(ontra_order_get(&order, cl, oid), 0);
	assert_int_equal(record_id(order, "order_id"), oid);
	json_object_set_new(order, "cc_id", json_integer(5));
	assert_int_equal(ontra_order_update(&res, cl, order), 0);
	assert_string_equal(json_string_value(json_object_get(res, "cc_id")), "5");
	json_decref(res);
	json_object_del(order, "order_id");
	assert_int_equal(ontra_order_update(&res, cl, order), ONTRA_EINVALID);
	expect_message("\"order_id\"");
	json_decref(order);
	assert_int_equal(ontra_order_get(&order, cl, 999), ONTRA_ENOTFOUND);
	assert_int_equal(ontra_order_get(&order, cl, 0), ONTRA_EINVALID);
	json_decref(offer);
	(void)member;
}

static void event_strings(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(
	    ontra_webhook_event_string(buf, sizeof buf, ONTRA_EVENT_PURCHASE_PRODUCT, 3), 0);
	assert_string_equal(buf, "purchase_product(3)");
	assert_int_equal(
	    ontra_webhook_event_string(buf, sizeof buf, ONTRA_EVENT_TRANSACTION_PRODUCT, 4), 0);
	assert_string_equal(buf, "transaction_created_with_product(4)");
	assert_int_equal(
	    ontra_webhook_event_string(buf, sizeof buf, ONTRA_EVENT_PURCHASE_PRODUCT, 0),
	    ONTRA_EINVALID);
	expect_message("invalid product id 0");
	assert_null(ontra_webhook_event_name((ontra_webhook_event)6));
}

static void event_subscribed(void **state)
{
	ontra_webhook_options w = ONTRA_WEBHOOK_OPTIONS_INIT;
	json_t *res = NULL;

	(void)state;
	w.url = "http://127.0.0.1:9/hook";
	w.event = ONTRA_EVENT_TRANSACTION_PRODUCT;
	w.target = widget;
	assert_int_equal(ontra_webhook_subscribe(&res, cl, &w), 0);
	{
		char want[64];
		snprintf(want, sizeof want, "transaction_created_with_product(%lld)", widget);
		assert_string_equal(json_string_value(json_object_get(res, "event")), want);
	}
	assert_int_equal(ontra_webhook_unsubscribe(cl, record_id(res, "id")), 0);
	json_decref(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(line_parse),
	    cmocka_unit_test(offer_check),
	    cmocka_unit_test(add_line_resolves),
	    cmocka_unit_test(offers_saved),
	    cmocka_unit_test(transactions),
	    cmocka_unit_test(mark_paid_one_a_request),
	    cmocka_unit_test(orders),
	    cmocka_unit_test(event_strings),
	    cmocka_unit_test(event_subscribed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
