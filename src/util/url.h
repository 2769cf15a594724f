/* url: showing URLs without the credentials they may carry. */
#ifndef UTIL_URL_H
#define UTIL_URL_H

#include "util_names.h"

#include <stddef.h>

/* What replaces a URL's userinfo (user name, password) when it is shown. */
#define UTIL_URL_MASK "***"

/*
 * The URL as it may be shown in a log, an error or the output: its userinfo
 * ("user:password@") replaced by "***@", so that credentials written into a
 * URL (http://user:secret@host/...) are never displayed. A URL without
 * userinfo is copied unchanged; one libcurl cannot parse is masked up to the
 * last '@' of what would be its authority. Writes into out (always
 * terminated, cut at outsz - 1 bytes; NULL url gives "") and returns out.
 */
const char *util_url_shown(const char *url, char *out, size_t outsz);

#endif
