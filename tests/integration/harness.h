/*
 * Integration-test harness for C tests: starts a real sandbox process (the
 * `ontraport sandbox` command) on a free loopback port and talks to it over
 * HTTP through the public library.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <sys/types.h>

#include "ontraport.h"

typedef struct sandbox_proc {
	pid_t pid;
	char base_url[256]; /* http://127.0.0.1:PORT/1 */
	char root[256];     /* http://127.0.0.1:PORT */
	char app_id[128];
	char api_key[256];
	char token[128];
} sandbox_proc;

/* Start `ontraport sandbox --port 0 --db :memory: --quiet EXTRA...` (NULL-terminated). */
int sandbox_start(sandbox_proc *sp, const char *const *extra);
void sandbox_stop(sandbox_proc *sp);

/* A client for the sandbox; abort()s on failure. */
ontra_client *sandbox_client(const sandbox_proc *sp);

/* GET/POST a control endpoint ("stats", "reset"); returns the parsed body (new) or NULL. */
json_t *sandbox_control(const sandbox_proc *sp, const char *method, const char *path);

/* The requests the client has sent so far. */
unsigned long client_requests(ontra_client *c);

/* A record's id under KEY, given as a number or as a string of digits; -1 if neither. */
long long record_id(json_t *rec, const char *key);

/* Create an object of TYPE from a JSON text of fields; its id, or -1 (said on stderr). */
long long create_record(ontra_client *c, int type, const char *json);

/* 1 if the library's last error message holds PART and is one line; else 0, said on stderr. */
int error_says(const char *part);

#endif
