/*
 * libFuzzer target for the rule language (src/lib/rule_parse.c): parse and
 * check any bytes as events, conditions or actions, for contacts or another
 * object type. Properties: no crash, no leak, no undefined behaviour; every
 * error is one line; a part that checks comes back in canonical form, and
 * that form checks again to itself.
 *
 * Input: byte 0 picks the part (bits 0-1) and the object type (bit 2:
 * contacts or 10000); the rest is the text.
 *
 * Build and run (until tests/fuzz has its CMake wiring), from the project root:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *     -DONTRA_BUILDING_LIBRARY -Iinclude -Isrc/lib -Isrc/util \
 *     tests/fuzz/fuzz_rules.c src/lib/rule_parse.c src/lib/rule_catalogue.c src/lib/error.c \
 *     src/util/str.c src/util/buf.c $(pkg-config --cflags --libs jansson libcurl) -lpthread \
 *     -o build/fuzz_rules
 *   mkdir -p build/fuzz-rules-corpus
 *   build/fuzz_rules -max_total_time=60 -max_len=4096 build/fuzz-rules-corpus
 * tests/fuzz/corpus/rules
 *
 * Replay the saved corpus only: build/fuzz_rules tests/fuzz/corpus/rules/ *  (no space)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ontraport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ontra_rule_part part;
	int type;
	char *text, *canon = NULL, *again = NULL;
	json_t *items = NULL;

	if (size < 1)
		return 0;
	part = (ontra_rule_part)(data[0] & 3); /* 3 is not a part: must be refused cleanly */
	type = (data[0] & 4) ? 10000 : 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	if (ontra_rule_parse(&items, part, text) == 0) {
		if (!json_is_array(items))
			abort();
		json_decref(items);
	} else if (items || strchr(ontra_error_last()->message, '\n')) {
		abort();
	}

	if (ontra_rule_check(&canon, part, text, type) == 0) {
		/* The canonical form is a fixed point. */
		if (!canon || ontra_rule_check(&again, part, canon, type) != 0 ||
		    strcmp(canon, again) != 0)
			abort();
	} else if (canon || strchr(ontra_error_last()->message, '\n')) {
		abort();
	}
	ontra_free(canon);
	ontra_free(again);
	free(text);
	return 0;
}
