/*
 * The account's metadata kept on disk between runs (client options version
 * 5, cache_dir): one file per connection, <dir>/meta-<16 hex digits>.json,
 * named by a hash of the base URL and app id (never the key). It is written
 * 0600 through a temporary file and a rename, so a reader sees a whole file
 * or none; the directory is created 0700.
 *
 * A file is trusted no more than a server's answer: it is used only when it
 * is a regular file of this user, writable by no one else, within the
 * response cap, and parses as what store() writes: this format, this
 * connection, a fetch time within the TTL, and an object of types, each an
 * object. Anything else is ignored (the -v log says why) and rewritten by
 * the fetch that follows. Nothing here fails a call.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "internal.h"
#include "banned.h"

#define CACHE_FORMAT "ontraport-meta/1"
#define DEFAULT_TTL_S 3600L
#define CLOCK_SKEW_S 300 /* a fetch time this far ahead of the clock is not believed */

/* Both strings there and equal. */
static int same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* FNV-1a, 64 bits: a file name, not a secret (the file names its connection inside). */
static uint64_t fnv1a64(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* <dir>/meta-<hash>.json into buf; -1 when there is no cache or the path is too long. */
static int cache_path(const ontra_client *c, char *buf, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	if (!c->cache_dir)
		return -1;
	h = fnv1a64(fnv1a64(fnv1a64(h, c->base_url), "\n"), c->app_id);
	return snprintf(buf, n, "%s/meta-%016" PRIx64 ".json", c->cache_dir, h) < (int)n ? 0 : -1;
}

long ontra__meta_cache_ttl(const ontra_client *c)
{
	return c->cache_ttl_s > 0 ? c->cache_ttl_s : DEFAULT_TTL_S;
}

/* The whole file at path, if it is ours and at most cap bytes; NULL and *why when not. */
static char *read_ours(const char *path, size_t cap, size_t *len, const char **why)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	*why = NULL;
	if (fd < 0) {
		*why = errno == ENOENT ? NULL : strerror(errno);
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		*why = "not a regular file";
	else if (st.st_uid != geteuid() || (st.st_mode & 022))
		*why = "not a private file of this user";
	else if ((size_t)st.st_size > cap)
		*why = "larger than the response cap";
	else if (!(buf = malloc((size_t)st.st_size + 1)))
		*why = "out of memory";
	while (buf && n < (size_t)st.st_size) {
		r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			*why = r < 0 ? strerror(errno) : "shorter than its size";
			free(buf);
			buf = NULL;
		} else {
			n += (size_t)r;
		}
	}
	close(fd);
	*len = n;
	return buf;
}

/* Whether doc is a cache file for this connection, fresh; *why says why not. */
static const json_t *check_doc(const ontra_client *c, const json_t *doc, const char **why)
{
	const json_t *meta = json_object_get(doc, "meta"), *t;
	json_t *fetched = json_object_get(doc, "fetched");
	const char *key;
	long long age;

	*why = NULL;
	if (!json_is_object(doc) ||
	    !same(json_string_value(json_object_get(doc, "format")), CACHE_FORMAT))
		*why = "not a metadata cache file of this format";
	else if (!same(json_string_value(json_object_get(doc, "base_url")), c->base_shown) ||
	         !same(json_string_value(json_object_get(doc, "app_id")), c->app_id))
		*why = "made for another connection";
	else if (!json_is_integer(fetched))
		*why = "no fetch time";
	else if ((age = (long long)time(NULL) - json_integer_value(fetched)) < -CLOCK_SKEW_S)
		*why = "fetched in the future";
	else if (age >= ontra__meta_cache_ttl(c))
		*why = "older than its time to live";
	else if (!json_is_object(meta) || json_object_size(meta) == 0)
		*why = "no object of types";
	if (*why)
		return NULL;
	json_object_foreach((json_t *)meta, key, t)
	{
		long long v;
		if (util_parse_ll(key, 0, INT32_MAX, &v) < 0 || !json_is_object(t) ||
		    (json_object_get(t, "fields") &&
		     !json_is_object(json_object_get(t, "fields")))) {
			*why = "a type that is not an object of fields";
			return NULL;
		}
	}
	return meta;
}

int ontra__meta_cache_load(json_t **out, ontra_client *c)
{
	char path[4096];
	const char *why = NULL;
	const json_t *meta;
	json_t *doc = NULL;
	json_error_t err;
	size_t len = 0;
	char *text;

	*out = NULL;
	if (cache_path(c, path, sizeof path) < 0)
		return 0;
	text = read_ours(path, c->max_response_size, &len, &why);
	if (text) {
		doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
		free(text);
		if (!doc)
			why = "not JSON";
		else if ((meta = check_doc(c, doc, &why)) != NULL)
			*out = json_incref((json_t *)meta);
		json_decref(doc);
	}
	if (why)
		ontra__log(c, ONTRA_LOG_INFO, "* metadata cache %s ignored: %s", path, why);
	else if (*out)
		ontra__log(c, ONTRA_LOG_INFO, "* metadata from the cache %s", path);
	return *out ? 1 : 0;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

void ontra__meta_cache_store(ontra_client *c, json_t *meta)
{
	char path[4096], tmp[4200];
	json_t *doc;
	char *text = NULL;
	int fd = -1, ok = 0, err = ENOMEM;

	if (cache_path(c, path, sizeof path) < 0)
		return;
	doc = json_pack("{s:s, s:s, s:s, s:I, s:O}", "format", CACHE_FORMAT, "base_url",
	                c->base_shown, "app_id", c->app_id, "fetched", (json_int_t)time(NULL),
	                "meta", meta);
	if (doc)
		text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
	if (text && util_mkdirs(c->cache_dir) == 0 && (fd = mkstemp(tmp)) >= 0) {
		ok = fchmod(fd, 0600) == 0 && write_all(fd, text, strlen(text)) == 0;
		ok = close(fd) == 0 && ok;
		ok = ok && rename(tmp, path) == 0;
		if (!ok) {
			err = errno;
			unlink(tmp);
		}
	} else if (text) {
		err = errno;
	}
	free(text);
	if (!ok)
		ontra__log(c, ONTRA_LOG_INFO, "* metadata cache %s not written: %s", path,
		           strerror(err));
}

void ontra__meta_cache_drop(ontra_client *c)
{
	char path[4096];

	if (cache_path(c, path, sizeof path) == 0 && unlink(path) < 0 && errno != ENOENT)
		ontra__log(c, ONTRA_LOG_INFO, "* metadata cache %s not removed: %s", path,
		           strerror(errno));
}

void ontra__meta_stale(ontra_client *c)
{
	c->meta_stale = 1;
	ontra__meta_cache_drop(c);
}
