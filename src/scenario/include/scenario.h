/*
 * scenario: a scenario file loaded into a checked, compiled model (issue 14;
 * docs/guide/scenarios.md is the user's reference).
 *
 * This is the face of src/scenario for its users (the CLI now, the runner
 * later). It depends on util, jansson and libyaml only; it sends nothing.
 *
 * Ownership: scen_load gives a scenario the caller frees with scen_free;
 * everything reachable from it (steps, compiled expressions, the names to
 * resolve, the borrowed `with` trees) lives until then. scen_problems holds
 * strings the caller frees with scen_problems_free.
 *
 * Errors: every problem found, not just the first, each one line
 * "FILE:LINE:COL: message" (with "did you mean" when something is near),
 * at most SCEN_MAX_PROBLEMS of them and then a line saying how many more.
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <jansson.h>
#include <stddef.h>

#include "../scen_expr.h"
#include "../scen_time.h"
#include "../scen_yaml.h"

#define SCEN_MAX_PROBLEMS 100
#define SCEN_MAX_STEPS 100

typedef struct scen_problems {
	char **lines;
	size_t n;
	size_t more; /* problems found beyond SCEN_MAX_PROBLEMS */
} scen_problems;
void scen_problems_free(scen_problems *p);

typedef enum scen_trigger_kind {
	SCEN_TRIGGER_WATCH,
	SCEN_TRIGGER_POLL,
	SCEN_TRIGGER_SCHEDULE,
	SCEN_TRIGGER_MANUAL
} scen_trigger_kind;

typedef struct scen_trigger {
	scen_trigger_kind kind;
	const char *event;       /* watch: created, tagged, untagged, form-submitted */
	const char *type;        /* watch, poll: the object type (default "contacts") */
	const char *tag, *form;  /* watch: the tag (tagged/untagged), the form (form-submitted) */
	const char *product;     /* watch: the product (purchased, transaction-created) */
	const char *data_format; /* watch: full (default), notify, lightweight */
	const json_t *changed;   /* poll: the fields to report (a list), or NULL for all */
	long long every;         /* poll: seconds between polls */
	scen_cron cron;          /* schedule */
	const char *cron_text;
} scen_trigger;

typedef enum scen_on_error {
	SCEN_ON_ERROR_DEAD,
	SCEN_ON_ERROR_SKIP,
	SCEN_ON_ERROR_STOP
} scen_on_error;

/* A template in a step's `with`: the string node it came from, and its compiled form. */
typedef struct scen_template {
	const json_t *node;
	scen_expr *expr;
} scen_template;

typedef struct scen_step {
	const char *id;
	const char *kind;   /* "objects.upsert", "exec", ... */
	const json_t *with; /* borrowed from the document: a mapping, or NULL when absent */
	scen_expr *cond;    /* `if:`, or NULL */
	scen_pos cond_pos;
	scen_template *templates;
	size_t ntemplates;
	int creates; /* objects/messages/rules create: never repeated (the runner's contract) */
	scen_pos pos;
} scen_step;

/*
 * A name the account must know, collected at load for the resolver pass
 * (run before a scenario starts, and by `scenario check` once it resolves
 * against the account): kind is "tag", "sequence", "campaign", "form",
 * "field" (an alias, in `object_type`), "option" (a dropdown label:
 * `name` = the label, `field` = the field) or "object_type".
 */
typedef struct scen_name {
	const char *kind, *name, *field, *object_type;
	scen_pos pos;
} scen_name;

typedef struct scen_scenario {
	scen_doc *doc; /* owns every borrowed tree and string below */
	const char *name, *connection;
	const json_t *env; /* the allowed environment variables: a list of names */
	scen_trigger trigger;
	scen_expr *filter; /* or NULL */
	scen_pos filter_pos;
	scen_step *steps;
	size_t nsteps;
	int max_attempts;           /* retry: default 5 */
	long long first, max_delay; /* retry: seconds, default 5s and 1h */
	scen_on_error on_error;     /* default dead */
	scen_name *names;
	size_t nnames;
} scen_scenario;

/*
 * Load and check the `len` bytes of the file `name` (used in messages).
 * Returns 0 and *out when there is no problem; -1 and the problems in
 * *probs (and *out NULL) otherwise.
 */
int scen_load(const char *name, const char *bytes, size_t len, scen_scenario **out,
              scen_problems *probs);
void scen_free(scen_scenario *s);

/*
 * For the runner: a step's `with` with every template evaluated against ctx
 * (event, data, steps, env: see scen_expr_eval), as a new tree; or NULL and
 * *e, whose message starts with the template's FILE:LINE:COL. NULL `with`
 * gives an empty object.
 */
json_t *scen_step_render(const scen_scenario *s, const scen_step *st, const json_t *ctx,
                         const scen_resolver *r, scen_experr *e);
/*
 * A condition (the filter, a step's if) at pos (filter_pos, cond_pos): 1
 * true, 0 false, -1 and *e ("FILE:LINE:COL: ...") when it fails. NULL is true.
 */
int scen_condition(const scen_scenario *s, const scen_expr *cond, scen_pos pos, const json_t *ctx,
                   const scen_resolver *r, scen_experr *e);

/* The step kinds, NULL-terminated (for help and completion). */
extern const char *const scen_step_kinds[];

#endif
