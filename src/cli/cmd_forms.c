/*
 * ontraport forms and ontraport landing-pages (REFERENCE-MORE §M6): the
 * records (forms 122, landing pages 20) as lists, the form blocks, a form's
 * HTML and a landing page's hosted URL. Forms and landing pages are named by
 * id or exact name (ontra_resolve).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "banned.h"

/* A form or landing page given by id (no request) or exact name (one search). */
static int named(cli_ctx *ctx, int type, const char *name_or_id, long long *out)
{
	const char *what = type == ONTRA_FORM ? "form" : "landing page";
	ontra_client *c;
	int rc, lrc;

	if ((lrc = ontra_id_parse(out, name_or_id, what)) < 0)
		return cli_usage_error(ctx, "%s", ontra_error_last()->message);
	if (lrc == 1)
		return EXIT_OK;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	return (lrc = ontra_resolve(out, c, type, name_or_id)) < 0 ? cli_fail_lib(ctx, lrc)
	                                                           : EXIT_OK;
}

/* Text from the API on stdout, one line; made visible on a terminal. */
static int print_text(const char *text)
{
	char *shown = isatty(STDOUT_FILENO) ? cli_visible_lines(text) : NULL;
	int rc = printf("%s\n", shown ? shown : text) < 0 ? EXIT_ERROR : EXIT_OK;

	free(shown);
	return rc;
}

static int run_forms_list(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"form_id", "formname", "type", "fillouts", NULL};
	return cli_list_type(ctx, args, ONTRA_FORM, cols);
}

typedef struct block_out {
	cli_out *out;
	int failed;
} block_out;

static int write_block(const char *block_id, const char *formname, void *ud)
{
	block_out *b = ud;
	json_t *rec = json_pack("{s:s s:s}", "block_id", block_id, "formname", formname);

	b->failed = !rec || cli_out_record(b->out, rec) < 0;
	json_decref(rec);
	return b->failed;
}

/* The blocks of the form or landing page called name. */
static int blocks_of(cli_ctx *ctx, ontra_client *c, const char *name)
{
	json_t *ids = NULL, *id;
	cli_out *out;
	size_t i;
	int rc = EXIT_OK, lrc;

	if ((lrc = ontra_form_block_ids(&ids, c, name)) < 0)
		return cli_fail_lib(ctx, lrc);
	out = cli_out_begin(ctx, NULL);
	json_array_foreach(ids, i, id)
	{
		json_t *rec = json_pack("{s:O}", "block_id", id);
		if (!rec || cli_out_record(out, rec) < 0)
			rc = EXIT_ERROR;
		json_decref(rec);
	}
	if (cli_out_end(out) < 0)
		rc = EXIT_ERROR;
	json_decref(ids);
	return rc;
}

static int run_forms_blocks(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"block_id", "formname", NULL};
	block_out b = {NULL, 0};
	ontra_client *c;
	long long lim;
	int rc, lrc;

	if (cli_value_ll(args, "limit", 1, 1LL << 40, 0, &lim) < 0)
		return EXIT_USAGE;
	if (cli_argc(args) == 1 && !*cli_arg(args, 0))
		return cli_usage_error(ctx, "empty name: give a form's or landing page's name");
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if (cli_argc(args) == 1)
		return blocks_of(ctx, c, cli_arg(args, 0));
	b.out = cli_out_begin(ctx, ctx->format == FMT_TABLE ? cols : NULL);
	lrc = ontra_form_blocks(c, (size_t)lim, write_block, &b);
	rc = b.failed ? EXIT_ERROR : lrc < 0 ? cli_fail_lib(ctx, lrc) : EXIT_OK;
	if (rc != EXIT_OK)
		cli_out_fail(b.out);
	if (cli_out_end(b.out) < 0 && rc == EXIT_OK)
		rc = EXIT_ERROR;
	return rc;
}

static int run_forms_html(cli_ctx *ctx, cli_args *args)
{
	ontra_client *c;
	long long id;
	char *html = NULL;
	int rc, lrc;

	if ((rc = named(ctx, ONTRA_FORM, cli_arg(args, 0), &id)) != EXIT_OK ||
	    (rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_form_html(&html, c, id)) < 0)
		return cli_fail_lib(ctx, lrc);
	rc = print_text(html);
	ontra_free(html);
	return rc;
}

static int run_pages_list(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"id", "name", "domain", "uri_id", NULL};
	return cli_list_type(ctx, args, ONTRA_LANDING_PAGE, cols);
}

static int run_pages_url(cli_ctx *ctx, cli_args *args)
{
	ontra_client *c;
	long long id;
	char *url = NULL;
	int rc, lrc;

	if ((rc = named(ctx, ONTRA_LANDING_PAGE, cli_arg(args, 0), &id)) != EXIT_OK ||
	    (rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_landing_page_url(&url, c, id)) < 0)
		return cli_fail_lib(ctx, lrc);
	rc = print_text(url);
	ontra_free(url);
	return rc;
}

static const cli_opt blocks_opts[] = {
    {.name = "limit", .short_name = 'n', .kind = CLI_VALUE, .arg = "N", .help = "at most N"},
    {.name = NULL}};

static const cli_command forms_list = {
    .name = "list",
    .summary = "list forms (id, name, type, fillouts)",
    .synopsis = "[--search TEXT] [--limit N]",
    .description = "List the account's forms (object type 122) with every field of their "
                   "records, page by page as they arrive. type is 10 for a SmartForm, 11 for an "
                   "ONTRAform.",
    .opts = cli_list_opts,
    .examples = "ontraport forms list -o table\n  the forms",
    .run = run_forms_list,
};

static const cli_command forms_blocks = {
    .name = "blocks",
    .summary = "list form blocks, or the blocks of one form or landing page",
    .synopsis = "[--limit N] [NAME]",
    .description = "Without NAME, list every form block of the account (block_id, formname), "
                   "50 a request. With NAME, list the block ids of the form or landing page of "
                   "that exact name (exit 4 when there is none). A block id (f1) is what a "
                   "form-submitted webhook or rule names.",
    .opts = blocks_opts,
    .examples = "ontraport forms blocks -o table\n  every form block\n"
                "ontraport forms blocks \"Contact Us\"\n  the blocks of one form",
    .run = run_forms_blocks,
    .max_args = 1,
};

static const cli_command forms_html = {
    .name = "html",
    .summary = "print a form's HTML",
    .synopsis = "ID|NAME",
    .description = "Print the HTML of the form given by id or exact name, as the API gives it "
                   "(GET /form): a SmartForm's markup, or an ONTRAform's embed script. The text "
                   "is printed as is, not as JSON, so it can be saved to a file.",
    .examples = "ontraport forms html \"Contact Us\" > contact.html\n  save a form's HTML",
    .run = run_forms_html,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command *const forms_subs[] = {&forms_list, &forms_blocks, &forms_html, NULL};

const cli_command cli_cmd_forms = {
    .name = "forms",
    .summary = "list forms and form blocks, print a form's HTML",
    .description = "Forms (object type 122) collect contacts' details on pages. List them, "
                   "their blocks (the ids webhooks and rules name), or print one's HTML.",
    .subs = forms_subs,
};

static const cli_command pages_list = {
    .name = "list",
    .summary = "list landing pages (id, name, domain)",
    .synopsis = "[--search TEXT] [--limit N]",
    .description = "List the account's landing pages (object type 20), page by page as they "
                   "arrive.",
    .opts = cli_list_opts,
    .examples = "ontraport landing-pages list -o table\n  the landing pages",
    .run = run_pages_list,
};

static const cli_command pages_url = {
    .name = "url",
    .summary = "print a landing page's hosted URL",
    .synopsis = "ID|NAME",
    .description = "Print the hosted URL of the landing page given by id or exact name "
                   "(GET /landingPage/getHostedURL), one line, not JSON.",
    .examples = "ontraport landing-pages url \"Spring Sale\"\n  where the page is served",
    .run = run_pages_url,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command *const pages_subs[] = {&pages_list, &pages_url, NULL};

const cli_command cli_cmd_landing_pages = {
    .name = "landing-pages",
    .summary = "list landing pages, print a hosted URL",
    .description = "Landing pages (object type 20) are the account's hosted pages. List them, "
                   "or print where one is served.",
    .subs = pages_subs,
};
