/*
 * server: the HTTP endpoint, a thin adapter between libmicrohttpd, the
 * parser and the queue.
 *
 * A request goes through three calls of the access handler:
 *  1. headers: route (404 unless POST /hooks/<registered token>; 405 for
 *     another method on a hook path), header count (431), Content-Length
 *     over the cap (413), shutting down (503). Nothing is read or stored for
 *     a refused request.
 *  2. body chunks: appended to a buffer capped at limits.max_body.
 *  3. end of body: parse (4xx with one line of text on failure), hand the
 *     event to the queue's committer and suspend the connection. The
 *     committer resumes it once the transaction holding the event committed,
 *     and the handler, called once more, answers 200 {"ok":true,"id":N}.
 * Suspending instead of blocking lets a few threads hold many requests in
 * one group commit, which is where the throughput comes from.
 */
#include "receiver.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "banned.h"

#define HOOK_PREFIX "/hooks/"
#define MAX_KEY 256
/* A chunked body may run past the cap; past this multiple we drop the connection. */
#define DISCARD_FACTOR 4
/* How long stop waits for answered-but-unsent responses to go out. */
#define STOP_DRAIN_MS 2000

typedef struct hook {
	char *token;
	char *key;
	rcv_mode mode;
} hook;

struct rcv_server {
	struct MHD_Daemon *d;
	util_connguard *guard; /* the whole-request deadline of each connection */
	rcv_queue *q;
	rcv_server_config cfg;
	int port;

	pthread_rwlock_t hooks_lock;
	hook *hooks;
	size_t nhooks, hooks_alloc;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned committing; /* events handed to the committer, not yet resumed (mu) */
	unsigned answering;  /* suspended requests whose response is not yet sent (mu) */
	int stopping;        /* (mu) */
};

enum req_state { ST_READING, ST_COMMITTING, ST_COMMITTED };

typedef struct req_ctx {
	rcv_server *s;
	struct MHD_Connection *con;
	enum req_state state;
	int suspended;   /* counted in s->answering */
	size_t received; /* bytes of body seen, kept or not */
	util_buf body;
	char key[MAX_KEY + 1];
	rcv_mode mode;
	char *content_type;
	char *event_json;
	rcv_enqueue_req req;
} req_ctx;

static void logf_(rcv_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(rcv_server *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!s->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	s->cfg.log(s->cfg.log_userdata, line);
}

/* Untrusted text made safe for a log line: at most 48 bytes, controls as '?'. */
static void safe(const char *in, char *out, size_t outsz)
{
	size_t i, n = 0;

	for (i = 0; in && in[i] && i < 48 && n + 1 < outsz; i++) {
		unsigned char c = (unsigned char)in[i];
		out[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	out[n] = '\0';
}

/* The connection's deadline entry (its socket context). */
static util_connguard_entry *guard_entry(struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* The request is in, or answered: no deadline while it is processed and answered. */
static void request_in(rcv_server *s, struct MHD_Connection *con)
{
	util_connguard_disarm(s->guard, guard_entry(con));
}

static enum MHD_Result respond(rcv_server *s, struct MHD_Connection *con, unsigned status,
                               const char *ctype, const char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	request_in(s, con);
	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "POST");
	ret = MHD_queue_response(con, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A refusal: one line of text, and one log line that never shows a whole token. */
static enum MHD_Result refuse(rcv_server *s, struct MHD_Connection *con, unsigned status,
                              const char *url, const char *msg)
{
	char text[320], where[64];

	char *tok;

	safe(url, where, sizeof where);
	/* Logs get read by others than the owner of the hook: show 4 characters of a token. */
	tok = strstr(where, HOOK_PREFIX);
	if (tok && strlen(tok) > strlen(HOOK_PREFIX) + 4)
		snprintf(tok + strlen(HOOK_PREFIX) + 4, 4, "...");
	logf_(s, "%u %s: %s", status, where, msg);
	snprintf(text, sizeof text, "%s\n", msg);
	return respond(s, con, status, "text/plain; charset=utf-8", text);
}

/* Constant-time equality for tokens: the time taken says nothing about a prefix. */
static int token_eq(const char *a, const char *b, size_t n)
{
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* Find the hook for a token; copies key and mode out under the lock. */
static int find_hook(rcv_server *s, const char *token, char *key, rcv_mode *mode)
{
	size_t i, n = strlen(token);
	int found = 0;

	pthread_rwlock_rdlock(&s->hooks_lock);
	for (i = 0; i < s->nhooks; i++) {
		const hook *h = &s->hooks[i];
		if (strlen(h->token) == n && token_eq(h->token, token, n)) {
			snprintf(key, MAX_KEY + 1, "%s", h->key);
			*mode = h->mode;
			found = 1;
			break;
		}
	}
	pthread_rwlock_unlock(&s->hooks_lock);
	return found;
}

static void on_committed(rcv_enqueue_req *r)
{
	req_ctx *c = r->userdata;
	rcv_server *s = c->s;
	struct MHD_Connection *con = c->con;

	c->state = ST_COMMITTED;
	MHD_resume_connection(con);
	/* c may be gone from here on: MHD can answer and complete the request. */
	pthread_mutex_lock(&s->mu);
	s->committing--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* GET /metrics or /healthz, when the caller serves them: answered at once, never stored. */
static int is_ops(const rcv_server *s, const char *url, const char *method)
{
	return s->cfg.ops &&
	       (strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	        strcmp(method, MHD_HTTP_METHOD_HEAD) == 0) &&
	       (strcmp(url, "/metrics") == 0 || strcmp(url, "/healthz") == 0);
}

static enum MHD_Result answer_ops(rcv_server *s, struct MHD_Connection *con, const char *url)
{
	char *body = NULL;
	unsigned status = s->cfg.ops(s->cfg.ops_userdata, url, &body);
	enum MHD_Result ret;

	if (!body)
		return refuse(s, con, MHD_HTTP_INTERNAL_SERVER_ERROR, url, "out of memory");
	ret = respond(s, con, status,
	              strcmp(url, "/metrics") == 0 ? "text/plain; version=0.0.4; charset=utf-8"
	                                           : "text/plain; charset=utf-8",
	              body);
	free(body);
	return ret;
}

static enum MHD_Result on_headers(rcv_server *s, struct MHD_Connection *con, const char *url,
                                  const char *method, void **con_cls)
{
	const char *token, *cl, *ct;
	char key[MAX_KEY + 1];
	unsigned max_headers = s->cfg.max_headers ? s->cfg.max_headers : 64;
	rcv_mode mode = RCV_MODE_ONTRAPORT;
	req_ctx *c;
	int nheaders, stopping;

	nheaders = MHD_get_connection_values(con, MHD_HEADER_KIND, NULL, NULL);
	if (nheaders < 0 || (unsigned)nheaders > max_headers)
		return refuse(s, con, 431, url, "too many request headers");
	if (is_ops(s, url, method))
		return answer_ops(s, con, url);
	if (!util_starts_with(url, HOOK_PREFIX))
		return refuse(s, con, MHD_HTTP_NOT_FOUND, url, "not found");
	token = url + strlen(HOOK_PREFIX);
	if (!rcv_token_valid(token) || !find_hook(s, token, key, &mode))
		return refuse(s, con, MHD_HTTP_NOT_FOUND, url, "not found");
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
		return refuse(s, con, MHD_HTTP_METHOD_NOT_ALLOWED, url, "method not allowed");
	cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		long long n;
		if (util_parse_ll(cl, 0, 0x7fffffffffffffffLL, &n) == 0 &&
		    (unsigned long long)n > s->cfg.limits.max_body) {
			char msg[64];
			snprintf(msg, sizeof msg, "body larger than %zu bytes",
			         s->cfg.limits.max_body);
			return refuse(s, con, MHD_HTTP_CONTENT_TOO_LARGE, url, msg);
		}
	}
	pthread_mutex_lock(&s->mu);
	stopping = s->stopping;
	pthread_mutex_unlock(&s->mu);
	if (stopping)
		return refuse(s, con, MHD_HTTP_SERVICE_UNAVAILABLE, url,
		              "receiver is shutting down");

	c = calloc(1, sizeof *c);
	if (!c)
		return MHD_NO;
	c->s = s;
	c->con = con;
	c->state = ST_READING;
	c->body.cap = s->cfg.limits.max_body;
	c->mode = mode;
	snprintf(c->key, sizeof c->key, "%s", key);
	ct = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ct && !(c->content_type = util_strndup(ct, strnlen(ct, 256)))) {
		free(c);
		return MHD_NO;
	}
	*con_cls = c;
	return MHD_YES;
}

/* No queue: the handler's verdict is the answer; never a 200 for an event not handled. */
static enum MHD_Result handle_now(rcv_server *s, req_ctx *c, const char *url, json_t *ev)
{
	int rc = s->cfg.handle(s->cfg.handle_userdata, c->key, ev);

	json_decref(ev);
	if (rc)
		return refuse(s, c->con, MHD_HTTP_INTERNAL_SERVER_ERROR, url, "event not handled");
	return respond(s, c->con, MHD_HTTP_OK, "application/json", "{\"ok\":true}\n");
}

static enum MHD_Result on_body_end(rcv_server *s, req_ctx *c, const char *url)
{
	char err[256];
	json_t *ev = NULL;
	int rc;

	if (c->body.overflow) {
		snprintf(err, sizeof err, "body larger than %zu bytes", s->cfg.limits.max_body);
		return refuse(s, c->con, MHD_HTTP_CONTENT_TOO_LARGE, url, err);
	}
	if (c->body.oom)
		return refuse(s, c->con, MHD_HTTP_INTERNAL_SERVER_ERROR, url, "out of memory");
	rc = rcv_body_parse(&ev, c->body.data, c->body.len, c->content_type, c->mode,
	                    &s->cfg.limits, err, sizeof err);
	if (rc)
		return refuse(s, c->con, (unsigned)rcv_http_status(rc), url, err);
	if (!s->q)
		return handle_now(s, c, url, ev);
	c->event_json = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	if (!c->event_json)
		return refuse(s, c->con, MHD_HTTP_INTERNAL_SERVER_ERROR, url, "out of memory");

	c->req.webhook_key = c->key;
	c->req.event_json = c->event_json;
	c->req.body = c->body.data;
	c->req.body_len = c->body.len;
	c->req.content_type = c->content_type;
	c->req.done = on_committed;
	c->req.userdata = c;
	c->state = ST_COMMITTING;
	c->suspended = 1;
	pthread_mutex_lock(&s->mu);
	s->committing++;
	s->answering++;
	pthread_mutex_unlock(&s->mu);
	/* Suspend before submitting: the committer may resume at once. */
	MHD_suspend_connection(c->con);
	rc = rcv_queue_submit(s->q, &c->req);
	if (rc) {
		c->req.rc = rc;
		on_committed(&c->req); /* resumes; the next call answers 503 */
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	rcv_server *s = cls;
	req_ctx *c = *con_cls;
	char line[96];

	if (!c)
		return on_headers(s, con, url, method, con_cls);
	switch (c->state) {
	case ST_READING:
		if (*upload_data_size) {
			c->received += *upload_data_size;
			if (c->received > s->cfg.limits.max_body * DISCARD_FACTOR)
				return MHD_NO; /* a chunked flood: drop the connection */
			util_buf_append(&c->body, upload_data, *upload_data_size);
			*upload_data_size = 0;
			return MHD_YES;
		}
		request_in(s, con);
		return on_body_end(s, c, url);
	case ST_COMMITTING:
		return MHD_YES; /* spurious call while suspended */
	case ST_COMMITTED:
		if (c->req.rc) {
			logf_(s, "event not stored: %s", rcv_strerror(c->req.rc));
			return refuse(s, con, (unsigned)rcv_http_status(c->req.rc), url,
			              c->req.rc == RCV_ESTOPPED ? "receiver is shutting down"
			                                        : "event could not be stored");
		}
		snprintf(line, sizeof line, "{\"ok\":true,\"id\":%lld}\n", (long long)c->req.id);
		return respond(s, con, MHD_HTTP_OK, "application/json", line);
	}
	return MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	rcv_server *s = cls;
	req_ctx *c = *con_cls;

	/* Answered: the next request on this connection has its own deadline. */
	util_connguard_arm(s->guard, guard_entry(con));
	(void)toe;
	if (!c)
		return;
	if (c->suspended) {
		pthread_mutex_lock(&s->mu);
		s->answering--;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	util_buf_release(&c->body);
	free(c->content_type);
	free(c->event_json);
	free(c);
	*con_cls = NULL;
}

/* A request line: the headers and body get the whole deadline from here. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
	rcv_server *s = cls;

	(void)uri;
	util_connguard_start(s->guard, guard_entry(con));
	return NULL; /* the request's context is made once its headers are in */
}

/* Each connection gets a deadline entry for its socket, removed before MHD closes it. */
static void on_connection(void *cls, struct MHD_Connection *con, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	rcv_server *s = cls;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = ci ? util_connguard_add(s->guard, ci->connect_fd) : NULL;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		util_connguard_remove(s->guard, *socket_context);
		*socket_context = NULL;
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* MHD's own complaints (a malformed request, a socket error) as log lines. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	rcv_server *s = cls;
	char line[256];
	size_t n;

	vsnprintf(line, sizeof line, fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (s->cfg.log)
		s->cfg.log(s->cfg.log_userdata, line);
}

int rcv_server_add_hook(rcv_server *s, const char *token, const char *webhook_key, rcv_mode mode)
{
	char *t, *k;
	size_t i;

	if (!rcv_token_valid(token) || !webhook_key || !*webhook_key ||
	    strlen(webhook_key) > MAX_KEY)
		return RCV_EINVALID;
	t = util_strdup(token);
	k = util_strdup(webhook_key);
	if (!t || !k) {
		free(t);
		free(k);
		return RCV_ERROR;
	}
	pthread_rwlock_wrlock(&s->hooks_lock);
	for (i = 0; i < s->nhooks; i++) {
		if (strcmp(s->hooks[i].token, token) == 0) {
			free(s->hooks[i].token);
			free(s->hooks[i].key);
			break;
		}
	}
	if (i == s->nhooks) {
		if (s->nhooks == s->hooks_alloc) {
			size_t n = s->hooks_alloc ? s->hooks_alloc * 2 : 4;
			hook *h = realloc(s->hooks, n * sizeof *h);
			if (!h) {
				pthread_rwlock_unlock(&s->hooks_lock);
				free(t);
				free(k);
				return RCV_ERROR;
			}
			s->hooks = h;
			s->hooks_alloc = n;
		}
		s->nhooks++;
	}
	s->hooks[i].token = t;
	s->hooks[i].key = k;
	s->hooks[i].mode = mode;
	pthread_rwlock_unlock(&s->hooks_lock);
	return 0;
}

int rcv_server_remove_hook(rcv_server *s, const char *token)
{
	size_t i;
	int rc = RCV_ENOTFOUND;

	if (!token)
		return RCV_EINVALID;
	pthread_rwlock_wrlock(&s->hooks_lock);
	for (i = 0; i < s->nhooks; i++) {
		if (strcmp(s->hooks[i].token, token) == 0) {
			free(s->hooks[i].token);
			free(s->hooks[i].key);
			s->hooks[i] = s->hooks[--s->nhooks];
			rc = 0;
			break;
		}
	}
	pthread_rwlock_unlock(&s->hooks_lock);
	return rc;
}

int rcv_server_port(const rcv_server *s)
{
	return s->port;
}

static void free_server(rcv_server *s)
{
	size_t i;

	for (i = 0; i < s->nhooks; i++) {
		free(s->hooks[i].token);
		free(s->hooks[i].key);
	}
	free(s->hooks);
	util_connguard_free(s->guard);
	pthread_rwlock_destroy(&s->hooks_lock);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Where to listen: the caller's socket (a dup of it), or cfg.bind and cfg.port. */
typedef struct listen_spec {
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	struct MHD_OptionItem opt[2];
	unsigned flags;
	int fd; /* the dup, closed here on failure; MHD's once started */
} listen_spec;

static int listen_on(listen_spec *ls, const rcv_server_config *cfg, char *err, size_t errsz)
{
	const char *host = cfg->bind ? cfg->bind : "127.0.0.1";
	char b[64];

	memset(ls, 0, sizeof *ls);
	ls->fd = -1;
	ls->opt[1].option = MHD_OPTION_END;
	if (cfg->listen_fd > 0) {
		ls->fd = dup(cfg->listen_fd);
		if (ls->fd < 0)
			return util_errf(err, errsz, RCV_EINVALID, "invalid listening socket %d",
			                 cfg->listen_fd);
		ls->opt[0].option = MHD_OPTION_LISTEN_SOCKET;
		ls->opt[0].value = ls->fd;
		return 0;
	}
	if (cfg->port < 0 || cfg->port > 65535)
		return util_errf(err, errsz, RCV_EINVALID, "invalid port %d", cfg->port);
	ls->opt[0].option = MHD_OPTION_SOCK_ADDR;
	if (inet_pton(AF_INET, host, &ls->a4.sin_addr) == 1) {
		ls->a4.sin_family = AF_INET;
		ls->a4.sin_port = htons((uint16_t)cfg->port);
		ls->opt[0].ptr_value = &ls->a4;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &ls->a6.sin6_addr) == 1) {
		ls->a6.sin6_family = AF_INET6;
		ls->a6.sin6_port = htons((uint16_t)cfg->port);
		ls->opt[0].ptr_value = &ls->a6;
		ls->flags = MHD_USE_IPv6;
		return 0;
	}
	safe(host, b, sizeof b);
	return util_errf(err, errsz, RCV_EINVALID,
	                 "invalid bind address '%s' (give a numeric ip address)", b);
}

/* The port a socket is bound to, or 0. */
static int socket_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t n = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &n) != 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

int rcv_server_start(rcv_server **out, rcv_queue *q, const rcv_server_config *cfg, char *err,
                     size_t errsz)
{
	rcv_server_config def = RCV_SERVER_CONFIG_INIT;
	const union MHD_DaemonInfo *info;
	listen_spec ls;
	unsigned flags, threads;
	rcv_server *s;
	long ncpu;
	int rc;

	*out = NULL;
	if (!q && !(cfg && cfg->handle))
		return util_errf(err, errsz, RCV_EINVALID, "no queue and no event handler");
	s = calloc(1, sizeof *s);
	if (!s) {
		if (err && errsz)
			snprintf(err, errsz, "out of memory");
		return RCV_ERROR;
	}
	s->q = q;
	s->cfg = cfg ? *cfg : def;
	if (!s->cfg.limits.max_body)
		s->cfg.limits.max_body = RCV_DEFAULT_MAX_BODY;
	if (!s->cfg.limits.max_depth)
		s->cfg.limits.max_depth = def.limits.max_depth;
	if (!s->cfg.limits.max_fields)
		s->cfg.limits.max_fields = def.limits.max_fields;
	pthread_rwlock_init(&s->hooks_lock, NULL);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);

	if ((rc = listen_on(&ls, &s->cfg, err, errsz)) != 0) {
		free_server(s);
		return rc;
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME |
	        MHD_USE_ERROR_LOG | ls.flags;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	threads = s->cfg.threads ? s->cfg.threads : (unsigned)(ncpu > 2 ? ncpu : 2);
	if (!s->cfg.max_connections)
		s->cfg.max_connections = RCV_DEFAULT_MAX_CONNECTIONS;
	util_raise_fd_limit(s->cfg.max_connections + 256ul);
	s->guard = util_connguard_new(s->cfg.request_timeout_s ? s->cfg.request_timeout_s
	                                                       : RCV_DEFAULT_REQUEST_TIMEOUT);
	if (!s->guard) {
		if (err && errsz)
			snprintf(err, errsz, "cannot start the request timer: out of memory");
		if (ls.fd >= 0)
			close(ls.fd);
		free_server(s);
		return RCV_ERROR;
	}
	/* The logger first: MHD's complaints about the options after it come through it too,
	 * never on stderr directly (a JSON log stays JSON). */
	s->d = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
	    MHD_OPTION_ARRAY, ls.opt, MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_LIMIT, s->cfg.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
	    s->cfg.timeout_s ? s->cfg.timeout_s : 30u, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    s->cfg.per_ip_limit < 0   ? 0u
	    : s->cfg.per_ip_limit > 0 ? (unsigned)s->cfg.per_ip_limit
	                              : (unsigned)RCV_DEFAULT_PER_IP,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
	    on_connection, s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_END);
	if (!s->d) {
		if (ls.fd >= 0) {
			close(ls.fd);
			util_errf(err, errsz, RCV_ERROR, "cannot serve on listening socket %d",
			          s->cfg.listen_fd);
		} else if (err && errsz) {
			snprintf(err, errsz, "cannot listen on %s port %d",
			         s->cfg.bind ? s->cfg.bind : "127.0.0.1", s->cfg.port);
		}
		free_server(s);
		return RCV_ERROR;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = ls.fd >= 0 ? socket_port(ls.fd) : info ? info->port : s->cfg.port;
	*out = s;
	return 0;
}

/* Wait on s->cv until *counter is 0 or deadline (monotonic ms, 0 = none) passes. */
static void wait_zero(rcv_server *s, unsigned *counter, long max_ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	pthread_mutex_lock(&s->mu);
	while (*counter) {
		struct timespec ts;
		long waited;

		clock_gettime(CLOCK_MONOTONIC, &now);
		waited =
		    (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (max_ms && waited >= max_ms)
			break;
		/* s->cv uses the default (realtime) clock; wake often and re-check. */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	pthread_mutex_unlock(&s->mu);
}

void rcv_server_stop(rcv_server *s)
{
	if (!s)
		return;
	/*
	 * From here every new request is answered 503 (the sender retries).
	 * The listening socket stays open until MHD_stop_daemon():
	 * MHD_quiesce_daemon() on an epoll daemon with worker threads races
	 * its own workers for the same EPOLL_CTL_DEL and aborts the process
	 * (libmicrohttpd 0.9.75, "Failed to remove listen FD from epoll set").
	 */
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_mutex_unlock(&s->mu);
	/*
	 * Every event handed to the committer must come back before MHD may
	 * free its connection (the committer still holds the request). The
	 * committer always answers; this wait is bounded by SQLite's.
	 */
	wait_zero(s, &s->committing, 0);
	/* Then give the answers a moment to reach their senders. */
	wait_zero(s, &s->answering, STOP_DRAIN_MS);
	MHD_stop_daemon(s->d);
	free_server(s);
}
