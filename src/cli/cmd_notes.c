/*
 * ontraport notes: add a note to an object and list an object's notes. Notes
 * are object type 12 (REFERENCE-MORE §M4): `contact_id` the object, `data`
 * the text, `object_type_id` its type. Both commands are the generic object
 * calls of the library (ontra_object_create, ontra_search with a condition).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_commerce.h"
#include "object_input.h"
#include "record_io.h"
#include "banned.h"

/* The object the note is about: --type (default contacts) and an id, or a
 * contact's e-mail. The object must exist (one GET) when `check` is set. */
static int note_object(cli_ctx *ctx, cli_args *args, int check, int *type, long long *id)
{
	ontra_client *c;
	json_t *rec = NULL;
	int rc, lrc;

	if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
	    (rc = cli_type(ctx, c, cli_value(args, "type"), type)) != EXIT_OK)
		return rc;
	if (*type == ONTRA_CONTACT)
		rc = cli_commerce_contact(ctx, cli_arg(args, 0), id);
	else if ((lrc = ontra_id_parse(id, cli_arg(args, 0), "object")) < 0)
		rc = cli_usage_error(ctx, "%s", ontra_error_last()->message);
	else if (lrc == 0)
		rc = cli_usage_error(ctx, "invalid object id '%s': expected a whole number",
		                     cli_arg(args, 0));
	if (rc != EXIT_OK || !check)
		return rc;
	if ((lrc = ontra_object_get(&rec, c, *type, *id)) < 0)
		return cli_fail_lib(ctx, lrc);
	json_decref(rec);
	return EXIT_OK;
}

static int run_add(cli_ctx *ctx, cli_args *args)
{
	const char *text = cli_arg(args, 1);
	ontra_client *c;
	json_t *values, *res = NULL;
	long long id;
	int type, rc, lrc;

	if (!*text)
		return cli_usage_error(ctx, "empty note: give the note's text");
	if ((rc = note_object(ctx, args, 1, &type, &id)) != EXIT_OK ||
	    (rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	values = json_pack("{sI s:s sI}", "contact_id", (json_int_t)id, "data", text,
	                   "object_type_id", (json_int_t)type);
	if (!values)
		return cli_error(EXIT_ERROR, "out of memory");
	lrc = ontra_object_create(&res, c, ONTRA_NOTE, values);
	rc =
	    lrc < 0 ? cli_fail_lib(ctx, lrc) : (cli_out_value(ctx, res) < 0 ? EXIT_ERROR : EXIT_OK);
	json_decref(values);
	json_decref(res);
	return rc;
}

static int run_list(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"id", "time", "author", "data", NULL};
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	ontra_client *c;
	json_t *cond = NULL;
	long long id, lim;
	int type, rc;

	if (cli_value_ll(args, "limit", 1, 1LL << 40, 0, &lim) < 0)
		return EXIT_USAGE;
	if ((rc = note_object(ctx, args, 0, &type, &id)) != EXIT_OK ||
	    (rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if (!(cond = json_array()) ||
	    ontra_condition_add(cond, NULL, "contact_id", "=", json_integer(id)) < 0 ||
	    ontra_condition_add(cond, "AND", "object_type_id", "=", json_integer(type)) < 0) {
		json_decref(cond);
		return cli_error(EXIT_ERROR, "out of memory");
	}
	o.object_type = ONTRA_NOTE;
	o.condition = cond;
	o.limit = (size_t)lim;
	rc = cli_search_print(ctx, c, &o, cols);
	json_decref(cond);
	return rc;
}

/* A macro, not a const object: C does not take an object as another's initializer (gcc allows it).
 */
#define TYPE_OPT                                                                                   \
	{                                                                                          \
		.name = "type", .short_name = 't', .kind = CLI_VALUE, .arg = "TYPE",               \
		.help = "the object's type: a name or number (default contacts)"                   \
	}
static const cli_opt add_opts[] = {TYPE_OPT, {.name = NULL}};
static const cli_opt list_opts[] = {
    TYPE_OPT,
    {.name = "limit", .short_name = 'n', .kind = CLI_VALUE, .arg = "N", .help = "at most N"},
    {.name = NULL}};

static const cli_command notes_add = {
    .name = "add",
    .summary = "add a note to an object",
    .synopsis = "[--type TYPE] ID|EMAIL TEXT",
    .description = "Add a note (object type 12) to the object ID of --type, or to the contact "
                   "with that exact e-mail. The object must exist (exit 4). Prints the note "
                   "created.",
    .opts = add_opts,
    .examples = "ontraport notes add mary@example.com \"Called back, wants a quote\"\n"
                "  a note on Mary's contact record",
    .run = run_add,
    .min_args = 2,
    .max_args = 2,
};

static const cli_command notes_list = {
    .name = "list",
    .summary = "list an object's notes",
    .synopsis = "[--type TYPE] [--limit N] ID|EMAIL",
    .description = "List the notes of the object ID of --type, or of the contact with that "
                   "exact e-mail, page by page as they arrive, oldest first.",
    .opts = list_opts,
    .examples = "ontraport notes list mary@example.com -o table\n  Mary's notes",
    .run = run_list,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command *const notes_subs[] = {&notes_add, &notes_list, NULL};

const cli_command cli_cmd_notes = {
    .name = "notes",
    .summary = "add and list the notes of an object",
    .description = "Notes are free text kept on a record (object type 12): a call's summary, a "
                   "reminder. Add one, or list an object's notes.",
    .subs = notes_subs,
};
