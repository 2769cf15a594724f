/*
 * The `ontraport` command line: shared declarations.
 *
 * Every command is described once, declaratively (cli_command + cli_opt);
 * that description drives argument parsing, --help, the man pages and the
 * shell completion. The CLI talks to Ontraport only through the public
 * header ontraport.h.
 */
#ifndef CLI_H
#define CLI_H

#include <stdio.h>

#include "ontraport.h"

/* Exit codes: the documented table (docs/exit-codes.md, README). */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,       /* anything else (I/O, config file, internal) */
	EXIT_USAGE = 2,       /* unknown command or option, wrong arguments */
	EXIT_AUTH = 3,        /* the key pair was refused (401) */
	EXIT_NOTFOUND = 4,    /* the object, connection or path does not exist (404) */
	EXIT_INVALID = 5,     /* invalid input: refused locally or by the server (400/422) */
	EXIT_RATELIMIT = 6,   /* rate limited (429) */
	EXIT_SERVER = 7,      /* the server failed (5xx) */
	EXIT_NETWORK = 8,     /* could not reach the server, or the connection dropped */
	EXIT_BADRESPONSE = 9, /* the server's answer was not what the API promises */
	EXIT_UNSAFE = 10,     /* a create may or may not have happened; not repeated */
	EXIT_FORBIDDEN = 11,  /* the key pair works but may not do this (403) */
	EXIT_INTERRUPTED = 130
};

typedef enum cli_opt_kind {
	CLI_FLAG,  /* --name; may repeat (counted) */
	CLI_VALUE, /* --name VALUE; the last one wins */
	CLI_LIST   /* --name VALUE, repeatable; all kept in order */
} cli_opt_kind;

typedef struct cli_opt {
	const char *name; /* long name without "--"; NULL ends a list */
	char short_name;  /* 0 when none */
	cli_opt_kind kind;
	const char *arg;  /* placeholder for the value ("NAME"), NULL for flags */
	const char *help; /* one line */
} cli_opt;

struct cli_ctx;
struct cli_args;

typedef struct cli_command {
	const char *name;        /* NULL ends a table */
	const char *summary;     /* one line, lowercase, no period */
	const char *synopsis;    /* argument part after the command path, e.g. "NAME [options]" */
	const char *description; /* paragraphs, wrapped at 80 columns */
	const cli_opt *opts;     /* NULL-terminated, or NULL */
	const char *examples;    /* lines of "command" then "  what it does", or NULL */
	int (*run)(struct cli_ctx *ctx, struct cli_args *args);
	const struct cli_command *const *subs; /* for a group: NULL-terminated */
	int min_args, max_args;                /* positional arguments; max -1 = any */
} cli_command;

/* ---- parsed arguments (opts.c) ---- */

typedef struct cli_args cli_args;

/*
 * Parse argv (everything after the command path) against the command's
 * options and the global ones. Returns 0 and *out, or -1 with a one-line
 * message in err (the caller prints it as a usage error).
 */
int cli_args_parse(cli_args **out, const cli_command *cmd, int argc, char **argv, char *err,
                   size_t errsz);
void cli_args_free(cli_args *a);

/* Number of times a flag was given (0 when absent). */
int cli_flag(const cli_args *a, const char *name);
/* Colour on stdout / stderr: only on a terminal, never with NO_COLOR set or TERM=dumb. */
extern int cli_colour_out, cli_colour_err;
void cli_colour_init(int stdout_tty, int stderr_tty);

/* The value of a CLI_VALUE option, or NULL. */
const char *cli_value(const cli_args *a, const char *name);
/* The values of a CLI_LIST option, in order; *n is set to their count. */
const char *const *cli_list(const cli_args *a, const char *name, size_t *n);
/* Positional arguments. */
int cli_argc(const cli_args *a);
const char *cli_arg(const cli_args *a, int i);
/* Positional arguments as a writable argv (for secrets scrubbing). */
char **cli_argv(cli_args *a);

/*
 * Parse a whole integer option value within [min, max]; on error prints a
 * usage error naming the option and returns -1.
 */
int cli_value_ll(const cli_args *a, const char *name, long long min, long long max, long long dflt,
                 long long *out);

/* ---- context (context.c) ---- */

typedef enum cli_format { FMT_AUTO, FMT_JSON, FMT_NDJSON, FMT_TABLE, FMT_CSV } cli_format;

typedef struct cli_ctx {
	const char *prog;        /* "ontraport" */
	const cli_command *root; /* the command table (main sets it: commands.c) */
	const cli_command *cmd;  /* the command being run */
	const char *cmd_path;    /* "connection add" */
	cli_format format;       /* resolved: never FMT_AUTO */
	int verbose;             /* -v count */
	int quiet;               /* --quiet */
	int color;               /* colour allowed on stderr */
	int stdout_tty, stderr_tty;
	const char *profile;     /* --profile */
	const char *base_url;    /* --base-url */
	long timeout_ms;         /* --timeout, 0 = library default */
	long connect_timeout_ms; /* --connect-timeout, 0 = library default */
	int retries;             /* --retries, -1 = library default */
	ontra_client *client;    /* created on first use */
	cli_args *args;          /* the parsed arguments */
	int raw_csv;             /* --raw-csv: csv cells as they are, not made safe */
	int max_wait_set;        /* --max-wait given... */
	long max_wait_ms;        /* ...this many ms: the longest wait for the rate limit */
	int sandbox_fallback;    /* nothing configured: the client is the local sandbox's default */
	int dates;               /* cli_dates: how date fields are shown (--dates) */
	int rec_type;            /* the object type of the records shown, when rec_type_set */
	int rec_type_set;        /* cli_out_type was called */
	struct cli_show *show;   /* output.c's lookups for this run (field kinds, names) */
	int refresh;             /* --refresh: fetch the account's metadata afresh */
	/* the clients' shared rate budget (run --rate-budget), or NULL */
	const ontra_budget *budget;
} cli_ctx;

/* --dates: epoch (as stored), local or utc date-times. Default: local in a table, else epoch. */
typedef enum cli_dates { CLI_DATES_EPOCH = 1, CLI_DATES_LOCAL, CLI_DATES_UTC } cli_dates;

/* A context for this run: no command yet, terminals detected, colour decided. */
void cli_ctx_init(cli_ctx *ctx);
/*
 * The global options (cli_global_opts) of the parsed arguments into ctx:
 * format, verbosity, connection and timing. Returns EXIT_OK, or EXIT_USAGE
 * with the error printed (a bad --output, an empty --base-url, a timing
 * value out of range).
 */
int cli_ctx_globals(cli_ctx *ctx, const cli_args *args);
/* Free what the run made (the client); ctx itself is the caller's. */
void cli_ctx_release(cli_ctx *ctx);

/*
 * The client for this run: from --profile / ONTRAPORT_PROFILE / the default
 * connection, overridden by ONTRAPORT_APP_ID, ONTRAPORT_API_KEY,
 * ONTRAPORT_BASE_URL and --base-url; with nothing configured, the local
 * sandbox. On failure prints the error and returns an exit code (> 0).
 */
int cli_client(cli_ctx *ctx, ontra_client **out);
/*
 * A new client (the caller frees it) for connection `connection` (NULL: as
 * cli_client chooses), pacing with `share` (may be NULL). As cli_client on
 * failure.
 */
int cli_client_new(cli_ctx *ctx, const char *connection, ontra_share *share, ontra_client **out);

/* Make a client from explicit settings (connection add/test). */
int cli_client_for(cli_ctx *ctx, const char *base_url, const char *app_id, const char *api_key,
                   ontra_client **out);

/* Print "ontraport: <message>" for the library's last error; return its exit code. */
int cli_fail_lib(cli_ctx *ctx, int rc);
/* Map a library error code to an exit code. */
int cli_exit_code(int rc);

/* Print "ontraport: <message>" to stderr and return `code`. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error: message, then a hint to --help; returns EXIT_USAGE. */
int cli_usage_error(const cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A note on stderr, unless --quiet. */
void cli_note(const cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Overwrite a command-line value in place (it points into argv), so a
 * secret leaves the process listing as soon as it has been read.
 */
void cli_scrub(const char *argv_value);

/*
 * Copy a secret given on the command line into buf (n bytes) and scrub it
 * from argv. Returns 0, or -1 when it does not fit (scrubbed all the same).
 */
int cli_take_secret(const char *argv_value, char *buf, size_t n);

/* The longest PostgreSQL queue URL taken (--queue, $ONTRAPORT_QUEUE), NUL included. */
#define CLI_QUEUE_URL_MAX 4096

/*
 * The event queue on PostgreSQL (docs/postgresql.md): --queue URL, taken as a secret
 * (scrubbed from argv), else $ONTRAPORT_QUEUE when `db` (the command's --db, or NULL for a
 * command without one) is NULL. Returns EXIT_OK with url "" when there is neither, or a
 * usage error (printed): over n - 1 bytes, empty, or both --queue and --db. The URL is
 * not checked further here: opening it says what is wrong.
 */
int cli_queue_url(cli_ctx *ctx, cli_args *args, const char *db, char *url, size_t n);

/*
 * A path under the user's data directory ($XDG_DATA_HOME/ontraport, else
 * ~/.local/share/ontraport), the directory created 0700 when missing.
 * Returns 0, or -1 when there is no home to put it in.
 */
int cli_data_path(char *buf, size_t n, const char *file);

/* ---- the PostgreSQL queue (cmd_queue.c) ---- */

/*
 * A PostgreSQL URL that must be given: the value of --OPT (scrubbed from argv),
 * else $ONTRAPORT_QUEUE, into url (n bytes). EXIT_OK or a usage error (printed)
 * when neither is there.
 */
int cli_pg_url(cli_ctx *ctx, cli_args *args, const char *opt, char *url, size_t n);
/* The exit code for a pgq_* error code (PGQ_E*). */
int cli_queue_exit(int pgq_rc);

/* Read a whole file ("-" = stdin) up to cap bytes; returns a new string or NULL (error printed). */
char *cli_read_file(const char *path, size_t cap, size_t *len);
/* A value that may be "@file" (read the file) or literal text; new string or NULL. */
char *cli_value_or_file(const char *value, size_t cap, size_t *len);

/* ---- output (output.c) ---- */

typedef struct cli_out cli_out;

/*
 * Begin a stream of records (objects) in the context's format. `columns`
 * (NULL-terminated, may be NULL) fixes the table/csv columns; otherwise
 * they come from the first records.
 */
cli_out *cli_out_begin(cli_ctx *ctx, const char *const *columns);
/* Write one record (borrowed). Returns 0 or -1 on a write error. */
int cli_out_record(cli_out *o, json_t *record);
/*
 * The command failed (its error already said why): cli_out_end then prints
 * nothing when no record was written (no "[]", "(no results)" or csv header,
 * which would read as an empty answer), and what was written, closed.
 */
void cli_out_fail(cli_out *o);
/* Finish (closes a JSON array, flushes a table); frees o. Returns 0 or -1. */
int cli_out_end(cli_out *o);
/* Print one value: an object as a record, an array of objects as a list, else JSON. */
int cli_out_value(cli_ctx *ctx, json_t *value);
/*
 * Whether records may be written from their JSON text (cli_out_record_text,
 * cli_out_value_text) rather than as values: json or ndjson, shown as stored.
 */
int cli_out_as_text(const cli_ctx *ctx);
/*
 * Write one record given as compact JSON text (ontra_call_text's), laid out
 * as cli_out_record lays out the same record. Only when cli_out_as_text.
 */
int cli_out_record_text(cli_out *o, const char *json, size_t len);
/* Print one object given as compact JSON text, as cli_out_value prints it. */
int cli_out_value_text(cli_ctx *ctx, const char *json, size_t len);
/*
 * The records about to be shown are objects of this type: their date fields
 * (timestamp, fulldate) are shown as --dates says, and in a table their
 * subscription fields (contact_cat, updateSequence, updateCampaign) as
 * names. Costs the type's metadata, and one search per kind of name shown.
 */
void cli_out_type(cli_ctx *ctx, int type);
/* A copy of an object without its empty members (null, ""), for people. New reference. */
json_t *cli_nonempty(json_t *rec);
/* Ids as JSON strings, as the API gives them: "id" and "*_id" members given as numbers. */
void cli_ids_as_text(json_t *rec);
/* Free what output.c looked up for this run (before cli_ctx_release). */
void cli_out_release(cli_ctx *ctx);
/* Print JSON (pretty for json, compact for ndjson) followed by a newline. */
int cli_print_json(cli_ctx *ctx, json_t *value);

/* ---- record data made safe to show (safetext.c) ---- */

/* For a terminal: controls as visible escapes (\x1b), tab/CR/LF as spaces. New string. */
char *cli_visible_text(const char *s);
/* The same, but tab and LF kept (CR escaped): multi-line text for a terminal. New string. */
char *cli_visible_lines(const char *s);
/* Whether a CSV cell would run as a spreadsheet formula (= + - @ tab CR; not a plain number). */
int cli_csv_formula(const char *s);
/* For CSV: controls escaped (tab/CR/LF kept), a formula prefixed with '. New string. */
char *cli_csv_safe(const char *s);

/* ---- commands ---- */

extern const cli_command cli_cmd_connection;
extern const cli_command cli_cmd_api;
extern const cli_command cli_cmd_sandbox;
extern const cli_command cli_cmd_sandbox_fire; /* cmd_sandbox_fire.c */
extern const cli_command cli_cmd_objects;
extern const cli_command cli_cmd_objects_import; /* cmd_import.c */
extern const cli_command cli_cmd_object_types;
extern const cli_command cli_cmd_fields;
extern const cli_command cli_cmd_tags;
extern const cli_command cli_cmd_sequences;
extern const cli_command cli_cmd_campaigns;
extern const cli_command cli_cmd_forms;         /* cmd_forms.c */
extern const cli_command cli_cmd_landing_pages; /* cmd_forms.c */
extern const cli_command cli_cmd_man;           /* hidden: names starting with '_' are not listed */
extern const cli_command cli_cmd_complete;
extern const cli_command cli_cmd_messages;
extern const cli_command cli_cmd_rules;
extern const cli_command cli_cmd_watch;
extern const cli_command cli_cmd_webhooks;
extern const cli_command cli_cmd_events;
extern const cli_command cli_cmd_queue; /* cmd_queue.c: the queue on PostgreSQL */
extern const cli_command cli_cmd_scenario;
extern const cli_command cli_cmd_run;
extern const cli_command cli_cmd_runs;
extern const cli_command cli_cmd_products;
extern const cli_command cli_cmd_offers;
extern const cli_command cli_cmd_transactions;
extern const cli_command cli_cmd_purchases;
extern const cli_command cli_cmd_notes; /* cmd_notes.c */
extern const cli_command cli_cmd_tasks; /* cmd_tasks.c */

/*
 * Stream every object of a fixed type (cmd_lists.c), a pick-list: options
 * --search and --limit of args; `cols` the table's columns. An exit code.
 */
int cli_list_type(cli_ctx *ctx, cli_args *args, int type, const char *const *cols);
/* The options cli_list_type reads: --search TEXT, --limit N. */
extern const cli_opt cli_list_opts[];

/* The whole command table (commands.c): main walks it; help, man pages and completion read it. */
extern const cli_command cli_root;
int cli_run_version(cli_ctx *ctx, cli_args *args);
/* The options every command accepts. */
extern const cli_opt cli_global_opts[];

/* ---- help (help.c) ---- */
void cli_help(FILE *f, const cli_command *cmd, const char *path);

#endif
