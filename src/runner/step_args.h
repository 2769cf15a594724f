/*
 * step_args: reading a step's rendered `with` (steps*.c): ids, names,
 * strings kept until the step ends, the library's errors as outcomes.
 */
#ifndef STEP_ARGS_H
#define STEP_ARGS_H

#include <stdio.h>

#include "runner.h"

#define RUN_MAX_IDS 10000

/* Strings made while reading one step's arguments, freed together. */
typedef struct run_strs {
	char **v;
	size_t n;
} run_strs;

void run_strs_free(run_strs *s);

/*
 * A value as text: a string as it is, an integer in decimal, a real with
 * %.17g, true/false as "1"/"0"; NULL for null, absent, objects and lists.
 * The text lives in *s.
 */
const char *run_arg_text(run_strs *s, const json_t *v);

/* The step's object type (with.type, default contacts). 0 or an outcome with err. */
run_outcome run_arg_type(const run_step_env *env, const json_t *with, int *type, char *err,
                         size_t errsz);

/*
 * with[key] as ids: one id (a number or digits) or a list of them. *ids is
 * malloc'd (free it). `required`: absent is an error. RUN_OK or RUN_FAIL.
 */
run_outcome run_arg_ids(const json_t *with, const char *key, int required, long long **ids,
                        size_t *n, char *err, size_t errsz);

/* with.id as one id (a number or digits). RUN_OK or RUN_FAIL. */
run_outcome run_arg_id(const json_t *with, long long *id, char *err, size_t errsz);

/*
 * with[key] as the ids of tags/sequences/campaigns/forms (kind), each given
 * by name or id (run_names_id). Absent: *n = 0.
 */
run_outcome run_arg_named(const run_step_env *env, const json_t *with, const char *key,
                          const char *kind, long long **ids, size_t *n, char *err, size_t errsz);

/* A boolean at with[key]: true, 1, "1", "true", "yes"; absent = dflt. */
int run_arg_bool(const json_t *with, const char *key, int dflt);

/* The library's last error as an outcome (and its message in err). `creates`: a 5xx may
 * have made something, so it is RUN_UNKNOWN, as EUNSAFE is. */
run_outcome run_lib_outcome(int rc, int creates, char *err, size_t errsz);

/* An HTTP status as an outcome: 2xx OK, 408/429/5xx RETRY, else FAIL. */
run_outcome run_http_outcome(long status);

/* err = formatted; returns oc. */
run_outcome run_fail(run_outcome oc, char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* steps_ext.c: the kinds that leave the API: exec and http. */
run_outcome run_step_exec_cmd(const run_step_env *env, const json_t *with, json_t **output,
                              char *err, size_t errsz);
run_outcome run_step_http(const run_step_env *env, const json_t *with, json_t **output, char *err,
                          size_t errsz);

/* steps_api.c: messages, rules and api. */
run_outcome run_step_message(const run_step_env *env, const char *kind, const json_t *with,
                             json_t **output, char *err, size_t errsz);
run_outcome run_step_rule(const run_step_env *env, const char *kind, const json_t *with,
                          json_t **output, char *err, size_t errsz);
run_outcome run_step_api(const run_step_env *env, const json_t *with, json_t **output, char *err,
                         size_t errsz);

/* The request a step would make, for --dry-run: "POST /objects/saveorupdate". */
const char *run_step_request_line(const char *kind, const json_t *with);

#endif
