/*
 * libFuzzer target for the sandbox's condition compiler (src/sandbox/
 * criteria.c): the API's condition JSON, and the legacy string form. The
 * first byte picks the form. Contract: success gives SQL with one bound value
 * per '?' that SQLite accepts and runs against the contacts table (so no
 * request text can break the statement); failure is a 400 whose one line
 * starts "Invalid condition: ".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_criteria.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sbx_store *store;

static void check_error(const sbx_err *e)
{
	if (e->status != 400 || strncmp(e->text, "Invalid condition: ", 19) != 0 ||
	    strchr(e->text, '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const sbx_otype *t;
	json_t *cond = NULL, *args;
	util_buf where = UTIL_BUF_INIT;
	sbx_err e = SBX_ERR_INIT;
	char *text;
	size_t i, marks = 0;

	if (!store) {
		if (sbx_store_open(&store, ":memory:", &e) < 0)
			abort();
	}
	if (size == 0)
		return 0;
	t = sbx_store_type(store, 0);
	if (!t)
		abort();
	if (data[0] & 1) {
		text = malloc(size);
		if (!text)
			return 0;
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		cond = json_string(text);
		free(text);
	} else {
		cond = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, NULL);
	}
	if (!cond)
		return 0;
	args = json_array();
	if (sbx_criteria_condition(t, cond, &where, args, &e) == 0) {
		for (i = 0; i < where.len; i++)
			marks += where.data[i] == '?';
		/* '?' only ever appears as a placeholder: values are bound, never spliced. */
		if (marks != json_array_size(args))
			abort();
		if (where.len) {
			sbx_query q;
			long long n;
			memset(&q, 0, sizeof q);
			q.where = where.data;
			q.where_args = args;
			sbx_store_lock(store);
			if (sbx_record_count(store, t, &q, &n, &e) < 0)
				abort(); /* SQL the compiler made that SQLite refuses */
			sbx_store_unlock(store);
		}
	} else {
		check_error(&e);
	}
	util_buf_release(&where);
	json_decref(args);
	json_decref(cond);
	return 0;
}
