/* Record input and output shared by messages, rules and webhooks (record_io.h). */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "record_io.h"
#include "object_input.h"
#include "util.h"
#include "banned.h"

#define TEXT_FILE_MAX (16 * 1024 * 1024)

int cli_object_type_opt(cli_ctx *ctx, const char *value, int *out)
{
	ontra_client *c;
	long long v;
	int rc;

	*out = -1;
	if (!value)
		return EXIT_OK;
	if (isdigit((unsigned char)value[0])) {
		if (util_parse_ll(value, 0, INT_MAX, &v) < 0)
			return cli_usage_error(
			    ctx, "invalid --object-type '%s': expected a name or a number", value);
		*out = (int)v;
		return EXIT_OK;
	}
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	return cli_type(ctx, c, value, out);
}

int cli_one_id(cli_ctx *ctx, const char *arg, const char *what, long long *out)
{
	if (!arg || util_parse_ll(arg, 1, ONTRA_ID_MAX, out) < 0)
		return cli_usage_error(ctx, "invalid %s id '%s': expected a positive whole number",
		                       what, arg ? arg : "");
	return EXIT_OK;
}

int cli_text_opt(cli_ctx *ctx, cli_args *args, const char *name, char **out)
{
	const char *v = cli_value(args, name);

	(void)ctx;
	*out = NULL;
	if (!v)
		return EXIT_OK;
	*out = cli_value_or_file(v, TEXT_FILE_MAX, NULL);
	return *out ? EXIT_OK : EXIT_ERROR;
}

static int write_record(json_t *obj, void *out)
{
	return cli_out_record(out, obj) < 0;
}

int cli_search_print(cli_ctx *ctx, ontra_client *c, const ontra_search_options *o,
                     const char *const *table_cols)
{
	cli_out *out = cli_out_begin(ctx, ctx->format == FMT_TABLE ? table_cols : NULL);
	int rc, lrc;

	if (!out)
		return cli_error(EXIT_ERROR, "out of memory");
	lrc = ontra_search(c, o, write_record, out);
	rc = lrc < 0 ? cli_fail_lib(ctx, lrc) : EXIT_OK;
	if (rc != EXIT_OK)
		cli_out_fail(out);
	if (cli_out_end(out) < 0 && rc == EXIT_OK)
		rc = EXIT_ERROR;
	return rc;
}

int cli_list_objects(cli_ctx *ctx, cli_args *args, int type, const char *const *table_cols)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	ontra_client *c;
	long long lim;
	int rc;

	if (cli_value_ll(args, "limit", 1, 1LL << 40, 0, &lim) < 0)
		return EXIT_USAGE;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	o.object_type = type;
	o.limit = (size_t)lim;
	o.search = cli_value(args, "search");
	if (ctx->format == FMT_TABLE && table_cols) {
		/* a table shows these columns: ask only for them (listFields) */
		for (o.fields_count = 0; table_cols[o.fields_count]; o.fields_count++)
			;
		o.fields = table_cols;
	}
	return cli_search_print(ctx, c, &o, table_cols);
}

typedef struct found {
	long long id;
	size_t n;
} found;

static int count_found(json_t *rec, void *ud)
{
	found *f = ud;
	const char *id = json_string_value(json_object_get(rec, "id"));

	f->n++;
	f->id = id ? strtoll(id, NULL, 10) : json_integer_value(json_object_get(rec, "id"));
	return 0;
}

int cli_find_one(cli_ctx *ctx, int type, const char *field, const char *value, const char *noun,
                 const char *how, long long *out)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	static const char *const fields[] = {"id"};
	found f = {0, 0};
	ontra_client *c;
	json_t *cond;
	int rc, lrc;

	if ((lrc = ontra_id_parse(out, value, noun)) != 0)
		return lrc < 0 ? cli_usage_error(ctx, "%s", ontra_error_last()->message) : EXIT_OK;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if (!(cond = json_array()))
		return cli_error(EXIT_ERROR, "out of memory");
	o.object_type = type;
	o.condition = cond;
	o.fields = fields;
	o.fields_count = 1;
	o.limit = 2; /* two are enough to know it is not one */
	if ((lrc = ontra_condition_add(cond, NULL, field, "=", json_string(value))) < 0 ||
	    (lrc = ontra_search(c, &o, count_found, &f)) < 0)
		rc = cli_fail_lib(ctx, lrc);
	else if (f.n == 0)
		rc = cli_error(EXIT_NOTFOUND, "no %s %s '%s'", noun, how, value);
	else if (f.n > 1)
		rc = cli_error(EXIT_INVALID, "several %ss %s '%s' match: give the %s's id", noun,
		               how, value, noun);
	*out = f.id;
	json_decref(cond);
	return rc;
}

int cli_get_each(cli_ctx *ctx, cli_args *args,
                 int (*get)(json_t **out, ontra_client *c, long long id),
                 const char *const *table_cols)
{
	long long *ids = NULL;
	ontra_client *c;
	cli_out *out = NULL;
	size_t n, i;
	int rc, lrc;

	if ((rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args), (size_t)cli_argc(args),
	                        &ids, &n)) != EXIT_OK)
		return rc;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		goto out;
	if (n > 1 && !(out = cli_out_begin(ctx, ctx->format == FMT_TABLE ? table_cols : NULL))) {
		rc = cli_error(EXIT_ERROR, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_t *rec;
		if ((lrc = get(&rec, c, ids[i])) < 0) {
			rc = cli_fail_lib(ctx, lrc);
			cli_out_fail(out);
			break;
		}
		if (out ? cli_out_record(out, rec) < 0 : cli_out_value(ctx, rec) < 0)
			rc = EXIT_ERROR;
		json_decref(rec);
	}
	if (out && cli_out_end(out) < 0 && rc == EXIT_OK)
		rc = EXIT_ERROR;
out:
	free(ids);
	return rc;
}
