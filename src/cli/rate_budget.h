/*
 * rate_budget: the library's budget hook (ontra_budget, include/ontraport.h)
 * kept in PostgreSQL (pgq_budget_*, src/pgqueue): one rate budget per account
 * shared by every worker on every host. docs/postgresql.md, "The rate budget".
 *
 * One connection per process, behind a mutex: every client of the process
 * (any thread) may use the hook. When the database cannot answer, the hook
 * says so (the client paces on its own) and reconnects at most once a second;
 * a warning is printed once. The URL is a secret: it is kept only to reconnect
 * and never shown but masked.
 */
#ifndef CLI_RATE_BUDGET_H
#define CLI_RATE_BUDGET_H

#include "ontraport.h"

typedef struct cli_budget cli_budget;

/*
 * Connect to the database at url and check its schema (pgq_open). 0 and *out,
 * or a PGQ_E* code (*out NULL) with pgq_last_error() saying why.
 */
int cli_budget_open(cli_budget **out, const char *url);

/* The hook for ontra_client_options.budget (borrowed: valid until cli_budget_free). */
const ontra_budget *cli_budget_hook(cli_budget *b);

/* Close and free, after every client using the hook. NULL is accepted. */
void cli_budget_free(cli_budget *b);

#endif
