/*
 * tag_by_name: give a tag, by name, to the contacts with the given e-mail
 * addresses. A tag name that does not exist yet is created (tagByName).
 *
 *   tag_by_name VIP mary@example.com ann@example.com
 */
#include "common.h"

static int collect(json_t *contact, void *userdata)
{
	json_t *ids = userdata;
	return json_array_append(ids, json_object_get(contact, "id"));
}

int main(int argc, char **argv)
{
	ontra_search_options so = ONTRA_SEARCH_OPTIONS_INIT;
	json_t *condition = json_array(), *found = json_array();
	const char *tag;
	long long *ids = NULL;
	ontra_client *c;
	size_t i, n;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s TAG EMAIL...\n", argv[0]);
		return 2;
	}
	tag = argv[1];
	if (!(c = client_from_env()))
		return 1;
	/* email IN (...), built with the condition builder rather than text. */
	json_t *list = json_array();
	for (i = 2; i < (size_t)argc; i++)
		json_array_append_new(list, json_string(argv[i]));
	if (ontra_condition_add(condition, NULL, "email", "IN", list) < 0) {
		rc = fail("condition");
		goto out;
	}
	so.object_type = ONTRA_CONTACT;
	so.condition = condition;
	if (ontra_search(c, &so, collect, found) < 0) {
		rc = fail("search");
		goto out;
	}
	n = json_array_size(found);
	if (n == 0) {
		fprintf(stderr, "no contact has those addresses\n");
		rc = 1;
		goto out;
	}
	ids = calloc(n, sizeof *ids);
	if (!ids) {
		rc = 1;
		goto out;
	}
	for (i = 0; i < n; i++) /* ids come as strings, as every value the API sends */
		ids[i] = strtoll(json_string_value(json_array_get(found, i)), NULL, 10);
	if (ontra_tag_names(c, ONTRA_CONTACT, ids, n, &tag, 1, ONTRA_ADD) < 0) {
		rc = fail("tag");
		goto out;
	}
	printf("tagged %zu contacts with '%s'\n", n, tag);
out:
	free(ids);
	json_decref(found);
	json_decref(condition);
	ontra_client_free(c);
	return rc;
}
