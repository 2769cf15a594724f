/*
 * libontraport: a C client for the Ontraport REST API (v1).
 *
 * Conventions (see docs/ARCHITECTURE.md):
 *  - Every public name starts with ontra_ / ONTRA_.
 *  - Functions that can fail return int: 0 on success or a negative
 *    ONTRA_E* code, and write their result through an `out` parameter that
 *    comes first; on failure *out is NULL. Details of the last failure on
 *    this thread are in ontra_error_last().
 *  - Memory the library allocates is freed by the library's own function
 *    (ontra_x_free, ontra_free). JSON values are jansson's json_t; a doc
 *    comment says whether a returned value is "new" (the caller owns one
 *    reference and must json_decref it) or "borrowed" (valid while its owner
 *    lives; do not decref).
 *  - Options structs carry a version field; initialise them with their
 *    ONTRA_*_INIT macro, which sets the version and nothing else: in every
 *    options struct the zero value of a field means "not given" (its
 *    default), so fields added later get their defaults too.
 *  - A client handle is not thread-safe: use one per thread. Distinct
 *    handles may be used from distinct threads at the same time.
 */
#ifndef ONTRAPORT_H
#define ONTRAPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ONTRA_BUILDING_LIBRARY)
#define ONTRA_EXTERN __attribute__((visibility("default")))
#else
#define ONTRA_EXTERN
#endif

#define ONTRA_VERSION "0.1.0"
#define ONTRA_VERSION_NUM 0x000100

/*
 * The largest record id the library accepts, parses or sends: 2^53 - 1, the
 * largest whole number a JSON number holds exactly. Ids are 1..ONTRA_ID_MAX;
 * object type ids are 0..INT_MAX.
 */
#define ONTRA_ID_MAX 9007199254740991LL

/** The library's version string ("0.1.0"). */
ONTRA_EXTERN const char *ontra_version(void);

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

/*
 * The error codes callers branch on. This enum only grows; details live in
 * the thread-local ontra_error returned by ontra_error_last().
 */
typedef enum ontra_error_code {
	ONTRA_OK = 0,
	ONTRA_ERROR = -1,        /* anything else: internal, I/O, out of memory */
	ONTRA_EINVALID = -2,     /* invalid input: refused locally, or HTTP 400/422 */
	ONTRA_EAUTH = -3,        /* HTTP 401: the key pair is wrong or missing */
	ONTRA_ENOTFOUND = -4,    /* HTTP 404, or a named thing that does not exist */
	ONTRA_ERATELIMIT = -5,   /* HTTP 429, or a rate-limit wait longer than max_wait_ms */
	ONTRA_ESERVER = -6,      /* HTTP 5xx, or a non-zero envelope code */
	ONTRA_ENETWORK = -7,     /* DNS, connect, TLS, timeout, connection dropped */
	ONTRA_EBADRESPONSE = -8, /* a response that is not what the API promises */
	ONTRA_EUSER = -9,        /* a caller's callback asked to stop */
	ONTRA_EUNSAFE = -10,     /* a non-repeatable write may have reached the server */
	ONTRA_EFORBIDDEN = -11   /* HTTP 403: a valid key pair not allowed this (permissions, or a
	                            type that does not take the verb); other keys will not help */
} ontra_error_code;

/* Details of the last error on the calling thread. */
typedef struct ontra_error {
	int code;            /* an ontra_error_code (0 when there was none) */
	int http_status;     /* HTTP status of the response, 0 if none arrived */
	int curl_code;       /* libcurl's CURLcode for network errors, else 0 */
	const char *message; /* one lowercase line; never NULL */
	const char *body;    /* the server's response body, or NULL */
	size_t body_len;
} ontra_error;

/**
 * The last error raised on this thread. Never NULL; borrowed, valid until
 * the next library call on this thread.
 */
ONTRA_EXTERN const ontra_error *ontra_error_last(void);

/** Forget the last error of this thread. */
ONTRA_EXTERN void ontra_error_clear(void);

/** A short lowercase name for an error code ("auth", "not found", ...). */
ONTRA_EXTERN const char *ontra_error_name(int code);

/** Free memory the library handed to the caller as a plain buffer. */
ONTRA_EXTERN void ontra_free(void *p);

/* ------------------------------------------------------------------------
 * Parameters: an ordered list of key/value strings (query, form, headers)
 * ------------------------------------------------------------------------ */

typedef struct ontra_params ontra_params;

/** Create an empty list. Free it with ontra_params_free. */
ONTRA_EXTERN int ontra_params_new(ontra_params **out);
/** Free a list (NULL is accepted). */
ONTRA_EXTERN void ontra_params_free(ontra_params *p);
/** Append a copy of key and value (repeated keys are kept in order). */
ONTRA_EXTERN int ontra_params_add(ontra_params *p, const char *key, const char *value);
/** Append key with a decimal integer value. */
ONTRA_EXTERN int ontra_params_add_int(ontra_params *p, const char *key, long long value);
/** Replace every value of key by one value (appends when absent). */
ONTRA_EXTERN int ontra_params_set(ontra_params *p, const char *key, const char *value);
/** Number of entries. */
ONTRA_EXTERN size_t ontra_params_count(const ontra_params *p);
/** Key of entry i (borrowed), or NULL when i is out of range. */
ONTRA_EXTERN const char *ontra_params_key(const ontra_params *p, size_t i);
/** Value of entry i (borrowed), or NULL when i is out of range. */
ONTRA_EXTERN const char *ontra_params_value(const ontra_params *p, size_t i);
/** The first value for key (borrowed), or NULL. */
ONTRA_EXTERN const char *ontra_params_get(const ontra_params *p, const char *key);

/**
 * Parse "key=value" (as typed on a command line: no URL encoding) and
 * append it. Fails with ONTRA_EINVALID when there is no '=' or the key is
 * empty.
 */
ONTRA_EXTERN int ontra_params_add_pair(ontra_params *p, const char *pair);

/**
 * Parse a header line "Name: value" and append it. Fails with
 * ONTRA_EINVALID when there is no ':', the name is empty or not an HTTP
 * token, or either part holds a CR or LF.
 */
ONTRA_EXTERN int ontra_params_add_header(ontra_params *p, const char *line);

/* ------------------------------------------------------------------------
 * Client
 * ------------------------------------------------------------------------ */

typedef struct ontra_client ontra_client;

/*
 * A share: clients made with the same share use one connection cache and
 * one rate-limit pacer, so several handles (in one thread or several) keep
 * to the account's limit together. Free it after every client using it.
 */
typedef struct ontra_share ontra_share;
/** Create a share (thread-safe: it locks internally). Errors: ONTRA_ERROR (out of memory). */
ONTRA_EXTERN int ontra_share_new(ontra_share **out);
/** Free a share once no client uses it any more (NULL is accepted). */
ONTRA_EXTERN void ontra_share_free(ontra_share *s);

/* Log levels for the request log (-v). */
enum { ONTRA_LOG_INFO = 1, ONTRA_LOG_DEBUG = 2 };

/*
 * A log callback receives one line without newline. The library never
 * passes the API key to it: the Api-Key header is masked.
 */
typedef void (*ontra_log_fn)(void *userdata, int level, const char *line);

/*
 * A wait callback is told, before the client sleeps a second or more for the
 * rate limit, how long it will wait and why (one line, e.g. "the server said
 * X-Rate-Limit-Remaining: 0 with X-Rate-Limit-Reset: 30").
 */
typedef void (*ontra_wait_fn)(void *userdata, double seconds, const char *why);

/* The X-Rate-Limit-* headers of a response; -1 where a header was absent. */
typedef struct ontra_rate_limit {
	long limit;     /* X-Rate-Limit-Limit: requests per window */
	long remaining; /* X-Rate-Limit-Remaining */
	long reset;     /* X-Rate-Limit-Reset: seconds until the window resets */
} ontra_rate_limit;

/*
 * A rate budget kept outside this process: one account's allowance (180
 * requests a minute, shared by all its keys) shared by every worker on every
 * host, e.g. in a database (the CLI keeps it in PostgreSQL: docs/postgresql.md).
 * A client given one asks it before each attempt instead of its own pacer.
 *
 * reserve is asked before each attempt, app_id naming the account. It returns
 * 0 when the request may go now (the budget has counted it), a positive number
 * of milliseconds to wait before asking again (nothing counted; the client
 * sleeps, at most 66 s per answer, and asks again), or a negative number when
 * the budget cannot answer (its store is unreachable): the request is then
 * paced by the client's own pacer, as without a budget. It may write one line
 * saying why the request waits into why (whysz bytes, terminated), shown in the
 * -v log and to on_wait. A wait counts against max_wait_ms like any rate-limit
 * wait (longer: ONTRA_ERATELIMIT, nothing sent).
 *
 * answer (may be NULL) is told of each HTTP answer: its rate-limit headers,
 * its status (429 included: the budget should hold every worker until the
 * reset) and its round trip in seconds (the time a request takes to arrive).
 *
 * Both are called on the thread making the request, with no lock of the
 * library held; a budget used by clients on several threads must be
 * thread-safe. The struct is copied into the client; userdata is borrowed and
 * must outlive every client using it.
 */
typedef long (*ontra_budget_reserve_fn)(void *userdata, const char *app_id, char *why,
                                        size_t whysz);
typedef void (*ontra_budget_answer_fn)(void *userdata, const char *app_id,
                                       const ontra_rate_limit *rl, int status, double seconds);
typedef struct ontra_budget {
	ontra_budget_reserve_fn reserve; /* required */
	ontra_budget_answer_fn answer;   /* or NULL */
	void *userdata;
} ontra_budget;

#define ONTRA_DEFAULT_BASE_URL "https://api.ontraport.com/1"
#define ONTRA_CLIENT_OPTIONS_VERSION 6

typedef struct ontra_client_options {
	unsigned int version;     /* ONTRA_CLIENT_OPTIONS_VERSION */
	const char *base_url;     /* NULL = ONTRA_DEFAULT_BASE_URL; http or https */
	const char *app_id;       /* the Api-Appid header; required */
	const char *api_key;      /* the Api-Key header; required; copied, never logged */
	long connect_timeout_ms;  /* 0 = 10 s */
	long timeout_ms;          /* whole request; 0 = 60 s */
	const char *user_agent;   /* NULL = "libontraport/VERSION" */
	size_t max_response_size; /* 0 = 64 MiB; bigger bodies fail with EBADRESPONSE */
	const char *ca_file;      /* PEM bundle for TLS verification; NULL = system */
	ontra_log_fn log;         /* NULL = no request log */
	void *log_userdata;
	int log_level; /* ONTRA_LOG_INFO: one line a request; DEBUG: headers too */
	/* version 2 */
	ontra_share *share; /* share connections and pacing with other clients, or NULL */
	int max_retries;    /* repeats of a failed safe request (at most 100); 0 = the
	                     * default (5), ONTRA_RETRIES_NONE = none. (Before version
	                     * 4: -1 = the default, 0 = none.) */
	long retry_max_ms;  /* stop retrying after this long in all; 0 = 120 s */
	int no_pacing;      /* do not space requests by the rate-limit headers */
	/* version 3 */
	long max_wait_ms;      /* longest wait for the rate limit before a request; 0 = no
	                        * bound of your own, ONTRA_NO_WAIT = never wait. A longer wait
	                        * fails with ONTRA_ERATELIMIT and nothing is sent. Whatever this
	                        * says, a wait is never longer than the API's 60 s window plus
	                        * 10% (66 s): a larger X-Rate-Limit-Reset is capped. */
	ontra_wait_fn on_wait; /* told of each wait of a second or more, or NULL */
	void *on_wait_userdata;
	/* version 5 */
	const char *cache_dir; /* keep the account's metadata in this directory between
	                        * runs, or NULL (memory only). Created 0700; one file per
	                        * connection (its name a hash of the base URL and app id,
	                        * never the key), written 0600. A file that is not ours,
	                        * is corrupt, is for another connection or is older than
	                        * cache_ttl_s is ignored and rewritten. Failures to read
	                        * or write it never fail a call (the -v log says why). */
	long cache_ttl_s;      /* how long a cached copy is used; 0 = 3600 s */
	int cache_refresh;     /* do not read the cached copy: fetch afresh and rewrite it */
	/* version 6 */
	const ontra_budget *budget; /* a rate budget shared beyond this process (copied), or
	                             * NULL: the client's own pacer (or its share's) */
} ontra_client_options;

#define ONTRA_CLIENT_OPTIONS_INIT                                                                  \
	{                                                                                          \
		.version = ONTRA_CLIENT_OPTIONS_VERSION                                            \
	}

/* max_retries: never repeat a request, whatever the failure (a 429 and a refused connection too).
 */
#define ONTRA_RETRIES_NONE (-1)

/* max_wait_ms: fail rather than wait at all for the rate limit. */
#define ONTRA_NO_WAIT (-1L)

/**
 * Create a client. The options are copied; nothing is sent yet.
 * Errors: ONTRA_EINVALID (missing app id or key, malformed base URL).
 * Free the client with ontra_client_free.
 */
ONTRA_EXTERN int ontra_client_new(ontra_client **out, const ontra_client_options *opts);

/** Free a client and close its connection (NULL is accepted). */
ONTRA_EXTERN void ontra_client_free(ontra_client *c);

/** The base URL in use (borrowed, without a trailing slash). */
ONTRA_EXTERN const char *ontra_client_base_url(const ontra_client *c);

/** The rate-limit headers of the last response this client received. */
ONTRA_EXTERN void ontra_client_rate_limit(const ontra_client *c, ontra_rate_limit *out);

/* Counters of a client's traffic, for tests and benchmarks. */
typedef struct ontra_client_stats {
	unsigned long requests;     /* requests sent (each attempt counts) */
	unsigned long connections;  /* new TCP connections opened */
	unsigned long retries;      /* attempts that were repeats */
	unsigned long paced;        /* requests the pacer held back to stay under the limit */
	unsigned long rate_limited; /* 429 answers received */
} ontra_client_stats;

/** Copy the client's counters into *out. Never fails. */
ONTRA_EXTERN void ontra_client_stats_get(const ontra_client *c, ontra_client_stats *out);

/* ------------------------------------------------------------------------
 * Requests: any method and path, with authentication added
 * ------------------------------------------------------------------------ */

#define ONTRA_REQUEST_VERSION 2

/*
 * Whether a request may be sent again after a failure that happened once it
 * may have reached the server (a 5xx, a timeout, a dropped connection).
 * AUTO: GET, HEAD, OPTIONS, PUT and DELETE are safe to repeat, and so are
 * POSTs to saveorupdate, pause and unpause; any other POST (a create) is not,
 * since a repeat would make a duplicate. A 429, and a failure to connect at
 * all, are retried whatever the setting: the server did not act on them.
 */
typedef enum ontra_retry {
	ONTRA_RETRY_AUTO = 0,
	ONTRA_RETRY_SAFE = 1, /* repeatable: the caller knows it is idempotent */
	ONTRA_RETRY_NEVER = 2 /* never repeat once it may have been sent */
} ontra_retry;

typedef struct ontra_request {
	unsigned int version;        /* ONTRA_REQUEST_VERSION */
	const char *method;          /* "GET", "POST", ...: any HTTP token; NULL = GET */
	const char *path;            /* relative to the base URL ("/Contacts"); may hold "?q" */
	const ontra_params *query;   /* appended to the URL, URL-encoded */
	const ontra_params *headers; /* extra headers (auth headers are added) */
	const ontra_params *form;    /* body as application/x-www-form-urlencoded */
	const json_t *json;          /* body as application/json (borrowed) */
	const char *body;            /* raw body, sent as is... */
	size_t body_len;
	const char *content_type; /* ...with this type (NULL = none) */
	/* version 2 */
	ontra_retry retry; /* ONTRA_RETRY_AUTO */
} ontra_request;

#define ONTRA_REQUEST_INIT                                                                         \
	{                                                                                          \
		.version = ONTRA_REQUEST_VERSION                                                   \
	}

typedef struct ontra_response ontra_response;

/**
 * Send a request and return whatever HTTP response came back, whatever its
 * status. At most one of form, json and body may be set.
 * Errors: ONTRA_EINVALID (bad request description), ONTRA_ENETWORK,
 * ONTRA_EBADRESPONSE (response larger than max_response_size).
 * Free the response with ontra_response_free.
 */
ONTRA_EXTERN int ontra_send(ontra_response **out, ontra_client *c, const ontra_request *req);

/** Free a response from ontra_send (NULL is accepted). */
ONTRA_EXTERN void ontra_response_free(ontra_response *r);
/** HTTP status code. */
ONTRA_EXTERN int ontra_response_status(const ontra_response *r);
/** The body (borrowed, NUL-terminated); its length in *len if not NULL. */
ONTRA_EXTERN const char *ontra_response_body(const ontra_response *r, size_t *len);
/** The first header of that name, case-insensitively (borrowed), or NULL. */
ONTRA_EXTERN const char *ontra_response_header(const ontra_response *r, const char *name);
/** All response headers, in order (borrowed). */
ONTRA_EXTERN const ontra_params *ontra_response_headers(const ontra_response *r);
/** The rate-limit headers of this response. */
ONTRA_EXTERN void ontra_response_rate_limit(const ontra_response *r, ontra_rate_limit *out);

/**
 * Send a request and check it as the API promises: a 2xx status and a JSON
 * envelope {code: 0, data, account_id}. On success *out is the whole
 * envelope (new reference). Non-2xx statuses map to ONTRA_EAUTH (401),
 * ONTRA_EFORBIDDEN (403), ONTRA_ENOTFOUND, ONTRA_EINVALID, ONTRA_ERATELIMIT,
 * ONTRA_ESERVER, with the server's text in the error's message and body.
 */
ONTRA_EXTERN int ontra_call(json_t **out, ontra_client *c, const ontra_request *req);

/**
 * Check a response already received as ontra_call does: on success *out is
 * the envelope (new reference); on failure the error codes of ontra_call.
 */
ONTRA_EXTERN int ontra_response_check(json_t **out, const ontra_response *r);

/**
 * Like ontra_call, but *out is the envelope's "data" member (new reference;
 * json_null() when the envelope has no data, as single deletes do).
 */
ONTRA_EXTERN int ontra_call_data(json_t **out, ontra_client *c, const ontra_request *req);

/**
 * Like ontra_call_data, but the data member as compact JSON text instead of
 * values, for a caller that writes it out as it is: no tree is built when the
 * answer passes a checking scan (src/util/jsonscan.h) that vouches only for
 * what ontra_call accepts. *out is the response (new: free it with
 * ontra_response_free); *json and *len are the text (borrowed from *out, not
 * NUL-terminated): the server's own bytes of "data" without the white space
 * between tokens, or, when the scan cannot vouch for the answer, the data
 * parsed and laid out again by jansson (JSON_COMPACT). "null" when the
 * envelope has no data. Errors and retries are exactly those of ontra_call;
 * on failure *out and *json are NULL.
 */
ONTRA_EXTERN int ontra_call_text(ontra_response **out, const char **json, size_t *len,
                                 ontra_client *c, const ontra_request *req);

/**
 * Check a connection: one cheap authenticated request (GET /objects/meta
 * for contacts). Errors: ONTRA_EAUTH when the key pair is refused, and the
 * other errors of ontra_call.
 */
ONTRA_EXTERN int ontra_client_verify(ontra_client *c);

/* ------------------------------------------------------------------------
 * Search conditions (criteria)
 * ------------------------------------------------------------------------ */

/** Whether op is an operator the API accepts ("=", "<>", "LIKE", "IN", "IS", ...). */
ONTRA_EXTERN int ontra_condition_op_valid(const char *op);

/**
 * Append a clause to a condition (a JSON array, as the API's `condition`
 * parameter takes it). conj is "AND" or "OR" (ignored for the first clause).
 * value is stolen (even on failure): a string or number for the comparison
 * operators, an array for IN / NOT IN, NULL for IS (null) and IS NOT EMPTY.
 * Errors: ONTRA_EINVALID.
 */
ONTRA_EXTERN int ontra_condition_add(json_t *condition, const char *conj, const char *field,
                                     const char *op, json_t *value);

/**
 * Compile the readable condition syntax into the API's condition JSON:
 *
 *   email LIKE '%@example.com' AND status = 6 OR id IN (1, 2) OR phone IS NULL
 *
 * Operators: = != <> < > <= >= LIKE, [NOT] IN (...), IS [NOT] NULL|EMPTY.
 * Values are 'quoted' or "quoted" text, or numbers. Clauses are joined by
 * AND / OR (no parentheses; AND binds tighter). Field names are not checked
 * here (see ontra_fields_check). On success *out is a new JSON array.
 * Errors: ONTRA_EINVALID, with the column of the mistake in the message.
 */
ONTRA_EXTERN int ontra_where_parse(json_t **out, const char *text);

/* ------------------------------------------------------------------------
 * Messages (object type 7): create, update, get; list with ontra_search
 * ------------------------------------------------------------------------ */

#define ONTRA_MESSAGE_OPTIONS_VERSION 2

/*
 * An object type an options struct may leave out: the zero value is "not
 * given"; ONTRA_TYPE_GIVEN(t) gives type t (ONTRA_CONTACT among them).
 */
typedef struct ontra_type_opt {
	int given; /* non-zero when type is given */
	int type;  /* the object type id, >= 0 */
} ontra_type_opt;

#define ONTRA_TYPE_GIVEN(t) ((ontra_type_opt){1, (t)})

/* An e-mail's kind (transactional_email); zero = not given. */
typedef enum ontra_email_type {
	ONTRA_EMAIL_TYPE_NOT_GIVEN = 0,
	ONTRA_TRANSACTIONAL = 1,
	ONTRA_MARKETING = 2
} ontra_email_type;

/*
 * The fields of a message, as the seed's "Create / Update a Message"
 * modules name them. NULL (zero for the others) means "not given": not sent.
 * Each field belongs to some message types only (noted after the field);
 * giving one that does not belong to the message's type is refused with
 * ONTRA_EINVALID before anything is sent. Strings are borrowed.
 */
typedef struct ontra_message_options {
	unsigned int version;         /* ONTRA_MESSAGE_OPTIONS_VERSION */
	long long id;                 /* update: the message's id (required); create: 0 */
	const char *type;             /* "e-mail" (also "email", "legacyemail"), "template"
	                                 (ONTRAmail), "sms" or "task"; required on create,
	                                 fetched from the message when absent on update */
	const char *name;             /* all types: the message's name (alias) */
	const char *subject;          /* e-mail (required on create), template; task: its title */
	const char *send_from;        /* e-mail, template: the sender's address (send_from) */
	const char *from;             /* e-mail, template: "owner", "custom" or a user id */
	const char *send_out_name;    /* e-mail, template: the sender's name; implies from=custom */
	const char *reply_to;         /* e-mail, template: reply_to_email */
	const char *plaintext;        /* e-mail, template: the plain-text body */
	const char *html;             /* e-mail: the HTML body (message_body) */
	const char *email_title;      /* e-mail, template: email_title */
	ontra_email_type email_type;  /* e-mail, template: transactional or marketing */
	const char *spam_score;       /* e-mail, template: a number (spam_score) */
	const char *template_content; /* template: the ONTRAmail JSON structure (resource) */
	const char *sms_content;      /* sms: the text (sent as plaintext) */
	const char *send_to;          /* sms: the field holding the number (default sms_number);
	                                 e-mail, template: a related record's field (custom objects) */
	const char *task_data;        /* task: the instructions (task_data) */
	const char *due_date;         /* task: days after assignment, a whole number (due_date) */
	const char *task_owner;       /* task: the assignee's user id (task_owner) */
	const char *task_form;        /* task: a form id (task_form) */
	ontra_type_opt object_type;   /* all types: object_type_id; not given = contacts */
} ontra_message_options;

#define ONTRA_MESSAGE_OPTIONS_INIT                                                                 \
	{                                                                                          \
		.version = ONTRA_MESSAGE_OPTIONS_VERSION                                           \
	}

/**
 * POST /message (form-encoded, as the official SDK sends it): create a
 * message. *out is the server's reply (new): {"id": 7, "date": "..."}.
 * Errors: ONTRA_EINVALID (checked locally, nothing sent: unknown type, a
 * field of another type, a missing required field, a malformed value), and
 * the errors of ontra_call.
 */
ONTRA_EXTERN int ontra_message_create(json_t **out, ontra_client *c,
                                      const ontra_message_options *o);

/**
 * PUT /message (form-encoded): update message o->id with the fields given.
 * Without o->type, the message is read first (GET /Message) to learn its
 * type, which the API requires and the checks need. *out is the reply
 * (new): {"id": "7", "date": "..."}. Errors: as ontra_message_create, and
 * ONTRA_ENOTFOUND.
 */
ONTRA_EXTERN int ontra_message_update(json_t **out, ontra_client *c,
                                      const ontra_message_options *o);

/** GET /Message: *out is the message record (new). Errors: ONTRA_ENOTFOUND. */
ONTRA_EXTERN int ontra_message_get(json_t **out, ontra_client *c, long long id);

/**
 * The API's spelling of a message type given in any accepted spelling
 * ("email" -> "e-mail", "Template" -> "template"), or NULL when it is not
 * one of e-mail, template, sms, task (static string).
 */
ONTRA_EXTERN const char *ontra_message_type_canonical(const char *type);

/* ------------------------------------------------------------------------
 * Rules (object type 6): the rule language, its catalogue, and the calls
 * ------------------------------------------------------------------------ */

/*
 * A rule has three parts, each a string in Ontraport's rule language:
 *
 *   item        Name(arg,arg,...)       e.g. Contact_added_to_campaign(1)
 *   events      item;item;...           any of them fires the rule
 *   conditions  item;item|item...       ';' = AND, '|' = OR; may be empty
 *   actions     item;item;...           all run, in order
 *
 * Arguments cannot contain ( ) , ; | (the language has no escapes).
 * Ping_APIURL also has a legacy form with '::' between its arguments.
 */
typedef enum ontra_rule_part {
	ONTRA_RULE_EVENTS = 0,
	ONTRA_RULE_CONDITIONS = 1,
	ONTRA_RULE_ACTIONS = 2
} ontra_rule_part;

/* What an item's argument may hold. */
typedef enum ontra_rule_arg_kind {
	ONTRA_RULE_ARG_ID = 0,           /* a record id: a positive whole number */
	ONTRA_RULE_ARG_NUMBER,           /* a whole number >= 0 (a count, an offset) */
	ONTRA_RULE_ARG_AMOUNT,           /* a number >= 0, decimals allowed */
	ONTRA_RULE_ARG_UNITS,            /* 0 days, 1 weeks, 2 months */
	ONTRA_RULE_ARG_OPTION,           /* a whole number in [min, max]; meanings in `values` */
	ONTRA_RULE_ARG_CONDITIONAL,      /* Equal To, Not Equal To, Greater Than, ... */
	ONTRA_RULE_ARG_DATE_CONDITIONAL, /* 1 on, 2 before, 3 after */
	ONTRA_RULE_ARG_ANY_CONDITIONAL,  /* either of the two above */
	ONTRA_RULE_ARG_DATE,             /* a relative-date token (TODAY, ...), Unix seconds
	                                    or YYYY-MM-DD */
	ONTRA_RULE_ARG_FIELD,            /* a field name or number (firstname, f1234) */
	ONTRA_RULE_ARG_TEXT,             /* non-empty text */
	ONTRA_RULE_ARG_VALUE,            /* any text, empty allowed */
	ONTRA_RULE_ARG_OBJECT_TYPE       /* an object type id: a whole number >= 0 */
} ontra_rule_arg_kind;

typedef struct ontra_rule_arg {
	const char *name; /* as the official SDK names it: "sequence_id" */
	ontra_rule_arg_kind kind;
	int min, max;       /* ONTRA_RULE_ARG_OPTION: the allowed range */
	const char *values; /* what the values mean ("0 before, 1 after"), or NULL */
} ontra_rule_arg;

/* One entry of the catalogue. Read fields through the pointer only (it may grow). */
typedef struct ontra_rule_def {
	const char *name; /* "Contact_added_to_campaign" */
	ontra_rule_part part;
	const ontra_rule_arg *args;
	size_t nargs;        /* the exact number of arguments */
	int contacts_only;   /* only for rules on contacts (object type 0) */
	const char *summary; /* one lowercase line */
} ontra_rule_def;

/** "events", "conditions" or "actions" (static string; "?" for other values). */
ONTRA_EXTERN const char *ontra_rule_part_name(ontra_rule_part part);

/** How many items the catalogue holds for a part (0 for an invalid part). */
ONTRA_EXTERN size_t ontra_rule_catalogue_size(ontra_rule_part part);

/** Entry i of a part's catalogue (static), or NULL when i is out of range. */
ONTRA_EXTERN const ontra_rule_def *ontra_rule_catalogue_at(ontra_rule_part part, size_t i);

/** The entry of that exact name (case-sensitive, as the API is), or NULL. */
ONTRA_EXTERN const ontra_rule_def *ontra_rule_catalogue_find(ontra_rule_part part,
                                                             const char *name);

/* The value lists of the rule language (REFERENCE.md §7.6). */
typedef enum ontra_rule_vocab {
	ONTRA_RULE_VOCAB_CONDITIONALS = 0,  /* "Equal To", ... */
	ONTRA_RULE_VOCAB_RELATIVE_DATES = 1 /* "TODAY", "YESTERDAY", ... */
} ontra_rule_vocab;

/** A NULL-terminated static list of the words of a vocabulary, or NULL. */
ONTRA_EXTERN const char *const *ontra_rule_vocabulary(ontra_rule_vocab which);

/**
 * Parse one part of a rule (syntax only; no I/O). *out is a new JSON array,
 * one object per item: {"name": "...", "args": ["...", ...]} and, for
 * conditions after the first, "join": "AND" or "OR". Whitespace around
 * items and arguments is dropped. An empty string gives an empty array.
 * Errors: ONTRA_EINVALID, the message naming the part, the item's position
 * and text ("conditions item 2 'Is_in_category(2': missing ')'"); input
 * past the limits (64 KiB, 256 items, 16 arguments an item) is refused.
 */
ONTRA_EXTERN int ontra_rule_parse(json_t **out, ontra_rule_part part, const char *text);

/**
 * Parse one part and check it against the catalogue, for a rule on
 * object_type. On success *out is the part in canonical form (new string,
 * free with ontra_free): items joined by ';' or '|', arguments by ','
 * without spaces. Refused (ONTRA_EINVALID), with the item and its position
 * named: syntax errors, unknown names (with the nearest name suggested),
 * wrong argument counts (with the expected signature), values outside their
 * vocabulary, contacts-only items in a rule for another object type, and an
 * empty events or actions part.
 */
ONTRA_EXTERN int ontra_rule_check(char **out, ontra_rule_part part, const char *text,
                                  int object_type);

#define ONTRA_RULE_OPTIONS_VERSION 2

/* Which way ontra_rule_pause goes; in ontra_rule_options, zero = not given. */
typedef enum ontra_pause_op { ONTRA_PAUSE = 1, ONTRA_UNPAUSE = 2 } ontra_pause_op;

/* A rule's fields. NULL (zero for the others) means "not given": not sent. */
typedef struct ontra_rule_options {
	unsigned int version;       /* ONTRA_RULE_OPTIONS_VERSION */
	long long id;               /* update: the rule's id (required); create: 0 */
	const char *name;           /* the rule's name */
	const char *events;         /* required on create */
	const char *conditions;     /* may be "" (none) */
	const char *actions;        /* required on create */
	ontra_type_opt object_type; /* object_type_id; not given: create for contacts */
	const char *tags;           /* the rule's tags (sent as `tags`) */
	ontra_pause_op pause;       /* ONTRA_PAUSE: paused, ONTRA_UNPAUSE: live */
} ontra_rule_options;

#define ONTRA_RULE_OPTIONS_INIT                                                                    \
	{                                                                                          \
		.version = ONTRA_RULE_OPTIONS_VERSION                                              \
	}

/**
 * POST /Rules (JSON): create a rule. events, conditions and actions are
 * checked first (ontra_rule_check) and sent in canonical form. With pause =
 * ONTRA_PAUSE the new rule is then paused (PUT /Rules), as the API takes no pause on
 * create. *out is the created record (new). Errors: ONTRA_EINVALID (checked
 * locally, nothing sent), and the errors of ontra_call.
 */
ONTRA_EXTERN int ontra_rule_create(json_t **out, ontra_client *c, const ontra_rule_options *o);

/**
 * PUT /Rules (form-encoded): update rule o->id with the fields given. When
 * the rule's object type is needed for the checks and not given, the rule
 * is read first (GET /Rule). *out is the changed attributes (new), with id
 * and dlm. Errors: as ontra_rule_create, and ONTRA_ENOTFOUND.
 */
ONTRA_EXTERN int ontra_rule_update(json_t **out, ontra_client *c, const ontra_rule_options *o);

/** GET /Rule: *out is the rule record (new). Errors: ONTRA_ENOTFOUND. */
ONTRA_EXTERN int ontra_rule_get(json_t **out, ontra_client *c, long long id);

/**
 * POST /objects/pause (ONTRA_PAUSE) or /objects/unpause (ONTRA_UNPAUSE) for
 * rules, by id. Errors: ONTRA_EINVALID (no ids, an id not positive, another
 * op), and the errors of ontra_call.
 */
ONTRA_EXTERN int ontra_rule_pause(ontra_client *c, const long long *ids, size_t n,
                                  ontra_pause_op op);

/* ------------------------------------------------------------------------
 * Object types and their fields (metadata from /objects/meta, cached)
 * ------------------------------------------------------------------------ */

/*
 * The metadata is fetched once per client, or read from the client options'
 * cache_dir when a fresh copy is there. A copy read from the disk that lacks
 * a type or field asked for (one added since, outside this client) is
 * fetched again once before ONTRA_ENOTFOUND or "unknown field" is returned.
 */

/* Well-known object type ids (REFERENCE.md §2); custom objects are >= 10000. */
enum {
	ONTRA_CONTACT = 0,
	ONTRA_TASK = 1,
	ONTRA_USER = 2,
	ONTRA_GROUP = 3,
	ONTRA_SEQUENCE = 5,
	ONTRA_RULE = 6,
	ONTRA_MESSAGE = 7,
	ONTRA_NOTE = 12,
	ONTRA_TAG = 14,
	ONTRA_PRODUCT = 16,
	ONTRA_LANDING_PAGE = 20,
	ONTRA_FORM = 122,
	ONTRA_CAMPAIGN = 140,
	ONTRA_WEBHOOK = 145
};

/**
 * Resolve an object type given by number ("0", "10003") or by name
 * ("contacts", "Contact", "tags", a custom object's name, singular or
 * plural, any case). The built-in types with a name of their own
 * (contacts, tasks, users, sequences, rules, messages, notes, tags,
 * products, forms, campaigns, webhooks, deals, companies, ... and their
 * numbers) map without a request; other numbers and names, custom objects
 * among them, come from the account's metadata (one request, then cached
 * in the client).
 * Errors: ONTRA_ENOTFOUND (no such type; the message suggests the nearest
 * name), and the errors of ontra_call.
 */
ONTRA_EXTERN int ontra_object_type(int *out, ontra_client *c, const char *name_or_id);

/**
 * The display name of a type ("Contact"), from the metadata (borrowed, valid
 * until the client is freed, even after ontra_meta_invalidate), or NULL.
 */
ONTRA_EXTERN const char *ontra_object_type_name(ontra_client *c, int type);

/**
 * All object types of the account: *out is a new array of
 * {"id": N, "name": "...", "fields": count}, sorted by id.
 */
ONTRA_EXTERN int ontra_object_types(json_t **out, ontra_client *c);

/**
 * The fields of a type: *out is borrowed from the client's metadata cache
 * (valid until the client is freed, even after ontra_meta_invalidate):
 * {"<field>": {"alias", "type",
 * "required", "unique", "editable", "deletable"[, "options"]}, ...}.
 */
ONTRA_EXTERN int ontra_fields(const json_t **out, ontra_client *c, int type);

/**
 * Forget the cached metadata (after adding fields or custom objects), in
 * memory and in the options' cache_dir: the next call that needs it fetches
 * it again. A successful write through ontra_send to a field editor path
 * (/objects/fieldeditor, /Contacts/fieldeditor, ...; any method but GET and
 * HEAD) does this by itself, and so do the ontra_field* calls. What ontra_fields and
 * ontra_object_type_name returned before stays valid: the old metadata is
 * kept until the client is freed (so a client that invalidates often holds
 * one copy per invalidation; make a new client now and then if that matters).
 */
ONTRA_EXTERN void ontra_meta_invalidate(ontra_client *c);

/**
 * Check field values for a type before they are sent, and normalise them
 * in place: every key must be a field of the type (else ONTRA_EINVALID
 * "unknown field 'emial' for Contact (did you mean 'email'?)"), writable,
 * and its value of the field's kind: numbers for numeric/price, an address
 * for email, 0/1 for check, an option id or label for drop (labels become
 * ids), option ids for list (joined with the API's star-slash-star separators), Unix seconds or
 * YYYY-MM-DD[ HH:MM[:SS]] (UTC) for dates (become Unix seconds). Values
 * become strings. Errors: ONTRA_EINVALID naming the field and what was
 * expected.
 */
ONTRA_EXTERN int ontra_fields_check(ontra_client *c, int type, json_t *values);

/* ------------------------------------------------------------------------
 * The field editor: custom fields and their sections (/objects/fieldeditor)
 * ------------------------------------------------------------------------ */

/* What to do with a drop/list field's options. */
typedef enum ontra_field_options_op {
	ONTRA_OPTIONS_NONE = 0, /* leave them (update) or none (create) */
	ONTRA_OPTIONS_ADD,      /* add these labels */
	ONTRA_OPTIONS_REMOVE,   /* remove these labels (update only) */
	ONTRA_OPTIONS_REPLACE   /* the options become exactly these labels */
} ontra_field_options_op;

/*
 * One field to create or change. Strings are borrowed. On create, alias and
 * kind are required and required/unique are 0 or 1; on update, a field is
 * named by `field` (its column name, "f1557", or its label) or else by its
 * alias, and NULL kind / -1 required or unique leave those as they are.
 */
typedef struct ontra_field_spec {
	const char *alias; /* the label ("Shoe size"); on update, the new label or NULL */
	const char *kind;  /* text, longtext, email, phone, sms, numeric, price, check, drop,
	                      list, fulldate, country, state, address (ontra_field_kinds) */
	const char *field; /* update: the field to change, by name or label */
	int required;      /* 0 or 1; -1: unchanged (update) */
	int unique;        /* 0 or 1; -1: unchanged (update) */
	ontra_field_options_op options_op; /* drop and list fields only */
	const char *const *options;        /* option labels */
	size_t options_count;
	int column; /* create: the section's column, 0..2 */
} ontra_field_spec;

#define ONTRA_FIELD_SPEC_INIT                                                                      \
	{                                                                                          \
		NULL, NULL, NULL, 0, 0, ONTRA_OPTIONS_NONE, NULL, 0, 0                             \
	}

/* The kinds a field can be created with, NULL-terminated (static). */
ONTRA_EXTERN const char *const *ontra_field_kinds(void);

/**
 * The field editor's sections of a type (GET /objects/fieldeditor), or only
 * the one called `section` (any case) when not NULL: *out is a new array of
 * {"id", "name", "description" (string or null), "fields": [{"id", "field",
 * "alias", "type", "required", "unique", "editable", "deletable", "options",
 * "column"}]} in id order. Errors: ONTRA_ENOTFOUND (no such section), and
 * the errors of ontra_call and ontra_field_sections_parse.
 */
ONTRA_EXTERN int ontra_field_sections(json_t **out, ontra_client *c, int type, const char *section);

/**
 * Create fields in the section `section` of a type (created when missing;
 * n may be 0 to make just the section), or change them (update: the
 * section must exist; a spec naming no existing field creates one).
 * `description` (may be NULL) becomes the section's. Every spec is checked
 * against the account's metadata first, and nothing is sent when one is
 * wrong: ONTRA_EINVALID naming the field and what was expected (an unknown
 * kind, options on a kind without them, a label another field has, a field
 * that does not exist or is not a custom field). On success *out is a new
 * object {"<field name>": "<label>", ...} of the fields made or changed,
 * and the client's metadata (memory and cache_dir) is invalidated, so
 * ontra_fields and ontra_fields_check see them at once. When the server
 * refuses some of the fields it answers with an error list: ONTRA_EINVALID
 * quoting the first (the others may have been made; the metadata is
 * invalidated all the same).
 */
ONTRA_EXTERN int ontra_fields_create(json_t **out, ontra_client *c, int type, const char *section,
                                     const char *description, const ontra_field_spec *specs,
                                     size_t n);
/** The same for changes (PUT): the section must exist; see ontra_fields_create. */
ONTRA_EXTERN int ontra_fields_update(json_t **out, ontra_client *c, int type, const char *section,
                                     const char *description, const ontra_field_spec *specs,
                                     size_t n);

/**
 * Delete a custom field, named by its name ("f1557") or its label, with
 * every record's value of it. Errors: ONTRA_EINVALID (nothing sent) when
 * the metadata says the field is not deletable; ONTRA_ENOTFOUND when there
 * is no such field. The metadata is invalidated on success.
 */
ONTRA_EXTERN int ontra_field_delete(ontra_client *c, int type, const char *field);

/**
 * Delete an empty section. Errors: ONTRA_ENOTFOUND, ONTRA_EINVALID (the
 * server refuses a section that still has fields).
 */
ONTRA_EXTERN int ontra_field_section_delete(ontra_client *c, int type, const char *section);

/**
 * Pure parsers (no I/O) of the field editor's replies, capped
 * (ONTRA_FIELDEDITOR_MAX_* below; beyond a cap ONTRA_EBADRESPONSE).
 * ontra_field_sections_parse: the `data` of GET /objects/fieldeditor (all
 * sections keyed by id, or one section) into the array ontra_field_sections
 * gives. ontra_field_result_parse: the `data` of a POST/PUT
 * ({"success": {...}, "error": [] | {...}}) into *out = {"success": {name:
 * label}, "error": {key: message}} (both objects, possibly empty; a
 * "description" entry of success is left out). Both: *out new; errors
 * ONTRA_EBADRESPONSE naming what was wrong.
 */
#define ONTRA_FIELDEDITOR_MAX_SECTIONS 1000
#define ONTRA_FIELDEDITOR_MAX_FIELDS 10000
/** GET's data into sections (see above). */
ONTRA_EXTERN int ontra_field_sections_parse(json_t **out, const json_t *data);
/** POST/PUT's data into {"success", "error"} (see above). */
ONTRA_EXTERN int ontra_field_result_parse(json_t **out, const json_t *data);

/* ------------------------------------------------------------------------
 * Objects: get, create, update, upsert, delete
 * ------------------------------------------------------------------------ */

/** GET /object: *out is the record (new). Errors: ONTRA_ENOTFOUND when it does not exist. */
ONTRA_EXTERN int ontra_object_get(json_t **out, ontra_client *c, int type, long long id);

/**
 * ontra_object_get as compact JSON text (see ontra_call_text): *out is the
 * response (new), *json and *len the record's text, borrowed from *out.
 * Errors: those of ontra_object_get.
 */
ONTRA_EXTERN int ontra_object_get_text(ontra_response **out, const char **json, size_t *len,
                                       ontra_client *c, int type, long long id);

/**
 * POST /objects: create a record from field values (checked first with
 * ontra_fields_check; `fields` is not modified). *out is the server's reply
 * (new): the record with its id.
 */
ONTRA_EXTERN int ontra_object_create(json_t **out, ontra_client *c, int type, const json_t *fields);

/** PUT /objects: update a record; *out is the changed attributes (new), incl. id and dlm. */
ONTRA_EXTERN int ontra_object_update(json_t **out, ontra_client *c, int type, long long id,
                                     const json_t *fields);

/**
 * POST /objects/saveorupdate: create the record, or merge into the one with
 * the same unique field (email for contacts): the only duplicate-safe write.
 * With ignore_blanks, empty values do not overwrite stored ones. *out is the
 * new record when created, else the changed attributes; *created (if not
 * NULL) says which.
 */
ONTRA_EXTERN int ontra_object_upsert(json_t **out, int *created, ontra_client *c, int type,
                                     const json_t *fields, int ignore_blanks);

/** DELETE /object: delete one record. Errors: ONTRA_ENOTFOUND when it does not exist. */
ONTRA_EXTERN int ontra_object_delete(ontra_client *c, int type, long long id);

/* ------------------------------------------------------------------------
 * Searching: results stream, a page of at most 50 at a time
 * ------------------------------------------------------------------------ */

#define ONTRA_SEARCH_OPTIONS_VERSION 2
#define ONTRA_EXTERNS_MAX 50 /* externs in one search */

typedef struct ontra_search_options {
	unsigned int version; /* ONTRA_SEARCH_OPTIONS_VERSION */
	int object_type;      /* ONTRA_CONTACT, ... */
	const char *search;   /* free text, or NULL */
	int search_notes;     /* also search the objects' notes */
	const long long *ids; /* only these ids, or NULL */
	size_t ids_count;
	const json_t *condition;   /* criteria (ontra_where_parse), borrowed, or NULL */
	const char *sort;          /* field to sort by, or NULL */
	int sort_desc;             /* descending */
	const char *const *fields; /* listFields: only these fields, or NULL */
	size_t fields_count;
	long long group_id;   /* a saved group, or 0 */
	size_t limit;         /* stop after this many objects; 0 = all */
	size_t start;         /* skip this many first */
	long long tag_id;     /* list objects with this tag (GET /objects/tag)... */
	const char *tag_name; /* ...or the tag of this name */
	size_t page_size;     /* 1..50; 0 = 50, the API's maximum */
	/* version 2 */
	/* externs: fields of related records, each "parent//child" (REFERENCE-MORE §M8.1):
	 * the `child` field of the record the object's `parent` field points at, e.g.
	 * "owner//email"; each object gains a member of that name. Borrowed, or NULL. */
	const char *const *externs;
	size_t externs_count; /* at most ONTRA_EXTERNS_MAX */
} ontra_search_options;

#define ONTRA_SEARCH_OPTIONS_INIT                                                                  \
	{                                                                                          \
		.version = ONTRA_SEARCH_OPTIONS_VERSION                                            \
	}

/*
 * Called once per object, in order, as pages arrive. The object is
 * borrowed (json_incref it to keep it). Return 0 to go on, non-zero to
 * stop (the search then returns ONTRA_EUSER).
 */
typedef int (*ontra_object_fn)(json_t *object, void *userdata);

/**
 * Search objects and hand each one to fn as pages arrive: nothing holds
 * the whole result. Pages are requested until a page comes back short or
 * `limit` is reached. The first page by start/range; when it shows ids in
 * ascending order and the search has no sort, group, tag, OR in its
 * condition, or field list without "id", each later page asks for the ids
 * after the last one seen (condition "id > N", sort=id): constant cost per
 * page, and a record deleted meanwhile does not make the next page skip
 * one. Otherwise pages go by start/range to the end. With tag_id or
 * tag_name, lists the objects that have that tag.
 */
ONTRA_EXTERN int ontra_search(ontra_client *c, const ontra_search_options *o, ontra_object_fn fn,
                              void *userdata);

/** How many objects a search would return (GET /objects/getInfo; ignores limit). */
ONTRA_EXTERN int ontra_search_count(long long *out, ontra_client *c, const ontra_search_options *o);

/**
 * Whether search options select every object of their type, that is, narrow
 * nothing down (the policy ontra_objects_delete applies; see there): NULL
 * options, no ids, no condition or an empty or always-true one, a blank
 * search and no positive group_id. 1 when they do, 0 when not. Pure: sends
 * nothing.
 */
ONTRA_EXTERN int ontra_search_selects_all(const ontra_search_options *o);

/* What ontra_objects_delete may delete. */
typedef enum ontra_delete_scope {
	/* what the options narrow down to; refused when they narrow nothing down */
	ONTRA_DELETE_SELECTED = 0,
	/* every object of the type when the options narrow nothing down */
	ONTRA_DELETE_ALL = 1
} ontra_delete_scope;

/**
 * DELETE /objects: delete every object a search selects (ids, condition,
 * search, group). With ONTRA_DELETE_SELECTED, refuses with ONTRA_EINVALID ("refusing to
 * delete every object of the type: ...", nothing sent) a selection that
 * narrows nothing down, since the API would then delete every object of
 * the type: NULL options; no ids; a condition that is NULL, JSON null, an
 * empty array, a blank string, not an array or string, or always true (an
 * OR-group whose clauses every record meets: id > 0, id >= 1, id <> 0,
 * id NOT IN (0), id IS NOT NULL/EMPTY, id LIKE '%'); a blank search; a
 * group_id that is not positive (it is not sent). searchNotes, sort and
 * tag options select nothing. Pass ONTRA_DELETE_ALL to mean every object
 * (with ids, only those ids). Errors: ONTRA_EINVALID, and those of ontra_call.
 */
ONTRA_EXTERN int ontra_objects_delete(ontra_client *c, const ontra_search_options *o,
                                      ontra_delete_scope scope);

/* ------------------------------------------------------------------------
 * Tags, sequences and campaigns
 * ------------------------------------------------------------------------ */

/* Which way a tagging or subscribing call goes. */
typedef enum ontra_list_op { ONTRA_ADD = 0, ONTRA_REMOVE = 1 } ontra_list_op;

/**
 * Add (ONTRA_ADD) or take away (ONTRA_REMOVE) tags given by id on objects
 * (PUT/DELETE /objects/tag). Taking away a tag that does not exist is a
 * mistake, not a no-op: each tag is read first (GET /object) and a missing
 * one is ONTRA_ENOTFOUND ("no tag with id 7"), nothing removed. The API
 * answers before the work is done; the change is visible shortly after.
 */
ONTRA_EXTERN int ontra_tag_ids(ontra_client *c, int type, const long long *ids, size_t n,
                               const long long *tag_ids, size_t ntags, ontra_list_op op);

/**
 * Add tags given by name (ONTRA_ADD: PUT /objects/tagByName; names that do
 * not exist are created), or take them away (ONTRA_REMOVE: DELETE
 * /objects/tagByName; as with ontra_tag_ids, a name that is not a tag is
 * ONTRA_ENOTFOUND, "no tag named 'X'", checked before sending).
 */
ONTRA_EXTERN int ontra_tag_names(ontra_client *c, int type, const long long *ids, size_t n,
                                 const char *const *names, size_t nnames, ontra_list_op op);

/**
 * Find a tag by name (exact, case-sensitive as the API stores it): *out is
 * its id. Errors: ONTRA_ENOTFOUND.
 */
ONTRA_EXTERN int ontra_tag_find(long long *out, ontra_client *c, const char *name);

/**
 * Whether text is an id: 1 when it is digits (with an optional sign) and a
 * valid id (*out is it, 1..ONTRA_ID_MAX), 0 when it is a name (anything
 * else; *out is 0). "0", "-3" and digits past ONTRA_ID_MAX are ids that
 * are not valid:
 * ONTRA_EINVALID ("invalid tag id '0': expected a whole number from 1 to
 * ..."), as is empty text or NULL. `what` names the record in messages
 * ("tag"; NULL = "record"). Pure: sends nothing.
 */
ONTRA_EXTERN int ontra_id_parse(long long *out, const char *text, const char *what);

/**
 * Resolve a tag, form, sequence, campaign, user, product, offer, landing
 * page or saved group (type ONTRA_TAG, ONTRA_FORM, ONTRA_SEQUENCE,
 * ONTRA_CAMPAIGN, ONTRA_USER, ONTRA_PRODUCT, ONTRA_OFFER, ONTRA_LANDING_PAGE,
 * ONTRA_GROUP) given by id or by
 * name: an id as ontra_id_parse says (no request; existence is
 * not checked); anything else is the exact name (tag_name, formname, name,
 * or a user's email), found with one search. Errors: ONTRA_EINVALID (a bad
 * id, another type, or several records of that name: "2 forms are named
 * 'X': give the form's id"), ONTRA_ENOTFOUND ("no tag named 'X'"), and the
 * errors of ontra_call. Object types have their own resolver,
 * ontra_object_type.
 */
ONTRA_EXTERN int ontra_resolve(long long *out, ontra_client *c, int type, const char *name_or_id);

typedef enum ontra_sub_type { ONTRA_SUB_CAMPAIGN = 0, ONTRA_SUB_SEQUENCE = 1 } ontra_sub_type;

/**
 * Add objects to (ONTRA_ADD) or take them out of (ONTRA_REMOVE) sequences
 * or campaigns (automations), PUT/DELETE /objects/subscribe with sub_type.
 */
ONTRA_EXTERN int ontra_subscribe(ontra_client *c, int type, const long long *ids, size_t n,
                                 const long long *list_ids, size_t nlists, ontra_sub_type kind,
                                 ontra_list_op op);

/* ------------------------------------------------------------------------
 * Webhooks (object type 145): the subscriptions behind Watch Events
 * (REFERENCE.md §8). Ontraport POSTs an event to the subscribed URL when it
 * happens; ontra_receiver_start receives it (below), as `ontraport watch` does.
 * ------------------------------------------------------------------------ */

/* What a subscription watches (§8.2); each takes one target id. */
typedef enum ontra_webhook_event {
	ONTRA_EVENT_OBJECT_CREATE = 0, /* object_create(<object type id>): an object is created */
	ONTRA_EVENT_SUB_TAG = 1,       /* sub_tag(<tag id>): a tag is added to an object */
	ONTRA_EVENT_UNSUB_TAG = 2,     /* unsub_tag(<tag id>): a tag is removed */
	ONTRA_EVENT_SUBMITS_FORM = 3,  /* object_submits_form(<form id>): a form is filled in */
	/* purchase_product(<product id>): a contact buys the product; each delivery is one
	 * purchase record (object type 17) */
	ONTRA_EVENT_PURCHASE_PRODUCT = 4,
	/* transaction_created_with_product(<product id>): a transaction holding the product
	 * is made or logged; each delivery is the transaction (object type 46) */
	ONTRA_EVENT_TRANSACTION_PRODUCT = 5
} ontra_webhook_event;

/* What each delivery's `data` holds (§8.3). */
typedef enum ontra_webhook_format {
	ONTRA_WEBHOOK_FULL = 0,       /* every field of the record (no `data` option is sent) */
	ONTRA_WEBHOOK_NOTIFY = 1,     /* every field present, only the id filled */
	ONTRA_WEBHOOK_LIGHTWEIGHT = 2 /* contacts: id, firstname, lastname, email; others: a few */
} ontra_webhook_format;

/** The API's name of an event ("sub_tag"; static string), or NULL for an invalid value. */
ONTRA_EXTERN const char *ontra_webhook_event_name(ontra_webhook_event ev);

/** The API's name of a format ("notify"; "full" for the default; static), or NULL. */
ONTRA_EXTERN const char *ontra_webhook_format_name(ontra_webhook_format format);

/**
 * Write the event string the API takes, "sub_tag(3)", into out (outsz bytes,
 * 64 is always enough). Errors: ONTRA_EINVALID for an invalid event, a
 * target below 0 (object_create: a type id) or 1 (the others: a tag, form or
 * product id), or a buffer too small.
 */
ONTRA_EXTERN int ontra_webhook_event_string(char *out, size_t outsz, ontra_webhook_event ev,
                                            long long target);

#define ONTRA_WEBHOOK_OPTIONS_VERSION 1

typedef struct ontra_webhook_options {
	unsigned int version;        /* ONTRA_WEBHOOK_OPTIONS_VERSION */
	const char *url;             /* where to POST: an http:// or https:// URL (required) */
	ontra_webhook_event event;   /* what to watch */
	long long target;            /* the object type, tag, form or product id the event takes */
	ontra_webhook_format format; /* ONTRA_WEBHOOK_FULL */
} ontra_webhook_options;

#define ONTRA_WEBHOOK_OPTIONS_INIT                                                                 \
	{                                                                                          \
		.version = ONTRA_WEBHOOK_OPTIONS_VERSION                                           \
	}

/**
 * POST /Webhook/subscribe (form-encoded, as the official SDK sends it): url,
 * event ("object_create(0)"), and data ({"format":"notify"}) unless the
 * format is full. *out is the server's reply (new): {url, event, id (a
 * number), owner}. Errors: ONTRA_EINVALID (checked locally, nothing sent: a
 * URL that is not http(s) or holds blanks, a bad event, target or format),
 * ONTRA_EUNSAFE (the request may have reached the server and is not repeated:
 * a repeat could subscribe twice), and the errors of ontra_call.
 */
ONTRA_EXTERN int ontra_webhook_subscribe(json_t **out, ontra_client *c,
                                         const ontra_webhook_options *o);

/**
 * DELETE /Webhook/unsubscribe?id=: end a subscription. Errors:
 * ONTRA_EINVALID (id not positive), ONTRA_ENOTFOUND (no such subscription),
 * and the errors of ontra_call.
 */
ONTRA_EXTERN int ontra_webhook_unsubscribe(ontra_client *c, long long id);

/**
 * GET /Webhook?id=: one subscription (new): at least {id, event, url}, with
 * data, last_hook, last_code and last_payload where the server gives them.
 * Errors: ONTRA_ENOTFOUND, and the errors of ontra_call.
 */
ONTRA_EXTERN int ontra_webhook_get(json_t **out, ontra_client *c, long long id);

/**
 * GET /Webhooks, page by page: hand each subscription ({id, event, data, url,
 * last_hook, last_code, last_payload}; borrowed) to fn, as ontra_search does
 * (a non-zero return stops the walk with ONTRA_EUSER).
 */
ONTRA_EXTERN int ontra_webhook_list(ontra_client *c, ontra_object_fn fn, void *userdata);

/* ------------------------------------------------------------------------
 * Receiving events: the webhook bodies Ontraport POSTs (§8.3), parsed
 * without I/O, and a small embeddable receiver that listens for them.
 * ------------------------------------------------------------------------ */

/*
 * One event, as Ontraport delivered it: its type, the record's object type
 * and fields, the tag, form or product id it concerns. Opaque; read it with
 * the accessors below, which return borrowed values valid until
 * ontra_event_free, and never fail (absent values are NULL or 0).
 */
typedef struct ontra_event ontra_event;

/* The caps on one body: bytes, nesting (the top level counts 1), fields. */
#define ONTRA_EVENT_MAX_BODY (1024 * 1024)
#define ONTRA_EVENT_MAX_DEPTH 32
#define ONTRA_EVENT_MAX_FIELDS 10000

/**
 * Parse one webhook body. No I/O, no global state: safe from any thread.
 *
 * `content_type` is the request's Content-Type or NULL: application/json
 * (or text/json, application/<x>+json) is JSON; application/x-www-form-
 * urlencoded is a PHP form body with bracket keys (event[type]=sub_tag,
 * data[firstname]=Mary); NULL or text/plain is sniffed (JSON when the first
 * non-blank byte is '{'). Either encoding, and every data format of the
 * subscription (full, notify, lightweight), gives the same event. The body
 * must be UTF-8 without NUL bytes, within the caps above, with an `event`
 * object holding a string `type`.
 *
 * Returns 0 and *out (free it with ontra_event_free). Errors: ONTRA_EINVALID
 * for every refused body (empty, too large, an unsupported content type, bad
 * bytes, too deep or too many fields, malformed, not an Ontraport event),
 * with one line in ontra_error_last()->message and the HTTP status a
 * receiver answers for it (400, 413 or 415) in its http_status;
 * ONTRA_ERROR (out of memory).
 */
ONTRA_EXTERN int ontra_event_parse(ontra_event **out, const char *body, size_t len,
                                   const char *content_type);

/** Free an event (NULL is accepted). */
ONTRA_EXTERN void ontra_event_free(ontra_event *ev);

/** The event's type as sent ("sub_tag", "object_create", ...). Never NULL. */
ONTRA_EXTERN const char *ontra_event_type(const ontra_event *ev);

/** The type as an ontra_webhook_event, or -1 for a type the library does not know. */
ONTRA_EXTERN int ontra_event_kind(const ontra_event *ev);

/** object_type_id: the type of the record in data (0 contacts), or -1 when absent. */
ONTRA_EXTERN int ontra_event_object_type(const ontra_event *ev);

/** The record's id (data[id]), or 0 when absent or not an id. */
ONTRA_EXTERN long long ontra_event_object_id(const ontra_event *ev);

/** webhook_id: the subscription that sent it, or 0 when absent. */
ONTRA_EXTERN long long ontra_event_webhook_id(const ontra_event *ev);

/** timestamp: Unix seconds, or 0 when absent. */
ONTRA_EXTERN long long ontra_event_timestamp(const ontra_event *ev);

/** event[tag_id] (sub_tag, unsub_tag), or 0 when absent. */
ONTRA_EXTERN long long ontra_event_tag_id(const ontra_event *ev);
/** event[form_id] (object_submits_form), or 0 when absent. */
ONTRA_EXTERN long long ontra_event_form_id(const ontra_event *ev);
/** event[product_id] (purchase_product, transaction_created_with_product), or 0. */
ONTRA_EXTERN long long ontra_event_product_id(const ontra_event *ev);

/**
 * One field of the record (data[name]) as the string Ontraport sent, or
 * NULL when absent, null or not a string (a nested value: see
 * ontra_event_data). In the notify format every field but id is "".
 */
ONTRA_EXTERN const char *ontra_event_field(const ontra_event *ev, const char *name);

/** The record's fields (borrowed object; scalars as strings, nested values as sent). */
ONTRA_EXTERN const json_t *ontra_event_data(const ontra_event *ev);

/** "form" or "json": the encoding the body came in. */
ONTRA_EXTERN const char *ontra_event_encoding(const ontra_event *ev);

/**
 * The whole event as one JSON object (borrowed): {"webhook_id", "object_type_id",
 * "timestamp" (strings or null), "event": {"type", "tag_id", ...}, "data": {...},
 * "encoding", and "extra": {unknown top-level fields} when any}. From a
 * receiver with a queue it also holds "id" (the queue's), "received_at" and
 * "webhook_key".
 */
ONTRA_EXTERN const json_t *ontra_event_json(const ontra_event *ev);

/*
 * A receiver: an HTTP endpoint (libmicrohttpd) that takes Ontraport's POSTs
 * at /hooks/<token>, parses each body with ontra_event_parse and hands the
 * event to a callback. Subscribe its URL with ontra_webhook_subscribe.
 *
 * Without a queue, the sender's answer waits for the callback: 200 when it
 * returned 0, 500 when it did not (the event was not handled: the sender may
 * send it again). With a queue (a SQLite file), the answer is 200 once the
 * event is on disk, and the callback is called afterwards from the queue, in
 * arrival order, again after a failure (with a growing delay, up to
 * max_attempts), and after a restart for events received but not handled.
 * Bodies that are not events are answered 400/413/415 and never reach the
 * callback nor the queue; other paths 404, other methods 405.
 *
 * The callback is called from a thread of the receiver, never from two at
 * once, and never after ontra_receiver_free returned. It gets the event
 * borrowed for the call. Return 0 when the event is handled.
 */
typedef int (*ontra_event_fn)(const ontra_event *ev, void *userdata);

#define ONTRA_RECEIVER_OPTIONS_VERSION 1

typedef struct ontra_receiver_options {
	unsigned int version;    /* ONTRA_RECEIVER_OPTIONS_VERSION */
	ontra_event_fn on_event; /* required */
	void *userdata;          /* passed to on_event */
	const char *bind;        /* numeric address to listen on; NULL = "127.0.0.1" */
	int port;                /* 0 = any free port (ontra_receiver_port tells which) */
	/* A listening socket to serve on instead of bind and port (borrowed: the
	 * receiver serves on a dup of it); 0 = none. */
	int listen_fd;
	/* The path token: 32 to 128 hex digits. NULL = a new random one
	 * (ontra_receiver_path tells it). Copied. */
	const char *token;
	/* A queue file (created mode 0600 if needed); NULL = no queue. Copied. */
	const char *queue_path;
	int max_attempts;   /* queue: calls before an event is given up (dead); 0 = 8 */
	long retry_base_ms; /* queue: delay after the first failure, doubling; 0 = 1000 */
	long retry_cap_ms;  /* queue: longest delay; 0 = 300000 */
	unsigned threads;   /* HTTP threads; 0 = the number of CPUs, at least 2 */
	size_t max_body;    /* bytes; 0 = ONTRA_EVENT_MAX_BODY */
	/* One line (ONTRA_LOG_INFO) per request not answered 200 and per event the
	 * callback failed, from the receiver's threads (optional; never shows a token). */
	ontra_log_fn log;
	void *log_userdata;
} ontra_receiver_options;

#define ONTRA_RECEIVER_OPTIONS_INIT                                                                \
	{                                                                                          \
		.version = ONTRA_RECEIVER_OPTIONS_VERSION                                          \
	}

typedef struct ontra_receiver ontra_receiver;

/**
 * Open the queue (if any), listen and start calling back: events may arrive
 * before this returns. Returns 0 and *out. Errors: ONTRA_EINVALID (no
 * callback, a bad token, port, address or socket, a queue_path that is not
 * an event queue), ONTRA_ERROR (cannot listen: the port is taken; the queue
 * cannot be opened), with one line in ontra_error_last().
 */
ONTRA_EXTERN int ontra_receiver_start(ontra_receiver **out, const ontra_receiver_options *o);

/** The port the receiver listens on. */
ONTRA_EXTERN int ontra_receiver_port(const ontra_receiver *r);

/** The path events are POSTed to, "/hooks/<token>" (borrowed; secret: do not log it). */
ONTRA_EXTERN const char *ontra_receiver_path(const ontra_receiver *r);

/**
 * Stop: refuse new requests (503), wait for the callback in flight, free.
 * With a queue, events received but not yet handled stay in the file for
 * the next start. NULL is accepted. Not from within the callback.
 */
ONTRA_EXTERN void ontra_receiver_free(ontra_receiver *r);

/* ------------------------------------------------------------------------
 * Commerce (REFERENCE-MORE.md §M2): products, offers, transactions,
 * purchases and orders.
 *
 * Products (ONTRA_PRODUCT, 16) are plain objects: create, update, get and
 * delete them with the ontra_object_* calls, which check the fields against
 * the account's metadata; list them with ontra_search. Transactions,
 * purchases, orders and open orders are read the same way (ontra_object_get,
 * ontra_search: pages stream). An offer is what a transaction sells: a JSON
 * object {"products": [line, ...], ...} as the API takes it (§M2.3); the
 * calls below build, check and send it.
 * ------------------------------------------------------------------------ */

/* The commerce object types (§M2.1) besides ONTRA_PRODUCT. */
enum {
	ONTRA_PURCHASE = 17,    /* one line of a transaction: what a contact bought */
	ONTRA_OPEN_ORDER = 44,  /* a future charge of a subscription or payment plan */
	ONTRA_TRANSACTION = 46, /* an invoice (meta name "Invoice") */
	ONTRA_ORDER = 52,       /* the schedule of a subscription or payment plan */
	ONTRA_OFFER = 65,       /* a saved offer */
	ONTRA_GATEWAY = 70      /* a payment gateway */
};

/* Limits of an offer line's text (ontra_offer_line_parse). */
#define ONTRA_OFFER_LINE_MAX 512 /* bytes of the whole text */
#define ONTRA_QUANTITY_MAX 100000
#define ONTRA_PAYMENTS_MAX 1000

/**
 * Parse the text of one offer line, as a command line gives it (pure: no
 * I/O):
 *
 *   PRODUCT[*QUANTITY][@PRICE[/UNIT[/PAYMENTS]]]
 *
 * PRODUCT is a product's id or exact name (not resolved here); QUANTITY a
 * whole number from 1 to ONTRA_QUANTITY_MAX (default 1); PRICE the price of
 * one, a number >= 0 with at most two decimals (default: the product's
 * price); UNIT day, week, month, quarter or year makes it a subscription
 * (charged every UNIT), and PAYMENTS (2 to ONTRA_PAYMENTS_MAX) a payment
 * plan of that many payments of PRICE. A '*' or '@' that does not start a
 * valid suffix belongs to the name ("2*4 Lumber" is a name). *out is a new
 * object {"product": "...", "quantity": N, "type": "single" |
 * "subscription" | "payment_plan"[, "price": "10.00"][, "unit": "month"]
 * [, "payment_count": N]}. Errors: ONTRA_EINVALID, naming the part that is
 * wrong ("invalid quantity '0' in 'Widget*0': expected 1 to 100000").
 */
ONTRA_EXTERN int ontra_offer_line_parse(json_t **out, const char *text);

/**
 * Check an offer before it is sent (pure: no I/O): an object whose
 * "products" is a non-empty array (at most 100) of lines, each with a
 * positive "id", a "quantity" from 1 to ONTRA_QUANTITY_MAX, a "type" of
 * single, one_time, subscription or payment_plan, and, when present, a
 * "price" array of one {price >= 0[, payment_count][, unit]} whose unit is
 * day, week, month, quarter or year (required for subscriptions and payment
 * plans); numbers may be JSON numbers or strings of digits. Errors:
 * ONTRA_EINVALID naming the line and the key ("offer line 2: invalid
 * quantity 0: expected 1 to 100000").
 */
ONTRA_EXTERN int ontra_offer_check(const json_t *offer);

/**
 * Parse a line's text (ontra_offer_line_parse), resolve its product (an id
 * or an exact name, ontra_resolve), read the product (GET /Product: it must
 * exist; its name, and its price when the text gives none, go into the
 * line) and append the line to offer's "products" (created when absent).
 * `offer` is borrowed and modified. Errors: ONTRA_EINVALID (the text),
 * ONTRA_ENOTFOUND ("no product named 'X'", "no product with id 9"), and the
 * errors of ontra_call; on failure offer is unchanged.
 */
ONTRA_EXTERN int ontra_offer_add_line(json_t *offer, ontra_client *c, const char *text);

/**
 * POST /Offers (JSON): save an offer under a name, as {name, public: 1,
 * data: the offer as JSON text}. The offer is checked first
 * (ontra_offer_check). *out is the created record (new). Errors:
 * ONTRA_EINVALID (a missing name, a bad offer; nothing sent), ONTRA_EUNSAFE
 * (the request may have reached the server and is not repeated), and the
 * errors of ontra_call.
 */
ONTRA_EXTERN int ontra_offer_create(json_t **out, ontra_client *c, const char *name,
                                    const json_t *offer);

/**
 * PUT /Offers (JSON): change offer id's name (NULL: unchanged) and/or its
 * offer (NULL: unchanged; else checked first). *out is the changed
 * attributes (new). Errors: ONTRA_EINVALID (nothing to change, a bad id or
 * offer), ONTRA_ENOTFOUND, and the errors of ontra_call.
 */
ONTRA_EXTERN int ontra_offer_update(json_t **out, ontra_client *c, long long id, const char *name,
                                    const json_t *offer);

/**
 * GET /Offer: *out is the offer record (new), its "data" (the offer as JSON
 * text) also decoded into "offer" when it parses. Errors: ONTRA_ENOTFOUND,
 * and the errors of ontra_call.
 */
ONTRA_EXTERN int ontra_offer_get(json_t **out, ontra_client *c, long long id);

#define ONTRA_TRANSACTION_OPTIONS_VERSION 1

/* invoice_template: send no invoice e-mail. */
#define ONTRA_INVOICE_NONE (-1)

/* A manual transaction (POST /transaction/processManual, §M2.5). Pointers are borrowed. */
typedef struct ontra_transaction_options {
	unsigned int version; /* ONTRA_TRANSACTION_OPTIONS_VERSION */
	long long contact_id; /* who pays (required) */
	const json_t *offer;  /* what is sold (required; ontra_offer_check) */
	int log_only;         /* non-zero: only record a sale made elsewhere (chargeLog: no
	                         gateway, no card); zero: charge now (chargeNow) */
	long long gateway_id; /* chargeNow: the gateway object's id (required) */
	long long cc_id;      /* chargeNow: a card on file; 0 = payer, else the default card */
	const json_t *payer;  /* chargeNow: a new card {ccnumber, code, expire_month,
	                         expire_year}, or NULL */
	const json_t *billing_address; /* {address, city, state, zip, country}, or NULL */
	long long invoice_template;    /* 0 = the default (1); ONTRA_INVOICE_NONE = no e-mail */
	long long trans_date;          /* Unix seconds (sent in ms); 0 = now */
	const char *external_order_id; /* or NULL */
} ontra_transaction_options;

#define ONTRA_TRANSACTION_OPTIONS_INIT                                                             \
	{                                                                                          \
		.version = ONTRA_TRANSACTION_OPTIONS_VERSION                                       \
	}

/**
 * POST /transaction/processManual (JSON): charge a contact, or log a sale.
 * Checked first, nothing sent on a mistake: a positive contact id, the
 * offer (ontra_offer_check), a gateway for a charge, no gateway, card or
 * payer for a logged sale. Never repeated once it may have been sent (a
 * repeat could charge twice). *out is the reply's data (new): at least
 * {"invoice_id": N}, the transaction's id. Errors: ONTRA_EINVALID (also the
 * server's "Invalid Contact ID"), ONTRA_EUNSAFE, and the errors of
 * ontra_call.
 */
ONTRA_EXTERN int ontra_transaction_process(json_t **out, ontra_client *c,
                                           const ontra_transaction_options *o);

/* What ontra_transaction_act does to transactions (§M2.4). */
typedef enum ontra_transaction_op {
	ONTRA_TXN_REFUND = 0,        /* PUT /transaction/refund: give the money back */
	ONTRA_TXN_VOID = 1,          /* PUT /transaction/void: cancel an unsettled charge */
	ONTRA_TXN_WRITE_OFF = 2,     /* PUT /transaction/writeOff: stop collecting it */
	ONTRA_TXN_MARK_PAID = 3,     /* PUT /transaction/markPaid: paid outside the gateway */
	ONTRA_TXN_RERUN = 4,         /* POST /transaction/rerun: charge a declined one again */
	ONTRA_TXN_RESEND_INVOICE = 5 /* POST /transaction/resendInvoice: e-mail the invoice */
} ontra_transaction_op;

/** The op's API name ("writeOff"; static), or NULL for an invalid value. */
ONTRA_EXTERN const char *ontra_transaction_op_name(ontra_transaction_op op);

/**
 * Apply op to transactions given by id (1 to 500 ids, each positive). The
 * bulk ops send {"objectID": 46, "ids": [...]} as JSON in one request;
 * markPaid takes one id a request (form-encoded), so it sends one per id,
 * in order, and stops at the first failure. rerun and resendInvoice are
 * never repeated once they may have been sent (a repeat charges or e-mails
 * again). *out (if not NULL) is the last reply's data (new): "Refunded",
 * "Voided", 1, [] or "". Errors: ONTRA_EINVALID (checked locally: no ids, a
 * bad id or op), ONTRA_ENOTFOUND, ONTRA_EUNSAFE, and the errors of
 * ontra_call.
 */
ONTRA_EXTERN int ontra_transaction_act(json_t **out, ontra_client *c, ontra_transaction_op op,
                                       const long long *ids, size_t n);

/**
 * GET /transaction/order?id=: the order of a subscription or payment plan
 * as an offer (new): products, cc_id, offer_id, order_id, payment_next_date,
 * status, ... (§M2.7). id is the order's id (the sandbox also takes a
 * transaction's id that has an order). Errors: ONTRA_EINVALID (id not
 * positive), ONTRA_ENOTFOUND, and the errors of ontra_call.
 */
ONTRA_EXTERN int ontra_order_get(json_t **out, ontra_client *c, long long id);

/**
 * PUT /transaction/order (JSON {"offer": offer}): change an order, for
 * instance its card (cc_id) or its products. offer is what ontra_order_get
 * gave, changed; it must carry order_id and offer_id, and pass
 * ontra_offer_check. *out is the updated order record (new). Errors:
 * ONTRA_EINVALID (nothing sent), ONTRA_ENOTFOUND, and the errors of
 * ontra_call.
 */
ONTRA_EXTERN int ontra_order_update(json_t **out, ontra_client *c, const json_t *offer);

/* ------------------------------------------------------------------------
 * Tasks (object type 1): assign, complete, cancel, reopen, reschedule
 * (REFERENCE-MORE §M3). Read and list tasks with ontra_object_get and
 * ontra_search (ONTRA_TASK); status is 0 pending, 1 complete, 2 cancelled.
 * ------------------------------------------------------------------------ */

#define ONTRA_TASK_ASSIGN_OPTIONS_VERSION 1

typedef struct ontra_task_assign_options {
	unsigned int version; /* ONTRA_TASK_ASSIGN_OPTIONS_VERSION */
	long long message_id; /* the task message (a message of type task): required */
	int object_type;      /* the type of the objects given a task (ONTRA_CONTACT, ...) */
	const long long *ids; /* the objects: one task each (1 to 500; borrowed) */
	size_t ids_count;
	long long owner; /* the assignee, a user id; 0 = the message's (else the object's owner) */
	long long due;   /* Unix seconds; 0 = the message's due_date days from now */
	int fulfillment; /* a fulfillment task (type -1) instead of a normal one (0) */
} ontra_task_assign_options;

#define ONTRA_TASK_ASSIGN_OPTIONS_INIT                                                             \
	{                                                                                          \
		.version = ONTRA_TASK_ASSIGN_OPTIONS_VERSION                                       \
	}

/**
 * POST /task/assign: give each object of o->ids a task from the task
 * message o->message_id. Creates tasks, so it is never repeated once it may
 * have been sent. The reply has no data. Errors: ONTRA_EINVALID (checked
 * locally: no ids, a bad id, owner or due; or the server's: not a task
 * message, an object that does not exist), ONTRA_EUNSAFE, and the errors of
 * ontra_call.
 */
ONTRA_EXTERN int ontra_task_assign(ontra_client *c, const ontra_task_assign_options *o);

/* What ontra_task_act does to tasks. */
typedef enum ontra_task_op {
	ONTRA_TASK_COMPLETE = 0, /* POST /task/complete: status 1, date_complete now */
	ONTRA_TASK_CANCEL = 1,   /* POST /task/cancel: status 2 */
	ONTRA_TASK_REOPEN = 2    /* POST /task/reopen: status 0 again */
} ontra_task_op;

/** The op's API name ("complete"; static), or NULL for an invalid value. */
ONTRA_EXTERN const char *ontra_task_op_name(ontra_task_op op);

/**
 * Apply op to the tasks ids (1 to 500 task ids, each positive) in one
 * request (JSON; safe to repeat). Errors: ONTRA_EINVALID (checked locally,
 * or a task that does not exist), and the errors of ontra_call.
 */
ONTRA_EXTERN int ontra_task_act(ontra_client *c, ontra_task_op op, const long long *ids, size_t n);

/**
 * POST /task/reschedule: the task id is now due at `when` (Unix seconds,
 * from 1). Errors: ONTRA_EINVALID (checked locally, or no such task), and the
 * errors of ontra_call.
 */
ONTRA_EXTERN int ontra_task_reschedule(ontra_client *c, long long id, long long when);

/* ------------------------------------------------------------------------
 * Forms (object type 122) and landing pages (20): REFERENCE-MORE §M6.
 * Read and list their records with ontra_object_get and ontra_search
 * (ONTRA_FORM, ONTRA_LANDING_PAGE); resolve one by name with ontra_resolve.
 * ------------------------------------------------------------------------ */

#define ONTRA_FORM_BLOCKS_MAX 1000   /* entries in one page of form blocks */
#define ONTRA_FORM_TEXT_MAX 65536    /* bytes of a block id or a form's name */
#define ONTRA_FORM_HTML_MAX 16777216 /* bytes of a form's HTML */

/**
 * Pure: check the data of GET /Form/getAllFormBlocks (an object
 * {"<block id>": "<form name>", ...}; the empty page may be [] as PHP
 * writes it) and give *out (new) as an array of {"block_id", "formname"} in
 * the server's order. Capped: at most ONTRA_FORM_BLOCKS_MAX entries, names
 * and ids non-empty strings of at most ONTRA_FORM_TEXT_MAX bytes without
 * control characters. Errors: ONTRA_EBADRESPONSE naming what was wrong.
 */
ONTRA_EXTERN int ontra_form_blocks_parse(json_t **out, const json_t *data);

/**
 * Pure: check the data of GET /Form/getBlocksByFormName ({"block_ids":
 * ["f1", ...]}) and give *out (new) as the array of block ids, each as
 * ontra_form_blocks_parse checks them. Errors: ONTRA_EBADRESPONSE.
 */
ONTRA_EXTERN int ontra_block_ids_parse(json_t **out, const json_t *data);

/* Called once per form block, in order; the strings are borrowed. Return
 * non-zero to stop (the call then returns ONTRA_EUSER). */
typedef int (*ontra_form_block_fn)(const char *block_id, const char *formname, void *userdata);

/**
 * Every form block of the account (GET /Form/getAllFormBlocks, page 0, 1,
 * ... of 50), handed to fn as pages arrive, until a page comes back with
 * fewer than 50 or `limit` blocks were given (0 = all). Errors: those of
 * ontra_call and ontra_form_blocks_parse, ONTRA_EUSER.
 */
ONTRA_EXTERN int ontra_form_blocks(ontra_client *c, size_t limit, ontra_form_block_fn fn,
                                   void *userdata);

/**
 * The block ids of the form or landing page named `name` (GET
 * /Form/getBlocksByFormName): *out a new array of strings. Errors:
 * ONTRA_EINVALID (empty name, nothing sent), ONTRA_ENOTFOUND (no form or
 * landing page of that name), and those of ontra_call and
 * ontra_block_ids_parse.
 */
ONTRA_EXTERN int ontra_form_block_ids(json_t **out, ontra_client *c, const char *name);

/**
 * A form's HTML (GET /form?id=, the lower-case path): *out a new
 * NUL-terminated string, free with ontra_free. For an ONTRAform the API
 * gives its embed script. Errors: ONTRA_EINVALID (id not positive),
 * ONTRA_ENOTFOUND, ONTRA_EBADRESPONSE (not a string, or over
 * ONTRA_FORM_HTML_MAX), and those of ontra_call.
 */
ONTRA_EXTERN int ontra_form_html(char **out, ontra_client *c, long long form_id);

/**
 * A landing page's hosted URL (GET /landingPage/getHostedURL?id=): *out a
 * new string ("http://user.ontraport.com/123"), free with ontra_free.
 * Errors: ONTRA_EINVALID (id not positive), ONTRA_ENOTFOUND,
 * ONTRA_EBADRESPONSE (not an http or https URL), and those of ontra_call.
 */
ONTRA_EXTERN int ontra_landing_page_url(char **out, ontra_client *c, long long id);

#ifdef __cplusplus
}
#endif

#endif /* ONTRAPORT_H */
