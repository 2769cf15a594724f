/*
 * sbx_faults: injected failures, so that tests can show the client survives
 * what real networks and servers do (issue 6). A fault is a rule:
 *
 *   KIND[=ARG][,path=GLOB][,method=M][,count=N][,p=P]
 *
 *   status=CODE       answer CODE (429, 500, 502, 503, ...) without running the handler
 *   latency=MS        wait MS milliseconds, then handle the request normally
 *   drop=before       close the connection without handling the request or answering
 *   drop=after        handle the request (its change is made), then close without answering
 *   truncate          handle it, then send half the body and cut the connection
 *   malformed         handle it, then answer 200 with half the body (Content-Length matching)
 *
 *   path=GLOB         fnmatch(3) pattern on the request path, case-insensitive (default *)
 *   method=M          only this method (default any)
 *   count=N           only the next N matching requests (default: every one)
 *   p=P               each matching request with probability P in (0, 1] (default 1)
 *
 * e.g. "status=503,path=/1/objects,count=2" or "drop=after,method=POST,count=1".
 * Faults apply to API requests only (/1/...), after authentication and the
 * rate limiter, in the order they were added: the first that fires wins.
 * Thread-safe. The random draws come from a seeded generator (seed 0 = time).
 */
#ifndef SBX_FAULTS_H
#define SBX_FAULTS_H

#include <jansson.h>
#include <stddef.h>

typedef enum sbx_fault_kind {
	SBX_FAULT_NONE = 0,
	SBX_FAULT_STATUS,
	SBX_FAULT_LATENCY,
	SBX_FAULT_DROP_BEFORE,
	SBX_FAULT_DROP_AFTER,
	SBX_FAULT_TRUNCATE,
	SBX_FAULT_MALFORMED
} sbx_fault_kind;

#define SBX_FAULTS_MAX 32

typedef struct sbx_fault {
	sbx_fault_kind kind;
	int status;      /* STATUS */
	long latency_ms; /* LATENCY */
	char path[128];  /* glob; "" = any */
	char method[16]; /* "" = any */
	long long count; /* -1 = unlimited */
	double p;        /* probability, (0, 1] */
	long long hits;  /* times it fired */
	char spec[256];  /* the text it was made from */
} sbx_fault;

typedef struct sbx_faults sbx_faults;

/* Parse one rule. -1 with a one-line reason in err (naming what was wrong). Pure. */
int sbx_fault_parse(sbx_fault *out, const char *spec, char *err, size_t errsz);

sbx_faults *sbx_faults_new(unsigned long long seed);
void sbx_faults_free(sbx_faults *f);

/* Add a parsed rule (-1 when SBX_FAULTS_MAX are set). */
int sbx_faults_add(sbx_faults *f, const sbx_fault *rule);
void sbx_faults_clear(sbx_faults *f);

/*
 * The fault for this request, if one fires: copies it into *out (kind NONE
 * when none does) and counts it. A rule whose count reaches 0 is removed.
 */
void sbx_faults_pick(sbx_faults *f, const char *method, const char *path, sbx_fault *out);

/* [{spec, kind, path, method, count, p, hits}...]; new. */
json_t *sbx_faults_json(sbx_faults *f);

#endif
