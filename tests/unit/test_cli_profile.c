/* cli/profile.c: the connections file, parsed and written without surprises. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"

static void parse_good(void **state)
{
	const char *s = "{\"default\":\"prod\",\"connections\":{\"prod\":{\"app_id\":\"2_A\","
	                "\"api_key\":\"K\"},\"local\":{\"app_id\":\"x\",\"api_key\":\"y\","
	                "\"base_url\":\"http://127.0.0.1:8517/1\"}}}";
	cli_profiles p;
	char err[256];
	(void)state;
	assert_int_equal(cli_profiles_parse(&p, s, strlen(s), err, sizeof err), 0);
	assert_int_equal(p.count, 2);
	assert_string_equal(p.default_name, "prod");
	assert_string_equal(cli_profiles_find(&p, "local")->base_url, "http://127.0.0.1:8517/1");
	assert_null(cli_profiles_find(&p, "prod")->base_url);
	char *out = cli_profiles_serialize(&p);
	cli_profiles q;
	assert_int_equal(cli_profiles_parse(&q, out, strlen(out), err, sizeof err), 0);
	assert_int_equal(q.count, 2);
	free(out);
	cli_profiles_release(&q);
	cli_profiles_release(&p);
}

static void parse_bad(void **state)
{
	const char *bad[] = {
	    "",
	    "[",
	    "[]",
	    "{\"connections\":[]}",
	    "{\"connections\":{\"a b\":{\"app_id\":\"x\",\"api_key\":\"y\"}}}",
	    "{\"connections\":{\"a\":{\"app_id\":\"x\"}}}",
	    "{\"connections\":{\"a\":{\"app_id\":\"x\",\"api_key\":\"\"}}}",
	    "{\"connections\":{\"a\":{\"app_id\":\"x\",\"api_key\":\"y\\nz\"}}}",
	    "{\"connections\":{\"a\":{\"app_id\":1,\"api_key\":\"y\"}}}",
	    "{\"default\":\"nope\",\"connections\":{}}",
	    "{\"connections\":{\"a\":{\"app_id\":\"x\",\"api_key\":\"y\"},\"a\":{}}}",
	    /* Errors name the line and column, never the text there: it may be the key. */
	    "{\"connections\":{\"a\":{\"app_id\":\"x\",\"api_key\":SECRETKEY}}}",
	    "{\"connections\":{\"a\":{\"app_id\":\"x\",\"api_key\":\"SECRETKEY\t\"}}}",
	    "{\"connections\":{\"SECRETKEY!\":{\"app_id\":\"x\",\"api_key\":\"k\"}}}",
	    "{}\nSECRETKEY",
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		cli_profiles p;
		char err[256] = "";
		if (cli_profiles_parse(&p, bad[i], strlen(bad[i]), err, sizeof err) == 0)
			fail_msg("accepted bad config #%zu: %s", i, bad[i]);
		assert_true(strlen(err) > 0);
		assert_null(strchr(err, '\n'));
		if (strstr(err, "SECRET"))
			fail_msg("error #%zu quotes the file: %s", i, err);
		assert_int_equal(p.count, 0);
	}
}

static void names(void **state)
{
	(void)state;
	assert_true(cli_profile_name_valid("prod"));
	assert_true(cli_profile_name_valid("my-acct_2.x"));
	assert_false(cli_profile_name_valid(""));
	assert_false(cli_profile_name_valid("-x"));
	assert_false(cli_profile_name_valid(".hidden"));
	assert_false(cli_profile_name_valid("a/b"));
	assert_false(cli_profile_name_valid("a b"));
}

static void save_load_mode(void **state)
{
	char dir[] = "/tmp/ontra-prof-XXXXXX", path[512], err[256];
	cli_profiles p = CLI_PROFILES_INIT, q;
	struct stat st;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sub/config.json", dir);
	setenv("ONTRAPORT_CONFIG", path, 1);
	assert_int_equal(cli_profiles_load(&q, err, sizeof err), 0); /* missing file: empty */
	assert_int_equal(q.count, 0);
	assert_int_equal(cli_profiles_set(&p, "a", "app", "secret", NULL), 0);
	assert_int_equal(cli_profiles_set_default(&p, "a"), 0);
	assert_int_equal(cli_profiles_save(&p, err, sizeof err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(cli_profiles_load(&q, err, sizeof err), 0);
	assert_int_equal(q.count, 1);
	assert_string_equal(cli_profiles_find(&q, "a")->api_key, "secret");
	assert_int_equal(cli_profiles_remove(&q, "a"), 0);
	assert_null(q.default_name);
	assert_int_equal(cli_profiles_remove(&q, "a"), -1);
	cli_profiles_release(&q);
	cli_profiles_release(&p);
	unlink(path);
	snprintf(path, sizeof path, "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
	unsetenv("ONTRAPORT_CONFIG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_good),
	    cmocka_unit_test(parse_bad),
	    cmocka_unit_test(names),
	    cmocka_unit_test(save_load_mode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
