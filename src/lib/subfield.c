/*
 * Subscription fields (contact_cat, updateSequence, updateCampaign): lists
 * of ids the API keeps with star-slash-star marks around each id. A write
 * given as an id, "1,2", a JSON list or the stored form is stored in that
 * form, so a search by tag finds the object. Pure: names are the caller's
 * to resolve (the CLI does, with ontra_resolve), as this sits below search.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "banned.h"

/* What a subscription field lists, for messages. */
static const char *listed(const char *field)
{
	if (strcmp(field, "contact_cat") == 0)
		return "tag";
	if (strcmp(field, "updateSequence") == 0)
		return "sequence";
	if (strcmp(field, "updateCampaign") == 0)
		return "campaign";
	return "record";
}

/* One id appended with a star-slash-star mark (names are resolved above: ontra_resolve). */
static int add_item(util_buf *b, const char *field, const char *item)
{
	long long id;

	if (!item[strspn(item, "0123456789")] && util_parse_ll(item, 1, ONTRA_ID_MAX, &id) == 0) {
		util_buf_printf(b, "%lld*/*", id);
		return 0;
	}
	if (!item[strspn(item, "+-0123456789")])
		return ontra__error(
		    ONTRA_EINVALID,
		    "invalid value '%s' for field '%s': expected %s ids from 1 to %lld", item,
		    field, listed(field), ONTRA_ID_MAX);
	return ontra__error(ONTRA_EINVALID,
	                    "invalid value '%s' for field '%s': expected %s ids (a name: "
	                    "ontra_resolve gives its id)",
	                    item, field, listed(field));
}

/* Items of text split at ',' (a name may hold spaces), or at the marks of the stored form. */
static int add_text(util_buf *b, const char *field, const char *text)
{
	int stored = strncmp(text, "*/*", 3) == 0;
	char *copy = util_strdup(text), *p, *save = NULL;
	int rc = copy ? 0 : ontra__error_oom();

	for (p = copy; stored && p && *p; p++)
		if (*p == '*' || *p == '/')
			*p = ',';
	for (p = copy ? strtok_r(copy, ",", &save) : NULL; p && rc == 0;
	     p = strtok_r(NULL, ",", &save))
		if (*util_trim(p))
			rc = add_item(b, field, p);
	free(copy);
	return rc;
}

int ontra__subscription_value(json_t *values, const char *field, json_t *v)
{
	util_buf b = UTIL_BUF_INIT;
	char num[32];
	size_t i;
	json_t *item;
	int rc = 0;

	util_buf_puts(&b, "*/*");
	if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		rc = add_item(&b, field, num);
	} else if (json_is_string(v)) {
		rc = add_text(&b, field, json_string_value(v));
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
		{
			if (rc == 0 && json_is_integer(item)) {
				snprintf(num, sizeof num, "%lld",
				         (long long)json_integer_value(item));
				rc = add_item(&b, field, num);
			} else if (rc == 0 && json_is_string(item)) {
				rc = add_text(&b, field, json_string_value(item));
			} else if (rc == 0) {
				rc = ontra__error(
				    ONTRA_EINVALID,
				    "invalid value for field '%s': expected ids or names", field);
			}
		}
	} else if (!json_is_null(v)) {
		rc = ontra__error(ONTRA_EINVALID,
		                  "invalid value for field '%s': expected ids or names", field);
	}
	if (rc == 0 && util_buf_ensure(&b) < 0)
		rc = ontra__error_oom();
	if (rc == 0)
		rc = json_object_set_new(values, field, json_string(b.len > 3 ? b.data : "")) < 0
		         ? ontra__error_oom()
		         : 0;
	util_buf_release(&b);
	return rc;
}
