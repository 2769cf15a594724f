/*
 * expr: the scenario expression language (docs/guide/scenarios.md).
 *
 * A small language of our own, the size of GitHub Actions' expressions:
 * paths into event, data, steps.ID and env.NAME; literals; == != < <= > >=;
 * and, or, not, in; parentheses; list literals; and pipes into a fixed set
 * of filters. No loops, no recursion, no user functions: an AST of at most
 * SCEN_EXPR_MAX_NODES nodes is evaluated once, so every evaluation
 * terminates, and every result string is capped at SCEN_EXPR_MAX_STRING.
 *
 * Compiled once at load (errors carry the offset in the source), evaluated
 * many times against a jansson context. Pure and re-entrant: a compiled
 * expression is read-only, so threads may share it.
 */
#ifndef SCEN_EXPR_H
#define SCEN_EXPR_H

#include <jansson.h>
#include <stddef.h>

#define SCEN_EXPR_MAX_SOURCE 4096
#define SCEN_EXPR_MAX_NODES 256
#define SCEN_EXPR_MAX_DEPTH 32
#define SCEN_EXPR_MAX_STRING (64 * 1024)
#define SCEN_EXPR_MAX_ITEMS 1000

typedef struct scen_expr scen_expr;

/* An error: where in the source (0-based byte offset), and what, in one line. */
typedef struct scen_experr {
	size_t offset;
	char msg[256];
} scen_experr;

/*
 * Compile a bare expression ("data.total > 500"), or a template: text with
 * "{{ expr }}" parts ("Hello {{ data.firstname }}"). A template that is
 * exactly one "{{ expr }}" (nothing before or after it) keeps the value's type;
 * any other template gives a string. Returns 0 and *out, or -1 and *e.
 * scen_expr_compile_template on a string with no "{{" gives a constant.
 */
int scen_expr_compile(const char *src, size_t len, scen_expr **out, scen_experr *e);
int scen_expr_compile_template(const char *src, size_t len, scen_expr **out, scen_experr *e);
/* Whether a string holds a "{{" (so it is a template, not plain text). */
int scen_expr_is_template(const char *s);
void scen_expr_free(scen_expr *x);

/*
 * The Ontraport helpers' data, given by the runner (and by tests). Each
 * returns 0 and a new reference in *out, or -1 when unknown. NULL members
 * make the helpers fail with "no account to resolve against".
 */
typedef struct scen_resolver {
	/* The options of a dropdown/list field: an object {"id": "label", ...}. */
	int (*field_options)(void *ud, const char *type, const char *field, json_t **out);
	/* A tag's id by its name: an integer. */
	int (*tag_id)(void *ud, const char *name, json_t **out);
	void *ud;
} scen_resolver;

/*
 * Evaluate against ctx, an object with members event, data, steps and env
 * (any may be absent: their paths give null). Returns a new reference, or
 * NULL and *e (a type error, a cap, an unknown label...).
 */
json_t *scen_expr_eval(const scen_expr *x, const json_t *ctx, const scen_resolver *r,
                       scen_experr *e);
/* The truth of a value: null, false, 0, "", [] and {} are false. */
int scen_expr_truthy(const json_t *v);

/*
 * What an expression names, for the checks done at load (steps.X must be an
 * earlier step, env.NAME must be allowed) and the resolver pass to come
 * (tag names, field labels): `root` is event/data/steps/env, or a helper's
 * name (tag_id, label_to_id, id_to_label) whose first literal argument (or
 * literal input, for tag_id) is `name`; `offset` is where in the source.
 * Return non-zero from cb to stop.
 */
typedef int (*scen_expr_ref_cb)(void *ud, const char *root, const char *name, size_t offset);
int scen_expr_refs(const scen_expr *x, scen_expr_ref_cb cb, void *ud);

#endif
