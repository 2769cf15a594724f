/*
 * The state of `ontraport watch --poll` (internal to src/cli): a small SQLite
 * file next to the event queue holding the poller's cursor and snapshots
 * (run_poller's keys) and an outbox of events found but not yet in the
 * queue.
 *
 * A change and its events commit in one transaction here (set); drain then
 * moves the outbox into the event queue, oldest first, each row deleted
 * with the queue id it got. A crash between an enqueue and that delete
 * leaves the row: the first drain after opening looks for the row's event
 * among the queue's events past the last id it recorded and enqueues it
 * only when it is not there. So each change reaches the queue once.
 *
 * One thread uses a store at a time; an flock on the file keeps other
 * processes away. Errors: one line in err.
 */
#ifndef CLI_POLL_STORE_H
#define CLI_POLL_STORE_H

#include <stddef.h>

#include "receiver.h"

typedef struct cli_poll_store cli_poll_store;

/* Open (creating, mode 0600: snapshots hold tags of people) and lock the store at path.
 * 0, or -1 (another process holds it, or SQLite failed). */
int cli_poll_store_open(cli_poll_store **out, const char *path, char *err, size_t errsz);
void cli_poll_store_close(cli_poll_store *s); /* NULL accepted */

/* 0 and *value (malloc'd), 1 when key is absent, -1. */
int cli_poll_store_get(cli_poll_store *s, const char *key, char **value, char *err, size_t errsz);

/* One event for the outbox: the normalized event (what the queue stores) and its body,
 * form-encoded (as Ontraport posts it). */
typedef struct cli_poll_event {
	char *event, *body;
} cli_poll_event;

/* Set key to value and add the events (n may be 0) to the outbox, in one transaction. */
int cli_poll_store_set(cli_poll_store *s, const char *key, const char *value,
                       const cli_poll_event *events, size_t n, char *err, size_t errsz);

/* Move the outbox into q under webhook_key (see above). *moved (may be NULL): how many. */
int cli_poll_store_drain(cli_poll_store *s, rcv_queue *q, const char *webhook_key, size_t *moved,
                         char *err, size_t errsz);

#endif
