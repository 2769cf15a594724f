/*
 * `ontraport objects import FILE`: rows of a CSV file (a header row, then
 * one object a row) or NDJSON (one JSON object a line) written to the
 * account, one row at a time at the pace the library keeps, resumable from
 * a checkpoint (import_state.h). What is promised is in docs/guide/objects.md
 * ("Importing a file"); the reasoning is here:
 *
 *  - Rows go in order and one at a time, so at any moment at most one row is
 *    "sent but not recorded": the one after the checkpoint. On resume that
 *    row is sent again when doing so is harmless (an upsert merges by its
 *    key; an update sets the same values) and looked up by its key first when
 *    it is not (--create-only: a second create would duplicate it).
 *  - Rows before the checkpoint are read (to reach the point and to check,
 *    by a hash of their bytes, that the input is the same) but not sent.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "import_state.h"
#include "object_input.h"
#include "util.h"
#include "banned.h"

#define CHUNK (64 * 1024)
#define LINE_MAX_BYTES (1024 * 1024)
#define TAGS_MAX 100

enum imp_mode { MODE_UPSERT, MODE_CREATE, MODE_UPDATE };
static const char *const mode_names[] = {"upsert", "create-only", "update-only"};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1; /* SA_RESETHAND: a second one ends the process at once */
}

typedef struct imp {
	cli_ctx *ctx;
	ontra_client *c;
	int type;
	const char *tname;
	const json_t *fdefs;
	enum imp_mode mode;
	const char *key;     /* the key's field name (borrowed from fdefs) */
	const char *tag_col; /* the column of tag names */
	int ndjson;
	const char *path; /* "-" for stdin */
	/* input */
	FILE *in;
	char *buf;
	size_t len, pos;
	int eof;
	long long in_size; /* bytes of a regular file, else -1 */
	util_csv_row row;
	char **header; /* CSV column names */
	size_t ncols;
	/* progress and durability */
	cli_import_state st;
	const char *ckpt;
	FILE *rejects;
	long long row_no; /* the row being handled (a spreadsheet's numbering: the header is 1) */
	int uncertain;    /* this row may have been sent by the run a checkpoint stopped */
	long long nread, created, updated, rejected, skipped;
	double t0, last_draw;
	long long off0; /* offset where this run began sending */
	int progress;
} imp;

/* ---- reading records ---- */

/* Read more input into the buffer; 0, or -1 on a read error (printed). */
static int fill(imp *m)
{
	char *nb;

	if (m->pos) {
		memmove(m->buf, m->buf + m->pos, m->len - m->pos);
		m->len -= m->pos;
		m->pos = 0;
	}
	if (!(nb = realloc(m->buf, m->len + CHUNK)))
		return cli_error(EXIT_ERROR, "out of memory"), -1;
	m->buf = nb;
	size_t got = fread(m->buf + m->len, 1, CHUNK, m->in);
	m->len += got;
	if (got < CHUNK) {
		if (ferror(m->in))
			return cli_error(EXIT_ERROR, "cannot read '%s': %s", m->path,
			                 strerror(errno)),
			       -1;
		m->eof = feof(m->in) != 0;
	}
	return 0;
}

/* Consume n bytes of the buffer as one record: hash, offset, count. */
static void consume(imp *m, size_t n)
{
	m->st.hash = cli_import_hash(m->st.hash, m->buf + m->pos, n);
	m->st.offset += (long long)n;
	m->pos += n;
	m->row_no++;
}

/*
 * The next CSV record into m->row: 1, 0 at the end, or a negated exit code
 * (the error printed).
 */
static int next_csv(imp *m)
{
	char err[160];
	size_t used;
	int rc;

	if (!m->buf && fill(m) < 0) /* a buffer before any pointer arithmetic on it */
		return -EXIT_ERROR;
	for (;;) {
		rc = util_csv_record(&m->row, m->buf + m->pos, m->len - m->pos, m->eof, NULL, &used,
		                     err, sizeof err);
		if (rc == UTIL_CSV_RECORD) {
			consume(m, used);
			return 1;
		}
		if (rc == UTIL_CSV_MORE && m->eof)
			return 0;
		if (rc == UTIL_CSV_MORE) {
			if (fill(m) < 0)
				return -EXIT_ERROR;
			continue;
		}
		cli_error(EXIT_INVALID, "%s: row %lld: %s", m->path, m->row_no + 1, err);
		return -EXIT_INVALID;
	}
}

/* The next NDJSON line: 1 with *line and *n (CR and LF cut), 0 at the end, or a negated exit code.
 */
static int next_line(imp *m, const char **line, size_t *n)
{
	if (!m->buf && fill(m) < 0) /* a buffer before any pointer arithmetic on it */
		return -EXIT_ERROR;
	for (;;) {
		char *nl = memchr(m->buf + m->pos, '\n', m->len - m->pos);
		size_t take;
		if (!nl && !m->eof && m->len - m->pos <= LINE_MAX_BYTES) {
			if (fill(m) < 0)
				return -EXIT_ERROR;
			continue;
		}
		if (!nl && m->len == m->pos)
			return 0;
		if (!nl && m->len - m->pos > LINE_MAX_BYTES) {
			cli_error(EXIT_INVALID, "%s: line %lld: longer than %d bytes", m->path,
			          m->row_no + 1, LINE_MAX_BYTES);
			return -EXIT_INVALID;
		}
		take = nl ? (size_t)(nl - (m->buf + m->pos)) + 1 : m->len - m->pos;
		*line = m->buf + m->pos;
		*n = take - (nl ? 1 : 0);
		if (*n && (*line)[*n - 1] == '\r')
			(*n)--;
		consume(m, take);
		return 1;
	}
}

/* ---- fields ---- */

/* The field a column or key names (a field name, or an alias), or NULL. */
static const char *field_of(const imp *m, const char *name)
{
	const char *f;
	json_t *def;

	if (json_object_get(m->fdefs, name)) {
		json_object_foreach((json_t *)m->fdefs, f, def) if (strcmp(f, name) == 0) return f;
	}
	json_object_foreach((json_t *)m->fdefs, f, def)
	{
		if (util_strieq(json_string_value(json_object_get(def, "alias")), name))
			return f;
	}
	return NULL;
}

/* The message ontra_fields_check gives for an unknown name (with its suggestion). */
static const char *unknown_reason(imp *m, const char *name)
{
	json_t *probe = json_pack("{s:s}", name, "");
	int rc = probe ? ontra_fields_check(m->c, m->type, probe) : -1;

	json_decref(probe);
	return rc < 0 ? ontra_error_last()->message : "unknown field";
}

static int is_unique(const imp *m, const char *field)
{
	const json_t *u = json_object_get(json_object_get(m->fdefs, field), "unique");
	return (json_is_string(u) && strcmp(json_string_value(u), "1") == 0) ||
	       (json_is_integer(u) && json_integer_value(u) == 1) || json_is_true(u);
}

/* Whether saveorupdate would merge these values on the key and nothing else. */
static int native_merge(const imp *m, const json_t *values)
{
	const char *f;
	json_t *v;

	if (!(m->type == ONTRA_CONTACT && strcmp(m->key, "email") == 0) && !is_unique(m, m->key))
		return 0;
	json_object_foreach((json_t *)values, f, v)
	{
		if (strcmp(f, m->key) != 0 &&
		    (strcmp(f, "unique_id") == 0 || is_unique(m, f) ||
		     (m->type == ONTRA_CONTACT && strcmp(f, "email") == 0)))
			return 0;
	}
	return 1;
}

/* ---- the rejects report ---- */

static int reject(imp *m, const char *field, const char *reason)
{
	return cli_import_rejects_add(m->rejects, m->row_no, field, reason);
}

/* ---- one row ---- */

/* A cell's text: a string as is, numbers as written, true/false as 1/0; NULL for others. */
static const char *cell_text(const json_t *v, char *buf, size_t n)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, n, "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, n, "%d", json_is_true(v));
	else
		return NULL;
	return buf;
}

/* Tag names from a cell: text split at ';' and ',', or an array of strings. */
static int tag_names(const json_t *v, char **store, const char **names, size_t *n)
{
	char *p, *save = NULL;
	size_t i;
	json_t *x;

	*n = 0;
	*store = NULL;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			if (!json_is_string(x) || *n >= TAGS_MAX)
				return -1;
			if (*json_string_value(x))
				names[(*n)++] = json_string_value(x);
		}
		return 0;
	}
	if (!json_is_string(v))
		return json_is_null(v) ? 0 : -1;
	if (!(*store = util_strdup(json_string_value(v))))
		return -1;
	for (p = strtok_r(*store, ";,", &save); p; p = strtok_r(NULL, ";,", &save)) {
		if (*util_trim(p) && *n >= TAGS_MAX)
			return -1;
		if (*p)
			names[(*n)++] = p;
	}
	return 0;
}

/*
 * The row's field values, checked and normalised one by one (so each bad
 * one is reported with its field), and its tag names. 1 = good, 0 =
 * rejected (reported), -1 = the report could not be written.
 */
static int row_values(imp *m, json_t *obj, json_t *values, char **tstore, const char **tags,
                      size_t *ntags)
{
	const char *k, *text;
	json_t *v;
	char num[64];
	int bad = 0;

	json_object_foreach(obj, k, v)
	{
		const char *f;
		json_t *probe;
		if (m->tag_col && util_strieq(k, m->tag_col)) {
			if (tag_names(v, tstore, tags, ntags) < 0) {
				if (reject(m, k, "expected tag names separated by ';' or ','") < 0)
					return -1;
				bad = 1;
			}
			continue;
		}
		if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
			continue; /* an empty cell leaves the stored value alone */
		if (!(f = field_of(m, k))) {
			if (reject(m, k, unknown_reason(m, k)) < 0)
				return -1;
			bad = 1;
			continue;
		}
		if (!(text = cell_text(v, num, sizeof num))) {
			if (reject(m, k, "expected text, a number or true/false") < 0)
				return -1;
			bad = 1;
			continue;
		}
		probe = json_pack("{s:s}", f, text);
		if (!probe || ontra_fields_check(m->c, m->type, probe) < 0) {
			if (reject(m, f, probe ? ontra_error_last()->message : "out of memory") <
			    0) {
				json_decref(probe);
				return -1;
			}
			bad = 1;
		} else {
			json_object_update(values, probe);
		}
		json_decref(probe);
	}
	if (!bad && !json_object_get(values, m->key)) {
		char why[256];
		snprintf(why, sizeof why, "no value for the key field '%s'", m->key);
		if (reject(m, m->key, why) < 0)
			return -1;
		bad = 1;
	}
	return !bad;
}

static int collect_id(json_t *obj, void *ud)
{
	long long *ids = ud;
	const char *s = json_string_value(json_object_get(obj, "id"));
	json_t *n = json_object_get(obj, "id");

	if (ids[0] < 2)
		ids[1 + ids[0]] = s ? strtoll(s, NULL, 10) : json_integer_value(n);
	ids[0]++;
	return 0;
}

/* The objects whose key field equals the row's value: *count (0, 1, 2 = more) and the first id. */
static int lookup(imp *m, const json_t *values, long long *id, long long *count)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	static const char *const idf[] = {"id"};
	long long found[3] = {0, 0, 0};
	json_t *cond = json_array();
	int rc;

	if (!cond)
		return ONTRA_ERROR;
	if ((rc = ontra_condition_add(cond, NULL, m->key, "=",
	                              json_incref(json_object_get(values, m->key)))) < 0) {
		json_decref(cond);
		return rc;
	}
	o.object_type = m->type;
	o.condition = cond;
	o.limit = 2;
	o.page_size = 2;
	o.fields = idf;
	o.fields_count = 1;
	rc = ontra_search(m->c, &o, collect_id, found);
	json_decref(cond);
	*count = found[0];
	*id = found[1];
	return rc;
}

static long long id_of(const json_t *rec)
{
	const json_t *v = json_object_get(rec, "id");
	long long id = 0;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v) && util_parse_ll(json_string_value(v), 1, ONTRA_ID_MAX, &id) == 0)
		return id;
	return 0;
}

/* What a row came to. */
enum outcome { OUT_CREATED, OUT_UPDATED, OUT_SKIPPED, OUT_REJECTED };

/*
 * Write one row's values: *out says what happened. 0, or a library error
 * that stops the import (an invalid row is a reject, not an error).
 */
static int write_row(imp *m, json_t *values, long long *id, enum outcome *out)
{
	json_t *res = NULL;
	long long n = 0;
	int rc = 0, created = 0;

	*id = 0;
	if (m->mode == MODE_UPSERT && native_merge(m, values)) {
		rc = ontra_object_upsert(&res, &created, m->c, m->type, values, 1);
		*out = created ? OUT_CREATED : OUT_UPDATED;
	} else {
		if ((m->mode != MODE_CREATE || m->uncertain) &&
		    (rc = lookup(m, values, id, &n)) < 0)
			return rc;
		if (n > 1) {
			char why[300];
			snprintf(why, sizeof why, "several objects have this %s: nothing written",
			         m->key);
			*out = OUT_REJECTED;
			return reject(m, m->key, why) < 0 ? ONTRA_ERROR : 0;
		}
		if (n == 1 && m->mode == MODE_CREATE) {
			*out = OUT_SKIPPED; /* created by the run the checkpoint stopped */
			return 0;
		}
		if (n == 0 && m->mode == MODE_UPDATE) {
			char why[300];
			snprintf(why, sizeof why, "no object has this %s (--update-only)", m->key);
			*out = OUT_REJECTED;
			return reject(m, m->key, why) < 0 ? ONTRA_ERROR : 0;
		}
		if (n == 1) {
			rc = ontra_object_update(&res, m->c, m->type, *id, values);
			*out = OUT_UPDATED;
		} else {
			rc = ontra_object_create(&res, m->c, m->type, values);
			*out = OUT_CREATED;
		}
	}
	if (rc == ONTRA_EINVALID) {
		*out = OUT_REJECTED;
		return reject(m, "", ontra_error_last()->message) < 0 ? ONTRA_ERROR : 0;
	}
	if (rc == 0 && !*id)
		*id = id_of(res);
	json_decref(res);
	return rc;
}

/* One row (a JSON object of column -> value): 0, or an exit code that stops the import. */
static int import_row(imp *m, json_t *obj)
{
	json_t *values = json_object();
	const char *tags[TAGS_MAX];
	char *tstore = NULL;
	size_t ntags = 0;
	long long id = 0;
	enum outcome out = OUT_REJECTED;
	int rc = 0, good;

	if (!values)
		return cli_error(EXIT_ERROR, "out of memory");
	m->nread++;
	good = row_values(m, obj, values, &tstore, tags, &ntags);
	if (good < 0) {
		rc = EXIT_ERROR;
		goto out;
	}
	if (good && (rc = write_row(m, values, &id, &out)) < 0)
		goto fail;
	if (out != OUT_REJECTED && ntags) {
		if (!id) {
			rc = cli_error(EXIT_BADRESPONSE, "row %lld: the server's answer has no id",
			               m->row_no);
			goto out;
		}
		rc = ontra_tag_names(m->c, m->type, &id, 1, tags, ntags, ONTRA_ADD);
		if (rc == ONTRA_EINVALID) {
			out = OUT_REJECTED;
			rc =
			    reject(m, m->tag_col, ontra_error_last()->message) < 0 ? EXIT_ERROR : 0;
		} else if (rc < 0) {
			goto fail;
		}
	}
	m->created += out == OUT_CREATED;
	m->updated += out == OUT_UPDATED;
	m->skipped += out == OUT_SKIPPED;
	m->rejected += out == OUT_REJECTED;
	goto out;
fail:
	fprintf(stderr, "ontraport: row %lld: ", m->row_no);
	rc = cli_fail_lib(m->ctx, rc);
out:
	free(tstore);
	json_decref(values);
	return rc;
}

/* ---- progress ---- */

static void draw(imp *m, int last)
{
	double t = util_mono_s(), el = t - m->t0;
	char eta[32] = "";

	if (!m->progress || (!last && t - m->last_draw < 0.2))
		return;
	m->last_draw = t;
	if (last) {
		fprintf(stderr, "\r\033[K");
		return;
	}
	if (m->in_size > 0) {
		double frac = (double)m->st.offset / (double)m->in_size;
		double done = (double)(m->st.offset - m->off0);
		int bar = (int)(frac * 30), i;
		if (done > 0 && el > 1) {
			long long s = (long long)(el * (double)(m->in_size - m->st.offset) / done);
			snprintf(eta, sizeof eta, "  ETA %lld:%02lld", s / 60, s % 60);
		}
		fprintf(stderr, "\r[");
		for (i = 0; i < 30; i++)
			fputc(i < bar ? '#' : ' ', stderr);
		fprintf(stderr, "] %3d%%  row %lld%s\033[K", (int)(frac * 100), m->row_no, eta);
	} else {
		fprintf(stderr, "\rrow %lld\033[K", m->row_no);
	}
	fflush(stderr);
}

/* ---- setup ---- */

static int choose_key(imp *m, cli_args *args)
{
	const char *k = cli_value(args, "key");
	const char *f;
	json_t *def;

	if (k) {
		if (!(m->key = field_of(m, k)))
			return cli_error(EXIT_INVALID, "--key: %s", unknown_reason(m, k));
		return EXIT_OK;
	}
	if (m->type == ONTRA_CONTACT) {
		m->key = "email";
		return EXIT_OK;
	}
	json_object_foreach((json_t *)m->fdefs, f, def)
	{
		if (is_unique(m, f) && strcmp(f, "unique_id") != 0) {
			m->key = f;
			return EXIT_OK;
		}
	}
	return cli_usage_error(m->ctx,
	                       "give --key FIELD: the field that tells one %s from another "
	                       "(rows are merged on it)",
	                       m->tname ? m->tname : "object");
}

/* The CSV header: every column must name a field (or be the tag column), the key among them. */
static int read_header(imp *m)
{
	size_t i, j;
	int rc = next_csv(m), has_key = 0;

	if (rc <= 0)
		return rc == 0 ? cli_error(EXIT_INVALID, "%s: no header row", m->path) : -rc;
	m->ncols = m->row.n;
	if (!(m->header = calloc(m->ncols, sizeof *m->header)))
		return cli_error(EXIT_ERROR, "out of memory");
	for (i = 0; i < m->ncols; i++) {
		const char *name = m->row.fields[i], *f;
		/* a UTF-8 byte-order mark, as spreadsheets write, is not part of the name */
		if (i == 0 && strncmp(name, "\xef\xbb\xbf", 3) == 0)
			name += 3;
		if (!(m->header[i] = util_strdup(util_trim((char *)name))))
			return cli_error(EXIT_ERROR, "out of memory");
		if (!*m->header[i])
			return cli_error(EXIT_INVALID,
			                 "%s: column %zu has no name in the header row", m->path,
			                 i + 1);
		for (j = 0; j < i; j++)
			if (util_strieq(m->header[j], m->header[i]))
				return cli_error(EXIT_INVALID, "%s: column '%s' is given twice",
				                 m->path, m->header[i]);
		if (m->tag_col && util_strieq(m->header[i], m->tag_col))
			continue;
		if (!(f = field_of(m, m->header[i])))
			return cli_error(EXIT_INVALID, "%s: column '%s': %s", m->path, m->header[i],
			                 unknown_reason(m, m->header[i]));
		has_key |= strcmp(f, m->key) == 0;
	}
	if (!has_key)
		return cli_error(EXIT_INVALID,
		                 "%s: no column for the key field '%s' (rows are merged on it; "
		                 "see --key)",
		                 m->path, m->key);
	return EXIT_OK;
}

/* The next row as a JSON object of column -> value (new): 1, 0 at the end, a negated exit code. */
static int next_row(imp *m, json_t **obj, const char **bad)
{
	size_t i, n;
	const char *line;
	json_error_t jerr;
	int rc;

	*obj = NULL;
	*bad = NULL;
	if (!m->ndjson) {
		if ((rc = next_csv(m)) <= 0)
			return rc;
		if (m->row.n == 1 && !*m->row.fields[0])
			return 1; /* a blank line */
		if (m->row.n != m->ncols) {
			*bad = "the row has a different number of fields than the header";
			return 1;
		}
		if (!(*obj = json_object()))
			return -EXIT_ERROR;
		for (i = 0; i < m->ncols; i++)
			json_object_set_new(*obj, m->header[i], json_string(m->row.fields[i]));
		return 1;
	}
	if ((rc = next_line(m, &line, &n)) <= 0)
		return rc;
	if (strspn(line, " \t") >= n)
		return 1;
	if (!util_utf8_valid(line, n))
		*bad = "the line is not UTF-8";
	else if (!(*obj = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr)))
		*bad = "not a JSON object (invalid JSON)";
	else if (!json_is_object(*obj)) {
		json_decref(*obj);
		*obj = NULL;
		*bad = "not a JSON object";
	}
	return 1;
}

static int open_input(imp *m)
{
	struct stat sb;

	m->in = strcmp(m->path, "-") == 0 ? stdin : fopen(m->path, "rb");
	if (!m->in)
		return cli_error(errno == ENOENT ? EXIT_NOTFOUND : EXIT_ERROR,
		                 "cannot read '%s': %s", m->path, strerror(errno));
	m->in_size =
	    fstat(fileno(m->in), &sb) == 0 && S_ISREG(sb.st_mode) ? (long long)sb.st_size : -1;
	return EXIT_OK;
}

/* The checkpoint, if any: the same type, key and mode, else a usage error. */
static int load_checkpoint(imp *m, cli_import_state *old, int *have)
{
	char tnum[32];

	*have = 0;
	snprintf(tnum, sizeof tnum, "%d", m->type);
	if (!m->ckpt)
		return EXIT_OK;
	if ((*have = cli_import_state_load(m->ckpt, old)) < 0)
		return EXIT_ERROR;
	if (*have && (strcmp(old->type, tnum) != 0 || strcmp(old->key, m->key) != 0 ||
	              strcmp(old->mode, mode_names[m->mode]) != 0))
		return cli_usage_error(
		    m->ctx,
		    "checkpoint '%s' is of an import of type %s, key %s, %s: give the same "
		    "options, or delete it to start over",
		    m->ckpt, old->type, old->key, old->mode);
	snprintf(m->st.type, sizeof m->st.type, "%s", tnum);
	snprintf(m->st.key, sizeof m->st.key, "%s", m->key);
	snprintf(m->st.mode, sizeof m->st.mode, "%s", mode_names[m->mode]);
	return EXIT_OK;
}

/* Read past the rows the checkpoint says are done, and check the input is the same. */
static int skip_done(imp *m, const cli_import_state *old)
{
	json_t *obj;
	const char *bad;
	int rc;

	while (m->st.records < old->records) {
		if ((rc = next_row(m, &obj, &bad)) < 0)
			return -rc;
		if (rc == 0)
			break;
		m->st.records++;
		m->skipped += obj || bad;
		m->nread += obj || bad;
		json_decref(obj);
	}
	if (m->st.records != old->records || m->st.offset != old->offset || m->st.hash != old->hash)
		return cli_error(EXIT_INVALID,
		                 "%s is not the input checkpoint '%s' was made for (it differs in "
		                 "its first %lld rows): delete the checkpoint to start over",
		                 m->path, m->ckpt, old->records);
	return EXIT_OK;
}

static int save(imp *m)
{
	long pos = m->rejects ? ftell(m->rejects) : 0;

	m->st.rejects_size = pos;
	return m->ckpt && cli_import_state_save(m->ckpt, &m->st) < 0 ? EXIT_ERROR : EXIT_OK;
}

static int run_rows(imp *m)
{
	json_t *obj;
	const char *bad;
	int rc;

	for (;;) {
		if (interrupted) {
			draw(m, 1);
			cli_error(EXIT_INTERRUPTED,
			          "interrupted after row %lld; run the same command again to go on "
			          "from there",
			          m->row_no);
			return EXIT_INTERRUPTED;
		}
		if ((rc = next_row(m, &obj, &bad)) <= 0)
			return -rc;
		rc = EXIT_OK; /* a blank line is a row with nothing to do */
		if (bad) {
			m->nread++;
			m->rejected++;
			rc = reject(m, "", bad) < 0 ? EXIT_ERROR : EXIT_OK;
		} else if (obj) {
			rc = import_row(m, obj);
		}
		json_decref(obj);
		if (rc != EXIT_OK)
			return rc;
		m->uncertain = 0;
		m->st.records++;
		if ((rc = save(m)) != EXIT_OK)
			return rc;
		draw(m, 0);
	}
}

static char *side_path(const char *path, const char *suffix)
{
	size_t n = strlen(path) + strlen(suffix) + 1;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s%s", path, suffix);
	return p;
}

static int setup(imp *m, cli_args *args, char **ckpt, char **rej)
{
	const char *fmt = cli_value(args, "format"), *dot;
	int rc, co = cli_flag(args, "create-only") > 0, uo = cli_flag(args, "update-only") > 0;

	m->path = cli_arg(args, 0);
	if (co && uo)
		return cli_usage_error(m->ctx, "give --create-only or --update-only, not both");
	m->mode = co ? MODE_CREATE : uo ? MODE_UPDATE : MODE_UPSERT;
	dot = strrchr(m->path, '.');
	if (fmt && strcmp(fmt, "csv") != 0 && strcmp(fmt, "ndjson") != 0)
		return cli_usage_error(m->ctx, "invalid --format '%s': expected csv or ndjson",
		                       fmt);
	m->ndjson = fmt ? strcmp(fmt, "ndjson") == 0
	                : dot && (strcmp(dot, ".ndjson") == 0 || strcmp(dot, ".jsonl") == 0);
	m->tag_col = cli_value(args, "tag-column") ? cli_value(args, "tag-column") : "tags";
	if (cli_value(args, "checkpoint"))
		*ckpt = util_strdup(cli_value(args, "checkpoint"));
	else if (strcmp(m->path, "-") != 0 && !(*ckpt = side_path(m->path, ".checkpoint")))
		return cli_error(EXIT_ERROR, "out of memory");
	*rej = cli_value(args, "rejects")  ? util_strdup(cli_value(args, "rejects"))
	       : strcmp(m->path, "-") == 0 ? util_strdup("stdin.rejects.csv")
	                                   : side_path(m->path, ".rejects.csv");
	if (!*rej || (cli_value(args, "checkpoint") && !*ckpt))
		return cli_error(EXIT_ERROR, "out of memory");
	m->ckpt = *ckpt;
	if ((rc = cli_client(m->ctx, &m->c)) != EXIT_OK ||
	    (rc = cli_type(m->ctx, m->c, cli_value(args, "type"), &m->type)) != EXIT_OK)
		return rc;
	if ((rc = ontra_fields(&m->fdefs, m->c, m->type)) < 0)
		return cli_fail_lib(m->ctx, rc);
	m->tname = ontra_object_type_name(m->c, m->type);
	return choose_key(m, args);
}

static void summary(imp *m, const char *rej)
{
	cli_note(m->ctx,
	         "%lld row%s read: %lld created, %lld updated, %lld rejected, %lld skipped as "
	         "already done%s%s",
	         m->nread, m->nread == 1 ? "" : "s", m->created, m->updated, m->rejected,
	         m->skipped, m->rejected ? "; rejected rows are listed in " : "",
	         m->rejected ? rej : "");
}

static int run_import(cli_ctx *ctx, cli_args *args)
{
	imp m = {.ctx = ctx, .row = UTIL_CSV_ROW_INIT};
	cli_import_state old;
	char *ckpt = NULL, *rej = NULL;
	struct sigaction sa, old_int, old_term;
	int rc, have = 0;

	interrupted = 0;
	m.st.hash = CLI_IMPORT_HASH_INIT;
	if ((rc = setup(&m, args, &ckpt, &rej)) != EXIT_OK ||
	    (rc = load_checkpoint(&m, &old, &have)) != EXIT_OK || (rc = open_input(&m)) != EXIT_OK)
		goto out;
	if (!m.ndjson && (rc = read_header(&m)) != EXIT_OK)
		goto out;
	if (!m.ndjson)
		m.st.records = 1;
	if (have && (rc = skip_done(&m, &old)) != EXIT_OK)
		goto out;
	m.uncertain = have;
	if (!(m.rejects = cli_import_rejects_open(rej, have ? old.rejects_size : -1))) {
		rc = EXIT_ERROR;
		goto out;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	m.progress = ctx->stderr_tty && !ctx->quiet;
	m.t0 = util_mono_s();
	m.off0 = m.st.offset;
	rc = save(&m);
	if (rc == EXIT_OK)
		rc = run_rows(&m);
	draw(&m, 1);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	summary(&m, rej);
	if (rc == EXIT_OK && m.rejected)
		rc = EXIT_INVALID;
out:
	if (m.rejects && fclose(m.rejects) != 0 && rc == EXIT_OK)
		rc = cli_error(EXIT_ERROR, "cannot write the rejects report '%s'", rej);
	if (m.in && m.in != stdin)
		fclose(m.in);
	for (size_t i = 0; m.header && i < m.ncols; i++)
		free(m.header[i]);
	free(m.header);
	free(m.buf);
	util_csv_row_release(&m.row);
	free(ckpt);
	free(rej);
	return rc;
}

static const cli_opt import_opts[] = {
    {.name = "type",
     .short_name = 't',
     .kind = CLI_VALUE,
     .arg = "TYPE",
     .help = "object type: a name (contacts, a custom object) or number (default contacts)"},
    {.name = "format",
     .kind = CLI_VALUE,
     .arg = "csv|ndjson",
     .help = "the input's format (default: ndjson for .ndjson/.jsonl files, else csv)"},
    {.name = "key",
     .kind = CLI_VALUE,
     .arg = "FIELD",
     .help = "the field rows are merged on (default: email for contacts, else the type's "
             "unique field)"},
    {.name = "create-only",
     .kind = CLI_FLAG,
     .help = "create every row, without looking for an existing object"},
    {.name = "update-only",
     .kind = CLI_FLAG,
     .help = "only update objects found by the key; reject rows that match none"},
    {.name = "tag-column",
     .kind = CLI_VALUE,
     .arg = "NAME",
     .help = "the column of tag names, separated by ';' or ',' (default: tags)"},
    {.name = "checkpoint",
     .kind = CLI_VALUE,
     .arg = "FILE",
     .help = "where progress is kept (default: FILE.checkpoint; none for stdin)"},
    {.name = "rejects",
     .kind = CLI_VALUE,
     .arg = "FILE",
     .help = "the CSV report of rejected rows (default: FILE.rejects.csv)"},
    {.name = NULL}};

const cli_command cli_cmd_objects_import = {
    .name = "import",
    .summary = "create or update objects from a CSV or NDJSON file, resumably",
    .synopsis = "[--type TYPE] [--key FIELD] [--create-only|--update-only] FILE|-",
    .description =
        "Write one object per row of FILE (- for stdin): CSV with a header row naming the fields "
        "(field names or their labels, as 'ontraport fields' lists them), or NDJSON, one JSON "
        "object a line. Each row is merged into the object with the same key (--key; email for "
        "contacts), or created when there is none. Drop-down values may be the option's label, "
        "dates YYYY-MM-DD. A 'tags' column (--tag-column) holds tag names separated by ';' or ','; "
        "names that do not exist are created. Empty cells leave stored values alone.\n\n"
        "Rows are sent one at a time at the account's rate limit, with a progress bar and an ETA "
        "on a terminal. After each row the progress is saved to the checkpoint file (written "
        "whole, fsync'd and renamed into place): after Ctrl-C, a kill or a crash, the same command "
        "goes on from the first row not recorded; no row is skipped, and none is written twice "
        "(that row is merged again by its key, or with --create-only looked up by its key "
        "first).\n\n"
        "A row that cannot be written (an unknown column in NDJSON, a bad value, no key, refused "
        "by the server) is listed in the rejects report (row, field, reason; the header is row 1, "
        "NDJSON rows are line numbers) and the import goes on. Exit status: 0 when every row was "
        "written or skipped as done, 5 when any row was rejected, 130 when interrupted, else the "
        "error's code (the checkpoint then says where to go on from).",
    .opts = import_opts,
    .examples =
        "ontraport objects import contacts.csv\n  create or update a contact per row, merged "
        "on email\n"
        "ontraport objects import --key f1234 --type Dogs dogs.ndjson\n  custom objects, "
        "merged on field f1234",
    .run = run_import,
    .min_args = 1,
    .max_args = 1,
};
