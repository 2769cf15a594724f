/*
 * The pick-lists the modules' "Select" fields need: object types, tags,
 * sequences, campaigns (forms: cmd_forms.c; a type's fields: cmd_fields.c).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "object_input.h"
#include "record_io.h"
#include "banned.h"

static int run_object_types(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"id", "name", "fields", NULL};
	ontra_client *c;
	json_t *types = NULL, *t;
	cli_out *o;
	size_t i;
	int rc, lrc;

	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_object_types(&types, c)) < 0)
		return cli_fail_lib(ctx, lrc);
	o = cli_out_begin(ctx, cols);
	json_array_foreach(types, i, t) cli_out_record(o, t);
	rc = cli_out_end(o) < 0 ? EXIT_ERROR : EXIT_OK;
	json_decref(types);
	return rc;
}

/* Stream every object of a fixed type, as a pick-list. */
int cli_list_type(cli_ctx *ctx, cli_args *args, int type, const char *const *cols)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	ontra_client *c;
	long long lim;
	int rc;

	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if (cli_value_ll(args, "limit", 1, 1LL << 40, 0, &lim) < 0)
		return EXIT_USAGE;
	o.object_type = type;
	o.limit = (size_t)lim;
	o.search = cli_value(args, "search");
	rc = cli_search_print(ctx, c, &o, cols);
	return rc;
}

static int run_tags(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"tag_id", "tag_name", "object_type_id", NULL};
	return cli_list_type(ctx, args, ONTRA_TAG, cols);
}

static int run_sequences(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"id", "name", NULL};
	return cli_list_type(ctx, args, ONTRA_SEQUENCE, cols);
}

static int run_campaigns(cli_ctx *ctx, cli_args *args)
{
	/* subs: subscribers now; pause: 0 live, 1 paused (REFERENCE-MORE §M7). */
	static const char *const cols[] = {"id", "name", "subs", "subs_ever", "pause", NULL};
	return cli_list_type(ctx, args, ONTRA_CAMPAIGN, cols);
}

const cli_opt cli_list_opts[] = {
    {.name = "search",
     .short_name = 's',
     .kind = CLI_VALUE,
     .arg = "TEXT",
     .help = "only those containing TEXT"},
    {.name = "limit", .short_name = 'n', .kind = CLI_VALUE, .arg = "N", .help = "at most N"},
    {.name = NULL}};
const cli_command cli_cmd_object_types = {
    .name = "object-types",
    .summary = "list the account's object types (with custom objects)",
    .synopsis = "",
    .description =
        "List every object type of the account, custom objects included, with its id: the "
        "names and numbers --type accepts.",
    .run = run_object_types,
};

#define LIST_GROUP(var, cname, what, type_runner)                                                  \
	static const cli_command var##_list = {.name = "list",                                     \
	                                       .summary = "list " what,                            \
	                                       .synopsis = "[--search TEXT] [--limit N]",          \
	                                       .opts = cli_list_opts,                              \
	                                       .run = type_runner};                                \
	static const cli_command *const var##_subs[] = {&var##_list, NULL};                        \
	const cli_command var = {.name = cname, .summary = "list " what, .subs = var##_subs};

LIST_GROUP(cli_cmd_tags, "tags", "tags (id and name)", run_tags)
LIST_GROUP(cli_cmd_sequences, "sequences", "sequences (id and name)", run_sequences)
LIST_GROUP(cli_cmd_campaigns, "campaigns",
           "campaigns, i.e. automations (id, name, subscribers, paused)", run_campaigns)
