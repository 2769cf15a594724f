/*
 * Search conditions (REFERENCE.md §4): a builder for the condition JSON, and
 * a compiler from a readable text form:
 *
 *   where   := clause ( ("AND" | "OR") clause )*
 *   clause  := field op value
 *            | field ["NOT"] "IN" "(" value ("," value)* ")"
 *            | field "IS" ["NOT"] ("NULL" | "EMPTY")
 *   op      := "=" | "!=" | "<>" | "<" | ">" | "<=" | ">=" | "LIKE"
 *   value   := 'text' | "text" | number          ('' or \' inside quotes)
 *   field   := letters, digits, '_' and '//' (for related fields)
 *
 * Ontraport's condition is a flat list of clauses joined by "AND"/"OR", so
 * there are no parentheses; the sandbox gives AND precedence over OR, as SQL
 * does. Keywords are case-insensitive. No I/O: fuzzable alone.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "internal.h"
#include "banned.h"

#define WHERE_MAX_LEN (64 * 1024)
#define WHERE_MAX_CLAUSES 256
#define WHERE_MAX_LIST 1000

static const char *const valid_ops[] = {
    "=", "<>", ">", "<", ">=", "<=", "LIKE", "IN", "NOT IN", "IS", "IS NOT EMPTY"};

int ontra_condition_op_valid(const char *op)
{
	size_t i;

	for (i = 0; op && i < sizeof valid_ops / sizeof *valid_ops; i++)
		if (strcmp(op, valid_ops[i]) == 0)
			return 1;
	return 0;
}

int ontra_condition_add(json_t *condition, const char *conj, const char *field, const char *op,
                        json_t *value)
{
	json_t *clause;
	int joined;

	if (!json_is_array(condition) || !field || !*field || !ontra_condition_op_valid(op)) {
		json_decref(value);
		return ontra__error(ONTRA_EINVALID,
		                    "invalid condition clause on '%s' with operator '%s'",
		                    field ? field : "", op ? op : "");
	}
	if (json_array_size(condition) > 0 &&
	    (!conj || (strcmp(conj, "AND") != 0 && strcmp(conj, "OR") != 0))) {
		json_decref(value);
		return ontra__error(ONTRA_EINVALID, "clauses are joined by AND or OR, not '%s'",
		                    conj ? conj : "");
	}
	if (strcmp(op, "IS NOT EMPTY") == 0) {
		json_decref(value);
		clause = json_pack("{s:{s:s}, s:s}", "field", "field", field, "op", op);
	} else if (strcmp(op, "IS") == 0) {
		json_decref(value);
		clause = json_pack("{s:{s:s}, s:s, s:s}", "field", "field", field, "op", op,
		                   "value", "NULL");
	} else if (strcmp(op, "IN") == 0 || strcmp(op, "NOT IN") == 0) {
		json_t *list = json_array(), *v;
		size_t i;
		if (!json_is_array(value) || !list) {
			json_decref(value);
			json_decref(list);
			return list ? ontra__error(ONTRA_EINVALID,
			                           "%s on '%s' needs a list of values", op, field)
			            : ontra__error_oom();
		}
		json_array_foreach(value, i, v)
		{
			/* Out of memory must not quietly drop a value from the list. */
			if (json_array_append_new(list, json_pack("{s:O}", "value", v)) < 0) {
				json_decref(value);
				json_decref(list);
				return ontra__error_oom();
			}
		}
		json_decref(value);
		clause = json_pack("{s:{s:s}, s:s, s:{s:o}}", "field", "field", field, "op", op,
		                   "value", "list", list);
	} else {
		if (!value || json_is_array(value) || json_is_object(value)) {
			json_decref(value);
			return ontra__error(ONTRA_EINVALID, "operator '%s' on '%s' needs one value",
			                    op, field);
		}
		clause = json_pack("{s:{s:s}, s:s, s:{s:o}}", "field", "field", field, "op", op,
		                   "value", "value", value);
	}
	if (!clause)
		return ontra__error_oom();
	/* Only a complete clause is appended, with its conjunction: no half-built condition. */
	joined = json_array_size(condition) > 0;
	if (joined && json_array_append_new(condition, json_string(conj)) < 0) {
		json_decref(clause);
		return ontra__error_oom();
	}
	if (json_array_append_new(condition, clause) < 0) {
		if (joined) /* take the conjunction back */
			json_array_remove(condition, json_array_size(condition) - 1);
		return ontra__error_oom();
	}
	return 0;
}

/* ---- the text form ---- */

struct lexer {
	const char *s;
	size_t pos;
};

static void skip_ws(struct lexer *lx)
{
	while (lx->s[lx->pos] && isspace((unsigned char)lx->s[lx->pos]))
		lx->pos++;
}

/* Whether the next word is `kw` (case-insensitive, whole word); consumes it if so. */
static int accept_kw(struct lexer *lx, const char *kw)
{
	size_t n = strlen(kw);
	char after;

	skip_ws(lx);
	if (!util_strnieq(lx->s + lx->pos, kw, n))
		return 0;
	after = lx->s[lx->pos + n];
	if (isalnum((unsigned char)after) || after == '_')
		return 0;
	lx->pos += n;
	return 1;
}

static int where_error(const struct lexer *lx, const char *what)
{
	const char *near = lx->s + lx->pos;
	return ontra__error(ONTRA_EINVALID, "invalid condition at column %zu: %s%s%.20s%s",
	                    lx->pos + 1, what, *near ? " near '" : " at the end", near,
	                    *near ? (strlen(near) > 20 ? "...'" : "'") : "");
}

static int read_field(struct lexer *lx, char *out, size_t n)
{
	size_t start, len;

	skip_ws(lx);
	start = lx->pos;
	while (isalnum((unsigned char)lx->s[lx->pos]) || lx->s[lx->pos] == '_' ||
	       (lx->s[lx->pos] == '/' && lx->s[lx->pos + 1] == '/') ||
	       (lx->s[lx->pos] == '/' && lx->pos > start && lx->s[lx->pos - 1] == '/'))
		lx->pos++;
	len = lx->pos - start;
	if (len == 0 || isdigit((unsigned char)lx->s[start]))
		return where_error(lx, "expected a field name");
	if (len >= n)
		return where_error(lx, "field name too long");
	memcpy(out, lx->s + start, len);
	out[len] = '\0';
	return 0;
}

/* A quoted string or a number. *out is a new JSON value. */
static int read_value(struct lexer *lx, json_t **out)
{
	char q;
	util_buf b = UTIL_BUF_INIT;

	*out = NULL;
	skip_ws(lx);
	q = lx->s[lx->pos];
	if (q == '\'' || q == '"') {
		size_t start = lx->pos++;
		for (;;) {
			char ch = lx->s[lx->pos];
			if (!ch) {
				util_buf_release(&b);
				lx->pos = start;
				return where_error(lx, "unterminated quoted value");
			}
			if (ch == '\\' && lx->s[lx->pos + 1]) {
				util_buf_putc(&b, lx->s[lx->pos + 1]);
				lx->pos += 2;
				continue;
			}
			if (ch == q) {
				if (lx->s[lx->pos + 1] == q) { /* doubled quote */
					util_buf_putc(&b, q);
					lx->pos += 2;
					continue;
				}
				lx->pos++;
				break;
			}
			util_buf_putc(&b, ch);
			lx->pos++;
		}
		if (util_buf_ensure(&b) < 0) {
			util_buf_release(&b);
			return ontra__error_oom();
		}
		if (!util_utf8_valid(b.data, b.len)) {
			util_buf_release(&b);
			return where_error(lx, "quoted value is not valid UTF-8");
		}
		*out = json_stringn(b.data, b.len);
		util_buf_release(&b);
		return *out ? 0 : ontra__error_oom();
	}
	if (q == '-' || q == '+' || isdigit((unsigned char)q)) {
		size_t start = lx->pos, digits = 0, dots = 0;
		char num[64];
		if (q == '-' || q == '+')
			lx->pos++;
		while (isdigit((unsigned char)lx->s[lx->pos]) || lx->s[lx->pos] == '.') {
			if (lx->s[lx->pos] == '.')
				dots++;
			else
				digits++;
			lx->pos++;
		}
		if (!digits || dots > 1 || lx->pos - start >= sizeof num ||
		    isalpha((unsigned char)lx->s[lx->pos])) {
			lx->pos = start;
			return where_error(lx, "expected a number or a quoted value");
		}
		snprintf(num, sizeof num, "%.*s", (int)(lx->pos - start), lx->s + start);
		if (dots) {
			*out = json_real(strtod(num, NULL));
		} else {
			long long v;
			if (util_parse_ll(num[0] == '+' ? num + 1 : num, -ONTRA_ID_MAX,
			                  ONTRA_ID_MAX, &v) < 0) {
				lx->pos = start;
				return where_error(lx, "number out of range");
			}
			*out = json_integer(v);
		}
		return *out ? 0 : ontra__error_oom();
	}
	return where_error(lx, "expected a value: 'quoted text' or a number");
}

static int read_op(struct lexer *lx, char *op, size_t n)
{
	static const char *const sym[] = {"<=", ">=", "<>", "!=", "=", "<", ">"};
	size_t i;

	skip_ws(lx);
	for (i = 0; i < sizeof sym / sizeof *sym; i++) {
		size_t l = strlen(sym[i]);
		if (strncmp(lx->s + lx->pos, sym[i], l) == 0) {
			lx->pos += l;
			snprintf(op, n, "%s", strcmp(sym[i], "!=") == 0 ? "<>" : sym[i]);
			return 0;
		}
	}
	if (accept_kw(lx, "LIKE")) {
		snprintf(op, n, "LIKE");
		return 0;
	}
	if (accept_kw(lx, "IN")) {
		snprintf(op, n, "IN");
		return 0;
	}
	if (accept_kw(lx, "NOT")) {
		if (accept_kw(lx, "IN")) {
			snprintf(op, n, "NOT IN");
			return 0;
		}
		return where_error(lx, "expected IN after NOT");
	}
	if (accept_kw(lx, "IS")) {
		int neg = accept_kw(lx, "NOT");
		if (accept_kw(lx, "NULL") || accept_kw(lx, "EMPTY")) {
			snprintf(op, n, "%s", neg ? "IS NOT EMPTY" : "IS");
			return 0;
		}
		return where_error(lx, "expected NULL or EMPTY after IS");
	}
	return where_error(lx,
	                   "expected an operator (=, <>, <, >, <=, >=, LIKE, IN, NOT IN, IS NULL)");
}

static int read_list(struct lexer *lx, json_t **out)
{
	json_t *list = json_array(), *v;
	int rc;

	*out = NULL;
	if (!list)
		return ontra__error_oom();
	skip_ws(lx);
	if (lx->s[lx->pos] != '(') {
		json_decref(list);
		return where_error(lx, "expected '(' to start the list");
	}
	lx->pos++;
	for (;;) {
		if ((rc = read_value(lx, &v)) < 0) {
			json_decref(list);
			return rc;
		}
		if (json_array_size(list) >= WHERE_MAX_LIST) {
			json_decref(v);
			json_decref(list);
			return where_error(lx, "list too long");
		}
		json_array_append_new(list, v);
		skip_ws(lx);
		if (lx->s[lx->pos] == ',') {
			lx->pos++;
			continue;
		}
		if (lx->s[lx->pos] == ')') {
			lx->pos++;
			break;
		}
		json_decref(list);
		return where_error(lx, "expected ',' or ')' in the list");
	}
	*out = list;
	return 0;
}

int ontra_where_parse(json_t **out, const char *text)
{
	struct lexer lx = {text, 0};
	json_t *cond;
	const char *conj = NULL;
	size_t clauses = 0;
	int rc;

	*out = NULL;
	if (!text)
		return ontra__error(ONTRA_EINVALID, "invalid condition: empty");
	if (strlen(text) > WHERE_MAX_LEN)
		return ontra__error(ONTRA_EINVALID, "invalid condition: longer than %d bytes",
		                    WHERE_MAX_LEN);
	skip_ws(&lx);
	if (!text[lx.pos])
		return ontra__error(ONTRA_EINVALID, "invalid condition: empty");
	cond = json_array();
	if (!cond)
		return ontra__error_oom();
	for (;;) {
		char field[256], op[16];
		json_t *value = NULL;

		skip_ws(&lx);
		if (lx.s[lx.pos] == '(') {
			rc = where_error(
			    &lx, "parentheses are not supported (conditions are a flat list; "
			         "AND binds tighter than OR)");
			goto fail;
		}
		if ((rc = read_field(&lx, field, sizeof field)) < 0 ||
		    (rc = read_op(&lx, op, sizeof op)) < 0)
			goto fail;
		if (strcmp(op, "IN") == 0 || strcmp(op, "NOT IN") == 0)
			rc = read_list(&lx, &value);
		else if (strncmp(op, "IS", 2) != 0)
			rc = read_value(&lx, &value);
		if (rc < 0)
			goto fail;
		if (++clauses > WHERE_MAX_CLAUSES) {
			json_decref(value);
			rc = where_error(&lx, "too many clauses");
			goto fail;
		}
		if ((rc = ontra_condition_add(cond, conj, field, op, value)) < 0)
			goto fail;
		skip_ws(&lx);
		if (!lx.s[lx.pos])
			break;
		if (accept_kw(&lx, "AND"))
			conj = "AND";
		else if (accept_kw(&lx, "OR"))
			conj = "OR";
		else {
			rc = where_error(&lx, "expected AND or OR between clauses");
			goto fail;
		}
	}
	*out = cond;
	return 0;
fail:
	json_decref(cond);
	return rc;
}
