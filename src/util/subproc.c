/*
 * subproc: a command run with a document on stdin within a deadline (see
 * subproc.h). One poll loop feeds stdin and drains stdout together, so a
 * command that writes a lot before reading cannot deadlock us.
 */
#define _GNU_SOURCE /* pipe2: pipes close-on-exec from birth, even with other threads spawning */
#include "subproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)((now.tv_sec - start->tv_sec) * 1000 +
	              (now.tv_nsec - start->tv_nsec) / 1000000);
}

static int start(pid_t *pid, char *const *argv, char *const *envp, int in_fd, int out_fd, char *err,
                 size_t errsz)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
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
	rc = strchr(argv[0], '/') ? posix_spawn(pid, argv[0], &fa, &attr, argv, envp)
	                          : posix_spawnp(pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		snprintf(err, errsz, "cannot run %s: %s", argv[0], strerror(rc));
	return rc ? -1 : 0;
}

/* The child's pipes: in[1] we write, out[0] we read; -1 when closed. */
typedef struct pipes {
	int in, out;
	const char *doc;
	size_t len, off;
	util_buf *buf;
} pipes;

/* Write what stdin takes now; close it when all (and the newline) went, or the reader left. */
static void feed(pipes *p)
{
	size_t total = p->len + 1;
	const char *s = p->off < p->len ? p->doc + p->off : "\n";
	size_t n = p->off < p->len ? p->len - p->off : 1;
	ssize_t w = write(p->in, s, n);

	if (w > 0)
		p->off += (size_t)w;
	if ((w < 0 && errno != EAGAIN && errno != EINTR) || p->off >= total) {
		close(p->in); /* a reader that does not want stdin is not an error: its exit decides
		               */
		p->in = -1;
	}
}

static void drain(pipes *p)
{
	char chunk[8192];
	ssize_t r = read(p->out, chunk, sizeof chunk);

	if (r > 0) {
		if (!p->buf->cap || p->buf->len + (size_t)r <= p->buf->cap)
			util_buf_append(p->buf, chunk, (size_t)r);
		else
			p->buf->overflow = 1;
	} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
		close(p->out);
		p->out = -1;
	}
}

/* Feed and drain until both pipes are closed or the deadline; -1 on timeout. */
static int pump(pipes *p, const struct timespec *t0, long timeout_ms)
{
	while (p->in >= 0 || p->out >= 0) {
		struct pollfd fds[2] = {{p->in, POLLOUT, 0}, {p->out, POLLIN, 0}};
		long left = timeout_ms - elapsed_ms(t0);

		if (left <= 0)
			return -1;
		if (poll(fds, 2, (int)(left < 1000 ? left : 1000)) < 0 && errno != EINTR)
			return 0;
		if (p->in >= 0 && fds[0].revents)
			feed(p);
		if (p->out >= 0 && fds[1].revents)
			drain(p);
	}
	return 0;
}

/* Wait for pid until the deadline; 0 with *status, or -1 on timeout. */
static int reap(pid_t pid, int *status, const struct timespec *t0, long timeout_ms)
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
		if (elapsed_ms(t0) >= timeout_ms)
			return -1;
		/* Short naps first: most commands finish in milliseconds. */
		ts.tv_sec = 0;
		ts.tv_nsec = nap_us * 1000;
		nanosleep(&ts, NULL);
		if (nap_us < 20000)
			nap_us *= 2;
	}
}

int util_spawn(char *const *argv, char *const *envp, const char *in, size_t len, long timeout_ms,
               util_buf *out, int *status, char *err, size_t errsz)
{
	int pin[2], pout[2] = {-1, -1}, rc;
	pipes p = {-1, -1, in, len, 0, out};
	struct timespec t0;
	pid_t pid;

	if (pipe2(pin, O_CLOEXEC) != 0 || (out && pipe2(pout, O_CLOEXEC) != 0)) {
		snprintf(err, errsz, "cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = start(&pid, argv, envp, pin[0], pout[1], err, errsz);
	close(pin[0]);
	if (pout[1] >= 0)
		close(pout[1]);
	p.in = pin[1];
	p.out = pout[0];
	if (rc != 0) {
		close(p.in);
		if (p.out >= 0)
			close(p.out);
		return -1;
	}
	fcntl(p.in, F_SETFL, fcntl(p.in, F_GETFL) | O_NONBLOCK);
	if (p.out >= 0)
		fcntl(p.out, F_SETFL, fcntl(p.out, F_GETFL) | O_NONBLOCK);
	rc = pump(&p, &t0, timeout_ms);
	if (rc == 0)
		rc = reap(pid, status, &t0, timeout_ms);
	if (p.in >= 0)
		close(p.in);
	if (p.out >= 0)
		close(p.out);
	if (rc != 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
		snprintf(err, errsz, "command timed out after %ld ms", timeout_ms);
		return -1;
	}
	return 0;
}

void util_spawn_describe(int status, char *buf, size_t bufsz)
{
	if (WIFEXITED(status))
		snprintf(buf, bufsz, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, bufsz, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, bufsz, "failed");
}
