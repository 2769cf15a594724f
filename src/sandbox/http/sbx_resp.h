/*
 * sbx_resp: the response a handler builds, before server.c hands it to MHD.
 *
 * Success bodies use Ontraport's envelope (reference §1.3); error bodies are
 * short plain text, never JSON (only the 401 text is confirmed; see
 * docs/sandbox.md). Bodies are compact JSON: clients don't care about layout
 * and indenting costs CPU on the hot path.
 */
#ifndef SBX_RESP_H
#define SBX_RESP_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"
#include "sbx_req.h"

#define SBX_CT_JSON "application/json"
#define SBX_CT_TEXT "text/plain; charset=UTF-8"

#define SBX_TEXT_401 "Your App ID and API Key do not authenticate."
/* printf format; the argument is the limit (a long). */
#define SBX_TEXT_429                                                                               \
	"Too Many Requests - You have exceeded your maximum rate limit of %ld requests per "       \
	"minute."
#define SBX_TEXT_CONTROL_401 "invalid sandbox control token"

#define SBX_RESP_MAX_HEADERS 8

typedef struct sbx_hdr {
	char name[32];
	char value[96];
} sbx_hdr;

typedef struct sbx_resp {
	int status;               /* 0 until something is set */
	const char *content_type; /* static string */
	util_buf body;
	sbx_hdr headers[SBX_RESP_MAX_HEADERS]; /* extra headers */
	size_t nheaders;
} sbx_resp;

void sbx_resp_init(sbx_resp *r);
void sbx_resp_release(sbx_resp *r);

/* Replace the body with one line of plain text. */
void sbx_resp_text(sbx_resp *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Replace the body with e's status and text (500 if e holds no error). */
void sbx_resp_err(sbx_resp *r, const sbx_err *e);

/* Replace the body with v as compact JSON, status 200 (control API). Steals v. */
void sbx_resp_json(sbx_resp *r, json_t *v);

/* Envelope shapes. */
#define SBX_ENV_NODATA 1u /* no "data" key at all (single delete, pause, ...) */
#define SBX_ENV_MISC 2u   /* add "misc":[] (collection GETs) */

/*
 * Replace the body with {"code":0,"data":<data>,"account_id":<n>[,"misc":[]]},
 * status 200. Steals data (which may be any JSON value; ignored and freed with
 * SBX_ENV_NODATA).
 */
void sbx_resp_envelope(sbx_resp *r, long account_id, json_t *data, unsigned flags);

/* The same with data given as JSON text (len bytes, already valid JSON). */
void sbx_resp_envelope_text(sbx_resp *r, long account_id, const char *data, size_t len,
                            unsigned flags);

/* Add (or replace) an extra header. -1 when the table is full or too long. */
int sbx_resp_header(sbx_resp *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The value of an extra header, or NULL. */
const char *sbx_resp_get_header(const sbx_resp *r, const char *name);

#endif
