/*
 * Output writers: json (an array, written as records arrive), ndjson (a line
 * per record), csv (RFC 4180, columns from the first record), and table (for
 * people: aligned columns fitted to the terminal, widths from the first rows).
 * json, ndjson and csv stream; table holds at most TABLE_SAMPLE rows.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"
#include "cli.h"
#include "banned.h"

#define TABLE_SAMPLE 200
#define COL_MAX 48
#define COL_MIN 6

struct cli_out {
	cli_ctx *ctx;
	cli_format fmt;
	size_t count;
	char **cols;
	size_t ncols;
	int header_done;
	json_t *sample; /* table: rows held until widths are known */
	size_t *widths;
	int failed;
	int fixed;   /* columns were given: records add none */
	int aborted; /* cli_out_fail */
};

static int add_col(cli_out *o, const char *name)
{
	size_t i;
	char **nc;

	for (i = 0; i < o->ncols; i++)
		if (strcmp(o->cols[i], name) == 0)
			return 0;
	nc = realloc(o->cols, (o->ncols + 1) * sizeof *nc);
	if (!nc)
		return -1;
	o->cols = nc;
	o->cols[o->ncols] = util_strdup(name);
	if (!o->cols[o->ncols])
		return -1;
	o->ncols++;
	return 0;
}

cli_out *cli_out_begin(cli_ctx *ctx, const char *const *columns)
{
	cli_out *o = calloc(1, sizeof *o);

	if (!o)
		return NULL;
	o->ctx = ctx;
	o->fmt = ctx->format;
	for (; columns && *columns; columns++) {
		if (add_col(o, *columns) < 0)
			o->failed = 1;
		o->fixed = 1;
	}
	if (o->fmt == FMT_TABLE)
		o->sample = json_array();
	return o;
}

/* Text of a value for csv cells (as stored). New string. */
static char *cell_text(json_t *v)
{
	char num[64];

	if (!v || json_is_null(v))
		return util_strdup("");
	if (json_is_string(v))
		return util_strndup(json_string_value(v), json_string_length(v));
	if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		return util_strdup(num);
	}
	if (json_is_real(v)) {
		snprintf(num, sizeof num, "%.17g", json_real_value(v));
		return util_strdup(num);
	}
	if (json_is_boolean(v))
		return util_strdup(json_is_true(v) ? "true" : "false");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Text of a value for a table cell: controls shown as escapes (safetext.c). New string. */
static char *table_text(json_t *v)
{
	char *t = cell_text(v), *vis = t ? cli_visible_text(t) : NULL;

	free(t);
	return vis;
}

static void csv_write(const char *s, int quote)
{
	if (quote || strpbrk(s, ",\"\r\n") || (*s == ' ') || (*s && s[strlen(s) - 1] == ' ')) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
}

/* A CSV field, made safe unless --raw-csv (safetext.c); a neutralised formula is quoted. */
static void csv_field(cli_out *o, const char *s)
{
	char *safe;

	if (o->ctx->raw_csv) {
		csv_write(s, 0);
		return;
	}
	if (!(safe = cli_csv_safe(s))) {
		o->failed = 1; /* out of memory: an empty cell rather than an unsafe one */
		csv_write("", 0);
		return;
	}
	csv_write(safe, cli_csv_formula(s));
	free(safe);
}

static void csv_row(cli_out *o, json_t *rec)
{
	size_t i;

	for (i = 0; i < o->ncols; i++) {
		char *t = cell_text(json_object_get(rec, o->cols[i]));
		if (i)
			putchar(',');
		csv_field(o, t ? t : "");
		free(t);
	}
	fputs("\r\n", stdout);
}

/* Display width in characters of UTF-8 text (one column per code point). */
static size_t text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

/* Print s in exactly `width` columns: padded, or cut short and marked with '~'. */
static void table_cell(const char *s, size_t width, int last)
{
	size_t total = text_width(s), keep = total <= width ? total : (width ? width - 1 : 0);
	size_t w = 0;
	const char *p;

	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c & 0xC0) != 0x80 && w++ == keep)
			break;
		putchar(c == '\n' || c == '\r' || c == '\t' ? ' ' : (char)c);
	}
	w = keep;
	if (total > width && width) {
		putchar('~');
		w++;
	}
	if (!last)
		for (; w < width; w++)
			putchar(' ');
}

static size_t term_width(const cli_ctx *ctx)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");
	long long v;

	if (ctx->stdout_tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (c && util_parse_ll(c, 20, 10000, &v) == 0)
		return (size_t)v;
	return ctx->stdout_tty ? 80 : 0; /* 0 = no limit when writing to a file */
}

static void table_compute_widths(cli_out *o)
{
	size_t i, r, total = 0, limit = term_width(o->ctx);

	o->widths = calloc(o->ncols ? o->ncols : 1, sizeof *o->widths);
	if (!o->widths)
		return;
	for (i = 0; i < o->ncols; i++) {
		char *name = cli_visible_text(o->cols[i]);
		size_t w = name ? text_width(name) : 0;
		free(name);
		for (r = 0; r < json_array_size(o->sample); r++) {
			char *t =
			    table_text(json_object_get(json_array_get(o->sample, r), o->cols[i]));
			if (t) {
				size_t tw = text_width(t);
				if (tw > w)
					w = tw;
				free(t);
			}
		}
		o->widths[i] = w > COL_MAX ? COL_MAX : w;
		total += o->widths[i] + 2;
	}
	/* Fit the terminal: shrink the widest column until it fits or all are narrow. */
	while (limit && total > limit) {
		size_t wi = 0;
		for (i = 1; i < o->ncols; i++)
			if (o->widths[i] > o->widths[wi])
				wi = i;
		if (o->widths[wi] <= COL_MIN)
			break;
		o->widths[wi]--;
		total--;
	}
}

static void table_row_cells(cli_out *o, json_t *rec, int header)
{
	size_t i;

	if (header && cli_colour_out)
		fputs("\033[1m", stdout); /* a bold header row on a colour terminal */
	for (i = 0; i < o->ncols; i++) {
		char *t = header ? cli_visible_text(o->cols[i])
		                 : table_text(json_object_get(rec, o->cols[i]));
		if (i)
			fputs("  ", stdout);
		table_cell(t ? t : "", o->widths[i], i + 1 == o->ncols);
		free(t);
	}
	if (header && cli_colour_out)
		fputs("\033[0m", stdout);
	putchar('\n');
}

static void table_flush(cli_out *o)
{
	size_t r;

	if (!o->sample)
		return;
	if (!o->widths)
		table_compute_widths(o);
	if (!o->widths)
		return;
	if (!o->header_done && o->ncols) {
		table_row_cells(o, NULL, 1);
		o->header_done = 1;
	}
	for (r = 0; r < json_array_size(o->sample); r++)
		table_row_cells(o, json_array_get(o->sample, r), 0);
	json_array_clear(o->sample);
}

static void keys_from(cli_out *o, json_t *rec)
{
	const char *k;
	json_t *v;

	json_object_foreach(rec, k, v) if (add_col(o, k) < 0) o->failed = 1;
}

/* A JSON value pretty-printed and indented by two spaces (for the json array). */
static void json_indented(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);
	const char *p;

	if (!s)
		return;
	fputs("  ", stdout);
	for (p = s; *p; p++) {
		putchar(*p);
		if (*p == '\n')
			fputs("  ", stdout);
	}
	free(s);
}

int cli_out_record(cli_out *o, json_t *rec)
{
	char *s;

	if (!o)
		return -1;
	switch (o->fmt) {
	case FMT_NDJSON:
		s = json_dumps(rec, JSON_COMPACT | JSON_ENCODE_ANY);
		if (s) {
			puts(s);
			free(s);
		}
		break;
	case FMT_CSV:
		if (!o->header_done) {
			if (!o->ncols)
				keys_from(o, rec);
			for (size_t i = 0; i < o->ncols; i++) {
				if (i)
					putchar(',');
				csv_field(o, o->cols[i]);
			}
			fputs("\r\n", stdout);
			o->header_done = 1;
		}
		csv_row(o, rec);
		break;
	case FMT_TABLE:
		if (!o->widths) {
			if (json_is_object(rec) && !o->fixed)
				keys_from(o, rec);
			json_array_append(o->sample, rec);
			if (json_array_size(o->sample) >= TABLE_SAMPLE)
				table_flush(o);
		} else {
			table_row_cells(o, rec, 0);
		}
		break;
	default:
		fputs(o->count ? ",\n" : "[\n", stdout);
		json_indented(rec);
		break;
	}
	o->count++;
	return ferror(stdout) ? -1 : 0;
}

void cli_out_fail(cli_out *o)
{
	if (o)
		o->aborted = 1;
}

int cli_out_end(cli_out *o)
{
	size_t i;
	int rc;

	if (!o)
		return -1;
	if (o->aborted && !o->count)
		; /* a failure, not an empty answer: nothing on stdout */
	else if (o->fmt == FMT_JSON)
		fputs(o->count ? "\n]\n" : "[]\n", stdout);
	else if (o->fmt == FMT_TABLE) {
		table_flush(o);
		if (!o->count && !o->ctx->quiet)
			fprintf(stderr, "(no results)\n");
	} else if (o->fmt == FMT_CSV && !o->header_done && o->ncols) {
		for (i = 0; i < o->ncols; i++) {
			if (i)
				putchar(',');
			csv_field(o, o->cols[i]);
		}
		fputs("\r\n", stdout);
	}
	rc = (o->failed || ferror(stdout)) ? -1 : 0;
	for (i = 0; i < o->ncols; i++)
		free(o->cols[i]);
	free(o->cols);
	free(o->widths);
	json_decref(o->sample);
	free(o);
	return rc;
}

int cli_print_json(cli_ctx *ctx, json_t *v)
{
	size_t flags = ctx->format == FMT_NDJSON ? JSON_COMPACT : JSON_INDENT(2);
	char *s = json_dumps(v, flags | JSON_ENCODE_ANY);

	if (!s)
		return -1;
	puts(s);
	free(s);
	return ferror(stdout) ? -1 : 0;
}

/* One record shown for people: a "field  value" line per member. */
static int print_record_vertical(json_t *rec)
{
	const char *k;
	json_t *v;
	size_t w = 0;

	json_object_foreach(rec, k, v)
	{
		char *name = cli_visible_text(k);
		if (name && text_width(name) > w)
			w = text_width(name);
		free(name);
	}
	json_object_foreach(rec, k, v)
	{
		char *name = cli_visible_text(k), *t = table_text(v);
		size_t pad = name ? w - text_width(name) : w;
		printf("%s%*s  %s\n", name ? name : "", (int)pad, "", t ? t : "");
		free(name);
		free(t);
	}
	return ferror(stdout) ? -1 : 0;
}

int cli_out_value(cli_ctx *ctx, json_t *value)
{
	size_t i;
	json_t *v;

	if (json_is_array(value)) {
		int all_objects = 1;
		json_array_foreach(value, i, v) if (!json_is_object(v)) all_objects = 0;
		if (all_objects && (ctx->format != FMT_JSON || json_array_size(value) == 0)) {
			cli_out *o = cli_out_begin(ctx, NULL);
			json_array_foreach(value, i, v) cli_out_record(o, v);
			return cli_out_end(o);
		}
	}
	if (json_is_object(value) && ctx->format == FMT_TABLE)
		return print_record_vertical(value);
	if (json_is_object(value) && ctx->format == FMT_CSV) {
		cli_out *o = cli_out_begin(ctx, NULL);
		cli_out_record(o, value);
		return cli_out_end(o);
	}
	if (ctx->format == FMT_TABLE && json_is_string(value)) {
		char *t = cli_visible_lines(json_string_value(value));
		puts(t ? t : "");
		free(t);
		return ferror(stdout) ? -1 : 0;
	}
	return cli_print_json(ctx, value);
}
