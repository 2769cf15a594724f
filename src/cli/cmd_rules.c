/*
 * `ontraport rules ...`: the "Create a Rule" and "Update a Rule"
 * modules, get, list, pause and unpause, a local check, and the catalogue
 * of the rule language so rules can be written without the web app.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record_io.h"
#include "object_input.h"
#include "banned.h"

static const char *const table_cols[] = {"id", "name", "pause", "object_type_id", "events", NULL};

struct parts_text {
	char *events, *conditions, *actions;
};

static void parts_text_free(struct parts_text *t)
{
	free(t->events);
	free(t->conditions);
	free(t->actions);
}

/* Read --events/--conditions/--actions (each may be @FILE) and --object-type. */
static int parts_from_args(cli_ctx *ctx, cli_args *args, struct parts_text *t, int *type)
{
	int rc;

	if ((rc = cli_text_opt(ctx, args, "events", &t->events)) != EXIT_OK ||
	    (rc = cli_text_opt(ctx, args, "conditions", &t->conditions)) != EXIT_OK ||
	    (rc = cli_text_opt(ctx, args, "actions", &t->actions)) != EXIT_OK)
		return rc;
	return cli_object_type_opt(ctx, cli_value(args, "object-type"), type);
}

static int run_write(cli_ctx *ctx, cli_args *args, int update)
{
	ontra_rule_options o = ONTRA_RULE_OPTIONS_INIT;
	struct parts_text t = {NULL, NULL, NULL};
	ontra_client *c;
	json_t *res = NULL;
	int rc, lrc, type, pause = cli_flag(args, "pause") > 0;
	int unpause = update ? cli_flag(args, "unpause") > 0 : 0;

	if (update && (rc = cli_one_id(ctx, cli_arg(args, 0), "rule", &o.id)) != EXIT_OK)
		return rc;
	if (pause && unpause)
		return cli_usage_error(ctx, "give --pause or --unpause, not both");
	if ((rc = parts_from_args(ctx, args, &t, &type)) != EXIT_OK)
		goto out;
	if (type >= 0)
		o.object_type = ONTRA_TYPE_GIVEN(type);
	o.name = cli_value(args, "name");
	o.tags = cli_value(args, "tags");
	o.events = t.events;
	o.conditions = t.conditions;
	o.actions = t.actions;
	o.pause = pause ? ONTRA_PAUSE : (unpause ? ONTRA_UNPAUSE : 0);
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		goto out;
	lrc = update ? ontra_rule_update(&res, c, &o) : ontra_rule_create(&res, c, &o);
	if (lrc < 0) {
		rc = cli_fail_lib(ctx, lrc);
		goto out;
	}
	rc = cli_out_value(ctx, res) < 0 ? EXIT_ERROR : EXIT_OK;
out:
	json_decref(res);
	parts_text_free(&t);
	return rc;
}

static int run_create(cli_ctx *ctx, cli_args *args)
{
	return run_write(ctx, args, 0);
}

static int run_update(cli_ctx *ctx, cli_args *args)
{
	return run_write(ctx, args, 1);
}

static int run_get(cli_ctx *ctx, cli_args *args)
{
	return cli_get_each(ctx, args, ontra_rule_get, table_cols);
}

static int run_list(cli_ctx *ctx, cli_args *args)
{
	return cli_list_objects(ctx, args, ONTRA_RULE, table_cols);
}

static int run_pausing(cli_ctx *ctx, cli_args *args, ontra_pause_op op)
{
	long long *ids = NULL;
	ontra_client *c;
	size_t n;
	int rc, lrc;

	if ((rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args), (size_t)cli_argc(args),
	                        &ids, &n)) != EXIT_OK)
		return rc;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		goto out;
	if ((lrc = ontra_rule_pause(c, ids, n, op)) < 0) {
		rc = cli_fail_lib(ctx, lrc);
		goto out;
	}
	cli_note(ctx, "%s %zu rule%s", op == ONTRA_PAUSE ? "paused" : "unpaused", n,
	         n == 1 ? "" : "s");
out:
	free(ids);
	return rc;
}

static int run_pause(cli_ctx *ctx, cli_args *args)
{
	return run_pausing(ctx, args, ONTRA_PAUSE);
}

static int run_unpause(cli_ctx *ctx, cli_args *args)
{
	return run_pausing(ctx, args, ONTRA_UNPAUSE);
}

/* `rules check`: the library's checks, no request; prints the canonical parts. */
static int run_check(cli_ctx *ctx, cli_args *args)
{
	static const char *const keys[] = {"events", "conditions", "actions"};
	struct parts_text t = {NULL, NULL, NULL};
	const char *texts[3];
	json_t *res = NULL;
	int type = -1, rc, i;

	if ((rc = parts_from_args(ctx, args, &t, &type)) != EXIT_OK)
		goto out;
	texts[0] = t.events;
	texts[1] = t.conditions;
	texts[2] = t.actions;
	if (!texts[0] && !texts[1] && !texts[2]) {
		rc = cli_usage_error(ctx, "give --events, --conditions or --actions to check");
		goto out;
	}
	res = json_object();
	for (i = 0; i < 3 && res; i++) {
		char *canon = NULL;
		int lrc;
		if (!texts[i])
			continue;
		lrc = ontra_rule_check(&canon, (ontra_rule_part)i, texts[i], type < 0 ? 0 : type);
		if (lrc < 0) {
			rc = cli_fail_lib(ctx, lrc);
			goto out;
		}
		json_object_set_new(res, keys[i], json_string(canon));
		ontra_free(canon);
	}
	if (!res) {
		rc = cli_error(EXIT_ERROR, "out of memory");
		goto out;
	}
	rc = cli_out_value(ctx, res) < 0 ? EXIT_ERROR : EXIT_OK;
out:
	json_decref(res);
	parts_text_free(&t);
	return rc;
}

/* ---- the catalogue ---- */

static json_t *def_record(const ontra_rule_def *d)
{
	json_t *rec = json_object(), *args = json_array();
	char sig[1024];
	size_t i, w;

	if (!rec || !args) {
		json_decref(rec);
		json_decref(args);
		return NULL;
	}
	w = (size_t)snprintf(sig, sizeof sig, "%s(", d->name);
	for (i = 0; i < d->nargs; i++) {
		const ontra_rule_arg *a = &d->args[i];
		json_t *ja = json_pack("{s:s, s:s}", "name", a->name, "kind", "");
		const char *values = a->values;
		const char *kind;
		switch (a->kind) {
		case ONTRA_RULE_ARG_ID:
			kind = "id";
			break;
		case ONTRA_RULE_ARG_NUMBER:
			kind = "number";
			break;
		case ONTRA_RULE_ARG_AMOUNT:
			kind = "amount";
			break;
		case ONTRA_RULE_ARG_UNITS:
			kind = "units";
			values = "0 days, 1 weeks, 2 months";
			break;
		case ONTRA_RULE_ARG_OPTION:
			kind = "option";
			break;
		case ONTRA_RULE_ARG_CONDITIONAL:
			kind = "conditional";
			values = "see 'rules catalogue values'";
			break;
		case ONTRA_RULE_ARG_DATE_CONDITIONAL:
			kind = "date conditional";
			values = "1 on, 2 before, 3 after";
			break;
		case ONTRA_RULE_ARG_ANY_CONDITIONAL:
			kind = "conditional";
			values = "a conditional, or for dates 1 on, 2 before, 3 after";
			break;
		case ONTRA_RULE_ARG_DATE:
			kind = "date";
			values = "YYYY-MM-DD, Unix seconds, or a relative date";
			break;
		case ONTRA_RULE_ARG_FIELD:
			kind = "field";
			break;
		case ONTRA_RULE_ARG_TEXT:
			kind = "text";
			break;
		case ONTRA_RULE_ARG_VALUE:
			kind = "value";
			break;
		case ONTRA_RULE_ARG_OBJECT_TYPE:
			kind = "object type";
			break;
		default:
			kind = "?";
			break;
		}
		json_object_set_new(ja, "kind", json_string(kind));
		if (values)
			json_object_set_new(ja, "values", json_string(values));
		json_array_append_new(args, ja);
		if (w < sizeof sig)
			w += (size_t)snprintf(sig + w, sizeof sig - w, "%s%s", i ? "," : "",
			                      a->name);
	}
	if (w < sizeof sig)
		snprintf(sig + w, sizeof sig - w, ")");
	json_object_set_new(rec, "part", json_string(ontra_rule_part_name(d->part)));
	json_object_set_new(rec, "name", json_string(d->name));
	json_object_set_new(rec, "signature", json_string(sig));
	json_object_set_new(rec, "args", args);
	json_object_set_new(rec, "contacts_only", json_boolean(d->contacts_only));
	json_object_set_new(rec, "summary", json_string(d->summary));
	return rec;
}

/* The value lists: units, options are per item; these are the shared ones. */
static int print_values(cli_ctx *ctx)
{
	static const char *const cols[] = {"vocabulary", "value", "meaning", NULL};
	static const struct {
		const char *vocab, *value, *meaning;
	} fixed[] = {
	    {"units", "0", "days"},
	    {"units", "1", "weeks"},
	    {"units", "2", "months"},
	    {"date conditional", "1", "on"},
	    {"date conditional", "2", "before"},
	    {"date conditional", "3", "after"},
	};
	const char *const *words;
	cli_out *o =
	    cli_out_begin(ctx, ctx->format == FMT_TABLE || ctx->format == FMT_CSV ? cols : NULL);
	size_t i;
	int v;

	if (!o)
		return cli_error(EXIT_ERROR, "out of memory");
	for (i = 0; i < sizeof fixed / sizeof *fixed; i++) {
		json_t *r = json_pack("{s:s, s:s, s:s}", "vocabulary", fixed[i].vocab, "value",
		                      fixed[i].value, "meaning", fixed[i].meaning);
		cli_out_record(o, r);
		json_decref(r);
	}
	for (v = 0; v < 2; v++) {
		words = ontra_rule_vocabulary((ontra_rule_vocab)v);
		for (i = 0; words && words[i]; i++) {
			json_t *r = json_pack("{s:s, s:s, s:s}", "vocabulary",
			                      v == 0 ? "conditional" : "relative date", "value",
			                      words[i], "meaning", "");
			cli_out_record(o, r);
			json_decref(r);
		}
	}
	return cli_out_end(o) < 0 ? EXIT_ERROR : EXIT_OK;
}

static int run_catalogue(cli_ctx *ctx, cli_args *args)
{
	static const char *const cols[] = {"part", "signature", "contacts_only", "summary", NULL};
	const char *which = cli_arg(args, 0);
	int from = ONTRA_RULE_EVENTS, to = ONTRA_RULE_ACTIONS, p;
	cli_out *o;
	size_t i;

	if (which) {
		if (strcmp(which, "values") == 0)
			return print_values(ctx);
		for (p = ONTRA_RULE_EVENTS; p <= ONTRA_RULE_ACTIONS; p++)
			if (strcmp(which, ontra_rule_part_name((ontra_rule_part)p)) == 0)
				from = to = p;
		if (from != to)
			return cli_usage_error(ctx,
			                       "unknown catalogue part '%s': expected events, "
			                       "conditions, actions or values",
			                       which);
	}
	o = cli_out_begin(ctx, ctx->format == FMT_TABLE || ctx->format == FMT_CSV ? cols : NULL);
	if (!o)
		return cli_error(EXIT_ERROR, "out of memory");
	for (p = from; p <= to; p++) {
		for (i = 0; i < ontra_rule_catalogue_size((ontra_rule_part)p); i++) {
			json_t *rec = def_record(ontra_rule_catalogue_at((ontra_rule_part)p, i));
			if (rec && (ctx->format == FMT_TABLE || ctx->format == FMT_CSV)) {
				/* the columns only: arguments are in the signature */
				json_object_del(rec, "name");
				json_object_del(rec, "args");
			}
			if (!rec || cli_out_record(o, rec) < 0) {
				json_decref(rec);
				cli_out_end(o);
				return cli_error(EXIT_ERROR, "error writing the catalogue");
			}
			json_decref(rec);
		}
	}
	return cli_out_end(o) < 0 ? EXIT_ERROR : EXIT_OK;
}

#define END_OPT                                                                                    \
	{                                                                                          \
		.name = NULL                                                                       \
	}
#define PART_OPTS                                                                                  \
	{.name = "events",                                                                         \
	 .short_name = 'e',                                                                        \
	 .kind = CLI_VALUE,                                                                        \
	 .arg = "ITEMS|@FILE",                                                                     \
	 .help = "what fires the rule: Name(args);Name(args)..."},                                 \
	    {.name = "conditions",                                                                 \
	     .short_name = 'c',                                                                    \
	     .kind = CLI_VALUE,                                                                    \
	     .arg = "ITEMS|@FILE",                                                                 \
	     .help = "what must hold: items joined by ; (and) or | (or)"},                         \
	    {.name = "actions",                                                                    \
	     .short_name = 'a',                                                                    \
	     .kind = CLI_VALUE,                                                                    \
	     .arg = "ITEMS|@FILE",                                                                 \
	     .help = "what it does, in order: Name(args);Name(args)..."},                          \
	{                                                                                          \
		.name = "object-type", .kind = CLI_VALUE, .arg = "TYPE",                           \
		.help = "object type the rule is for: a name or number (default contacts)"         \
	}

static const cli_opt create_opts[] = {
    {.name = "name", .kind = CLI_VALUE, .arg = "NAME", .help = "the rule's name"},
    PART_OPTS,
    {.name = "tags", .kind = CLI_VALUE, .arg = "TAGS", .help = "the rule's tags"},
    {.name = "pause", .kind = CLI_FLAG, .help = "create it paused"},
    END_OPT};

static const cli_opt update_opts[] = {
    {.name = "name", .kind = CLI_VALUE, .arg = "NAME", .help = "the rule's name"},
    PART_OPTS,
    {.name = "tags", .kind = CLI_VALUE, .arg = "TAGS", .help = "the rule's tags"},
    {.name = "pause", .kind = CLI_FLAG, .help = "pause the rule"},
    {.name = "unpause", .kind = CLI_FLAG, .help = "make the rule live again"},
    END_OPT};

static const cli_opt check_opts[] = {PART_OPTS, END_OPT};

static const cli_opt list_opts[] = {
    {.name = "search",
     .short_name = 's',
     .kind = CLI_VALUE,
     .arg = "TEXT",
     .help = "only rules containing TEXT"},
    {.name = "limit", .short_name = 'n', .kind = CLI_VALUE, .arg = "N", .help = "at most N rules"},
    END_OPT};

#define LANGUAGE_HELP                                                                              \
	"Events, conditions and actions are written in Ontraport's rule language: items "          \
	"Name(arg,arg,...) joined by ';'; conditions may also be joined by '|' (or). They are "    \
	"checked before anything is sent: unknown names (with the nearest suggested), wrong "      \
	"numbers "                                                                                 \
	"of arguments, values outside their vocabulary and contacts-only items on another object " \
	"type are refused with the item and its position named. 'ontraport rules catalogue' "      \
	"lists "                                                                                   \
	"every item with its arguments."

static const cli_command cmd_create = {
    .name = "create",
    .summary = "create a rule",
    .synopsis = "--events ITEMS --actions ITEMS [--conditions ITEMS] [options]",
    .description = "Create a rule (the \"Create a Rule\" module): POST /Rules. Prints the new "
                   "rule.\n\n" LANGUAGE_HELP,
    .opts = create_opts,
    .examples =
        "ontraport rules create --name 'Tag on sequence' -e 'Contact_added_to_campaign(1)' \\\n"
        "    -c 'Is_in_category(2);Is_not_subscribed_to_drip(3)' \\\n"
        "    -a 'Add_contact_to_category(4);Send_contact_an_emailmbs(7)'\n"
        "  on joining sequence 1, if tagged 2 and not on sequence 3: add tag 4, "
        "send e-mail 7\n"
        "ontraport rules create --pause -e 'relative_date_field(1,2,1,f1)' -a "
        "'Send_contact_an_emailmbs(9)'\n"
        "  a month after the date in field f1, send e-mail 9; created paused\n",
    .run = run_create,
};

static const cli_command cmd_update = {
    .name = "update",
    .summary = "update a rule's fields, or pause it",
    .synopsis = "ID [options]",
    .description =
        "Update a rule (the \"Update a Rule\" module): PUT /Rules with the fields given. "
        "Prints what changed.\n\n" LANGUAGE_HELP,
    .opts = update_opts,
    .examples = "ontraport rules update 2 --conditions 'Is_in_category(2)|Is_in_category(5)'\n"
                "  either tag 2 or tag 5\n"
                "ontraport rules update 2 --pause\n  pause rule 2",
    .run = run_update,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command cmd_get = {
    .name = "get",
    .summary = "get rules by id, every field",
    .synopsis = "ID...",
    .examples = "ontraport rules get 2\n  rule 2",
    .run = run_get,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command cmd_list = {
    .name = "list",
    .summary = "list rules",
    .synopsis = "[--search TEXT] [--limit N]",
    .description = "List the account's rules, page by page as they arrive.",
    .opts = list_opts,
    .examples = "ontraport rules list -o table\n  every rule",
    .run = run_list,
};

static const cli_command cmd_pause = {
    .name = "pause",
    .summary = "pause rules",
    .synopsis = "ID...",
    .description = "Pause rules: POST /objects/pause.",
    .examples = "ontraport rules pause 2 3\n  pause rules 2 and 3",
    .run = run_pause,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command cmd_unpause = {
    .name = "unpause",
    .summary = "make paused rules live again",
    .synopsis = "ID...",
    .description = "Unpause rules: POST /objects/unpause.",
    .examples = "ontraport rules unpause 2\n  rule 2 runs again",
    .run = run_unpause,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command cmd_check = {
    .name = "check",
    .summary = "check rule parts without sending anything",
    .synopsis = "[--events ITEMS] [--conditions ITEMS] [--actions ITEMS]",
    .description = "Check events, conditions and actions as create and update would, without a "
                   "connection, and "
                   "print them in the canonical form that would be sent.\n\n" LANGUAGE_HELP,
    .opts = check_opts,
    .examples = "ontraport rules check --actions 'Add_contact_to_categry(4)'\n"
                "  unknown action (did you mean 'Add_contact_to_category'?)",
    .run = run_check,
};

static const cli_command cmd_catalogue = {
    .name = "catalogue",
    .summary = "list the events, conditions and actions rules can use",
    .synopsis = "[events|conditions|actions|values]",
    .description =
        "Print the catalogue of the rule language: each item with its arguments in order, whether "
        "it "
        "is for contacts only, and what it does; 'values' prints the value lists (units, "
        "conditionals, date conditionals, relative dates). With -o json, each item's arguments "
        "come "
        "with their kind and allowed values.\n\n"
        "Argument values: ids are positive whole numbers; units are 0 days, 1 weeks, 2 months; "
        "options are the numbers the item lists; conditionals are Equal To, Not Equal To, Greater "
        "Than, Less Than, Greater Than or Equal To, Less Than or Equal To, Contains, Does Not "
        "Contain, Starts With, Ends With; date conditionals are 1 on, 2 before, 3 after; dates are "
        "YYYY-MM-DD, Unix seconds or a relative date (TODAY, YESTERDAY, TOMORROW, S7DAYS, 7DFNOW, "
        "...).",
    .examples = "ontraport rules catalogue actions -o table\n  every action with its arguments\n"
                "ontraport rules catalogue -o json\n  the whole catalogue as data\n"
                "ontraport rules catalogue values\n  the value lists",
    .run = run_catalogue,
    .max_args = 1,
};

static const cli_command *const rules_subs[] = {&cmd_create, &cmd_update,    &cmd_get,
                                                &cmd_list,   &cmd_pause,     &cmd_unpause,
                                                &cmd_check,  &cmd_catalogue, NULL};

const cli_command cli_cmd_rules = {
    .name = "rules",
    .summary = "create, update, pause, get and list rules; the rule language's catalogue",
    .description =
        "The Rule modules (\"Create a Rule\", \"Update a Rule\"): create and update rules (name, "
        "events, conditions, actions, "
        "object "
        "type, tags, pause), read and list them, pause and unpause them, and print the catalogue "
        "of the rule language.",
    .subs = rules_subs,
};
