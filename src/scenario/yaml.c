/*
 * yaml: libyaml's event stream built into a jansson tree, with a side table
 * of positions (sorted by node, then key, and searched by bsearch).
 */
#include "scen_yaml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "banned.h"

typedef struct pos_entry {
	const json_t *node;
	char *key; /* NULL: the node's own position */
	scen_pos pos, vpos;
} pos_entry;

struct scen_doc {
	json_t *root;
	char *name;
	pos_entry *pos;
	size_t npos, cap;
	int sorted; /* after a load: bsearch; while building: a linear search */
};

typedef struct frame {
	json_t *node;
	char *key; /* a mapping's key waiting for its value */
	scen_pos keypos;
	scen_pos open; /* where the collection starts */
	char *anchor;
	size_t first_node;
} frame;

typedef struct anchor {
	char *name;
	json_t *node;
	size_t size;
} anchor;

typedef struct builder {
	scen_doc *doc;
	frame stack[SCEN_YAML_MAX_DEPTH + 1];
	int depth;
	anchor anchors[SCEN_YAML_MAX_ALIASES];
	size_t nanchors, aliases, nodes;
	int docs;
	char *err;
	size_t errsz;
} builder;

static int fail_at(builder *b, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void scen_one_line(char *msg)
{
	for (; *msg; msg++)
		if ((unsigned char)*msg < 0x20 || *msg == 0x7f)
			*msg = ' ';
}

static int fail_at(builder *b, yaml_mark_t m, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	scen_one_line(msg);
	if (b->err && b->errsz)
		snprintf(b->err, b->errsz, "%s:%zu:%zu: %s", b->doc->name, m.line + 1, m.column + 1,
		         msg);
	return -1;
}

static scen_pos mark_pos(yaml_mark_t m, int quoted)
{
	scen_pos p = {(int)m.line + 1, (int)m.column + 1, quoted};
	return p;
}

static int add_entry(scen_doc *d, const json_t *node, const char *key, scen_pos pos, scen_pos vpos)
{
	if (d->npos == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		pos_entry *p = realloc(d->pos, cap * sizeof *p);
		if (!p)
			return -1;
		d->pos = p;
		d->cap = cap;
	}
	d->pos[d->npos].node = node;
	d->pos[d->npos].key = key ? strdup(key) : NULL;
	d->pos[d->npos].pos = pos;
	d->pos[d->npos].vpos = vpos;
	if (key && !d->pos[d->npos].key)
		return -1;
	d->npos++;
	return 0;
}

static int is_singleton(const json_t *v)
{
	return json_is_true(v) || json_is_false(v) || json_is_null(v);
}

/* ---- plain scalars: the YAML 1.2 core schema ---- */

static int all_in(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

static int is_core_float(const char *s)
{
	size_t i = (*s == '-' || *s == '+') ? 1 : 0, digits = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	if (!digits)
		return 0;
	if (s[i] == 'e' || s[i] == 'E') {
		i++;
		if (s[i] == '-' || s[i] == '+')
			i++;
		if (!all_in(s + i, "0123456789"))
			return 0;
		return 1;
	}
	return s[i] == '\0';
}

static json_t *core_int(const char *s, int base, const char **why)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, base);
	if (errno == ERANGE) {
		*why = "integer out of range (at most 19 digits)";
		return NULL;
	}
	return json_integer(v);
}

static int is_special_float(const char *s)
{
	static const char *const names[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"};
	size_t i;

	if (*s == '-' || *s == '+')
		s++;
	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(s, names[i]))
			return 1;
	return 0;
}

/* A plain scalar's value; NULL with *why when it cannot be represented. */
static json_t *plain_scalar(const char *s, size_t n, const char **why)
{
	const char *d = (*s == '-' || *s == '+') ? s + 1 : s;

	if (!n || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
		return json_null();
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return json_true();
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return json_false();
	if (all_in(d, "0123456789"))
		return core_int(s, 10, why);
	if (!strncmp(s, "0x", 2) && all_in(s + 2, "0123456789abcdefABCDEF"))
		return core_int(s + 2, 16, why);
	if (!strncmp(s, "0o", 2) && all_in(s + 2, "01234567"))
		return core_int(s + 2, 8, why);
	if (is_core_float(s)) {
		double v = strtod(s, NULL);
		if (isfinite(v))
			return json_real(v);
	}
	if (is_special_float(s) || is_core_float(s)) {
		*why = "infinite and NaN numbers are not supported (quote it for a string)";
		return NULL;
	}
	return json_stringn(s, n);
}

/* ---- building ---- */

static json_t *make_scalar(builder *b, const yaml_event_t *e)
{
	const char *s = (const char *)e->data.scalar.value;
	size_t n = e->data.scalar.length;
	const char *why = "not valid UTF-8";
	json_t *v;

	if (e->data.scalar.tag) {
		fail_at(b, e->start_mark,
		        "tags ('%.40s') are not supported: write the value plainly",
		        (const char *)e->data.scalar.tag);
		return NULL;
	}
	if (e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		v = plain_scalar(s, n, &why);
	else
		v = json_stringn(s, n);
	if (!v)
		fail_at(b, e->start_mark, "%s", why);
	return v;
}

static int count_nodes(builder *b, size_t n, yaml_mark_t m)
{
	b->nodes += n;
	if (b->nodes > SCEN_YAML_MAX_NODES)
		return fail_at(b, m, "too many nodes once aliases are expanded (at most %d)",
		               SCEN_YAML_MAX_NODES);
	return 0;
}

/* Attach v (a new reference, consumed) to the open collection, or make it the root. */
static int attach(builder *b, json_t *v, yaml_mark_t m, int quoted)
{
	frame *top = b->depth ? &b->stack[b->depth - 1] : NULL;
	int rc = 0;

	if (!top) {
		b->doc->root = v;
		return 0;
	}
	if (json_is_array(top->node)) {
		return json_array_append_new(top->node, v) ? fail_at(b, m, "out of memory") : 0;
	}
	rc = add_entry(b->doc, top->node, top->key, top->keypos, mark_pos(m, quoted));
	if (rc == 0)
		rc = json_object_set_new(top->node, top->key, v);
	else
		json_decref(v);
	free(top->key);
	top->key = NULL;
	return rc ? fail_at(b, m, "out of memory") : 0;
}

static int take_key(builder *b, const yaml_event_t *e)
{
	frame *top = &b->stack[b->depth - 1];
	const char *k = (const char *)e->data.scalar.value;
	scen_pos first;

	if (strlen(k) != e->data.scalar.length)
		return fail_at(b, e->start_mark, "a key holds a NUL character");
	if (json_object_get(top->node, k)) {
		first = scen_doc_key_pos(b->doc, top->node, k);
		return fail_at(b, e->start_mark,
		               "duplicate key '%.80s' (first at line %d, column %d)", k, first.line,
		               first.col);
	}
	top->key = strdup(k);
	top->keypos = mark_pos(e->start_mark, e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE);
	return top->key ? 0 : fail_at(b, e->start_mark, "out of memory");
}

static int expecting_key(const builder *b)
{
	const frame *top = b->depth ? &b->stack[b->depth - 1] : NULL;
	return top && json_is_object(top->node) && !top->key;
}

static int remember_anchor(builder *b, const yaml_char_t *name, json_t *node, size_t size,
                           yaml_mark_t m)
{
	anchor *a;

	if (!name)
		return 0;
	if (b->nanchors == SCEN_YAML_MAX_ALIASES)
		return fail_at(b, m, "too many anchors (at most %d)", SCEN_YAML_MAX_ALIASES);
	a = &b->anchors[b->nanchors];
	a->name = strdup((const char *)name);
	if (!a->name)
		return fail_at(b, m, "out of memory");
	a->node = node;
	a->size = size;
	b->nanchors++;
	return 0;
}

static int on_scalar(builder *b, const yaml_event_t *e)
{
	int quoted = e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	json_t *v;

	if (count_nodes(b, 1, e->start_mark))
		return -1;
	if (expecting_key(b))
		return take_key(b, e);
	v = make_scalar(b, e);
	if (!v)
		return -1;
	if (!is_singleton(v) && add_entry(b->doc, v, NULL, mark_pos(e->start_mark, quoted),
	                                  mark_pos(e->start_mark, quoted)) < 0) {
		json_decref(v);
		return fail_at(b, e->start_mark, "out of memory");
	}
	if (remember_anchor(b, e->data.scalar.anchor, v, 1, e->start_mark) < 0) {
		json_decref(v);
		return -1;
	}
	return attach(b, v, e->start_mark, quoted);
}

static int on_open(builder *b, const yaml_event_t *e, int mapping)
{
	const yaml_char_t *tag = mapping ? e->data.mapping_start.tag : e->data.sequence_start.tag;
	const yaml_char_t *anc =
	    mapping ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
	frame *f;

	if (expecting_key(b))
		return fail_at(b, e->start_mark, "a key must be a plain value, not a %s",
		               mapping ? "mapping" : "list");
	if (tag)
		return fail_at(b, e->start_mark, "tags ('%.40s') are not supported",
		               (const char *)tag);
	if (b->depth == SCEN_YAML_MAX_DEPTH)
		return fail_at(b, e->start_mark, "nested too deeply (at most %d levels)",
		               SCEN_YAML_MAX_DEPTH);
	if (count_nodes(b, 1, e->start_mark))
		return -1;
	f = &b->stack[b->depth];
	memset(f, 0, sizeof *f);
	f->node = mapping ? json_object() : json_array();
	f->anchor = anc ? strdup((const char *)anc) : NULL;
	f->first_node = b->nodes;
	f->open = mark_pos(e->start_mark, 0);
	if (!f->node || (anc && !f->anchor))
		return fail_at(b, e->start_mark, "out of memory");
	b->depth++;
	return add_entry(b->doc, f->node, NULL, f->open, f->open) < 0
	           ? fail_at(b, e->start_mark, "out of memory")
	           : 0;
}

static int on_close(builder *b, const yaml_event_t *e)
{
	frame f = b->stack[--b->depth];
	yaml_mark_t m = e->start_mark;
	int rc;

	rc = remember_anchor(b, (const yaml_char_t *)f.anchor, f.node, b->nodes - f.first_node + 1,
	                     e->start_mark);
	free(f.anchor);
	if (rc < 0) {
		json_decref(f.node);
		return -1;
	}
	m.line = (size_t)f.open.line - 1;
	m.column = (size_t)f.open.col - 1;
	return attach(b, f.node, m, 0);
}

static int on_alias(builder *b, const yaml_event_t *e)
{
	const char *name = (const char *)e->data.alias.anchor;
	size_t i;

	if (expecting_key(b))
		return fail_at(b, e->start_mark, "a key must be a plain value, not an alias");
	if (++b->aliases > SCEN_YAML_MAX_ALIASES)
		return fail_at(b, e->start_mark, "too many aliases (at most %d)",
		               SCEN_YAML_MAX_ALIASES);
	for (i = b->nanchors; i-- > 0;)
		if (!strcmp(b->anchors[i].name, name)) {
			if (count_nodes(b, b->anchors[i].size, e->start_mark))
				return -1;
			return attach(b, json_incref(b->anchors[i].node), e->start_mark, 0);
		}
	return fail_at(b, e->start_mark, "unknown anchor '%.60s' (an alias must follow its anchor)",
	               name);
}

static int on_event(builder *b, const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->docs > 1)
			return fail_at(b, e->start_mark,
			               "a scenario file holds one document: remove '---'");
		return 0;
	case YAML_SCALAR_EVENT:
		return on_scalar(b, e);
	case YAML_SEQUENCE_START_EVENT:
		return on_open(b, e, 0);
	case YAML_MAPPING_START_EVENT:
		return on_open(b, e, 1);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_close(b, e);
	case YAML_ALIAS_EVENT:
		return on_alias(b, e);
	default:
		return 0;
	}
}

static int parser_error(builder *b, const yaml_parser_t *p)
{
	yaml_mark_t m = p->problem_mark;

	if (p->error == YAML_MEMORY_ERROR)
		return fail_at(b, m, "out of memory");
	if (p->context)
		return fail_at(b, m, "%s %s", p->problem ? p->problem : "invalid YAML", p->context);
	return fail_at(b, m, "%s", p->problem ? p->problem : "invalid YAML");
}

static void builder_release(builder *b)
{
	size_t i;

	while (b->depth > 0) {
		frame *f = &b->stack[--b->depth];
		json_decref(f->node);
		free(f->key);
		free(f->anchor);
	}
	for (i = 0; i < b->nanchors; i++)
		free(b->anchors[i].name);
}

static int run_parser(builder *b, const char *bytes, size_t len)
{
	yaml_parser_t p;
	yaml_event_t e;
	int rc = 0, done = 0;

	if (!yaml_parser_initialize(&p))
		return fail_at(b, p.problem_mark, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)bytes, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&p, &e)) {
			rc = parser_error(b, &p);
			break;
		}
		done = e.type == YAML_STREAM_END_EVENT;
		rc = on_event(b, &e);
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	const pos_entry *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (!x->key || !y->key)
		return x->key ? 1 : y->key ? -1 : 0;
	return strcmp(x->key, y->key);
}

int scen_yaml_load(const char *name, const char *bytes, size_t len, scen_doc **out, char *err,
                   size_t errsz)
{
	builder b;
	yaml_mark_t zero = {0, 0, 0};
	int rc;

	*out = NULL;
	memset(&b, 0, sizeof b);
	b.err = err;
	b.errsz = errsz;
	b.doc = calloc(1, sizeof *b.doc);
	if (!b.doc || !(b.doc->name = strdup(name ? name : "-"))) {
		free(b.doc);
		snprintf(err, errsz, "%s: out of memory", name ? name : "-");
		return -1;
	}
	if (len > SCEN_YAML_MAX_BYTES)
		rc = fail_at(&b, zero, "file too large (%zu bytes; at most %d)", len,
		             SCEN_YAML_MAX_BYTES);
	else
		rc = run_parser(&b, bytes, len);
	builder_release(&b);
	if (rc < 0) {
		scen_doc_free(b.doc);
		return -1;
	}
	if (b.doc->npos)
		qsort(b.doc->pos, b.doc->npos, sizeof *b.doc->pos, cmp_entry);
	b.doc->sorted = 1;
	*out = b.doc;
	return 0;
}

void scen_doc_free(scen_doc *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->npos; i++)
		free(d->pos[i].key);
	free(d->pos);
	json_decref(d->root);
	free(d->name);
	free(d);
}

json_t *scen_doc_root(const scen_doc *d)
{
	return d->root;
}

const char *scen_doc_name(const scen_doc *d)
{
	return d->name;
}

static const pos_entry *find(const scen_doc *d, const json_t *node, const char *key)
{
	pos_entry probe = {node, (char *)key, {0, 0, 0}, {0, 0, 0}};
	size_t i;

	if (!d)
		return NULL;
	if (d->sorted)
		return d->npos ? bsearch(&probe, d->pos, d->npos, sizeof *d->pos, cmp_entry) : NULL;
	for (i = 0; i < d->npos; i++)
		if (!cmp_entry(&probe, &d->pos[i]))
			return &d->pos[i];
	return NULL;
}

scen_pos scen_doc_pos(const scen_doc *d, const json_t *node)
{
	const pos_entry *e = find(d, node, NULL);
	scen_pos none = {0, 0, 0};
	return e ? e->pos : none;
}

scen_pos scen_doc_key_pos(const scen_doc *d, const json_t *obj, const char *key)
{
	const pos_entry *e = find(d, obj, key);
	return e ? e->pos : scen_doc_pos(d, obj);
}

scen_pos scen_doc_value_pos(const scen_doc *d, const json_t *obj, const char *key)
{
	const pos_entry *e = find(d, obj, key);
	return e ? e->vpos : scen_doc_pos(d, obj);
}
