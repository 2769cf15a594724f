#include "profile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_log.h"
#include "util.h"
#include "banned.h"

#define CONFIG_MAX (1024 * 1024)

int cli_profile_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0, i;

	if (n == 0 || n > CLI_PROFILE_NAME_MAX || name[0] == '-' || name[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return 0;
	return 1;
}

static void cli_profile_release(cli_profile *p)
{
	free(p->name);
	free(p->app_id);
	if (p->api_key)
		memset(p->api_key, 0, strlen(p->api_key));
	free(p->api_key);
	free(p->base_url);
}

void cli_profiles_release(cli_profiles *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		cli_profile_release(&p->items[i]);
	free(p->items);
	free(p->default_name);
	p->items = NULL;
	p->count = 0;
	p->default_name = NULL;
}

cli_profile *cli_profiles_find(const cli_profiles *p, const char *name)
{
	size_t i;

	for (i = 0; name && i < p->count; i++)
		if (strcmp(p->items[i].name, name) == 0)
			return &p->items[i];
	return NULL;
}

int cli_profiles_set(cli_profiles *p, const char *name, const char *app_id, const char *api_key,
                     const char *base_url)
{
	cli_profile np = {util_strdup(name), util_strdup(app_id), util_strdup(api_key),
	                  base_url ? util_strdup(base_url) : NULL};
	cli_profile *old;

	if (!np.name || !np.app_id || !np.api_key || (base_url && !np.base_url)) {
		cli_profile_release(&np);
		return -1;
	}
	old = cli_profiles_find(p, name);
	if (old) {
		cli_profile_release(old);
		*old = np;
		return 0;
	}
	cli_profile *items = realloc(p->items, (p->count + 1) * sizeof *items);
	if (!items) {
		cli_profile_release(&np);
		return -1;
	}
	p->items = items;
	p->items[p->count++] = np;
	return 0;
}

int cli_profiles_remove(cli_profiles *p, const char *name)
{
	cli_profile *pr = cli_profiles_find(p, name);
	size_t i;

	if (!pr)
		return -1;
	i = (size_t)(pr - p->items);
	cli_profile_release(pr);
	memmove(&p->items[i], &p->items[i + 1], (p->count - i - 1) * sizeof *p->items);
	p->count--;
	if (p->default_name && strcmp(p->default_name, name) == 0) {
		free(p->default_name);
		p->default_name = NULL;
	}
	return 0;
}

int cli_profiles_set_default(cli_profiles *p, const char *name)
{
	char *d = name ? util_strdup(name) : NULL;

	if (name && !d)
		return -1;
	free(p->default_name);
	p->default_name = d;
	return 0;
}

static const char *str_member(json_t *o, const char *key, int *bad)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strpbrk(json_string_value(v), "\r\n")) {
		*bad = 1;
		return NULL;
	}
	return json_string_value(v);
}

/* What is wrong at a JSON syntax error, in words that quote nothing of the file. */
static const char *json_fault(const json_error_t *e)
{
	switch (json_error_code(e)) {
	case json_error_premature_end_of_input:
		return "the text ends too early";
	case json_error_end_of_input_expected:
		return "text after the end of the object";
	case json_error_invalid_utf8:
		return "invalid UTF-8";
	case json_error_null_character:
	case json_error_null_byte_in_key:
		return "a NUL byte";
	case json_error_duplicate_key:
		return "a key given twice";
	case json_error_numeric_overflow:
		return "a number out of range";
	case json_error_stack_overflow:
		return "nested too deeply";
	case json_error_out_of_memory:
		return "out of memory";
	default:
		return "invalid syntax";
	}
}

int cli_profiles_parse(cli_profiles *out, const char *data, size_t len, char *err, size_t errsz)
{
	json_error_t jerr;
	json_t *root, *conns, *c, *def;
	const char *name;
	cli_profiles p = CLI_PROFILES_INIT;
	size_t index = 0;

	*out = p;
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		/* Not jansson's text: it quotes the file near the fault, and that may be the key.
		 */
		snprintf(err, errsz, "line %d, column %d: not valid JSON (%s)", jerr.line,
		         jerr.column, json_fault(&jerr));
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(err, errsz, "expected a JSON object at the top");
		goto fail;
	}
	conns = json_object_get(root, "connections");
	if (conns && !json_is_object(conns)) {
		snprintf(err, errsz, "'connections' must be an object of name -> connection");
		goto fail;
	}
	json_object_foreach(conns, name, c)
	{
		int bad = 0;
		const char *app, *key, *url;
		index++;
		if (!cli_profile_name_valid(
		        name)) { /* not quoted: it could be anything, even a key */
			snprintf(
			    err, errsz,
			    "connection #%zu has an invalid name: expected 1-64 letters, digits, "
			    "'_', '.' or '-'",
			    index);
			goto fail;
		}
		if (!json_is_object(c)) {
			snprintf(err, errsz, "connection '%s' must be an object", name);
			goto fail;
		}
		app = str_member(c, "app_id", &bad);
		key = str_member(c, "api_key", &bad);
		url = str_member(c, "base_url", &bad);
		if (bad || !app || !key) {
			snprintf(err, errsz,
			         "connection '%s' needs non-empty 'app_id' and 'api_key' strings",
			         name);
			goto fail;
		}
		if (cli_profiles_set(&p, name, app, key, url) < 0) {
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
	}
	def = json_object_get(root, "default");
	if (def && !json_is_null(def)) {
		if (!json_is_string(def) || !cli_profiles_find(&p, json_string_value(def))) {
			snprintf(err, errsz, "'default' names no saved connection");
			goto fail;
		}
		if (cli_profiles_set_default(&p, json_string_value(def)) < 0) {
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
	}
	json_decref(root);
	*out = p;
	return 0;
fail:
	json_decref(root);
	cli_profiles_release(&p);
	return -1;
}

char *cli_profiles_serialize(const cli_profiles *p)
{
	json_t *root = json_object(), *conns = json_object();
	char *s = NULL;
	size_t i;

	if (!root || !conns)
		goto out;
	for (i = 0; i < p->count; i++) {
		json_t *c = json_pack("{s:s, s:s}", "app_id", p->items[i].app_id, "api_key",
		                      p->items[i].api_key);
		if (!c)
			goto out;
		if (p->items[i].base_url)
			json_object_set_new(c, "base_url", json_string(p->items[i].base_url));
		json_object_set_new(conns, p->items[i].name, c);
	}
	json_object_set_new(root, "default",
	                    p->default_name ? json_string(p->default_name) : json_null());
	json_object_set(root, "connections", conns);
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
out:
	json_decref(conns);
	json_decref(root);
	return s;
}

int cli_profiles_path(char *buf, size_t n)
{
	const char *env = getenv("ONTRAPORT_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int w;

	if (env && *env)
		w = snprintf(buf, n, "%s", env);
	else if (xdg && *xdg && xdg[0] == '/')
		w = snprintf(buf, n, "%s/ontraport/config.json", xdg);
	else if (home && *home)
		w = snprintf(buf, n, "%s/.config/ontraport/config.json", home);
	else
		return -1;
	return w > 0 && (size_t)w < n ? 0 : -1;
}

/* "a FIFO", "a directory"...: what a path that should be a regular file is. */
static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISLNK(m))
		return "a symbolic link";
	return S_ISREG(m) ? "a regular file" : "not a regular file";
}

/*
 * Whoever can write the config's directory can replace the file: the
 * directory must belong to the user (or root) and be writable by no one
 * else. A directory that does not exist yet is fine.
 */
static int check_dir(const char *path, char *err, size_t errsz)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct stat st;
	unsigned me = (unsigned)geteuid();

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (stat(dir, &st) < 0)
		return errno == ENOENT
		           ? 0
		           : util_errf(err, errsz, -1, "cannot inspect the config directory %s: %s",
		                       dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return util_errf(err, errsz, -1,
		                 "refusing config directory %s: it is %s, expected a directory",
		                 dir, file_kind(st.st_mode));
	if (st.st_uid != me && st.st_uid != 0)
		return util_errf(err, errsz, -1,
		                 "refusing config directory %s: it belongs to uid %u, not to you "
		                 "(uid %u); run 'sudo chown %u %s'",
		                 dir, (unsigned)st.st_uid, me, me, dir);
	if (!(st.st_mode & 022))
		return 0;
	if ((st.st_mode & S_ISVTX) || st.st_uid != me) /* shared, like /tmp: not ours to chmod */
		return util_errf(err, errsz, -1,
		                 "refusing config directory %s: other users can write it "
		                 "(mode %04o); keep the config in a directory only you can write "
		                 "(set ONTRAPORT_CONFIG)",
		                 dir, (unsigned)(st.st_mode & 07777));
	return util_errf(err, errsz, -1,
	                 "refusing config directory %s: other users can write it (mode "
	                 "%04o); run 'chmod go-w %s'",
	                 dir, (unsigned)(st.st_mode & 07777), dir);
}

/* The open config file must be a regular file of the user's that no one else can write. */
static int check_file(int fd, const char *path, char *err, size_t errsz)
{
	struct stat st;
	unsigned me = (unsigned)geteuid();

	if (fstat(fd, &st) < 0)
		return util_errf(err, errsz, -1, "cannot inspect %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return util_errf(err, errsz, -1,
		                 "refusing config file %s: it is %s, expected a regular file", path,
		                 file_kind(st.st_mode));
	if (st.st_uid != me)
		return util_errf(err, errsz, -1,
		                 "refusing config file %s: it belongs to uid %u, not to you "
		                 "(uid %u); run 'sudo chown %u %s'",
		                 path, (unsigned)st.st_uid, me, me, path);
	if (st.st_mode & 022)
		return util_errf(err, errsz, -1,
		                 "refusing config file %s: other users can write it (mode "
		                 "%04o); run 'chmod 600 %s'",
		                 path, (unsigned)(st.st_mode & 07777), path);
	if (st.st_mode & 077) {
		char line[9000]; /* two paths */
		snprintf(line, sizeof line,
		         "ontraport: warning: %s is readable by other users; run 'chmod 600 %s'",
		         path, path);
		cli_log_line(CLI_LOG_WARN, line); /* a JSON line under watch or run's json log */
	}
	return 0;
}

/*
 * Open the config file for reading without following a link or blocking on
 * a FIFO, and check it. Returns 0 with *fd (-1 when there is no file), or -1
 * with err set.
 */
static int open_config(const char *path, int *fd, char *err, size_t errsz)
{
	struct stat st;

	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (*fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return util_errf(err, errsz, -1,
			                 "refusing config file %s: it is a symbolic link, "
			                 "expected a regular file (name the file itself)",
			                 path);
		return util_errf(err, errsz, -1, "cannot read %s: %s", path, strerror(errno));
	}
	if (check_file(*fd, path, err, errsz) < 0) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

/* Read the whole file (at most CONFIG_MAX bytes) into a new buffer; NULL with err set. */
static char *read_config(int fd, const char *path, size_t *len, char *err, size_t errsz)
{
	char *data = malloc(CONFIG_MAX + 1);
	size_t n = 0;
	ssize_t r = 1;

	if (!data) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	while (n <= CONFIG_MAX && r != 0) {
		r = read(fd, data + n, CONFIG_MAX + 1 - n);
		if (r < 0 && errno != EINTR) {
			snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
			break;
		}
		n += r > 0 ? (size_t)r : 0;
	}
	if (n > CONFIG_MAX)
		snprintf(err, errsz, "cannot read %s: larger than %d bytes", path, CONFIG_MAX);
	if (r < 0 || n > CONFIG_MAX) {
		memset(data, 0, n);
		free(data);
		return NULL;
	}
	*len = n;
	return data;
}

/* The config path; returns 0 or -1 with err set. */
static int locate(char *path, size_t n, char *err, size_t errsz)
{
	if (cli_profiles_path(path, n) < 0)
		return util_errf(err, errsz, -1,
		                 "cannot locate the config file: set HOME or XDG_CONFIG_HOME");
	return 0;
}

int cli_profiles_load(cli_profiles *out, char *err, size_t errsz)
{
	char path[4096], *data, perr[256];
	size_t n;
	int fd, rc;

	*out = (cli_profiles)CLI_PROFILES_INIT;
	if (locate(path, sizeof path, err, errsz) < 0 || check_dir(path, err, errsz) < 0 ||
	    open_config(path, &fd, err, errsz) < 0)
		return -1;
	if (fd < 0)
		return 0; /* no file: nothing saved yet */
	data = read_config(fd, path, &n, err, errsz);
	close(fd);
	if (!data)
		return -1;
	rc = cli_profiles_parse(out, data, n, perr, sizeof perr);
	if (rc < 0)
		snprintf(err, errsz, "invalid config file %s: %s", path, perr);
	memset(data, 0, n);
	free(data);
	return rc;
}

/* mkdir -p for the directories above `path`, mode 0700. */
static int make_dirs(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n == 0)
		return 0;
	if (n >= sizeof dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return util_mkdirs(dir);
}

/* The config path, its directory made (0700) and checked. Returns 0 or -1 with err set. */
static int ready_dir(char *path, size_t n, char *err, size_t errsz)
{
	if (locate(path, n, err, errsz) < 0)
		return -1;
	if (make_dirs(path) < 0)
		return util_errf(err, errsz, -1, "cannot create the directory of %s: %s", path,
		                 strerror(errno));
	return check_dir(path, err, errsz);
}

int cli_profiles_lock(int *fd_out, char *err, size_t errsz)
{
	char path[4096], lock[4200];
	struct stat st;
	int fd;

	*fd_out = -1;
	if (ready_dir(path, sizeof path, err, errsz) < 0)
		return -1;
	snprintf(lock, sizeof lock, "%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
	if (fd < 0)
		return util_errf(err, errsz, -1, "cannot open the lock %s: %s", lock,
		                 strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return util_errf(err, errsz, -1, "refusing lock file %s: expected a regular file",
		                 lock);
	}
	/* Waits while another ontraport changes the config (one load and save at most). */
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			util_errf(err, errsz, -1, "cannot lock %s: %s", lock, strerror(errno));
			close(fd);
			return -1;
		}
	}
	*fd_out = fd;
	return 0;
}

void cli_profiles_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

int cli_profiles_save(const cli_profiles *p, char *err, size_t errsz)
{
	char path[4096], tmp[4200];
	char *data;
	size_t len;
	int fd;
	ssize_t w;

	if (ready_dir(path, sizeof path, err, errsz) < 0)
		return -1;
	data = cli_profiles_serialize(p);
	if (!data) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	len = strlen(data);
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	/* Created 0600 from the start: the key is never readable by others, not even briefly. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errsz, "cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	w = write(fd, data, len);
	if (w < 0 || (size_t)w != len || write(fd, "\n", 1) != 1 || fchmod(fd, 0600) < 0 ||
	    fsync(fd) < 0) {
		snprintf(err, errsz, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto fail;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		snprintf(err, errsz, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		goto fail;
	}
	memset(data, 0, len);
	free(data);
	return 0;
fail:
	memset(data, 0, len);
	free(data);
	return -1;
}
