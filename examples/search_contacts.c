/*
 * search_contacts: print the id and e-mail of every contact matching a
 * condition, streaming: each page of 50 is printed as it arrives, however
 * many contacts match.
 *
 *   search_contacts ["email LIKE '%@example.com'"]
 */
#include "common.h"

static int print_one(json_t *contact, void *userdata)
{
	size_t *n = userdata;
	const char *id = json_string_value(json_object_get(contact, "id"));
	const char *email = json_string_value(json_object_get(contact, "email"));

	printf("%s\t%s\n", id ? id : "?", email ? email : "");
	(*n)++;
	return 0; /* non-zero would stop the search */
}

int main(int argc, char **argv)
{
	ontra_search_options so = ONTRA_SEARCH_OPTIONS_INIT;
	static const char *const fields[] = {"id", "email"};
	json_t *condition = NULL;
	ontra_client *c;
	size_t n = 0;
	int rc = 0;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [CONDITION]\n", argv[0]);
		return 2;
	}
	if (!(c = client_from_env()))
		return 1;
	/* The readable condition syntax of 'ontraport objects search --where'. */
	if (argc == 2 && ontra_where_parse(&condition, argv[1]) < 0) {
		rc = fail("condition");
		goto out;
	}
	so.object_type = ONTRA_CONTACT;
	so.condition = condition;
	so.fields = fields;
	so.fields_count = 2;
	if (ontra_search(c, &so, print_one, &n) < 0)
		rc = fail("search");
	else
		fprintf(stderr, "%zu contacts\n", n);
out:
	json_decref(condition);
	ontra_client_free(c);
	return rc;
}
