/*
 * ontraport tasks: give objects a task from a task message, and complete,
 * cancel, reopen or reschedule tasks (REFERENCE-MORE §M3); list them.
 * Through ontra_task_assign, ontra_task_act, ontra_task_reschedule and
 * ontra_search (ONTRA_TASK).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd_commerce.h"
#include "object_input.h"
#include "record_io.h"
#include "banned.h"

#define DAY 86400LL

static const char *const task_cols[] = {"id",       "subject", "contact_id", "owner",
                                        "date_due", "status",  NULL};

/* A task message by id, or by its exact name (one search on `alias`, the name as stored). */
static int task_message(cli_ctx *ctx, const char *name_or_id, long long *out)
{
	return cli_find_one(ctx, ONTRA_MESSAGE, "alias", name_or_id, "message", "named", out);
}

/* WHEN: Nd (N days from now) or Unix seconds. */
static int parse_when(cli_ctx *ctx, const char *opt, const char *s, long long *out)
{
	char *end;
	long long n = s ? strtoll(s, &end, 10) : -1;

	if (n >= 0 && end != s && *end == 'd' && !end[1] && n <= 36500) {
		*out = (long long)time(NULL) + n * DAY;
		return EXIT_OK;
	}
	if (n >= 1 && end != s && !*end) {
		*out = n;
		return EXIT_OK;
	}
	return cli_usage_error(ctx, "invalid %s '%s': expected Nd (days from now) or Unix seconds",
	                       opt, s ? s : "");
}

static int run_assign(cli_ctx *ctx, cli_args *args)
{
	ontra_task_assign_options o = ONTRA_TASK_ASSIGN_OPTIONS_INIT;
	const char *owner = cli_value(args, "owner"), *due = cli_value(args, "due");
	ontra_client *c;
	long long *ids = NULL;
	size_t n;
	int lrc, rc;

	if (!cli_value(args, "message"))
		return cli_usage_error(ctx, "missing --message: the task message, by name or id");
	if ((rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args), (size_t)cli_argc(args),
	                        &ids, &n)) != EXIT_OK)
		return rc;
	if ((due && (rc = parse_when(ctx, "--due", due, &o.due)) != EXIT_OK) ||
	    (rc = cli_client(ctx, &c)) != EXIT_OK ||
	    (rc = cli_type(ctx, c, cli_value(args, "type"), &o.object_type)) != EXIT_OK ||
	    (rc = task_message(ctx, cli_value(args, "message"), &o.message_id)) != EXIT_OK)
		goto out;
	if (owner && (lrc = ontra_resolve(&o.owner, c, ONTRA_USER, owner)) < 0) {
		rc = cli_fail_lib(ctx, lrc);
		goto out;
	}
	o.ids = ids;
	o.ids_count = n;
	o.fulfillment = cli_flag(args, "fulfillment");
	if ((lrc = ontra_task_assign(c, &o)) < 0)
		rc = cli_fail_lib(ctx, lrc);
	else
		cli_note(ctx, "%zu task%s assigned", n, n == 1 ? "" : "s");
out:
	free(ids);
	return rc;
}

static int act(cli_ctx *ctx, cli_args *args, ontra_task_op op)
{
	ontra_client *c;
	long long *ids = NULL;
	size_t n;
	int lrc, rc;

	if ((rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args), (size_t)cli_argc(args),
	                        &ids, &n)) != EXIT_OK)
		return rc;
	if ((rc = cli_client(ctx, &c)) == EXIT_OK) {
		if ((lrc = ontra_task_act(c, op, ids, n)) < 0)
			rc = cli_fail_lib(ctx, lrc);
		else
			cli_note(ctx, "%zu task%s: %s", n, n == 1 ? "" : "s",
			         ontra_task_op_name(op));
	}
	free(ids);
	return rc;
}

static int run_complete(cli_ctx *ctx, cli_args *args)
{
	return act(ctx, args, ONTRA_TASK_COMPLETE);
}

static int run_cancel(cli_ctx *ctx, cli_args *args)
{
	return act(ctx, args, ONTRA_TASK_CANCEL);
}

static int run_reopen(cli_ctx *ctx, cli_args *args)
{
	return act(ctx, args, ONTRA_TASK_REOPEN);
}

static int run_reschedule(cli_ctx *ctx, cli_args *args)
{
	ontra_client *c;
	long long id, when;
	int lrc, rc;

	if ((lrc = ontra_id_parse(&id, cli_arg(args, 0), "task")) <= 0)
		return cli_usage_error(ctx, "invalid task id '%s': expected a whole number from 1",
		                       cli_arg(args, 0));
	if ((rc = parse_when(ctx, "due time", cli_arg(args, 1), &when)) != EXIT_OK ||
	    (rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if ((lrc = ontra_task_reschedule(c, id, when)) < 0)
		return cli_fail_lib(ctx, lrc);
	return EXIT_OK;
}

static int status_code(cli_ctx *ctx, const char *s, int *out)
{
	static const char *const names[] = {"pending", "complete", "cancelled"};

	for (int i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return EXIT_OK;
		}
	return cli_usage_error(ctx,
	                       "invalid --status '%s': expected pending, complete or cancelled", s);
}

static int run_list(cli_ctx *ctx, cli_args *args)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	const char *contact = cli_value(args, "contact"), *status = cli_value(args, "status");
	json_t *cond = json_array();
	ontra_client *c;
	long long lim, cid = 0;
	int st = 0, rc;

	if (!cond)
		return cli_error(EXIT_ERROR, "out of memory");
	if (cli_value_ll(args, "limit", 1, 1LL << 40, 0, &lim) < 0)
		rc = EXIT_USAGE;
	else if ((!status || (rc = status_code(ctx, status, &st)) == EXIT_OK) &&
	         (!contact || (rc = cli_commerce_contact(ctx, contact, &cid)) == EXIT_OK))
		rc = cli_client(ctx, &c);
	if (rc != EXIT_OK) {
		json_decref(cond);
		return rc;
	}
	if ((contact &&
	     ontra_condition_add(cond, "AND", "contact_id", "=", json_integer(cid)) < 0) ||
	    (status && ontra_condition_add(cond, "AND", "status", "=", json_integer(st)) < 0)) {
		json_decref(cond);
		return cli_error(EXIT_ERROR, "out of memory");
	}
	o.object_type = ONTRA_TASK;
	o.condition = json_array_size(cond) ? cond : NULL;
	o.limit = (size_t)lim;
	rc = cli_search_print(ctx, c, &o, task_cols);
	json_decref(cond);
	return rc;
}

#define END_OPT                                                                                    \
	{                                                                                          \
		.name = NULL                                                                       \
	}

static const cli_opt assign_opts[] = {
    {.name = "message",
     .short_name = 'm',
     .kind = CLI_VALUE,
     .arg = "NAME|ID",
     .help = "the task message (a message of type task), by name or id"},
    {.name = "type",
     .short_name = 't',
     .kind = CLI_VALUE,
     .arg = "TYPE",
     .help = "the objects' type: a name or number (default contacts)"},
    {.name = "owner",
     .kind = CLI_VALUE,
     .arg = "USER",
     .help =
         "the assignee, a user's id or e-mail (default: the message's, else the object's owner)"},
    {.name = "due",
     .kind = CLI_VALUE,
     .arg = "WHEN",
     .help = "due Nd days from now, or at Unix seconds (default: the message's due days)"},
    {.name = "fulfillment", .kind = CLI_FLAG, .help = "a fulfillment task (type -1)"},
    END_OPT};
static const cli_opt list_opts[] = {
    {.name = "contact",
     .short_name = 'c',
     .kind = CLI_VALUE,
     .arg = "ID|EMAIL",
     .help = "only this contact's tasks"},
    {.name = "status",
     .kind = CLI_VALUE,
     .arg = "STATUS",
     .help = "only pending, complete or cancelled tasks"},
    {.name = "limit", .short_name = 'n', .kind = CLI_VALUE, .arg = "N", .help = "at most N"},
    END_OPT};

static const cli_command tasks_assign = {
    .name = "assign",
    .summary = "give objects a task from a task message",
    .synopsis = "--message NAME|ID [--type TYPE] [--owner USER] [--due WHEN] [--fulfillment] ID...",
    .description = "Give each object a task (object type 1) made from a task message: its subject "
                   "and instructions, assigned to --owner or the message's user, due --due or "
                   "the message's number of days from now. Never sent twice: a failure after "
                   "sending is exit 10.",
    .opts = assign_opts,
    .examples = "ontraport tasks assign --message \"Call back\" --due 2d 12 13\n"
                "  two contacts to call back within two days",
    .run = run_assign,
    .min_args = 1,
    .max_args = -1,
};

#define ACTION(var, cname, what, runner)                                                           \
	static const cli_command var = {.name = cname,                                             \
	                                .summary = what,                                           \
	                                .synopsis = "TASK_ID...",                                  \
	                                .run = runner,                                             \
	                                .min_args = 1,                                             \
	                                .max_args = -1};

ACTION(tasks_complete, "complete", "mark tasks complete (status 1, completed now)", run_complete)
ACTION(tasks_cancel, "cancel", "cancel tasks (status 2)", run_cancel)
ACTION(tasks_reopen, "reopen", "make tasks pending again (status 0)", run_reopen)

static const cli_command tasks_reschedule = {
    .name = "reschedule",
    .summary = "change when a task is due",
    .synopsis = "TASK_ID WHEN",
    .description = "Set the task's due date: WHEN is Nd (N days from now) or Unix seconds.",
    .examples = "ontraport tasks reschedule 5 7d\n  task 5 is due in a week",
    .run = run_reschedule,
    .min_args = 2,
    .max_args = 2,
};

static const cli_command tasks_list = {
    .name = "list",
    .summary = "list tasks",
    .synopsis = "[--contact ID|EMAIL] [--status STATUS] [--limit N]",
    .description = "List tasks page by page as they arrive. status: 0 pending, 1 complete, "
                   "2 cancelled.",
    .opts = list_opts,
    .examples = "ontraport tasks list --status pending -o table\n  what is still to do",
    .run = run_list,
};

static const cli_command *const tasks_subs[] = {&tasks_assign, &tasks_list,   &tasks_complete,
                                                &tasks_cancel, &tasks_reopen, &tasks_reschedule,
                                                NULL};

const cli_command cli_cmd_tasks = {
    .name = "tasks",
    .summary = "assign, complete, cancel, reopen, reschedule and list tasks",
    .description = "Tasks are to-dos for a user about an object (object type 1), made from a task "
                   "message. Read one with 'ontraport objects get --type tasks ID'.",
    .subs = tasks_subs,
};
