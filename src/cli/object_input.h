/* Object input from the command line: --type, ids, field values, confirmation. */
#ifndef CLI_OBJECT_INPUT_H
#define CLI_OBJECT_INPUT_H

#include "cli.h"

/* Resolve --type (NULL = contacts); returns EXIT_OK or an exit code. */
int cli_type(cli_ctx *ctx, ontra_client *c, const char *typed, int *out);

/* Parse ids given as separate arguments or comma lists; *out is malloc'd. */
int cli_parse_ids(cli_ctx *ctx, const char *const *strs, size_t n, long long **out, size_t *nout);

/*
 * Field values from --<json_opt> JSON|@FILE (if given) then name=value
 * positional arguments from index `first` (which win). *out is a new object.
 */
int cli_field_values(cli_ctx *ctx, cli_args *args, int first, const char *json_opt, json_t **out);

/* Ask on the terminal unless `yes`; 1 = go ahead. Without a terminal, refuses (prints why). */
int cli_confirm(cli_ctx *ctx, int yes, const char *question);

#endif
