/* util/form.c: form and query decoding with PHP bracket expansion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "form.h"

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
	assert_json(decode_ok("a=1&b=x+y&c=%41%42&d="), "{\"a\":\"1\",\"b\":\"x y\",\"c\":\"AB\",\"d\":\"\"}");
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
	            "{\"event\":{\"type\":\"sub_tag\",\"tag_id\":\"3\"},\"data\":{\"firstname\":\"Mary\"}}");
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
	assert_int_equal(util_form_decode(&out, "a=1&b=2&c=3&d=4", 15, &lim, err, sizeof err), -1);
	assert_null(out);
	assert_non_null(strstr(err, "too many"));
	assert_int_equal(util_form_decode(&out, "a[b][c][d]=1", 12, &lim, err, sizeof err), -1);
	assert_non_null(strstr(err, "nested"));
	assert_int_equal(util_form_decode(&out, "abcdefghijklmnop=1", 18, &lim, err, sizeof err), -1);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(util_form_decode(&out, "a=%ff%fe", 8, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "UTF-8"));
	assert_int_equal(util_form_decode(&out, "a%00b=1", 7, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "NUL"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_pairs),
		cmocka_unit_test(brackets),
		cmocka_unit_test(limits_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
