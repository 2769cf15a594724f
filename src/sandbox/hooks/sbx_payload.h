/*
 * sbx_payload: what a webhook receives (REFERENCE.md §8.2-8.3), built from
 * a record without the store or the network: event strings, the `data`
 * formats and the delivery body. No store, no I/O; unit-tested and fuzzed.
 */
#ifndef SBX_PAYLOAD_H
#define SBX_PAYLOAD_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

struct sbx_otype;

/* Data formats of the subscribe call's `data` option. */
typedef enum sbx_hook_format {
	SBX_HOOK_FULL = 0,
	SBX_HOOK_NOTIFY,
	SBX_HOOK_LIGHTWEIGHT
} sbx_hook_format;

/*
 * Check and canonicalise an event string, "sub_tag(3)" (blanks around the
 * parts dropped): the name must be one of §8.2's (object_create,
 * object_submits_form, sub_tag, unsub_tag, purchase_product,
 * transaction_created_with_product) and the target a whole number (>= 0 for
 * object_create, a type id; >= 1 otherwise). Writes the canonical string into
 * out. Returns 0, or -1 with one line in why (quoting the input).
 */
int sbx_hook_event_parse(const char *s, char *out, size_t outsz, char *why, size_t whysz);

/*
 * The `data` option: NULL or "" is the full format; else a JSON object text
 * whose "format" is "notify", "lightweight" or absent/"" (full). Returns the
 * format, or -1 with one line in why.
 */
int sbx_hook_format_parse(const char *data, char *why, size_t whysz);

/*
 * The payload's `data` for a record (borrowed; {field: string|null}) of type
 * t in a format: full = every field; notify = every field, only the id
 * filled; lightweight = contacts: id, firstname, lastname, email; other
 * types: the id and the type's list fields (the exact set is UNCONFIRMED).
 * Values are strings ("" for null, as §8.3 says fields are strings). New.
 */
json_t *sbx_hook_data(const struct sbx_otype *t, json_t *record, sbx_hook_format format);

/*
 * Write one delivery body into out: {webhook_id, object_type_id, event:
 * {type[, target_key: target]}, data, timestamp}, every value a string, as
 * a form body with PHP bracket keys (json = 0, "application/x-www-form-
 * urlencoded") or as JSON. target_key may be NULL (object_create).
 * *content_type is a static string. Returns 0 or -1 (out of memory).
 */
int sbx_hook_payload(util_buf *out, const char **content_type, int json, long long webhook_id,
                     long long object_type, const char *event_type, const char *target_key,
                     long long target, json_t *data, long long timestamp);

#endif
