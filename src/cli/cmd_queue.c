/*
 * `ontraport queue`: the event queue on PostgreSQL (src/pgqueue,
 * docs/postgresql.md). For now, `migrate`: bring the database's schema to
 * this program's version. The URL's password never appears in the output or
 * an error; it is scrubbed from the process listing once read.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pgqueue.h"
#include "banned.h"

static const cli_opt migrate_opts[] = {
    {.name = "queue",
     .kind = CLI_VALUE,
     .arg = "URL",
     .help = "the PostgreSQL database: postgresql://USER:PASSWORD@HOST:PORT/DBNAME (default "
             "$ONTRAPORT_QUEUE)"},
    {.name = NULL}};

int cli_pg_url(cli_ctx *ctx, cli_args *args, const char *opt, char *url, size_t n)
{
	const char *v = cli_value(args, opt), *env = getenv("ONTRAPORT_QUEUE");

	if (v) {
		if (cli_take_secret(v, url, n) < 0)
			return cli_usage_error(ctx, "--%s: the URL is over %zu bytes", opt, n - 1);
	} else if (env && *env) {
		if (strlen(env) >= n)
			return cli_usage_error(ctx, "ONTRAPORT_QUEUE: the URL is over %zu bytes",
			                       n - 1);
		snprintf(url, n, "%s", env);
	} else {
		return cli_usage_error(ctx,
		                       "give the database: --%s postgresql://... (or set "
		                       "ONTRAPORT_QUEUE)",
		                       opt);
	}
	if (!*url)
		return cli_usage_error(ctx, "--%s: empty URL", opt);
	return EXIT_OK;
}

int cli_queue_exit(int rc)
{
	switch (rc) {
	case PGQ_EINVALID:
		return EXIT_USAGE;
	case PGQ_ENEWER:
	case PGQ_ESCHEMA:
		return EXIT_INVALID;
	case PGQ_ECONNECT:
		return EXIT_NETWORK;
	default:
		return EXIT_ERROR;
	}
}

static int run_migrate(cli_ctx *ctx, cli_args *args)
{
	char url[CLI_QUEUE_URL_MAX];
	int from = 0, to = 0, rc;
	json_t *rec;

	rc = cli_pg_url(ctx, args, "queue", url, sizeof url);
	if (rc != EXIT_OK)
		return rc;
	rc = pgq_migrate(url, &from, &to);
	memset(url, 0, sizeof url);
	if (rc != 0)
		return cli_error(cli_queue_exit(rc), "%s", pgq_last_error());
	rec = json_pack("{s:i, s:i, s:i}", "schema_version", to, "was", from, "applied", to - from);
	if (!rec)
		return cli_error(EXIT_ERROR, "out of memory");
	rc = cli_out_value(ctx, rec);
	json_decref(rec);
	if (rc < 0)
		return EXIT_ERROR;
	if (to == from)
		cli_note(ctx, "the queue%s is at version %d already", "", to);
	else
		cli_note(ctx, "the queue's schema migrated from version %d to %d", from, to);
	return EXIT_OK;
}

static const cli_command cmd_migrate = {
    .name = "migrate",
    .summary = "create or upgrade the queue's tables in a PostgreSQL database",
    .synopsis = "--queue URL",
    .description =
        "Bring the database's queue schema to this program's version: every missing migration "
        "in one transaction, none if any fails. Running it again changes nothing; two at once "
        "take turns. Prints the schema version (schema_version), the one found (was) and how "
        "many migrations were applied. A database whose schema is newer than this program's is "
        "refused (exit 5) and left as it is. No extension is needed. The password in the URL "
        "is never shown.",
    .opts = migrate_opts,
    .examples = "ontraport queue migrate --queue postgresql://ontra:secret@db.example.com/ontra\n"
                "  create the queue's tables, or upgrade them",
    .run = run_migrate,
};

static const cli_command *const subs[] = {&cmd_migrate, NULL};

const cli_command cli_cmd_queue = {
    .name = "queue",
    .summary = "the event queue on PostgreSQL: migrate its schema",
    .description = "The event queue on PostgreSQL, shared by receivers and workers on several "
                   "hosts (docs/postgresql.md). The database is given by --queue "
                   "postgresql://... or $ONTRAPORT_QUEUE.",
    .subs = subs,
};
