/*
 * The delivery handlers, shared by deliver.c and deliver_*.c. Each takes one
 * document (the event JSON text) and returns 0 when the handler accepted it,
 * or -1 with one line in err saying why not.
 */
#ifndef RCV_DELIVER_INT_H
#define RCV_DELIVER_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rcv_names.h"

/* A handler's return for "gone for good": nothing it is given can be delivered. */
#define RCV_HANDLER_GONE (-2)
/* A handler's return for "this event can never be delivered": dead at once (a CALL's
 * RCV_CALL_DEAD). */
#define RCV_HANDLER_DEAD (-3)

/* One NDJSON line on out: written, flushed, and checked. RCV_HANDLER_GONE when the
 * reader of a pipe went away (EPIPE). */
int rcv_deliver__file(FILE *out, const char *doc, size_t len, char *err, size_t errsz);

/*
 * /bin/sh -c command with doc and a newline on stdin, in its own process
 * group, with ONTRAPORT_EVENT_ID and ONTRAPORT_EVENT_ATTEMPT in its
 * environment. Exit status 0 is success. Past timeout_ms the group is killed.
 * The event's data never reaches the command line: it goes on stdin only.
 */
int rcv_deliver__exec(const char *command, const char *doc, size_t len, long timeout_ms, int64_t id,
                      int attempt, char *err, size_t errsz);

/*
 * A kept-alive libcurl handle posting to one URL. rcv_forwarder_new returns 0
 * and *out, or RCV_EINVALID (not an http/https URL) or RCV_ERROR with one
 * line in err.
 */
typedef struct rcv_forwarder rcv_forwarder;
int rcv_forwarder_new(rcv_forwarder **out, const char *url, long timeout_ms, char *err,
                      size_t errsz);
/* POST doc as application/json; a 2xx answer is success. */
int rcv_forwarder_post(rcv_forwarder *f, const char *doc, size_t len, char *err, size_t errsz);
void rcv_forwarder_free(rcv_forwarder *f);

#endif
