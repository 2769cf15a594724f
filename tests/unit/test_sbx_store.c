/*
 * Unit tests for the store (src/sandbox/store/store.c, meta.c, record.c, schema.c):
 * seeding, metadata, generic record CRUD, paging, restart persistence, reset.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sbx_store.h"

static sbx_store *open_mem(void)
{
	sbx_store *st = NULL;
	sbx_err e = SBX_ERR_INIT;

	assert_int_equal(sbx_store_open(&st, NULL, &e), 0);
	assert_non_null(st);
	sbx_store_lock(st);
	return st;
}

static void close_store(sbx_store *st)
{
	sbx_store_unlock(st);
	sbx_store_close(st);
}

static const sbx_otype *contacts(sbx_store *st)
{
	const sbx_otype *t = sbx_store_type(st, 0);

	assert_non_null(t);
	return t;
}

static long long insert(sbx_store *st, const char *json, json_t **echo)
{
	json_t *v = json_loads(json, 0, NULL);
	sbx_err e = SBX_ERR_INIT;
	long long id = -1;

	assert_non_null(v);
	assert_int_equal(sbx_record_insert(st, contacts(st), v, 0, &id, echo, &e), 0);
	json_decref(v);
	return id;
}

static const char *field(json_t *rec, const char *name)
{
	return json_string_value(json_object_get(rec, name));
}

static void test_seeded_metadata(void **state)
{
	sbx_store *st = open_mem();
	const sbx_otype *t = contacts(st), *m;
	const sbx_field *f;
	static const long long ids[] = {0, 1, 2, 3, 5, 6, 7, 14, 20, 122, 140, 145};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ids / sizeof *ids; i++)
		assert_non_null(sbx_store_type(st, ids[i]));
	assert_null(sbx_store_type(st, 4));
	assert_string_equal(t->name, "Contact");
	assert_string_equal(t->table, "o_0");
	assert_string_equal(t->id_field, "id");
	assert_true(t->access & SBX_ACC_POST);
	f = sbx_otype_field(t, "email");
	assert_non_null(f);
	assert_int_equal(f->type, SBX_FT_EMAIL);
	assert_true(f->flags & SBX_F_INDEXED);
	f = sbx_otype_field(t, "status");
	assert_int_equal(f->type, SBX_FT_DROP);
	assert_string_equal(json_string_value(json_object_get(f->options, "2")), "Closed - Won");
	f = sbx_otype_field(t, "owner");
	assert_int_equal(f->parent_object, 2);
	assert_string_equal(f->dflt, "1");
	f = sbx_otype_field(t, "fn");
	assert_false(f->stored);
	assert_null(sbx_otype_field(t, "nosuch"));
	assert_true(sbx_otype_has_column(t, "id"));
	assert_false(sbx_otype_has_column(t, "fn"));
	assert_ptr_equal(sbx_store_type_by_name(st, "contacts", 8, 1), t);
	assert_ptr_equal(sbx_store_type_by_name(st, "CONTACT", 7, 0), t);
	assert_null(sbx_store_type_by_name(st, "Contact", 7, 1));
	m = sbx_store_type(st, 14);
	assert_string_equal(m->id_field, "tag_id");
	m = sbx_store_type(st, 7);
	assert_string_equal(m->plural, "Messages");
	assert_false(m->access & SBX_ACC_POST);
	assert_int_equal(json_array_size(t->list_fields), 7);
	/* types come in ascending id order */
	for (i = 1; i < sbx_store_ntypes(st); i++)
		assert_true(sbx_store_type_at(st, i - 1)->id < sbx_store_type_at(st, i)->id);
	assert_string_equal(sbx_ftype_name(SBX_FT_SUBSCRIPTION), "subscription");
	assert_int_equal(sbx_ftype_parse("mergefield"), SBX_FT_MERGEFIELD);
	assert_int_equal(sbx_ftype_parse("blob"), -1);
	close_store(st);
}

static void test_seeded_owner_user(void **state)
{
	sbx_store *st = open_mem();
	json_t *u = NULL;
	sbx_err e = SBX_ERR_INIT;

	(void)state;
	assert_int_equal(sbx_record_get(st, sbx_store_type(st, 2), 1, NULL, &u, &e), 0);
	assert_string_equal(field(u, "id"), "1");
	assert_string_equal(field(u, "firstname"), "Sandbox");
	json_decref(u);
	close_store(st);
}

static void test_seeded_pick_lists(void **state)
{
	sbx_store *st = open_mem();
	sbx_query q;
	sbx_err e = SBX_ERR_INIT;
	json_t *rows = NULL;
	long long n = 0;

	(void)state;
	memset(&q, 0, sizeof q);
	assert_int_equal(sbx_record_count(st, sbx_store_type(st, 5), &q, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sbx_record_count(st, sbx_store_type(st, 140), &q, &n, &e), 0);
	assert_int_equal(n, 2);
	q.range = 50;
	assert_int_equal(sbx_record_list(st, sbx_store_type(st, 122), &q, &rows, &e), 0);
	assert_int_equal(json_array_size(rows), 2);
	assert_string_equal(field(json_array_get(rows, 0), "form_id"), "1");
	assert_string_equal(field(json_array_get(rows, 0), "formname"), "Contact Us");
	json_decref(rows);
	assert_int_equal(sbx_record_count(st, contacts(st), &q, &n, &e), 0);
	assert_int_equal(n, 0);
	close_store(st);
}

static void test_insert_echo_and_get(void **state)
{
	sbx_store *st = open_mem();
	json_t *echo = NULL, *rec = NULL;
	sbx_err e = SBX_ERR_INIT;
	long long id;
	char *s;

	(void)state;
	id = insert(st,
	            "{\"objectID\":0,\"firstname\":\"unit\",\"lastname\":\"test\",\"bogus\":1,"
	            "\"dlm\":\"5\",\"id\":\"77\"}",
	            &echo);
	assert_int_equal(id, 1);
	/* the order of examples/resp-post-objects-create-contact.json */
	s = json_dumps(echo, JSON_COMPACT);
	assert_string_equal(s, "{\"firstname\":\"unit\",\"lastname\":\"test\",\"use_utm_names\":"
	                       "\"false\",\"id\":\"1\",\"owner\":\"1\"}");
	free(s);
	json_decref(echo);

	assert_int_equal(sbx_record_get(st, contacts(st), id, NULL, &rec, &e), 0);
	assert_string_equal(field(rec, "firstname"), "unit");
	assert_string_equal(field(rec, "owner"), "1");
	assert_true(json_is_null(json_object_get(rec, "email")));
	/* read-only fields are not written from input; timestamps are strings of seconds */
	assert_string_not_equal(field(rec, "dlm"), "5");
	assert_true(strtoll(field(rec, "date"), NULL, 10) > 1500000000);
	assert_null(json_object_get(rec, "bogus"));
	assert_null(json_object_get(rec, "fn"));
	/* the id comes first, then owner, firstname, ... */
	assert_string_equal(json_object_iter_key(json_object_iter(rec)), "id");
	json_decref(rec);
	close_store(st);
}

static void test_value_kinds(void **state)
{
	sbx_store *st = open_mem();
	json_t *echo = NULL;

	(void)state;
	insert(st, "{\"priority\":8,\"spent\":1.5,\"bulk_mail\":true,\"company\":null}", &echo);
	assert_string_equal(field(echo, "priority"), "8");
	assert_string_equal(field(echo, "bulk_mail"), "1");
	assert_true(json_is_null(json_object_get(echo, "company")));
	/* spent is read-only: ignored */
	assert_null(json_object_get(echo, "spent"));
	json_decref(echo);
	close_store(st);
}

static void test_insert_errors(void **state)
{
	sbx_store *st = open_mem();
	json_t *v;
	sbx_err e = SBX_ERR_INIT;
	long long id;

	(void)state;
	v = json_pack("{s:s}", "email", "not an address");
	assert_int_equal(sbx_record_insert(st, contacts(st), v, 0, &id, NULL, &e), -1);
	assert_int_equal(e.status, 422);
	json_decref(v);
	v = json_pack("{s:[i]}", "firstname", 1);
	assert_int_equal(sbx_record_insert(st, contacts(st), v, 0, &id, NULL, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.text,
	                    "Invalid value for field 'firstname': expected a string or number");
	json_decref(v);
	/* tag_name is required for tags */
	v = json_object();
	assert_int_equal(sbx_record_insert(st, sbx_store_type(st, 14), v, 0, &id, NULL, &e), -1);
	assert_string_equal(e.text, "Missing required field 'tag_name'");
	json_decref(v);
	/* an empty email clears the field and is fine */
	v = json_pack("{s:s}", "email", "");
	assert_int_equal(sbx_record_insert(st, contacts(st), v, 0, &id, NULL, &e), 0);
	json_decref(v);
	close_store(st);
}

static void test_email_validation(void **state)
{
	(void)state;
	assert_true(sbx_email_valid("mary@example.com"));
	assert_true(sbx_email_valid("a.b+tag@sub.example.co"));
	assert_true(sbx_email_valid("x@b\xc3\xbc"
	                            "cher.de"));
	assert_false(sbx_email_valid("mary"));
	assert_false(sbx_email_valid("@example.com"));
	assert_false(sbx_email_valid("mary@"));
	assert_false(sbx_email_valid("mary@example"));
	assert_false(sbx_email_valid("mary@example."));
	assert_false(sbx_email_valid("mary@.example.com"));
	assert_false(sbx_email_valid("ma ry@example.com"));
	assert_false(sbx_email_valid("mary@exa mple.com"));
	assert_false(sbx_email_valid("mary@@example.com"));
	assert_false(sbx_email_valid(".mary@example.com"));
	assert_false(sbx_email_valid("ma..ry@example.com"));
	assert_false(sbx_email_valid("mary@-example.com"));
}

static void test_update_attrs(void **state)
{
	sbx_store *st = open_mem();
	json_t *v, *attrs = NULL, *rec = NULL;
	sbx_err e = SBX_ERR_INIT;
	long long id = insert(st, "{\"firstname\":\"unit\",\"lastname\":\"test\"}", NULL);
	const char *k;
	json_t *val;
	int i = 0;

	(void)state;
	v = json_pack("{s:s, s:s, s:s}", "firstname", "unitUpdated", "lastname", "test", "nope",
	              "x");
	assert_int_equal(sbx_record_update(st, contacts(st), id, v, 0, &attrs, &e), 0);
	json_decref(v);
	/* changed fields, then dlm, then id: examples/resp-put-objects-update-contact.json */
	json_object_foreach(attrs, k, val)
	{
		static const char *const want[] = {"firstname", "dlm", "id"};
		assert_string_equal(k, want[i++]);
	}
	assert_int_equal(i, 3);
	assert_string_equal(field(attrs, "firstname"), "unitUpdated");
	assert_string_equal(field(attrs, "id"), "1");
	json_decref(attrs);

	/* nothing changed: only the id */
	v = json_pack("{s:s}", "firstname", "unitUpdated");
	assert_int_equal(sbx_record_update(st, contacts(st), id, v, 0, &attrs, &e), 0);
	assert_int_equal(json_object_size(attrs), 1);
	json_decref(attrs);
	json_decref(v);

	/* ignore_blanks skips "", otherwise "" overwrites */
	v = json_pack("{s:s}", "firstname", "");
	assert_int_equal(
	    sbx_record_update(st, contacts(st), id, v, SBX_REC_IGNORE_BLANKS, &attrs, &e), 0);
	assert_null(json_object_get(attrs, "firstname"));
	json_decref(attrs);
	assert_int_equal(sbx_record_update(st, contacts(st), id, v, 0, &attrs, &e), 0);
	assert_string_equal(field(attrs, "firstname"), "");
	json_decref(attrs);
	json_decref(v);
	assert_int_equal(sbx_record_get(st, contacts(st), id, NULL, &rec, &e), 0);
	assert_string_equal(field(rec, "firstname"), "");
	json_decref(rec);

	v = json_pack("{s:s}", "email", "bad");
	assert_int_equal(sbx_record_update(st, contacts(st), id, v, 0, &attrs, &e), -1);
	assert_int_equal(e.status, 422);
	assert_int_equal(sbx_record_update(st, contacts(st), 999, v, 0, &attrs, &e), -1);
	assert_int_equal(e.status, 404);
	json_decref(v);
	close_store(st);
}

static void test_delete_and_ids_not_reused(void **state)
{
	sbx_store *st = open_mem();
	sbx_err e = SBX_ERR_INIT;
	json_t *rec = NULL;
	long long a = insert(st, "{\"firstname\":\"a\"}", NULL);
	long long b = insert(st, "{\"firstname\":\"b\"}", NULL);

	(void)state;
	assert_int_equal(sbx_record_delete(st, contacts(st), b, &e), 0);
	assert_int_equal(sbx_record_get(st, contacts(st), b, NULL, &rec, &e), -1);
	assert_int_equal(e.status, 404);
	assert_null(rec);
	assert_string_equal(e.text, "Object not found: no Contact with id 2");
	assert_int_equal(sbx_record_delete(st, contacts(st), b, &e), -1);
	assert_int_equal(e.status, 404);
	/* AUTOINCREMENT: the deleted id is not handed out again */
	assert_int_equal(insert(st, "{\"firstname\":\"c\"}", NULL), 3);
	assert_int_equal(a, 1);
	close_store(st);
}

static void test_list_count_paging(void **state)
{
	sbx_store *st = open_mem();
	sbx_query q;
	json_t *rows = NULL, *fields;
	sbx_err e = SBX_ERR_INIT;
	long long n = 0, ids[] = {3, 5, 60, 0};
	char buf[64];
	int i;

	(void)state;
	for (i = 1; i <= 60; i++) {
		snprintf(buf, sizeof buf, "{\"firstname\":\"n%02d\",\"priority\":\"%d\"}", 61 - i,
		         i);
		insert(st, buf, NULL);
	}
	memset(&q, 0, sizeof q);
	assert_int_equal(sbx_record_count(st, contacts(st), &q, &n, &e), 0);
	assert_int_equal(n, 60);

	q.range = 50;
	assert_int_equal(sbx_record_list(st, contacts(st), &q, &rows, &e), 0);
	assert_int_equal(json_array_size(rows), 50);
	assert_string_equal(field(json_array_get(rows, 0), "id"), "1");
	json_decref(rows);

	q.start = 50;
	assert_int_equal(sbx_record_list(st, contacts(st), &q, &rows, &e), 0);
	assert_int_equal(json_array_size(rows), 10);
	assert_string_equal(field(json_array_get(rows, 0), "id"), "51");
	json_decref(rows);

	/* sort by firstname desc, listFields with an unknown name skipped */
	q.start = 0;
	q.range = 2;
	q.sort = "firstname";
	q.desc = 1;
	fields = json_pack("[s,s,s]", "firstname", "nosuch", "id");
	q.fields = fields;
	assert_int_equal(sbx_record_list(st, contacts(st), &q, &rows, &e), 0);
	assert_int_equal(json_array_size(rows), 2);
	assert_string_equal(field(json_array_get(rows, 0), "firstname"), "n60");
	assert_int_equal(json_object_size(json_array_get(rows, 0)), 2);
	assert_string_equal(json_object_iter_key(json_object_iter(json_array_get(rows, 0))),
	                    "firstname");
	json_decref(rows);
	json_decref(fields);
	q.fields = NULL;

	/* the ids filter, with an id that does not exist */
	memset(&q, 0, sizeof q);
	q.range = 50;
	q.ids = ids;
	q.nids = 4;
	assert_int_equal(sbx_record_list(st, contacts(st), &q, &rows, &e), 0);
	assert_int_equal(json_array_size(rows), 3);
	json_decref(rows);
	assert_int_equal(sbx_record_count(st, contacts(st), &q, &n, &e), 0);
	assert_int_equal(n, 3);

	/* the where hook: priority (a drop) is stored as a number, so it compares as one */
	memset(&q, 0, sizeof q);
	q.where = "\"priority\" > ?";
	q.where_args = json_pack("[i]", 55);
	assert_int_equal(sbx_record_count(st, contacts(st), &q, &n, &e), 0);
	assert_int_equal(n, 5);
	q.ids = ids;
	q.nids = 4;
	assert_int_equal(sbx_record_count(st, contacts(st), &q, &n, &e), 0);
	assert_int_equal(n, 1); /* only 60 */
	assert_int_equal(sbx_record_delete_where(st, contacts(st), &q, &n, &e), 0);
	assert_int_equal(n, 1);
	json_decref(q.where_args);

	memset(&q, 0, sizeof q);
	q.sort = "nosuch";
	assert_int_equal(sbx_record_list(st, contacts(st), &q, &rows, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.text, "Invalid sort 'nosuch': no such field for Contact");
	close_store(st);
}

static void test_text_matches_json(void **state)
{
	sbx_store *st = open_mem();
	sbx_query q;
	util_buf b = UTIL_BUF_INIT;
	json_t *rec = NULL, *parsed;
	sbx_err e = SBX_ERR_INIT;
	long long id = insert(st,
	                      "{\"firstname\":\"Zo\\u00eb \\\"Q\\\"\\n\\t\\u0001\","
	                      "\"lastname\":\"\\\\back\"}",
	                      NULL);

	(void)state;
	assert_int_equal(sbx_record_get(st, contacts(st), id, NULL, &rec, &e), 0);
	assert_int_equal(sbx_record_get_text(st, contacts(st), id, NULL, &b, &e), 0);
	parsed = json_loadb(b.data, b.len, 0, NULL);
	assert_non_null(parsed);
	assert_true(json_equal(parsed, rec));
	json_decref(parsed);
	util_buf_clear(&b);
	/* a miss appends nothing */
	assert_int_equal(sbx_record_get_text(st, contacts(st), 99, NULL, &b, &e), -1);
	assert_int_equal(b.len, 0);

	memset(&q, 0, sizeof q);
	q.range = 50;
	assert_int_equal(sbx_record_list_text(st, contacts(st), &q, &b, &e), 0);
	parsed = json_loadb(b.data, b.len, 0, NULL);
	assert_true(json_is_array(parsed));
	assert_true(json_equal(json_array_get(parsed, 0), rec));
	json_decref(parsed);
	util_buf_clear(&b);
	q.ids = &id;
	q.nids = 1;
	id = 12345;
	assert_int_equal(sbx_record_list_text(st, contacts(st), &q, &b, &e), 0);
	assert_string_equal(b.data, "[]");
	util_buf_release(&b);
	json_decref(rec);
	close_store(st);
}

static void fill(void *arg, long long i, char **vals, size_t n)
{
	(void)arg;
	(void)n;
	snprintf(vals[0], SBX_FILL_MAX, "F%lld", i);
	snprintf(vals[1], SBX_FILL_MAX, "c%lld@example.com", i);
}

static void test_bulk_insert(void **state)
{
	static const char *const names[] = {"firstname", "email"};
	static const char *const bad[] = {"fn"};
	sbx_store *st = open_mem();
	sbx_err e = SBX_ERR_INIT;
	sbx_query q;
	json_t *rec = NULL;
	long long first = 0, n = 0;

	(void)state;
	insert(st, "{\"firstname\":\"before\"}", NULL);
	assert_int_equal(
	    sbx_record_insert_bulk(st, contacts(st), names, 2, 1000, fill, NULL, &first, &e), 0);
	assert_int_equal(first, 2);
	memset(&q, 0, sizeof q);
	assert_int_equal(sbx_record_count(st, contacts(st), &q, &n, &e), 0);
	assert_int_equal(n, 1001);
	assert_int_equal(sbx_record_get(st, contacts(st), 1001, NULL, &rec, &e), 0);
	assert_string_equal(field(rec, "firstname"), "F999");
	assert_string_equal(field(rec, "email"), "c999@example.com");
	assert_string_equal(field(rec, "owner"), "1");
	assert_string_equal(field(rec, "use_utm_names"), "false");
	assert_non_null(field(rec, "dlm"));
	json_decref(rec);
	assert_int_equal(
	    sbx_record_insert_bulk(st, contacts(st), bad, 1, 1, fill, NULL, &first, &e), -1);
	assert_int_equal(e.status, 400);
	close_store(st);
}

static void test_add_type_and_field(void **state)
{
	static const sbx_field_def fields[] = {
	    {"f1557", "Shoe Size", SBX_FT_NUMERIC, SBX_F_EDITABLE | SBX_F_DELETABLE, NULL, NULL,
	     NULL, "Extra"},
	    {"color", "Color", SBX_FT_DROP, SBX_F_EDITABLE, "{\"1\":\"Red\"}", NULL, "1", NULL},
	};
	sbx_type_def def = {10000,       "Widget", "Widget", "Widgets", NULL,
	                    SBX_ACC_ALL, 1,        "f1557",  fields,    2};
	sbx_field_def more = {"f1600", "Notes", SBX_FT_LONGTEXT, SBX_F_EDITABLE, NULL, NULL,
	                      NULL,    NULL};
	sbx_field_def evil = {
	    "x\"; DROP TABLE o_0; --", "Evil", SBX_FT_TEXT, 0, NULL, NULL, NULL, NULL};
	sbx_store *st = open_mem();
	sbx_err e = SBX_ERR_INIT;
	const sbx_otype *w;
	json_t *v, *rec = NULL;
	long long id;

	(void)state;
	assert_int_equal(sbx_store_add_type(st, &def, &e), 0);
	w = sbx_store_type(st, 10000);
	assert_non_null(w);
	assert_true(w->custom);
	assert_ptr_equal(sbx_store_type_by_name(st, "widgets", 7, 1), w);
	assert_int_equal(sbx_store_add_type(st, &def, &e), -1);
	assert_int_equal(e.status, 400);

	assert_int_equal(sbx_store_add_field(st, 10000, &more, &e), 0);
	assert_int_equal(sbx_store_add_field(st, 10000, &more, &e), -1);
	assert_int_equal(sbx_store_add_field(st, 10000, &evil, &e), -1);
	assert_int_equal(e.status, 400);
	assert_int_equal(sbx_store_add_field(st, 424242, &more, &e), -1);
	w = sbx_store_type(st, 10000); /* metadata was reloaded */
	v = json_pack("{s:s, s:i}", "f1600", "hello", "f1557", 42);
	assert_int_equal(sbx_record_insert(st, w, v, 0, &id, NULL, &e), 0);
	json_decref(v);
	assert_int_equal(sbx_record_get(st, w, id, NULL, &rec, &e), 0);
	assert_string_equal(field(rec, "f1600"), "hello");
	assert_string_equal(field(rec, "f1557"), "42");
	assert_string_equal(field(rec, "color"), "1");
	json_decref(rec);
	close_store(st);
}

static void test_statement_cache_nesting(void **state)
{
	sbx_store *st = open_mem();
	sbx_err e = SBX_ERR_INIT;
	sqlite3_stmt *a, *b, *c;
	int i;

	(void)state;
	a = sbx_store_prepare(st, "SELECT 1", &e);
	b = sbx_store_prepare(st, "SELECT 1", &e); /* a is in use: a private copy */
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	sbx_store_done(st, b);
	sbx_store_done(st, a);
	c = sbx_store_prepare(st, "SELECT 1", &e);
	assert_ptr_equal(c, a); /* the cached one again */
	sbx_store_done(st, c);
	assert_null(sbx_store_prepare(st, "SELEC nonsense", &e));
	assert_int_equal(e.status, 500);
	/* more distinct statements than the cache holds */
	for (i = 0; i < 400; i++) {
		char sql[64];
		snprintf(sql, sizeof sql, "SELECT %d", i);
		a = sbx_store_prepare(st, sql, &e);
		assert_non_null(a);
		assert_int_equal(sqlite3_step(a), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(a, 0), i);
		sbx_store_done(st, a);
	}
	close_store(st);
}

static void test_reset(void **state)
{
	sbx_store *st = open_mem();
	sbx_err e = SBX_ERR_INIT;
	sbx_query q;
	long long n = -1;
	sbx_field_def more = {"f1", "One", SBX_FT_TEXT, SBX_F_EDITABLE, NULL, NULL, NULL, NULL};

	(void)state;
	insert(st, "{\"firstname\":\"x\"}", NULL);
	insert(st, "{\"firstname\":\"y\"}", NULL);
	assert_int_equal(sbx_store_add_field(st, 0, &more, &e), 0);
	assert_int_equal(sbx_store_reset(st, &e), 0);
	memset(&q, 0, sizeof q);
	assert_int_equal(sbx_record_count(st, contacts(st), &q, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_null(sbx_otype_field(contacts(st), "f1"));
	assert_int_equal(sbx_record_count(st, sbx_store_type(st, 2), &q, &n, &e), 0);
	assert_int_equal(n, 1);                                         /* the owner user is back */
	assert_int_equal(insert(st, "{\"firstname\":\"z\"}", NULL), 1); /* ids start over */
	close_store(st);
}

static void remove_db(const char *path)
{
	char side[512];

	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static void test_restart_persistence(void **state)
{
	char path[] = "/tmp/test_sbx_store_XXXXXX";
	sbx_field_def more = {"f77", "Seventy-seven", SBX_FT_TEXT, SBX_F_EDITABLE, NULL, NULL, NULL,
	                      NULL};
	sbx_store *st = NULL;
	sbx_err e = SBX_ERR_INIT;
	json_t *v, *rec = NULL;
	long long id;
	int fd;
	FILE *f;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd); /* an empty file is an empty database */

	assert_int_equal(sbx_store_open(&st, path, &e), 0);
	sbx_store_lock(st);
	assert_int_equal(sbx_store_add_field(st, 0, &more, &e), 0);
	v = json_pack("{s:s, s:s, s:s}", "firstname", "Mary", "email", "mary@example.com", "f77",
	              "kept");
	assert_int_equal(sbx_record_insert(st, contacts(st), v, 0, &id, NULL, &e), 0);
	json_decref(v);
	close_store(st);

	st = NULL;
	assert_int_equal(sbx_store_open(&st, path, &e), 0);
	sbx_store_lock(st);
	assert_int_equal(sbx_record_get(st, contacts(st), id, NULL, &rec, &e), 0);
	assert_string_equal(field(rec, "firstname"), "Mary");
	assert_string_equal(field(rec, "f77"), "kept");
	json_decref(rec);
	assert_non_null(sbx_otype_field(contacts(st), "f77"));
	/* the next id continues after a restart */
	assert_int_equal(insert(st, "{\"firstname\":\"Next\"}", NULL), id + 1);
	close_store(st);
	remove_db(path);

	/* a file that is not a sandbox database is refused, not clobbered */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not sqlite, just text that is long enough to matter..........", f);
	fclose(f);
	st = NULL;
	assert_int_equal(sbx_store_open(&st, path, &e), -1);
	assert_null(st);
	assert_int_equal(e.status, 500);
	remove_db(path);
}

/* A field marked SBX_F_OMIT_NULL (rule tags, §M13) is left out of records while NULL, in
 * the JSON and text reads alike, and the mark survives a restart. */
static void test_omit_null(void **state)
{
	char path[] = "/tmp/test_sbx_store_XXXXXX";
	sbx_store *st = NULL;
	sbx_err e = SBX_ERR_INIT;
	const sbx_otype *rules;
	util_buf b = UTIL_BUF_INIT;
	json_t *v, *rec = NULL;
	long long bare, tagged;
	int fd, pass;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sbx_store_open(&st, path, &e), 0);
	sbx_store_lock(st);
	rules = sbx_store_type(st, 6);
	assert_true(sbx_otype_field(rules, "tags")->flags & SBX_F_OMIT_NULL);
	v = json_pack("{s:s}", "name", "bare");
	assert_int_equal(sbx_record_insert(st, rules, v, 0, &bare, NULL, &e), 0);
	json_decref(v);
	v = json_pack("{s:s, s:s}", "name", "tagged", "tags", "");
	assert_int_equal(sbx_record_insert(st, rules, v, 0, &tagged, NULL, &e), 0);
	json_decref(v);
	for (pass = 0; pass < 2; pass++) {
		assert_int_equal(sbx_record_get(st, rules, bare, NULL, &rec, &e), 0);
		assert_null(json_object_get(rec, "tags"));
		assert_non_null(json_object_get(rec, "name"));
		json_decref(rec);
		assert_int_equal(sbx_record_get(st, rules, tagged, NULL, &rec, &e), 0);
		assert_string_equal(field(rec, "tags"), "");
		json_decref(rec);
		util_buf_clear(&b);
		assert_int_equal(sbx_record_get_text(st, rules, bare, NULL, &b, &e), 0);
		assert_null(strstr(b.data, "\"tags\""));
		v = json_loadb(b.data, b.len, 0, NULL); /* still valid JSON without the member */
		assert_non_null(v);
		json_decref(v);
		/* restart: the mark is read back from the file */
		close_store(st);
		st = NULL;
		assert_int_equal(sbx_store_open(&st, path, &e), 0);
		sbx_store_lock(st);
		rules = sbx_store_type(st, 6);
	}
	util_buf_release(&b);
	close_store(st);
	remove_db(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_omit_null),
	    cmocka_unit_test(test_seeded_metadata),
	    cmocka_unit_test(test_seeded_owner_user),
	    cmocka_unit_test(test_seeded_pick_lists),
	    cmocka_unit_test(test_insert_echo_and_get),
	    cmocka_unit_test(test_value_kinds),
	    cmocka_unit_test(test_insert_errors),
	    cmocka_unit_test(test_email_validation),
	    cmocka_unit_test(test_update_attrs),
	    cmocka_unit_test(test_delete_and_ids_not_reused),
	    cmocka_unit_test(test_list_count_paging),
	    cmocka_unit_test(test_text_matches_json),
	    cmocka_unit_test(test_bulk_insert),
	    cmocka_unit_test(test_add_type_and_field),
	    cmocka_unit_test(test_statement_cache_nesting),
	    cmocka_unit_test(test_reset),
	    cmocka_unit_test(test_restart_persistence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
