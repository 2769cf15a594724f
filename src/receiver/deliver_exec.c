/*
 * deliver_exec: run the user's command for one event.
 *
 * The command is the user's own (from their command line) and is run by
 * /bin/sh -c; the event, which comes from outside, goes on stdin only, so no
 * byte of it can reach a shell parser. The child gets a new process group
 * (a timeout kills everything the command started, and a Ctrl-C aimed at the
 * receiver does not cut a delivery short: shutdown lets it finish), default
 * signal dispositions and an empty signal mask.
 */
#include "deliver_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "util.h"

#include "banned.h"

extern char **environ;

/* environ plus our two variables (pointers only; the strings stay where they are). */
static char **child_env(char *id_var, char *attempt_var)
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 3, sizeof *env);
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "ONTRAPORT_EVENT_ID=", 19) != 0 &&
		    strncmp(environ[i], "ONTRAPORT_EVENT_ATTEMPT=", 24) != 0)
			env[k++] = environ[i];
	env[k++] = id_var;
	env[k++] = attempt_var;
	env[k] = NULL;
	return env;
}

int rcv_deliver__exec(const char *command, const char *doc, size_t len, long timeout_ms, int64_t id,
                      int attempt, char *err, size_t errsz)
{
	char id_var[48], attempt_var[48], how[64];
	char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
	char **env;
	int status = 0, rc;

	snprintf(id_var, sizeof id_var, "ONTRAPORT_EVENT_ID=%lld", (long long)id);
	snprintf(attempt_var, sizeof attempt_var, "ONTRAPORT_EVENT_ATTEMPT=%d", attempt);
	env = child_env(id_var, attempt_var);
	if (!env) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	rc = util_spawn(argv, env, doc, len, timeout_ms, NULL, &status, err, errsz);
	free(env);
	if (rc != 0)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	util_spawn_describe(status, how, sizeof how);
	snprintf(err, errsz, "command %s", how);
	return -1;
}
