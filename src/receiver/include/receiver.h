/*
 * receiver: the Watch Events webhook receiver (internal prefix rcv_).
 *
 * This is the only header the rest of the project (`ontraport watch`,
 * `ontraport events`, tests, benchmarks) uses. Four parts, each usable alone:
 *
 *   parser   rcv_body_parse: bytes + Content-Type in, one normalized event
 *            (a jansson object) out. No I/O, hard limits; fuzzed.
 *   queue    rcv_queue_*: a durable SQLite queue with group commit. An
 *            enqueued event is on disk (WAL, synchronous=FULL) when
 *            rcv_queue_enqueue returns. Or, opened with a postgresql://
 *            URL, the same queue on PostgreSQL (src/pgqueue), shared by
 *            receivers and workers on several hosts (docs/postgresql.md).
 *   server   rcv_server_*: the HTTP endpoint (libmicrohttpd). POST
 *            /hooks/<token> only; answers 200 after the event committed.
 *   deliver  rcv_deliver_*: a thread that hands each event, at least once and
 *            in arrival order per webhook key, to one handler (a FILE* as
 *            NDJSON, an exec'd command, an HTTP forward, or a function).
 *
 * Lifetimes: the caller opens the queue, then starts the server and the
 * delivery on it (both borrow the queue), and stops them in reverse order:
 * rcv_server_stop, rcv_deliver_stop, rcv_queue_close.
 *
 * Errors: functions that can fail return 0 or a negative RCV_E* code; those
 * that build something write it through an `out` parameter that comes first
 * (NULL on failure) and put one lowercase line in `err` when given one.
 * The design note is docs/receiver.md.
 */
#ifndef RECEIVER_H
#define RECEIVER_H

#include "rcv_names.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

typedef enum rcv_error_code {
	RCV_OK = 0,
	RCV_ERROR = -1,      /* internal: SQLite, I/O, out of memory */
	RCV_EEMPTY = -2,     /* empty body                        -> HTTP 400 */
	RCV_ETOOLARGE = -3,  /* body over the byte cap            -> HTTP 413 */
	RCV_EMEDIA = -4,     /* unsupported Content-Type          -> HTTP 415 */
	RCV_EENCODING = -5,  /* not UTF-8, or a NUL byte          -> HTTP 400 */
	RCV_ESYNTAX = -6,    /* malformed JSON or form body       -> HTTP 400 */
	RCV_ELIMIT = -7,     /* nesting or field count over a cap -> HTTP 400 */
	RCV_ESHAPE = -8,     /* parsed, but not an event: wrong or missing fields -> 400 */
	RCV_ENOTFOUND = -9,  /* queue: no such event, or nothing to claim */
	RCV_ESTOPPED = -10,  /* the queue is closing              -> HTTP 503 */
	RCV_EINVALID = -11,  /* a caller's argument is invalid (bad token, bad config) */
	RCV_ENOTQUEUE = -12, /* queue: the file is not an event queue (left unchanged), or the
	                      * PostgreSQL database's schema is missing or newer */
	RCV_EUNAVAIL = -13,  /* queue: the PostgreSQL server cannot be reached -> HTTP 503 */
	RCV_ELEASE = -14     /* queue: the claim's lease was lost: another worker has the event */
} rcv_error_code;

/* A short lowercase description of a code ("body too large"). Never NULL. */
const char *rcv_strerror(int code);

/* The HTTP status the endpoint answers for a code (400, 413, 415, 503, 500). */
int rcv_http_status(int code);

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t rcv_now_ms(void);

/* Format ms since the epoch as UTC "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (>= 32 bytes). */
void rcv_format_time(int64_t ms, char *buf, size_t bufsz);

/* ------------------------------------------------------------------------
 * Parser (event.c): no I/O
 * ------------------------------------------------------------------------ */

typedef enum rcv_mode {
	/*
	 * An Ontraport API webhook: an `event` object with a string `type` is
	 * required. Normalized to
	 *   {"webhook_id": S, "object_type_id": S, "timestamp": S,
	 *    "event": {"type": "sub_tag", "tag_id": "4", ...},
	 *    "data": {record fields}, "encoding": "json"|"form",
	 *    "extra": {unknown top-level fields}}      (extra only when any)
	 * where S is a string or null when absent; scalar values in event and
	 * data become strings (numbers in decimal, true/false as "1"/"0" as
	 * PHP's form encoding writes them); null stays null; nested objects
	 * and arrays in data are kept as they are.
	 */
	RCV_MODE_ONTRAPORT = 0,
	/*
	 * Anything a "Send to a Webhook" campaign element may send: any JSON
	 * object or form body, delivered as {"encoding": E, "fields": {...}}
	 * with the fields as parsed (form values are strings; JSON keeps its
	 * types).
	 */
	RCV_MODE_GENERIC = 1
} rcv_mode;

/* Caps on one body. A zero field means its default (below), never "unlimited". */
typedef struct rcv_limits {
	size_t max_body;   /* bytes; the HTTP layer answers 413 beyond it */
	size_t max_depth;  /* nesting, the top level counting 1: {"data":{}} and data[x] are 2;
	                    * never more than 256 (JSON) or 64 (form) */
	size_t max_fields; /* object members + array elements (JSON), key=value pairs (form) */
} rcv_limits;

#define RCV_DEFAULT_MAX_BODY ((size_t)1 << 20)
#define RCV_LIMITS_DEFAULT                                                                         \
	{                                                                                          \
		RCV_DEFAULT_MAX_BODY, 32, 10000                                                    \
	}

/*
 * Parse one webhook body (one hook post) into the document a queued event
 * stores: "the normalized event" of rcv_item.event.
 *
 * `content_type` is the request's Content-Type header or NULL. JSON is
 * application/json, text/json or application/<x>+json; form is
 * application/x-www-form-urlencoded; a missing type (or text/plain) is
 * sniffed: JSON if the first non-blank byte is '{', form otherwise. Any other
 * type is RCV_EMEDIA. Parameters such as charset are ignored: the bytes must
 * be UTF-8 whatever the header says. `limits` may be NULL (the defaults).
 *
 * On success returns 0 and *out is a new object of the shape the mode
 * describes (the caller owns one reference). On failure returns a negative
 * RCV_E* code, *out is NULL and err (if not NULL) holds one lowercase line.
 */
int rcv_body_parse(json_t **out, const char *body, size_t len, const char *content_type,
                   rcv_mode mode, const rcv_limits *limits, char *err, size_t errsz);

/* ------------------------------------------------------------------------
 * Durable queue (queue.c, queue_ops.c): SQLite, group commit
 * ------------------------------------------------------------------------ */

typedef struct rcv_queue rcv_queue;

typedef enum rcv_status { RCV_PENDING = 1, RCV_DONE = 2, RCV_DEAD = 4 } rcv_status;

#define RCV_STATUS_ALL (RCV_PENDING | RCV_DONE | RCV_DEAD)

/* "pending", "done", "dead" (NULL for anything else). */
const char *rcv_status_name(int status);
/* The status for a name, or 0 when it is none of them. */
int rcv_status_parse(const char *name);

/*
 * One queued event: a row of the queue, one hook post received and stored
 * (docs/ARCHITECTURE.md, "Words"). Strings are NUL-terminated; `body` holds
 * body_len bytes.
 */
typedef struct rcv_item {
	int64_t id;          /* arrival order, never reused */
	int64_t received_at; /* ms since the epoch */
	char *webhook_key;   /* the subscription the event came in on */
	char *event;         /* the normalized event, compact JSON */
	char *body;          /* the raw request body (NUL-terminated for convenience) */
	size_t body_len;
	char *content_type;      /* as sent, or NULL */
	int status;              /* rcv_status */
	int attempts;            /* failed deliveries so far */
	int64_t next_attempt_at; /* ms; 0 = now */
	char *last_error;        /* why the last delivery failed, or NULL */
	int64_t delivered_at;    /* ms, or 0 when not delivered */
} rcv_item;

/*
 * One line describing the last queue failure on the calling thread (an
 * SQLite message with what was being done), or "" when there was none.
 * Borrowed; valid until the next queue call on this thread.
 */
const char *rcv_queue_last_error(void);

/* Free an item returned by rcv_queue_claim or rcv_queue_get. NULL is accepted. */
void rcv_item_free(rcv_item *item);

/*
 * Open (creating if needed, mode 0600: events hold personal data) the queue
 * database file at `path`, and start its committer thread. Pending events in the file stay
 * pending: a restart resumes them. One process should deliver from a
 * database at a time; other processes may list, replay and purge.
 *
 * A queue is marked with PRAGMA application_id; one made before the mark
 * (its tables, user_version 1) is stamped here. Any other SQLite file (or a
 * file that is not SQLite) is RCV_ENOTQUEUE and is not written to.
 *
 * Returns 0 and *out, or a negative code, *out NULL and one line in err.
 */
int rcv_queue_open(rcv_queue **out, const char *path, char *err, size_t errsz);

/*
 * Given a postgresql:// (or postgres://) URL instead of a path, rcv_queue_open
 * and rcv_queue_open_readonly open the queue on PostgreSQL (src/pgqueue; its
 * schema made by `ontraport queue migrate`), with the same contract but for:
 *   - any number of processes, on any hosts, enqueue and deliver at once;
 *   - an enqueue is committed on the server when it returns; a server that
 *     cannot be reached is RCV_EUNAVAIL (503), and the connection is opened
 *     again on the next call;
 *   - a claim is a lease (rcv_queue_set_lease), renewed by a thread of the
 *     queue while the event is out, and taken over by another process when
 *     it ends without a finish (this process died). Claims are taken in
 *     small batches (FOR UPDATE SKIP LOCKED) and handed out one at a time;
 *     done, retry, dead and release carry the claim's fencing token, and are
 *     RCV_ELEASE (nothing changed) when another process took the event over;
 *   - claim ignores now_ms (the database's clock rules), and when nothing is
 *     deliverable sets *wake_at a short poll ahead (other hosts' events are
 *     seen by polling);
 *   - open errors: RCV_EINVALID (not such a URL), RCV_EUNAVAIL (unreachable,
 *     or the login refused), RCV_ENOTQUEUE (schema missing, older or newer).
 * The URL's password never appears in an error.
 */
#define RCV_DEFAULT_LEASE_MS 30000

/* Whether `path` names a PostgreSQL queue (postgresql:// or postgres://). */
int rcv_queue_is_url(const char *path);

/*
 * The lease of the claims made from now on, in ms (1000 .. 86400000; the
 * default RCV_DEFAULT_LEASE_MS). A PostgreSQL queue's only: ignored by a
 * SQLite queue, whose claims die with the process. RCV_EINVALID out of range.
 */
int rcv_queue_set_lease(rcv_queue *q, long lease_ms);

/*
 * Give a writable PostgreSQL queue a spool: the SQLite queue at `path` (made
 * when missing, 0600). From then on an event the database cannot take (it is
 * unreachable) is committed to the spool instead, so the sender still gets
 * its 200 only after a commit (RCV_EUNAVAIL, 503, when the spool fails too);
 * while the spool holds events, new ones go there too, after them, so this
 * receiver's events keep their order. A thread of the queue moves them into
 * the database once it answers, oldest first, each exactly once (a unique
 * reference per spooled event: a move repeated after a crash stores
 * nothing); events spooled get id 0 from the enqueue (their id comes with the
 * move). What is left at close stays in the file for the next start.
 * Call before the server starts. Returns 0, or a code with one line in err.
 * One process per spool file.
 */
int rcv_queue_set_spool(rcv_queue *q, const char *path, char *err, size_t errsz);

/* Events in the spool not moved into the database yet (0 without a spool). */
int64_t rcv_queue_spooled(rcv_queue *q);

/*
 * PostgreSQL: events this process claimed that another claim held until its
 * lease ended without a finish (a worker that died or stalled); 0 for a
 * SQLite queue. A counter, since the queue was opened.
 */
uint64_t rcv_queue_takeovers(rcv_queue *q);

/*
 * Open an existing queue read-only (SQLITE_OPEN_READONLY): for get, list and
 * counts. Nothing in the file is changed (no schema, no WAL switch, no stamp);
 * a file that is not a queue (an empty one included) is RCV_ENOTQUEUE. Writes
 * on such a queue fail; enqueueing is RCV_ESTOPPED.
 */
int rcv_queue_open_readonly(rcv_queue **out, const char *path, char *err, size_t errsz);

/*
 * Stop the committer (after it commits what was already handed to it), close
 * the database, free. Claims that were not finished are simply forgotten:
 * those events are still pending in the file. Every rcv_queue_enqueue must
 * have returned, and the server and delivery on this queue been stopped,
 * before calling. NULL is accepted.
 */
void rcv_queue_close(rcv_queue *q);

/*
 * Store one event durably. Blocks until the transaction holding it committed
 * with a disk flush (group commit: every event waiting when the committer
 * starts a transaction goes into that one transaction). `event_json` is the
 * normalized event as text; `body`/`content_type` are kept as received
 * (content_type may be NULL). Thread-safe.
 *
 * Returns 0 and *id_out (may be NULL) set to the new id; RCV_ESTOPPED when
 * the queue is closing; RCV_ERROR when the commit failed (nothing stored).
 */
int rcv_queue_enqueue(rcv_queue *q, const char *webhook_key, const char *event_json,
                      const void *body, size_t body_len, const char *content_type, int64_t *id_out);

/*
 * The asynchronous form, for the HTTP layer: fill a request, submit it, and
 * `done` is called once from the committer thread after the outcome is known
 * (req->rc 0 and req->id set, or a negative code). The request and the
 * strings it points to must stay valid until `done` is called; `done` must
 * not block, and after it returns the queue does not touch req again.
 */
typedef struct rcv_enqueue_req rcv_enqueue_req;
struct rcv_enqueue_req {
	const char *webhook_key;
	const char *event_json;
	const void *body;
	size_t body_len;
	const char *content_type;
	const char *store_ref; /* a spool's (rcv_queue__enqueue_ref); NULL */
	void (*done)(rcv_enqueue_req *req);
	void *userdata;
	/* filled by the queue */
	int rc;
	int64_t id;
	int64_t received_at;
	rcv_enqueue_req *next; /* private */
};

/* Returns 0 (done will be called), or RCV_ESTOPPED (it will not). */
int rcv_queue_submit(rcv_queue *q, rcv_enqueue_req *req);

/*
 * Claim the next deliverable event: the oldest pending event, among the
 * oldest pending event of each webhook key whose key has no claim
 * outstanding, with next_attempt_at <= now_ms. So an event is never handed
 * out while an earlier pending event of the same key exists, even one waiting
 * for its retry time. The claim lives in memory only (a process that dies
 * leaves the event pending in the file).
 *
 * Returns 0 and *out (free with rcv_item_free; finish it with done, retry or
 * dead). RCV_ENOTFOUND when nothing is deliverable now; then *wake_at (may be
 * NULL) is the earliest next_attempt_at among blocked heads, or 0 when no
 * event is pending at all. Thread-safe.
 */
int rcv_queue_claim(rcv_queue *q, int64_t now_ms, rcv_item **out, int64_t *wake_at);

/*
 * Finish a claim: delivered at `at_ms`. These three return 0, or RCV_ERROR when the
 * outcome could not be written (disk full, database locked past the busy timeout): then
 * the claim is kept, so the event is not handed out again; call again later, or
 * rcv_queue_release to give it back (it stays pending in the file).
 */
int rcv_queue_done(rcv_queue *q, int64_t id, int64_t at_ms);
/* Finish a claim: failed; attempts+1, retry not before retry_at_ms. */
int rcv_queue_retry(rcv_queue *q, int64_t id, const char *error, int64_t retry_at_ms);
/* Finish a claim: failed for the last time; attempts+1, status dead. */
int rcv_queue_dead(rcv_queue *q, int64_t id, const char *error);
/* Give a claim back untouched (nothing was attempted). */
void rcv_queue_release(rcv_queue *q, int64_t id);

/* One event, whatever its status. Returns 0 and *out, or RCV_ENOTFOUND. */
int rcv_queue_get(rcv_queue *q, int64_t id, rcv_item **out);

/*
 * Call cb for each event whose status is in `status_mask` (RCV_PENDING |
 * ...), in id order, starting after `after_id`, at most `limit` (0 = no
 * limit). The item is borrowed for the call. A non-zero return from cb stops
 * the walk and is returned. Rows stream: nothing is held whole in memory.
 */
typedef int (*rcv_list_cb)(const rcv_item *item, void *userdata);
int rcv_queue_list(rcv_queue *q, int status_mask, int64_t after_id, size_t limit, rcv_list_cb cb,
                   void *userdata);

/*
 * Group commit figures since open: transactions committed and events they
 * held (events / commits is the mean batch size). Either pointer may be NULL.
 */
void rcv_queue_commit_stats(rcv_queue *q, uint64_t *commits, uint64_t *events);

/* Counts of events by status (any of the out pointers may be NULL). */
int rcv_queue_counts(rcv_queue *q, int64_t *pending, int64_t *done, int64_t *dead);

/*
 * Make events pending again with attempts, last_error, delivered_at and
 * next_attempt_at reset: the one event `id` (whatever its status; returns
 * RCV_ENOTFOUND if there is none), or with id 0 every dead event. *count (may
 * be NULL) is how many changed.
 */
int rcv_queue_replay(rcv_queue *q, int64_t id, int64_t *count);

/*
 * Delete events received before `before_ms` whose status is in status_mask
 * (callers normally pass RCV_DONE | RCV_DEAD). *count (may be NULL) is how
 * many were deleted.
 */
int rcv_queue_purge(rcv_queue *q, int64_t before_ms, int status_mask, int64_t *count);

/*
 * A change counter, bumped after every commit, finish and replay in this
 * process, and by rcv_queue_kick. rcv_queue_wait blocks until the counter
 * differs from `seen` or the clock reaches deadline_ms (ms since the epoch).
 */
uint64_t rcv_queue_seq(rcv_queue *q);
void rcv_queue_wait(rcv_queue *q, uint64_t seen, int64_t deadline_ms);
void rcv_queue_kick(rcv_queue *q);

/* ------------------------------------------------------------------------
 * Tokens (token.c)
 * ------------------------------------------------------------------------ */

#define RCV_TOKEN_HEX 32 /* 128 bits */
#define RCV_TOKEN_MIN 32 /* shortest token accepted: 128 bits of hex */
#define RCV_TOKEN_MAX 128

/* Write a new random token (RCV_TOKEN_HEX lowercase hex digits + NUL). */
int rcv_token_new(char *buf, size_t bufsz);

/* Whether s is an acceptable token: RCV_TOKEN_MIN..MAX hex digits. */
int rcv_token_valid(const char *s);

/* ------------------------------------------------------------------------
 * HTTP endpoint (server.c)
 * ------------------------------------------------------------------------ */

typedef struct rcv_server rcv_server;

typedef struct rcv_server_config {
	const char *bind;         /* address to listen on; NULL = "127.0.0.1" */
	int port;                 /* 0 = any free port */
	unsigned threads;         /* HTTP worker threads; 0 = number of CPUs, at least 2 */
	rcv_limits limits;        /* body, depth and field caps */
	unsigned max_headers;     /* more request headers -> 431; 0 = 64 */
	unsigned max_connections; /* 0 = RCV_DEFAULT_MAX_CONNECTIONS */
	unsigned timeout_s;       /* idle connection timeout; 0 = 30 */
	/* One line per request answered other than 200 and per internal error
	 * (optional; called from server threads, must be thread-safe). */
	void (*log)(void *userdata, const char *line);
	void *log_userdata;
	/* Open connections from one client address (MHD's per-IP limit); 0 =
	 * RCV_DEFAULT_PER_IP, negative = no limit (behind a reverse proxy). */
	int per_ip_limit;
	/* Seconds a connection has to send a whole request (headers and body),
	 * counted from its opening, its previous answer or its request line;
	 * beyond it is answered 408 and closed, however it trickles.
	 * 0 = RCV_DEFAULT_REQUEST_TIMEOUT. */
	unsigned request_timeout_s;
	/* A listening socket to serve on instead of bind and port (borrowed: the server
	 * serves on a dup of it, so the caller closes its own whenever it likes); 0 = none. */
	int listen_fd;
	/*
	 * Without a queue (rcv_server_start's q NULL): each event parsed is handed to
	 * `handle` (the webhook key and the normalized event, both borrowed for the call)
	 * from a server thread, several threads at once, instead of being stored. It returns
	 * 0 when the event is handled (answered 200 {"ok":true}), anything else when it is
	 * not (answered 500 with one line: the sender may send it again). Required when q
	 * is NULL; unused with a queue.
	 */
	int (*handle)(void *userdata, const char *webhook_key, json_t *event);
	void *handle_userdata;
	/*
	 * GET (or HEAD) /metrics and /healthz, outside the token paths (optional; NULL = both
	 * are 404 like any other path). Called from server threads, several at once: puts the
	 * answer's text in *body (malloc'd, freed by the server; NULL = out of memory, 500)
	 * and returns the HTTP status (200, or 503 for a /healthz that fails).
	 */
	unsigned (*ops)(void *userdata, const char *path, char **body);
	void *ops_userdata;
} rcv_server_config;

#define RCV_DEFAULT_MAX_CONNECTIONS 4096
#define RCV_DEFAULT_PER_IP 100
#define RCV_DEFAULT_REQUEST_TIMEOUT 30

#define RCV_SERVER_CONFIG_INIT                                                                     \
	{                                                                                          \
		NULL, 0, 0, RCV_LIMITS_DEFAULT, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL, NULL,    \
		    NULL                                                                           \
	}

/*
 * Start serving on `q` (borrowed; must outlive the server), or, with q NULL,
 * handing each event to cfg->handle (RCV_EINVALID without one). No hook is
 * registered yet: every request is 404 until rcv_server_add_hook.
 * Returns 0 and *out, or a negative code, *out NULL and one line in err.
 */
int rcv_server_start(rcv_server **out, rcv_queue *q, const rcv_server_config *cfg, char *err,
                     size_t errsz);

/*
 * Route POST /hooks/<token> to `webhook_key` (stored with each event) in
 * `mode`. Thread-safe; may be called while serving. Both strings are copied.
 * RCV_EINVALID for a token that is not rcv_token_valid or a key that is
 * empty or longer than 256 bytes; a token already registered is replaced.
 */
int rcv_server_add_hook(rcv_server *s, const char *token, const char *webhook_key, rcv_mode mode);
/* Unroute a token. RCV_ENOTFOUND if it was not registered. */
int rcv_server_remove_hook(rcv_server *s, const char *token);

/* The port actually bound. */
int rcv_server_port(const rcv_server *s);

/*
 * Stop accepting, let requests whose events are being committed finish
 * (their senders get their answer), stop the threads, free. NULL is accepted.
 */
void rcv_server_stop(rcv_server *s);

/* ------------------------------------------------------------------------
 * Delivery (deliver.c + deliver_*.c)
 * ------------------------------------------------------------------------ */

typedef struct rcv_deliver rcv_deliver;

typedef enum rcv_handler_kind {
	RCV_HANDLER_FILE = 0,    /* one NDJSON line per event on `out` (stdout when NULL) */
	RCV_HANDLER_EXEC = 1,    /* /bin/sh -c `command`, the event JSON on stdin; exit 0 = done */
	RCV_HANDLER_FORWARD = 2, /* HTTP POST of the event JSON to `url`; 2xx = done */
	RCV_HANDLER_CALL = 3     /* `call` in this process: returns an RCV_CALL_* */
} rcv_handler_kind;

/* What a CALL handler returns for one attempt. */
enum {
	RCV_CALL_DONE = 0,   /* handled: the event is done */
	RCV_CALL_RETRY = -1, /* failed: retried with backoff, dead after max_attempts */
	RCV_CALL_DEAD = -2   /* failed for good: dead now, never retried */
};

/* What happened to one delivery attempt (reported to on_result). */
typedef enum rcv_outcome {
	RCV_OUTCOME_DONE = 0,
	RCV_OUTCOME_RETRY = 1,
	RCV_OUTCOME_DEAD = 2
} rcv_outcome;

typedef struct rcv_deliver_config {
	rcv_handler_kind kind;
	FILE *out;            /* FILE: where lines go; NULL = stdout. Borrowed. */
	const char *command;  /* EXEC: run by /bin/sh -c; the user's own command */
	const char *url;      /* FORWARD: http:// or https:// URL */
	long timeout_ms;      /* EXEC and FORWARD: per attempt; 0 = 30000 */
	int max_attempts;     /* failed attempts before dead; 0 = 8 */
	long backoff_base_ms; /* first retry delay; 0 = 1000 */
	long backoff_cap_ms;  /* longest retry delay; 0 = 300000 */
	long poll_ms;         /* idle re-check for changes made by other processes; 0 = 1000 */
	/* Called after each attempt from the delivery thread (optional); error is
	 * NULL for RCV_OUTCOME_DONE, else one line. attempts counts this one. */
	void (*on_result)(void *userdata, int64_t id, rcv_outcome outcome, int attempts,
	                  const char *error);
	/* One line for a failure that is not an event's (the queue's database,
	 * say), from the delivery thread (optional). */
	void (*log)(void *userdata, const char *line);
	void *userdata;
	/* The handler is gone for good: the FILE handler's reader closed its pipe
	 * (EPIPE). The event is left pending, its attempt not counted, and the
	 * thread delivers nothing more (every event stays pending); the caller
	 * should stop taking events (rcv_server_stop) and exit. Called once, from
	 * the delivery thread, with one line (optional; must not block). */
	void (*on_gone)(void *userdata, const char *error);
	/*
	 * CALL: one attempt, from the delivery thread, with `userdata`, the item
	 * (borrowed for the call) and its document (rcv_deliver_document;
	 * borrowed for the call). Returns RCV_CALL_DONE, RCV_CALL_RETRY or
	 * RCV_CALL_DEAD (any other value counts as RCV_CALL_RETRY), with one line
	 * in err when it failed. At least once and in order per webhook key as
	 * the other kinds: the next event of the key waits until this one is done
	 * or dead. timeout_ms does not bound a call: rcv_deliver_stop waits for
	 * the call in flight to return.
	 */
	int (*call)(void *userdata, const rcv_item *item, const json_t *doc, char *err,
	            size_t errsz);
} rcv_deliver_config;

#define RCV_DELIVER_CONFIG_INIT                                                                    \
	{                                                                                          \
		RCV_HANDLER_FILE, NULL, NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL    \
	}

/*
 * Start the delivery thread on `q` (borrowed; must outlive it).
 * Returns 0 and *out, or a negative code, *out NULL and one line in err.
 */
int rcv_deliver_start(rcv_deliver **out, rcv_queue *q, const rcv_deliver_config *cfg, char *err,
                      size_t errsz);

/*
 * Finish the delivery in flight (bounded by timeout_ms, but for a call), leave every other
 * event pending, join the thread, free. NULL is accepted.
 */
void rcv_deliver_stop(rcv_deliver *d);

/*
 * The document a handler receives for an item: the stored normalized event
 * plus "id", "received_at" (UTC ISO 8601 with ms) and "webhook_key".
 * Returns 0 and *out (a new object), or RCV_ERROR if the stored JSON is bad.
 */
int rcv_deliver_document(json_t **out, const rcv_item *item);

/* The retry delay after `attempts` failures (see docs/receiver.md). */
long rcv_backoff_ms(int attempts, long base_ms, long cap_ms, unsigned *seed);

#endif
