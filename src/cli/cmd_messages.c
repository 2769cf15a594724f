/*
 * `ontraport messages ...`: the "Create a Message" and "Update a
 * Message" modules, one flag per field, plus get and list (the
 * "Select the Message ID"). The library checks every field against the
 * message type before anything is sent.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record_io.h"
#include "banned.h"

static const char *const table_cols[] = {"id", "alias", "type", "subject", NULL};

/* The flags that may be @FILE, and where their text goes. */
struct text_flag {
	const char *flag;
	size_t offset; /* into ontra_message_options */
};

#define TF(flag, member)                                                                           \
	{                                                                                          \
		flag, offsetof(ontra_message_options, member)                                      \
	}

static const struct text_flag text_flags[] = {
    TF("plain-text", plaintext),    TF("html", html),           TF("template", template_content),
    TF("sms-content", sms_content), TF("task-data", task_data),
};

#undef TF

/* Fill the options from the flags; texts read from files go into texts[] (freed by the caller). */
/*
 * A --task-owner (a user's e-mail, "firstname lastname" or id) or --task-form
 * (a form's name or id) as the id the API takes: a name is looked up with
 * the library's resolver; buf (24 bytes) holds the id's text.
 */
static int named_id(cli_ctx *ctx, cli_args *args, const char *opt, int type, const char **out,
                    char *buf)
{
	const char *v = cli_value(args, opt);
	ontra_client *c;
	long long id;
	int rc, lrc;

	*out = v;
	if (!v || ontra_id_parse(&id, v, NULL) != 0) /* an id, or a bad one: the library says */
		return EXIT_OK;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_resolve(&id, c, type, v)) < 0)
		return cli_error(cli_exit_code(lrc), "--%s: %s", opt, ontra_error_last()->message);
	snprintf(buf, 24, "%lld", id);
	*out = buf;
	return EXIT_OK;
}

static int options_from_args(cli_ctx *ctx, cli_args *args, ontra_message_options *o, char **texts,
                             char (*ids)[24])
{
	const char *et = cli_value(args, "email-type");
	size_t i;
	int rc, type;

	o->type = cli_value(args, "type");
	o->name = cli_value(args, "name");
	o->subject = cli_value(args, "subject");
	o->send_from = cli_value(args, "send-from");
	o->from = cli_value(args, "from");
	o->send_out_name = cli_value(args, "send-out-name");
	o->reply_to = cli_value(args, "reply-to");
	o->email_title = cli_value(args, "email-title");
	o->spam_score = cli_value(args, "spam-score");
	o->send_to = cli_value(args, "send-to");
	o->due_date = cli_value(args, "due-date");
	if ((rc = named_id(ctx, args, "task-owner", ONTRA_USER, &o->task_owner, ids[0])) !=
	        EXIT_OK ||
	    (rc = named_id(ctx, args, "task-form", ONTRA_FORM, &o->task_form, ids[1])) != EXIT_OK)
		return rc;
	if (et) {
		if (strcmp(et, "transactional") == 0)
			o->email_type = ONTRA_TRANSACTIONAL;
		else if (strcmp(et, "marketing") == 0)
			o->email_type = ONTRA_MARKETING;
		else
			return cli_usage_error(
			    ctx,
			    "invalid --email-type '%s': expected transactional or "
			    "marketing",
			    et);
	}
	for (i = 0; i < sizeof text_flags / sizeof *text_flags; i++) {
		if ((rc = cli_text_opt(ctx, args, text_flags[i].flag, &texts[i])) != EXIT_OK)
			return rc;
		if (texts[i])
			*(const char **)((char *)o + text_flags[i].offset) = texts[i];
	}
	rc = cli_object_type_opt(ctx, cli_value(args, "object-type"), &type);
	if (type >= 0)
		o->object_type = ONTRA_TYPE_GIVEN(type);
	return rc;
}

static int run_write(cli_ctx *ctx, cli_args *args, int update)
{
	ontra_message_options o = ONTRA_MESSAGE_OPTIONS_INIT;
	char *texts[sizeof text_flags / sizeof *text_flags] = {NULL};
	char ids[2][24];
	ontra_client *c;
	json_t *res = NULL;
	size_t i;
	int rc, lrc;

	if (update && (rc = cli_one_id(ctx, cli_arg(args, 0), "message", &o.id)) != EXIT_OK)
		return rc;
	if ((rc = options_from_args(ctx, args, &o, texts, ids)) != EXIT_OK ||
	    (rc = cli_client(ctx, &c)) != EXIT_OK)
		goto out;
	lrc = update ? ontra_message_update(&res, c, &o) : ontra_message_create(&res, c, &o);
	if (lrc < 0) {
		rc = cli_fail_lib(ctx, lrc);
		goto out;
	}
	/* The API answers an update with {id, date} only: show the message as it is now. */
	if (update) {
		json_decref(res);
		res = NULL;
		if ((lrc = ontra_message_get(&res, c, o.id)) < 0) {
			rc = cli_error(cli_exit_code(lrc),
			               "message %lld was updated, but reading it back failed: %s",
			               o.id, ontra_error_last()->message);
			goto out;
		}
	}
	cli_ids_as_text(res); /* ids as strings, as every other answer gives them */
	rc = cli_out_value(ctx, res) < 0 ? EXIT_ERROR : EXIT_OK;
out:
	json_decref(res);
	for (i = 0; i < sizeof texts / sizeof *texts; i++)
		free(texts[i]);
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
	return cli_get_each(ctx, args, ontra_message_get, table_cols);
}

static int run_list(cli_ctx *ctx, cli_args *args)
{
	return cli_list_objects(ctx, args, ONTRA_MESSAGE, table_cols);
}

#define END_OPT                                                                                    \
	{                                                                                          \
		.name = NULL                                                                       \
	}

static const cli_opt write_opts[] = {
    {.name = "type",
     .short_name = 't',
     .kind = CLI_VALUE,
     .arg = "TYPE",
     .help = "message type: e-mail (or email), template, sms or task"},
    {.name = "name", .kind = CLI_VALUE, .arg = "NAME", .help = "the message's name (all types)"},
    {.name = "subject",
     .kind = CLI_VALUE,
     .arg = "TEXT",
     .help = "subject line (e-mail, template); a task's title"},
    {.name = "send-from",
     .kind = CLI_VALUE,
     .arg = "ADDRESS",
     .help = "the sender's address (e-mail, template)"},
    {.name = "from",
     .kind = CLI_VALUE,
     .arg = "owner|custom|USER_ID",
     .help = "From name: the owner, custom, or a user id (e-mail, template)"},
    {.name = "send-out-name",
     .kind = CLI_VALUE,
     .arg = "NAME",
     .help = "the sender's name, with --from custom (implied)"},
    {.name = "reply-to",
     .kind = CLI_VALUE,
     .arg = "ADDRESS",
     .help = "reply-to address (e-mail, template)"},
    {.name = "plain-text",
     .kind = CLI_VALUE,
     .arg = "TEXT|@FILE",
     .help = "plain-text body (e-mail, template)"},
    {.name = "html", .kind = CLI_VALUE, .arg = "HTML|@FILE", .help = "HTML body (e-mail)"},
    {.name = "email-title",
     .kind = CLI_VALUE,
     .arg = "TEXT",
     .help = "e-mail title (e-mail, template)"},
    {.name = "email-type",
     .kind = CLI_VALUE,
     .arg = "transactional|marketing",
     .help = "the e-mail's type (e-mail, template)"},
    {.name = "spam-score",
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "spam score, a number (e-mail, template)"},
    {.name = "template",
     .kind = CLI_VALUE,
     .arg = "JSON|@FILE",
     .help = "template content: ONTRAmail JSON (template)"},
    {.name = "sms-content",
     .kind = CLI_VALUE,
     .arg = "TEXT|@FILE",
     .help = "the text of an sms (sms)"},
    {.name = "send-to",
     .kind = CLI_VALUE,
     .arg = "FIELD",
     .help = "the field holding the number (sms; default sms_number)"},
    {.name = "task-data",
     .kind = CLI_VALUE,
     .arg = "TEXT|@FILE",
     .help = "the task's instructions (task)"},
    {.name = "due-date",
     .kind = CLI_VALUE,
     .arg = "DAYS",
     .help = "days the assignee has to complete it (task)"},
    {.name = "task-owner",
     .kind = CLI_VALUE,
     .arg = "USER",
     .help = "the user the task is assigned to: e-mail, \"firstname lastname\" or id (task)"},
    {.name = "task-form",
     .kind = CLI_VALUE,
     .arg = "FORM",
     .help = "a form to fill on completing the task, by name or id (task)"},
    {.name = "object-type",
     .kind = CLI_VALUE,
     .arg = "TYPE",
     .help = "object type it is for: a name or number (default contacts)"},
    END_OPT};

static const cli_opt list_opts[] = {{.name = "search",
                                     .short_name = 's',
                                     .kind = CLI_VALUE,
                                     .arg = "TEXT",
                                     .help = "only messages containing TEXT"},
                                    {.name = "limit",
                                     .short_name = 'n',
                                     .kind = CLI_VALUE,
                                     .arg = "N",
                                     .help = "at most N messages"},
                                    END_OPT};

#define FIELDS_HELP                                                                                \
	"Each field belongs to some message types (shown in brackets after each option); a field " \
	"of "                                                                                      \
	"another type is refused, naming the field and the type, and nothing is sent. Texts may "  \
	"be "                                                                                      \
	"read from a file with @FILE (@- for standard input)."

static const cli_command cmd_create = {
    .name = "create",
    .summary = "create a message (e-mail, template, sms or task)",
    .synopsis = "--type TYPE [options]",
    .description =
        "Create a message (the \"Create a Message\" module): POST /message.\n\n" FIELDS_HELP
        "\n\nRequired: --type; an e-mail also needs --subject. Prints the reply: the new message's "
        "id and date.",
    .opts = write_opts,
    .examples =
        "ontraport messages create -t e-mail --name Welcome --subject Hi --html @mail.html\n"
        "  a legacy HTML e-mail, its body read from a file\n"
        "ontraport messages create -t template --name Promo --subject Sale --template @promo.json\n"
        "  an ONTRAmail message from its JSON content\n"
        "ontraport messages create -t sms --name Reminder --sms-content 'See you at 5'\n"
        "  an sms\n"
        "ontraport messages create -t task --name Call --subject 'Call them' --due-date 2\n"
        "  a task, due two days after it is assigned\n",
    .run = run_create,
};

static const cli_command cmd_update = {
    .name = "update",
    .summary = "update a message's fields",
    .synopsis = "ID [options]",
    .description =
        "Update a message (the \"Update a Message\" module): PUT /message with the fields "
        "given. Without --type, the message is read first to learn its type (the API requires it, "
        "and the checks need it). Prints the message as it is after the update (read back: the "
        "API's reply holds only its id and date).\n\n" FIELDS_HELP,
    .opts = write_opts,
    .examples =
        "ontraport messages update 7 --subject 'New subject'\n  change one field\n"
        "ontraport messages update 7 --type e-mail --html @new.html\n  replace the HTML body",
    .run = run_update,
    .min_args = 1,
    .max_args = 1,
};

static const cli_command cmd_get = {
    .name = "get",
    .summary = "get messages by id, every field",
    .synopsis = "ID...",
    .examples = "ontraport messages get 7\n  message 7\nontraport messages get 7 8 -o table\n  two "
                "messages",
    .run = run_get,
    .min_args = 1,
    .max_args = -1,
};

static const cli_command cmd_list = {
    .name = "list",
    .summary = "list messages (id, name, type, subject)",
    .synopsis = "[--search TEXT] [--limit N]",
    .description = "List the account's messages, page by page as they arrive: the ids the other "
                   "commands take.",
    .opts = list_opts,
    .examples = "ontraport messages list -o table\n  every message\n"
                "ontraport messages list --search Welcome -o ndjson\n  messages mentioning Welcome",
    .run = run_list,
};

static const cli_command *const messages_subs[] = {&cmd_create, &cmd_update, &cmd_get, &cmd_list,
                                                   NULL};

const cli_command cli_cmd_messages = {
    .name = "messages",
    .summary = "create, update, get and list messages (e-mail, template, sms, task)",
    .description = "The Message modules (\"Create a Message\", \"Update a Message\"): create and "
                   "update e-mail, ONTRAmail template, sms and task "
                   "messages with every field, read them back, and list them.",
    .subs = messages_subs,
};
