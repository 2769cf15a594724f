/*
 * sbx_err: how every floor of the sandbox reports a failure (an HTTP status
 * and a one-line message), and the clipping of untrusted text quoted in one.
 * Lives on the ground floor so the store never includes an HTTP-side header.
 */
#ifndef SBX_ERR_H
#define SBX_ERR_H

#include <stddef.h>

/*
 * A failure to report: an HTTP status and a one-line plain-text body.
 * status 0 means "no error".
 */
typedef struct sbx_err {
	int status;
	char text[256];
} sbx_err;

#define SBX_ERR_INIT                                                                               \
	{                                                                                          \
		0,                                                                                 \
		{                                                                                  \
			0                                                                          \
		}                                                                                  \
	}

/* Set e (if not NULL) to status and the formatted text; always returns -1. */
int sbx_err_set(sbx_err *e, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Copy untrusted text s into out for quoting in a one-line message: control
 * characters become '?', and anything past 60 bytes is cut and marked "...".
 * Returns out.
 */
const char *sbx_clip(const char *s, char *out, size_t outsz);

#endif
