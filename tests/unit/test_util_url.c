/* util/url.c: URLs are shown without their credentials. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util.h"

static const char *shown(const char *url)
{
	static char out[512];
	return util_url_shown(url, out, sizeof out);
}

static void unchanged_without_userinfo(void **state)
{
	(void)state;
	assert_string_equal(shown("http://127.0.0.1:8517/1"), "http://127.0.0.1:8517/1");
	assert_string_equal(shown("https://api.ontraport.com/1/Contacts?range=50"),
	                    "https://api.ontraport.com/1/Contacts?range=50");
	/* An '@' in the path, query or fragment is no userinfo. */
	assert_string_equal(shown("http://h/1/Contacts?email=a@b.c"),
	                    "http://h/1/Contacts?email=a@b.c");
	assert_string_equal(shown("http://h/a@b#c@d"), "http://h/a@b#c@d");
	assert_string_equal(shown(""), "");
	assert_string_equal(shown(NULL), "");
}

static void userinfo_masked(void **state)
{
	(void)state;
	assert_string_equal(shown("http://user:secret@host/in"), "http://***@host/in");
	assert_string_equal(shown("https://tok3n@host:8443/p?q=1#f"),
	                    "https://***@host:8443/p?q=1#f");
	assert_string_equal(shown("http://:pw@127.0.0.1:9/1"), "http://***@127.0.0.1:9/1");
	assert_string_equal(shown("http://u:p%40ss@h/x"), "http://***@h/x");
	/* Not parseable by libcurl: masked up to the authority's last '@'. */
	assert_string_equal(shown("user:pw@host/1"), "***@host/1");
	assert_string_equal(shown("http://u:pw@"), "http://***@");
	assert_string_equal(shown("http://a@b:pw@host/x"), "http://***@host/x");
	assert_null(strstr(shown("ftp://bob:hunter2@files.example/x"), "hunter2"));
	assert_null(strstr(shown("http://bob:hunter2@[::1]:80/x"), "hunter2"));
	/* libpq's multi-host URLs (HOST:PORT,HOST:PORT): every host shown, the userinfo masked. */
	assert_string_equal(shown("postgresql://u:pw@127.0.0.1:5432,127.0.0.1:5433/db"
	                          "?target_session_attrs=read-write"),
	                    "postgresql://***@127.0.0.1:5432,127.0.0.1:5433/db"
	                    "?target_session_attrs=read-write");
	assert_string_equal(shown("postgresql://u:pw@db1.example,db2.example/q"),
	                    "postgresql://***@db1.example,db2.example/q");
	assert_string_equal(shown("postgresql://u:pw@[::1]:5432,[::1]:5433/q"),
	                    "postgresql://***@[::1]:5432,[::1]:5433/q");
}

static void bounded(void **state)
{
	char small[12];
	(void)state;
	assert_string_equal(util_url_shown("http://user:secret@host/in", small, sizeof small),
	                    "http://***@");
	assert_string_equal(util_url_shown("http://host.example/in", small, sizeof small),
	                    "http://host");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unchanged_without_userinfo),
	    cmocka_unit_test(userinfo_masked),
	    cmocka_unit_test(bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
