/* files: small file-system helpers. */
#ifndef UTIL_FILES_H
#define UTIL_FILES_H

#include "util_names.h"

/*
 * mkdir -p: make DIR and every missing folder above it, each new one mode
 * 0700 (private to the user). Folders that exist are left as they are.
 * Returns 0, or -1 with errno set (a path longer than 4095 bytes: ENAMETOOLONG).
 */
int util_mkdirs(const char *dir);

#endif
