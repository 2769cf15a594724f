/*
 * Names or ids: one resolver for the records that commands name (tags,
 * forms, sequences, campaigns, users, products, offers). Text of digits is an id, checked
 * against ONTRA_ID_MAX and sent as is; anything else is a name, looked up
 * with one search on the type's name field.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "util.h"
#include "banned.h"

/* What each resolvable type is called and which field holds its name (REFERENCE.md §2). */
static const struct {
	int type;
	const char *what;
	const char *name_field;
	const char *id_field;
} kinds[] = {
    {ONTRA_TAG, "tag", "tag_name", "tag_id"},   {ONTRA_FORM, "form", "formname", "form_id"},
    {ONTRA_SEQUENCE, "sequence", "name", "id"}, {ONTRA_CAMPAIGN, "campaign", "name", "id"},
    {ONTRA_USER, "user", "email", "id"},        {ONTRA_PRODUCT, "product", "name", "id"},
    {ONTRA_OFFER, "offer", "name", "id"},       {ONTRA_LANDING_PAGE, "landing page", "name", "id"},
    {ONTRA_GROUP, "group", "name", "id"},
};

int ontra_id_parse(long long *out, const char *text, const char *what)
{
	size_t i;

	*out = 0;
	if (!what)
		what = "record";
	if (!text || !*text)
		return ontra__error(ONTRA_EINVALID, "empty %s: expected a %s's name or id", what,
		                    what);
	i = text[0] == '-' || text[0] == '+';
	if (!text[i])
		return 0;
	for (; text[i]; i++)
		if (!isdigit((unsigned char)text[i]))
			return 0;
	if (util_parse_ll(text, 1, ONTRA_ID_MAX, out) < 0)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid %s id '%s': expected a whole number from 1 to %lld",
		                    what, text, ONTRA_ID_MAX);
	return 1;
}

/* A record's id, a JSON number or a string of digits; 0 when it has none. */
static long long json_id(const json_t *v)
{
	long long id;
	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? json_integer_value(v) : 0;
	return json_is_string(v) && util_parse_ll(json_string_value(v), 1, ONTRA_ID_MAX, &id) == 0
	           ? id
	           : 0;
}

typedef struct name_match {
	const char *name, *name_field, *id_field;
	long long id;
	int count;
	int full_name; /* a user by "firstname lastname" rather than by email */
} name_match;

/* Whether a user record's "firstname lastname" is name (case-insensitive, as people type it). */
static int full_name_is(json_t *obj, const char *name)
{
	const char *first = json_string_value(json_object_get(obj, "firstname"));
	const char *last = json_string_value(json_object_get(obj, "lastname"));
	size_t nf = first ? strlen(first) : 0;

	if (!first || !last || strncasecmp(name, first, nf) != 0)
		return 0;
	return name[nf] == ' ' && strcasecmp(name + nf + 1, last) == 0;
}

/* Counts the records whose name is exactly the one asked for (the API may compare loosely). */
static int match_name(json_t *obj, void *ud)
{
	name_match *m = ud;
	const char *name = json_string_value(json_object_get(obj, m->name_field));
	long long id = json_id(json_object_get(obj, m->id_field));

	if (!id)
		id = json_id(json_object_get(obj, "id"));
	if (m->full_name ? full_name_is(obj, m->name) && id
	                 : name && strcmp(name, m->name) == 0 && id) {
		m->id = id;
		m->count++;
	}
	return 0;
}

static int find_kind(int type)
{
	size_t i;
	for (i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (kinds[i].type == type)
			return (int)i;
	return -1;
}

/*
 * One search (condition name_field = name) and the exact matches it returns.
 * A user named without an '@' is looked for by "firstname lastname" among
 * the account's users (a handful: one search without a condition).
 */
static int resolve_name(long long *out, ontra_client *c, int k, const char *name)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	name_match m = {name, kinds[k].name_field, kinds[k].id_field, 0, 0, 0};
	json_t *cond = json_array();
	int rc;

	m.full_name = kinds[k].type == ONTRA_USER && !strchr(name, '@');
	if (!cond)
		return ontra__error_oom();
	if (!m.full_name && (rc = ontra_condition_add(cond, NULL, kinds[k].name_field, "=",
	                                              json_string(name))) < 0) {
		json_decref(cond);
		return rc;
	}
	o.object_type = kinds[k].type;
	o.condition = m.full_name ? NULL : cond;
	rc = ontra_search(c, &o, match_name, &m);
	json_decref(cond);
	if (rc < 0)
		return rc;
	if (m.count == 0 && kinds[k].type == ONTRA_USER)
		return ontra__error(ONTRA_ENOTFOUND,
		                    "no user named '%s': expected a user's e-mail, \"firstname "
		                    "lastname\" or id",
		                    name);
	if (m.count == 0)
		return ontra__error(ONTRA_ENOTFOUND, "no %s named '%s'", kinds[k].what, name);
	if (m.count > 1)
		return ontra__error(ONTRA_EINVALID, "%d %ss are named '%s': give the %s's id",
		                    m.count, kinds[k].what, name, kinds[k].what);
	*out = m.id;
	return 0;
}

int ontra_resolve(long long *out, ontra_client *c, int type, const char *name_or_id)
{
	int k = find_kind(type), rc;

	*out = 0;
	if (k < 0)
		return ontra__error(ONTRA_EINVALID,
		                    "cannot resolve names of object type %d: expected tags, forms, "
		                    "sequences, campaigns, users, products or offers",
		                    type);
	if ((rc = ontra_id_parse(out, name_or_id, kinds[k].what)) != 0)
		return rc < 0 ? rc : 0;
	if (!util_utf8_valid(name_or_id, strlen(name_or_id)))
		return ontra__error(ONTRA_EINVALID, "invalid %s name: expected UTF-8 text",
		                    kinds[k].what);
	return resolve_name(out, c, k, name_or_id);
}

int ontra_tag_find(long long *out, ontra_client *c, const char *name)
{
	*out = 0;
	if (!name || !*name)
		return ontra__error(ONTRA_EINVALID, "empty tag name");
	return resolve_name(out, c, find_kind(ONTRA_TAG), name);
}
