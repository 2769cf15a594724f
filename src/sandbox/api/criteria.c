/*
 * criteria: `condition` and `search` compiled to SQL, and the collection
 * parameters of a call read into an sbx_select (contracts in sbx_criteria.h).
 *
 * Identifiers in the SQL come only from the type's metadata and are quoted;
 * every value from the request is bound. An IN list travels as one bound
 * JSON array (`IN (SELECT value FROM json_each(?))`), so a long list costs one
 * placeholder and SQLite's column affinity still turns "6" into 6 for numeric
 * columns.
 */
#include "sbx_criteria.h"

#include <ctype.h>
#include <math.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

#define RANGE_MAX 50 /* §3.1: range defaults to 50 and never exceeds it */
#define GROUP_TYPE 3 /* saved groups (REFERENCE-MORE §M8.3) */

typedef enum op {
	OP_EQ,
	OP_NE,
	OP_GT,
	OP_LT,
	OP_GE,
	OP_LE,
	OP_LIKE,
	OP_IN,
	OP_NOT_IN,
	OP_IS,       /* IS NULL: null or empty */
	OP_NOT_EMPTY /* IS NOT EMPTY / IS NOT NULL: neither */
} op;

static const struct {
	const char *name;
	op op;
	const char *sql;
} ops[] = {
    {"=", OP_EQ, " = ?"},
    {"<>", OP_NE, " <> ?"},
    {">", OP_GT, " > ?"},
    {"<", OP_LT, " < ?"},
    {">=", OP_GE, " >= ?"},
    {"<=", OP_LE, " <= ?"},
    {"LIKE", OP_LIKE, " LIKE ?"},
    {"IN", OP_IN, NULL},
    {"NOT IN", OP_NOT_IN, NULL},
    {"IS", OP_IS, NULL},
    {"IS NOT EMPTY", OP_NOT_EMPTY, NULL},
    {"IS NOT", OP_NOT_EMPTY, NULL},
};

#define NOPS (sizeof ops / sizeof ops[0])

static int oom(sbx_err *e)
{
	return sbx_err_set(e, 500, "Internal Server Error: out of memory");
}

/* The column a condition names: the id field (also as "id") or a stored field. */
static int column_of(const sbx_otype *t, const char *name, size_t clause, const char **col,
                     sbx_err *e)
{
	const sbx_field *f;
	char shown[80];

	if (!strcmp(name, t->id_field) || !strcmp(name, "id")) {
		*col = t->id_field;
		return 0;
	}
	f = sbx_otype_field(t, name);
	if (f && f->stored) {
		*col = f->name;
		return 0;
	}
	sbx_clip(name, shown, sizeof shown);
	if (f)
		return sbx_err_set(e, 400,
		                   "Invalid condition: field '%s' of %s is computed and cannot be "
		                   "searched (clause %zu)",
		                   shown, t->name, clause);
	{
		const char **names = malloc((t->nfields + 1) * sizeof *names);
		const char *near = NULL;
		size_t i, n = 0;

		if (!names)
			return oom(e);
		for (i = 0; i < t->nfields; i++)
			if (t->fields[i].stored)
				names[n++] = t->fields[i].name;
		names[n++] = t->id_field;
		near = util_nearest(name, names, n);
		if (near)
			sbx_err_set(e, 400,
			            "Invalid condition: unknown field '%s' for %s (did you mean "
			            "'%s'?)",
			            shown, t->name, near);
		else
			sbx_err_set(e, 400, "Invalid condition: unknown field '%s' for %s", shown,
			            t->name);
		free(names);
		return -1;
	}
}

/* A scalar for binding: strings and numbers as they are, booleans as 1/0. New reference. */
static json_t *scalar(json_t *v)
{
	if (json_is_string(v) || json_is_integer(v) || json_is_real(v))
		return json_incref(v);
	if (json_is_boolean(v))
		return json_integer(json_is_true(v));
	return NULL;
}

/* {"list":[{"value":v}, ...]} (or plain values) as the JSON text of an array of scalars. */
static int list_arg(json_t *value, size_t clause, json_t *args, sbx_err *e)
{
	json_t *list = json_object_get(value, "list"), *item, *out;
	char *text;
	size_t i;

	if (!json_is_array(list))
		return sbx_err_set(e, 400,
		                   "Invalid condition: IN needs {\"list\":[{\"value\":...},...]} "
		                   "(clause %zu)",
		                   clause);
	if (json_array_size(list) > SBX_CRITERIA_MAX_LIST)
		return sbx_err_set(e, 400,
		                   "Invalid condition: more than %d values in a list (clause %zu)",
		                   SBX_CRITERIA_MAX_LIST, clause);
	out = json_array();
	if (!out)
		return oom(e);
	json_array_foreach(list, i, item)
	{
		json_t *v = scalar(json_is_object(item) ? json_object_get(item, "value") : item);
		if (!v) {
			json_decref(out);
			return sbx_err_set(
			    e, 400,
			    "Invalid condition: list item %zu of clause %zu is not a "
			    "string or number",
			    i + 1, clause);
		}
		json_array_append_new(out, v);
	}
	text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	if (!text || json_array_append_new(args, json_string(text)) < 0) {
		free(text);
		return oom(e);
	}
	free(text);
	return 0;
}

/* Whether v says NULL: null, "NULL" (any case), {"value": null} or no value at all. */
static int is_null_value(json_t *v)
{
	const char *s = json_string_value(v);

	if (!v || json_is_null(v) || (s && util_strieq(s, "NULL")))
		return 1;
	return json_is_object(v) && json_object_size(v) == 1 && json_object_get(v, "value") &&
	       json_is_null(json_object_get(v, "value"));
}

static int find_op(const char *name, op *out)
{
	char norm[32];
	size_t i, n = 0;
	int space = 0;

	/* Collapse runs of blanks, so "NOT  IN" and " like " are found too. */
	for (; name && *name && n + 1 < sizeof norm; name++) {
		if (isspace((unsigned char)*name)) {
			space = n > 0;
			continue;
		}
		if (space)
			norm[n++] = ' ';
		space = 0;
		if (n + 1 < sizeof norm)
			norm[n++] = *name;
	}
	norm[n] = '\0';
	if (name && *name)
		return -1;
	for (i = 0; i < NOPS; i++)
		if (util_strieq(ops[i].name, norm)) {
			*out = ops[i].op;
			return (int)i;
		}
	return -1;
}

/* One clause object into b (as a parenthesised expression) and args. */
static int compile_clause(const sbx_otype *t, json_t *cl, size_t clause, util_buf *b, json_t *args,
                          sbx_err *e)
{
	json_t *field = json_object_get(cl, "field"), *value = json_object_get(cl, "value");
	const char *name, *opname, *col = NULL;
	char shown[40];
	op o;
	int k;

	if (!json_is_object(cl))
		return sbx_err_set(
		    e, 400,
		    "Invalid condition: clause %zu is not an object (nested groups are "
		    "not supported; join clauses with \"AND\"/\"OR\")",
		    clause);
	name = json_is_object(field) ? json_string_value(json_object_get(field, "field"))
	                             : json_string_value(field);
	if (!name || !*name)
		return sbx_err_set(e, 400,
		                   "Invalid condition: clause %zu needs \"field\":{\"field\":NAME}",
		                   clause);
	opname = json_string_value(json_object_get(cl, "op"));
	if (!opname)
		return sbx_err_set(e, 400, "Invalid condition: clause %zu needs an \"op\"", clause);
	if ((k = find_op(opname, &o)) < 0)
		return sbx_err_set(
		    e, 400,
		    "Invalid condition: unknown operator '%s' in clause %zu (expected "
		    "=, <>, >, <, >=, <=, LIKE, IN, NOT IN, IS, IS NOT EMPTY)",
		    sbx_clip(opname, shown, sizeof shown), clause);
	if (column_of(t, name, clause, &col, e) < 0)
		return -1;
	/* The forms clients send for the same thing: "=" with a list is IN (§4), "=" with
	 * null is IS NULL, "<>" with null is IS NOT EMPTY. */
	if ((o == OP_EQ || o == OP_NE) && json_is_object(value) && json_object_get(value, "list"))
		o = o == OP_EQ ? OP_IN : OP_NOT_IN;
	else if ((o == OP_EQ || o == OP_NE) && json_is_object(value) &&
	         json_is_null(json_object_get(value, "value")))
		o = o == OP_EQ ? OP_IS : OP_NOT_EMPTY;
	util_buf_putc(b, '(');
	sbx_sql_ident(b, col);
	switch (o) {
	case OP_IS:
		if (!is_null_value(value))
			return sbx_err_set(
			    e, 400, "Invalid condition: IS takes the value \"NULL\" (clause %zu)",
			    clause);
		util_buf_puts(b, " IS NULL OR ");
		sbx_sql_ident(b, col);
		util_buf_puts(b, " = '')");
		return 0;
	case OP_NOT_EMPTY:
		if (value && !is_null_value(value))
			return sbx_err_set(
			    e, 400,
			    "Invalid condition: %s takes no value but \"NULL\" (clause %zu)",
			    ops[k].name, clause);
		util_buf_puts(b, " IS NOT NULL AND ");
		sbx_sql_ident(b, col);
		util_buf_puts(b, " <> '')");
		return 0;
	case OP_IN:
	case OP_NOT_IN:
		if (list_arg(value, clause, args, e) < 0)
			return -1;
		util_buf_puts(b, o == OP_IN ? " IN" : " NOT IN");
		util_buf_puts(b, " (SELECT value FROM json_each(?)))");
		return 0;
	default: {
		json_t *v = json_is_object(value) ? scalar(json_object_get(value, "value")) : NULL;
		if (!v)
			return sbx_err_set(e, 400,
			                   "Invalid condition: operator '%s' needs "
			                   "\"value\":{\"value\":<string or number>} (clause %zu)",
			                   ops[k].name, clause);
		if (o == OP_LIKE && json_is_string(v) &&
		    json_string_length(v) > SBX_CRITERIA_MAX_LIKE) {
			json_decref(v);
			return sbx_err_set(e, 400,
			                   "Invalid condition: a LIKE pattern longer than %d bytes "
			                   "(clause %zu)",
			                   SBX_CRITERIA_MAX_LIKE, clause);
		}
		if (json_array_append_new(args, v) < 0)
			return oom(e);
		util_buf_puts(b, ops[k].sql);
		util_buf_putc(b, ')');
		return 0;
	}
	}
}

/* Append `part` and the values in `more` to where/args (nothing when part is empty). */
static int append(util_buf *where, json_t *args, const util_buf *part, json_t *more, sbx_err *e)
{
	if (!part->len)
		return 0;
	if (util_buf_failed(part) || util_buf_append(where, part->data, part->len) < 0 ||
	    json_array_extend(args, more) < 0)
		return oom(e);
	return 0;
}

static int compile_array(const sbx_otype *t, json_t *cond, util_buf *b, json_t *args, sbx_err *e)
{
	size_t i, n = json_array_size(cond);
	json_t *item;

	if (n > 2 * SBX_CRITERIA_MAX_CLAUSES - 1)
		return sbx_err_set(e, 400, "Invalid condition: more than %d clauses",
		                   SBX_CRITERIA_MAX_CLAUSES);
	if (n)
		util_buf_putc(b, '(');
	json_array_foreach(cond, i, item)
	{
		if (i % 2) {
			const char *conj = json_string_value(item);
			if (!conj || !(util_strieq(conj, "AND") || util_strieq(conj, "OR")))
				return sbx_err_set(
				    e, 400,
				    "Invalid condition: expected \"AND\" or \"OR\" between "
				    "clauses %zu and %zu",
				    i / 2 + 1, i / 2 + 2);
			util_buf_puts(b, util_strieq(conj, "AND") ? " AND " : " OR ");
		} else if (compile_clause(t, item, i / 2 + 1, b, args, e) < 0) {
			return -1;
		}
	}
	if (n && n % 2 == 0)
		return sbx_err_set(e, 400,
		                   "Invalid condition: it ends with \"%s\" instead of a clause",
		                   json_string_value(json_array_get(cond, n - 1)));
	if (n)
		util_buf_putc(b, ')');
	return 0;
}

int sbx_criteria_condition(const sbx_otype *t, json_t *condition, util_buf *where, json_t *args,
                           sbx_err *e)
{
	util_buf b = UTIL_BUF_INIT;
	json_t *more = json_array(), *parsed = NULL;
	int rc = -1;

	if (!more)
		return oom(e);
	if (json_is_string(condition)) {
		if (sbx_criteria_parse_legacy(json_string_value(condition), &parsed, e) < 0)
			goto out;
		condition = parsed;
	}
	if (!json_is_array(condition)) {
		sbx_err_set(e, 400, "Invalid condition: expected a JSON array of clauses");
		goto out;
	}
	if (compile_array(t, condition, &b, more, e) == 0)
		rc = append(where, args, &b, more, e);
out:
	util_buf_release(&b);
	json_decref(more);
	json_decref(parsed);
	return rc;
}

static int searchable(const sbx_field *f)
{
	if (!f->stored)
		return 0;
	switch (f->type) {
	case SBX_FT_TEXT:
	case SBX_FT_LONGTEXT:
	case SBX_FT_EMAIL:
	case SBX_FT_PHONE:
	case SBX_FT_SMS:
	case SBX_FT_ADDRESS:
	case SBX_FT_URL:
	case SBX_FT_STATE:
	case SBX_FT_COUNTRY:
		return 1;
	default:
		return 0;
	}
}

int sbx_criteria_search(const sbx_otype *t, const char *text, util_buf *where, json_t *args,
                        sbx_err *e)
{
	util_buf b = UTIL_BUF_INIT, pat = UTIL_BUF_INIT;
	json_t *more = json_array();
	const char *p;
	size_t i, n = 0;
	int rc = -1;

	if (!more)
		return oom(e);
	if (strlen(text) > SBX_CRITERIA_MAX_LIKE - 2)
		goto too_long;
	while (*text == ' ' || *text == '\t')
		text++;
	if (!*text) {
		rc = 0;
		goto out;
	}
	/* The text is a substring, not a pattern: escape LIKE's wildcards. */
	util_buf_putc(&pat, '%');
	for (p = text; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			util_buf_putc(&pat, '\\');
		util_buf_putc(&pat, *p);
	}
	util_buf_putc(&pat, '%');
	if (util_buf_failed(&pat)) {
		oom(e);
		goto out;
	}
	if (pat.len > SBX_CRITERIA_MAX_LIKE)
		goto too_long;
	for (i = 0; i < t->nfields; i++) {
		if (!searchable(&t->fields[i]))
			continue;
		util_buf_puts(&b, n++ ? " OR " : "(");
		sbx_sql_ident(&b, t->fields[i].name);
		util_buf_puts(&b, " LIKE ? ESCAPE '\\'");
		if (json_array_append_new(more, json_stringn(pat.data, pat.len)) < 0) {
			oom(e);
			goto out;
		}
	}
	/* A type with no text fields matches nothing. */
	util_buf_puts(&b, n ? ")" : "(0)");
	rc = append(where, args, &b, more, e);
	goto out;
too_long:
	sbx_err_set(e, 400, "Invalid search: longer than %d bytes (each %%, _ or \\ counts twice)",
	            SBX_CRITERIA_MAX_LIKE - 2);
out:
	util_buf_release(&b);
	util_buf_release(&pat);
	json_decref(more);
	return rc;
}

/* ---- legacy string conditions ---- */

typedef struct lexer {
	const char *s;
	size_t pos;
} lexer;

static void skip_ws(lexer *lx)
{
	while (isspace((unsigned char)lx->s[lx->pos]))
		lx->pos++;
}

/* Consume keyword kw (case-insensitive, whole word) if it comes next. */
static int kw(lexer *lx, const char *word)
{
	size_t n = strlen(word);
	unsigned char after;

	skip_ws(lx);
	if (!util_strnieq(lx->s + lx->pos, word, n))
		return 0;
	after = (unsigned char)lx->s[lx->pos + n];
	if (isalnum(after) || after == '_')
		return 0;
	lx->pos += n;
	return 1;
}

static int lex_error(const lexer *lx, const char *what, sbx_err *e)
{
	char near[40];

	sbx_clip(lx->s + lx->pos, near, sizeof near);
	return sbx_err_set(e, 400, "Invalid condition: %s at column %zu%s%s%s", what, lx->pos + 1,
	                   *near ? " near '" : "", near, *near ? "'" : "");
}

/* A quoted string or a number, as a new JSON value. */
static int lex_value(lexer *lx, json_t **out, sbx_err *e)
{
	util_buf b = UTIL_BUF_INIT;
	char q;

	skip_ws(lx);
	q = lx->s[lx->pos];
	if (q == '\'' || q == '"') {
		size_t start = lx->pos++;
		for (;;) {
			char ch = lx->s[lx->pos];
			if (!ch) {
				util_buf_release(&b);
				lx->pos = start;
				return lex_error(lx, "unterminated quoted value", e);
			}
			lx->pos++;
			if (ch == '\\' && lx->s[lx->pos]) {
				ch = lx->s[lx->pos++];
			} else if (ch == q) {
				if (lx->s[lx->pos] != q)
					break;
				lx->pos++; /* a doubled quote */
			}
			util_buf_putc(&b, ch);
		}
		util_buf_ensure(&b);
		*out = util_buf_failed(&b) ? NULL : json_stringn(b.data, b.len);
		util_buf_release(&b);
		return *out ? 0 : lex_error(lx, "value is not valid UTF-8", e);
	}
	if (q == '-' || q == '+' || q == '.' || isdigit((unsigned char)q)) {
		size_t start = lx->pos;
		char *end;
		double d;
		long long v;
		char num[64];

		lx->pos++;
		while (isalnum((unsigned char)lx->s[lx->pos]) || lx->s[lx->pos] == '.')
			lx->pos++;
		if (lx->pos - start >= sizeof num) {
			lx->pos = start;
			return lex_error(lx, "number too long", e);
		}
		memcpy(num, lx->s + start, lx->pos - start);
		num[lx->pos - start] = '\0';
		if (util_parse_ll(num[0] == '+' ? num + 1 : num, LLONG_MIN, LLONG_MAX, &v) == 0) {
			*out = json_integer(v);
		} else {
			d = strtod(num, &end);
			if (*end || end == num) {
				lx->pos = start;
				return lex_error(lx, "malformed number", e);
			}
			if (!isfinite(d)) { /* 6e3333: JSON has no infinity */
				lx->pos = start;
				return lex_error(lx, "number out of range", e);
			}
			*out = json_real(d);
		}
		return *out ? 0 : oom(e);
	}
	return lex_error(lx, "expected a 'quoted' value or a number", e);
}

static json_t *clause_json(const char *field, const char *opname, json_t *value)
{
	json_t *c = json_pack("{s:{s:s}, s:s}", "field", "field", field, "op", opname);

	if (c && value && json_object_set_new(c, "value", value) < 0) {
		json_decref(c);
		return NULL;
	}
	if (!c)
		json_decref(value);
	return c;
}

/* One `field op value` clause of a legacy condition, as a new clause object. */
static int lex_clause(lexer *lx, json_t **out, sbx_err *e)
{
	static const char *const sym[] = {"<=", ">=", "<>", "!=", "=", "<", ">"};
	char field[65], opname[16] = "";
	json_t *value = NULL;
	size_t start, i;

	*out = NULL;
	skip_ws(lx);
	if (lx->s[lx->pos] == '(')
		return lex_error(lx, "parentheses are not supported (AND binds tighter than OR)",
		                 e);
	start = lx->pos;
	while (isalnum((unsigned char)lx->s[lx->pos]) || lx->s[lx->pos] == '_')
		lx->pos++;
	if (lx->pos == start || isdigit((unsigned char)lx->s[start]) ||
	    lx->pos - start >= sizeof field) {
		lx->pos = start;
		return lex_error(lx, "expected a field name", e);
	}
	memcpy(field, lx->s + start, lx->pos - start);
	field[lx->pos - start] = '\0';
	skip_ws(lx);
	for (i = 0; i < sizeof sym / sizeof sym[0] && !*opname; i++)
		if (!strncmp(lx->s + lx->pos, sym[i], strlen(sym[i]))) {
			lx->pos += strlen(sym[i]);
			snprintf(opname, sizeof opname, "%s", i == 3 ? "<>" : sym[i]);
		}
	if (!*opname) {
		if (kw(lx, "LIKE")) {
			snprintf(opname, sizeof opname, "LIKE");
		} else if (kw(lx, "IN")) {
			snprintf(opname, sizeof opname, "IN");
		} else if (kw(lx, "NOT")) {
			if (!kw(lx, "IN"))
				return lex_error(lx, "expected IN after NOT", e);
			snprintf(opname, sizeof opname, "NOT IN");
		} else if (kw(lx, "IS")) {
			int neg = kw(lx, "NOT");
			if (!kw(lx, "NULL") && !kw(lx, "EMPTY"))
				return lex_error(lx, "expected NULL after IS", e);
			*out = clause_json(field, neg ? "IS NOT EMPTY" : "IS",
			                   neg ? NULL : json_string("NULL"));
			return *out ? 0 : oom(e);
		} else {
			return lex_error(lx,
			                 "expected an operator (=, <>, <, >, <=, >=, LIKE, IN, NOT "
			                 "IN, IS NULL)",
			                 e);
		}
	}
	if (!strcmp(opname, "IN") || !strcmp(opname, "NOT IN")) {
		json_t *list = json_array();
		if (!list)
			return oom(e);
		skip_ws(lx);
		if (lx->s[lx->pos] != '(') {
			json_decref(list);
			return lex_error(lx, "expected '(' after IN", e);
		}
		lx->pos++;
		for (;;) {
			json_t *v;
			if (json_array_size(list) >= SBX_CRITERIA_MAX_LIST) {
				json_decref(list);
				return lex_error(lx, "list too long", e);
			}
			if (lex_value(lx, &v, e) < 0) {
				json_decref(list);
				return -1;
			}
			json_array_append_new(list, json_pack("{s:o}", "value", v));
			skip_ws(lx);
			if (lx->s[lx->pos] == ',') {
				lx->pos++;
			} else if (lx->s[lx->pos] == ')') {
				lx->pos++;
				break;
			} else {
				json_decref(list);
				return lex_error(lx, "expected ',' or ')' in the list", e);
			}
		}
		value = json_pack("{s:o}", "list", list);
	} else {
		json_t *v;
		if (lex_value(lx, &v, e) < 0)
			return -1;
		value = json_pack("{s:o}", "value", v);
	}
	*out = clause_json(field, opname, value);
	return *out ? 0 : oom(e);
}

int sbx_criteria_parse_legacy(const char *text, json_t **out, sbx_err *e)
{
	lexer lx = {text, 0};
	json_t *cond;
	size_t n = 0;

	*out = NULL;
	if (strlen(text) > SBX_CRITERIA_MAX_TEXT)
		return sbx_err_set(e, 400, "Invalid condition: longer than %d bytes",
		                   SBX_CRITERIA_MAX_TEXT);
	cond = json_array();
	if (!cond)
		return oom(e);
	skip_ws(&lx);
	while (text[lx.pos]) {
		json_t *cl;
		if (++n > SBX_CRITERIA_MAX_CLAUSES) {
			json_decref(cond);
			return sbx_err_set(e, 400, "Invalid condition: more than %d clauses",
			                   SBX_CRITERIA_MAX_CLAUSES);
		}
		if (lex_clause(&lx, &cl, e) < 0) {
			json_decref(cond);
			return -1;
		}
		json_array_append_new(cond, cl);
		skip_ws(&lx);
		if (!text[lx.pos])
			break;
		if (kw(&lx, "AND")) {
			json_array_append_new(cond, json_string("AND"));
		} else if (kw(&lx, "OR")) {
			json_array_append_new(cond, json_string("OR"));
		} else {
			json_decref(cond);
			return lex_error(&lx, "expected AND or OR", e);
		}
		skip_ws(&lx);
		if (!text[lx.pos]) {
			json_decref(cond);
			return lex_error(&lx, "expected a clause after AND/OR", e);
		}
	}
	*out = cond;
	return 0;
}

/* ---- a call's selection ---- */

static void point_query(sbx_select *s)
{
	s->q.where = s->where.len ? s->where.data : NULL;
	s->q.where_args = s->args;
}

/* AND the expression `part` (with values `more`) into the selection. */
static int and_part(sbx_select *s, const util_buf *part, json_t *more, sbx_err *e)
{
	if (!part->len)
		return 0;
	if (s->where.len && util_buf_puts(&s->where, " AND ") < 0)
		return oom(e);
	if (append(&s->where, s->args, part, more, e) < 0)
		return -1;
	point_query(s);
	return 0;
}

int sbx_select_and(sbx_select *s, const char *sql, json_t *arg)
{
	util_buf part = UTIL_BUF_INIT;
	json_t *more = json_array();
	sbx_err e = SBX_ERR_INIT;
	int rc = -1;

	if (more && (!arg || json_array_append(more, arg) == 0)) {
		util_buf_putc(&part, '(');
		util_buf_puts(&part, sql);
		util_buf_putc(&part, ')');
		rc = and_part(s, &part, more, &e);
	}
	json_decref(arg);
	json_decref(more);
	util_buf_release(&part);
	return rc;
}

/* condition + search into s. */
static int read_criteria(sbx_call *c, const sbx_otype *t, sbx_select *s)
{
	util_buf part = UTIL_BUF_INIT;
	json_t *cond = NULL, *more = json_array();
	const char *search = NULL;
	int notes = 0, rc = -1, has;
	sbx_err e = SBX_ERR_INIT;

	if (!more)
		return sbx_fail(c, 500, "Internal Server Error: out of memory");
	if ((has = sbx_arg_json(c, "condition", SBX_OPTIONAL, &cond)) < 0 ||
	    sbx_arg_str(c, "search", SBX_OPTIONAL, &search) < 0 ||
	    sbx_arg_bool(c, "searchNotes", SBX_OPTIONAL, &notes) < 0)
		goto out;
	if (has == 0) {
		/* A JSON body may carry the condition as an array; a query string as text. */
		if (sbx_criteria_condition(t, cond, &part, more, &e) < 0 ||
		    and_part(s, &part, more, &e) < 0) {
			sbx_fail_err(c, &e);
			goto out;
		}
		if (json_array_size(cond) || json_is_string(cond))
			s->narrowed = 1;
	}
	util_buf_clear(&part);
	json_array_clear(more);
	if (search && *search) {
		if (sbx_criteria_search(t, search, &part, more, &e) < 0 ||
		    and_part(s, &part, more, &e) < 0) {
			sbx_fail_err(c, &e);
			goto out;
		}
		s->narrowed = s->narrowed || part.len > 0;
	}
	rc = 0;
out:
	util_buf_release(&part);
	json_decref(cond);
	json_decref(more);
	return rc;
}

/* One saved group's condition, ORed into `any` (its values into more). 0, or -1 with e. */
static int group_part(sbx_call *c, const sbx_otype *t, const char *param, const char *text,
                      util_buf *any, json_t *more, sbx_err *e)
{
	const sbx_otype *gt = sbx_store_type(c->ctx->store, GROUP_TYPE);
	json_t *g = NULL, *cond = NULL;
	const char *ctext;
	long long id, type = -1;
	size_t before;
	char shown[40];
	int rc = -1;

	sbx_clip(text, shown, sizeof shown);
	if (util_parse_ll(text, 0, LLONG_MAX, &id) < 0)
		return sbx_err_set(e, 400, "Invalid %s '%s': expected a whole number", param,
		                   shown);
	if (id == 0)
		return 0; /* 0 means "no group", as ids=0 means "no ids" (§3.1) */
	if (!gt || sbx_record_get(c->ctx->store, gt, id, NULL, &g, e) < 0) {
		return sbx_err_set(e, 400, "Invalid %s '%s': no such group", param, shown);
	}
	util_parse_ll(json_string_value(json_object_get(g, "object_type_id")), 0, LLONG_MAX, &type);
	ctext = json_string_value(json_object_get(g, "condition"));
	if (type != t->id) {
		sbx_err_set(e, 400, "Invalid %s '%s': the group holds object type %lld, not %lld",
		            param, shown, type, t->id);
	} else if (ctext && *ctext && !(cond = json_loads(ctext, JSON_DECODE_ANY, NULL))) {
		sbx_err_set(e, 500,
		            "Internal Server Error: group %lld has a condition that is not JSON",
		            id);
	} else {
		if (any->len)
			util_buf_puts(any, " OR ");
		before = any->len;
		if (!cond || sbx_criteria_condition(t, cond, any, more, e) == 0) {
			if (any->len == before)
				util_buf_puts(any,
				              "1"); /* no condition: every record of the type */
			rc = 0;
		}
	}
	json_decref(cond);
	json_decref(g);
	return rc;
}

/* group_id and group_ids: the members of any of the saved groups named (§M8.2). */
static int read_groups(sbx_call *c, const sbx_otype *t, sbx_select *s)
{
	static const char *const params[] = {"group_id", "group_ids"};
	util_buf any = UTIL_BUF_INIT, part = UTIL_BUF_INIT;
	json_t *more = json_array(), *list = NULL, *item;
	sbx_err e = SBX_ERR_INIT;
	size_t i, k;
	int rc = 0;

	if (!more)
		return sbx_fail(c, 500, "Internal Server Error: out of memory");
	for (i = 0; i < 2 && rc == 0; i++) {
		if ((rc = sbx_arg_list(c, params[i], SBX_OPTIONAL, &list)) != 0) {
			rc = rc < 0 ? -1 : 0;
			continue;
		}
		json_array_foreach(list, k, item) if (rc == 0) rc =
		    group_part(c, t, params[i], json_string_value(item), &any, more, &e);
		json_decref(list);
		if (rc < 0)
			sbx_fail_err(c, &e);
	}
	if (rc == 0 && any.len) {
		util_buf_putc(&part, '(');
		util_buf_append(&part, any.data, any.len);
		util_buf_putc(&part, ')');
		if ((rc = and_part(s, &part, more, &e)) < 0)
			sbx_fail_err(c, &e);
		s->narrowed = 1;
	}
	util_buf_release(&any);
	util_buf_release(&part);
	json_decref(more);
	return rc;
}

/* start, range, sort, sortDir, listFields. */
static int read_paging(sbx_call *c, const sbx_otype *t, sbx_select *s)
{
	sbx_query *q = &s->q;
	const char *dir = NULL;

	q->range = RANGE_MAX;
	if (sbx_arg_int(c, "start", SBX_OPTIONAL, 0, LLONG_MAX, &q->start) < 0 ||
	    sbx_arg_int(c, "range", SBX_OPTIONAL, 0, LLONG_MAX, &q->range) < 0 ||
	    sbx_arg_str(c, "sort", SBX_OPTIONAL, &q->sort) < 0 ||
	    sbx_arg_str(c, "sortDir", SBX_OPTIONAL, &dir) < 0 ||
	    sbx_arg_list(c, "listFields", SBX_OPTIONAL, &s->fields) < 0 ||
	    sbx_arg_list(c, "externs", SBX_OPTIONAL, &s->externs) < 0)
		return -1;
	if (json_array_size(s->externs) > SBX_EXTERNS_MAX)
		return sbx_fail(c, 400, "Invalid externs: more than %d", SBX_EXTERNS_MAX);
	/* range > 50 is clamped (UNCONFIRMED what Ontraport does); 0 means the default. */
	if (q->range <= 0 || q->range > RANGE_MAX)
		q->range = RANGE_MAX;
	if (q->sort && !*q->sort)
		q->sort = NULL;
	/* "id" names the id key of every type, as in conditions (tags: tag_id). */
	if (q->sort && !strcmp(q->sort, "id"))
		q->sort = t->id_field;
	if (dir && *dir) {
		if (util_strieq(dir, "desc"))
			q->desc = 1;
		else if (!util_strieq(dir, "asc"))
			return sbx_fail(c, 400, "Invalid sortDir '%.20s': expected asc or desc",
			                dir);
	}
	q->fields = s->fields;
	return 0;
}

int sbx_call_select(sbx_call *c, const sbx_otype *t, unsigned flags, sbx_select *s)
{
	size_t i;
	int all_zero = 1;

	memset(s, 0, sizeof *s);
	s->args = json_array();
	if (!s->args)
		return sbx_fail(c, 500, "Internal Server Error: out of memory");
	if (sbx_arg_ids(c, "ids", SBX_OPTIONAL, &s->ids) < 0 ||
	    sbx_arg_bool(c, "performAll", SBX_OPTIONAL, &s->all) < 0 ||
	    read_criteria(c, t, s) < 0 || read_groups(c, t, s) < 0)
		return -1;
	/* .NET sends ids=0 to mean "no id filter" (§3.1); performAll acts on every match
	 * "instead of an explicit ids list". */
	for (i = 0; i < s->ids.n; i++)
		if (s->ids.v[i] != 0)
			all_zero = 0;
	if (!all_zero && !s->all) {
		s->q.ids = s->ids.v;
		s->q.nids = s->ids.n;
		s->narrowed = 1;
	}
	if ((flags & SBX_SEL_PAGE) && read_paging(c, t, s) < 0)
		return -1;
	point_query(s);
	return 0;
}

void sbx_select_release(sbx_select *s)
{
	sbx_ids_release(&s->ids);
	json_decref(s->fields);
	json_decref(s->externs);
	util_buf_release(&s->where);
	json_decref(s->args);
	memset(s, 0, sizeof *s);
}
