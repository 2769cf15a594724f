/*
 * lib/meta_cache.c: the account's metadata on disk (client options version 5,
 * cache_dir). A second client of the same connection reads it without a
 * request; the file is private (0600 in a 0700 folder) and named without the
 * key; a corrupt, foreign, expired, misshapen, shared or symlinked file is
 * ignored and rewritten; cache_refresh fetches afresh; a type or field
 * missing from a disk copy is fetched again once; a write to the field
 * editor and ontra_meta_invalidate remove the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "ontraport.h"
#include "mock_http.h"

#define META                                                                                       \
	"{\"code\":0,\"data\":{\"0\":{\"name\":\"Contact\",\"fields\":{"                           \
	"\"firstname\":{\"alias\":\"First Name\",\"type\":\"text\"}}},"                            \
	"\"10003\":{\"name\":\"Property\",\"fields\":{\"a\":{}}}}}"

#define META2                                                                                      \
	"{\"code\":0,\"data\":{\"0\":{\"name\":\"Contact\",\"fields\":{"                           \
	"\"firstname\":{\"alias\":\"First Name\",\"type\":\"text\"},"                              \
	"\"f1500\":{\"alias\":\"Shoe size\",\"type\":\"numeric\"}}},"                              \
	"\"10003\":{\"name\":\"Property\",\"fields\":{\"a\":{}}},"                                 \
	"\"10009\":{\"name\":\"Vehicle\",\"fields\":{}}}}"

#define OK "{\"code\":0,\"data\":{},\"account_id\":1}"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s/ontra-meta-cache.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	/* A folder of its own below: the library creates it. */
	strncat(dir, "/cache/ontraport", sizeof dir - strlen(dir) - 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	*strstr(dir, "/cache/ontraport") = '\0';
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static ontra_client *cache_client(const char *base_url, int refresh)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;

	o.cache_dir = dir;
	o.cache_refresh = refresh;
	o.no_pacing = 1;
	return mock_client_with(base_url, o);
}

/* The one cache file's path, or "" when there is none. */
static const char *cache_file(void)
{
	static char path[600];
	DIR *d = opendir(dir);
	struct dirent *e;

	path[0] = '\0';
	while (d && (e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "meta-", 5) == 0)
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
	if (d)
		closedir(d);
	return path;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[65536];
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Resolve "property" with a new client of the running mock; returns the requests it sent. */
static size_t requests_for_property(mock_http *m, int refresh)
{
	size_t before = m->nreqs;
	ontra_client *c = cache_client(m->base_url, refresh);
	int type = -1;

	assert_int_equal(ontra_object_type(&type, c, "property"), 0);
	assert_int_equal(type, 10003);
	ontra_client_free(c);
	return m->nreqs - before;
}

static void stop(mock_http *m)
{
	mock_stop(m);
	mock_free(m);
}

static void test_second_client_reads_the_file(void **state)
{
	static const char *const replies[] = {META, META, NULL};
	struct stat st;
	mock_http m;
	const char *path;

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	assert_int_equal(requests_for_property(&m, 0), 1);
	path = cache_file();
	assert_true(*path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Named by a hash: neither the key, nor the app id, nor the address. */
	assert_null(strstr(path + strlen(dir), "Key5678"));
	assert_null(strstr(path + strlen(dir), "AppID"));
	assert_null(strstr(path + strlen(dir), "127.0.0.1"));
	assert_null(strstr(read_text(path), "Key5678"));
	/* A second client (a second run) sends nothing... */
	assert_int_equal(requests_for_property(&m, 0), 0);
	/* ...unless told to refresh, which fetches and rewrites it. */
	assert_int_equal(requests_for_property(&m, 1), 1);
	assert_int_equal(requests_for_property(&m, 0), 0);
	stop(&m);
}

/* Each bad file is ignored (one request) and rewritten (the next client sends none). */
static void ignored_then_rewritten(mock_http *m, const char *text, mode_t mode, const char *what)
{
	char path[600];

	snprintf(path, sizeof path, "%s", cache_file());
	assert_true(*path);
	if (text)
		write_file(path, text, mode);
	if (requests_for_property(m, 0) != 1)
		fail_msg("%s: the file was used", what);
	if (requests_for_property(m, 0) != 0)
		fail_msg("%s: the file was not rewritten", what);
}

/* The good file, with `key` set to `v` (stolen) in the document or (meta) in its metadata. */
static char *altered(const char *text, int meta, const char *key, json_t *v)
{
	json_t *doc = json_loads(text, 0, NULL);
	char *s;

	assert_non_null(doc);
	json_object_set_new(meta ? json_object_get(doc, "meta") : doc, key, v);
	s = json_dumps(doc, 0);
	json_decref(doc);
	return s;
}

static void test_bad_files_ignored(void **state)
{
	static const char *const replies[] = {META, META, META, META, META, META, META, META,
	                                      META, META, META, META, META, META, NULL};
	char path[600], text[70000], other[600];
	mock_http m;
	char *s;
	size_t i;
	struct {
		int meta;
		const char *key;
		json_t *v;
		const char *what;
	} bad[] = {
	    {0, "base_url", json_string("https://api.ontraport.com/1"), "another address"},
	    {0, "app_id", json_string("2_Other"), "another app id"},
	    {0, "format", json_string("ontraport-meta/0"), "another format"},
	    {0, "fetched", json_integer(0), "an expired file"},
	    {0, "fetched", json_string("now"), "a fetch time that is not a number"},
	    {0, "meta", json_object(), "no types"},
	    {1, "0", json_integer(5), "a type that is not an object"},
	};

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	assert_int_equal(requests_for_property(&m, 0), 1);
	snprintf(path, sizeof path, "%s", cache_file());
	snprintf(text, sizeof text, "%s", read_text(path));

	ignored_then_rewritten(&m, "{\"format\":", 0600, "truncated JSON");
	ignored_then_rewritten(&m, "", 0600, "an empty file");
	ignored_then_rewritten(&m, "[1,2]", 0600, "an array");
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		s = altered(text, bad[i].meta, bad[i].key, bad[i].v);
		ignored_then_rewritten(&m, s, 0600, bad[i].what);
		free(s);
	}
	/* The same good text, but writable by others: not trusted. */
	ignored_then_rewritten(&m, text, 0666, "a file others may write");
	/* A symbolic link to a good copy elsewhere is not followed. */
	snprintf(other, sizeof other, "%s/elsewhere.json", dir);
	write_file(other, text, 0600);
	unlink(path);
	assert_int_equal(symlink(other, path), 0);
	ignored_then_rewritten(&m, NULL, 0, "a symbolic link");
	unlink(other);
	/* And the good text itself is used (each case above can fail). */
	write_file(path, text, 0600);
	assert_int_equal(requests_for_property(&m, 0), 0);
	assert_int_equal(m.nreqs, 13);
	stop(&m);
}

/* A disk copy that lacks a type or a field asked for is fetched again, once. */
static void test_miss_refetches(void **state)
{
	static const char *const replies[] = {META, META2, META, META2, NULL};
	mock_http m;
	ontra_client *c;
	json_t *values;
	int type = -1;

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	assert_int_equal(requests_for_property(&m, 0), 1);
	/* Vehicle was added since: found after one fetch. */
	c = cache_client(m.base_url, 0);
	assert_int_equal(ontra_object_type(&type, c, "vehicles"), 0);
	assert_int_equal(type, 10009);
	assert_int_equal(m.nreqs, 2);
	/* Fetched by this client now: a name it lacks is not fetched again. */
	assert_int_equal(ontra_object_type(&type, c, "boats"), ONTRA_ENOTFOUND);
	assert_int_equal(m.nreqs, 2);
	ontra_client_free(c);

	/* A field added since, by alias, after a copy without it went to disk. */
	assert_int_equal(requests_for_property(&m, 1), 1);
	c = cache_client(m.base_url, 0);
	values = json_pack("{s:s}", "Shoe size", "44");
	assert_int_equal(ontra_fields_check(c, 0, values), 0);
	assert_string_equal(json_string_value(json_object_get(values, "f1500")), "44");
	json_decref(values);
	assert_int_equal(m.nreqs, 4);
	ontra_client_free(c);
	stop(&m);
}

/* A write to the field editor, and ontra_meta_invalidate, remove the file. */
static void test_field_editor_invalidates(void **state)
{
	static const char *const replies[] = {META, OK, OK, META2, OK, META2, NULL};
	ontra_request req = ONTRA_REQUEST_INIT;
	mock_http m;
	ontra_client *c;
	json_t *out;
	int type = -1;

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	c = cache_client(m.base_url, 0);
	assert_int_equal(ontra_object_type(&type, c, "property"), 0);
	assert_true(*cache_file());
	/* A read of the field editor changes nothing. */
	req.path = "/objects/fieldeditor?objectID=0";
	assert_int_equal(ontra_call(&out, c, &req), 0);
	json_decref(out);
	assert_true(*cache_file());
	req.method = "POST";
	req.path = "/objects/fieldeditor";
	assert_int_equal(ontra_call(&out, c, &req), 0);
	json_decref(out);
	assert_string_equal(cache_file(), "");
	/* The next lookup fetches the new fields (and writes them back). */
	assert_int_equal(ontra_object_type(&type, c, "vehicle"), 0);
	assert_true(*cache_file());
	/* A named type's field editor path (the SDK's /Contacts/fieldeditor) too. */
	req.method = "PUT";
	req.path = "/Contacts/fieldeditor/?x=1";
	assert_int_equal(ontra_call(&out, c, &req), 0);
	json_decref(out);
	assert_string_equal(cache_file(), "");
	assert_int_equal(ontra_object_type(&type, c, "vehicle"), 0);
	assert_true(*cache_file());
	ontra_meta_invalidate(c);
	assert_string_equal(cache_file(), "");
	mock_stop(&m);
	assert_int_equal(m.nreqs, 6);
	ontra_client_free(c);
	mock_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_second_client_reads_the_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_files_ignored, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_miss_refetches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_field_editor_invalidates, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
