/*
 * `ontraport products|offers|purchases ...`: products (create, update, get,
 * list, delete; fields checked against the account's metadata), saved offers
 * (create, update, get, list), and what contacts bought (purchases, open
 * orders). Transactions are in cmd_commerce_txn.c; what both share is here
 * (cmd_commerce.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_commerce.h"
#include "object_input.h"
#include "record_io.h"
#include "banned.h"

#define OFFER_FILE_MAX (1024 * 1024)

static const char *const product_cols[] = {"id", "name", "price", "sku", "total_purchases", NULL};
static const char *const offer_cols[] = {"id", "name", "public", NULL};
static const char *const purchase_cols[] = {"id",          "contact_id", "name",   "quantity",
                                            "total_price", "invoice_id", "status", NULL};
static const char *const open_order_cols[] = {
    "id", "contact_id", "order_id", "product_id", "payment_next_date", "payment_amount", NULL};

#define END_OPT                                                                                    \
	{                                                                                          \
		.name = NULL                                                                       \
	}

/* ---- shared (cmd_commerce.h) ---- */

int cli_commerce_named(cli_ctx *ctx, int type, const char *name_or_id, long long *out)
{
	ontra_client *c;
	int rc, lrc;

	if ((lrc = ontra_id_parse(out, name_or_id, type == ONTRA_OFFER ? "offer" : "product")) < 0)
		return cli_usage_error(ctx, "%s", ontra_error_last()->message);
	if (lrc == 1)
		return EXIT_OK;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	return (lrc = ontra_resolve(out, c, type, name_or_id)) < 0 ? cli_fail_lib(ctx, lrc)
	                                                           : EXIT_OK;
}

int cli_commerce_contact(cli_ctx *ctx, const char *id_or_email, long long *out)
{
	return cli_find_one(ctx, ONTRA_CONTACT, "email", id_or_email, "contact", "with e-mail",
	                    out);
}

static int offer_from_json(cli_ctx *ctx, const char *value, json_t **out)
{
	json_error_t jerr;
	size_t len;
	char *text = cli_value_or_file(value, OFFER_FILE_MAX, &len);

	if (!text)
		return EXIT_ERROR;
	*out = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!*out)
		return cli_usage_error(ctx, "invalid JSON in --offer at line %d, column %d: %s",
		                       jerr.line, jerr.column, jerr.text);
	if (ontra_offer_check(*out) < 0) {
		json_decref(*out);
		*out = NULL;
		return cli_error(EXIT_INVALID, "%s", ontra_error_last()->message);
	}
	return EXIT_OK;
}

int cli_commerce_offer(cli_ctx *ctx, cli_args *args, const char *what, json_t **out)
{
	size_t n, i;
	const char *const *lines = cli_list(args, "product", &n);
	const char *json = cli_value(args, "offer");
	json_t *parsed = NULL;
	ontra_client *c;
	int rc, lrc;

	*out = NULL;
	if (json && n)
		return cli_usage_error(ctx, "--offer and --product are exclusive: choose one");
	if (json)
		return offer_from_json(ctx, json, out);
	if (!n)
		return cli_usage_error(ctx, "%s needs --product LINE (or --offer JSON)", what);
	/* Every line's syntax before the first request. */
	for (i = 0; i < n; i++) {
		if (ontra_offer_line_parse(&parsed, lines[i]) < 0)
			return cli_usage_error(ctx, "%s", ontra_error_last()->message);
		json_decref(parsed);
	}
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if (!(*out = json_object()))
		return cli_error(EXIT_ERROR, "out of memory");
	for (i = 0; i < n; i++)
		if ((lrc = ontra_offer_add_line(*out, c, lines[i])) < 0) {
			json_decref(*out);
			*out = NULL;
			return cli_fail_lib(ctx, lrc);
		}
	return EXIT_OK;
}

int cli_commerce_list(cli_ctx *ctx, cli_args *args, int type, const char *const *fields,
                      const char *const *values, size_t n, const char *const *table_cols)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	json_t *cond = json_array();
	ontra_client *c;
	long long lim;
	int rc = EXIT_OK, lrc = 0;

	if (!cond)
		return cli_error(EXIT_ERROR, "out of memory");
	if (cli_value_ll(args, "limit", 1, 1LL << 40, 0, &lim) < 0) {
		json_decref(cond);
		return EXIT_USAGE;
	}
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		goto out;
	for (size_t i = 0; i < n && lrc == 0; i++)
		if (values[i])
			lrc = ontra_condition_add(cond, "AND", fields[i], "=",
			                          json_string(values[i]));
	if (lrc < 0) {
		rc = cli_fail_lib(ctx, lrc);
		goto out;
	}
	o.object_type = type;
	o.limit = (size_t)lim;
	o.condition = json_array_size(cond) ? cond : NULL;
	rc = cli_search_print(ctx, c, &o, table_cols);
out:
	json_decref(cond);
	return rc;
}

/* ---- products ---- */

static int print_reply(cli_ctx *ctx, json_t *res)
{
	int rc = cli_out_value(ctx, res) < 0 ? EXIT_ERROR : EXIT_OK;

	json_decref(res);
	return rc;
}

static int run_product_create(cli_ctx *ctx, cli_args *args)
{
	json_t *values = NULL, *res = NULL;
	ontra_client *c;
	int rc, lrc;

	if ((rc = cli_field_values(ctx, args, 0, "json", &values)) != EXIT_OK)
		return rc;
	if (!json_object_get(values, "name")) {
		json_decref(values);
		return cli_usage_error(ctx, "a product needs a name: give name=NAME");
	}
	if ((rc = cli_client(ctx, &c)) == EXIT_OK) {
		if ((lrc = ontra_object_create(&res, c, ONTRA_PRODUCT, values)) < 0)
			rc = cli_fail_lib(ctx, lrc);
		else
			rc = print_reply(ctx, res);
	}
	json_decref(values);
	return rc;
}

static int run_product_update(cli_ctx *ctx, cli_args *args)
{
	json_t *values = NULL, *res = NULL;
	ontra_client *c;
	long long id;
	int rc, lrc;

	if ((rc = cli_field_values(ctx, args, 1, "json", &values)) != EXIT_OK)
		return rc;
	if (json_object_size(values) == 0)
		rc = cli_usage_error(ctx, "nothing to change: give field=value");
	else if ((rc = cli_commerce_named(ctx, ONTRA_PRODUCT, cli_arg(args, 0), &id)) == EXIT_OK &&
	         (rc = cli_client(ctx, &c)) == EXIT_OK) {
		if ((lrc = ontra_object_update(&res, c, ONTRA_PRODUCT, id, values)) < 0)
			rc = cli_fail_lib(ctx, lrc);
		else
			rc = print_reply(ctx, res);
	}
	json_decref(values);
	return rc;
}

/* get or delete each product or offer named by the positional arguments. */
static int each_named(cli_ctx *ctx, cli_args *args, int type, int del)
{
	const char *const *cols = type == ONTRA_OFFER ? offer_cols : product_cols;
	cli_out *out = NULL;
	ontra_client *c;
	int i, rc, lrc;

	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if (!del && cli_argc(args) > 1 &&
	    !(out = cli_out_begin(ctx, ctx->format == FMT_TABLE ? cols : NULL)))
		return cli_error(EXIT_ERROR, "out of memory");
	for (i = 0; i < cli_argc(args) && rc == EXIT_OK; i++) {
		json_t *rec = NULL;
		long long id;
		if ((rc = cli_commerce_named(ctx, type, cli_arg(args, i), &id)) != EXIT_OK)
			break;
		lrc = del                   ? ontra_object_delete(c, type, id)
		      : type == ONTRA_OFFER ? ontra_offer_get(&rec, c, id)
		                            : ontra_object_get(&rec, c, type, id);
		if (lrc < 0)
			rc = cli_fail_lib(ctx, lrc);
		else if (del)
			cli_note(ctx, "deleted product %lld", id);
		else if (out ? cli_out_record(out, rec) < 0 : cli_out_value(ctx, rec) < 0)
			rc = EXIT_ERROR;
		json_decref(rec);
	}
	if (out && rc != EXIT_OK)
		cli_out_fail(out);
	if (out && cli_out_end(out) < 0 && rc == EXIT_OK)
		rc = EXIT_ERROR;
	return rc;
}

static int run_product_get(cli_ctx *ctx, cli_args *args)
{
	return each_named(ctx, args, ONTRA_PRODUCT, 0);
}

static int run_product_delete(cli_ctx *ctx, cli_args *args)
{
	return each_named(ctx, args, ONTRA_PRODUCT, 1);
}

static int run_product_list(cli_ctx *ctx, cli_args *args)
{
	return cli_list_objects(ctx, args, ONTRA_PRODUCT, product_cols);
}

static const cli_opt product_write_opts[] = {
    {.name = "json",
     .kind = CLI_VALUE,
     .arg = "JSON|@FILE",
     .help = "field values as a JSON object (name=value arguments win)"},
    END_OPT};

static const cli_opt list_opts[] = {
    {.name = "search",
     .short_name = 's',
     .kind = CLI_VALUE,
     .arg = "TEXT",
     .help = "only records containing TEXT"},
    {.name = "limit", .short_name = 'n', .kind = CLI_VALUE, .arg = "N", .help = "at most N"},
    END_OPT};

static const cli_command product_create = {
    .name = "create",
    .summary = "create a product",
    .synopsis = "name=NAME [FIELD=VALUE]... [--json JSON|@FILE]",
    .description = "Create a product (POST /objects, object type 16). Every field is checked "
                   "against the account's metadata first (names, kinds, writability): 'ontraport "
                   "fields products' lists them. Prints the new product.",
    .opts = product_write_opts,
    .examples = "ontraport products create name=Widget price=10 sku=W-1\n  a product",
    .run = run_product_create,
    .max_args = -1,
};

static const cli_command product_update = {
    .name = "update",
    .summary = "change a product's fields",
    .synopsis = "NAME|ID FIELD=VALUE... [--json JSON|@FILE]",
    .description = "Update a product given by name or id (PUT /objects), its fields checked "
                   "against the metadata. Prints the fields that changed.",
    .opts = product_write_opts,
    .examples = "ontraport products update Widget price=12.50\n  a new price",
    .run = run_product_update,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command product_get = {
    .name = "get",
    .summary = "get products by name or id",
    .synopsis = "NAME|ID...",
    .examples = "ontraport products get Widget\n  the product named Widget",
    .run = run_product_get,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command product_list = {
    .name = "list",
    .summary = "list products (id, name, price, sku, purchases)",
    .synopsis = "[--search TEXT] [--limit N]",
    .description = "List the account's products, page by page as they arrive.",
    .opts = list_opts,
    .examples = "ontraport products list -o table\n  every product",
    .run = run_product_list,
};

static const cli_command product_delete = {
    .name = "delete",
    .summary = "delete products by name or id",
    .synopsis = "NAME|ID...",
    .description = "Delete products (DELETE /object). Their past purchases and transactions "
                   "stay. A product that does not exist is an error (exit code 4).",
    .examples = "ontraport products delete Widget\n  delete the product named Widget",
    .run = run_product_delete,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command *const product_subs[] = {&product_create, &product_update, &product_get,
                                                  &product_list,   &product_delete, NULL};

const cli_command cli_cmd_products = {
    .name = "products",
    .summary = "create, update, get, list and delete products",
    .description = "Products (object type 16): what offers and transactions sell.",
    .subs = product_subs,
};

/* ---- offers ---- */

static int run_offer_write(cli_ctx *ctx, cli_args *args, int update)
{
	const char *name = update ? cli_value(args, "name") : cli_arg(args, 0);
	json_t *offer = NULL, *res = NULL;
	ontra_client *c;
	long long id = 0;
	size_t np;
	int rc, lrc;

	cli_list(args, "product", &np);
	if (update && (rc = cli_commerce_named(ctx, ONTRA_OFFER, cli_arg(args, 0), &id)) != EXIT_OK)
		return rc;
	if ((!update || np || cli_value(args, "offer")) &&
	    (rc = cli_commerce_offer(ctx, args, update ? "offers update" : "offers create",
	                             &offer)) != EXIT_OK)
		return rc;
	if (update && !name && !offer)
		return cli_usage_error(ctx, "nothing to change: give --name, --product or --offer");
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		goto out;
	lrc = update ? ontra_offer_update(&res, c, id, name, offer)
	             : ontra_offer_create(&res, c, name, offer);
	rc = lrc < 0 ? cli_fail_lib(ctx, lrc) : print_reply(ctx, res);
out:
	json_decref(offer);
	return rc;
}

static int run_offer_create(cli_ctx *ctx, cli_args *args)
{
	return run_offer_write(ctx, args, 0);
}

static int run_offer_update(cli_ctx *ctx, cli_args *args)
{
	return run_offer_write(ctx, args, 1);
}

static int run_offer_get(cli_ctx *ctx, cli_args *args)
{
	return each_named(ctx, args, ONTRA_OFFER, 0);
}

static int run_offer_list(cli_ctx *ctx, cli_args *args)
{
	return cli_list_objects(ctx, args, ONTRA_OFFER, offer_cols);
}

static const cli_opt offer_create_opts[] = {CLI_OFFER_OPTS, END_OPT};
static const cli_opt offer_update_opts[] = {
    {.name = "name", .kind = CLI_VALUE, .arg = "NAME", .help = "a new name"},
    CLI_OFFER_OPTS,
    END_OPT};

static const cli_command offer_create = {
    .name = "create",
    .summary = "save an offer: products, quantities, prices",
    .synopsis = "NAME (--product LINE... | --offer JSON|@FILE)",
    .description = "Save an offer under a name (POST /Offers): the products it sells, each "
                   "checked to exist. Prints the new offer.\n\n" CLI_OFFER_HELP,
    .opts = offer_create_opts,
    .examples = "ontraport offers create 'Starter pack' -p Widget*2 -p 'Membership@29/month'\n"
                "  two Widgets at their price, and a monthly subscription",
    .run = run_offer_create,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command offer_update = {
    .name = "update",
    .summary = "rename an offer or change what it sells",
    .synopsis = "NAME|ID [--name NAME] [--product LINE... | --offer JSON|@FILE]",
    .description = "Update a saved offer (PUT /Offers): a new name, and/or new products, which "
                   "replace the old ones.\n\n" CLI_OFFER_HELP,
    .opts = offer_update_opts,
    .examples = "ontraport offers update 'Starter pack' -p Widget*3\n  three Widgets instead",
    .run = run_offer_update,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command offer_get = {
    .name = "get",
    .summary = "get offers by name or id (with the offer decoded)",
    .synopsis = "NAME|ID...",
    .description = "Get saved offers (GET /Offer); the offer the record keeps as JSON text in "
                   "\"data\" is also shown decoded, as \"offer\".",
    .run = run_offer_get,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command offer_list = {
    .name = "list",
    .summary = "list saved offers (id, name, public)",
    .synopsis = "[--search TEXT] [--limit N]",
    .opts = list_opts,
    .run = run_offer_list,
};

static const cli_command *const offer_subs[] = {&offer_create, &offer_update, &offer_get,
                                                &offer_list, NULL};

const cli_command cli_cmd_offers = {
    .name = "offers",
    .summary = "save, update, get and list offers",
    .description = "Offers (object type 65): a named set of products with quantities and "
                   "prices, such as a transaction sells. The API has no call to delete one.",
    .subs = offer_subs,
};

/* ---- purchases and open orders ---- */

static int run_purchase_list(cli_ctx *ctx, cli_args *args, int open_orders)
{
	static const char *const fields[] = {"contact_id", "product_id", "invoice_id"};
	const char *contact = cli_value(args, "contact"), *product = cli_value(args, "product");
	const char *invoice = open_orders ? NULL : cli_value(args, "transaction");
	char cbuf[24], pbuf[24], ibuf[24];
	const char *values[3] = {NULL, NULL, NULL};
	long long id;
	int rc;

	if (contact) {
		if ((rc = cli_commerce_contact(ctx, contact, &id)) != EXIT_OK)
			return rc;
		snprintf(cbuf, sizeof cbuf, "%lld", id);
		values[0] = cbuf;
	}
	if (product) {
		if ((rc = cli_commerce_named(ctx, ONTRA_PRODUCT, product, &id)) != EXIT_OK)
			return rc;
		snprintf(pbuf, sizeof pbuf, "%lld", id);
		values[1] = pbuf;
	}
	if (invoice) {
		if ((rc = cli_one_id(ctx, invoice, "transaction", &id)) != EXIT_OK)
			return rc;
		snprintf(ibuf, sizeof ibuf, "%lld", id);
		values[2] = ibuf;
	}
	return cli_commerce_list(ctx, args, open_orders ? ONTRA_OPEN_ORDER : ONTRA_PURCHASE, fields,
	                         values, 3, open_orders ? open_order_cols : purchase_cols);
}

static int run_purchases(cli_ctx *ctx, cli_args *args)
{
	return run_purchase_list(ctx, args, 0);
}

static int run_open_orders(cli_ctx *ctx, cli_args *args)
{
	return run_purchase_list(ctx, args, 1);
}

static int get_purchase(json_t **out, ontra_client *c, long long id)
{
	return ontra_object_get(out, c, ONTRA_PURCHASE, id);
}

static int run_purchase_get(cli_ctx *ctx, cli_args *args)
{
	return cli_get_each(ctx, args, get_purchase, purchase_cols);
}

/* clang-format off */
#define FILTER_OPTS \
	{.name = "contact", .short_name = 'c', .kind = CLI_VALUE, .arg = "ID|EMAIL", .help = "only this contact's"}, \
	{.name = "product", .short_name = 'p', .kind = CLI_VALUE, .arg = "NAME|ID", .help = "only this product's"}, \
	{.name = "limit", .short_name = 'n', .kind = CLI_VALUE, .arg = "N", .help = "at most N"}
/* clang-format on */

static const cli_opt purchase_list_opts[] = {FILTER_OPTS,
                                             {.name = "transaction",
                                              .short_name = 't',
                                              .kind = CLI_VALUE,
                                              .arg = "ID",
                                              .help = "only the lines of this transaction"},
                                             END_OPT};
static const cli_opt open_order_opts[] = {FILTER_OPTS, END_OPT};

static const cli_command purchase_list = {
    .name = "list",
    .summary = "list purchases: what contacts bought, one line of a transaction each",
    .synopsis = "[--contact ID|EMAIL] [--product NAME|ID] [--transaction ID] [--limit N]",
    .description = "List purchases (object type 17), page by page as they arrive, optionally "
                   "only one contact's, one product's or one transaction's. status: 1 paid, "
                   "2 declined, 3 voided, 4 refunded, 5 written off; type: 0 one-time, "
                   "1 subscription, 2 payment plan.",
    .opts = purchase_list_opts,
    .examples = "ontraport purchases list --contact mary@example.com -o table\n"
                "  what Mary bought",
    .run = run_purchases,
};

static const cli_command purchase_get = {
    .name = "get",
    .summary = "get purchases by id",
    .synopsis = "ID...",
    .run = run_purchase_get,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command purchase_open_orders = {
    .name = "open-orders",
    .summary = "list open orders: the future charges of subscriptions and payment plans",
    .synopsis = "[--contact ID|EMAIL] [--product NAME|ID] [--limit N]",
    .description = "List open orders (object type 44), page by page as they arrive.",
    .opts = open_order_opts,
    .examples = "ontraport purchases open-orders -o table\n  every scheduled charge",
    .run = run_open_orders,
};

static const cli_command *const purchase_subs[] = {&purchase_list, &purchase_get,
                                                   &purchase_open_orders, NULL};

const cli_command cli_cmd_purchases = {
    .name = "purchases",
    .summary = "list purchases and open orders",
    .description = "What contacts bought (purchases, one per product line of a transaction) "
                   "and what they will be charged (open orders).",
    .subs = purchase_subs,
};
