/*
 * `ontraport webhooks`: the account's webhook subscriptions (object type
 * 145), whoever made them: list, get, subscribe, unsubscribe.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "subscriptions.h"
#include "record_io.h"
#include "object_input.h"
#include "banned.h"

static const char *const cols[] = {"id", "event", "data", "url", "last_hook", "last_code", NULL};

static int write_record(json_t *obj, void *out)
{
	return cli_out_record(out, obj) < 0;
}

static int run_list(cli_ctx *ctx, cli_args *args)
{
	ontra_client *c;
	cli_out *o;
	int rc, lrc;

	(void)args;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	o = cli_out_begin(ctx, ctx->format == FMT_TABLE || ctx->format == FMT_CSV ? cols : NULL);
	lrc = ontra_webhook_list(c, write_record, o);
	rc = lrc < 0 ? cli_fail_lib(ctx, lrc) : EXIT_OK;
	if (rc != EXIT_OK)
		cli_out_fail(o);
	if (cli_out_end(o) < 0 && rc == EXIT_OK)
		rc = EXIT_ERROR;
	return rc;
}

static int run_get(cli_ctx *ctx, cli_args *args)
{
	return cli_get_each(ctx, args, ontra_webhook_get, cols);
}

static int run_subscribe(cli_ctx *ctx, cli_args *args)
{
	ontra_webhook_options o = ONTRA_WEBHOOK_OPTIONS_INIT;
	cli_hooks hooks;
	ontra_client *c;
	cli_out *out;
	size_t i;
	int rc, lrc = 0;

	o.url = cli_value(args, "url");
	if (!o.url)
		return cli_usage_error(ctx,
		                       "missing --url URL: where Ontraport should post the events");
	if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
	    (rc = cli_hooks_from_args(ctx, args, &hooks)) != EXIT_OK)
		return rc;
	o.format = hooks.format;
	out = cli_out_begin(ctx, NULL);
	for (i = 0; i < hooks.n && lrc == 0; i++) {
		json_t *reply = NULL;
		o.event = hooks.v[i].event;
		o.target = hooks.v[i].target;
		if ((lrc = ontra_webhook_subscribe(&reply, c, &o)) < 0) {
			rc = cli_fail_lib(ctx, lrc);
			cli_out_fail(out);
		} else if (cli_ids_as_text(reply), cli_out_record(out, reply) < 0)
			rc = EXIT_ERROR;
		json_decref(reply);
	}
	if (cli_out_end(out) < 0 && rc == EXIT_OK)
		rc = EXIT_ERROR;
	cli_hooks_release(&hooks);
	return rc;
}

static int run_unsubscribe(cli_ctx *ctx, cli_args *args)
{
	long long *ids = NULL;
	size_t n = 0, i;
	ontra_client *c;
	int rc, lrc;

	if ((rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args), (size_t)cli_argc(args),
	                        &ids, &n)) != EXIT_OK)
		return rc;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK) {
		free(ids);
		return rc;
	}
	for (i = 0; i < n; i++) {
		if ((lrc = ontra_webhook_unsubscribe(c, ids[i])) < 0) {
			int code = cli_fail_lib(ctx, lrc);
			if (rc == EXIT_OK)
				rc = code;
			continue;
		}
		cli_note(ctx, "unsubscribed webhook %lld", ids[i]);
	}
	free(ids);
	return rc;
}

static const cli_opt subscribe_opts[] = {{.name = "url",
                                          .kind = CLI_VALUE,
                                          .arg = "URL",
                                          .help = "where to post: an http:// or https:// URL"},
                                         CLI_HOOK_OPTS,
                                         {.name = NULL}};

static const cli_command cmd_list = {
    .name = "list",
    .summary = "list the account's webhook subscriptions",
    .synopsis = "",
    .description =
        "List every webhook subscription of the account, whoever made it: its id, event "
        "(object_create(0), sub_tag(3), ...), data format, URL, and the time, HTTP status and "
        "body of the last delivery.",
    .examples = "ontraport webhooks list -o table\n  the subscriptions, one a row",
    .run = run_list,
};

static const cli_command cmd_get = {
    .name = "get",
    .summary = "show webhook subscriptions by id",
    .synopsis = "ID...",
    .run = run_get,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command cmd_subscribe = {
    .name = "subscribe",
    .summary = "subscribe a URL to events",
    .synopsis = "--url URL [--event EVENT]... [--type TYPE] "
                "[--tag NAME|ID]... [--form ID|NAME]... [--product NAME|ID]... "
                "[--data-format FORMAT]",
    .description =
        "Subscribe a URL to events (POST /Webhook/subscribe), one subscription per event and tag, "
        "form or product; each reply is printed. 'ontraport watch' does this for its own receiver; "
        "this "
        "command is for a receiver of your own.",
    .opts = subscribe_opts,
    .examples =
        "ontraport webhooks subscribe --url https://hooks.example/op -e tagged --tag 3\n"
        "  post to hooks.example whenever tag 3 is added\n"
        "ontraport webhooks subscribe --url https://hooks.example/op -e purchased --product "
        "Widget\n  post each purchase of the product Widget",
    .run = run_subscribe,
};

static const cli_command cmd_unsubscribe = {
    .name = "unsubscribe",
    .summary = "remove webhook subscriptions by id",
    .synopsis = "ID...",
    .description =
        "Remove subscriptions (DELETE /Webhook/unsubscribe), such as those an 'ontraport watch "
        "--keep' left behind. An id that does not exist is an error (exit code 4); the others are "
        "still removed.",
    .examples = "ontraport webhooks unsubscribe 3 4\n  remove subscriptions 3 and 4",
    .run = run_unsubscribe,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command *const subs[] = {&cmd_list, &cmd_get, &cmd_subscribe, &cmd_unsubscribe,
                                          NULL};

const cli_command cli_cmd_webhooks = {
    .name = "webhooks",
    .summary = "list and manage webhook subscriptions",
    .description =
        "The account's webhook subscriptions (REFERENCE §8.1). 'ontraport watch' subscribes and "
        "unsubscribes its own; these commands see and change all of them.",
    .subs = subs,
};
