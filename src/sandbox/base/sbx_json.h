/*
 * sbx_json: JSON text written directly into a buffer, for the hot read paths
 * where building jansson values first would cost more than the request.
 */
#ifndef SBX_JSON_H
#define SBX_JSON_H

#include <stddef.h>

#include "util.h"

/*
 * Append s (n bytes) to b as a JSON string literal with quotes. Text that is
 * not valid UTF-8 has its bad bytes replaced by U+FFFD, so the output is always
 * valid JSON. -1 when the buffer refused the append.
 */
int sbx_json_put_string(util_buf *b, const char *s, size_t n);

#endif
