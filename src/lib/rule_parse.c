/*
 * The rule language (REFERENCE.md §7.2): a parser and a checker. No I/O, hard
 * limits, every error one line naming the part, the item's position and
 * text, so it can be unit-tested and fuzzed alone.
 *
 *   part   := "" | item (sep item)*
 *   sep    := ";"  (events, actions; AND in conditions) | "|" (OR, conditions only)
 *   item   := name "(" [arg ("," arg)*] ")"
 *   name   := [A-Za-z0-9_]+
 *   arg    := any bytes but ( ) , ; | and control characters, trimmed
 *
 * Ping_APIURL's legacy form separates its arguments with "::" instead
 * (url::post_data::json_flag), so a comma may appear inside them.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "internal.h"
#include "rules_int.h"
#include "banned.h"

#define RULE_TEXT_MAX (64 * 1024)
#define RULE_ITEMS_MAX 256
#define RULE_ARGS_MAX 16
#define RULE_NAME_MAX 64
#define RULE_ARG_MAX 1024
#define QUOTE_MAX 60

struct span {
	const char *p;
	size_t len;
};

struct item {
	size_t start, end; /* the item's text in the source: [start, end) */
	struct span name;
	struct span args[RULE_ARGS_MAX];
	size_t nargs;
	char join;  /* 0 for the first item, else ';' or '|' */
	int legacy; /* Ping_APIURL with "::" */
};

struct parsed {
	ontra_rule_part part;
	const char *text;
	struct item *items;
	size_t n, alloc;
};

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* "events item 2 'Foo(1)': " + the rest; the item's text is quoted, cut and made printable. */
static int item_error(const struct parsed *ps, size_t index, size_t start, size_t end,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int item_error(const struct parsed *ps, size_t index, size_t start, size_t end,
                      const char *fmt, ...)
{
	char quote[QUOTE_MAX + 8], rest[400];
	size_t i, w = 0;
	va_list ap;

	for (i = start; i < end && w < QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)ps->text[i];
		quote[w++] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
	}
	/* Do not cut a UTF-8 sequence in half. */
	while (i < end && w > 0 && ((unsigned char)ps->text[i] & 0xC0) == 0x80 &&
	       ((unsigned char)quote[w - 1] & 0x80)) {
		w--;
		i--;
	}
	if (i < end) {
		memcpy(quote + w, "...", 3);
		w += 3;
	}
	quote[w] = '\0';
	va_start(ap, fmt);
	vsnprintf(rest, sizeof rest, fmt, ap);
	va_end(ap);
	return ontra__error(ONTRA_EINVALID, "%s item %zu '%s': %s", ontra_rule_part_name(ps->part),
	                    index, quote, rest);
}

/* The end of the item that starts at `start`, for quoting it: the next separator or the end. */
static size_t item_extent(const char *s, size_t start)
{
	size_t i = start;

	while (s[i] && s[i] != ';' && s[i] != '|')
		i++;
	while (i > start && is_ws(s[i - 1]))
		i--;
	return i;
}

static struct span trim(const char *p, size_t len)
{
	struct span sp;

	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	sp.p = p;
	sp.len = len;
	return sp;
}

static int span_is(struct span s, const char *word)
{
	return s.len == strlen(word) && memcmp(s.p, word, s.len) == 0;
}

/* Split the text between the parentheses into arguments. */
static int split_args(struct parsed *ps, struct item *it, size_t index, size_t a, size_t b)
{
	struct span all = trim(ps->text + a, b - a);
	const char *sep;
	size_t seplen;
	const char *p, *end;

	it->nargs = 0;
	if (all.len == 0)
		return 0;
	sep = ",";
	seplen = 1;
	if (span_is(it->name, ONTRA__RULE_PING) && util_memfind(all.p, all.len, "::", 2)) {
		sep = "::";
		seplen = 2;
		it->legacy = 1;
	}
	p = all.p;
	end = all.p + all.len;
	for (;;) {
		const char *q = util_memfind(p, (size_t)(end - p), sep, seplen);
		const char *stop = q ? q : end;
		if (it->nargs == RULE_ARGS_MAX)
			return item_error(ps, index, it->start, it->end,
			                  "too many arguments (at most %d)", RULE_ARGS_MAX);
		it->args[it->nargs] = trim(p, (size_t)(stop - p));
		if (it->args[it->nargs].len > RULE_ARG_MAX)
			return item_error(ps, index, it->start, it->end,
			                  "argument %zu is too long (at most %d bytes)",
			                  it->nargs + 1, RULE_ARG_MAX);
		if (it->legacy && it->args[it->nargs].len &&
		    (it->args[it->nargs].p[0] == ':' ||
		     it->args[it->nargs].p[it->args[it->nargs].len - 1] == ':'))
			return item_error(
			    ps, index, it->start, it->end,
			    "argument %zu starts or ends with ':', which is ambiguous next to '::'",
			    it->nargs + 1);
		it->nargs++;
		if (!q)
			break;
		p = q + seplen;
	}
	return 0;
}

static int push(struct parsed *ps, const struct item *it)
{
	if (ps->n == ps->alloc) {
		size_t na = ps->alloc ? ps->alloc * 2 : 8;
		struct item *ni = realloc(ps->items, na * sizeof *ni);
		if (!ni)
			return ontra__error_oom();
		ps->items = ni;
		ps->alloc = na;
	}
	ps->items[ps->n++] = *it;
	return 0;
}

static void parsed_release(struct parsed *ps)
{
	free(ps->items);
	ps->items = NULL;
	ps->n = ps->alloc = 0;
}

static int parse(struct parsed *ps, ontra_rule_part part, const char *text)
{
	const char *pname = ontra_rule_part_name(part);
	size_t len, pos = 0, index = 0;
	char join = 0;

	memset(ps, 0, sizeof *ps);
	ps->part = part;
	ps->text = text;
	if (part != ONTRA_RULE_EVENTS && part != ONTRA_RULE_CONDITIONS &&
	    part != ONTRA_RULE_ACTIONS)
		return ontra__error(ONTRA_EINVALID, "invalid rule part %d", (int)part);
	if (!text)
		return ontra__error(ONTRA_EINVALID, "%s: no text given", pname);
	len = strnlen(text, RULE_TEXT_MAX + 1);
	if (len > RULE_TEXT_MAX)
		return ontra__error(ONTRA_EINVALID, "%s: too long (at most %d bytes)", pname,
		                    RULE_TEXT_MAX);
	if (!util_utf8_valid(text, len))
		return ontra__error(ONTRA_EINVALID, "%s: not valid UTF-8 text", pname);

	while (is_ws(text[pos]))
		pos++;
	while (text[pos]) {
		struct item it;
		size_t a;

		memset(&it, 0, sizeof it);
		index++;
		if (index > RULE_ITEMS_MAX)
			return ontra__error(ONTRA_EINVALID, "%s: too many items (at most %d)",
			                    pname, RULE_ITEMS_MAX);
		it.start = pos;
		it.join = join;
		while (isalnum((unsigned char)text[pos]) || text[pos] == '_')
			pos++;
		it.name.p = text + it.start;
		it.name.len = pos - it.start;
		if (it.name.len == 0) {
			if (text[pos] == ';' || text[pos] == '|')
				return ontra__error(ONTRA_EINVALID,
				                    "%s item %zu: empty (nothing before '%c')",
				                    pname, index, text[pos]);
			return item_error(ps, index, it.start, item_extent(text, it.start),
			                  "expected a name (letters, digits and _), found '%c'",
			                  isprint((unsigned char)text[pos]) ? text[pos] : '?');
		}
		if (it.name.len > RULE_NAME_MAX)
			return item_error(ps, index, it.start, item_extent(text, it.start),
			                  "name too long (at most %d characters)", RULE_NAME_MAX);
		while (text[pos] == ' ' || text[pos] == '\t')
			pos++;
		if (text[pos] != '(') {
			if (!text[pos] || text[pos] == ';' || text[pos] == '|' || is_ws(text[pos]))
				return item_error(
				    ps, index, it.start, item_extent(text, it.start),
				    "missing '(': write '%.*s()' for an item without arguments",
				    (int)it.name.len, it.name.p);
			return item_error(ps, index, it.start, item_extent(text, it.start),
			                  "unexpected '%c' after the name, expected '('",
			                  isprint((unsigned char)text[pos]) ? text[pos] : '?');
		}
		a = ++pos;
		while (text[pos] && text[pos] != ')') {
			unsigned char ch = (unsigned char)text[pos];
			if (ch == '(')
				return item_error(
				    ps, index, it.start, item_extent(text, it.start),
				    "'(' inside the arguments (values cannot hold ( ) , ; |)");
			if (ch == ';' || ch == '|')
				break;
			if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
				return item_error(ps, index, it.start, item_extent(text, it.start),
				                  "control character in the arguments");
			pos++;
		}
		if (text[pos] != ')')
			return item_error(ps, index, it.start, item_extent(text, it.start),
			                  "missing ')'%s",
			                  text[pos] ? " (values cannot hold ( ) , ; |)" : "");
		it.end = pos + 1;
		{
			int rc = split_args(ps, &it, index, a, pos);
			if (rc < 0)
				return rc;
		}
		pos++;
		if (push(ps, &it) < 0)
			return ONTRA_ERROR;
		while (is_ws(text[pos]))
			pos++;
		if (!text[pos])
			break;
		if (text[pos] == ';' || (text[pos] == '|' && part == ONTRA_RULE_CONDITIONS)) {
			join = text[pos++];
			while (is_ws(text[pos]))
				pos++;
			if (!text[pos] || text[pos] == ';' || text[pos] == '|')
				return ontra__error(ONTRA_EINVALID,
				                    "%s item %zu: empty (nothing after '%c')",
				                    pname, index + 1, join);
			continue;
		}
		if (text[pos] == '|')
			return item_error(ps, index, it.start, it.end,
			                  "'|' (or) joins conditions only; separate %s with ';'",
			                  pname);
		return item_error(ps, index, it.start, it.end,
		                  "unexpected '%c' after the item; separate items with ';'%s",
		                  isprint((unsigned char)text[pos]) ? text[pos] : '?',
		                  part == ONTRA_RULE_CONDITIONS ? " (and) or '|' (or)" : "");
	}
	return 0;
}

int ontra_rule_parse(json_t **out, ontra_rule_part part, const char *text)
{
	struct parsed ps;
	json_t *arr = NULL;
	size_t i, k;
	int rc;

	*out = NULL;
	if ((rc = parse(&ps, part, text)) < 0)
		goto out;
	if (!(arr = json_array())) {
		rc = ontra__error_oom();
		goto out;
	}
	for (i = 0; i < ps.n; i++) {
		const struct item *it = &ps.items[i];
		json_t *o = json_object(), *args = json_array();
		int bad = !o || !args;
		for (k = 0; !bad && k < it->nargs; k++)
			bad = json_array_append_new(
			          args, json_stringn(it->args[k].p, it->args[k].len)) < 0;
		if (!bad)
			bad = json_object_set_new(o, "name",
			                          json_stringn(it->name.p, it->name.len)) < 0 ||
			      json_object_set(o, "args", args) < 0 ||
			      (it->join &&
			       json_object_set_new(
			           o, "join", json_string(it->join == '|' ? "OR" : "AND")) < 0) ||
			      (it->legacy && json_object_set_new(o, "legacy", json_true()) < 0) ||
			      json_array_append(arr, o) < 0;
		json_decref(args);
		json_decref(o);
		if (bad) {
			rc = ontra__error_oom();
			goto out;
		}
	}
	*out = arr;
	arr = NULL;
out:
	json_decref(arr);
	parsed_release(&ps);
	return rc;
}

/* ---- checking against the catalogue ---- */

/* "Name(a,b,c)" for an entry, into buf. */
static void signature(char *buf, size_t sz, const ontra_rule_def *d)
{
	size_t i, w;

	w = (size_t)snprintf(buf, sz, "%s(", d->name);
	for (i = 0; i < d->nargs && w < sz; i++)
		w += (size_t)snprintf(buf + w, sz - w, "%s%s", i ? "," : "", d->args[i].name);
	if (w < sz)
		snprintf(buf + w, sz - w, ")");
}

static const char *part_singular(ontra_rule_part part)
{
	switch (part) {
	case ONTRA_RULE_EVENTS:
		return "event";
	case ONTRA_RULE_CONDITIONS:
		return "condition";
	case ONTRA_RULE_ACTIONS:
		return "action";
	}
	return "item";
}

static const char *with_article(ontra_rule_part part)
{
	switch (part) {
	case ONTRA_RULE_EVENTS:
		return "an event";
	case ONTRA_RULE_CONDITIONS:
		return "a condition";
	case ONTRA_RULE_ACTIONS:
		return "an action";
	}
	return "an item";
}

static int check_unknown(const struct parsed *ps, size_t index, const struct item *it,
                         const char *name)
{
	const char *cands[64];
	size_t n = ontra_rule_catalogue_size(ps->part), i;
	const char *near;
	int other;

	/* An item of another part is a likely mix-up: say where it belongs. */
	for (other = ONTRA_RULE_EVENTS; other <= ONTRA_RULE_ACTIONS; other++) {
		if ((ontra_rule_part)other != ps->part &&
		    ontra_rule_catalogue_find((ontra_rule_part)other, name))
			return item_error(ps, index, it->start, it->end, "'%s' is %s, not %s", name,
			                  with_article((ontra_rule_part)other),
			                  with_article(ps->part));
	}
	for (i = 0; i < n && i < 64; i++)
		cands[i] = ontra_rule_catalogue_at(ps->part, i)->name;
	near = util_nearest(name, cands, i);
	if (near)
		return item_error(ps, index, it->start, it->end, "unknown %s (did you mean '%s'?)",
		                  part_singular(ps->part), near);
	return item_error(ps, index, it->start, it->end,
	                  "unknown %s (see 'ontraport rules catalogue %s')",
	                  part_singular(ps->part), ontra_rule_part_name(ps->part));
}

/* Ping_APIURL(webhook_id), or its legacy form url::post_data::json_flag. */
static int check_ping(const struct parsed *ps, size_t index, const struct item *it, char *why,
                      size_t whysz)
{
	static const ontra_rule_arg flag = {"json_flag", ONTRA_RULE_ARG_OPTION, 0, 1, "0 or 1"};
	char v[RULE_ARG_MAX + 1];

	if (!it->legacy)
		return 1; /* the ordinary check applies */
	if (it->nargs < 1 || it->nargs > 3)
		return item_error(ps, index, it->start, it->end,
		                  "wrong number of arguments: %zu given, expected 1 to 3: "
		                  "Ping_APIURL(url::post_data::json_flag)",
		                  it->nargs);
	snprintf(v, sizeof v, "%.*s", (int)it->args[0].len, it->args[0].p);
	if (!util_starts_with(v, "http://") && !util_starts_with(v, "https://"))
		return item_error(ps, index, it->start, it->end,
		                  "argument 1 (url) '%.40s%s': expected an http:// or https:// url",
		                  v, strlen(v) > 40 ? "..." : "");
	if (it->nargs == 3) {
		snprintf(v, sizeof v, "%.*s", (int)it->args[2].len, it->args[2].p);
		if (ontra__rule_arg_ok(&flag, v, why, whysz) < 0)
			return item_error(ps, index, it->start, it->end,
			                  "argument 3 (json_flag) '%s': %s", v, why);
	}
	return 0;
}

static int check_item(const struct parsed *ps, size_t index, const struct item *it, int object_type)
{
	char name[RULE_NAME_MAX + 1], v[RULE_ARG_MAX + 1], why[320], sig[512];
	const ontra_rule_def *d;
	size_t k;
	int rc;

	snprintf(name, sizeof name, "%.*s", (int)it->name.len, it->name.p);
	d = ontra_rule_catalogue_find(ps->part, name);
	if (!d)
		return check_unknown(ps, index, it, name);
	if (strcmp(name, ONTRA__RULE_PING) == 0) {
		if ((rc = check_ping(ps, index, it, why, sizeof why)) < 0)
			return rc;
		if (rc == 0)
			goto contacts;
	}
	if (it->nargs != d->nargs) {
		signature(sig, sizeof sig, d);
		return item_error(ps, index, it->start, it->end,
		                  "wrong number of arguments: %zu given, expected %zu: %s",
		                  it->nargs, d->nargs, sig);
	}
	for (k = 0; k < it->nargs; k++) {
		snprintf(v, sizeof v, "%.*s", (int)it->args[k].len, it->args[k].p);
		if (ontra__rule_arg_ok(&d->args[k], v, why, sizeof why) < 0)
			return item_error(ps, index, it->start, it->end,
			                  "argument %zu (%s) '%.40s%s': %s", k + 1, d->args[k].name,
			                  v, strlen(v) > 40 ? "..." : "", why);
	}
contacts:
	if (d->contacts_only && object_type != 0)
		return item_error(ps, index, it->start, it->end,
		                  "%s is for contacts only, but the rule is for object type %d",
		                  part_singular(ps->part), object_type);
	return 0;
}

int ontra_rule_check(char **out, ontra_rule_part part, const char *text, int object_type)
{
	struct parsed ps;
	util_buf b = UTIL_BUF_INIT;
	size_t i, k;
	int rc;

	*out = NULL;
	if ((rc = parse(&ps, part, text)) < 0)
		goto out;
	if (object_type < 0) {
		rc = ontra__error(ONTRA_EINVALID, "invalid object type %d for a rule", object_type);
		goto out;
	}
	if (ps.n == 0 && part != ONTRA_RULE_CONDITIONS) {
		rc = ontra__error(ONTRA_EINVALID, "%s: at least one %s is required",
		                  ontra_rule_part_name(part), part_singular(part));
		goto out;
	}
	for (i = 0; i < ps.n; i++)
		if ((rc = check_item(&ps, i + 1, &ps.items[i], object_type)) < 0)
			goto out;
	for (i = 0; i < ps.n; i++) {
		const struct item *it = &ps.items[i];
		if (it->join)
			util_buf_putc(&b, it->join);
		util_buf_printf(&b, "%.*s(", (int)it->name.len, it->name.p);
		for (k = 0; k < it->nargs; k++)
			util_buf_printf(&b, "%s%.*s", k ? (it->legacy ? "::" : ",") : "",
			                (int)it->args[k].len, it->args[k].p);
		util_buf_putc(&b, ')');
	}
	if (util_buf_ensure(&b) < 0 || util_buf_failed(&b)) {
		rc = ontra__error_oom();
		goto out;
	}
	*out = util_buf_detach(&b);
	if (!*out)
		rc = ontra__error_oom();
out:
	util_buf_release(&b);
	parsed_release(&ps);
	return rc;
}
