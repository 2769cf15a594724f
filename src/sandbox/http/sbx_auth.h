/*
 * sbx_auth: the credential checks (§1.2) and the control token.
 */
#ifndef SBX_AUTH_H
#define SBX_AUTH_H

#include <stddef.h>

#include "sbx_req.h"

/*
 * Whether r carries both Api-Key and Api-Appid (names case-insensitive)
 * equal to the configured pair. Comparisons take constant time.
 */
int sbx_auth_api(const sbx_req *r, const char *app_id, const char *api_key);

/* Whether r carries X-Sandbox-Token equal to token. */
int sbx_auth_control(const sbx_req *r, const char *token);

/* Constant-time string equality (time depends on the lengths only). */
int sbx_secret_eq(const char *a, const char *b);

/* Write 32 random lowercase hex characters and a NUL to out (>= 33 bytes).
 * Returns 0, or -1 when the system has no randomness to give. */
int sbx_random_token(char *out, size_t outsz);

#endif
