/*
 * Whether a search selects every object of its type. Bulk endpoints such as
 * DELETE /objects act on every object when nothing narrows them down, so the
 * library refuses such a selection unless the caller asked for all of them.
 *
 * A condition selects everything when it is empty (no clauses, a blank
 * string, JSON null) or always true: the sandbox and SQL bind AND tighter
 * than OR, so a condition is always true when one of its OR-joined groups
 * holds only clauses that every record meets. The clauses recognised as
 * always true are those on the id, which is a positive whole number:
 * id > N (N < 1), id >= N (N <= 1), id <> N and id NOT IN (...) (every
 * N < 1), id IS NOT EMPTY, id LIKE '%'. Anything else counts as a real
 * selection: the server decides what it matches.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "banned.h"

/* A clause value as a number, or 1 (a valid id, so never "always true") when it is not one. */
static double id_number(const json_t *v)
{
	const char *s;
	char *end;
	double d;

	if (json_is_number(v))
		return json_number_value(v);
	s = json_string_value(v);
	if (!s || !*s)
		return 1;
	d = strtod(s, &end);
	return *end ? 1 : d;
}

static int all_percent(const char *s)
{
	if (!s || !*s)
		return 0;
	while (*s == '%')
		s++;
	return *s == '\0';
}

/* Whether every value of an IN-style list is below 1 (no id can equal it). */
static int list_below_one(const json_t *list)
{
	size_t i;
	json_t *item;

	if (!json_is_array(list))
		return 0;
	json_array_foreach(list, i, item)
	{
		if (id_number(json_object_get(item, "value")) >= 1)
			return 0;
	}
	return 1;
}

/* Whether a clause object holds for every record. */
static int clause_always_true(const json_t *clause)
{
	const char *field =
	    json_string_value(json_object_get(json_object_get(clause, "field"), "field"));
	const char *op = json_string_value(json_object_get(clause, "op"));
	const json_t *value = json_object_get(clause, "value");
	const json_t *scalar = json_object_get(value, "value");

	if (!field || !op || !util_strieq(field, "id"))
		return 0;
	if (util_strieq(op, "IS NOT EMPTY"))
		return 1;
	if (util_strieq(op, "NOT IN"))
		return list_below_one(json_object_get(value, "list"));
	if (!scalar)
		return 0;
	if (strcmp(op, ">") == 0)
		return id_number(scalar) < 1;
	if (strcmp(op, ">=") == 0)
		return id_number(scalar) <= 1;
	if (strcmp(op, "<>") == 0 || strcmp(op, "!=") == 0)
		return id_number(scalar) < 1;
	if (util_strieq(op, "LIKE"))
		return all_percent(json_string_value(scalar));
	return 0;
}

/* Whether a condition array has no clause, or an OR-group of clauses that are all always true. */
static int array_selects_all(const json_t *cond)
{
	size_t i, clauses = 0, in_group = 0;
	int group_true = 1;
	json_t *v;

	json_array_foreach(cond, i, v)
	{
		if (json_is_string(v)) {
			if (util_strieq(json_string_value(v), "OR")) {
				if (group_true && in_group)
					return 1;
				group_true = 1;
				in_group = 0;
			}
			continue;
		}
		clauses++;
		in_group++;
		if (!clause_always_true(v))
			group_true = 0;
	}
	return clauses == 0 || (group_true && in_group);
}

static int blank(const char *s)
{
	while (s && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	return !s || !*s;
}

int ontra__condition_selects_all(const json_t *cond)
{
	json_t *parsed = NULL;
	int all;

	if (!cond || json_is_null(cond))
		return 1;
	if (json_is_array(cond))
		return array_selects_all(cond);
	if (!json_is_string(cond))
		return 1; /* not a condition at all: it narrows nothing down */
	if (blank(json_string_value(cond)))
		return 1;
	/* A legacy string condition in the readable syntax: judge its clauses. */
	if (ontra_where_parse(&parsed, json_string_value(cond)) < 0) {
		ontra_error_clear();
		return 0;
	}
	all = array_selects_all(parsed);
	json_decref(parsed);
	return all;
}

int ontra_search_selects_all(const ontra_search_options *o)
{
	if (!o)
		return 1;
	if (o->ids_count)
		return 0;
	if (o->condition && !ontra__condition_selects_all(o->condition))
		return 0;
	if (!blank(o->search))
		return 0;
	return o->group_id <= 0;
}
