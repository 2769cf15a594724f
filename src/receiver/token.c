/*
 * token: the unguessable path segment of a hook URL. Ontraport signs nothing,
 * so knowing the URL is the only credential a sender has: 128 random bits
 * from the kernel, never from rand().
 */
#include "receiver.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "banned.h"

int rcv_token_new(char *buf, size_t bufsz)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[RCV_TOKEN_HEX / 2];
	size_t got = 0, i;

	if (!buf || bufsz < RCV_TOKEN_HEX + 1)
		return RCV_EINVALID;
	while (got < sizeof raw) {
		ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			buf[0] = '\0';
			return RCV_ERROR;
		}
		got += (size_t)n;
	}
	for (i = 0; i < sizeof raw; i++) {
		buf[2 * i] = hex[raw[i] >> 4];
		buf[2 * i + 1] = hex[raw[i] & 15];
	}
	buf[RCV_TOKEN_HEX] = '\0';
	memset(raw, 0, sizeof raw);
	return 0;
}

int rcv_token_valid(const char *s)
{
	size_t n;

	if (!s)
		return 0;
	for (n = 0; s[n]; n++) {
		char c = s[n];
		if (n >= RCV_TOKEN_MAX)
			return 0;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return n >= RCV_TOKEN_MIN;
}
