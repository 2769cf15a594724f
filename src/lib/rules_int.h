/*
 * Internal declarations of the rule modules: the catalogue's value checks
 * (rule_catalogue.c), used by the checker (rule_parse.c).
 */
#ifndef ONTRA_RULES_INT_H
#define ONTRA_RULES_INT_H

#include <stddef.h>

#include "ontraport.h"

/* The catalogue's spelling of the legacy-form action, which takes '::' between arguments. */
#define ONTRA__RULE_PING "Ping_APIURL"

/*
 * Check one argument value against its kind. Returns 0 when it fits, else
 * -1 with what was expected written to `why` ("expected 0 (days), 1 (weeks)
 * or 2 (months)"). No allocation, no I/O.
 */
int ontra__rule_arg_ok(const ontra_rule_arg *arg, const char *value, char *why, size_t whysz);

/* The shape of an argument for a signature ("units: 0 days, 1 weeks, 2 months"). */
const char *ontra__rule_kind_name(ontra_rule_arg_kind kind);

#endif
