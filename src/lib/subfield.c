/*
 * Subscription fields (contact_cat, updateSequence, updateCampaign): lists
 * of ids the API keeps with star-slash-star marks around each id. A write
 * given as an id, a name, "1,2", a JSON list or the stored form is stored
 * in that form, so a search by tag finds the object.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "banned.h"

/* The kind of record a subscription field lists; -1 when only ids are known. */
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

/* One item (an id or a name) appended as its id and a star-slash-star mark. */
static int add_item(util_buf *b, ontra_client *c, const char *field, const char *item)
{
	int type = listed_type(field), rc;
	long long id;

	if ((rc = ontra_id_parse(&id, item, NULL)) < 0)
		return ontra__error(ONTRA_EINVALID, "invalid value '%s' for field '%s': %s", item,
		                    field, ontra_error_last()->message);
	if (rc == 0 && type < 0)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid value '%s' for field '%s': expected ids", item, field);
	if (rc == 0 && (rc = ontra_resolve(&id, c, type, item)) < 0)
		return rc;
	util_buf_printf(b, "%lld*/*", id);
	return 0;
}

/* Items of text split at ',' (a name may hold spaces), or at the marks of the stored form. */
static int add_text(util_buf *b, ontra_client *c, const char *field, const char *text)
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
			rc = add_item(b, c, field, p);
	free(copy);
	return rc;
}

int ontra__subscription_value(ontra_client *c, json_t *values, const char *field, json_t *v)
{
	util_buf b = UTIL_BUF_INIT;
	char num[32];
	size_t i;
	json_t *item;
	int rc = 0;

	util_buf_puts(&b, "*/*");
	if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		rc = add_item(&b, c, field, num);
	} else if (json_is_string(v)) {
		rc = add_text(&b, c, field, json_string_value(v));
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
		{
			if (rc == 0 && json_is_integer(item)) {
				snprintf(num, sizeof num, "%lld",
				         (long long)json_integer_value(item));
				rc = add_item(&b, c, field, num);
			} else if (rc == 0 && json_is_string(item)) {
				rc = add_text(&b, c, field, json_string_value(item));
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
