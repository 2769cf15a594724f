/*
 * `ontraport objects ...`: the general object modules for every
 * object type: search, get, create, update, upsert, delete, with-tag, tag,
 * untag, subscribe, unsubscribe.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "object_input.h"
#include "util.h"
#include "banned.h"

#define TYPE_OPT                                                                                   \
	{                                                                                          \
		.name = "type", .short_name = 't', .kind = CLI_VALUE, .arg = "TYPE",               \
		.help = "object type: a name (contacts, tags, a custom object) or number "         \
		        "(default contacts)"                                                       \
	}
#define END_OPT                                                                                    \
	{                                                                                          \
		.name = NULL                                                                       \
	}

/* Columns shown in a table when --fields is not given (all fields is too wide for people). */
static const char *const *table_columns(cli_ctx *ctx, int type)
{
	static const char *const contacts[] = {"id", "firstname", "lastname", "email", "dlm", NULL};
	static const char *const tags[] = {"tag_id", "tag_name", "object_type_id", NULL};
	static const char *const named[] = {"id", "name", NULL};
	static const char *const messages[] = {"id", "alias", "type", "subject", NULL};
	static const char *const forms[] = {"form_id", "formname", "type", NULL};

	if (ctx->format != FMT_TABLE)
		return NULL;
	switch (type) {
	case ONTRA_CONTACT:
		return contacts;
	case ONTRA_TAG:
		return tags;
	case ONTRA_SEQUENCE:
	case ONTRA_RULE:
	case ONTRA_CAMPAIGN:
		return named;
	case ONTRA_MESSAGE:
		return messages;
	case ONTRA_FORM:
		return forms;
	default:
		return NULL;
	}
}

/* ---- streaming output with progress ---- */

struct stream {
	cli_ctx *ctx;
	cli_out *out;
	size_t n;
	long long total;
	int progress;
	int write_failed;
	json_t *seen;   /* with-tag, any of several tags: ids already written */
	json_t *counts; /* with-tag --all-tags: id -> how many of the other tags it has */
	long long need; /* ...and how many it must have */
	size_t limit;   /* several tags: stop after this many (0 = all) */
};

/* An object's id as text (its "id" or "tag_id"...), in buf; "" when it has none. */
static const char *obj_id(json_t *obj, char *buf, size_t n)
{
	json_t *v = json_object_get(obj, "id");

	buf[0] = '\0';
	if (json_is_string(v))
		snprintf(buf, n, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	return buf;
}

/* Several tags: whether this object is written (not seen yet; has every tag with --all-tags). */
static int tags_filter(struct stream *s, json_t *obj)
{
	char id[32];

	obj_id(obj, id, sizeof id);
	if (s->counts && json_integer_value(json_object_get(s->counts, id)) != s->need)
		return 0;
	if (s->seen) {
		if (json_object_get(s->seen, id))
			return 0;
		json_object_set_new(s->seen, id, json_true());
	}
	return 1;
}

static int on_object(json_t *obj, void *ud)
{
	struct stream *s = ud;

	if ((s->seen || s->counts) && !tags_filter(s, obj))
		return 0;
	if (s->limit && s->n >= s->limit)
		return 1;

	if (cli_out_record(s->out, obj) < 0) {
		s->write_failed = 1;
		return 1;
	}
	s->n++;
	if (s->progress && s->n % 50 == 0) {
		if (s->total > 0)
			fprintf(stderr, "\r%zu of %lld objects", s->n, s->total);
		else
			fprintf(stderr, "\r%zu objects", s->n);
		fflush(stderr);
	}
	return 0;
}

/* Run a search, writing each object as it arrives. */
static int stream_search(cli_ctx *ctx, ontra_client *c, ontra_search_options *o)
{
	const char *const *cols = o->fields_count ? o->fields : table_columns(ctx, o->object_type);
	struct stream s = {.ctx = ctx, .total = -1};
	int lrc, rc = EXIT_OK;

	s.progress = ctx->stderr_tty && !ctx->quiet;
	if (s.progress && !o->tag_id && !o->tag_name && ontra_search_count(&s.total, c, o) == 0 &&
	    o->limit && s.total > (long long)o->limit)
		s.total = (long long)o->limit;
	s.out = cli_out_begin(ctx, cols);
	if (!s.out)
		return cli_error(EXIT_ERROR, "out of memory");
	lrc = ontra_search(c, o, on_object, &s);
	if (s.progress && s.n >= 50)
		fprintf(stderr, "\r\033[K");
	if (lrc < 0 && !s.write_failed) {
		rc = cli_fail_lib(ctx, lrc);
		cli_out_fail(s.out);
	}
	if (cli_out_end(s.out) < 0 || s.write_failed)
		rc = rc ? rc : EXIT_ERROR;
	return rc;
}

/* Options shared by search and with-tag: type, text search, limit. */
static int search_from_args(cli_ctx *ctx, cli_args *args, ontra_client *c, ontra_search_options *o)
{
	long long lim;
	int rc;

	if ((rc = cli_type(ctx, c, cli_value(args, "type"), &o->object_type)) != EXIT_OK)
		return rc;
	o->search = cli_value(args, "search");
	o->search_notes = cli_flag(args, "search-notes") > 0;
	if (cli_value_ll(args, "limit", 1, 1LL << 40, 0, &lim) < 0)
		return EXIT_USAGE;
	o->limit = (size_t)lim;
	return EXIT_OK;
}

/* --where, compiled into o->condition (*cond owns it), its field names checked. */
static int where_option(cli_ctx *ctx, cli_args *args, ontra_client *c, ontra_search_options *o,
                        json_t **cond)
{
	const char *where = cli_value(args, "where");

	if (where) {
		int lrc = ontra_where_parse(cond, where);
		const json_t *fdefs;
		size_t i;
		json_t *cl;
		if (lrc < 0)
			return cli_usage_error(ctx, "--where: %s", ontra_error_last()->message);
		/* Field names in the condition must be fields of the type. */
		if ((lrc = ontra_fields(&fdefs, c, o->object_type)) < 0)
			return cli_fail_lib(ctx, lrc);
		json_array_foreach(*cond, i, cl)
		{
			const char *f = json_string_value(
			    json_object_get(json_object_get(cl, "field"), "field"));
			if (f && !strstr(f, "//") && !json_object_get(fdefs, f)) {
				json_t *probe = json_pack("{s:s}", f, "");
				lrc = ontra_fields_check(c, o->object_type, probe);
				json_decref(probe);
				if (lrc < 0 && strstr(ontra_error_last()->message, "unknown field"))
					return cli_error(EXIT_INVALID, "--where: %s",
					                 ontra_error_last()->message);
			}
		}
		o->condition = *cond;
	}
	return EXIT_OK;
}

/* --group NAME|ID: a saved group by id (no request) or exact name (one search). */
static int group_option(cli_ctx *ctx, cli_args *args, ontra_client *c, long long *out)
{
	const char *g = cli_value(args, "group");
	int lrc;

	*out = 0;
	if (!g)
		return EXIT_OK;
	if ((lrc = ontra_id_parse(out, g, "group")) < 0)
		return cli_usage_error(ctx, "%s", ontra_error_last()->message);
	if (lrc == 0 && (lrc = ontra_resolve(out, c, ONTRA_GROUP, g)) < 0)
		return cli_fail_lib(ctx, lrc);
	return EXIT_OK;
}

/* The rest of search's options: ids, --where (fields checked), sort, fields, start, group,
 * externs. */
static int search_extra(cli_ctx *ctx, cli_args *args, ontra_client *c, ontra_search_options *o,
                        long long **ids, json_t **cond, char ***fields)
{
	const char *fl = cli_value(args, "fields");
	const char *const *list;
	size_t n;
	long long start, group;
	int rc;

	list = cli_list(args, "ids", &n);
	if (n && (rc = cli_parse_ids(ctx, list, n, ids, &o->ids_count)) != EXIT_OK)
		return rc;
	o->ids = *ids;
	if ((rc = where_option(ctx, args, c, o, cond)) != EXIT_OK)
		return rc;
	o->sort = cli_value(args, "sort");
	o->sort_desc = cli_flag(args, "desc") > 0;
	if (fl) {
		char *copy = util_strdup(fl), *p, *save = NULL;
		size_t k = 0, cap = 1;
		for (p = copy; p && *p; p++)
			cap += *p == ',';
		*fields = calloc(cap + 1, sizeof **fields);
		if (!copy || !*fields) {
			free(copy);
			return cli_error(EXIT_ERROR, "out of memory");
		}
		for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
			if (*util_trim(p))
				(*fields)[k++] = util_strdup(p);
		free(copy);
		o->fields = (const char *const *)*fields;
		o->fields_count = k;
	}
	if (cli_value_ll(args, "start", 0, 1LL << 40, 0, &start) < 0)
		return EXIT_USAGE;
	o->externs = cli_list(args, "extern", &o->externs_count);
	if (o->externs_count > ONTRA_EXTERNS_MAX)
		return cli_usage_error(ctx, "too many --extern: at most %d", ONTRA_EXTERNS_MAX);
	if ((rc = group_option(ctx, args, c, &group)) != EXIT_OK)
		return rc;
	o->start = (size_t)start;
	o->group_id = group;
	return EXIT_OK;
}

static void free_fields(char **fields)
{
	for (size_t i = 0; fields && fields[i]; i++)
		free(fields[i]);
	free(fields);
}

#define WHERE_IDS_MAX 1000000
#define IDS_PER_CALL 500

struct idvec {
	long long *v;
	size_t n, cap;
};

static int add_id(json_t *obj, void *ud)
{
	struct idvec *iv = ud;
	const char *s = json_string_value(json_object_get(obj, "id"));
	long long id;

	if (!s || util_parse_ll(s, 1, ONTRA_ID_MAX, &id) < 0)
		return 0;
	if (iv->n == iv->cap) {
		long long *nv;
		if (iv->cap >= WHERE_IDS_MAX)
			return 1;
		iv->cap = iv->cap ? iv->cap * 2 : 64;
		if (!(nv = realloc(iv->v, iv->cap * sizeof *nv)))
			return 1;
		iv->v = nv;
	}
	iv->v[iv->n++] = id;
	return 0;
}

/*
 * The objects to act on: the ids given, or those --where selects (one
 * search of ids first; the two are exclusive). *ids is new. EXIT_OK with
 * *n 0 means --where matched nothing (said on stderr).
 */
static int target_ids(cli_ctx *ctx, cli_args *args, ontra_client *c, int type, long long **ids,
                      size_t *n)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	static const char *const idf[] = {"id"};
	struct idvec iv = {NULL, 0, 0};
	json_t *cond = NULL;
	int rc, lrc;

	if (!cli_value(args, "where"))
		return *n ? EXIT_OK : cli_usage_error(ctx, "give the object ids, or --where COND");
	if (*n)
		return cli_usage_error(ctx, "give the object ids or --where, not both");
	o.object_type = type;
	o.fields = idf;
	o.fields_count = 1;
	if ((rc = where_option(ctx, args, c, &o, &cond)) != EXIT_OK)
		goto out;
	lrc = ontra_search(c, &o, add_id, &iv);
	if (lrc == ONTRA_EUSER)
		rc =
		    cli_error(EXIT_ERROR, "--where selects more than %d objects (or out of memory)",
		              WHERE_IDS_MAX);
	else if (lrc < 0)
		rc = cli_fail_lib(ctx, lrc);
	else if (iv.n == 0)
		cli_note(ctx, "nothing matches; nothing changed");
out:
	json_decref(cond);
	free(*ids);
	*ids = iv.v;
	*n = rc == EXIT_OK ? iv.n : 0;
	return rc;
}

static int run_search(cli_ctx *ctx, cli_args *args)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	ontra_client *c;
	long long *ids = NULL, count;
	json_t *cond = NULL;
	char **fields = NULL;
	int rc, lrc;

	if ((rc = cli_client(ctx, &c)) != EXIT_OK)
		return rc;
	if ((rc = search_from_args(ctx, args, c, &o)) != EXIT_OK ||
	    (rc = search_extra(ctx, args, c, &o, &ids, &cond, &fields)) != EXIT_OK)
		goto out;
	if (cli_flag(args, "count")) {
		if ((lrc = ontra_search_count(&count, c, &o)) < 0) {
			rc = cli_fail_lib(ctx, lrc);
			goto out;
		}
		json_t *v = json_pack("{s:I}", "count", (json_int_t)count);
		rc = cli_out_value(ctx, v) < 0 ? EXIT_ERROR : EXIT_OK;
		json_decref(v);
		goto out;
	}
	rc = stream_search(ctx, c, &o);
out:
	free(ids);
	json_decref(cond);
	free_fields(fields);
	return rc;
}

/* Set o's tag from text: an id or a name. */
static int tag_option(cli_ctx *ctx, const char *t, ontra_search_options *o)
{
	long long tag;
	int lrc = ontra_id_parse(&tag, t, "tag");

	if (lrc < 0)
		return cli_usage_error(ctx, "%s", ontra_error_last()->message);
	o->tag_id = lrc ? tag : 0;
	o->tag_name = lrc ? NULL : t;
	return EXIT_OK;
}

static int on_count(json_t *obj, void *ud)
{
	json_t *counts = ud;
	char id[32];

	obj_id(obj, id, sizeof id);
	return json_object_set_new(
	    counts, id, json_integer(json_integer_value(json_object_get(counts, id)) + 1));
}

/*
 * Several tags: objects with any of them (each once, in the order found), or
 * with --all-tags every one (the ids with the other tags first, then the
 * first tag's objects that have them all).
 */
static int with_tags(cli_ctx *ctx, cli_args *args, ontra_client *c, ontra_search_options *o,
                     const char *const *tags, size_t nt)
{
	int all = cli_flag(args, "all-tags") > 0, rc = EXIT_OK, lrc = 0;
	struct stream s = {.ctx = ctx, .total = -1, .limit = o->limit, .need = (long long)nt - 1};
	size_t i;

	o->limit = 0;
	if (!(all ? (s.counts = json_object()) : (s.seen = json_object())))
		return cli_error(EXIT_ERROR, "out of memory");
	for (i = 1; all && i < nt && lrc >= 0 && rc == EXIT_OK; i++)
		if ((rc = tag_option(ctx, tags[i], o)) == EXIT_OK)
			lrc = ontra_search(c, o, on_count, s.counts);
	if (rc == EXIT_OK && lrc >= 0 &&
	    !(s.out = cli_out_begin(ctx, table_columns(ctx, o->object_type))))
		rc = cli_error(EXIT_ERROR, "out of memory");
	for (i = 0; i < (all ? 1 : nt) && rc == EXIT_OK && lrc >= 0 && !s.write_failed &&
	            !(s.limit && s.n >= s.limit);
	     i++)
		if ((rc = tag_option(ctx, tags[i], o)) == EXIT_OK)
			lrc = ontra_search(c, o, on_object, &s);
	if (lrc < 0 && !s.write_failed) {
		rc = cli_fail_lib(ctx, lrc);
		cli_out_fail(s.out);
	}
	if (s.out && (cli_out_end(s.out) < 0 || s.write_failed))
		rc = rc ? rc : EXIT_ERROR;
	json_decref(s.seen);
	json_decref(s.counts);
	return rc;
}

static int run_with_tag(cli_ctx *ctx, cli_args *args)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	ontra_client *c;
	size_t nt;
	const char *const *tags = cli_list(args, "tag", &nt);
	int rc;

	if (!nt || !*tags[0])
		return cli_usage_error(ctx, "missing --tag NAME_OR_ID");
	if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
	    (rc = search_from_args(ctx, args, c, &o)) != EXIT_OK)
		return rc;
	if (nt > 1)
		return with_tags(ctx, args, c, &o, tags, nt);
	if ((rc = tag_option(ctx, tags[0], &o)) != EXIT_OK)
		return rc;
	return stream_search(ctx, c, &o);
}

/* objects get in json or ndjson: each record written from the server's text, no tree built. */
static int get_as_text(cli_ctx *ctx, ontra_client *c, int type, const long long *ids, size_t n,
                       cli_out *out)
{
	ontra_response *r;
	const char *json;
	size_t i, len;
	int lrc, rc = EXIT_OK;

	for (i = 0; i < n && rc == EXIT_OK; i++) {
		if ((lrc = ontra_object_get_text(&r, &json, &len, c, type, ids[i])) < 0) {
			rc = cli_fail_lib(ctx, lrc);
			cli_out_fail(out);
			break;
		}
		if ((out ? cli_out_record_text(out, json, len)
		         : cli_out_value_text(ctx, json, len)) < 0)
			rc = EXIT_ERROR;
		ontra_response_free(r);
	}
	return rc;
}

static int run_get(cli_ctx *ctx, cli_args *args)
{
	ontra_client *c;
	long long *ids = NULL;
	size_t n, i;
	int type, rc, lrc;
	cli_out *out = NULL;

	if ((rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args), (size_t)cli_argc(args),
	                        &ids, &n)) != EXIT_OK)
		return rc;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
	    (rc = cli_type(ctx, c, cli_value(args, "type"), &type)) != EXIT_OK)
		goto out;
	if (n > 1)
		out = cli_out_begin(ctx, table_columns(ctx, type));
	if (cli_out_as_text(ctx)) {
		rc = get_as_text(ctx, c, type, ids, n, out);
		goto done;
	}
	for (i = 0; i < n; i++) {
		json_t *obj, *full;
		if ((lrc = ontra_object_get(&full, c, type, ids[i])) < 0) {
			rc = cli_fail_lib(ctx, lrc);
			cli_out_fail(out);
			break;
		}
		/* for people, one object's filled fields only (--all: every field) */
		obj = ctx->format == FMT_TABLE && !out && !cli_flag(args, "all")
		          ? cli_nonempty(full)
		          : json_incref(full);
		json_decref(full);
		if (out)
			cli_out_record(out, obj);
		else if (cli_out_value(ctx, obj) < 0)
			rc = EXIT_ERROR;
		json_decref(obj);
	}
done:
	if (out && cli_out_end(out) < 0 && rc == EXIT_OK)
		rc = EXIT_ERROR;
out:
	free(ids);
	return rc;
}

static int run_create(cli_ctx *ctx, cli_args *args)
{
	ontra_client *c;
	json_t *values = NULL, *res = NULL;
	int type, rc, lrc;

	if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
	    (rc = cli_type(ctx, c, cli_value(args, "type"), &type)) != EXIT_OK ||
	    (rc = cli_field_values(ctx, args, 0, "json", &values)) != EXIT_OK)
		return rc;
	if (json_object_size(values) == 0) {
		json_decref(values);
		return cli_usage_error(ctx,
		                       "nothing to create: give field=value arguments or --json");
	}
	lrc = ontra_object_create(&res, c, type, values);
	rc =
	    lrc < 0 ? cli_fail_lib(ctx, lrc) : (cli_out_value(ctx, res) < 0 ? EXIT_ERROR : EXIT_OK);
	json_decref(values);
	json_decref(res);
	return rc;
}

static int run_update(cli_ctx *ctx, cli_args *args)
{
	ontra_client *c;
	json_t *values = NULL, *res = NULL;
	long long *ids = NULL;
	size_t n;
	const char *first = cli_arg(args, 0);
	int type, rc, lrc;

	if ((rc = cli_parse_ids(ctx, &first, 1, &ids, &n)) != EXIT_OK)
		return rc;
	if (n != 1) {
		free(ids);
		return cli_usage_error(ctx, "update takes one object id");
	}
	if ((rc = cli_client(ctx, &c)) == EXIT_OK &&
	    (rc = cli_type(ctx, c, cli_value(args, "type"), &type)) == EXIT_OK &&
	    (rc = cli_field_values(ctx, args, 1, "json", &values)) == EXIT_OK) {
		lrc = ontra_object_update(&res, c, type, ids[0], values);
		rc = lrc < 0 ? cli_fail_lib(ctx, lrc)
		             : (cli_out_value(ctx, res) < 0 ? EXIT_ERROR : EXIT_OK);
	}
	json_decref(values);
	json_decref(res);
	free(ids);
	return rc;
}

static int run_upsert(cli_ctx *ctx, cli_args *args)
{
	ontra_client *c;
	json_t *values = NULL, *res = NULL;
	int type, rc, lrc, created = 0;

	if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
	    (rc = cli_type(ctx, c, cli_value(args, "type"), &type)) != EXIT_OK ||
	    (rc = cli_field_values(ctx, args, 0, "json", &values)) != EXIT_OK)
		return rc;
	if (json_object_size(values) == 0) {
		json_decref(values);
		return cli_usage_error(ctx,
		                       "nothing to save: give field=value arguments or --json");
	}
	lrc = ontra_object_upsert(&res, &created, c, type, values,
	                          cli_flag(args, "ignore-blanks") > 0);
	if (lrc < 0) {
		rc = cli_fail_lib(ctx, lrc);
	} else {
		cli_note(ctx, created ? "created a new object" : "merged into the existing object");
		rc = cli_out_value(ctx, res) < 0 ? EXIT_ERROR : EXIT_OK;
	}
	json_decref(values);
	json_decref(res);
	return rc;
}

static int run_delete(cli_ctx *ctx, cli_args *args)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	ontra_client *c;
	long long *ids = NULL, count;
	json_t *cond = NULL;
	char question[256];
	size_t n;
	int rc, lrc, yes = cli_flag(args, "yes") > 0, all = cli_flag(args, "all") > 0;
	const char *tname;

	if ((rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args), (size_t)cli_argc(args),
	                        &ids, &n)) != EXIT_OK)
		return rc;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
	    (rc = cli_type(ctx, c, cli_value(args, "type"), &o.object_type)) != EXIT_OK)
		goto out;
	tname = ontra_object_type_name(c, o.object_type);
	if (n == 1 && !all && !cli_value(args, "where") && !cli_value(args, "search")) {
		/* One object: DELETE /object, which says when it does not exist. */
		if ((lrc = ontra_object_delete(c, o.object_type, ids[0])) < 0)
			rc = cli_fail_lib(ctx, lrc);
		else
			cli_note(ctx, "deleted %s %lld", tname ? tname : "object", ids[0]);
		goto out;
	}
	if (n == 0 && !all && !cli_value(args, "where") && !cli_value(args, "search")) {
		rc = cli_usage_error(ctx,
		                     "give the ids to delete, or --where/--search to select them "
		                     "(--all for every object of the type)");
		goto out;
	}
	if (all && (n || cli_value(args, "where") || cli_value(args, "search"))) {
		rc = cli_usage_error(ctx,
		                     "--all deletes every object of the type: give it without ids, "
		                     "--where or --search");
		goto out;
	}
	o.ids = ids;
	o.ids_count = n;
	o.search = cli_value(args, "search");
	if ((rc = where_option(ctx, args, c, &o, &cond)) != EXIT_OK)
		goto out;
	if (!all && ontra_search_selects_all(&o)) {
		rc = cli_usage_error(
		    ctx, "the selection matches every object of the type (an empty or "
		         "always-true condition or search); use --all to delete them all");
		goto out;
	}
	if (n && !o.condition && !o.search)
		count = (long long)n;
	else if ((lrc = ontra_search_count(&count, c, &o)) < 0) {
		rc = cli_fail_lib(ctx, lrc);
		goto out;
	}
	if (count == 0) {
		cli_note(ctx, "nothing matches; nothing deleted");
		goto out;
	}
	snprintf(question, sizeof question, "Delete %lld %s object%s?", count, tname ? tname : "",
	         count == 1 ? "" : "s");
	if (!cli_confirm(ctx, yes, question)) {
		rc = EXIT_USAGE;
		goto out;
	}
	if ((lrc = ontra_objects_delete(c, &o, all ? ONTRA_DELETE_ALL : ONTRA_DELETE_SELECTED)) < 0)
		rc = cli_fail_lib(ctx, lrc);
	else
		cli_note(ctx, "deleted %lld object%s", count, count == 1 ? "" : "s");
out:
	free(ids);
	json_decref(cond);
	return rc;
}

/* Split --tag values into ids and names. */
static int split_tags(cli_ctx *ctx, cli_args *args, long long **tids, size_t *nt,
                      const char ***names, size_t *nn)
{
	const char *const *list;
	size_t n, i;

	list = cli_list(args, "tag", &n);
	*tids = calloc(n + 1, sizeof **tids);
	*names = calloc(n + 1, sizeof **names);
	*nt = *nn = 0;
	if (!*tids || !*names)
		return cli_error(EXIT_ERROR, "out of memory");
	if (n == 0)
		return cli_usage_error(ctx, "missing --tag NAME_OR_ID");
	for (i = 0; i < n; i++) {
		long long v;
		int is_id = ontra_id_parse(&v, list[i], "tag");
		if (is_id < 0)
			return cli_usage_error(ctx, "%s", ontra_error_last()->message);
		if (is_id)
			(*tids)[(*nt)++] = v;
		else
			(*names)[(*nn)++] = list[i];
	}
	return EXIT_OK;
}

static int run_tagging(cli_ctx *ctx, cli_args *args, ontra_list_op op)
{
	ontra_client *c;
	long long *ids = NULL, *tids = NULL;
	const char **names = NULL;
	size_t n, nt = 0, nn = 0;
	int type, rc, lrc = 0;

	if ((rc = split_tags(ctx, args, &tids, &nt, &names, &nn)) != EXIT_OK ||
	    (rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args), (size_t)cli_argc(args),
	                        &ids, &n)) != EXIT_OK)
		goto out;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
	    (rc = cli_type(ctx, c, cli_value(args, "type"), &type)) != EXIT_OK ||
	    (rc = target_ids(ctx, args, c, type, &ids, &n)) != EXIT_OK || n == 0)
		goto out;
	for (size_t off = 0; off < n; off += IDS_PER_CALL) {
		size_t k = n - off < IDS_PER_CALL ? n - off : IDS_PER_CALL;
		if (nt && (lrc = ontra_tag_ids(c, type, ids + off, k, tids, nt, op)) < 0)
			goto fail;
		if (nn && (lrc = ontra_tag_names(c, type, ids + off, k, names, nn, op)) < 0)
			goto fail;
	}
	cli_note(ctx, "%s %zu tag%s %s %zu object%s", op == ONTRA_REMOVE ? "removed" : "added",
	         nt + nn, nt + nn == 1 ? "" : "s", op == ONTRA_REMOVE ? "from" : "to", n,
	         n == 1 ? "" : "s");
	goto out;
fail:
	rc = cli_fail_lib(ctx, lrc);
out:
	free(ids);
	free(tids);
	free(names);
	return rc;
}

static int run_tag(cli_ctx *ctx, cli_args *args)
{
	return run_tagging(ctx, args, ONTRA_ADD);
}

static int run_untag(cli_ctx *ctx, cli_args *args)
{
	return run_tagging(ctx, args, ONTRA_REMOVE);
}

/* --sequence/--campaign values as ids: a name becomes its id through the library's resolver. */
static int list_ids(cli_ctx *ctx, int type, const char *const *vals, size_t n, long long **out,
                    size_t *nout)
{
	char(*num)[24] = calloc(n + 1, sizeof *num);
	const char **strs = calloc(n + 1, sizeof *strs);
	ontra_client *c;
	long long id;
	size_t i;
	int rc = num && strs ? EXIT_OK : cli_error(EXIT_ERROR, "out of memory"), lrc;

	for (i = 0; i < n && rc == EXIT_OK; i++) {
		strs[i] = vals[i];
		/* ids and comma lists of ids, and bad ids, are cli_parse_ids's to read */
		if (vals[i][strspn(vals[i], "0123456789, ")] == '\0' ||
		    ontra_id_parse(&id, vals[i], NULL) != 0)
			continue;
		if ((rc = cli_client(ctx, &c)) != EXIT_OK)
			break;
		if ((lrc = ontra_resolve(&id, c, type, vals[i])) < 0)
			rc = cli_fail_lib(ctx, lrc);
		snprintf(num[i], sizeof num[i], "%lld", id);
		strs[i] = num[i];
	}
	if (rc == EXIT_OK)
		rc = cli_parse_ids(ctx, strs, n, out, nout);
	free(num);
	free(strs);
	return rc;
}

static int run_subscription(cli_ctx *ctx, cli_args *args, ontra_list_op op)
{
	ontra_client *c;
	long long *ids = NULL, *lists = NULL;
	size_t n, nl, ns, nc;
	const char *const *seq = cli_list(args, "sequence", &ns);
	const char *const *camp = cli_list(args, "campaign", &nc);
	int type, rc, lrc;

	if ((ns == 0) == (nc == 0))
		return cli_usage_error(ctx,
		                       "give --sequence ID or --campaign ID (one kind per call)");
	if ((rc = cli_parse_ids(ctx, (const char *const *)cli_argv(args), (size_t)cli_argc(args),
	                        &ids, &n)) != EXIT_OK ||
	    (rc = list_ids(ctx, ns ? ONTRA_SEQUENCE : ONTRA_CAMPAIGN, ns ? seq : camp, ns ? ns : nc,
	                   &lists, &nl)) != EXIT_OK)
		goto out;
	if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
	    (rc = cli_type(ctx, c, cli_value(args, "type"), &type)) != EXIT_OK ||
	    (rc = target_ids(ctx, args, c, type, &ids, &n)) != EXIT_OK || n == 0)
		goto out;
	lrc = 0;
	for (size_t off = 0; off < n && lrc >= 0; off += IDS_PER_CALL)
		lrc = ontra_subscribe(c, type, ids + off,
		                      n - off < IDS_PER_CALL ? n - off : IDS_PER_CALL, lists, nl,
		                      ns ? ONTRA_SUB_SEQUENCE : ONTRA_SUB_CAMPAIGN, op);
	if (lrc < 0)
		rc = cli_fail_lib(ctx, lrc);
	else
		cli_note(ctx, "%s %zu object%s %s %zu %s%s",
		         op == ONTRA_REMOVE ? "removed" : "added", n, n == 1 ? "" : "s",
		         op == ONTRA_REMOVE ? "from" : "to", nl, ns ? "sequence" : "campaign",
		         nl == 1 ? "" : "s");
out:
	free(ids);
	free(lists);
	return rc;
}

static int run_subscribe(cli_ctx *ctx, cli_args *args)
{
	return run_subscription(ctx, args, ONTRA_ADD);
}

static int run_unsubscribe(cli_ctx *ctx, cli_args *args)
{
	return run_subscription(ctx, args, ONTRA_REMOVE);
}

static const cli_opt search_opts[] = {
    TYPE_OPT,
    {.name = "search",
     .short_name = 's',
     .kind = CLI_VALUE,
     .arg = "TEXT",
     .help = "only objects containing TEXT"},
    {.name = "search-notes", .kind = CLI_FLAG, .help = "also search the objects' notes"},
    {.name = "ids",
     .kind = CLI_LIST,
     .arg = "ID,...",
     .help = "only these object ids (repeatable)"},
    {.name = "where",
     .short_name = 'w',
     .kind = CLI_VALUE,
     .arg = "CONDITION",
     .help = "a condition, e.g. \"email LIKE '%@example.com' AND status = 6\""},
    {.name = "limit",
     .short_name = 'n',
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "stop after N objects (default: all)"},
    {.name = "sort", .kind = CLI_VALUE, .arg = "FIELD", .help = "sort by FIELD"},
    {.name = "desc", .kind = CLI_FLAG, .help = "sort descending"},
    {.name = "fields",
     .short_name = 'f',
     .kind = CLI_VALUE,
     .arg = "F1,F2",
     .help = "only these fields (and table columns)"},
    {.name = "group",
     .kind = CLI_VALUE,
     .arg = "NAME|ID",
     .help = "only objects in this saved group (by name or id)"},
    {.name = "extern",
     .kind = CLI_LIST,
     .arg = "PARENT//FIELD",
     .help = "also FIELD of the record PARENT points at, e.g. owner//email (repeatable)"},
    {.name = "start", .kind = CLI_VALUE, .arg = "N", .help = "skip the first N objects"},
    {.name = "count", .kind = CLI_FLAG, .help = "print only how many objects match"},
    END_OPT};

static const cli_opt with_tag_opts[] = {
    TYPE_OPT,
    {.name = "tag",
     .kind = CLI_LIST,
     .arg = "NAME|ID",
     .help = "a tag, by name or id; repeated: objects with any of them (see --all-tags)"},
    {.name = "all-tags",
     .kind = CLI_FLAG,
     .help = "with several --tag: only objects that have every one"},
    {.name = "search",
     .short_name = 's',
     .kind = CLI_VALUE,
     .arg = "TEXT",
     .help = "only objects containing TEXT"},
    {.name = "search-notes", .kind = CLI_FLAG, .help = "also search the objects' notes"},
    {.name = "limit",
     .short_name = 'n',
     .kind = CLI_VALUE,
     .arg = "N",
     .help = "stop after N objects (default: all)"},
    END_OPT};

static const cli_opt get_opts[] = {
    TYPE_OPT,
    {.name = "all", .kind = CLI_FLAG, .help = "in a table, every field (default: the filled ones)"},
    END_OPT};
static const cli_opt write_opts[] = {
    TYPE_OPT,
    {.name = "json",
     .kind = CLI_VALUE,
     .arg = "JSON|@FILE",
     .help = "field values as a JSON object (name=value arguments win)"},
    END_OPT};
static const cli_opt upsert_opts[] = {
    TYPE_OPT,
    {.name = "json",
     .kind = CLI_VALUE,
     .arg = "JSON|@FILE",
     .help = "field values as a JSON object (name=value arguments win)"},
    {.name = "ignore-blanks",
     .kind = CLI_FLAG,
     .help = "empty values do not overwrite stored ones"},
    END_OPT};
static const cli_opt delete_opts[] = {
    TYPE_OPT,
    {.name = "where",
     .short_name = 'w',
     .kind = CLI_VALUE,
     .arg = "CONDITION",
     .help = "delete the objects matching a condition"},
    {.name = "search",
     .short_name = 's',
     .kind = CLI_VALUE,
     .arg = "TEXT",
     .help = "delete the objects containing TEXT"},
    {.name = "all", .kind = CLI_FLAG, .help = "delete every object of the type"},
    {.name = "yes", .short_name = 'y', .kind = CLI_FLAG, .help = "do not ask for confirmation"},
    END_OPT};
static const cli_opt tag_opts[] = {
    TYPE_OPT,
    {.name = "tag", .kind = CLI_LIST, .arg = "NAME|ID", .help = "a tag by name or id (repeatable)"},
    {.name = "where",
     .short_name = 'w',
     .kind = CLI_VALUE,
     .arg = "CONDITION",
     .help = "act on the objects matching a condition instead of ids"},
    END_OPT};
static const cli_opt sub_opts[] = {
    TYPE_OPT,
    {.name = "sequence",
     .kind = CLI_LIST,
     .arg = "NAME|ID",
     .help = "a sequence, by name or id (repeatable)"},
    {.name = "campaign",
     .kind = CLI_LIST,
     .arg = "NAME|ID",
     .help = "a campaign (automation), by name or id (repeatable)"},
    {.name = "where",
     .short_name = 'w',
     .kind = CLI_VALUE,
     .arg = "CONDITION",
     .help = "act on the objects matching a condition instead of ids"},
    END_OPT};

static const cli_command cmd_search = {
    .name = "search",
    .summary = "search objects of a type (streams every page)",
    .synopsis = "[--type TYPE] [--where COND] [--search TEXT] [--limit N]",
    .description =
        "Retrieve the objects of a type, page by page as they arrive (the API gives 50 at a time), "
        "optionally filtered by text, ids, a condition or a group. With -o ndjson or csv the "
        "results stream: memory stays flat however many there are. A progress line shows on a "
        "terminal.\n\nConditions: field op value, joined by AND / OR (AND binds tighter); ops = != "
        "<> "
        "< > <= >= LIKE, IN (...), NOT IN (...), IS NULL, IS NOT NULL; values 'quoted' or numbers."
        "\n\n--group NAME|ID keeps the members of a saved group (object type 3). --extern "
        "PARENT//FIELD adds FIELD of the record that the object's PARENT field points at (a "
        "field of kind parent, such as owner) as a member named PARENT//FIELD.",
    .opts = search_opts,
    .examples =
        "ontraport objects search --where \"email LIKE '%@example.com' AND status = 6\" -o ndjson\n"
        "  contacts at example.com in the Qualified Lead stage, one JSON line each\n"
        "ontraport objects search --type tags --search vip\n  tags whose name contains vip\n"
        "ontraport objects search --count\n  how many contacts there are\n"
        "ontraport objects search --group \"VIP\" --extern owner//email -o ndjson\n"
        "  the saved group's contacts, each with its owner's e-mail",
    .run = run_search,
};
static const cli_command cmd_get = {
    .name = "get",
    .summary = "get objects by id",
    .synopsis = "[--type TYPE] [--all] ID...",
    .description = "Get objects by id. In a table (on a terminal) one object shows its filled "
                   "fields only, dates as date-times and tags, sequences and campaigns by "
                   "name; --all shows every field. json, ndjson and csv give every field as "
                   "stored.",
    .opts = get_opts,
    .examples = "ontraport objects get 8\n  contact 8, its filled fields\n"
                "ontraport objects get 8 --all -o table\n  contact 8, every field",
    .run = run_get,
    .min_args = 1,
    .max_args = -1,
};
static const cli_command cmd_create = {
    .name = "create",
    .summary = "create an object from field values",
    .synopsis = "[--type TYPE] FIELD=VALUE... [--json JSON|@FILE]",
    .description =
        "Create an object. Field names and values are checked against the type's fields "
        "(see 'ontraport fields') before anything is sent: unknown names are refused with the "
        "nearest one suggested, values must fit the field's kind (number, email, date, option). "
        "Dates may be YYYY-MM-DD; drop-down values may be the option's label. A plain create is "
        "not duplicate-safe: see 'upsert'.",
    .opts = write_opts,
    .examples = "ontraport objects create firstname=Mary email=mary@example.com status='Qualified "
                "Lead'\n  a new contact",
    .run = run_create,
    .max_args = -1,
};
static const cli_command cmd_update = {
    .name = "update",
    .summary = "update fields of an object",
    .synopsis = "[--type TYPE] ID FIELD=VALUE... [--json JSON|@FILE]",
    .opts = write_opts,
    .examples =
        "ontraport objects update 8 lastname=Smith\n  change one field; prints what changed",
    .run = run_update,
    .min_args = 1,
    .max_args = -1,
};
static const cli_command cmd_upsert = {
    .name = "upsert",
    .summary = "create, or merge into the object with the same unique field (saveorupdate)",
    .synopsis = "[--type TYPE] FIELD=VALUE... [--ignore-blanks]",
    .description =
        "Create an object, or update the existing one with the same unique field (email for "
        "contacts): the only duplicate-safe write of the API, safe to repeat.",
    .opts = upsert_opts,
    .examples = "ontraport objects upsert email=mary@example.com firstname=Mary\n  create Mary, or "
                "update her",
    .run = run_upsert,
    .max_args = -1,
};
static const cli_command cmd_delete = {
    .name = "delete",
    .summary = "delete objects by id or by condition",
    .synopsis = "[--type TYPE] ID... | --where COND | --search TEXT | --all [--yes]",
    .description =
        "Delete one object (an error if it does not exist), several, or every object matching a "
        "condition. Deleting more than one asks for confirmation unless --yes. A condition or "
        "search "
        "that selects everything (an empty or always-true one, such as id > 0) is refused: every "
        "object of the type is deleted only with --all.",
    .opts = delete_opts,
    .examples = "ontraport objects delete 8\n  delete contact 8\n"
                "ontraport objects delete --where \"email LIKE '%@test.invalid'\" --yes\n  delete "
                "test contacts",
    .run = run_delete,
    .max_args = -1,
};
static const cli_command cmd_with_tag = {
    .name = "with-tag",
    .summary = "list objects that have a tag",
    .synopsis = "[--type TYPE] --tag NAME|ID... [--all-tags] [--search TEXT] [--limit N]",
    .description = "List the objects that have a tag. With --tag given more than once, the "
                   "objects that have any of the tags, each once; with --all-tags, only those "
                   "that have every one.",
    .opts = with_tag_opts,
    .examples = "ontraport objects with-tag --tag VIP -o csv\n  every contact tagged VIP, as CSV\n"
                "ontraport objects with-tag --tag VIP --tag Webinar --all-tags\n  contacts "
                "tagged both VIP and Webinar",
    .run = run_with_tag,
};
static const cli_command cmd_tag = {
    .name = "tag",
    .summary = "add tags to objects (names that do not exist are created)",
    .synopsis = "[--type TYPE] --tag NAME|ID... ID... | --where COND",
    .description =
        "Add tags, by name or id, to objects. Tag names that do not exist yet are created. The API "
        "answers before the work is done, so a read right after may not show it yet.",
    .opts = tag_opts,
    .examples = "ontraport objects tag --tag VIP --tag Webinar 8 9\n  tag contacts 8 and 9",
    .run = run_tag,
    .max_args = -1,
};
static const cli_command cmd_untag = {
    .name = "untag",
    .summary = "remove tags from objects",
    .synopsis = "[--type TYPE] --tag NAME|ID... ID... | --where COND",
    .description =
        "Remove tags, by name or id, from objects. A tag that does not exist is an error.",
    .opts = tag_opts,
    .examples = "ontraport objects untag --tag VIP 8\n  untag contact 8",
    .run = run_untag,
    .max_args = -1,
};
static const cli_command cmd_subscribe = {
    .name = "subscribe",
    .summary = "add objects to sequences or campaigns",
    .synopsis = "[--type TYPE] (--sequence NAME|ID | --campaign NAME|ID)... ID... | --where COND",
    .opts = sub_opts,
    .examples = "ontraport objects subscribe --sequence 3 8\n  add contact 8 to sequence 3",
    .run = run_subscribe,
    .max_args = -1,
};
static const cli_command cmd_unsubscribe = {
    .name = "unsubscribe",
    .summary = "remove objects from sequences or campaigns",
    .synopsis = "[--type TYPE] (--sequence NAME|ID | --campaign NAME|ID)... ID... | --where COND",
    .opts = sub_opts,
    .examples = "ontraport objects unsubscribe --campaign 2 8\n  take contact 8 out of campaign 2",
    .run = run_unsubscribe,
    .max_args = -1,
};

static const cli_command *const objects_subs[] = {
    &cmd_search,   &cmd_get, &cmd_create, &cmd_update,    &cmd_upsert,      &cmd_delete,
    &cmd_with_tag, &cmd_tag, &cmd_untag,  &cmd_subscribe, &cmd_unsubscribe, &cli_cmd_objects_import,
    NULL};

const cli_command cli_cmd_objects = {
    .name = "objects",
    .summary = "search, get, create, update, delete, tag and subscribe objects of any type",
    .description =
        "The general object modules, for every object type: contacts, tags, sequences, custom "
        "objects, ... (--type, default contacts; see 'ontraport object-types').",
    .subs = objects_subs,
};
