/*
 * sbx_commerce: what the two commerce resources share (commerce.c, the manual
 * transaction; txn_actions.c, the actions on transactions and orders): money
 * in cents, record reads and writes by type id. Handlers' helpers only; every
 * function runs with the store locked and answers nothing itself unless it
 * takes the call.
 */
#ifndef SBX_COMMERCE_H
#define SBX_COMMERCE_H

#include "sbx_call.h"

enum {
	SBX_CONTACT = 0,
	SBX_PRODUCT = 16,
	SBX_PURCHASE = 17,
	SBX_OPEN_ORDER = 44,
	SBX_TRANSACTION = 46,
	SBX_ORDER = 52,
	SBX_OFFER = 65,
	SBX_GATEWAY = 70
};

#define SBX_CENTS_MAX 99999999999LL /* a billion, less a cent */

/* Money as a JSON number or text ("10", "10.5", "10.50"), in cents; 0, or -1 when not money. */
int sbx_cents(const json_t *v, long long *out);
/* "10.50" for 1050, as a new JSON string. */
json_t *sbx_cents_json(long long cents);
/* A whole number as a JSON number or digits; 0, or -1. */
int sbx_whole(const json_t *v, long long *out);

/* Record id of type `type`, every field (new), or NULL when there is none (or on error). */
json_t *sbx_commerce_get(sbx_call *c, long long type, long long id);
/* Insert (raw) a record of type `type` from values (borrowed); its id, or -1 (e set). */
long long sbx_commerce_insert(sbx_call *c, long long type, json_t *values, sbx_err *e);
/* Update (raw) record id of type `type` from values (stolen); 0, or -1 (e set). */
int sbx_commerce_set(sbx_call *c, long long type, long long id, json_t *values, sbx_err *e);
/* Every record of `type` whose `field` equals value, ascending (new array; NULL on error). */
json_t *sbx_commerce_where(sbx_call *c, long long type, const char *field, long long value);

/* A product's totals move by one purchase of `cents` (sign +1 bought, -1 given back). */
int sbx_commerce_product_total(sbx_call *c, long long product_id, long long cents, int sign,
                               sbx_err *e);

/* POST /transaction/processManual (commerce.c); its route is in txn_actions.c's table. */
void sbx_commerce_process_manual(sbx_call *c);

#endif
