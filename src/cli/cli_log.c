/*
 * cli_log: the log lines of watch and run, as text or JSON (see cli_log.h).
 */
#include "cli_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "banned.h"

/* Set once by cli_log_setup, before any thread starts: read without a lock after. */
static int json_mode;
static char cmd_name[64];

static int format_of(const char *v, int *json)
{
	if (strcmp(v, "text") == 0)
		*json = 0;
	else if (strcmp(v, "json") == 0)
		*json = 1;
	else
		return -1;
	return 0;
}

int cli_log_setup(const char *cmd, const char *flag, char *err, size_t errsz)
{
	const char *env = getenv("ONTRAPORT_LOG_FORMAT");

	snprintf(cmd_name, sizeof cmd_name, "%s", cmd ? cmd : "");
	json_mode = 0;
	if (flag && format_of(flag, &json_mode) < 0)
		return util_errf(err, errsz, -1,
		                 "invalid value '%s' for --log-format: expected text or json",
		                 flag);
	/* an empty variable is an unset one, as for the other ONTRAPORT_ variables */
	if (!flag && env && *env && format_of(env, &json_mode) < 0)
		return util_errf(
		    err, errsz, -1,
		    "invalid value '%s' for ONTRAPORT_LOG_FORMAT: expected text or json", env);
	return 0;
}

int cli_log_json(void)
{
	return json_mode;
}

static const char *level_name(cli_log_level level)
{
	switch (level) {
	case CLI_LOG_DEBUG:
		return "debug";
	case CLI_LOG_WARN:
		return "warn";
	case CLI_LOG_ERROR:
		return "error";
	default:
		return "info";
	}
}

/* "2026-12-07T12:00:00.123Z": UTC, to the millisecond. */
static void timestamp(char *out, size_t n)
{
	struct timespec ts;
	struct tm tm;
	char day[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%03ldZ", day, ts.tv_nsec / 1000000L);
}

/* One write for the whole line (b holds it, newline included): stderr is unbuffered and
 * fwrite holds its lock, so lines of different threads never mix. */
static void write_buf(util_buf *b)
{
	if (util_buf_putc(b, '\n') == 0)
		fwrite(b->data, 1, b->len, stderr);
}

/* msg as a JSON string. A message that is not UTF-8 (a byte of a file name) is kept with its
 * bytes past ASCII shown as '?', rather than the line lost (jansson refuses it). */
static json_t *msg_string(const char *msg)
{
	json_t *s = json_string(msg);
	char *copy;

	if (s || !(copy = util_strdup(msg)))
		return s;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	s = json_string(copy);
	free(copy);
	return s;
}

/* The JSON line of msg, with fields (stolen) after ts, level, cmd and msg. */
static void write_json(cli_log_level level, json_t *fields, const char *msg)
{
	json_t *o = json_object();
	util_buf b = UTIL_BUF_INIT;
	char ts[48], *text;

	timestamp(ts, sizeof ts);
	json_object_set_new(o, "ts", json_string(ts));
	json_object_set_new(o, "level", json_string(level_name(level)));
	json_object_set_new(o, "cmd", json_string(cmd_name));
	json_object_set_new(o, "msg", msg_string(msg));
	if (fields)
		json_object_update(o, fields);
	json_decref(fields);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text && util_buf_puts(&b, text) == 0)
		write_buf(&b);
	free(text);
	util_buf_release(&b);
}

/* The text line's prefix: "ontraport CMD: ". */
static void text_prefix(util_buf *b)
{
	util_buf_printf(b, "ontraport%s%s: ", *cmd_name ? " " : "", cmd_name);
}

static void vlog(cli_log_level level, json_t *fields, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void vlog(cli_log_level level, json_t *fields, const char *fmt, va_list ap)
{
	util_buf b = UTIL_BUF_INIT;

	if (!json_mode)
		text_prefix(&b);
	util_buf_vprintf(&b, fmt, ap);
	if (util_buf_ensure(&b) < 0) {
		json_decref(fields);
	} else if (json_mode) {
		write_json(level, fields, b.data);
	} else {
		json_decref(fields); /* text shows the message only */
		write_buf(&b);
	}
	util_buf_release(&b);
}

void cli_logf(cli_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, NULL, fmt, ap);
	va_end(ap);
}

void cli_logf_with(cli_log_level level, json_t *fields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fields, fmt, ap);
	va_end(ap);
}

/* line without its "ontraport CMD: " or "ontraport: " prefix. */
static const char *unprefixed(const char *line)
{
	static const char prog[] = "ontraport";
	size_t n = strlen(cmd_name);
	const char *p;

	if (!util_starts_with(line, prog))
		return line;
	p = line + sizeof prog - 1;
	if (util_starts_with(p, ": "))
		return p + 2;
	if (*p == ' ' && n && strncmp(p + 1, cmd_name, n) == 0 && util_starts_with(p + 1 + n, ": "))
		return p + 1 + n + 2;
	return line;
}

void cli_log_line(cli_log_level level, const char *line)
{
	util_buf b = UTIL_BUF_INIT;

	if (json_mode) {
		write_json(level, NULL, unprefixed(line));
		return;
	}
	if (util_buf_puts(&b, line) == 0)
		write_buf(&b);
	util_buf_release(&b);
}
