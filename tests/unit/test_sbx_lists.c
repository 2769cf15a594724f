/*
 * Unit tests for src/sandbox/api/lists.c: the id lists kept in records
 * (contact_cat, updateSequence, updateCampaign), the events queued until a
 * change commits -- a tag reported added only to objects that lacked it,
 * removed only from those that had it -- and bulk list changes on a store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sbx_lists.h"

static const char *format(const sbx_idlist *l, util_buf *b)
{
	util_buf_clear(b);
	assert_int_equal(sbx_idlist_format(l, b), 0);
	return b->data;
}

static void test_idlist(void **state)
{
	sbx_idlist l = SBX_IDLIST_INIT;
	util_buf b = UTIL_BUF_INIT;

	(void)state;
	assert_int_equal(sbx_idlist_parse(&l, "*/*1*/*22*/*"), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(format(&l, &b), "*/*1*/*22*/*");
	/* every spelling clients write; duplicates and non-ids dropped */
	assert_int_equal(sbx_idlist_parse(&l, "3,4, 3"), 0);
	assert_string_equal(format(&l, &b), "*/*3*/*4*/*");
	assert_int_equal(sbx_idlist_parse(&l, "*/**/*"), 0);
	assert_int_equal(l.n, 0);
	assert_string_equal(format(&l, &b), "");
	assert_int_equal(sbx_idlist_parse(&l, NULL), 0);
	assert_int_equal(sbx_idlist_parse(&l, "1*/*12345678901234567890*/*2"), 0);
	assert_string_equal(format(&l, &b), "*/*1*/*2*/*");
	/* add / remove say whether anything changed */
	assert_int_equal(sbx_idlist_add(&l, 2), 0);
	assert_int_equal(sbx_idlist_add(&l, 7), 1);
	assert_int_equal(sbx_idlist_remove(&l, 1), 1);
	assert_int_equal(sbx_idlist_remove(&l, 1), 0);
	assert_string_equal(format(&l, &b), "*/*2*/*7*/*");
	assert_true(sbx_idlist_has(&l, 7));
	assert_false(sbx_idlist_has(&l, 1));
	sbx_idlist_release(&l);
	util_buf_release(&b);
}

static void test_tag_diff(void **state)
{
	sbx_pending p = SBX_PENDING_INIT;

	(void)state;
	assert_int_equal(sbx_pending_tag_diff(&p, 0, 8, "*/*1*/*2*/*", "*/*2*/*3*/*"), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].kind, SBX_EV_TAG_ADDED);
	assert_int_equal(p.v[0].tag, 3);
	assert_int_equal(p.v[0].id, 8);
	assert_int_equal(p.v[1].kind, SBX_EV_TAG_REMOVED);
	assert_int_equal(p.v[1].tag, 1);
	p.n = 0;
	assert_int_equal(sbx_pending_tag_diff(&p, 0, 8, NULL, ""), 0);
	assert_int_equal(p.n, 0);
	sbx_pending_release(&p);
}

/* sbx_list_apply on a store: only real changes are written and reported. */
static void test_apply(void **state)
{
	sbx_store *st = NULL;
	const sbx_otype *t;
	sbx_pending p = SBX_PENDING_INIT;
	sbx_err e = SBX_ERR_INIT;
	sbx_query q;
	json_t *rec;
	long long id, ids[] = {1, 2, 3}, tags[] = {5, 6};
	int i;

	(void)state;
	assert_int_equal(sbx_store_open(&st, NULL, &e), 0);
	sbx_store_lock(st);
	t = sbx_store_type(st, 0);
	for (i = 0; i < 3; i++) {
		json_t *v = json_pack("{s:s}", "contact_cat", i == 0 ? "*/*5*/*" : "");
		assert_int_equal(sbx_record_insert(st, t, v, 0, &id, NULL, &e), 0);
		json_decref(v);
	}
	memset(&q, 0, sizeof q);
	q.ids = ids;
	q.nids = 2;
	assert_int_equal(sbx_list_apply(st, t, SBX_FIELD_TAGS, &q, tags, 2, 0, &p, &e), 0);
	/* contact 1 had 5: only 6 is new for it; contact 2 gets both */
	assert_int_equal(p.n, 3);
	assert_true(p.v[0].id == 1 && p.v[0].tag == 6 && p.v[0].kind == SBX_EV_TAG_ADDED);
	assert_true(p.v[1].id == 2 && p.v[1].tag == 5);
	assert_true(p.v[2].id == 2 && p.v[2].tag == 6);
	assert_int_equal(sbx_record_get(st, t, 2, NULL, &rec, &e), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "contact_cat")), "*/*5*/*6*/*");
	json_decref(rec);
	/* removing from all three: contact 3 had nothing, so nothing is reported for it */
	p.n = 0;
	q.nids = 3;
	assert_int_equal(sbx_list_apply(st, t, SBX_FIELD_TAGS, &q, tags, 1, 1, &p, &e), 0);
	assert_int_equal(p.n, 2);
	assert_true(p.v[0].id == 1 && p.v[0].kind == SBX_EV_TAG_REMOVED && p.v[0].tag == 5);
	assert_true(p.v[1].id == 2 && p.v[1].tag == 5);
	/* sequences: no events asked for, none queued */
	p.n = 0;
	assert_int_equal(sbx_list_apply(st, t, SBX_FIELD_SEQUENCES, &q, tags, 2, 0, NULL, &e), 0);
	assert_int_equal(sbx_record_get(st, t, 3, NULL, &rec, &e), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "updateSequence")),
	                    "*/*5*/*6*/*");
	json_decref(rec);
	/* a created record with tags reports its creation and each tag */
	rec = json_pack("{s:s}", "contact_cat", "*/*9*/*");
	assert_int_equal(sbx_pending_created(&p, t, 4, rec), 0);
	json_decref(rec);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].kind, SBX_EV_CREATED);
	assert_true(p.v[1].kind == SBX_EV_TAG_ADDED && p.v[1].tag == 9);
	sbx_pending_release(&p);
	sbx_store_unlock(st);
	sbx_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_idlist),
	    cmocka_unit_test(test_tag_diff),
	    cmocka_unit_test(test_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
