/*
 * util: small helpers with nothing Ontraport-specific in them, shared by
 * every room (the library, the receiver, the sandbox, scenarios, the CLI).
 * This is the room's face: other rooms include this header only. Compiled
 * into libontraport too, under the link names of util_names.h.
 *
 *   buf.h        growable byte buffers (util_buf)
 *   clock.h      the time now: wall-clock and monotonic milliseconds
 *   str.h        strings: copies, comparisons, numbers, dates, edit distance
 *   csv.h        CSV records, one at a time (RFC 4180; pure, fuzzed)
 *   form.h       x-www-form-urlencoded and query strings into JSON (pure, fuzzed)
 *   jsonnum.h    JSON with integers beyond 64 bits kept exactly
 *   jsonscan.h   JSON text checked without building it (pure, fuzzed)
 *   url.h        URLs shown without their credentials
 *   connguard.h  a deadline for each HTTP connection to send its request
 *   files.h      mkdir -p, private
 *   subproc.h    a command run with a document on stdin, within a deadline
 */
#ifndef UTIL_H
#define UTIL_H

#include "../buf.h"
#include "../clock.h"
#include "../connguard.h"
#include "../csv.h"
#include "../files.h"
#include "../form.h"
#include "../jsonnum.h"
#include "../jsonscan.h"
#include "../subproc.h"
#include "../str.h"
#include "../url.h"

#endif
