/*
 * connguard: a deadline for each connection to deliver a whole request.
 *
 * An HTTP server's idle timeout restarts with every byte, so a client that
 * trickles a header line every few seconds holds its connection for ever
 * (a slowloris). The servers register each connection's socket here. A
 * connection is armed while a request is awaited (from its opening or its
 * previous answer) and armed again when a request line arrives; it must be
 * disarmed (the request is complete) before its deadline, or a sweeper
 * thread shuts the socket down, which makes the server's own loop see the
 * end of the stream and close it. A request that had begun is first answered
 * 408; an idle connection is closed silently (a 408 there could be read as
 * the answer to a request the client is just sending).
 *
 * The owner must remove an entry before its socket is closed (so that the
 * sweeper never touches a descriptor reused by another connection). All
 * functions are thread-safe; entry functions accept NULL and do nothing.
 */
#ifndef UTIL_CONNGUARD_H
#define UTIL_CONNGUARD_H

#include "util_names.h"

typedef struct util_connguard util_connguard;
typedef struct util_connguard_entry util_connguard_entry;

/* Start a guard whose deadline is timeout_s seconds; NULL when out of memory or threads. */
util_connguard *util_connguard_new(unsigned timeout_s);

/* Stop the sweeper and free the guard and any entries left. NULL is accepted. */
void util_connguard_free(util_connguard *g);

/* Watch socket fd, armed from now. NULL when out of memory (the socket is then unguarded). */
util_connguard_entry *util_connguard_add(util_connguard *g, int fd);

/* (Re)start the deadline from now: a new request is awaited. */
void util_connguard_arm(util_connguard *g, util_connguard_entry *e);

/* (Re)start the deadline from now: a request line has arrived (a cut answers 408). */
void util_connguard_start(util_connguard *g, util_connguard_entry *e);

/* The request is complete: no deadline until armed again. */
void util_connguard_disarm(util_connguard *g, util_connguard_entry *e);

/* Forget the entry (before its socket is closed) and free it. */
void util_connguard_remove(util_connguard *g, util_connguard_entry *e);

/* Raise this process's soft limit of open files towards `want` (never past the hard limit). */
void util_raise_fd_limit(unsigned long want);

#endif
