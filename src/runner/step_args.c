/* step_args: reading a step's rendered `with` (see step_args.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "step_args.h"
#include "util.h"
#include "banned.h"

void run_strs_free(run_strs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static const char *keep(run_strs *s, char *text)
{
	char **v;

	if (!text)
		return NULL;
	if (!(v = realloc(s->v, (s->n + 1) * sizeof *v))) {
		free(text);
		return NULL;
	}
	s->v = v;
	return s->v[s->n++] = text;
}

const char *run_arg_text(run_strs *s, const json_t *v)
{
	char buf[64];

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, sizeof buf, "%d", json_is_true(v));
	else
		return NULL;
	return keep(s, util_strdup(buf));
}

run_outcome run_fail(run_outcome oc, char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return oc;
}

run_outcome run_lib_outcome(int rc, int creates, char *err, size_t errsz)
{
	const ontra_error *e = ontra_error_last();

	snprintf(err, errsz, "%s",
	         e->code == rc && e->message[0] ? e->message : ontra_error_name(rc));
	switch (rc) {
	case ONTRA_EINVALID: /* refused: retrying would not help, and nothing was made */
	case ONTRA_EAUTH:
	case ONTRA_EFORBIDDEN:
	case ONTRA_ENOTFOUND:
	case ONTRA_EUSER:
		return RUN_FAIL;
	case ONTRA_ERATELIMIT: /* a 429: the server did not act */
		return RUN_RETRY;
	case ONTRA_ENETWORK: /* the library says EUNSAFE when a write may have gone out */
		return RUN_RETRY;
	default: /* EUNSAFE, ESERVER, EBADRESPONSE, ERROR: a create may have happened */
		return creates ? RUN_UNKNOWN : RUN_RETRY;
	}
}

run_outcome run_http_outcome(long status)
{
	if (status >= 200 && status < 300)
		return RUN_OK;
	if (status == 408 || status == 429 || status >= 500)
		return RUN_RETRY;
	return RUN_FAIL;
}

run_outcome run_arg_type(const run_step_env *env, const json_t *with, int *type, char *err,
                         size_t errsz)
{
	const json_t *t = json_object_get(with, "type");
	char buf[32];
	const char *name = json_string_value(t);
	int rc;

	if (!t || json_is_null(t))
		name = "contacts";
	else if (json_is_integer(t)) {
		snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(t));
		name = buf;
	} else if (!name)
		return run_fail(RUN_FAIL, err, errsz, "type: expected an object type's name or id");
	rc = env->names ? run_names_type(env->names, env->client, name, type)
	                : ontra_object_type(type, env->client, name);
	return rc ? run_lib_outcome(rc, 0, err, errsz) : RUN_OK;
}

/* One id from a number or digits. */
static int one_id(const json_t *v, long long *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return *out >= 1 ? 0 : -1;
	}
	if (json_is_string(v))
		return ontra_id_parse(out, json_string_value(v), NULL) == 1 ? 0 : -1;
	return -1;
}

run_outcome run_arg_ids(const json_t *with, const char *key, int required, long long **ids,
                        size_t *n, char *err, size_t errsz)
{
	const json_t *v = json_object_get(with, key), *x;
	size_t i, count;

	*ids = NULL;
	*n = 0;
	if (!v || json_is_null(v))
		return required ? run_fail(RUN_FAIL, err, errsz, "%s: missing", key) : RUN_OK;
	count = json_is_array(v) ? json_array_size(v) : 1;
	if (!count || count > RUN_MAX_IDS)
		return run_fail(RUN_FAIL, err, errsz, "%s: expected 1 to %d ids", key, RUN_MAX_IDS);
	if (!(*ids = calloc(count, sizeof **ids)))
		return run_fail(RUN_RETRY, err, errsz, "out of memory");
	for (i = 0; i < count; i++) {
		x = json_is_array(v) ? json_array_get(v, i) : v;
		if (one_id(x, &(*ids)[i]) < 0) {
			free(*ids);
			*ids = NULL;
			return run_fail(RUN_FAIL, err, errsz,
			                "%s: expected ids (whole numbers from 1), got %s", key,
			                json_is_string(x) ? json_string_value(x) : "a non-number");
		}
	}
	*n = count;
	return RUN_OK;
}

run_outcome run_arg_id(const json_t *with, long long *id, char *err, size_t errsz)
{
	long long *ids;
	size_t n;
	run_outcome oc = run_arg_ids(with, "id", 1, &ids, &n, err, errsz);

	if (oc != RUN_OK)
		return oc;
	*id = ids[0];
	free(ids);
	return n == 1 ? RUN_OK : run_fail(RUN_FAIL, err, errsz, "id: expected one id");
}

/* A tag, sequence, campaign or form by name or id: the scenario's table, else the account. */
static int resolve(const run_step_env *env, const char *kind, const char *text, long long *id)
{
	static const struct {
		const char *kind;
		int type;
	} types[] = {{"tag", ONTRA_TAG},
	             {"sequence", ONTRA_SEQUENCE},
	             {"campaign", ONTRA_CAMPAIGN},
	             {"form", ONTRA_FORM}};
	size_t i;

	if (env->names)
		return run_names_id(env->names, env->client, kind, text, id);
	for (i = 0; i < sizeof types / sizeof *types; i++)
		if (!strcmp(types[i].kind, kind))
			return ontra_resolve(id, env->client, types[i].type, text);
	return ONTRA_EINVALID;
}

run_outcome run_arg_named(const run_step_env *env, const json_t *with, const char *key,
                          const char *kind, long long **ids, size_t *n, char *err, size_t errsz)
{
	const json_t *v = json_object_get(with, key), *x;
	size_t i, count;
	run_strs s = {0};
	const char *text;
	run_outcome oc = RUN_OK;
	int rc;

	*ids = NULL;
	*n = 0;
	if (!v || json_is_null(v))
		return RUN_OK;
	count = json_is_array(v) ? json_array_size(v) : 1;
	if (!count || count > RUN_MAX_IDS)
		return run_fail(RUN_FAIL, err, errsz, "%s: expected 1 to %d %ss", key, RUN_MAX_IDS,
		                kind);
	if (!(*ids = calloc(count, sizeof **ids)))
		return run_fail(RUN_RETRY, err, errsz, "out of memory");
	for (i = 0; i < count && oc == RUN_OK; i++) {
		x = json_is_array(v) ? json_array_get(v, i) : v;
		if (!(text = run_arg_text(&s, x)) || !*text)
			oc = run_fail(RUN_FAIL, err, errsz, "%s: expected a %s's name or id", key,
			              kind);
		else if ((rc = resolve(env, kind, text, &(*ids)[i])) != 0)
			oc = run_lib_outcome(rc, 0, err, errsz);
	}
	run_strs_free(&s);
	if (oc != RUN_OK) {
		free(*ids);
		*ids = NULL;
		return oc;
	}
	*n = count;
	return RUN_OK;
}

int run_arg_bool(const json_t *with, const char *key, int dflt)
{
	const json_t *v = json_object_get(with, key);
	const char *s = json_string_value(v);

	if (!v || json_is_null(v))
		return dflt;
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return s && (!strcmp(s, "1") || util_strieq(s, "true") || util_strieq(s, "yes"));
}
