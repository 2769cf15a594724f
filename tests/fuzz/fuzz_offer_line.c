/*
 * libFuzzer target for the offer parsers (src/lib/commerce.c): the product
 * line syntax (ontra_offer_line_parse) and the offer check
 * (ontra_offer_check) on whatever JSON the input holds. Contract: a line
 * that parses gives a non-empty product that starts the input, a quantity
 * from 1 to ONTRA_QUANTITY_MAX and a known type; a failure gives nothing and
 * one line. The check never crashes, and fails with one line.
 */
#include <ontraport.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_line(void)
{
	const char *msg = ontra_error_last()->message;
	if (!msg[0] || strchr(msg, '\n'))
		abort();
}

static void line(const char *text)
{
	json_t *out = NULL;
	const char *product, *type;
	json_int_t qty;

	if (ontra_offer_line_parse(&out, text) != 0) {
		if (out)
			abort();
		one_line();
		return;
	}
	product = json_string_value(json_object_get(out, "product"));
	type = json_string_value(json_object_get(out, "type"));
	qty = json_integer_value(json_object_get(out, "quantity"));
	if (!product || !*product || strncmp(text, product, strlen(product)) != 0 || !type ||
	    (strcmp(type, "single") && strcmp(type, "subscription") &&
	     strcmp(type, "payment_plan")) ||
	    qty < 1 || qty > ONTRA_QUANTITY_MAX)
		abort();
	json_decref(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	json_t *offer;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	line(text);
	offer = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (offer && ontra_offer_check(offer) != 0)
		one_line();
	json_decref(offer);
	free(text);
	return 0;
}
