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

#include <stdint.h>

#include "ontraport.h"
#include "pgqueue.h"

typedef struct cli_budget cli_budget;

/*
 * Connect to the database at url and check its schema (pgq_open). 0 and *out,
 * or a PGQ_E* code (*out NULL) with pgq_last_error() saying why.
 */
int cli_budget_open(cli_budget **out, const char *url);

/* The hook for ontra_client_options.budget (borrowed: valid until cli_budget_free). */
const ontra_budget *cli_budget_hook(cli_budget *b);

/* What GET /metrics shows of the budget (ops_metrics.c). */
typedef struct cli_budget_stats {
	int up;            /* connected to the database (it answered the last call) */
	char account[257]; /* the account last asked for; "" before the first request */
	int shared_known;  /* `shared` holds the account's row */
	pgq_budget_state
	    shared;        /* the account's budget, every worker's (read at most once a second) */
	uint64_t requests; /* this process's requests that took a slot */
	uint64_t waits;    /* the times this process was told to wait */
	int64_t waited_ms; /* what those waits added up to */
} cli_budget_stats;

/*
 * The budget's figures now. Reads the account's row when the last read is a second old and
 * the connection is up; never connects (a scrape does not wait for an unreachable database).
 */
void cli_budget_stats_get(cli_budget *b, cli_budget_stats *out);

/* Close and free, after every client using the hook. NULL is accepted. */
void cli_budget_free(cli_budget *b);

#endif
