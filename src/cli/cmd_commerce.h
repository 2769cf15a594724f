/*
 * What the commerce commands share (cmd_commerce.c: products, offers,
 * purchases; cmd_commerce_txn.c: transactions): records named by name or id,
 * a contact by id or e-mail, an offer from --product lines or --offer JSON,
 * and streaming a type's records that match field = value clauses. Each
 * prints its own error and returns an exit code.
 */
#ifndef CLI_CMD_COMMERCE_H
#define CLI_CMD_COMMERCE_H

#include "cli.h"

/* A product or offer (type) given by name or id, resolved through the library. */
int cli_commerce_named(cli_ctx *ctx, int type, const char *name_or_id, long long *out);

/* A contact given by id, or by its exact e-mail address (one search; none or two: an error). */
int cli_commerce_contact(cli_ctx *ctx, const char *id_or_email, long long *out);

/*
 * The offer of --product LINE (repeatable, ontra_offer_line_parse's syntax, each
 * product resolved and read) or --offer JSON|@FILE (exclusive); *out new. With
 * neither: a usage error naming `what`.
 */
int cli_commerce_offer(cli_ctx *ctx, cli_args *args, const char *what, json_t **out);

/*
 * Stream every record of type whose fields equal the values given: fields[i] =
 * values[i] for the i < n whose value is not NULL; --limit from args.
 */
int cli_commerce_list(cli_ctx *ctx, cli_args *args, int type, const char *const *fields,
                      const char *const *values, size_t n, const char *const *table_cols);

/* The --product and --offer options. */
/* clang-format off */
#define CLI_OFFER_OPTS \
	{.name = "product", .short_name = 'p', .kind = CLI_LIST, .arg = "LINE", .help = "a product line: NAME|ID[*QTY][@PRICE[/UNIT[/PAYMENTS]]] (repeatable)"}, \
	{.name = "offer", .kind = CLI_VALUE, .arg = "JSON|@FILE", .help = "the whole offer as the API takes it, instead of --product"}

#define CLI_OFFER_HELP \
	"A product line is NAME|ID[*QUANTITY][@PRICE[/UNIT[/PAYMENTS]]]: the product by name or id " \
	"(it must exist), how many (default 1), the price of one (default the product's price); a " \
	"UNIT (day, week, month, quarter or year) makes it a subscription charged every UNIT, and " \
	"PAYMENTS (2 to 1000) a payment plan of that many payments of PRICE. Widget*2@9.50 is two " \
	"Widgets at 9.50; Membership@29/month a monthly subscription; Course@100/month/3 three " \
	"monthly payments of 100."
/* clang-format on */

#endif
