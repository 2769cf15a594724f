/*
 * The command table: every command of the tool, under the root. main()
 * walks it to find a command; help, man pages and completion read it.
 */
#include <stdio.h>

#include "cli.h"
#include "banned.h"

int cli_run_version(cli_ctx *ctx, cli_args *args)
{
	printf("ontraport %s (libontraport %s)\n", ONTRA_VERSION, ontra_version());
	return EXIT_OK;
}

static const cli_command cmd_version = {
    .name = "version",
    .summary = "print the version",
    .synopsis = "",
    .run = cli_run_version,
};

/* clang-format off */
static const cli_command *const root_subs[] = {
    &cli_cmd_connection,   &cli_cmd_objects,   &cli_cmd_object_types,
    &cli_cmd_fields,       &cli_cmd_tags,      &cli_cmd_sequences,
    &cli_cmd_campaigns,    &cli_cmd_forms,     &cli_cmd_landing_pages,
    &cli_cmd_messages,
    &cli_cmd_rules,        &cli_cmd_products,  &cli_cmd_offers,
    &cli_cmd_notes,        &cli_cmd_tasks,
    &cli_cmd_transactions, &cli_cmd_purchases, &cli_cmd_watch,
    &cli_cmd_webhooks,     &cli_cmd_events,    &cli_cmd_queue,
    &cli_cmd_api,          &cli_cmd_sandbox,   &cli_cmd_scenario,
    &cli_cmd_run,          &cli_cmd_runs,      &cmd_version,
    &cli_cmd_man,          &cli_cmd_complete,  NULL};
/* clang-format on */

const cli_command cli_root = {
    .name = "ontraport",
    .summary = "automate Ontraport from the command line",
    .description =
        "Automate Ontraport, the CRM and marketing-automation service: search, create, update, "
        "tag and delete objects, manage messages and rules, watch events, and make any API call. "
        "With no connection configured, commands talk to the local sandbox "
        "('ontraport sandbox'), an emulator of the Ontraport API.",
    .examples = "ontraport sandbox &\n  start the local sandbox (an emulator of the API)\n"
                "ontraport api GET /Messages\n  make an API call\n"
                "ontraport connection add prod --app-id 2_AppID_123 --api-key-stdin\n"
                "  save and verify a real account's key pair",
    .subs = root_subs,
};
