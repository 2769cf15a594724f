/*
 * Saved connections ("profiles"): name -> app id, api key, base url, plus
 * the default name. Stored as JSON in $ONTRAPORT_CONFIG, or
 * $XDG_CONFIG_HOME/ontraport/config.json (~/.config/... by default), mode
 * 0600 in a 0700 directory, replaced atomically on every save.
 *
 * profiles_parse/profiles_serialize do no I/O (fuzzable); load/save do.
 */
#ifndef CLI_PROFILE_H
#define CLI_PROFILE_H

#include <stddef.h>

typedef struct cli_profile {
	char *name;
	char *app_id;
	char *api_key;
	char *base_url; /* NULL = the default Ontraport URL */
} cli_profile;

typedef struct cli_profiles {
	cli_profile *items;
	size_t count;
	char *default_name; /* NULL when none */
} cli_profiles;

#define CLI_PROFILES_INIT                                                                          \
	{                                                                                          \
		NULL, 0, NULL                                                                      \
	}
#define CLI_PROFILE_NAME_MAX 64

/* Names: 1-64 of [A-Za-z0-9_.-], not starting with '-' or '.'. */
int cli_profile_name_valid(const char *name);

int cli_profiles_parse(cli_profiles *out, const char *data, size_t len, char *err, size_t errsz);
/* A new string of pretty JSON, or NULL when out of memory. */
char *cli_profiles_serialize(const cli_profiles *p);
void cli_profiles_release(cli_profiles *p);

cli_profile *cli_profiles_find(const cli_profiles *p, const char *name);
/* Add or replace; copies the strings. Returns 0 or -1 (out of memory). */
int cli_profiles_set(cli_profiles *p, const char *name, const char *app_id, const char *api_key,
                     const char *base_url);
/* Returns 0, or -1 when there is no such name. */
int cli_profiles_remove(cli_profiles *p, const char *name);
int cli_profiles_set_default(cli_profiles *p, const char *name);

/* The config file path; returns 0 or -1 (no HOME and no XDG_CONFIG_HOME). */
int cli_profiles_path(char *buf, size_t n);
/*
 * Load (a missing file is an empty set). Returns 0 or -1 with err set. The
 * file must be a regular file (not a link, FIFO or directory: refused at
 * once, never blocking), owned by the user and writable by no one else, in a
 * directory of the user's (or root's) that no one else can write; one that
 * others can read is used with a warning on stderr. Errors name the file,
 * and a syntax error the line and column, never quoting its content.
 */
int cli_profiles_load(cli_profiles *out, char *err, size_t errsz);
/* Save atomically with mode 0600. Returns 0 or -1 with err set. */
int cli_profiles_save(const cli_profiles *p, char *err, size_t errsz);
/*
 * Serialise read-modify-write: take an exclusive lock (flock on the config
 * path + ".lock", made 0600 in the checked config directory) before
 * profiles_load and release it after profiles_save. Blocks while another
 * process holds it. Returns 0 and *fd, or -1 with err set.
 */
int cli_profiles_lock(int *fd, char *err, size_t errsz);
/* Release the lock (fd from profiles_lock; -1 is ignored). */
void cli_profiles_unlock(int fd);

#endif
