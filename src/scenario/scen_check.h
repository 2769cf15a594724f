/* The checker's shared state: scenario.c (the top), steps.c, check.c (problems, expressions). */
#ifndef SCEN_CHECK_H
#define SCEN_CHECK_H

#include "scenario.h"

typedef struct ck {
	scen_scenario *s;
	const scen_doc *doc;
	scen_problems *probs;
	size_t step_index; /* while checking steps: steps before it may be named */
	int in_steps;
	long *keys; /* each problem's line * 100000 + column, to sort them */
} ck;

/* Add one problem at pos. */
void scen_ck_problem(ck *c, scen_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "... (did you mean 'X'?)" when a candidate is near, else "". Writes into buf. */
const char *scen_ck_hint(const char *word, const char *const *cands, size_t n, char *buf,
                         size_t bufsz);

/* Put the problems in file order (and free the keys). */
void scen_ck_sort(ck *c);

/* A mapping's keys: each must be one of `known` (NULL-terminated); required ones present. */
void scen_ck_keys(ck *c, const json_t *obj, const char *what, const char *const *known,
                  const char *const *required);
/* The string at obj[key], or NULL (with a problem when present but not a non-empty string). */
const char *scen_ck_string(ck *c, const json_t *obj, const char *key, const char *what);
/* One of `choices` (NULL-terminated), or NULL with a problem; `dflt` when absent. */
const char *scen_ck_choice(ck *c, const json_t *obj, const char *key, const char *what,
                           const char *const *choices, const char *dflt);

/*
 * Compile obj[key] as a condition (a bare expression, or a single "{{ }}",
 * or true/false), checking what it names. NULL when absent or wrong (problem added).
 */
scen_expr *scen_ck_condition(ck *c, const json_t *obj, const char *key);
/* Compile the template in string node v (at pos); NULL when it has no "{{" or is wrong. */
scen_expr *scen_ck_template(ck *c, const json_t *v, scen_pos pos);
/* Record a name for the resolver pass. */
void scen_ck_name(ck *c, const char *kind, const char *name, const char *field, const char *type,
                  scen_pos pos);

/* steps.c */
void scen_ck_steps(ck *c, const json_t *root);

#endif
