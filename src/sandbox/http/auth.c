/* auth: Ontraport's header credentials and the control token. */
#include "sbx_auth.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "banned.h"

int sbx_secret_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char diff = la != lb;

	/* Walk the expected value's length whatever the input, so timing tells nothing
	 * about how much of a guess matched. */
	for (i = 0; i < lb; i++)
		diff |= (unsigned char)(b[i] ^ (i < la ? a[i] : 0));
	return diff == 0;
}

int sbx_auth_api(const sbx_req *r, const char *app_id, const char *api_key)
{
	const char *key = sbx_req_header(r, "Api-Key");
	const char *app = sbx_req_header(r, "Api-Appid");
	int ok_key, ok_app;

	if (!key || !app)
		return 0;
	/* Both compared every time: no early exit that tells which one was wrong. */
	ok_key = sbx_secret_eq(key, api_key);
	ok_app = sbx_secret_eq(app, app_id);
	return ok_key && ok_app;
}

int sbx_auth_control(const sbx_req *r, const char *token)
{
	const char *t = sbx_req_header(r, "X-Sandbox-Token");

	return t && token && *token && sbx_secret_eq(t, token);
}

int sbx_random_token(char *out, size_t outsz)
{
	unsigned char raw[16];
	size_t got = 0, i;

	if (outsz < 2 * sizeof raw + 1)
		return -1;
	while (got < sizeof raw) {
		ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	for (i = 0; i < sizeof raw; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}
