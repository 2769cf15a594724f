/*
 * What the examples share: a client made from the environment, as the
 * ontraport command makes it (ONTRAPORT_BASE_URL, ONTRAPORT_APP_ID,
 * ONTRAPORT_API_KEY; with none set, the local sandbox and its example pair).
 */
#ifndef EXAMPLES_COMMON_H
#define EXAMPLES_COMMON_H

#include <ontraport.h>
#include <stdio.h>
#include <stdlib.h>

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

/* A client for the environment's account, or NULL after printing why. */
static ontra_client *client_from_env(void)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_client *c;

	o.base_url = env_or("ONTRAPORT_BASE_URL", "http://127.0.0.1:8517/1");
	o.app_id = env_or("ONTRAPORT_APP_ID", "2_AppID_12345678");
	o.api_key = env_or("ONTRAPORT_API_KEY", "Key5678");
	if (ontra_client_new(&c, &o) < 0) {
		fprintf(stderr, "error: %s\n", ontra_error_last()->message);
		return NULL;
	}
	return c;
}

/* Print the library's last error and give the exit status for it. */
static int fail(const char *what)
{
	const ontra_error *e = ontra_error_last();
	fprintf(stderr, "error: %s: %s (%s)\n", what, e->message, ontra_error_name(e->code));
	return 1;
}

#endif
