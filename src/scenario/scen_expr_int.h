/* expr internals shared by expr.c (parser), expr_eval.c and expr_filters.c. */
#ifndef SCEN_EXPR_INT_H
#define SCEN_EXPR_INT_H

#include "scen_expr.h"

enum { N_LIT, N_VAR, N_GET, N_LIST, N_NOT, N_AND, N_OR, N_CMP, N_FILTER };
enum { OP_EQ = 1, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN };

typedef struct enode {
	int kind, op;
	int a, b, next; /* children; list items and filter arguments chain by next */
	size_t off;     /* where in the source */
	json_t *lit;    /* N_LIT */
	char name[24];  /* N_VAR: the root; N_FILTER: the filter */
} enode;

typedef struct tpart {
	json_t *text; /* literal text, or NULL for an expression */
	int root;     /* the expression's node, or -1 */
	size_t off;
} tpart;

struct scen_expr {
	enode nodes[SCEN_EXPR_MAX_NODES];
	int n;
	tpart *parts;
	int nparts;
	int whole; /* one expression and nothing else: keeps the value's type */
};

typedef struct ectx {
	const scen_expr *x;
	const json_t *ctx;
	const scen_resolver *r;
	scen_experr *e;
} ectx;

/* Values and errors (expr_value.c, under the parser, the filters and the evaluator). */
int scen_expr_fail(scen_experr *e, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int scen_expr_number_literal(const char *text, int real, json_t **out, scen_experr *e, size_t off);
json_t *scen_expr_negate(const json_t *num);
char *scen_expr_str(const json_t *v); /* a value as text: null "", strings as they are, else JSON */
json_t *scen_expr_string(const ectx *c, size_t off, const char *s, size_t n); /* capped */
int scen_expr_num(const json_t *v, double *d); /* numbers, and strings that are wholly a number */
int scen_expr_equal(const json_t *a, const json_t *b);

/* Filters (expr_filters.c): arity checked at compile, applied at evaluation. */
int scen_expr_check_filter(const enode *f, int nargs, scen_experr *e);
json_t *scen_expr_apply_filter(const ectx *c, const enode *f, json_t *input, json_t **args,
                               int nargs);

#endif
