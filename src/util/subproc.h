/*
 * subproc: run a command with a document on its stdin, without a shell
 * between (unless the caller asks for one as argv), within a deadline.
 *
 * The child gets a new process group (a timeout kills everything it
 * started, and a Ctrl-C aimed at us does not cut it short), default signal
 * dispositions and an empty signal mask. Its stderr is ours.
 */
#ifndef UTIL_SUBPROC_H
#define UTIL_SUBPROC_H

#include <stddef.h>

#include "buf.h"
#include "util_names.h"

/*
 * Run argv (argv[0] looked up in PATH when it has no '/') with environment
 * envp, write in (len bytes) and a newline to its stdin, and wait for it
 * within timeout_ms. With out (may be NULL), its stdout is read into out
 * (out->cap bounds it: the rest is read and dropped, out->overflow set);
 * without, stdout is ours. Returns 0 with *status (as waitpid gives it), or
 * -1 and one line in err: it could not be started, or it timed out (then
 * its process group was killed).
 */
int util_spawn(char *const *argv, char *const *envp, const char *in, size_t len, long timeout_ms,
               util_buf *out, int *status, char *err, size_t errsz);

/* One line for a status from util_spawn: "exited with status 3", "killed by signal 9". */
void util_spawn_describe(int status, char *buf, size_t bufsz);

#endif
