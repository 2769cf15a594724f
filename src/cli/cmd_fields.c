/*
 * ontraport fields: list a type's fields from the metadata, and the field
 * editor (REFERENCE-MORE §M5): create, update and delete custom fields, list
 * and delete sections. Through ontra_fields, ontra_fields_create,
 * ontra_fields_update, ontra_field_delete, ontra_field_section_delete and
 * ontra_field_sections; the library checks every field against the metadata
 * before sending and invalidates it after a change, so the next command
 * sees the new field.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "object_input.h"
#include "banned.h"

static int run_fields(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"field",  "alias",    "type",    "required",
	                                   "unique", "editable", "options", NULL};
	ontra_client *c;
	const json_t *fields;
	const char *name;
	json_t *def;
	cli_out *o;
	int type, rc, lrc;

	if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
	    (rc = cli_type(ctx, c, cli_value(args, "type"), &type)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_fields(&fields, c, type)) < 0)
		return cli_fail_lib(ctx, lrc);
	o = cli_out_begin(ctx, ctx->format == FMT_TABLE || ctx->format == FMT_CSV ? cols : NULL);
	json_object_foreach((json_t *)fields, name, def)
	{
		json_t *rec = json_object();
		const char *k;
		json_t *v;
		json_object_set_new(rec, "field", json_string(name));
		json_object_foreach(def, k, v) json_object_set(rec, k, v);
		cli_out_record(o, rec);
		json_decref(rec);
	}
	return cli_out_end(o) < 0 ? EXIT_ERROR : EXIT_OK;
}

/* The client and the --type of a field editor command. */
static int setup(cli_ctx *ctx, cli_args *args, ontra_client **c, int *type)
{
	int rc;

	if ((rc = cli_client(ctx, c)) != EXIT_OK)
		return rc;
	return cli_type(ctx, *c, cli_value(args, "type"), type);
}

/* yes/no (or 1/0) for --required / --unique of update; -1 when not given. */
static int yes_no(cli_ctx *ctx, cli_args *args, const char *opt, int *out)
{
	const char *v = cli_value(args, opt);

	*out = -1;
	if (!v)
		return EXIT_OK;
	if (!strcmp(v, "yes") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "no") || !strcmp(v, "0"))
		*out = 0;
	else
		return cli_usage_error(ctx, "invalid --%s '%s': expected yes or no", opt, v);
	return EXIT_OK;
}

/* The fields made or changed, {"f1500": "Shoe size"}, as records {field, alias}. */
static int print_result(cli_ctx *ctx, json_t *res)
{
	static const char *const cols[] = {"field", "alias", NULL};
	cli_out *o = cli_out_begin(ctx, cols);
	const char *k;
	json_t *v;

	json_object_foreach(res, k, v)
	{
		json_t *rec = json_pack("{s:s, s:O}", "field", k, "alias", v);
		cli_out_record(o, rec);
		json_decref(rec);
	}
	json_decref(res);
	return cli_out_end(o) < 0 ? EXIT_ERROR : EXIT_OK;
}

static int run_create(cli_ctx *ctx, cli_args *args)
{
	ontra_field_spec s = ONTRA_FIELD_SPEC_INIT;
	ontra_client *c;
	json_t *res = NULL;
	long long col;
	int type, rc, lrc;

	if (cli_value_ll(args, "column", 1, 3, 1, &col) < 0)
		return EXIT_USAGE;
	s.alias = cli_value(args, "name");
	s.kind = cli_value(args, "kind");
	s.required = cli_flag(args, "required") > 0;
	s.unique = cli_flag(args, "unique") > 0;
	s.column = (int)col - 1;
	s.options = cli_list(args, "option", &s.options_count);
	s.options_op = s.options_count ? ONTRA_OPTIONS_ADD : ONTRA_OPTIONS_NONE;
	if (!cli_value(args, "section") || !s.alias || !s.kind)
		return cli_usage_error(ctx, "fields create needs --section, --name and --kind");
	if ((rc = setup(ctx, args, &c, &type)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_fields_create(&res, c, type, cli_value(args, "section"),
	                               cli_value(args, "description"), &s, 1)) < 0)
		return cli_fail_lib(ctx, lrc);
	return print_result(ctx, res);
}

/* --option (replace), --add-option, --remove-option: one of them at most. */
static int options_op(cli_ctx *ctx, cli_args *args, ontra_field_spec *s)
{
	static const struct {
		const char *opt;
		ontra_field_options_op op;
	} ops[] = {{"option", ONTRA_OPTIONS_REPLACE},
	           {"add-option", ONTRA_OPTIONS_ADD},
	           {"remove-option", ONTRA_OPTIONS_REMOVE}};
	size_t n, i;

	for (i = 0; i < sizeof ops / sizeof *ops; i++) {
		const char *const *l = cli_list(args, ops[i].opt, &n);
		if (!n)
			continue;
		if (s->options_op != ONTRA_OPTIONS_NONE)
			return cli_usage_error(ctx, "give one of --option, --add-option and "
			                            "--remove-option");
		s->options_op = ops[i].op;
		s->options = l;
		s->options_count = n;
	}
	return EXIT_OK;
}

static int run_update(cli_ctx *ctx, cli_args *args)
{
	ontra_field_spec s = ONTRA_FIELD_SPEC_INIT;
	ontra_client *c;
	json_t *res = NULL;
	const char *desc = cli_value(args, "description");
	int type, rc, lrc;

	if (!cli_value(args, "section"))
		return cli_usage_error(ctx, "fields update needs --section");
	s.field = cli_value(args, "field");
	s.alias = cli_value(args, "name");
	s.kind = cli_value(args, "kind");
	if ((rc = yes_no(ctx, args, "required", &s.required)) != EXIT_OK ||
	    (rc = yes_no(ctx, args, "unique", &s.unique)) != EXIT_OK ||
	    (rc = options_op(ctx, args, &s)) != EXIT_OK)
		return rc;
	if (!s.field && !desc)
		return cli_usage_error(ctx, "fields update needs --field (or only --description)");
	if ((rc = setup(ctx, args, &c, &type)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_fields_update(&res, c, type, cli_value(args, "section"), desc, &s,
	                               s.field ? 1 : 0)) < 0)
		return cli_fail_lib(ctx, lrc);
	return print_result(ctx, res);
}

static int run_delete(cli_ctx *ctx, cli_args *args)
{
	const char *field = cli_value(args, "field"), *section = cli_value(args, "section");
	ontra_client *c;
	int type, rc, lrc;

	if (!field == !section)
		return cli_usage_error(ctx,
		                       "fields delete needs --field or --section (one of them)");
	if ((rc = setup(ctx, args, &c, &type)) != EXIT_OK)
		return rc;
	lrc = field ? ontra_field_delete(c, type, field)
	            : ontra_field_section_delete(c, type, section);
	if (lrc < 0)
		return cli_fail_lib(ctx, lrc);
	cli_note(ctx, "deleted %s '%s'", field ? "field" : "section", field ? field : section);
	return EXIT_OK;
}

static int run_sections(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"section", "column",   "field",  "alias",
	                                   "type",    "required", "unique", NULL};
	ontra_client *c;
	json_t *secs = NULL, *sec, *f;
	cli_out *o;
	size_t i, j;
	int type, rc, lrc;

	if ((rc = setup(ctx, args, &c, &type)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_field_sections(&secs, c, type, cli_value(args, "section"))) < 0)
		return cli_fail_lib(ctx, lrc);
	o = cli_out_begin(ctx, ctx->format == FMT_TABLE || ctx->format == FMT_CSV ? cols : NULL);
	json_array_foreach(secs, i, sec)
	{
		json_t *fields = json_object_get(sec, "fields");
		if (!json_array_size(fields)) { /* an empty section is a row too */
			json_t *rec =
			    json_pack("{s:O, s:O}", "section", json_object_get(sec, "name"),
			              "section_id", json_object_get(sec, "id"));
			cli_out_record(o, rec);
			json_decref(rec);
		}
		json_array_foreach(fields, j, f)
		{
			json_t *rec =
			    json_pack("{s:O, s:O}", "section", json_object_get(sec, "name"),
			              "section_id", json_object_get(sec, "id"));
			const char *k;
			json_t *v;
			json_object_foreach(f, k, v) json_object_set_new(
			    rec, k,
			    !strcmp(k, "column") ? json_integer(json_integer_value(v) + 1)
			                         : json_incref(v));
			cli_out_record(o, rec);
			json_decref(rec);
		}
	}
	json_decref(secs);
	return cli_out_end(o) < 0 ? EXIT_ERROR : EXIT_OK;
}

#define TYPE_OPT                                                                                   \
	{                                                                                          \
		.name = "type", .short_name = 't', .kind = CLI_VALUE, .arg = "TYPE",               \
		.help = "object type: a name or number (default contacts)"                         \
	}

static const cli_opt fields_opts[] = {TYPE_OPT, {.name = NULL}};

static const cli_opt create_opts[] = {
    TYPE_OPT,
    {.name = "section",
     .kind = CLI_VALUE,
     .arg = "NAME",
     .help = "the section to put it in (made when missing)"},
    {.name = "name", .kind = CLI_VALUE, .arg = "LABEL", .help = "the field's label"},
    {.name = "kind",
     .kind = CLI_VALUE,
     .arg = "KIND",
     .help = "text, longtext, email, phone, sms, numeric, price, check, drop, list, fulldate, "
             "country, state or address"},
    {.name = "option",
     .kind = CLI_LIST,
     .arg = "LABEL",
     .help = "an option of a drop or list field (repeat)"},
    {.name = "required", .kind = CLI_FLAG, .help = "a value is required"},
    {.name = "unique", .kind = CLI_FLAG, .help = "values must be unique"},
    {.name = "column",
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "the section's column, 1-3 (default 1)"},
    {.name = "description", .kind = CLI_VALUE, .arg = "TEXT", .help = "the section's description"},
    {.name = NULL}};

static const cli_opt update_opts[] = {
    TYPE_OPT,
    {.name = "section", .kind = CLI_VALUE, .arg = "NAME", .help = "the section (must exist)"},
    {.name = "field",
     .kind = CLI_VALUE,
     .arg = "FIELD",
     .help = "the field to change: its name (f1500) or label"},
    {.name = "name", .kind = CLI_VALUE, .arg = "LABEL", .help = "a new label"},
    {.name = "kind",
     .kind = CLI_VALUE,
     .arg = "KIND",
     .help = "longtext (from text: the only change)"},
    {.name = "option",
     .kind = CLI_LIST,
     .arg = "LABEL",
     .help = "the options become these (repeat)"},
    {.name = "add-option", .kind = CLI_LIST, .arg = "LABEL", .help = "add an option (repeat)"},
    {.name = "remove-option",
     .kind = CLI_LIST,
     .arg = "LABEL",
     .help = "remove an option (repeat)"},
    {.name = "required", .kind = CLI_VALUE, .arg = "yes|no", .help = "a value is required"},
    {.name = "unique", .kind = CLI_VALUE, .arg = "yes|no", .help = "values must be unique"},
    {.name = "description", .kind = CLI_VALUE, .arg = "TEXT", .help = "the section's description"},
    {.name = NULL}};

static const cli_opt delete_opts[] = {
    TYPE_OPT,
    {.name = "field",
     .kind = CLI_VALUE,
     .arg = "FIELD",
     .help = "the custom field to delete: its name (f1500) or label"},
    {.name = "section", .kind = CLI_VALUE, .arg = "NAME", .help = "the empty section to delete"},
    {.name = NULL}};

static const cli_opt sections_opts[] = {
    TYPE_OPT,
    {.name = "section", .kind = CLI_VALUE, .arg = "NAME", .help = "only this section"},
    {.name = NULL}};

static const cli_command cmd_create = {
    .name = "create",
    .summary = "create a custom field",
    .synopsis = "--section NAME --name LABEL --kind KIND [--option LABEL]... [options]",
    .description =
        "Create a custom field of a type in a section of the field editor (the section is made "
        "when missing). Drop and list fields take their options with --option. The label must be "
        "new for the type. Prints the new field's name (f1500) and label; 'ontraport fields', "
        "create and update take it at once.",
    .opts = create_opts,
    .examples = "ontraport fields create --section Extra --name \"Shoe size\" --kind numeric\n"
                "  a number field on contacts\n"
                "ontraport fields create -t contacts --section Extra --name Size --kind drop "
                "--option S --option M\n"
                "  a drop-down with two options",
    .run = run_create,
};

static const cli_command cmd_update = {
    .name = "update",
    .summary = "change a custom field (label, options, required, unique)",
    .synopsis = "--section NAME --field FIELD [options]",
    .description =
        "Change a custom field of a section: its label, the options of a drop or list field "
        "(--add-option, --remove-option, or --option to replace them all; one of the three), "
        "whether it is required or unique, or its kind from text to longtext. With only "
        "--description, change the section's description. Built-in fields cannot be changed.",
    .opts = update_opts,
    .examples = "ontraport fields update --section Extra --field Size --add-option L\n"
                "  one more option",
    .run = run_update,
};

static const cli_command cmd_delete = {
    .name = "delete",
    .summary = "delete a custom field, or an empty section",
    .synopsis = "--field FIELD | --section NAME [--type TYPE]",
    .description = "Delete a custom field (and every record's value of it), or a section that "
                   "has no fields left. Built-in fields cannot be deleted.",
    .opts = delete_opts,
    .examples = "ontraport fields delete --field \"Shoe size\"\n  by its label",
    .run = run_delete,
};

static const cli_command cmd_sections = {
    .name = "sections",
    .summary = "list the field editor's sections and their fields",
    .synopsis = "[--type TYPE] [--section NAME]",
    .description = "List the sections of a type as the field editor shows them: one row per "
                   "field, with its section, column (1-3), name, label and kind; an empty "
                   "section is a row of its own.",
    .opts = sections_opts,
    .run = run_sections,
};

static const cli_command *const fields_subs[] = {&cmd_create, &cmd_update, &cmd_delete,
                                                 &cmd_sections, NULL};

const cli_command cli_cmd_fields = {
    .name = "fields",
    .summary = "list, create, change and delete the fields of an object type",
    .synopsis = "[--type TYPE]",
    .description =
        "List the fields of a type, from the account's metadata: name, label (alias), kind, and "
        "the options of drop-down and list fields. These are the names create, update and --where "
        "take. The commands below change custom fields through the field editor; the metadata "
        "follows at once.",
    .opts = fields_opts,
    .examples = "ontraport fields --type contacts -o table\n  the contact fields",
    .run = run_fields,
    .subs = fields_subs,
};
