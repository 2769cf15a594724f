/*
 * The poll source of `ontraport watch --poll` (internal to src/cli): a
 * thread that polls contacts with the runner's poller (run_poller_*, the
 * code of the scenario poll trigger) and turns what changed into the events
 * a webhook would have brought (created, tagged, untagged), queued in the
 * watch session's queue for its delivery. State: poll_store.h.
 *
 *   cli_watch_poll *p;
 *   rc = cli_watch_poll_start(&p, ctx, session, &settings);   after cli_watch_start
 *   cli_watch_wait(session);                                   (--once: it stops the wait)
 *   rc = cli_watch_poll_stop(p, rc);                           before cli_watch_close
 */
#ifndef CLI_WATCH_POLL_H
#define CLI_WATCH_POLL_H

#include "cli.h"
#include "subscriptions.h"
#include "watch_session.h"

typedef struct cli_watch_poll cli_watch_poll;

typedef struct cli_watch_poll_settings {
	const cli_hooks *hooks; /* the events to report (created(0), sub_tag(T), unsub_tag(T)) */
	const char *key;        /* the webhook key the events are queued under */
	const char *state_path; /* the poll state file */
	long long interval_ms;  /* between polls */
	double share;           /* of the account's rate limit, 0 < share <= 1 */
	int once;               /* one poll, wait for its events' delivery, stop the session */
} cli_watch_poll_settings;

/*
 * Say what polling sees and cannot see and what share it uses, open the state, start the
 * thread. ctx, w and the settings' strings and hooks are borrowed until cli_watch_poll_stop.
 * Returns EXIT_OK and *out, or an exit code (error printed) and *out NULL.
 */
int cli_watch_poll_start(cli_watch_poll **out, cli_ctx *ctx, cli_watch *w,
                         const cli_watch_poll_settings *set);

/* Stop the thread (a poll in flight finishes), close the state, free. Returns rc, or the
 * poll's failure when rc is EXIT_OK. NULL accepted (returns rc). */
int cli_watch_poll_stop(cli_watch_poll *p, int rc);

#endif
