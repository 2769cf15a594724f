/*
 * libFuzzer target for the sandbox's request parameters (src/sandbox/http/req.c):
 * query string + body, decoded per Content-Type into one object. Input: the
 * first byte picks the Content-Type; up to the first newline is the query
 * string, the rest the body. Contract: success gives an object; failure a
 * 400 with a one-line text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const content_types[] = {
    NULL,
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/json; charset=utf-8",
    "multipart/form-data; boundary=x",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sbx_req r;
	sbx_err e = SBX_ERR_INIT;
	const char *ct, *nl;
	char *query = NULL;
	size_t qlen;

	if (size == 0)
		return 0;
	ct = content_types[data[0] % 6];
	data++;
	size--;
	nl = memchr(data, '\n', size);
	qlen = nl ? (size_t)(nl - (const char *)data) : 0;
	sbx_req_init(&r, 1 << 16);
	if (nl) {
		query = malloc(qlen + 1);
		if (!query)
			return 0;
		memcpy(query, data, qlen);
		query[qlen] = '\0';
		r.query = query;
		data += qlen + 1;
		size -= qlen + 1;
	}
	r.method = "POST";
	r.path = "/1/objects";
	if (ct)
		sbx_req_add_header(&r, "Content-Type", ct);
	if (util_buf_append(&r.body, data, size) == 0) {
		if (sbx_req_parse_params(&r, &e) == 0) {
			if (!json_is_object(r.params))
				abort();
		} else if (e.status != 400 || !e.text[0] || strchr(e.text, '\n')) {
			abort();
		}
	}
	sbx_req_release(&r);
	free(query);
	return 0;
}
