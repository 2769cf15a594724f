/*
 * ontraport sandbox fire purchase|form: make the sandbox act as if a customer
 * bought on an order form or a visitor filled in a form -- what happens
 * outside the API -- through its control API (POST /_sandbox/purchases/fire,
 * /_sandbox/forms/submit), so the records change and the webhooks go out as a
 * real purchase or form fill would send them. Names (contacts by e-mail,
 * products and forms by name) are resolved through the API first.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_commerce.h"
#include "object_input.h"
#include "banned.h"

#define TOKEN_MAX 256

/* The control token: --control-token-file, else ONTRAPORT_SANDBOX_CONTROL_TOKEN, else
 * ONTRAPORT_SANDBOX_TOKEN (the line the sandbox prints). Never from the command line. */
static int control_token(cli_ctx *ctx, cli_args *args, char *buf, size_t n)
{
	const char *file = cli_value(args, "control-token-file"), *v;
	char *text = NULL;
	size_t len = 0;

	if (file) {
		if (!(text = cli_read_file(file, TOKEN_MAX * 4, &len)))
			return EXIT_ERROR;
		text[strcspn(text, "\r\n")] = '\0';
		v = text;
	} else {
		v = getenv("ONTRAPORT_SANDBOX_CONTROL_TOKEN");
		if (!v || !*v)
			v = getenv("ONTRAPORT_SANDBOX_TOKEN");
	}
	if (!v || !*v || strlen(v) >= n) {
		free(text);
		return cli_usage_error(ctx,
		                       "%s: give the sandbox's control token with "
		                       "--control-token-file or ONTRAPORT_SANDBOX_CONTROL_TOKEN",
		                       v && *v ? "control token too long" : "no control token");
	}
	memcpy(buf, v, strlen(v) + 1);
	free(text);
	return EXIT_OK;
}

/* POST body (borrowed) to the control API path of the sandbox the connection points
 * at (its base URL without the trailing /1), and print the reply. */
static int control_post(cli_ctx *ctx, cli_args *args, const char *path, const json_t *body)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *hdr = NULL;
	ontra_response *resp = NULL;
	ontra_client *c, *cc = NULL;
	char token[TOKEN_MAX], root[1024];
	const char *base, *slash;
	json_t *reply = NULL;
	int rc, lrc;

	if ((rc = control_token(ctx, args, token, sizeof token)) != EXIT_OK ||
	    (rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	base = ontra_client_base_url(c);
	slash = strrchr(base, '/');
	if (!slash || (size_t)(slash - base) >= sizeof root)
		return cli_usage_error(ctx, "invalid base URL '%s': expected the sandbox's .../1",
		                       base);
	memcpy(root, base, (size_t)(slash - base));
	root[slash - base] = '\0';
	/* The control API ignores the API key pair: send none of the connection's. */
	if ((rc = cli_client_for(ctx, root, "sandbox-control", "none", &cc)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_params_new(&hdr)) == 0 &&
	    (lrc = ontra_params_add(hdr, "X-Sandbox-Token", token)) == 0) {
		req.method = "POST";
		req.path = path;
		req.headers = hdr;
		req.json = body;
		req.retry = ONTRA_RETRY_NEVER;
		lrc = ontra_send(&resp, cc, &req);
	}
	if (lrc < 0) {
		rc = cli_fail_lib(ctx, lrc);
	} else if (ontra_response_status(resp) / 100 != 2) {
		const char *text = ontra_response_body(resp, NULL);
		rc = cli_error(cli_exit_code(ontra_response_status(resp) == 401   ? ONTRA_EAUTH
		                             : ontra_response_status(resp) == 404 ? ONTRA_ENOTFOUND
		                                                                  : ONTRA_EINVALID),
		               "the sandbox refused: %.*s", (int)strcspn(text, "\r\n"), text);
	} else if (!(reply = json_loads(ontra_response_body(resp, NULL), 0, NULL))) {
		rc = cli_error(EXIT_BADRESPONSE, "the sandbox's reply is not JSON");
	} else {
		rc = cli_out_value(ctx, reply) < 0 ? EXIT_ERROR : EXIT_OK;
	}
	json_decref(reply);
	ontra_response_free(resp);
	ontra_params_free(hdr);
	ontra_client_free(cc);
	return rc;
}

/* purchase CONTACT PRODUCT...: one logged sale of every product, --quantity each. */
static int fire_purchase(cli_ctx *ctx, cli_args *args)
{
	json_t *body, *lines;
	long long contact, product, qty;
	int rc, i;

	if (cli_argc(args) < 3)
		return cli_usage_error(ctx,
		                       "missing arguments: expected purchase CONTACT PRODUCT...");
	if (cli_value_ll(args, "quantity", 1, 100000, 1, &qty) < 0)
		return EXIT_USAGE;
	if ((rc = cli_commerce_contact(ctx, cli_arg(args, 1), &contact)) != EXIT_OK)
		return rc;
	if (!(lines = json_array()))
		return cli_error(EXIT_ERROR, "out of memory");
	for (i = 2; i < cli_argc(args); i++) {
		if ((rc = cli_commerce_named(ctx, ONTRA_PRODUCT, cli_arg(args, i), &product)) !=
		    EXIT_OK) {
			json_decref(lines);
			return rc;
		}
		json_array_append_new(lines, json_pack("{s:I, s:I}", "id", (json_int_t)product,
		                                       "quantity", (json_int_t)qty));
	}
	body = json_pack("{s:I, s:o}", "contact_id", (json_int_t)contact, "products", lines);
	rc = body ? control_post(ctx, args, "/_sandbox/purchases/fire", body)
	          : cli_error(EXIT_ERROR, "out of memory");
	json_decref(body);
	return rc;
}

/* form FORM [field=value...]: a fill of the form by the visitor those values describe. */
static int fire_form(cli_ctx *ctx, cli_args *args)
{
	ontra_client *c;
	json_t *values = NULL;
	long long form;
	int type, rc, lrc;

	if (cli_argc(args) < 2)
		return cli_usage_error(ctx,
		                       "missing arguments: expected form FORM [FIELD=VALUE...]");
	if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
	    (rc = cli_type(ctx, c, cli_value(args, "type"), &type)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_id_parse(&form, cli_arg(args, 1), "form")) < 0)
		return cli_usage_error(ctx, "%s", ontra_error_last()->message);
	if (lrc == 0 && (lrc = ontra_resolve(&form, c, ONTRA_FORM, cli_arg(args, 1))) < 0)
		return cli_fail_lib(ctx, lrc);
	if ((rc = cli_field_values(ctx, args, 2, NULL, &values)) != EXIT_OK)
		return rc;
	if (json_object_set_new(values, "form_id", json_integer(form)) < 0 ||
	    json_object_set_new(values, "objectID", json_integer(type)) < 0)
		rc = cli_error(EXIT_ERROR, "out of memory");
	else
		rc = control_post(ctx, args, "/_sandbox/forms/submit", values);
	json_decref(values);
	return rc;
}

static int run_fire(cli_ctx *ctx, cli_args *args)
{
	const char *kind = cli_arg(args, 0);

	if (!strcmp(kind, "purchase"))
		return fire_purchase(ctx, args);
	if (!strcmp(kind, "form"))
		return fire_form(ctx, args);
	return cli_usage_error(ctx, "unknown event '%s': expected purchase or form", kind);
}

static const cli_opt fire_opts[] = {
    {.name = "quantity",
     .short_name = 'q',
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "purchase: how many of each product (default 1)"},
    {.name = "type",
     .short_name = 't',
     .kind = CLI_VALUE,
     .arg = "TYPE",
     .help = "form: the type of the record the form saves (default contacts)"},
    {.name = "control-token-file",
     .kind = CLI_VALUE,
     .arg = "FILE",
     .help = "read the sandbox's control token from FILE (or ONTRAPORT_SANDBOX_CONTROL_TOKEN)"},
    {.name = NULL}};

const cli_command cli_cmd_sandbox_fire = {
    .name = "fire",
    .summary = "simulate a purchase or a form fill in the sandbox",
    .synopsis = "purchase CONTACT PRODUCT... | form FORM [FIELD=VALUE...]",
    .description =
        "Make the running sandbox act as if something happened outside the API, through its "
        "control API, so records change and webhooks go out as a real event would send them. "
        "'purchase' records a paid sale of each PRODUCT (id or name) to CONTACT (id or e-mail): "
        "the transaction, the purchases, the product and contact totals, and the "
        "purchase_product and transaction_created_with_product webhooks. 'form' fills in FORM "
        "(id or name) with the FIELD=VALUE pairs: the record with that email is updated, else "
        "one is created (object_create), then object_submits_form fires and the form's "
        "fillouts count goes up. The control token comes from --control-token-file, "
        "ONTRAPORT_SANDBOX_CONTROL_TOKEN or ONTRAPORT_SANDBOX_TOKEN (what the sandbox prints). "
        "Prints the sandbox's reply.",
    .opts = fire_opts,
    .examples = "ontraport sandbox fire purchase mary@example.com \"Gold Plan\"\n"
                "  Mary buys the Gold Plan; purchase webhooks go out\n"
                "ontraport sandbox fire form \"Contact Us\" firstname=Ann email=ann@example.com\n"
                "  Ann fills in the Contact Us form",
    .run = run_fire,
    .min_args = 1,
    .max_args = -1,
};
