/*
 * The field editor through the library against a real sandbox
 * (REFERENCE-MORE §M5):
 *  - bad specs are refused locally with one-line errors and no field editor
 *    request (unknown kind, options where there are none, a label taken, a
 *    built-in field, an unknown field, bad flags or column);
 *  - ontra_fields_create makes the section and the fields, and the metadata
 *    follows at once (ontra_fields, ontra_fields_check, a record written and
 *    read back);
 *  - ontra_fields_update changes options (add, remove, replace; ids kept) and
 *    the label; ontra_field_sections shows sections and columns;
 *  - a non-empty section is refused; a field and then its section go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

static sandbox_proc sp;
static ontra_client *cl;

static unsigned long requests(void)
{
	return client_requests(cl);
}

static void expect_message(const char *part)
{
	assert_true(error_says(part));
}

static int setup(void **state)
{
	(void)state;
	if (sandbox_start(&sp, NULL) != 0)
		return -1;
	cl = sandbox_client(&sp);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ontra_client_free(cl);
	sandbox_stop(&sp);
	return 0;
}

/* Create must fail with code and message part, sending nothing once the metadata is there. */
static void create_refused(ontra_field_spec *s, const char *part)
{
	json_t *out = NULL;
	unsigned long before = requests();

	assert_int_equal(ontra_fields_create(&out, cl, ONTRA_CONTACT, "Extra", NULL, s, 1),
	                 ONTRA_EINVALID);
	assert_null(out);
	expect_message(part);
	assert_int_equal(requests(), before);
}

static void refused_locally(void **state)
{
	static const char *const opts[] = {"A", ""};
	ontra_field_spec s = ONTRA_FIELD_SPEC_INIT;
	const json_t *fields;
	json_t *out = NULL;
	unsigned long before;

	(void)state;
	assert_int_equal(ontra_fields(&fields, cl, ONTRA_CONTACT), 0); /* the metadata, once */
	s.alias = "Bad";
	s.kind = "bogus";
	create_refused(&s, "invalid kind 'bogus'");
	s.kind = "text";
	s.options = opts;
	s.options_count = 1;
	s.options_op = ONTRA_OPTIONS_ADD;
	create_refused(&s, "only drop and list fields take options");
	s.kind = "drop";
	s.options_count = 2;
	create_refused(&s, "an option label must be 1 to");
	s.options_count = 1;
	s.options_op = ONTRA_OPTIONS_REMOVE;
	create_refused(&s, "no options to remove");
	s = (ontra_field_spec)ONTRA_FIELD_SPEC_INIT;
	s.alias = "first name";
	s.kind = "text";
	create_refused(&s, "already exists for Contact (firstname)");
	s.alias = "Fine";
	s.column = 3;
	create_refused(&s, "column 3");
	s.column = 0;
	s.required = 2;
	create_refused(&s, "required and unique");
	s.required = 0;
	s.alias = "";
	create_refused(&s, "needs a label");

	before = requests();
	s = (ontra_field_spec)ONTRA_FIELD_SPEC_INIT;
	s.field = "firstname";
	s.alias = "Given name";
	assert_int_equal(ontra_fields_update(&out, cl, ONTRA_CONTACT, "Extra", NULL, &s, 1),
	                 ONTRA_EINVALID);
	expect_message("is not a custom field");
	s.field = "f99999";
	assert_int_equal(ontra_fields_update(&out, cl, ONTRA_CONTACT, "Extra", NULL, &s, 1),
	                 ONTRA_EINVALID);
	expect_message("unknown field 'f99999'");
	assert_int_equal(ontra_field_delete(cl, ONTRA_CONTACT, "email"), ONTRA_EINVALID);
	expect_message("cannot be deleted");
	assert_int_equal(ontra_field_delete(cl, ONTRA_CONTACT, "nosuch"), ONTRA_ENOTFOUND);
	assert_int_equal(ontra_fields_create(&out, cl, ONTRA_CONTACT, "", NULL, NULL, 0),
	                 ONTRA_EINVALID);
	expect_message("a section name");
	assert_int_equal(ontra_fields_create(&out, cl, -1, "Extra", NULL, NULL, 0), ONTRA_EINVALID);
	assert_int_equal(requests(), before);
}

/* The field called alias in the metadata: its name (borrowed) and definition. */
static const char *meta_field(const char *alias, const json_t **def)
{
	const json_t *fields;
	const char *k;
	json_t *v;

	assert_int_equal(ontra_fields(&fields, cl, ONTRA_CONTACT), 0);
	json_object_foreach((json_t *)fields, k,
	                    v) if (!strcmp(json_string_value(json_object_get(v, "alias"))
	                                       ? json_string_value(json_object_get(v, "alias"))
	                                       : "",
	                                   alias))
	{
		*def = v;
		return k;
	}
	*def = NULL;
	return NULL;
}

static char *options_text(const json_t *def)
{
	return json_dumps(json_object_get(def, "options"), JSON_COMPACT);
}

static void create_update_delete(void **state)
{
	static const char *const sizes[] = {"S", "M"}, *const more[] = {"L"}, *const less[] = {"S"};
	static const char *const repl[] = {"XL", "M"};
	ontra_field_spec s[2] = {ONTRA_FIELD_SPEC_INIT, ONTRA_FIELD_SPEC_INIT};
	json_t *out = NULL, *values, *rec = NULL, *secs = NULL, *extra;
	const json_t *def;
	char shoe[32], shirt[32], *t;
	long long id;

	(void)state;
	s[0].alias = "Shoe size";
	s[0].kind = "numeric";
	s[1].alias = "Shirt size";
	s[1].kind = "drop";
	s[1].options = sizes;
	s[1].options_count = 2;
	s[1].options_op = ONTRA_OPTIONS_ADD;
	s[1].column = 1;
	assert_int_equal(ontra_fields_create(&out, cl, ONTRA_CONTACT, "Extra", "more", s, 2), 0);
	assert_int_equal(json_object_size(out), 2);
	json_decref(out);

	/* The metadata follows: the fields, their kinds and options. */
	snprintf(shoe, sizeof shoe, "%s", meta_field("Shoe size", &def));
	assert_string_equal(json_string_value(json_object_get(def, "type")), "numeric");
	snprintf(shirt, sizeof shirt, "%s", meta_field("Shirt size", &def));
	t = options_text(def);
	assert_string_equal(t, "{\"1\":\"S\",\"2\":\"M\"}");
	free(t);

	/* A record takes them: by label (and a label's option), read back by name. */
	values =
	    json_pack("{s:s, s:s, s:s}", "firstname", "Ann", "shoe_size", "42", "Shirt size", "M");
	assert_int_equal(ontra_object_create(&out, cl, ONTRA_CONTACT, values), 0);
	id = strtoll(json_string_value(json_object_get(out, "id")), NULL, 10);
	json_decref(out);
	json_decref(values);
	assert_int_equal(ontra_object_get(&rec, cl, ONTRA_CONTACT, id), 0);
	assert_string_equal(json_string_value(json_object_get(rec, shoe)), "42");
	assert_string_equal(json_string_value(json_object_get(rec, shirt)), "2");
	json_decref(rec);

	/* Sections: ours, with the columns asked for. */
	assert_int_equal(ontra_field_sections(&secs, cl, ONTRA_CONTACT, "extra"), 0);
	assert_int_equal(json_array_size(secs), 1);
	extra = json_array_get(secs, 0);
	assert_string_equal(json_string_value(json_object_get(extra, "description")), "more");
	assert_int_equal(json_array_size(json_object_get(extra, "fields")), 2);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_array_get(json_object_get(extra, "fields"), 1), "column")),
	                 1);
	json_decref(secs);
	assert_int_equal(ontra_field_sections(&secs, cl, ONTRA_CONTACT, NULL), 0);
	assert_int_equal(json_array_size(secs), 2);
	json_decref(secs);
	assert_int_equal(ontra_field_sections(&secs, cl, ONTRA_CONTACT, "Nowhere"),
	                 ONTRA_ENOTFOUND);

	/* Options: add, remove, replace -- ids of labels kept stay. */
	s[0] = (ontra_field_spec)ONTRA_FIELD_SPEC_INIT;
	s[0].field = shirt;
	s[0].required = s[0].unique = -1;
	s[0].options = more;
	s[0].options_count = 1;
	s[0].options_op = ONTRA_OPTIONS_ADD;
	assert_int_equal(ontra_fields_update(&out, cl, ONTRA_CONTACT, "Extra", NULL, s, 1), 0);
	json_decref(out);
	s[0].options = less;
	s[0].options_op = ONTRA_OPTIONS_REMOVE;
	s[0].alias = "Shirt";
	assert_int_equal(ontra_fields_update(&out, cl, ONTRA_CONTACT, "Extra", NULL, s, 1), 0);
	assert_string_equal(json_string_value(json_object_get(out, shirt)), "Shirt");
	json_decref(out);
	assert_non_null(meta_field("Shirt", &def));
	t = options_text(def);
	assert_string_equal(t, "{\"2\":\"M\",\"3\":\"L\"}");
	free(t);
	s[0].alias = NULL;
	s[0].options = repl;
	s[0].options_count = 2;
	s[0].options_op = ONTRA_OPTIONS_REPLACE;
	assert_int_equal(ontra_fields_update(&out, cl, ONTRA_CONTACT, "Extra", NULL, s, 1), 0);
	json_decref(out);
	meta_field("Shirt", &def);
	t = options_text(def);
	assert_string_equal(t, "{\"4\":\"XL\",\"2\":\"M\"}");
	free(t);
	assert_int_equal(ontra_fields_update(&out, cl, ONTRA_CONTACT, "Nowhere", NULL, s, 1),
	                 ONTRA_ENOTFOUND);

	/* Delete: not a section with fields; the fields, then the section. */
	assert_int_equal(ontra_field_section_delete(cl, ONTRA_CONTACT, "Extra"), ONTRA_EINVALID);
	expect_message("not empty");
	assert_int_equal(ontra_field_delete(cl, ONTRA_CONTACT, "Shoe size"), 0);
	assert_null(meta_field("Shoe size", &def));
	assert_int_equal(ontra_field_delete(cl, ONTRA_CONTACT, shirt), 0);
	assert_int_equal(ontra_object_get(&rec, cl, ONTRA_CONTACT, id), 0);
	assert_null(json_object_get(rec, shoe));
	json_decref(rec);
	assert_int_equal(ontra_field_section_delete(cl, ONTRA_CONTACT, "Extra"), 0);
	assert_int_equal(ontra_field_sections(&secs, cl, ONTRA_CONTACT, NULL), 0);
	assert_int_equal(json_array_size(secs), 1);
	json_decref(secs);
}

/* The parsers on what the reference's examples show, and on replies that break the rules. */
static void parsers(void **state)
{
	json_t *d, *out = NULL;

	(void)state;
	d = json_loads("{\"success\":{\"f1557\":\"string\"},\"error\":[]}", 0, NULL);
	assert_int_equal(ontra_field_result_parse(&out, d), 0);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(out, "success"), "f1557")), "string");
	assert_int_equal(json_object_size(json_object_get(out, "error")), 0);
	json_decref(out);
	json_decref(d);
	d = json_loads("{\"success\":{\"f1\":\"a\",\"description\":\"x\"}}", 0, NULL);
	assert_int_equal(ontra_field_result_parse(&out, d), 0);
	assert_int_equal(json_object_size(json_object_get(out, "success")), 1);
	json_decref(out);
	json_decref(d);
	d = json_loads("{\"success\":[1]}", 0, NULL);
	assert_int_equal(ontra_field_result_parse(&out, d), ONTRA_EBADRESPONSE);
	assert_null(out);
	json_decref(d);
	d = json_loads("{\"1\":{\"id\":1,\"name\":\"Contact Information\",\"description\":null,"
	               "\"fields\":[[{\"id\":198,\"alias\":\"Name\",\"field\":\"fn\",\"type\":"
	               "\"mergefield\",\"required\":0,\"unique\":0,\"editable\":0,\"deletable\":0,"
	               "\"options\":\"x\"}]]}}",
	               0, NULL);
	assert_int_equal(ontra_field_sections_parse(&out, d), 0);
	assert_int_equal(json_array_size(out), 1);
	json_decref(out);
	json_decref(d);
	d = json_loads("{\"1\":{\"id\":1,\"name\":\"S\",\"fields\":[[],[],[],[]]}}", 0, NULL);
	assert_int_equal(ontra_field_sections_parse(&out, d), ONTRA_EBADRESPONSE);
	json_decref(d);
	d = json_loads("{\"1\":{\"id\":1,\"name\":\"S\",\"fields\":[[{\"id\":1}]]}}", 0, NULL);
	assert_int_equal(ontra_field_sections_parse(&out, d), ONTRA_EBADRESPONSE);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(refused_locally),
	    cmocka_unit_test(create_update_delete),
	    cmocka_unit_test(parsers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
