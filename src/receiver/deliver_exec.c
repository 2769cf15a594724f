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
#define _GNU_SOURCE /* pipe2: the pipe is close-on-exec from birth, even with other threads        \
                       spawning */
#include "deliver_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

extern char **environ;

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)((now.tv_sec - start->tv_sec) * 1000 +
	              (now.tv_nsec - start->tv_nsec) / 1000000);
}

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

/*
 * Write all of doc + "\n" to fd (non-blocking) before the deadline. A reader
 * that exits without reading everything is not an error here: the command
 * may not need stdin, and its exit status decides. Returns 0, or -1 on timeout.
 */
static int feed(int fd, const char *doc, size_t len, const struct timespec *start, long timeout_ms)
{
	size_t off = 0, total = len + 1;

	while (off < total) {
		const char *p = off < len ? doc + off : "\n";
		size_t n = off < len ? len - off : 1;
		struct pollfd pfd = {fd, POLLOUT, 0};
		long left = timeout_ms - elapsed_ms(start);
		ssize_t w;

		if (left <= 0)
			return -1;
		w = write(fd, p, n);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EPIPE)
			return 0;
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return 0; /* nothing more can be written; let the exit status speak */
		if (poll(&pfd, 1, (int)(left < 100 ? left : 100)) < 0 && errno != EINTR)
			return 0;
	}
	return 0;
}

/* Wait for pid until the deadline; returns 0 with *status, or -1 on timeout. */
static int reap(pid_t pid, int *status, const struct timespec *start, long timeout_ms)
{
	long nap_us = 200;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		struct timespec ts;

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR) {
			*status = 0x7f00; /* "exited 127": the status is lost */
			return 0;
		}
		if (elapsed_ms(start) >= timeout_ms)
			return -1;
		/* Short naps first: most handlers finish in milliseconds. */
		ts.tv_sec = 0;
		ts.tv_nsec = nap_us * 1000;
		nanosleep(&ts, NULL);
		if (nap_us < 20000)
			nap_us *= 2;
	}
}

int rcv_deliver__exec(const char *command, const char *doc, size_t len, long timeout_ms, int64_t id,
                      int attempt, char *err, size_t errsz)
{
	char id_var[48], attempt_var[48];
	char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct timespec start;
	sigset_t none, defaults;
	char **env;
	pid_t pid;
	int p[2], status = 0, rc;

	snprintf(id_var, sizeof id_var, "ONTRAPORT_EVENT_ID=%lld", (long long)id);
	snprintf(attempt_var, sizeof attempt_var, "ONTRAPORT_EVENT_ATTEMPT=%d", attempt);
	env = child_env(id_var, attempt_var);
	if (!env) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		snprintf(err, errsz, "cannot create a pipe: %s", strerror(errno));
		free(env);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGHUP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
	                                    POSIX_SPAWN_SETPGROUP);
	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(env);
	close(p[0]);
	if (rc != 0) {
		close(p[1]);
		snprintf(err, errsz, "cannot run /bin/sh: %s", strerror(rc));
		return -1;
	}
	fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
	rc = feed(p[1], doc, len, &start, timeout_ms);
	close(p[1]);
	if (rc == 0)
		rc = reap(pid, &status, &start, timeout_ms);
	if (rc != 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		snprintf(err, errsz, "command timed out after %ld ms", timeout_ms);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, errsz, "command exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(err, errsz, "command killed by signal %d", WTERMSIG(status));
	else
		snprintf(err, errsz, "command failed");
	return -1;
}
