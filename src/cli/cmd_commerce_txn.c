/*
 * `ontraport transactions ...`: charge a contact or log a sale (POST
 * /transaction/processManual), refund, void, write off, mark paid, rerun,
 * resend the invoice, get and list transactions, and get and change the
 * order of a subscription or payment plan.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_commerce.h"
#include "object_input.h"
#include "record_io.h"
#include "util.h"
#include "banned.h"

#define JSON_FILE_MAX (1024 * 1024)

static const char *const txn_cols[] = {"id",     "contact_id", "contact_name", "date", "total",
                                       "status", NULL};

/* Transaction statuses (REFERENCE-MORE §M2.4), as --status takes them. */
static const char *const statuses[] = {"unpaid", "paid",     "refunded",    "partially-refunded",
                                       "void",   "declined", "written-off", "pending"};
#define NSTATUS (sizeof statuses / sizeof *statuses)

#define END_OPT                                                                                    \
	{                                                                                          \
		.name = NULL                                                                       \
	}

/* A JSON object option (text or @FILE); *out new, NULL when absent. */
static int json_object_opt(cli_ctx *ctx, cli_args *args, const char *name, json_t **out)
{
	const char *v = cli_value(args, name);
	json_error_t jerr;
	size_t len;
	char *text;

	*out = NULL;
	if (!v)
		return EXIT_OK;
	if (!(text = cli_value_or_file(v, JSON_FILE_MAX, &len)))
		return EXIT_ERROR;
	*out = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return cli_usage_error(ctx, "invalid --%s: expected a JSON object (%s)", name,
		                       jerr.text[0] ? jerr.text : "not an object");
	}
	return EXIT_OK;
}

/* --date: Unix seconds or YYYY-MM-DD[ HH:MM[:SS]] (UTC). */
static int date_opt(cli_ctx *ctx, cli_args *args, long long *out)
{
	const char *v = cli_value(args, "date");

	*out = 0;
	if (!v)
		return EXIT_OK;
	if (util_parse_ll(v, 1, ONTRA_ID_MAX / 1000, out) == 0 || util_parse_utc_date(v, out) == 0)
		return EXIT_OK;
	return cli_usage_error(ctx,
	                       "invalid --date '%s': expected YYYY-MM-DD[ HH:MM[:SS]] (UTC) or "
	                       "Unix seconds",
	                       v);
}

static int run_process(cli_ctx *ctx, cli_args *args, int log_only)
{
	ontra_transaction_options o = ONTRA_TRANSACTION_OPTIONS_INIT;
	json_t *offer = NULL, *payer = NULL, *billing = NULL, *res = NULL;
	const char *contact = cli_value(args, "contact");
	long long gateway = 0, card = 0;
	ontra_client *c;
	size_t np;
	int rc, lrc;

	if (!contact)
		return cli_usage_error(ctx, "missing --contact ID|EMAIL: who pays");
	if (!log_only && (cli_value_ll(args, "gateway", 1, ONTRA_ID_MAX, 0, &gateway) < 0 ||
	                  cli_value_ll(args, "card-id", 1, ONTRA_ID_MAX, 0, &card) < 0))
		return EXIT_USAGE;
	if (!log_only && !gateway)
		return cli_usage_error(ctx, "missing --gateway ID: the gateway that charges");
	if (!cli_list(args, "product", &np) && !np && !cli_value(args, "offer"))
		return cli_usage_error(ctx, "%s needs --product LINE (or --offer JSON)",
		                       log_only ? "transactions log" : "transactions charge");
	if ((rc = (log_only ? date_opt(ctx, args, &o.trans_date) : EXIT_OK)) != EXIT_OK ||
	    (!log_only && (rc = json_object_opt(ctx, args, "payer", &payer)) != EXIT_OK) ||
	    (rc = json_object_opt(ctx, args, "billing", &billing)) != EXIT_OK ||
	    (rc = cli_commerce_contact(ctx, contact, &o.contact_id)) != EXIT_OK ||
	    (rc = cli_commerce_offer(ctx, args,
	                             log_only ? "transactions log" : "transactions charge",
	                             &offer)) != EXIT_OK ||
	    (rc = cli_client(ctx, &c)) != EXIT_OK)
		goto out;
	o.offer = offer;
	o.log_only = log_only;
	o.gateway_id = gateway;
	o.cc_id = card;
	o.payer = payer;
	o.billing_address = billing;
	o.external_order_id = cli_value(args, "external-order-id");
	o.invoice_template = cli_flag(args, "no-invoice") ? ONTRA_INVOICE_NONE : 0;
	if ((lrc = ontra_transaction_process(&res, c, &o)) < 0) {
		rc = cli_fail_lib(ctx, lrc);
		goto out;
	}
	rc = cli_out_value(ctx, res) < 0 ? EXIT_ERROR : EXIT_OK;
out:
	json_decref(res);
	json_decref(offer);
	json_decref(payer);
	json_decref(billing);
	return rc;
}

static int run_charge(cli_ctx *ctx, cli_args *args)
{
	return run_process(ctx, args, 0);
}

static int run_log(cli_ctx *ctx, cli_args *args)
{
	return run_process(ctx, args, 1);
}

static int get_txn(json_t **out, ontra_client *c, long long id)
{
	return ontra_object_get(out, c, ONTRA_TRANSACTION, id);
}

/* An action on the ids given; then each transaction as it now is. */
static int run_act(cli_ctx *ctx, cli_args *args, ontra_transaction_op op, const char *done)
{
	long long *ids = NULL;
	ontra_client *c;
	size_t n;
	int rc, lrc;

	if ((rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args), (size_t)cli_argc(args),
	                        &ids, &n)) != EXIT_OK)
		return rc;
	if ((rc = cli_client(ctx, &c)) == EXIT_OK) {
		if ((lrc = ontra_transaction_act(NULL, c, op, ids, n)) < 0)
			rc = cli_fail_lib(ctx, lrc);
		else {
			cli_note(ctx, "%s %zu transaction%s", done, n, n == 1 ? "" : "s");
			rc = cli_get_each(ctx, args, get_txn, txn_cols);
		}
	}
	free(ids);
	return rc;
}

static int run_refund(cli_ctx *ctx, cli_args *args)
{
	return run_act(ctx, args, ONTRA_TXN_REFUND, "refunded");
}
static int run_void(cli_ctx *ctx, cli_args *args)
{
	return run_act(ctx, args, ONTRA_TXN_VOID, "voided");
}
static int run_write_off(cli_ctx *ctx, cli_args *args)
{
	return run_act(ctx, args, ONTRA_TXN_WRITE_OFF, "wrote off");
}
static int run_mark_paid(cli_ctx *ctx, cli_args *args)
{
	return run_act(ctx, args, ONTRA_TXN_MARK_PAID, "marked paid");
}
static int run_rerun(cli_ctx *ctx, cli_args *args)
{
	return run_act(ctx, args, ONTRA_TXN_RERUN, "reran");
}
static int run_resend(cli_ctx *ctx, cli_args *args)
{
	return run_act(ctx, args, ONTRA_TXN_RESEND_INVOICE, "resent the invoice of");
}

static int run_get(cli_ctx *ctx, cli_args *args)
{
	return cli_get_each(ctx, args, get_txn, txn_cols);
}

static int run_list(cli_ctx *ctx, cli_args *args)
{
	static const char *const fields[] = {"contact_id", "status"};
	const char *contact = cli_value(args, "contact"), *status = cli_value(args, "status");
	const char *values[2] = {NULL, NULL};
	char cbuf[24], sbuf[8];
	long long id;
	size_t i;
	int rc;

	if (status) {
		for (i = 0; i < NSTATUS && !util_strieq(status, statuses[i]); i++)
			;
		if (i == NSTATUS) {
			const char *near = util_nearest(status, statuses, NSTATUS);
			return cli_usage_error(
			    ctx,
			    "invalid --status '%s': expected unpaid, paid, refunded, "
			    "partially-refunded, void, declined, written-off or "
			    "pending%s%s%s",
			    status, near ? " (did you mean '" : "", near ? near : "",
			    near ? "'?)" : "");
		}
		snprintf(sbuf, sizeof sbuf, "%zu", i);
		values[1] = sbuf;
	}
	if (contact) {
		if ((rc = cli_commerce_contact(ctx, contact, &id)) != EXIT_OK)
			return rc;
		snprintf(cbuf, sizeof cbuf, "%lld", id);
		values[0] = cbuf;
	}
	return cli_commerce_list(ctx, args, ONTRA_TRANSACTION, fields, values, 2, txn_cols);
}

static int run_order(cli_ctx *ctx, cli_args *args)
{
	json_t *res = NULL;
	ontra_client *c;
	long long id;
	int rc, lrc;

	if ((rc = cli_one_id(ctx, cli_arg(args, 0), "order", &id)) != EXIT_OK ||
	    (rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_order_get(&res, c, id)) < 0)
		return cli_fail_lib(ctx, lrc);
	rc = cli_out_value(ctx, res) < 0 ? EXIT_ERROR : EXIT_OK;
	json_decref(res);
	return rc;
}

/* The order as it is, with --card-id and the new products (if given) put in. */
static int changed_order(cli_ctx *ctx, cli_args *args, json_t *order)
{
	json_t *offer = NULL;
	long long card;
	size_t np;
	int rc;

	if (cli_value_ll(args, "card-id", 1, ONTRA_ID_MAX, 0, &card) < 0)
		return EXIT_USAGE;
	cli_list(args, "product", &np);
	if (!card && !np && !cli_value(args, "offer"))
		return cli_usage_error(ctx,
		                       "nothing to change: give --card-id, --product or --offer");
	if (card)
		json_object_set_new(order, "cc_id", json_integer(card));
	if ((np || cli_value(args, "offer")) &&
	    (rc = cli_commerce_offer(ctx, args, "transactions order-update", &offer)) != EXIT_OK)
		return rc;
	if (offer)
		json_object_set(order, "products", json_object_get(offer, "products"));
	json_decref(offer);
	return EXIT_OK;
}

static int run_order_update(cli_ctx *ctx, cli_args *args)
{
	json_t *order = NULL, *res = NULL;
	ontra_client *c;
	long long id;
	int rc, lrc;

	if ((rc = cli_one_id(ctx, cli_arg(args, 0), "order", &id)) != EXIT_OK ||
	    (rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_order_get(&order, c, id)) < 0)
		return cli_fail_lib(ctx, lrc);
	if ((rc = changed_order(ctx, args, order)) == EXIT_OK) {
		if ((lrc = ontra_order_update(&res, c, order)) < 0)
			rc = cli_fail_lib(ctx, lrc);
		else
			rc = cli_out_value(ctx, res) < 0 ? EXIT_ERROR : EXIT_OK;
	}
	json_decref(order);
	json_decref(res);
	return rc;
}

/* clang-format off */
#define SALE_OPTS \
	{.name = "contact", .short_name = 'c', .kind = CLI_VALUE, .arg = "ID|EMAIL", .help = "the contact who pays (required)"}, \
	CLI_OFFER_OPTS, \
	{.name = "billing", .kind = CLI_VALUE, .arg = "JSON|@FILE", .help = "billing address {address, city, state, zip, country}"}, \
	{.name = "external-order-id", .kind = CLI_VALUE, .arg = "TEXT", .help = "your own order id, saved on the transaction"}, \
	{.name = "no-invoice", .kind = CLI_FLAG, .help = "send no invoice e-mail"}
/* clang-format on */

static const cli_opt charge_opts[] = {
    SALE_OPTS,
    {.name = "gateway",
     .short_name = 'g',
     .kind = CLI_VALUE,
     .arg = "ID",
     .help = "the payment gateway's id (required)"},
    {.name = "card-id",
     .kind = CLI_VALUE,
     .arg = "ID",
     .help = "a card on file (default: --payer, else the default card)"},
    {.name = "payer",
     .kind = CLI_VALUE,
     .arg = "JSON|@FILE",
     .help = "a new card {ccnumber, code, expire_month, expire_year} (@- reads stdin)"},
    END_OPT};

static const cli_opt log_opts[] = {
    SALE_OPTS,
    {.name = "date",
     .kind = CLI_VALUE,
     .arg = "DATE",
     .help = "when the sale was made: YYYY-MM-DD[ HH:MM[:SS]] (UTC) or Unix seconds"},
    END_OPT};

static const cli_opt list_opts[] = {
    {.name = "contact",
     .short_name = 'c',
     .kind = CLI_VALUE,
     .arg = "ID|EMAIL",
     .help = "only this contact's"},
    {.name = "status",
     .kind = CLI_VALUE,
     .arg = "STATUS",
     .help = "only unpaid, paid, refunded, partially-refunded, void, declined, written-off or "
             "pending ones"},
    {.name = "limit", .short_name = 'n', .kind = CLI_VALUE, .arg = "N", .help = "at most N"},
    END_OPT};

static const cli_opt order_update_opts[] = {
    {.name = "card-id", .kind = CLI_VALUE, .arg = "ID", .help = "charge this card from now on"},
    CLI_OFFER_OPTS,
    END_OPT};

static const cli_command cmd_charge = {
    .name = "charge",
    .summary = "charge a contact for products through a gateway",
    .synopsis = "--contact ID|EMAIL --gateway ID (--product LINE... | --offer JSON|@FILE) "
                "[--card-id ID | --payer JSON|@FILE] [options]",
    .description =
        "Charge a contact now (POST /transaction/processManual, chargeNow). The contact may be "
        "given by e-mail; each product must exist. The transaction, one purchase per product, and "
        "for subscriptions and payment plans an order with its open orders are made; the "
        "purchased and transaction-created events fire. Never repeated once sent (a repeat could "
        "charge twice): exit code 10 says it may or may not have happened. Prints the reply: "
        "invoice_id is the transaction's id.\n\n" CLI_OFFER_HELP,
    .opts = charge_opts,
    .examples = "ontraport transactions charge -c mary@example.com -g 1 -p Widget*2 --card-id 3\n"
                "  charge Mary's card 3 for two Widgets",
    .run = run_charge,
};

static const cli_command cmd_log = {
    .name = "log",
    .summary = "record a sale made elsewhere (no charge)",
    .synopsis = "--contact ID|EMAIL (--product LINE... | --offer JSON|@FILE) [--date DATE] "
                "[options]",
    .description = "Log a sale that was paid outside Ontraport (POST "
                   "/transaction/processManual, chargeLog): no gateway, no card. The records and "
                   "events are as for a charge.\n\n" CLI_OFFER_HELP,
    .opts = log_opts,
    .examples = "ontraport transactions log -c mary@example.com -p 'Widget@9.50' --date "
                "2026-01-31 --external-order-id WC-991\n  a shop order paid elsewhere",
    .run = run_log,
};

#define ACTION(var, verb, what, api, fn)                                                           \
	static const cli_command var = {                                                           \
	    .name = verb,                                                                          \
	    .summary = what,                                                                       \
	    .synopsis = "ID...",                                                                   \
	    .description = "Transactions by id (" api "); then each is printed as it now is. "     \
	                   "A transaction in a status the action does not apply to is refused, "   \
	                   "and nothing changes.",                                                 \
	    .run = fn,                                                                             \
	    .min_args = 1,                                                                         \
	    .max_args = -1,                                                                        \
	}

ACTION(cmd_refund, "refund", "refund paid transactions", "PUT /transaction/refund", run_refund);
ACTION(cmd_void, "void", "void transactions not yet settled", "PUT /transaction/void", run_void);
ACTION(cmd_write_off, "write-off", "stop collecting unpaid or declined transactions",
       "PUT /transaction/writeOff", run_write_off);
ACTION(cmd_mark_paid, "mark-paid", "mark transactions paid outside the gateway",
       "PUT /transaction/markPaid, one a request", run_mark_paid);
ACTION(cmd_rerun, "rerun", "charge declined transactions again",
       "POST /transaction/rerun; never repeated once sent", run_rerun);
ACTION(cmd_resend, "resend-invoice", "e-mail the invoices again",
       "POST /transaction/resendInvoice; never repeated once sent", run_resend);

static const cli_command cmd_get = {
    .name = "get",
    .summary = "get transactions by id",
    .synopsis = "ID...",
    .run = run_get,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command cmd_list = {
    .name = "list",
    .summary = "list transactions (id, contact, date, total, status)",
    .synopsis = "[--contact ID|EMAIL] [--status STATUS] [--limit N]",
    .description = "List transactions (object type 46), page by page as they arrive. status: "
                   "0 unpaid, 1 paid, 2 refunded, 3 partially refunded, 4 void, 5 declined, "
                   "6 written off, 7 pending.",
    .opts = list_opts,
    .examples = "ontraport transactions list --status paid -o table\n  the paid ones",
    .run = run_list,
};

static const cli_command cmd_order = {
    .name = "order",
    .summary = "get the order of a subscription or payment plan",
    .synopsis = "ID",
    .description = "The order (GET /transaction/order) as an offer: its products, card, next "
                   "payment date and status. ID is the order's id (a transaction's order_id).",
    .run = run_order,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command cmd_order_update = {
    .name = "order-update",
    .summary = "change an order's card or products",
    .synopsis = "ID [--card-id ID] [--product LINE... | --offer JSON|@FILE]",
    .description = "Read the order, change its card and/or replace its products, and send it "
                   "back (PUT /transaction/order). Prints the order record.\n\n" CLI_OFFER_HELP,
    .opts = order_update_opts,
    .run = run_order_update,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command *const txn_subs[] = {
    &cmd_charge,    &cmd_log,          &cmd_refund, &cmd_void, &cmd_write_off,
    &cmd_mark_paid, &cmd_rerun,        &cmd_resend, &cmd_get,  &cmd_list,
    &cmd_order,     &cmd_order_update, NULL};

const cli_command cli_cmd_transactions = {
    .name = "transactions",
    .summary = "charge, log, refund, void, write off, mark paid, rerun; orders",
    .description = "Transactions (invoices, object type 46): make them, act on them, read them, "
                   "and change the orders of subscriptions and payment plans.",
    .subs = txn_subs,
};
