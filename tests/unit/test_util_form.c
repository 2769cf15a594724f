/* util/form.c: form and query decoding with PHP bracket expansion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util.h"

static json_t *decode_ok(const char *s)
{
	json_t *out = NULL;
	char err[128] = "";
	int rc = util_form_decode(&out, s, strlen(s), NULL, err, sizeof err);
	if (rc != 0)
		fail_msg("decode '%s' failed: %s", s, err);
	return out;
}

static void assert_json(json_t *got, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);
	assert_non_null(w);
	if (!json_equal(got, w)) {
		char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
		fail_msg("got %s, want %s", g, want);
	}
	json_decref(w);
	json_decref(got);
}

static void plain_pairs(void **state)
{
	(void)state;
	assert_json(decode_ok("a=1&b=x+y&c=%41%42&d="),
	            "{\"a\":\"1\",\"b\":\"x y\",\"c\":\"AB\",\"d\":\"\"}");
	assert_json(decode_ok(""), "{}");
	assert_json(decode_ok("&&a=1&"), "{\"a\":\"1\"}");
	assert_json(decode_ok("flag"), "{\"flag\":\"\"}");
	assert_json(decode_ok("a=1&a=2"), "{\"a\":\"2\"}"); /* last wins, as in PHP */
	assert_json(decode_ok("=x&b=1"), "{\"b\":\"1\"}");
}

static void brackets(void **state)
{
	(void)state;
	assert_json(decode_ok("ids[0]=1&ids[1]=2"), "{\"ids\":[\"1\",\"2\"]}");
	assert_json(decode_ok("ids[]=1&ids[]=2&ids[]=3"), "{\"ids\":[\"1\",\"2\",\"3\"]}");
	assert_json(decode_ok("ids%5B0%5D=7"), "{\"ids\":[\"7\"]}");
	assert_json(decode_ok("event[type]=sub_tag&event[tag_id]=3&data[firstname]=Mary"),
	            "{\"event\":{\"type\":\"sub_tag\",\"tag_id\":\"3\"},\"data\":{\"firstname\":"
	            "\"Mary\"}}");
	assert_json(decode_ok("a[x][y]=1"), "{\"a\":{\"x\":{\"y\":\"1\"}}}");
	/* keys that are numbers but not 0..n-1 stay an object */
	assert_json(decode_ok("m[1]=a&m[2]=b"), "{\"m\":{\"1\":\"a\",\"2\":\"b\"}}");
	/* the top level stays an object even with keys 0 and 1 */
	assert_json(decode_ok("0=a&1=b"), "{\"0\":\"a\",\"1\":\"b\"}");
	/* unclosed bracket: the name is kept as written */
	assert_json(decode_ok("a[b=1"), "{\"a[b\":\"1\"}");
}

static void limits_and_errors(void **state)
{
	json_t *out = (json_t *)1;
	char err[128];
	util_form_limits lim = {3, 2, 10};

	(void)state;
	assert_int_equal(util_form_decode(&out, "a=1&b=2&c=3&d=4", 15, &lim, err, sizeof err),
	                 UTIL_FORM_ELIMIT);
	assert_null(out);
	assert_non_null(strstr(err, "more than 3 fields"));
	assert_int_equal(util_form_decode(&out, "a[b][c][d]=1", 12, &lim, err, sizeof err),
	                 UTIL_FORM_ELIMIT);
	assert_non_null(strstr(err, "'a[b][c][d]' nested deeper than 3 levels"));
	assert_int_equal(util_form_decode(&out, "abcdefghijklmnop=1", 18, &lim, err, sizeof err),
	                 UTIL_FORM_ELIMIT);
	assert_non_null(strstr(err, "longer than 10 bytes"));
	assert_int_equal(util_form_decode(&out, "a=%ff%fe", 8, NULL, err, sizeof err),
	                 UTIL_FORM_EENCODING);
	assert_non_null(strstr(err, "invalid utf-8 in form field 'a'"));
	assert_int_equal(util_form_decode(&out, "a%00b=1", 7, NULL, err, sizeof err),
	                 UTIL_FORM_EENCODING);
	assert_non_null(strstr(err, "nul byte"));
	/* Control characters in a quoted key are shown as '?'. */
	assert_int_equal(util_form_decode(&out, "a%0A%ff=1", 9, NULL, err, sizeof err),
	                 UTIL_FORM_EENCODING);
	assert_null(strchr(err, '\n'));
}

/* The webhook receiver decodes bodies with this too (src/receiver/event.c): the PHP rules
 * Ontraport's form bodies follow. */
static void php_rules(void **state)
{
	(void)state;
	assert_json(decode_ok("a=%41%42&c"), "{\"a\":\"AB\",\"c\":\"\"}");
	assert_json(decode_ok("a=b=c"), "{\"a\":\"b=c\"}");
	assert_json(decode_ok("a=%E2%82%AC"), "{\"a\":\"\\u20ac\"}");
	assert_json(decode_ok("[x]=1"), "{\"[x]\":\"1\"}"); /* starts with '[': a plain name */
	assert_json(decode_ok("event%5Btype%5D=sub_tag"), "{\"event\":{\"type\":\"sub_tag\"}}");
	assert_json(decode_ok("a[b][c]=1&a[b][d]=2"), "{\"a\":{\"b\":{\"c\":\"1\",\"d\":\"2\"}}}");
	assert_json(decode_ok("a[b]x=1"),
	            "{\"a\":{\"b\":\"1\"}}"); /* text after the pair dropped */
	assert_json(decode_ok("a[b][c=1"), "{\"a\":{\"b\":\"1\"}}");
	assert_json(decode_ok("a=1&a[b]=2"), "{\"a\":{\"b\":\"2\"}}"); /* a name becomes a group */
	assert_json(decode_ok("ids[1]=b&ids[0]=a"), "{\"ids\":[\"a\",\"b\"]}");
	assert_json(decode_ok("ids[0]=a&ids[2]=c"), "{\"ids\":{\"0\":\"a\",\"2\":\"c\"}}");
	assert_json(decode_ok("a[0][x]=1&a[1][x]=2"), "{\"a\":[{\"x\":\"1\"},{\"x\":\"2\"}]}");
	assert_json(decode_ok("a[0][0]=1&a[0][1]=2&a[1][0]=3"), "{\"a\":[[\"1\",\"2\"],[\"3\"]]}");
	assert_json(decode_ok("data[0]=x&data[x][0]=y"), "{\"data\":{\"0\":\"x\",\"x\":[\"y\"]}}");
	/* a[0]=x once freed an object still referenced (found by valgrind): keep it covered. */
	assert_json(decode_ok("a[0]=x"), "{\"a\":[\"x\"]}");
}

static void php_limits(void **state)
{
	util_form_limits lim = {100, 7, 1024};
	util_buf b = UTIL_BUF_INIT;
	json_t *o = NULL;
	char err[128];
	int i;

	(void)state;
	/* A NUL in a value is refused, as JSON's \u0000 is: stored as a C string it was cut. */
	assert_int_equal(util_form_decode(&o, "a=x%00y", 7, NULL, err, sizeof err),
	                 UTIL_FORM_EENCODING);
	assert_string_equal(err, "form field 'a' holds a nul byte (%00): text only");
	assert_null(o);
	/* 64 levels is the ceiling whatever the caller asks. */
	util_buf_puts(&b, "a");
	for (i = 0; i < 70; i++)
		util_buf_puts(&b, "[x]");
	util_buf_puts(&b, "=1");
	lim.max_depth = 1000;
	assert_int_equal(util_form_decode(&o, b.data, b.len, &lim, err, sizeof err),
	                 UTIL_FORM_ELIMIT);
	assert_non_null(strstr(err, "nested deeper than 64 levels"));
	assert_null(o);
	util_buf_release(&b);
	/* The key shown in a message is cut at 40 bytes. */
	util_buf_puts(&b, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk=%ff");
	assert_int_equal(util_form_decode(&o, b.data, b.len, NULL, err, sizeof err),
	                 UTIL_FORM_EENCODING);
	assert_non_null(strstr(err, "'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk'"));
	util_buf_release(&b);
}

/* Encoding as PHP's urlencode writes a form, and back through the decoder. */
static void encode_pairs(void **state)
{
	util_buf b = UTIL_BUF_INIT;
	json_t *o = NULL;

	(void)state;
	util_form_pair(&b, NULL, "timestamp", "17", 2);
	util_form_pair(&b, "data", "first name", "Ann & Bo=1/\xc3\xa9", 13);
	assert_int_equal(util_buf_ensure(&b), 0);
	assert_string_equal(b.data, "timestamp=17&data%5Bfirst+name%5D=Ann+%26+Bo%3D1%2F%C3%A9");
	assert_int_equal(util_form_decode(&o, b.data, b.len, NULL, NULL, 0), 0);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(o, "data"), "first name")),
	    "Ann & Bo=1/\xc3\xa9");
	json_decref(o);
	util_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_pairs),       cmocka_unit_test(brackets),
	    cmocka_unit_test(limits_and_errors), cmocka_unit_test(php_rules),
	    cmocka_unit_test(php_limits),        cmocka_unit_test(encode_pairs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
