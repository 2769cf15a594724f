/*
 * cli_log (internal to src/cli): the log lines of the long-running commands (`watch`,
 * `run`) on stderr, as text ("ontraport CMD: message", the default) or, with --log-format
 * json (or $ONTRAPORT_LOG_FORMAT=json), one JSON object a line:
 *
 *   {"ts":"2026-12-07T12:00:00.123Z","level":"info","cmd":"watch","msg":"...", ...fields}
 *
 * The format is chosen once (cli_log_setup), before any thread starts; every other
 * function may be called from any thread and writes its line with one write, so lines of
 * different threads never mix. diag.c's errors and notes come here too in json mode.
 */
#ifndef CLI_LOG_H
#define CLI_LOG_H

#include <jansson.h>

#include "cli.h"

/* The option, for the command's table. */
/* clang-format off */
#define CLI_LOG_FORMAT_OPT \
	{.name = "log-format", .kind = CLI_VALUE, .arg = "FORMAT", .help = "the log lines on stderr: text (the default), or json: one object a line with ts, level, cmd and msg (default $ONTRAPORT_LOG_FORMAT; docs/operating.md)"}
/* clang-format on */

typedef enum cli_log_level {
	CLI_LOG_DEBUG,
	CLI_LOG_INFO,
	CLI_LOG_WARN,
	CLI_LOG_ERROR
} cli_log_level;

/*
 * Choose the format: flag (--log-format's value, or NULL), else $ONTRAPORT_LOG_FORMAT, else
 * text; the lines' cmd is `cmd` (the command's path). 0, or -1 with a one-line error naming
 * the bad value in err (the caller's usage error: this module sits below diag.c, which logs
 * through it).
 */
int cli_log_setup(const char *cmd, const char *flag, char *err, size_t errsz);

/* Whether the lines are JSON (cli_log_setup chose json). */
int cli_log_json(void);

/* A line: text "ontraport CMD: <message>"; json {ts, level, cmd, msg}. */
void cli_logf(cli_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The same, with `fields` (an object, stolen; NULL = none) added to the JSON line: event_id,
 * scenario, run_id... Text mode shows the message only.
 */
void cli_logf_with(cli_log_level level, json_t *fields, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A line made elsewhere, written as it is in text mode; in json mode its "ontraport CMD: " or
 * "ontraport: " prefix is left out of msg (the cmd field says it).
 */
void cli_log_line(cli_log_level level, const char *line);

#endif
