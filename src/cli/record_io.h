/* Ids, @FILE text, listing and getting records (messages, rules, webhooks). */
#ifndef CLI_RECORD_IO_H
#define CLI_RECORD_IO_H

#include "cli.h"

/*
 * --object-type: a number is taken as is (nothing is sent, so local checks
 * still come before any request); a name is resolved through the account's
 * metadata. NULL leaves *out at -1 ("not given"). Returns EXIT_OK or an exit code.
 */
int cli_object_type_opt(cli_ctx *ctx, const char *value, int *out);

/* One positional id; returns EXIT_OK or a usage error. */
int cli_one_id(cli_ctx *ctx, const char *arg, const char *what, long long *out);

/*
 * A text option that may be @FILE (read whole, up to 16 MiB). *out is NULL
 * when the option is absent, else a new string the caller frees.
 */
int cli_text_opt(cli_ctx *ctx, cli_args *args, const char *name, char **out);

/* Stream every object of a type (search text and limit from --search/--limit). */
int cli_list_objects(cli_ctx *ctx, cli_args *args, int type, const char *const *table_cols);

/* Stream the records of a search to the output (a table shows table_cols). */
int cli_search_print(cli_ctx *ctx, ontra_client *c, const ontra_search_options *o,
                     const char *const *table_cols);

/*
 * An object's id from VALUE: an id as is, else the one object of TYPE whose
 * FIELD equals VALUE (one search). None is EXIT_NOTFOUND, several EXIT_INVALID,
 * each with a one-line error saying "no NOUN HOW 'VALUE'".
 */
int cli_find_one(cli_ctx *ctx, int type, const char *field, const char *value, const char *noun,
                 const char *how, long long *out);

/* Print each record of several ids got with `get`, as one list when more than one. */
int cli_get_each(cli_ctx *ctx, cli_args *args,
                 int (*get)(json_t **out, ontra_client *c, long long id),
                 const char *const *table_cols);

#endif
