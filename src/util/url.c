#include "url.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

/* Where the authority starts (after "scheme://", else at the start) and how long it is. */
static const char *authority(const char *url, size_t *len)
{
	const char *a = strstr(url, "://");

	/* A scheme is "name://" before any '/', '?' or '#'. */
	a = a && (size_t)(a - url) < strcspn(url, "/?#") ? a + 3 : url;
	*len = strcspn(a, "/?#");
	return a;
}

/* Without libcurl's parse: everything of the authority up to its last '@' is masked. */
static void mask_text(const char *url, char *out, size_t outsz)
{
	size_t n, i, at = (size_t)-1;
	const char *a = authority(url, &n);

	for (i = 0; i < n; i++)
		if (a[i] == '@')
			at = i;
	if (at == (size_t)-1)
		snprintf(out, outsz, "%s", url);
	else
		snprintf(out, outsz, "%.*s" UTIL_URL_MASK "%s", (int)(a - url), url, a + at);
}

/* With libcurl's parse (what it would send): 0, or -1 when it cannot parse the URL. */
static int mask_parsed(const char *url, char *out, size_t outsz)
{
	CURLU *h = curl_url();
	char *user = NULL, *pass = NULL, *opts = NULL, *full = NULL;
	int rc = -1;

	if (!h || curl_url_set(h, CURLUPART_URL, url,
	                       CURLU_NON_SUPPORT_SCHEME | CURLU_PATH_AS_IS) != CURLUE_OK)
		goto out;
	curl_url_get(h, CURLUPART_USER, &user, 0);
	curl_url_get(h, CURLUPART_PASSWORD, &pass, 0);
	curl_url_get(h, CURLUPART_OPTIONS, &opts, 0);
	if (!user && !pass && !opts) {
		snprintf(out, outsz, "%s", url); /* an '@' elsewhere: nothing secret */
		rc = 0;
		goto out;
	}
	if (curl_url_set(h, CURLUPART_USER, UTIL_URL_MASK, 0) != CURLUE_OK ||
	    curl_url_set(h, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
	    curl_url_set(h, CURLUPART_OPTIONS, NULL, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_URL, &full, 0) != CURLUE_OK)
		goto out;
	snprintf(out, outsz, "%s", full);
	rc = 0;
out:
	curl_free(full);
	curl_free(opts);
	curl_free(pass);
	curl_free(user);
	curl_url_cleanup(h);
	return rc;
}

const char *util_url_shown(const char *url, char *out, size_t outsz)
{
	if (!out || !outsz)
		return out;
	if (!url)
		url = "";
	if (!strchr(url, '@'))
		snprintf(out, outsz, "%s", url); /* no userinfo possible: shown as given */
	else if (mask_parsed(url, out, outsz) < 0)
		mask_text(url, out, outsz);
	return out;
}
