/* Argument helpers shared by the object commands: types, ids, field values, confirmation. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "object_input.h"
#include "util.h"
#include "banned.h"

#define VALUES_FILE_MAX (16 * 1024 * 1024)
#define IDS_MAX 100000

int cli_type(cli_ctx *ctx, ontra_client *c, const char *typed, int *out)
{
	int rc = ontra_object_type(out, c, typed ? typed : "contacts");

	if (rc < 0)
		return cli_fail_lib(ctx, rc);
	cli_out_type(ctx, *out); /* what the command shows is of this type */
	return EXIT_OK;
}

int cli_parse_ids(cli_ctx *ctx, const char *const *strs, size_t n, long long **out, size_t *nout)
{
	long long *ids = NULL;
	size_t count = 0, alloc = 0, i;

	*out = NULL;
	*nout = 0;
	for (i = 0; i < n; i++) {
		char *copy = util_strdup(strs[i]), *p, *save = NULL;
		if (!copy) {
			free(ids);
			return cli_error(EXIT_ERROR, "out of memory");
		}
		for (p = strtok_r(copy, ", ", &save); p; p = strtok_r(NULL, ", ", &save)) {
			long long v;
			if (util_parse_ll(p, 1, ONTRA_ID_MAX, &v) < 0) {
				int rc = cli_usage_error(
				    ctx, "invalid id '%s': expected a positive whole number", p);
				free(copy);
				free(ids);
				return rc;
			}
			if (count == alloc) {
				long long *n2;
				if (count >= IDS_MAX) {
					free(copy);
					free(ids);
					return cli_usage_error(ctx, "too many ids (at most %d)",
					                       IDS_MAX);
				}
				alloc = alloc ? alloc * 2 : 16;
				n2 = realloc(ids, alloc * sizeof *ids);
				if (!n2) {
					free(copy);
					free(ids);
					return cli_error(EXIT_ERROR, "out of memory");
				}
				ids = n2;
			}
			ids[count++] = v;
		}
		free(copy);
	}
	*out = ids;
	*nout = count;
	return EXIT_OK;
}

/* The kind of record a subscription field lists by name; -1 for ids only. */
static int listed_type(const char *field)
{
	if (strcmp(field, "contact_cat") == 0)
		return ONTRA_TAG;
	if (strcmp(field, "updateSequence") == 0)
		return ONTRA_SEQUENCE;
	if (strcmp(field, "updateCampaign") == 0)
		return ONTRA_CAMPAIGN;
	return -1;
}

/* "VIP, 3,Webinar" as "14,3,15": each name through the library's resolver. New string. */
static int names_to_ids(cli_ctx *ctx, ontra_client *c, int type, const char *text, char **out)
{
	util_buf b = UTIL_BUF_INIT;
	char *copy = util_strdup(text), *p, *save = NULL;
	int rc = copy ? EXIT_OK : cli_error(EXIT_ERROR, "out of memory"), lrc;

	for (p = copy ? strtok_r(copy, ",", &save) : NULL; p && rc == EXIT_OK;
	     p = strtok_r(NULL, ",", &save)) {
		long long id;
		if (!*(p = util_trim(p)))
			continue;
		if (ontra_id_parse(&id, p, NULL) == 0 && (lrc = ontra_resolve(&id, c, type, p)) < 0)
			rc = cli_fail_lib(ctx, lrc);
		else if (id)
			util_buf_printf(&b, "%s%lld", b.len ? "," : "", id);
		else /* a bad id: the library's check says why */
			util_buf_printf(&b, "%s%s", b.len ? "," : "", p);
	}
	free(copy);
	*out = rc == EXIT_OK && util_buf_ensure(&b) == 0 ? util_strdup(b.data) : NULL;
	util_buf_release(&b);
	return rc == EXIT_OK && !*out ? cli_error(EXIT_ERROR, "out of memory") : rc;
}

/*
 * Subscription fields given by name (contact_cat=VIP,Webinar): the names as
 * ids, for the library to store in the API's form. Values of the stored
 * form, or of ids only, are left as they are.
 */
static int subscription_names(cli_ctx *ctx, json_t *values)
{
	const char *key;
	json_t *v;
	ontra_client *c;
	int rc = EXIT_OK;

	json_object_foreach(values, key, v)
	{
		const char *t = json_string_value(v);
		char *ids = NULL;
		int type = listed_type(key);
		if (type < 0 || !t || !t[strspn(t, "0123456789, ")] || strncmp(t, "*/*", 3) == 0)
			continue;
		if ((rc = cli_client(ctx, &c)) != EXIT_OK ||
		    (rc = names_to_ids(ctx, c, type, t, &ids)) != EXIT_OK)
			return rc;
		json_object_set_new(values, key, json_string(ids));
		free(ids);
	}
	return rc;
}

int cli_field_values(cli_ctx *ctx, cli_args *args, int first, const char *json_opt, json_t **out)
{
	const char *jv = json_opt ? cli_value(args, json_opt) : NULL;
	json_t *values = NULL;
	int i;

	*out = NULL;
	if (jv) {
		json_error_t jerr;
		size_t len;
		char *text = cli_value_or_file(jv, VALUES_FILE_MAX, &len);
		if (!text)
			return EXIT_ERROR;
		values = json_loadb(text, len, 0, &jerr);
		free(text);
		if (!values)
			return cli_usage_error(ctx,
			                       "invalid JSON in --%s at line %d, column %d: %s",
			                       json_opt, jerr.line, jerr.column, jerr.text);
		if (!json_is_object(values)) {
			json_decref(values);
			return cli_usage_error(ctx, "--%s must hold a JSON object of field values",
			                       json_opt);
		}
	} else {
		values = json_object();
		if (!values)
			return cli_error(EXIT_ERROR, "out of memory");
	}
	for (i = first; i < cli_argc(args); i++) {
		const char *a = cli_arg(args, i), *eq = strchr(a, '=');
		char name[256];
		if (!eq || eq == a) {
			json_decref(values);
			return cli_usage_error(ctx, "invalid field value '%s': expected name=value",
			                       a);
		}
		if ((size_t)(eq - a) >= sizeof name) {
			json_decref(values);
			return cli_usage_error(ctx, "field name too long in '%.40s...'", a);
		}
		snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
		if (!util_utf8_valid(eq + 1, strlen(eq + 1)) ||
		    json_object_set_new(values, name, json_string(eq + 1)) < 0) {
			json_decref(values);
			return cli_usage_error(ctx, "invalid value for '%s': not UTF-8 text", name);
		}
	}
	if ((i = subscription_names(ctx, values)) != EXIT_OK) {
		json_decref(values);
		return i;
	}
	*out = values;
	return EXIT_OK;
}

int cli_confirm(cli_ctx *ctx, int yes, const char *question)
{
	char answer[16];
	FILE *tty;

	if (yes)
		return 1;
	if (!isatty(STDIN_FILENO) || !(tty = fopen("/dev/tty", "r+"))) {
		cli_error(EXIT_USAGE, "%s: not confirmed (no terminal to ask on); add --yes",
		          question);
		return 0;
	}
	fprintf(tty, "%s [y/N] ", question);
	fflush(tty);
	if (!fgets(answer, sizeof answer, tty))
		answer[0] = '\0';
	fclose(tty);
	if (answer[0] == 'y' || answer[0] == 'Y')
		return 1;
	cli_note(ctx, "ontraport: not confirmed; nothing was changed");
	return 0;
}
