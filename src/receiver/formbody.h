/* formbody: form bodies with PHP bracket keys as a JSON tree (see formbody.c). */
#ifndef RCV_FORMBODY_H
#define RCV_FORMBODY_H

#include <jansson.h>
#include <stddef.h>

#include "receiver.h"

/*
 * Decode `len` bytes of a form body. Limits: at most max_fields key=value
 * pairs, at most max_depth levels counting the top (data[x] is 2; capped at
 * 64), keys of at most 1024 bytes once decoded, UTF-8 keys and values, no NUL
 * in keys. Returns 0 and *out (a new object), or RCV_ELIMIT, RCV_EENCODING or
 * RCV_ERROR with *out NULL and one line in err.
 */
int rcv_form_parse(json_t **out, const char *s, size_t len, size_t max_fields, size_t max_depth,
                   char *err, size_t errsz);

#endif
