/* str: small string helpers (bounded, allocation-checked). */
#ifndef UTIL_STR_H
#define UTIL_STR_H

#include "util_names.h"

#include <stddef.h>

/* strdup/strndup that return NULL on failure (and on NULL input). */
char *util_strdup(const char *s);
char *util_strndup(const char *s, size_t n);

/* ASCII case-insensitive comparisons. */
int util_strieq(const char *a, const char *b);
int util_strnieq(const char *a, const char *b, size_t n);

/* Whether s starts with prefix (case-sensitive). */
int util_starts_with(const char *s, const char *prefix);

/* Strip ASCII white space at both ends, in place; returns s. */
char *util_trim(char *s);

/*
 * Parse a whole string as a decimal integer in [min, max].
 * Returns 0 and sets *out, or -1 when s is empty, has trailing garbage,
 * or is out of range.
 */
int util_parse_ll(const char *s, long long min, long long max, long long *out);

/*
 * Parse a UTC date: "YYYY-MM-DD", or with a time "YYYY-MM-DD HH:MM[:SS]"
 * ('T' for the space and a final 'Z' accepted). Returns 0 and *out (Unix
 * seconds), or -1 for anything else, out-of-range parts and days a month
 * does not have.
 */
int util_parse_utc_date(const char *s, long long *out);

/*
 * Edit distance between a and b (case-insensitive), capped: returns at most
 * `cap` + 1 so callers can stop caring once it is too far.
 */
size_t util_edit_distance(const char *a, const char *b, size_t cap);

/*
 * The candidate nearest to `word` (case-insensitive edit distance), or NULL
 * when none is close enough to be a plausible typo.
 */
const char *util_nearest(const char *word, const char *const *candidates, size_t n);

/* The first occurrence of needle (nlen bytes) in the n bytes at hay, or NULL. */
const char *util_memfind(const char *hay, size_t n, const char *needle, size_t nlen);

/*
 * Format one line into err (errsz bytes; nothing when err is NULL or errsz is
 * 0) and return `code`, so that a failing function can end with
 * `return util_errf(err, errsz, CODE, "what went wrong '%s'", subject);`.
 */
int util_errf(char *err, size_t errsz, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Whether the n bytes at s are valid UTF-8. */
int util_utf8_valid(const char *s, size_t n);

/*
 * Mask a secret for display: never reveals more than its last four
 * characters, and nothing at all when it is short.
 */
void util_mask_secret(const char *secret, char *out, size_t outsz);

#endif
