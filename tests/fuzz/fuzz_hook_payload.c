/*
 * libFuzzer target for the webhook payload builder (src/sandbox/hooks/
 * payload.c): a record in one of the three data formats, as a JSON or a form
 * body. Input: one flag byte (bit 0 JSON, bits 1-2 the format, bit 3 a
 * contact or a type with list fields, bits 4-6 the event), then the record as
 * NUL-separated key, value, key, value... (a value starting with 0x01 is
 * null; text that is not UTF-8 is skipped, as records never hold it).
 * Checks the contract: the builder succeeds; a JSON body parses and its data
 * holds only the record's keys, every value a string, the format's choice of
 * them; a form body is urlencoded (only [A-Za-z0-9-_.+%&=], '%' + two hex).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_payload.h"
#include "sbx_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *type, *key;
} events[] = {
    {"object_create", NULL}, {"object_submits_form", "form_id"}, {"sub_tag", "tag_id"},
    {"unsub_tag", "tag_id"}, {"purchase_product", "product_id"},
};

/* The record: NUL-separated key, value pairs. */
static json_t *record_of(const char *p, size_t n)
{
	json_t *rec = json_object();
	const char *end = p + n;

	while (rec && p < end) {
		const char *k = p, *v = k + strlen(k) + 1;
		p = v < end ? v + strlen(v) + 1 : end;
		if (v >= end)
			break;
		json_object_set_new(rec, k,
		                    (unsigned char)v[0] == 1 ? json_null() : json_string(v));
	}
	return rec;
}

static int kept(const sbx_otype *t, sbx_hook_format f, const char *k)
{
	static const char *const light[] = {"id", "firstname", "lastname", "email"};
	size_t i;

	if (f != SBX_HOOK_LIGHTWEIGHT || !strcmp(k, t->id_field))
		return 1;
	if (t->id != 0)
		return !strcmp(k, "name"); /* the list fields below */
	for (i = 1; i < sizeof light / sizeof *light; i++)
		if (!strcmp(k, light[i]))
			return 1;
	return 0;
}

static void check_json(const char *body, const sbx_otype *t, sbx_hook_format f, json_t *rec)
{
	json_t *doc = json_loads(body, 0, NULL), *d, *v;
	const char *k;

	d = json_object_get(doc, "data");
	if (!json_is_object(d) || !json_is_string(json_object_get(doc, "webhook_id")))
		abort();
	json_object_foreach(d, k, v)
	{
		if (!json_is_string(v) || !json_object_get(rec, k) || !kept(t, f, k))
			abort();
		if (f == SBX_HOOK_NOTIFY && strcmp(k, t->id_field) && json_string_length(v))
			abort();
	}
	json_object_foreach(rec, k, v)
	{
		if (kept(t, f, k) && !json_object_get(d, k))
			abort(); /* a field the format keeps went missing */
	}
	json_decref(doc);
}

static void check_form(const char *body, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)body[i];
		if (c == '%') {
			if (i + 2 >= len || !isxdigit((unsigned char)body[i + 1]) ||
			    !isxdigit((unsigned char)body[i + 2]))
				abort();
		} else if (!isalnum(c) && !strchr("-_.+&=", c)) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *lf = json_pack("[s]", "name"), *rec, *d;
	sbx_otype t = {0};
	util_buf out = UTIL_BUF_INIT;
	const char *ctype = NULL;
	sbx_hook_format f;
	unsigned ev;
	char *s;

	if (size == 0 || size > 8192 || !lf)
		goto done;
	s = malloc(size);
	if (!s)
		goto done;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	f = (sbx_hook_format)(((data[0] >> 1) & 3) % 3);
	ev = ((data[0] >> 4) & 7) % (sizeof events / sizeof *events);
	t.id = data[0] & 8 ? 14 : 0;
	t.id_field = "id";
	t.list_fields = lf;
	rec = record_of(s, size - 1);
	d = rec ? sbx_hook_data(&t, rec, f) : NULL;
	if (d && sbx_hook_payload(&out, &ctype, data[0] & 1, 7, t.id, events[ev].type,
	                          events[ev].key, 3, d, 1538502649) < 0)
		abort();
	if (d && data[0] & 1)
		check_json(out.data, &t, f, rec);
	else if (d)
		check_form(out.data, out.len);
	json_decref(d);
	json_decref(rec);
	util_buf_release(&out);
	free(s);
done:
	json_decref(lf);
	return 0;
}
