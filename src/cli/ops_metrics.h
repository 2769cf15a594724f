/*
 * ops_metrics (internal to src/cli): what a receiver of `ontraport watch` and `ontraport
 * run` answers on GET /metrics (Prometheus text format 0.0.4) and GET /healthz, with
 * --metrics. docs/operating.md lists every metric.
 *
 * Counters (deliveries, failures) are kept in memory from the delivery's results; the
 * queue's counts are read at most once a second whatever the scrapes, so a scraper
 * never makes a query storm. Thread-safe: results come from the delivery's thread,
 * scrapes from the server's.
 */
#ifndef CLI_OPS_METRICS_H
#define CLI_OPS_METRICS_H

#include "rate_budget.h"
#include "receiver.h"

typedef struct cli_metrics cli_metrics;

/* A new set, shown as `cmd` ("watch", "run"). NULL on out of memory. */
cli_metrics *cli_metrics_new(const char *cmd);

/*
 * Give the set its queue `q` (borrowed; must outlive the set) before anything scrapes.
 * `path`: the SQLite file behind q, checked by /healthz to be the same file still
 * (NULL for a queue on PostgreSQL). -1 on out of memory.
 */
int cli_metrics_attach(cli_metrics *m, rcv_queue *q, const char *path);

/* Show the shared rate budget `b` (borrowed; must outlive the set) too (`run --rate-budget`). */
void cli_metrics_budget(cli_metrics *m, cli_budget *b);

/* Count one delivery attempt's outcome (from on_result). NULL is accepted. */
void cli_metrics_outcome(cli_metrics *m, rcv_outcome outcome);

/* Count a run finished: dead or done (from `run`). NULL is accepted. */
void cli_metrics_run(cli_metrics *m, int dead);

/*
 * The rcv_server_config.ops callback (userdata: the set): "/metrics" or "/healthz".
 * Returns the HTTP status and *body (malloc'd; NULL on out of memory).
 */
unsigned cli_metrics_http(void *userdata, const char *path, char **body);

/* Free. NULL is accepted. */
void cli_metrics_free(cli_metrics *m);

#endif
