/*
 * names: a scenario's names resolved against the account once, when it
 * loads (runner.h, "Names"). Object types through ontra_object_type, field
 * names and aliases and dropdown/list labels through the type's metadata
 * (ontra_fields, one request per account), tags, sequences, campaigns and
 * forms through one listing per kind when that is no dearer than a search
 * per name (and so the nearest name can be suggested), else one
 * ontra_resolve per name. Only reads: nothing is sent that changes the
 * account.
 *
 * The table kept for run time maps "kind\037name" to an id and type names
 * to type ids, behind one mutex; a name first met at run time is asked once
 * (under the mutex, so two threads never ask for it twice) and kept.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "util.h"
#include "banned.h"

/* List a kind when it takes at most this many pages, whatever the number of names. */
#define NAMES_LIST_PAGES 20
#define PAGE 50
#define MAX_CANDIDATES 4096

typedef struct binding {
	run_names *n;
	ontra_client *c;
	struct binding *next;
} binding;

struct run_names {
	pthread_mutex_t mu;
	json_t *ids;     /* "kind\037name" -> id */
	json_t *types;   /* type name as written -> type id */
	binding *binds;  /* run_names_resolver's user data, one per client */
	size_t resolved; /* names resolved at load */
};

/* The record kinds named by name or id, and where their records keep both. */
static const struct list_kind {
	const char *kind;
	int type;
	const char *name_field, *id_field;
} list_kinds[] = {
    {"tag", ONTRA_TAG, "tag_name", "tag_id"},   {"sequence", ONTRA_SEQUENCE, "name", "id"},
    {"campaign", ONTRA_CAMPAIGN, "name", "id"}, {"form", ONTRA_FORM, "formname", "form_id"},
    {"product", ONTRA_PRODUCT, "name", "id"},
};
#define NKINDS (sizeof list_kinds / sizeof *list_kinds)

static const struct list_kind *list_kind(const char *kind)
{
	size_t i;
	for (i = 0; i < NKINDS; i++)
		if (!strcmp(list_kinds[i].kind, kind))
			return &list_kinds[i];
	return NULL;
}

/* A library failure that is not about a name: the account could not be asked. */
static int is_fatal(int rc)
{
	return rc < 0 && rc != ONTRA_ENOTFOUND && rc != ONTRA_EINVALID;
}

static void table_key(char *buf, size_t n, const char *kind, const char *name)
{
	snprintf(buf, n, "%s\037%s", kind, name);
}

/* ------------------------------------------------------------------------
 * The pass at load
 * ------------------------------------------------------------------------ */

typedef struct prob {
	long key;
	size_t seq;
	char *line;
} prob;

typedef struct pass {
	run_names *n;
	ontra_client *c;
	const scen_scenario *s;
	const char *file;
	prob *probs;
	size_t nprobs;
	int oom;
	json_t *bad_types; /* type names already reported */
} pass;

/* Control characters in a name would break the one-line contract. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void problem(pass *p, scen_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(pass *p, scen_pos pos, const char *fmt, ...)
{
	char msg[512], line[1024];
	prob *np;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(line, sizeof line, "%s:%d:%d: %s", p->file, pos.line ? pos.line : 1,
	         pos.col ? pos.col : 1, msg);
	one_line(line);
	np = realloc(p->probs, (p->nprobs + 1) * sizeof *np);
	if (!np || !(np[p->nprobs].line = util_strdup(line))) {
		if (np)
			p->probs = np;
		p->oom = 1;
		return;
	}
	p->probs = np;
	np[p->nprobs].key = (long)pos.line * 100000 + pos.col;
	np[p->nprobs].seq = p->nprobs;
	p->nprobs++;
}

/* " (did you mean 'X'?)" when a candidate is near, else "". */
static const char *hint(char *buf, size_t n, const char *word, const char *const *cands,
                        size_t ncands)
{
	const char *near = util_nearest(word, cands, ncands);

	if (!near)
		return "";
	snprintf(buf, n, " (did you mean '%.80s'?)", near);
	return buf;
}

static int remember(run_names *n, const char *kind, const char *name, long long id)
{
	char key[1024];

	table_key(key, sizeof key, kind, name);
	return json_object_set_new(n->ids, key, json_integer(id));
}

/* ---- object types ---- */

/* 0 and *type; 1 when it is not a type (reported once, at pos); -1 fatal. */
static int pass_type(pass *p, const char *name, scen_pos pos, int *type)
{
	json_t *known = json_object_get(p->n->types, name);
	int rc;

	if (known) {
		*type = (int)json_integer_value(known);
		return 0;
	}
	if (json_object_get(p->bad_types, name))
		return 1;
	rc = ontra_object_type(type, p->c, name);
	if (is_fatal(rc))
		return -1;
	if (rc < 0) {
		problem(p, pos, "%s", ontra_error_last()->message);
		json_object_set_new(p->bad_types, name, json_true());
		return 1;
	}
	json_object_set_new(p->n->types, name, json_integer(*type));
	return 0;
}

/* ---- fields and options ---- */

/* The field named `typed` (its name, or its alias in any case), or NULL. */
static const char *field_named(const json_t *fields, const char *typed, const json_t **def)
{
	const char *name;
	json_t *d;

	if ((*def = json_object_get(fields, typed)))
		return typed;
	json_object_foreach((json_t *)fields, name, d)
	{
		if (util_strieq(json_string_value(json_object_get(d, "alias")), typed)) {
			*def = d;
			return name;
		}
	}
	return NULL;
}

static void unknown_field(pass *p, const scen_name *nm, int type, const json_t *fields)
{
	const char *cands[MAX_CANDIDATES], *name, *tname;
	char h[128];
	json_t *d;
	size_t k = 0;

	json_object_foreach((json_t *)fields, name, d)
	{
		if (k + 2 > MAX_CANDIDATES)
			break;
		cands[k++] = name;
		if (json_string_value(json_object_get(d, "alias")))
			cands[k++] = json_string_value(json_object_get(d, "alias"));
	}
	tname = ontra_object_type_name(p->c, type);
	problem(p, nm->pos, "unknown field '%.80s' for %s%s", nm->name,
	        tname ? tname : nm->object_type, hint(h, sizeof h, nm->name, cands, k));
}

/* The option id of `typed` (an id, or a label in any case), or NULL. */
static const char *option_of(const json_t *options, const char *typed)
{
	const char *id;
	json_t *label;

	if (json_object_get(options, typed))
		return typed;
	json_object_foreach((json_t *)options, id, label)
	{
		if (util_strieq(json_string_value(label), typed))
			return id;
	}
	return NULL;
}

static void unknown_option(pass *p, const scen_name *nm, const char *field, int type,
                           const json_t *options, const char *typed)
{
	const char *cands[MAX_CANDIDATES], *id, *tname = ontra_object_type_name(p->c, type);
	char h[128];
	json_t *label;
	size_t k = 0;

	json_object_foreach((json_t *)options, id, label)
	{
		if (k < MAX_CANDIDATES && json_string_value(label))
			cands[k++] = json_string_value(label);
	}
	problem(p, nm->pos, "no option '%.80s' for field '%s' of %s%s", typed, field,
	        tname ? tname : nm->object_type, hint(h, sizeof h, typed, cands, k));
}

/*
 * A dropdown value (one label or id) or a list value ("A, B", or
 * the API's star-slash-star form): each part must be an option. 1 when all are.
 */
static int pass_option_value(pass *p, const scen_name *nm, const char *field, int type,
                             const json_t *def)
{
	const json_t *options = json_object_get(def, "options");
	const char *ftype = json_string_value(json_object_get(def, "type"));
	char *copy, *part, *save = NULL, *q;
	int ok = 1;

	if (!strcmp(ftype, "drop")) {
		if (option_of(options, nm->name))
			return 1;
		unknown_option(p, nm, field, type, options, nm->name);
		return 0;
	}
	if (!(copy = util_strdup(nm->name))) {
		p->oom = 1;
		return 0;
	}
	for (q = copy; *q; q++)
		if (*q == '*' || *q == '/')
			*q = ',';
	for (part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		part = util_trim(part);
		if (*part && !option_of(options, part)) {
			unknown_option(p, nm, field, type, options, part);
			ok = 0;
		}
	}
	free(copy);
	return ok;
}

/* A field or an option: 0 (done, maybe with a problem), -1 fatal. */
static int pass_field(pass *p, const scen_name *nm)
{
	const json_t *fields, *def;
	const char *field, *ftype;
	int type, rc;

	if ((rc = pass_type(p, nm->object_type, nm->pos, &type)) != 0)
		return rc < 0 ? -1 : 0;
	rc = ontra_fields(&fields, p->c, type);
	if (is_fatal(rc))
		return -1;
	if (rc < 0) {
		problem(p, nm->pos, "%s", ontra_error_last()->message);
		return 0;
	}
	if (!strcmp(nm->kind, "field")) {
		if (field_named(fields, nm->name, &def))
			p->n->resolved++;
		else
			unknown_field(p, nm, type, fields);
		return 0;
	}
	/* An option: the value of a field, checked when the field has options. */
	if (!nm->field || !(field = field_named(fields, nm->field, &def)) || !*nm->name)
		return 0; /* an unknown field is reported as a field */
	ftype = json_string_value(json_object_get(def, "type"));
	if (!ftype || (strcmp(ftype, "drop") && strcmp(ftype, "list")) ||
	    !json_is_object(json_object_get(def, "options")))
		return 0; /* a plain value, not a label */
	if (pass_option_value(p, nm, field, type, def))
		p->n->resolved++;
	return 0;
}

/* ---- tags, sequences, campaigns, forms ---- */

typedef struct listing {
	const struct list_kind *k;
	json_t *by_name; /* name -> [id, ...] */
	json_t *by_id;   /* "id" -> name */
} listing;

static long long record_id(const json_t *rec, const char *field)
{
	const json_t *v = json_object_get(rec, field);
	long long id;

	if (!v)
		v = json_object_get(rec, "id");
	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? json_integer_value(v) : 0;
	return json_is_string(v) && util_parse_ll(json_string_value(v), 1, ONTRA_ID_MAX, &id) == 0
	           ? id
	           : 0;
}

static int list_one(json_t *rec, void *ud)
{
	listing *l = ud;
	const char *name = json_string_value(json_object_get(rec, l->k->name_field));
	long long id = record_id(rec, l->k->id_field);
	char key[32];
	json_t *ids;

	if (!id)
		return 0;
	snprintf(key, sizeof key, "%lld", id);
	if (json_object_set_new(l->by_id, key, json_string(name ? name : "")) < 0)
		return -1;
	if (!name)
		return 0;
	if (!(ids = json_object_get(l->by_name, name))) {
		if (json_object_set_new(l->by_name, name, json_array()) < 0)
			return -1;
		ids = json_object_get(l->by_name, name);
	}
	return json_array_append_new(ids, json_integer(id)) < 0 ? -1 : 0;
}

/* How many distinct names or ids (not templates) of a kind the scenario gives. */
static size_t names_of_kind(const scen_scenario *s, const char *kind)
{
	json_t *seen = json_object();
	size_t i, n;

	for (i = 0; seen && i < s->nnames; i++)
		if (!strcmp(s->names[i].kind, kind) && !scen_expr_is_template(s->names[i].name))
			json_object_set_new(seen, s->names[i].name, json_true());
	n = json_object_size(seen);
	json_decref(seen);
	return n;
}

/*
 * Decide whether to list the kind, and list it: 1 listed (l filled), 0 not
 * (too many records for the names asked; resolve one by one), -1 fatal.
 */
static int list_kind_records(pass *p, listing *l, size_t nnames)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	long long count;
	size_t pages;
	int rc;

	o.object_type = l->k->type;
	rc = ontra_search_count(&count, p->c, &o);
	if (is_fatal(rc))
		return -1;
	if (rc < 0)
		return 0;
	pages = (size_t)((count + PAGE - 1) / PAGE);
	if (pages > NAMES_LIST_PAGES && pages > nnames)
		return 0;
	o.limit = (pages + 1) * PAGE; /* records added meanwhile, but no walk without end */
	if (!(l->by_name = json_object()) || !(l->by_id = json_object())) {
		p->oom = 1;
		return 0;
	}
	if (count == 0)
		return 1; /* none: nothing to list */
	rc = ontra_search(p->c, &o, list_one, l);
	if (rc == ONTRA_EUSER) {
		p->oom = 1;
		return 0;
	}
	return rc < 0 ? (is_fatal(rc) ? -1 : 0) : 1;
}

static void no_such_name(pass *p, const listing *l, const scen_name *nm)
{
	const char *cands[MAX_CANDIDATES], *name;
	char h[128];
	json_t *v;
	size_t k = 0;

	json_object_foreach(l->by_name, name, v)
	{
		if (k < MAX_CANDIDATES)
			cands[k++] = name;
	}
	problem(p, nm->pos, "no %s named '%.80s'%s", l->k->kind, nm->name,
	        hint(h, sizeof h, nm->name, cands, k));
}

/* One name of a listed or unlisted kind: 0 (done, maybe with a problem), -1 fatal. */
static int pass_record(pass *p, const listing *l, const scen_name *nm)
{
	const struct list_kind *k = l->k;
	long long id;
	char key[32];
	json_t *ids;
	int rc = ontra_id_parse(&id, nm->name, k->kind);

	if (rc < 0) {
		problem(p, nm->pos, "%s", ontra_error_last()->message);
		return 0;
	}
	if (rc == 1) {
		snprintf(key, sizeof key, "%lld", id);
		if (l->by_id && !json_object_get(l->by_id, key)) {
			problem(p, nm->pos, "no %s with id %lld", k->kind, id);
			return 0;
		}
	} else if (l->by_name) {
		ids = json_object_get(l->by_name, nm->name);
		if (!ids) {
			no_such_name(p, l, nm);
			return 0;
		}
		if (json_array_size(ids) > 1) {
			problem(p, nm->pos, "%zu %ss are named '%.80s': give the %s's id",
			        json_array_size(ids), k->kind, nm->name, k->kind);
			return 0;
		}
		id = json_integer_value(json_array_get(ids, 0));
	} else {
		rc = ontra_resolve(&id, p->c, k->type, nm->name);
		if (is_fatal(rc))
			return -1;
		if (rc < 0) {
			problem(p, nm->pos, "%s", ontra_error_last()->message);
			return 0;
		}
	}
	if (remember(p->n, k->kind, nm->name, id) < 0)
		p->oom = 1;
	p->n->resolved++;
	return 0;
}

static int pass_kind(pass *p, const struct list_kind *k)
{
	listing l = {k, NULL, NULL};
	size_t i, nnames = names_of_kind(p->s, k->kind), any = 0;
	int rc = 0;

	for (i = 0; i < p->s->nnames; i++)
		any += !strcmp(p->s->names[i].kind, k->kind);
	if (!any)
		return 0;
	if (nnames && (rc = list_kind_records(p, &l, nnames)) < 0)
		goto out;
	rc = 0;
	for (i = 0; i < p->s->nnames && rc == 0; i++) {
		const scen_name *nm = &p->s->names[i];
		if (!strcmp(nm->kind, k->kind) && !scen_expr_is_template(nm->name))
			rc = pass_record(p, &l, nm);
	}
out:
	json_decref(l.by_name);
	json_decref(l.by_id);
	return rc;
}

/* ---- the pass ---- */

static int by_position(const void *a, const void *b)
{
	const prob *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

/* The problems, in file order, into probs (at most SCEN_MAX_PROBLEMS). */
static void hand_over(pass *p, scen_problems *probs)
{
	size_t i;

	qsort(p->probs, p->nprobs, sizeof *p->probs, by_position);
	probs->lines = calloc(p->nprobs ? p->nprobs : 1, sizeof *probs->lines);
	for (i = 0; i < p->nprobs; i++) {
		if (probs->lines && probs->n < SCEN_MAX_PROBLEMS)
			probs->lines[probs->n++] = p->probs[i].line;
		else {
			probs->more++;
			free(p->probs[i].line);
		}
	}
	free(p->probs);
	p->probs = NULL;
	p->nprobs = 0;
}

static int has_template(const scen_name *nm)
{
	return scen_expr_is_template(nm->name) || (nm->field && scen_expr_is_template(nm->field)) ||
	       (nm->object_type && scen_expr_is_template(nm->object_type));
}

/* Every name in collection order; 0, or -1 when the account could not be asked. */
static int pass_run(pass *p)
{
	size_t i;
	int type;

	for (i = 0; i < p->s->nnames; i++) {
		const scen_name *nm = &p->s->names[i];
		int rc = 0;
		if (has_template(nm))
			continue;
		if (!strcmp(nm->kind, "object_type")) {
			if ((rc = pass_type(p, nm->name, nm->pos, &type)) == 0)
				p->n->resolved++;
		} else if (!strcmp(nm->kind, "field") || !strcmp(nm->kind, "option"))
			rc = pass_field(p, nm);
		if (rc < 0)
			return -1;
	}
	for (i = 0; i < NKINDS; i++)
		if (pass_kind(p, &list_kinds[i]) < 0)
			return -1;
	return 0;
}

static run_names *names_new(void)
{
	run_names *n = calloc(1, sizeof *n);

	if (!n)
		return NULL;
	n->ids = json_object();
	n->types = json_object();
	if (!n->ids || !n->types || pthread_mutex_init(&n->mu, NULL) != 0) {
		json_decref(n->ids);
		json_decref(n->types);
		free(n);
		return NULL;
	}
	return n;
}

int run_names_resolve(run_names **out, ontra_client *c, const scen_scenario *s, const char *file,
                      scen_problems *probs, char *err, size_t errsz)
{
	pass p = {0};
	size_t i;
	int rc;

	*out = NULL;
	memset(probs, 0, sizeof *probs);
	if (!(p.n = names_new()) || !(p.bad_types = json_object())) {
		run_names_free(p.n);
		return util_errf(err, errsz, -1, "out of memory");
	}
	p.c = c;
	p.s = s;
	p.file = file ? file : "scenario";
	rc = pass_run(&p);
	json_decref(p.bad_types);
	if (rc < 0) {
		/* Left as it is: the caller maps ontra_error_last()->code to its exit code. */
		const char *msg = ontra_error_last()->message;
		util_errf(err, errsz, 0, "%s", msg && *msg ? msg : "cannot ask the account");
		for (i = 0; i < p.nprobs; i++)
			free(p.probs[i].line);
		free(p.probs);
		run_names_free(p.n);
		return -2;
	}
	if (p.oom || p.nprobs) {
		hand_over(&p, probs);
		run_names_free(p.n);
		if (!probs->n)
			return util_errf(err, errsz, -1, "out of memory");
		return -1;
	}
	free(p.probs);
	*out = p.n;
	return 0;
}

void run_names_free(run_names *n)
{
	binding *b, *next;

	if (!n)
		return;
	for (b = n->binds; b; b = next) {
		next = b->next;
		free(b);
	}
	json_decref(n->ids);
	json_decref(n->types);
	pthread_mutex_destroy(&n->mu);
	free(n);
}

size_t run_names_count(const run_names *n)
{
	return n ? n->resolved : 0;
}

/* ------------------------------------------------------------------------
 * Run time
 * ------------------------------------------------------------------------ */

int run_names_id(run_names *n, ontra_client *c, const char *kind, const char *name_or_id,
                 long long *id)
{
	const struct list_kind *k = list_kind(kind ? kind : "");
	char key[1024];
	json_t *v;
	int rc;

	*id = 0;
	if (!k)
		return ONTRA_EINVALID;
	if ((rc = ontra_id_parse(id, name_or_id, k->kind)) != 0)
		return rc < 0 ? rc : 0;
	table_key(key, sizeof key, k->kind, name_or_id);
	pthread_mutex_lock(&n->mu);
	if ((v = json_object_get(n->ids, key))) {
		*id = json_integer_value(v);
		pthread_mutex_unlock(&n->mu);
		return 0;
	}
	/* Asked under the lock: a name computed at run time is asked once, then kept. */
	rc = ontra_resolve(id, c, k->type, name_or_id);
	if (rc == 0 && json_object_set_new(n->ids, key, json_integer(*id)) < 0)
		rc = ONTRA_ERROR;
	pthread_mutex_unlock(&n->mu);
	return rc;
}

int run_names_type(run_names *n, ontra_client *c, const char *name, int *type)
{
	json_t *v;
	int rc;

	*type = -1;
	if (!name)
		return ONTRA_EINVALID;
	pthread_mutex_lock(&n->mu);
	if ((v = json_object_get(n->types, name))) {
		*type = (int)json_integer_value(v);
		pthread_mutex_unlock(&n->mu);
		return 0;
	}
	rc = ontra_object_type(type, c, name);
	if (rc == 0 && json_object_set_new(n->types, name, json_integer(*type)) < 0)
		rc = ONTRA_ERROR;
	pthread_mutex_unlock(&n->mu);
	return rc;
}

/* scen_resolver.field_options: {"id": "label", ...} of a field of a type (name or alias). */
static int field_options(void *ud, const char *type_name, const char *field, json_t **out)
{
	binding *b = ud;
	const json_t *fields, *def;
	int type;

	*out = NULL;
	if (run_names_type(b->n, b->c, type_name, &type) < 0 ||
	    ontra_fields(&fields, b->c, type) < 0 || !field || !field_named(fields, field, &def) ||
	    !json_is_object(json_object_get(def, "options")))
		return -1;
	*out = json_deep_copy(json_object_get(def, "options"));
	return *out ? 0 : -1;
}

/* scen_resolver.tag_id: a tag's id by its name (or id), as an integer. */
static int tag_id(void *ud, const char *name, json_t **out)
{
	binding *b = ud;
	long long id;

	*out = NULL;
	if (!name || run_names_id(b->n, b->c, "tag", name, &id) < 0)
		return -1;
	*out = json_integer(id);
	return *out ? 0 : -1;
}

scen_resolver run_names_resolver(run_names *n, ontra_client *c)
{
	scen_resolver r = {NULL, NULL, NULL};
	binding *b;

	pthread_mutex_lock(&n->mu);
	for (b = n->binds; b && b->c != c; b = b->next)
		;
	if (!b && (b = calloc(1, sizeof *b))) {
		b->n = n;
		b->c = c;
		b->next = n->binds;
		n->binds = b;
	}
	pthread_mutex_unlock(&n->mu);
	if (b) {
		r.field_options = field_options;
		r.tag_id = tag_id;
		r.ud = b;
	}
	return r;
}
