/*
 * Helpers shared by `watch` and `webhooks subscribe`: the events to
 * subscribe (--event, --type, --tag, --form, --product, --data-format) resolved into
 * (event, target) pairs, and durations. Each prints its own error.
 */
#ifndef CLI_SUBSCRIPTIONS_H
#define CLI_SUBSCRIPTIONS_H

#include <stdint.h>

#include "cli.h"

/* The options cli_hooks_from_args reads, for a command's option table. */
/* clang-format off */
#define CLI_HOOK_OPTS \
	{.name = "event", .short_name = 'e', .kind = CLI_LIST, .arg = "EVENT", .help = "created, tagged, untagged, form-submitted, purchased or transaction-created (repeatable; default created)"}, \
	{.name = "type", .short_name = 't', .kind = CLI_VALUE, .arg = "TYPE", .help = "object type for the created event only: a name or number (default contacts)"}, \
	{.name = "tag", .kind = CLI_LIST, .arg = "NAME|ID", .help = "for tagged and untagged: the tag (repeatable)"}, \
	{.name = "form", .kind = CLI_LIST, .arg = "ID|NAME", .help = "for form-submitted: the form (repeatable)"}, \
	{.name = "product", .kind = CLI_LIST, .arg = "NAME|ID", .help = "for purchased and transaction-created: the product (repeatable)"}, \
	{.name = "data-format", .kind = CLI_VALUE, .arg = "FORMAT", .help = "what each event carries: full (default), notify or lightweight"}
/* clang-format on */

typedef struct cli_hook {
	ontra_webhook_event event;
	long long target; /* object type, tag, form or product id */
	char what[160];   /* for notes: "sub_tag(3) (tag VIP)" */
} cli_hook;

typedef struct cli_hooks {
	cli_hook *v;
	size_t n;
	ontra_webhook_format format;
	int type; /* --type, resolved (contacts by default) */
} cli_hooks;

/*
 * Read --event (CLI_LIST; default "created"), --type, --tag (CLI_LIST),
 * --form (CLI_LIST), --product (CLI_LIST) and --data-format from args, check that they fit
 * together, resolve names through the API (tags by name, forms by name,
 * types by name), and fill *out with one entry per event and target.
 * Returns EXIT_OK, or an exit code (error printed). Release with
 * cli_hooks_release.
 */
int cli_hooks_from_args(cli_ctx *ctx, cli_args *args, cli_hooks *out);
void cli_hooks_release(cli_hooks *h);

/* One --event word (created, tagged, sub_tag, ...): EXIT_OK and *out, or a usage error
 * (printed, with the nearest word). */
int cli_hook_event_word(cli_ctx *ctx, const char *word, ontra_webhook_event *out);

/*
 * One subscription to add by hand (for `run`, whose scenarios name their own events):
 * `event` in the words --event takes, `target` the object type, tag or form id, `label`
 * (may be NULL) what the notes call it. cli_hooks_format reads a --data-format word.
 */
int cli_hooks_add(cli_ctx *ctx, cli_hooks *h, const char *event, long long target,
                  const char *label);
int cli_hooks_format(cli_ctx *ctx, const char *format, ontra_webhook_format *out);

/*
 * A duration: a whole number followed by ms, s, m, h or d ("250ms", "2s",
 * "7d"); a bare number is seconds. Returns 0 and *ms, or -1.
 */
int cli_parse_duration(const char *s, long long *ms);

/* A --NAME DURATION option within [min_ms, max_ms]; absent = dflt. Prints a usage error. */
int cli_duration_opt(cli_ctx *ctx, cli_args *args, const char *name, long long min_ms,
                     long long max_ms, long long dflt, long long *out);

/* --before AGE|DATE (required): an age before now (7d, 12h) or a UTC date, as ms since the
 * epoch. Prints a usage error. */
int cli_before_opt(cli_ctx *ctx, cli_args *args, int64_t *ms);

#endif
