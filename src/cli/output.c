/*
 * Output writers: json (an array, written as records arrive), ndjson (a line
 * per record), csv (RFC 4180, columns from the first record), and table (for
 * people: aligned columns at their full width, widths from the first rows;
 * when they do not fit the terminal, each record laid out vertically).
 * json, ndjson and csv stream; table holds at most TABLE_SAMPLE rows.
 *
 * Records of a known object type (cli_out_type) are shown for people:
 * date fields as --dates says, subscription fields (tags, sequences,
 * campaigns) as names in a table.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "cli.h"
#include "banned.h"

#define TABLE_SAMPLE 200

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
	int fixed;    /* columns were given: records add none */
	int aborted;  /* cli_out_fail */
	int vertical; /* table: the columns do not fit the terminal; a record at a time */
};

/* ---- records shown for people: dates and names ---- */

/* How a field is shown: as stored, a date-time, a date, or the names of the ids it lists. */
enum kind { K_NONE, K_TIME, K_DATE, K_TAGS, K_SEQUENCES, K_CAMPAIGNS };

struct cli_show {
	json_t *kinds;                  /* field name -> kind (integer); NULL until looked up */
	json_t *names[K_CAMPAIGNS + 1]; /* per name kind: id (text) -> name */
};

void cli_out_type(cli_ctx *ctx, int type)
{
	ctx->rec_type = type;
	ctx->rec_type_set = 1;
}

static enum kind kind_of(const char *field, const char *type)
{
	if (!type)
		return K_NONE;
	if (strcmp(type, "timestamp") == 0)
		return K_TIME;
	if (strcmp(type, "fulldate") == 0 || strcmp(type, "date") == 0)
		return K_DATE;
	if (strcmp(type, "subscription") != 0)
		return K_NONE;
	if (strcmp(field, "contact_cat") == 0)
		return K_TAGS;
	if (strcmp(field, "updateSequence") == 0)
		return K_SEQUENCES;
	if (strcmp(field, "updateCampaign") == 0)
		return K_CAMPAIGNS;
	return K_NONE;
}

/* The kinds of the type's fields, from its metadata; without it, the usual date fields. */
static json_t *field_kinds(cli_ctx *ctx)
{
	static const char *const usual[] = {"date", "dlm", "dla"};
	json_t *kinds = json_object(), *def;
	const json_t *defs = NULL;
	ontra_client *c;
	const char *name;
	size_t i;

	if (!kinds)
		return NULL;
	if (ctx->rec_type_set && cli_client(ctx, &c) == EXIT_OK &&
	    ontra_fields(&defs, c, ctx->rec_type) == 0) {
		json_object_foreach((json_t *)defs, name, def)
		{
			enum kind k =
			    kind_of(name, json_string_value(json_object_get(def, "type")));
			if (k != K_NONE)
				json_object_set_new(kinds, name, json_integer(k));
		}
		return kinds;
	}
	for (i = 0; i < sizeof usual / sizeof *usual; i++)
		json_object_set_new(kinds, usual[i], json_integer(K_TIME));
	return kinds;
}

/* Seconds since the epoch in a value (a number or digits), or -1. */
static long long epoch_of(const json_t *v)
{
	long long t;

	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? json_integer_value(v) : -1;
	if (json_is_string(v) && util_parse_ll(json_string_value(v), 1, 253402300799LL, &t) == 0)
		return t;
	return -1;
}

/* A date-time for people (table) or ISO 8601 (json, csv); a date alone for a date field. */
static json_t *date_text(const cli_ctx *ctx, long long t, enum kind k)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];
	int utc = ctx->dates == CLI_DATES_UTC || k == K_DATE, table = ctx->format == FMT_TABLE;

	if (!(utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)))
		return NULL;
	if (k == K_DATE)
		strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
	else if (table)
		strftime(buf, sizeof buf, utc ? "%Y-%m-%d %H:%M:%S UTC" : "%Y-%m-%d %H:%M:%S", &tm);
	else if (strftime(buf, sizeof buf, utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S%z",
	                  &tm) == 24) { /* +0900 as +09:00 */
		memmove(buf + 23, buf + 22, 3);
		buf[22] = ':';
	}
	return json_string(buf);
}

/* The text of an id (a number or a string), or NULL. New string. */
static char *id_text(const json_t *v)
{
	char num[32];

	if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		return util_strdup(num);
	}
	return json_is_string(v) ? util_strdup(json_string_value(v)) : NULL;
}

struct fetch {
	json_t *names;
	enum kind k;
};

static int on_named(json_t *rec, void *ud)
{
	struct fetch *f = ud;
	const char *name =
	    json_string_value(json_object_get(rec, f->k == K_TAGS ? "tag_name" : "name"));
	char *id = id_text(json_object_get(rec, f->k == K_TAGS ? "tag_id" : "id"));

	if (name && id)
		json_object_set_new(f->names, id, json_string(name));
	free(id);
	return 0;
}

/* Looks up the names of ids of one kind with one search; what is not found stays an id. */
static void names_fetch(cli_ctx *ctx, enum kind k, const long long *ids, size_t n)
{
	static const int types[] = {
	    [K_TAGS] = ONTRA_TAG, [K_SEQUENCES] = ONTRA_SEQUENCE, [K_CAMPAIGNS] = ONTRA_CAMPAIGN};
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	struct fetch f = {ctx->show->names[k], k};
	ontra_client *c;
	size_t i;
	char id[32];

	if (!n || cli_client(ctx, &c) != EXIT_OK)
		return;
	o.object_type = types[k];
	o.ids = ids;
	o.ids_count = n;
	(void)ontra_search(c, &o, on_named, &f);
	for (i = 0; i < n; i++) { /* asked once: an id without a record shows as the id */
		snprintf(id, sizeof id, "%lld", ids[i]);
		if (!json_object_get(f.names, id))
			json_object_set_new(f.names, id, json_null());
	}
}

/* The ids of a star-slash list not yet named, into ids (up to cap); returns how many. */
static size_t unnamed_ids(const json_t *names, const char *list, long long *ids, size_t n,
                          size_t cap)
{
	const char *p = list;

	while (*p && n < cap) {
		long long id;
		char num[32];
		size_t len;
		p += strspn(p, "*/, ");
		len = strspn(p, "0123456789");
		if (!len)
			break;
		snprintf(num, sizeof num, "%.*s", (int)(len < 31 ? len : 31), p);
		p += len;
		if (util_parse_ll(num, 1, ONTRA_ID_MAX, &id) == 0 && !json_object_get(names, num)) {
			size_t j;
			for (j = 0; j < n && ids[j] != id; j++)
				;
			if (j == n)
				ids[n++] = id;
		}
	}
	return n;
}

/* The names of the ids in a star-slash list, joined by ", " (an id without a name as itself). */
static json_t *names_text(const json_t *names, const char *list)
{
	util_buf b = UTIL_BUF_INIT;
	const char *p = list;
	json_t *out;

	while (*p) {
		char num[32];
		size_t len;
		const char *name;
		p += strspn(p, "*/, ");
		len = strspn(p, "0123456789");
		if (!len)
			break;
		snprintf(num, sizeof num, "%.*s", (int)(len < 31 ? len : 31), p);
		p += len;
		name = json_string_value(json_object_get(names, num));
		util_buf_printf(&b, "%s%s", b.len ? ", " : "", name ? name : num);
	}
	if (util_buf_ensure(&b) < 0)
		return NULL;
	out = json_string(b.data);
	util_buf_release(&b);
	return out;
}

static struct cli_show *show_state(cli_ctx *ctx)
{
	enum kind k;

	if (!ctx->show && (ctx->show = calloc(1, sizeof *ctx->show)) != NULL) {
		ctx->show->kinds = field_kinds(ctx);
		for (k = K_TAGS; k <= K_CAMPAIGNS; k++)
			ctx->show->names[k] = json_object();
	}
	return ctx->show;
}

void cli_out_release(cli_ctx *ctx)
{
	enum kind k;

	if (!ctx->show)
		return;
	json_decref(ctx->show->kinds);
	for (k = K_TAGS; k <= K_CAMPAIGNS; k++)
		json_decref(ctx->show->names[k]);
	free(ctx->show);
	ctx->show = NULL;
}

/* Names for the subscription fields of these records, one search per kind still unknown. */
static void names_prefetch(cli_ctx *ctx, json_t *recs)
{
	struct cli_show *sh = show_state(ctx);
	long long ids[500];
	const char *field;
	json_t *kv;
	enum kind k;

	if (!sh || !sh->kinds || ctx->format != FMT_TABLE)
		return;
	for (k = K_TAGS; k <= K_CAMPAIGNS; k++) {
		size_t n = 0, r;
		if (!sh->names[k])
			continue;
		for (r = 0; r < (json_is_array(recs) ? json_array_size(recs) : 1); r++) {
			json_t *rec = json_is_array(recs) ? json_array_get(recs, r) : recs;
			json_object_foreach(sh->kinds, field, kv)
			{
				const char *list = json_string_value(json_object_get(rec, field));
				if (json_integer_value(kv) == k && list)
					n = unnamed_ids(sh->names[k], list, ids, n,
					                sizeof ids / sizeof *ids);
			}
		}
		names_fetch(ctx, k, ids, n);
	}
}

/* Whether records need changing to be shown: dates not as stored, or names in a table. */
static int show_needed(const cli_ctx *ctx)
{
	return (ctx->dates && ctx->dates != CLI_DATES_EPOCH) ||
	       (ctx->format == FMT_TABLE && ctx->rec_type_set);
}

/* The record as shown: a new reference (the record itself when nothing changes). */
static json_t *shown(cli_ctx *ctx, json_t *rec)
{
	struct cli_show *sh;
	const char *field;
	json_t *kv, *copy;

	if (!json_is_object(rec) || !show_needed(ctx) || !(sh = show_state(ctx)) || !sh->kinds)
		return json_incref(rec);
	if (!(copy = json_copy(rec)))
		return json_incref(rec);
	names_prefetch(ctx, rec);
	json_object_foreach(sh->kinds, field, kv)
	{
		enum kind k = (enum kind)json_integer_value(kv);
		json_t *v = json_object_get(rec, field), *nv = NULL;
		long long t;
		if (!v)
			continue;
		if ((k == K_TIME || k == K_DATE) && ctx->dates != CLI_DATES_EPOCH && ctx->dates &&
		    (t = epoch_of(v)) > 0)
			nv = date_text(ctx, t, k);
		else if (k >= K_TAGS && ctx->format == FMT_TABLE && json_is_string(v))
			nv = names_text(sh->names[k], json_string_value(v));
		if (nv)
			json_object_set_new(copy, field, nv);
	}
	return copy;
}

json_t *cli_nonempty(json_t *rec)
{
	json_t *copy = json_object(), *v;
	const char *k;

	if (!copy)
		return json_incref(rec);
	json_object_foreach(rec, k, v) if (!json_is_null(v) &&
	                                   !(json_is_string(v) && !*json_string_value(v)))
	    json_object_set(copy, k, v);
	return copy;
}

void cli_ids_as_text(json_t *rec)
{
	const char *k;
	json_t *v;
	size_t len;
	char num[32];

	json_object_foreach(rec, k, v)
	{
		len = strlen(k);
		if (json_is_integer(v) &&
		    (strcmp(k, "id") == 0 || (len > 3 && strcmp(k + len - 3, "_id") == 0))) {
			snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
			json_object_set_new(rec, k, json_string(num));
		}
	}
}

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

/* Print s in at least `width` columns: padded, never cut (a wider cell pushes the row on). */
static void table_cell(const char *s, size_t width, int last)
{
	size_t w = text_width(s);
	const char *p;

	for (p = s; *p; p++)
		putchar(*p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p);
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
		o->widths[i] = w;
		total += o->widths[i] + 2;
	}
	/* Too wide for the terminal: a record at a time, a "field  value" line each. */
	o->vertical = limit && total > limit + 2;
}

static void print_pairs(cli_out *o, json_t *rec);

static void table_row_cells(cli_out *o, json_t *rec, int header)
{
	size_t i;

	if (o->vertical) {
		if (!header)
			print_pairs(o, rec);
		return;
	}

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
	if (!o->widths) {
		/* names for the whole sample at once, then each row as shown */
		names_prefetch(o->ctx, o->sample);
		for (r = 0; r < json_array_size(o->sample); r++)
			json_array_set_new(o->sample, r,
			                   shown(o->ctx, json_array_get(o->sample, r)));
		table_compute_widths(o);
	}
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

/* One record in json, ndjson or csv, as shown (dates as --dates says). */
static void stream_record(cli_out *o, json_t *raw)
{
	json_t *rec = shown(o->ctx, raw);
	char *s;

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
	default:
		fputs(o->count ? ",\n" : "[\n", stdout);
		json_indented(rec);
		break;
	}
	json_decref(rec);
}

int cli_out_record(cli_out *o, json_t *rec)
{
	if (!o)
		return -1;
	if (o->fmt != FMT_TABLE) {
		stream_record(o, rec);
	} else if (!o->widths) {
		if (json_is_object(rec) && !o->fixed)
			keys_from(o, rec);
		json_array_append(o->sample, rec);
		if (json_array_size(o->sample) >= TABLE_SAMPLE)
			table_flush(o);
	} else {
		json_t *r = shown(o->ctx, rec);
		table_row_cells(o, r, 0);
		json_decref(r);
	}
	o->count++;
	return ferror(stdout) ? -1 : 0;
}

int cli_out_as_text(const cli_ctx *ctx)
{
	return (ctx->format == FMT_JSON || ctx->format == FMT_NDJSON) && !show_needed(ctx);
}

/* JSON text as json_dumps lays it out: compact for ndjson, else indented by 2 and margin. */
static int text_write(cli_format fmt, const char *json, size_t len, int margin)
{
	util_buf b = UTIL_BUF_INIT;
	int rc = 0;

	if (fmt == FMT_NDJSON) {
		fwrite(json, 1, len, stdout);
	} else {
		util_json_indent(&b, json, len, 2, margin);
		if (util_buf_ensure(&b) < 0)
			rc = -1;
		else
			fwrite(b.data, 1, b.len, stdout);
		util_buf_release(&b);
	}
	return rc;
}

int cli_out_record_text(cli_out *o, const char *json, size_t len)
{
	if (!o)
		return -1;
	if (o->fmt == FMT_JSON)
		fputs(o->count ? ",\n  " : "[\n  ", stdout);
	if (text_write(o->fmt, json, len, 2) < 0)
		o->failed = 1;
	if (o->fmt == FMT_NDJSON)
		putchar('\n');
	o->count++;
	return ferror(stdout) ? -1 : 0;
}

int cli_out_value_text(cli_ctx *ctx, const char *json, size_t len)
{
	if (text_write(ctx->format, json, len, 0) < 0)
		return -1;
	putchar('\n');
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

/* One record for people: a "field  value" line for each of `cols` (NULL: every member). */
static void record_lines(json_t *rec, char *const *cols, size_t ncols)
{
	const char *k;
	json_t *v;
	size_t w = 0, i, n = cols ? ncols : json_object_size(rec);
	void *it = json_object_iter(rec);

	for (i = 0; i < n; i++) {
		char *name = cli_visible_text(cols ? cols[i] : json_object_iter_key(it));
		if (name && text_width(name) > w)
			w = text_width(name);
		free(name);
		if (!cols)
			it = json_object_iter_next(rec, it);
	}
	it = json_object_iter(rec);
	for (i = 0; i < n; i++) {
		k = cols ? cols[i] : json_object_iter_key(it);
		v = cols ? json_object_get(rec, k) : json_object_iter_value(it);
		char *name = cli_visible_text(k), *t = table_text(v);
		size_t pad = name ? w - text_width(name) : w;
		printf("%s%*s  %s\n", name ? name : "", (int)pad, "", t ? t : "");
		free(name);
		free(t);
		if (!cols)
			it = json_object_iter_next(rec, it);
	}
}

/* A table row laid out vertically (the columns are too wide): a blank line between records. */
static void print_pairs(cli_out *o, json_t *rec)
{
	if (o->vertical++ > 1)
		putchar('\n');
	record_lines(rec, o->cols, o->ncols);
}

/* One record shown for people, every member. */
static int print_record_vertical(cli_ctx *ctx, json_t *raw)
{
	json_t *rec = shown(ctx, raw);

	record_lines(rec, NULL, 0);
	json_decref(rec);
	return ferror(stdout) ? -1 : 0;
}

int cli_out_value(cli_ctx *ctx, json_t *value)
{
	size_t i;
	json_t *v;

	if (json_is_array(value)) {
		int all_objects = 1;
		json_array_foreach(value, i, v) if (!json_is_object(v)) all_objects = 0;
		if (all_objects &&
		    (ctx->format != FMT_JSON || json_array_size(value) == 0 || show_needed(ctx))) {
			cli_out *o = cli_out_begin(ctx, NULL);
			json_array_foreach(value, i, v) cli_out_record(o, v);
			return cli_out_end(o);
		}
	}
	if (json_is_object(value) && ctx->format == FMT_TABLE)
		return print_record_vertical(ctx, value);
	if (json_is_object(value) && (ctx->format == FMT_JSON || ctx->format == FMT_NDJSON) &&
	    show_needed(ctx)) {
		json_t *rec = shown(ctx, value);
		int rc = cli_print_json(ctx, rec);
		json_decref(rec);
		return rc;
	}
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
