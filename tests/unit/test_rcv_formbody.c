/* Unit tests for src/receiver/formbody.c: form bodies with PHP bracket keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "formbody.h"
#include "test_rcv_helpers.h"

/* Decode `body` and compare with the JSON text `want`. */
static void decodes_to(const char *body, const char *want)
{
	json_t *got = NULL, *w = json_loads(want, 0, NULL);
	char err[256];
	int rc = rcv_form_parse(&got, body, strlen(body), 100, 8, err, sizeof err);

	if (rc)
		fail_msg("'%s' failed: %s", body, err);
	assert_non_null(w);
	if (!json_equal(got, w)) {
		char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
		fail_msg("'%s' gave %s, want %s", body, g, want);
	}
	json_decref(got);
	json_decref(w);
}

static void fails(const char *body, size_t fields, size_t depth, int code, const char *part)
{
	json_t *got = (json_t *)1;
	char err[256];
	int rc = rcv_form_parse(&got, body, strlen(body), fields, depth, err, sizeof err);

	assert_int_equal(rc, code);
	assert_null(got);
	assert_null(strchr(err, '\n'));
	if (part && !strstr(err, part))
		fail_msg("'%s' lacks '%s'", err, part);
}

static void test_plain(void **state)
{
	decodes_to("a=1&b=x+y", "{\"a\":\"1\",\"b\":\"x y\"}");
	decodes_to("a=%41%42&c", "{\"a\":\"AB\",\"c\":\"\"}");
	decodes_to("a=1&a=2", "{\"a\":\"2\"}");  /* last wins */
	decodes_to("=x&&a=1&", "{\"a\":\"1\"}"); /* empty name and pairs dropped */
	decodes_to("a=b=c", "{\"a\":\"b=c\"}");
	decodes_to("a=%E2%82%AC", "{\"a\":\"\\u20ac\"}");
	decodes_to("%5Bx=1", "{\"[x\":\"1\"}"); /* no bracket pair: a plain name */
	decodes_to("[x]=1", "{\"[x]\":\"1\"}"); /* starts with '[': a plain name */
}

static void test_brackets(void **state)
{
	decodes_to("event[type]=sub_tag&event[tag_id]=4",
	           "{\"event\":{\"type\":\"sub_tag\",\"tag_id\":\"4\"}}");
	decodes_to("event%5Btype%5D=sub_tag", "{\"event\":{\"type\":\"sub_tag\"}}");
	decodes_to("a[b][c]=1&a[b][d]=2", "{\"a\":{\"b\":{\"c\":\"1\",\"d\":\"2\"}}}");
	decodes_to("a[b]x=1", "{\"a\":{\"b\":\"1\"}}"); /* text after the last pair dropped */
	decodes_to("a[b][c=1", "{\"a\":{\"b\":\"1\"}}");
	decodes_to("a=1&a[b]=2", "{\"a\":{\"b\":\"2\"}}"); /* a name becomes a group */
}

static void test_arrays(void **state)
{
	decodes_to("ids[]=1&ids[]=2", "{\"ids\":[\"1\",\"2\"]}");
	decodes_to("ids[0]=1&ids[1]=2", "{\"ids\":[\"1\",\"2\"]}");
	decodes_to("ids[1]=b&ids[0]=a", "{\"ids\":[\"a\",\"b\"]}");
	decodes_to("ids[0]=a&ids[2]=c",
	           "{\"ids\":{\"0\":\"a\",\"2\":\"c\"}}"); /* a gap: an object */
	decodes_to("a[0][x]=1&a[1][x]=2", "{\"a\":[{\"x\":\"1\"},{\"x\":\"2\"}]}");
	decodes_to("a[0][0]=1&a[0][1]=2&a[1][0]=3", "{\"a\":[[\"1\",\"2\"],[\"3\"]]}");
	decodes_to("0=a&1=b", "{\"0\":\"a\",\"1\":\"b\"}"); /* the top stays an object */
	decodes_to("data[0]=x&data[x][0]=y", "{\"data\":{\"0\":\"x\",\"x\":[\"y\"]}}");
}

static void test_limits_and_bytes(void **state)
{
	char key[1100 + 3];

	fails("a=1&b=2&c=3", 2, 8, RCV_ELIMIT, "more than 2 fields");
	fails("a[b][c][d]=1", 100, 3, RCV_ELIMIT, "'a[b][c][d]' nested deeper than 3 levels");
	fails("a=%ff", 100, 8, RCV_EENCODING, "invalid utf-8 in form field 'a'");
	fails("%ff=1", 100, 8, RCV_EENCODING, NULL);
	fails("a%00b=1", 100, 8, RCV_EENCODING, "nul byte");
	memset(key, 'k', 1100);
	memcpy(key + 1100, "=1", 3);
	fails(key, 100, 8, RCV_ELIMIT, "longer than 1024 bytes");
	/* A NUL in a value is data: JSON strings can hold it. */
	{
		json_t *o = NULL;
		char err[64];
		assert_int_equal(rcv_form_parse(&o, "a=x%00y", 7, 10, 8, err, sizeof err), 0);
		assert_int_equal(json_string_length(json_object_get(o, "a")), 3);
		json_decref(o);
	}
	/* 64 levels is the ceiling whatever the caller asks. */
	{
		util_buf b = UTIL_BUF_INIT;
		json_t *o = NULL;
		char err[128];
		int i;
		util_buf_puts(&b, "a");
		for (i = 0; i < 70; i++)
			util_buf_puts(&b, "[x]");
		util_buf_puts(&b, "=1");
		assert_int_equal(rcv_form_parse(&o, b.data, b.len, 10, 1000, err, sizeof err),
		                 RCV_ELIMIT);
		util_buf_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_brackets),
	    cmocka_unit_test(test_arrays),
	    cmocka_unit_test(test_limits_and_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
