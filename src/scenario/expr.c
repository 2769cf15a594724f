/*
 * expr: lexer and recursive-descent parser into a node pool. The
 * evaluator is expr_eval.c, filters expr_filters.c, values and errors
 * expr_value.c (under both); scen_expr_int.h is the seam.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen_expr_int.h"
#include "scen_yaml.h"
#include "util.h"
#include "banned.h"

static const char *const roots[] = {"event", "data", "steps", "env"};

/* ---- lexer ---- */

enum { T_EOF, T_IDENT, T_NUM, T_STR, T_OP, T_CLOSE /* }} in a template */ };

typedef struct parser {
	scen_expr *x;
	const char *s;
	size_t len, pos;
	int tk;
	size_t tstart, tlen;
	json_t *tval; /* T_NUM, T_STR: the literal */
	int depth, in_template;
	scen_experr *e;
} parser;

static int is_ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static int is_ident(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

static int lex_number(parser *p)
{
	size_t i = p->pos;
	char buf[64];
	int real = 0;

	while (i < p->len && (isdigit((unsigned char)p->s[i]) || p->s[i] == '.' || p->s[i] == 'e' ||
	                      p->s[i] == 'E' ||
	                      ((p->s[i] == '-' || p->s[i] == '+') && (p->s[i - 1] | 32) == 'e'))) {
		real |= !isdigit((unsigned char)p->s[i]);
		i++;
	}
	if (i - p->pos >= sizeof buf)
		return scen_expr_fail(p->e, p->pos, "number too long");
	memcpy(buf, p->s + p->pos, i - p->pos);
	buf[i - p->pos] = '\0';
	p->tk = T_NUM;
	p->tlen = i - p->pos;
	return scen_expr_number_literal(buf, real, &p->tval, p->e, p->pos);
}

static int lex_escape(parser *p, size_t *i, char *out)
{
	static const char from[] = "nt\\'\"", to[] = "\n\t\\'\"";
	const char *f;

	if (*i + 1 >= p->len || !(f = strchr(from, p->s[*i + 1])) || !*f)
		return scen_expr_fail(
		    p->e, *i, "unknown escape in a string: use \\n, \\t, \\\\, \\' or \\\"");
	*out = to[f - from];
	*i += 2;
	return 0;
}

static int lex_string(parser *p)
{
	char q = p->s[p->pos], *buf = malloc(p->len - p->pos);
	size_t i = p->pos + 1, n = 0;

	if (!buf)
		return scen_expr_fail(p->e, p->pos, "out of memory");
	while (i < p->len && p->s[i] != q) {
		if (p->s[i] == '\\' && lex_escape(p, &i, &buf[n]) == 0) {
			n++;
			continue;
		}
		if (p->s[i] == '\\') {
			free(buf);
			return -1;
		}
		buf[n++] = p->s[i++];
	}
	if (i >= p->len) {
		free(buf);
		return scen_expr_fail(p->e, p->pos, "unterminated string: expected a closing %c",
		                      q);
	}
	p->tval = json_stringn(buf, n);
	free(buf);
	p->tk = T_STR;
	p->tlen = i + 1 - p->pos;
	return p->tval ? 0 : scen_expr_fail(p->e, p->pos, "a string literal is not valid UTF-8");
}

static int lex_op(parser *p)
{
	static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">", "(",
	                                  ")",  "[",  "]",  ",",  ".", "|", "-"};
	size_t i;

	if (p->in_template && p->pos + 1 < p->len && !strncmp(p->s + p->pos, "}}", 2)) {
		p->tk = T_CLOSE;
		p->tlen = 2;
		return 0;
	}
	for (i = 0; i < sizeof ops / sizeof *ops; i++) {
		size_t n = strlen(ops[i]);
		if (p->pos + n <= p->len && !strncmp(p->s + p->pos, ops[i], n)) {
			p->tk = T_OP;
			p->tlen = n;
			return 0;
		}
	}
	if (p->s[p->pos] == '=')
		return scen_expr_fail(p->e, p->pos, "unexpected '=': compare with '=='");
	if (p->s[p->pos] == '&' || p->s[p->pos] == '!')
		return scen_expr_fail(p->e, p->pos, "unexpected '%c': write 'and', 'or', 'not'",
		                      p->s[p->pos]);
	return scen_expr_fail(p->e, p->pos, "unexpected character '%c'",
	                      isprint((unsigned char)p->s[p->pos]) ? p->s[p->pos] : '?');
}

static int next(parser *p)
{
	int c;

	json_decref(p->tval);
	p->tval = NULL;
	p->pos += p->tlen;
	while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
		p->pos++;
	p->tstart = p->pos;
	p->tlen = 0;
	if (p->pos >= p->len) {
		p->tk = T_EOF;
		return 0;
	}
	c = (unsigned char)p->s[p->pos];
	if (is_ident_start(c)) {
		while (p->pos + p->tlen < p->len && is_ident((unsigned char)p->s[p->pos + p->tlen]))
			p->tlen++;
		p->tk = T_IDENT;
		return 0;
	}
	if (isdigit(c))
		return lex_number(p);
	if (c == '\'' || c == '"')
		return lex_string(p);
	return lex_op(p);
}

static int is_op(const parser *p, const char *op)
{
	return p->tk == T_OP && p->tlen == strlen(op) && !strncmp(p->s + p->tstart, op, p->tlen);
}

static int is_word(const parser *p, const char *w)
{
	return p->tk == T_IDENT && p->tlen == strlen(w) && !strncmp(p->s + p->tstart, w, p->tlen);
}

static const char *tok_desc(const parser *p, char *buf, size_t n)
{
	if (p->tk == T_EOF)
		return "the end";
	if (p->tk == T_CLOSE)
		return "'}}'";
	snprintf(buf, n, "'%.*s'", (int)(p->tlen > 30 ? 30 : p->tlen), p->s + p->tstart);
	return buf;
}

static int expect(parser *p, const char *op, const char *what)
{
	char b[48];

	if (!is_op(p, op))
		return scen_expr_fail(p->e, p->tstart, "expected %s, found %s", what,
		                      tok_desc(p, b, sizeof b));
	return next(p);
}

/* ---- nodes ---- */

static int new_node(parser *p, int kind, size_t off)
{
	scen_expr *x = p->x;
	enode *n;

	if (x->n == SCEN_EXPR_MAX_NODES)
		return scen_expr_fail(p->e, off, "expression too large (at most %d parts)",
		                      SCEN_EXPR_MAX_NODES);
	n = &x->nodes[x->n];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->a = n->b = n->next = -1;
	n->off = off;
	return x->n++;
}

static int lit_node(parser *p, json_t *v, size_t off)
{
	int i = new_node(p, N_LIT, off);

	if (i < 0) {
		json_decref(v);
		return -1;
	}
	p->x->nodes[i].lit = v;
	return i;
}

static int bin_node(parser *p, int kind, int op, int a, int b, size_t off)
{
	int i = new_node(p, kind, off);

	if (i >= 0) {
		p->x->nodes[i].op = op;
		p->x->nodes[i].a = a;
		p->x->nodes[i].b = b;
	}
	return i;
}

static void set_name(parser *p, int i, size_t start, size_t len)
{
	size_t n = len < sizeof p->x->nodes[i].name - 1 ? len : sizeof p->x->nodes[i].name - 1;

	memcpy(p->x->nodes[i].name, p->s + start, n);
	p->x->nodes[i].name[n] = '\0';
}

/* ---- grammar ---- */

static int parse_or(parser *p);

static int enter(parser *p)
{
	if (++p->depth > SCEN_EXPR_MAX_DEPTH)
		return scen_expr_fail(p->e, p->tstart, "nested too deeply (at most %d levels)",
		                      SCEN_EXPR_MAX_DEPTH);
	return 0;
}

/* A comma-separated list up to `close`; the items chained by next. Returns the first or -2 when
 * empty. */
static int parse_items(parser *p, const char *close, int *count)
{
	int first = -2, last = -1, item;

	*count = 0;
	while (!is_op(p, close)) {
		if (*count && expect(p, ",", "',' or the closing bracket") < 0)
			return -1;
		if ((item = parse_or(p)) < 0)
			return -1;
		if (last >= 0)
			p->x->nodes[last].next = item;
		else
			first = item;
		last = item;
		(*count)++;
	}
	return next(p) < 0 ? -1 : first;
}

static int parse_var(parser *p)
{
	char word[32];
	size_t off = p->tstart, n = p->tlen < 31 ? p->tlen : 31;
	const char *near;
	int i;

	memcpy(word, p->s + off, n);
	word[n] = '\0';
	if (!strcmp(word, "true") || !strcmp(word, "false") || !strcmp(word, "null")) {
		json_t *v = word[0] == 't'   ? json_true()
		            : word[0] == 'f' ? json_false()
		                             : json_null();
		return next(p) < 0 ? -1 : lit_node(p, v, off);
	}
	for (i = 0; i < 4; i++)
		if (!strcmp(word, roots[i]))
			break;
	if (i == 4) {
		near = util_nearest(word, roots, 4);
		return scen_expr_fail(
		    p->e, off, "unknown name '%s': expected event, data, steps or env%s%s%s", word,
		    near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	}
	if ((i = new_node(p, N_VAR, off)) < 0)
		return -1;
	set_name(p, i, off, p->tlen);
	return next(p) < 0 ? -1 : i;
}

static int parse_atom(parser *p)
{
	size_t off = p->tstart;
	char b[48];
	int i, n;

	if (p->tk == T_NUM || p->tk == T_STR) {
		json_t *v = json_incref(p->tval);
		return next(p) < 0 ? (json_decref(v), -1) : lit_node(p, v, off);
	}
	if (p->tk == T_IDENT)
		return parse_var(p);
	if (is_op(p, "-")) {
		if (next(p) < 0)
			return -1;
		if (p->tk != T_NUM)
			return scen_expr_fail(p->e, off, "'-' must be followed by a number");
		json_t *v = scen_expr_negate(p->tval);
		return next(p) < 0 ? (json_decref(v), -1) : lit_node(p, v, off);
	}
	if (is_op(p, "(")) {
		if (next(p) < 0 || (i = parse_or(p)) < 0 || expect(p, ")", "')'") < 0)
			return -1;
		return i;
	}
	if (is_op(p, "[")) {
		if (next(p) < 0 || (i = new_node(p, N_LIST, off)) < 0)
			return -1;
		if ((p->x->nodes[i].a = parse_items(p, "]", &n)) == -1)
			return -1;
		return i;
	}
	return scen_expr_fail(p->e, off,
	                      "expected a value (a path, a string, a number, true, false, "
	                      "null, '(' or '['), found %s",
	                      tok_desc(p, b, sizeof b));
}

static int parse_postfix(parser *p)
{
	int base = parse_atom(p), key;
	size_t off;

	while (base >= 0 && (is_op(p, ".") || is_op(p, "["))) {
		off = p->tstart;
		if (is_op(p, "[")) {
			if (next(p) < 0 || (key = parse_or(p)) < 0 || expect(p, "]", "']'") < 0)
				return -1;
		} else {
			if (next(p) < 0)
				return -1;
			if (p->tk != T_IDENT && p->tk != T_NUM)
				return scen_expr_fail(p->e, p->tstart, "expected a name after '.'");
			json_t *k = p->tk == T_NUM ? json_incref(p->tval)
			                           : json_stringn(p->s + p->tstart, p->tlen);
			if ((key = lit_node(p, k, p->tstart)) < 0 || next(p) < 0)
				return -1;
		}
		base = bin_node(p, N_GET, 0, base, key, off);
	}
	return base;
}

static int parse_filter(parser *p, int input)
{
	size_t off = p->tstart;
	int i, n = 0;

	if (p->tk != T_IDENT)
		return scen_expr_fail(p->e, off, "expected a filter name after '|'");
	if ((i = bin_node(p, N_FILTER, 0, input, -2, off)) < 0)
		return -1;
	set_name(p, i, off, p->tlen);
	if (next(p) < 0)
		return -1;
	if (is_op(p, "(")) {
		if (next(p) < 0 || (p->x->nodes[i].b = parse_items(p, ")", &n)) == -1)
			return -1;
	}
	return scen_expr_check_filter(&p->x->nodes[i], n, p->e) < 0 ? -1 : i;
}

static int parse_pipe(parser *p)
{
	int v = parse_postfix(p);

	while (v >= 0 && is_op(p, "|")) {
		if (next(p) < 0)
			return -1;
		v = parse_filter(p, v);
	}
	return v;
}

static int cmp_op(const parser *p)
{
	static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};
	int i;

	for (i = 0; i < 6; i++)
		if (is_op(p, ops[i]))
			return i + 1;
	return is_word(p, "in") ? OP_IN : 0;
}

static int parse_cmp(parser *p)
{
	int a = parse_pipe(p), op, b;
	size_t off;

	if (a < 0 || !(op = cmp_op(p)))
		return a;
	off = p->tstart;
	if (next(p) < 0 || (b = parse_pipe(p)) < 0)
		return -1;
	if (cmp_op(p))
		return scen_expr_fail(p->e, p->tstart, "comparisons do not chain: add parentheses");
	return bin_node(p, N_CMP, op, a, b, off);
}

static int parse_not(parser *p)
{
	size_t off = p->tstart;
	int a;

	if (!is_word(p, "not"))
		return parse_cmp(p);
	if (enter(p) < 0 || next(p) < 0 || (a = parse_not(p)) < 0)
		return -1;
	p->depth--;
	return bin_node(p, N_NOT, 0, a, -1, off);
}

static int parse_and(parser *p)
{
	int a = parse_not(p), b;
	size_t off;

	while (a >= 0 && is_word(p, "and")) {
		off = p->tstart;
		if (next(p) < 0 || (b = parse_not(p)) < 0)
			return -1;
		a = bin_node(p, N_AND, 0, a, b, off);
	}
	return a;
}

static int parse_or(parser *p)
{
	int a, b;
	size_t off;

	if (enter(p) < 0)
		return -1;
	a = parse_and(p);
	while (a >= 0 && is_word(p, "or")) {
		off = p->tstart;
		if (next(p) < 0 || (b = parse_and(p)) < 0)
			return -1;
		a = bin_node(p, N_OR, 0, a, b, off);
	}
	p->depth--;
	return a;
}

/* ---- compile ---- */

static scen_expr *expr_new(size_t len, scen_experr *e)
{
	scen_expr *x;

	if (len > SCEN_EXPR_MAX_SOURCE) {
		scen_expr_fail(e, 0, "expression too long (%zu bytes; at most %d)", len,
		               SCEN_EXPR_MAX_SOURCE);
		return NULL;
	}
	x = calloc(1, sizeof *x);
	if (!x)
		scen_expr_fail(e, 0, "out of memory");
	return x;
}

static int add_part(scen_expr *x, const char *text, size_t n, int root, size_t off)
{
	tpart *parts;

	if (x->nparts == SCEN_EXPR_MAX_NODES)
		return -1;
	parts = realloc(x->parts, (x->nparts + 1) * sizeof *parts);
	if (!parts)
		return -1;
	x->parts = parts;
	parts[x->nparts].root = root;
	parts[x->nparts].off = off;
	parts[x->nparts].text = NULL;
	if (root < 0 && !(parts[x->nparts].text = json_stringn(text, n)))
		return -1;
	x->nparts++;
	return 0;
}

/* Parse one expression from p->pos to `end_tok` (T_EOF or T_CLOSE). */
static int parse_one(parser *p, int end_tok)
{
	char b[48];
	int root;

	p->tlen = 0;
	if (next(p) < 0 || (root = parse_or(p)) < 0)
		return -1;
	if (p->tk != end_tok)
		return scen_expr_fail(p->e, p->tstart, "unexpected %s: expected %s",
		                      tok_desc(p, b, sizeof b),
		                      end_tok == T_CLOSE ? "'}}', an operator or '|'"
		                                         : "the end, an operator or '|'");
	return root;
}

static int compile_parts(parser *p)
{
	const char *open;
	size_t at = 0;
	int root;

	while (at < p->len) {
		open = util_memfind(p->s + at, p->len - at, "{{", 2);
		size_t textlen = open ? (size_t)(open - (p->s + at)) : p->len - at;
		if (textlen && add_part(p->x, p->s + at, textlen, -1, at) < 0)
			return scen_expr_fail(p->e, at, "template too large");
		if (!open)
			break;
		p->pos = (size_t)(open - p->s) + 2;
		if ((root = parse_one(p, T_CLOSE)) < 0)
			return -1;
		if (add_part(p->x, NULL, 0, root, (size_t)(open - p->s)) < 0)
			return scen_expr_fail(p->e, at, "template too large");
		at = p->tstart + 2;
	}
	return 0;
}

static int finish(parser *p, int rc, scen_expr **out)
{
	json_decref(p->tval);
	if (rc < 0) {
		scen_expr_free(p->x);
		return -1;
	}
	*out = p->x;
	return 0;
}

int scen_expr_compile_template(const char *src, size_t len, scen_expr **out, scen_experr *e)
{
	parser p = {0};
	int rc;

	*out = NULL;
	if (!(p.x = expr_new(len, e)))
		return -1;
	p.s = src;
	p.len = len;
	p.e = e;
	p.in_template = 1;
	rc = compile_parts(&p);
	if (rc == 0)
		p.x->whole = p.x->nparts == 1 && p.x->parts[0].root >= 0;
	return finish(&p, rc, out);
}

int scen_expr_compile(const char *src, size_t len, scen_expr **out, scen_experr *e)
{
	parser p = {0};
	int root, rc = -1;

	*out = NULL;
	if (!(p.x = expr_new(len, e)))
		return -1;
	p.s = src;
	p.len = len;
	p.e = e;
	root = parse_one(&p, T_EOF);
	if (root >= 0 && add_part(p.x, NULL, 0, root, 0) == 0) {
		p.x->whole = 1;
		rc = 0;
	} else if (root >= 0) {
		scen_expr_fail(e, 0, "out of memory");
	}
	return finish(&p, rc, out);
}

int scen_expr_is_template(const char *s)
{
	return s && strstr(s, "{{") != NULL;
}

void scen_expr_free(scen_expr *x)
{
	int i;

	if (!x)
		return;
	for (i = 0; i < x->n; i++)
		json_decref(x->nodes[i].lit);
	for (i = 0; i < x->nparts; i++)
		json_decref(x->parts[i].text);
	free(x->parts);
	free(x);
}

/* ---- references ---- */

static const char *lit_str(const scen_expr *x, int i)
{
	return i >= 0 && x->nodes[i].kind == N_LIT ? json_string_value(x->nodes[i].lit) : NULL;
}

static int var_ref(const scen_expr *x, int v, scen_expr_ref_cb cb, void *ud)
{
	int i;

	for (i = 0; i < x->n; i++)
		if (x->nodes[i].kind == N_GET && x->nodes[i].a == v && lit_str(x, x->nodes[i].b))
			return cb(ud, x->nodes[v].name, lit_str(x, x->nodes[i].b),
			          x->nodes[i].off + 1);
	return cb(ud, x->nodes[v].name, NULL, x->nodes[v].off);
}

static int filter_ref(const scen_expr *x, const enode *f, scen_expr_ref_cb cb, void *ud)
{
	if (!strcmp(f->name, "tag_id"))
		return cb(ud, f->name, lit_str(x, f->a), f->off);
	if (!strcmp(f->name, "label_to_id") || !strcmp(f->name, "id_to_label"))
		return cb(ud, f->name, lit_str(x, f->b), f->off);
	return 0;
}

int scen_expr_refs(const scen_expr *x, scen_expr_ref_cb cb, void *ud)
{
	int i, rc = 0;

	for (i = 0; i < x->n && !rc; i++) {
		if (x->nodes[i].kind == N_VAR)
			rc = var_ref(x, i, cb, ud);
		else if (x->nodes[i].kind == N_FILTER)
			rc = filter_ref(x, &x->nodes[i], cb, ud);
	}
	return rc;
}
