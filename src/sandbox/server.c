/*
 * server: the libmicrohttpd adapter. It collects each request into an
 * sbx_req (capped), applies the checks every API request goes through, in
 * this order --
 *
 *   caps (413 body, 431 headers)  ->  prefix: /_sandbox/ control, /1/ API, else 404
 *   API: credentials (401, not counted by the rate limiter)  ->  rate limiter (429)
 *   ->  injected faults (sbx_faults.h)  ->  parameters (400)  ->  router + handler
 *
 * -- and hands the answer back to MHD. Every answered non-control request is
 * counted in the stats and, unless quiet, logged on stderr in one line
 * (method, path, status, milliseconds; never a header value).
 *
 * Threading: MHD's thread pool (epoll where available) runs the handlers;
 * what they share is the store (one mutex), the rate limiter and the stats
 * (their own mutexes).
 */
#include "sandbox.h"

#include <arpa/inet.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "sbx_auth.h"
#include "sbx_deliveries.h"
#include "sbx_faults.h"
#include "sbx_ratelimit.h"
#include "sbx_router.h"
#include "sbx_routes.h"
#include "sbx_stats.h"
#include "banned.h"

#define MAX_THREADS 64
#define CONN_MEMORY (64 * 1024) /* per-connection pool: request line + headers (431/414 beyond) */
#define CONN_TIMEOUT 60         /* seconds an idle keep-alive connection is kept */
#define CONN_LIMIT 4096         /* with at most SBX_DEFAULT_PER_IP from one address */
/* After a body overflows its cap the rest is read and dropped (so the 413 can be
 * sent on a clean connection) -- but only up to this much; then the connection is cut. */
#define DISCARD_MAX ((size_t)64 << 20)

struct sbx_server {
	struct MHD_Daemon *d;
	util_connguard *guard; /* the whole-request deadline of each connection */
	sbx_ctx ctx;
	char *app_id, *api_key, *token;
	size_t max_body;
	int quiet;
	int port;
};

/* One request in flight (MHD's per-request context). */
typedef struct conn_req {
	sbx_req req;
	char *uri;         /* copy of the raw request target (MHD parses its own in place) */
	int started;       /* headers collected */
	int responded;     /* answered early (413 from Content-Length) */
	int too_large;     /* the body went over its cap */
	size_t body_seen;  /* bytes of body received, kept or not */
	long long t0_ns;   /* monotonic arrival time */
	long long time_ms; /* wall-clock arrival time */
	sbx_fault fault;   /* the injected fault for this request (kind NONE: none) */
} conn_req;

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static util_connguard_entry *guard_entry(struct MHD_Connection *conn);

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	sbx_server *s = cls;
	conn_req *cr = calloc(1, sizeof *cr);
	const char *q;

	/* A request line: the headers and body get the whole deadline from here. */
	util_connguard_start(s->guard, guard_entry(conn));
	if (!cr)
		return NULL;
	sbx_req_init(&cr->req, s->max_body);
	cr->uri = util_strdup(uri ? uri : "");
	if (!cr->uri) {
		free(cr);
		return NULL;
	}
	q = strchr(cr->uri, '?');
	cr->req.query = q ? q + 1 : NULL;
	cr->t0_ns = mono_ns();
	cr->time_ms = util_now_ms();
	return cr;
}

/* The connection's deadline entry (its socket context). */
static util_connguard_entry *guard_entry(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	sbx_server *s = cls;
	conn_req *cr = *con_cls;

	(void)toe;
	/* Answered: the next request on this connection has its own deadline. */
	util_connguard_arm(s->guard, guard_entry(conn));
	if (!cr)
		return;
	sbx_req_release(&cr->req);
	free(cr->uri);
	free(cr);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	sbx_server *s = cls;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		sbx_stats_connection(s->ctx.stats);
		/* A deadline entry for the socket, removed before MHD closes it. */
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = ci ? util_connguard_add(s->guard, ci->connect_fd) : NULL;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		util_connguard_remove(s->guard, *socket_context);
		*socket_context = NULL;
	}
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	sbx_server *s = cls;

	if (s->quiet)
		return;
	fputs("sandbox: ", stderr);
	vfprintf(stderr, fmt, ap);
}

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
	(void)kind;
	return sbx_req_add_header(cls, key, value) == 0 ? MHD_YES : MHD_NO;
}

static enum MHD_Result on_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value)
{
	(void)kind;
	return sbx_req_add_arg(cls, key, value) == 0 ? MHD_YES : MHD_NO;
}

static int has_prefix_ci(const char *s, const char *prefix)
{
	return util_strnieq(s, prefix, strlen(prefix)) && strlen(s) >= strlen(prefix);
}

static int is_control(const char *path)
{
	return util_strieq(path, "/_sandbox") || has_prefix_ci(path, "/_sandbox/");
}

/* The faults that act before the handler: 1 when the request is answered (or to be dropped). */
static int inject_before(conn_req *cr, sbx_resp *resp)
{
	switch (cr->fault.kind) {
	case SBX_FAULT_STATUS:
		sbx_resp_text(resp, cr->fault.status, "%s (injected by the sandbox: %s)",
		              cr->fault.status >= 500 ? "Server Error" : "Error", cr->fault.spec);
		return 1;
	case SBX_FAULT_LATENCY: {
		struct timespec ts = {cr->fault.latency_ms / 1000,
		                      (cr->fault.latency_ms % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) < 0)
			;
		return 0;
	}
	case SBX_FAULT_DROP_BEFORE:
		return 1; /* answer() cuts the connection */
	default:
		return 0;
	}
}

/* Everything between "request complete" and "answer ready". */
static void process(sbx_server *s, conn_req *cr, sbx_resp *resp)
{
	sbx_req *r = &cr->req;
	sbx_call c = {&s->ctx, r, NULL, resp, NULL};
	sbx_err e = SBX_ERR_INIT;
	sbx_rl_verdict v;

	if (r->headers_overflow) {
		sbx_resp_text(resp, 431, "Request Header Fields Too Large: at most %d headers",
		              SBX_MAX_HEADERS);
		return;
	}
	if (cr->too_large) {
		sbx_resp_text(resp, 413, "Payload Too Large: the body may hold at most %zu bytes",
		              r->body.cap);
		return;
	}
	if (is_control(r->path)) {
		if (!sbx_auth_control(r, s->token)) {
			sbx_resp_text(resp, 401, SBX_TEXT_CONTROL_401);
			return;
		}
	} else if (!has_prefix_ci(r->path, "/1/")) {
		sbx_resp_text(resp, 404, "Not Found: API paths start with /1/");
		return;
	} else if (!sbx_auth_api(r, s->app_id, s->api_key)) {
		/* Not counted by the rate limiter: it belongs to an account, and an
		 * unauthenticated request names none. */
		sbx_resp_text(resp, 401, SBX_TEXT_401);
		return;
	} else {
		sbx_ratelimit_take(s->ctx.limiter, &v);
		sbx_faults_pick(s->ctx.faults, r->method, r->path, &cr->fault);
		if (cr->fault.kind == SBX_FAULT_STATUS && cr->fault.status == 429) {
			/* An injected 429 looks like a real one, with a short reset. */
			v.allowed = 0;
			v.remaining = 0;
			v.reset = 1;
		}
		sbx_resp_header(resp, "X-Rate-Limit-Limit", "%ld", v.limit);
		sbx_resp_header(resp, "X-Rate-Limit-Remaining", "%ld", v.remaining);
		sbx_resp_header(resp, "X-Rate-Limit-Reset", "%ld", v.reset);
		if (!v.allowed) {
			sbx_resp_text(resp, 429, SBX_TEXT_429, v.limit);
			return;
		}
		if (inject_before(cr, resp))
			return;
	}
	if (sbx_req_parse_params(r, &e) < 0) {
		sbx_resp_err(resp, &e);
		return;
	}
	c.params = r->params;
	sbx_router_dispatch(&c, sbx_route_tables);
}

/* Copy path into out for the log: at most 200 bytes, control characters as '?'. */
static void log_path(const char *path, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; path[i] && i + 1 < outsz && i < 200; i++)
		out[i] = ((unsigned char)path[i] < 0x20 || path[i] == 0x7f) ? '?' : path[i];
	out[i] = '\0';
}

/* A response that promises len bytes, sends half, then cuts the connection. */
typedef struct cut_body {
	char *data;
	size_t half;
} cut_body;

static ssize_t cut_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	cut_body *b = cls;
	size_t n;

	if (pos >= b->half)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = b->half - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, b->data + pos, n);
	return (ssize_t)n;
}

static void cut_free(void *cls)
{
	cut_body *b = cls;
	free(b->data);
	free(b);
}

static struct MHD_Response *truncated_response(char *body, size_t len)
{
	cut_body *b = malloc(sizeof *b);
	struct MHD_Response *mr;

	if (!b) {
		free(body);
		return NULL;
	}
	b->data = body;
	b->half = len / 2;
	mr = MHD_create_response_from_callback(len > 0 ? len : 1, 4096, cut_read, b, cut_free);
	if (!mr)
		cut_free(b);
	return mr;
}

/* Count, log and send the answer. */
static enum MHD_Result answer(sbx_server *s, conn_req *cr, struct MHD_Connection *conn,
                              sbx_resp *resp)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	size_t len = resp->body.len, i;
	char *body = util_buf_detach(&resp->body);
	double ms = (double)(mono_ns() - cr->t0_ns) / 1e6;
	const char *path = cr->req.path ? cr->req.path : "";
	const char *method = cr->req.method ? cr->req.method : "";
	int status = resp->status ? resp->status : 500;

	if (!body)
		return MHD_NO;
	switch (cr->fault.kind) {
	case SBX_FAULT_DROP_BEFORE:
	case SBX_FAULT_DROP_AFTER:
		/* No answer: returning MHD_NO makes MHD close the connection. */
		free(body);
		status = 0;
		mr = NULL;
		break;
	case SBX_FAULT_TRUNCATE:
		mr = truncated_response(body, len);
		break;
	case SBX_FAULT_MALFORMED:
		status = 200;
		mr = MHD_create_response_from_buffer(len / 2, body, MHD_RESPMEM_MUST_FREE);
		if (!mr)
			free(body);
		break;
	default:
		mr = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		if (!mr)
			free(body);
		break;
	}
	if (!mr) {
		ret = MHD_NO;
		goto record;
	}
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        resp->content_type ? resp->content_type : SBX_CT_TEXT);
	for (i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(mr, resp->headers[i].name, resp->headers[i].value);
	ret = MHD_queue_response(conn, (unsigned)status, mr);
	MHD_destroy_response(mr);
record:
	if (!is_control(path)) {
		sbx_req_record rec = {method,
		                      path,
		                      cr->req.query,
		                      sbx_req_header(&cr->req, "Content-Type"),
		                      cr->req.body.data,
		                      cr->too_large ? cr->body_seen : cr->req.body.len,
		                      status,
		                      cr->time_ms,
		                      ms};
		sbx_stats_request(s->ctx.stats, &rec);
	}
	if (!s->quiet) {
		char line[320], shown[208];
		log_path(path, shown, sizeof shown);
		if (cr->fault.kind != SBX_FAULT_NONE)
			snprintf(line, sizeof line, "sandbox: %.16s %s %d %.2fms (fault: %.60s)\n",
			         method, shown, status, ms, cr->fault.spec);
		else
			snprintf(line, sizeof line, "sandbox: %.16s %s %d %.2fms\n", method, shown,
			         status, ms);
		fputs(line, stderr);
	}
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	sbx_server *s = cls;
	conn_req *cr = *con_cls;
	sbx_resp resp;
	enum MHD_Result ret;

	(void)version;
	if (!cr)
		return MHD_NO; /* on_uri ran out of memory */
	if (!cr->started) {
		const char *cl;
		long long n;
		cr->started = 1;
		cr->req.method = method;
		cr->req.path = url;
		MHD_get_connection_values(conn, MHD_HEADER_KIND, on_header, &cr->req);
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, on_arg, &cr->req);
		cl = sbx_req_header(&cr->req, "Content-Length");
		if (cl && util_parse_ll(cl, 0, LLONG_MAX, &n) == 0 &&
		    (unsigned long long)n > cr->req.body.cap) {
			/* Refuse before reading a byte of it; MHD closes the connection after. */
			cr->too_large = 1;
			cr->body_seen = (size_t)n;
			cr->responded = 1;
			util_connguard_disarm(s->guard, guard_entry(conn));
			sbx_resp_init(&resp);
			process(s, cr, &resp);
			ret = answer(s, cr, conn, &resp);
			sbx_resp_release(&resp);
			return ret;
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		cr->body_seen += n;
		if (cr->body_seen > DISCARD_MAX)
			return MHD_NO;
		if (!cr->too_large && util_buf_append(&cr->req.body, upload_data, n) < 0) {
			cr->too_large = 1;
			util_buf_release(&cr->req.body);
		}
		return MHD_YES;
	}
	if (cr->responded)
		return MHD_YES;
	cr->responded = 1;
	/* The request is in: no deadline while it is processed and answered. */
	util_connguard_disarm(s->guard, guard_entry(conn));
	sbx_resp_init(&resp);
	process(s, cr, &resp);
	ret = answer(s, cr, conn, &resp);
	sbx_resp_release(&resp);
	return ret;
}

/* Resolve host (NULL = 127.0.0.1) and port into *ss. */
static int resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints, *res = NULL;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if (getaddrinfo(host ? host : "127.0.0.1", NULL, &hints, &res) != 0 || !res)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		return -1;
	return 0;
}

int sbx_config_check_faults(const sbx_config *cfg, char *err, size_t errsz)
{
	size_t i;

	if (cfg->nfaults > SBX_FAULTS_MAX)
		return util_errf(err, errsz, -1, "at most %d faults", SBX_FAULTS_MAX);
	for (i = 0; i < cfg->nfaults; i++) {
		sbx_fault rule;
		if (sbx_fault_parse(&rule, cfg->faults[i], err, errsz) < 0)
			return -1;
	}
	return 0;
}

int sbx_server_start(sbx_server **out, const sbx_config *cfg, char *err, size_t errsz)
{
	sbx_config dflt = SBX_CONFIG_INIT;
	sbx_deliveries_config ecfg = SBX_DELIVERIES_CONFIG_INIT;
	sbx_server *s;
	struct sockaddr_storage ss;
	socklen_t sslen;
	sbx_err e = SBX_ERR_INIT;
	const union MHD_DaemonInfo *info;
	unsigned int flags, threads;
	long limit;
	long long window;
	char token[40];
	long ncpu;
	size_t i;

	*out = NULL;
	if (!cfg)
		cfg = &dflt;
	if (cfg->port < 0 || cfg->port > 65535) {
		util_errf(err, errsz, -1, "invalid port %d", cfg->port);
		return -1;
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		util_errf(err, errsz, -1, "out of memory");
		return -1;
	}
	if (!cfg->control_token && sbx_random_token(token, sizeof token) < 0) {
		util_errf(err, errsz, -1, "could not make a control token: no randomness");
		goto fail;
	}
	s->app_id = util_strdup(cfg->app_id ? cfg->app_id : SBX_DEFAULT_APP_ID);
	s->api_key = util_strdup(cfg->api_key ? cfg->api_key : SBX_DEFAULT_API_KEY);
	s->token = util_strdup(cfg->control_token ? cfg->control_token : token);
	s->max_body = cfg->max_body ? cfg->max_body : SBX_MAX_BODY_DEFAULT;
	s->quiet = cfg->quiet;
	s->ctx.account_id = cfg->account_id ? cfg->account_id : SBX_DEFAULT_ACCOUNT_ID;
	if (!s->app_id || !s->api_key || !s->token) {
		util_errf(err, errsz, -1, "out of memory");
		goto fail;
	}
	if (!*s->token) {
		util_errf(err, errsz, -1, "the control token must not be empty");
		goto fail;
	}
	/* Seed jansson's hash function now, before several threads create objects. */
	json_object_seed(0);
	if (sbx_store_open(&s->ctx.store, cfg->db, &e) < 0) {
		util_errf(err, errsz, -1, "%s", e.text);
		goto fail;
	}
	limit = cfg->rate_limit > 0 ? cfg->rate_limit : 180;
	window = cfg->rate_window_ms > 0 ? cfg->rate_window_ms : 60000;
	s->ctx.limiter = sbx_ratelimit_new(limit, window, NULL, NULL);
	s->ctx.stats = sbx_stats_new(cfg->request_log > 0 ? (size_t)cfg->request_log : 0);
	s->ctx.faults = sbx_faults_new(cfg->fault_seed);
	if (!s->ctx.limiter || !s->ctx.stats || !s->ctx.faults) {
		util_errf(err, errsz, -1, "out of memory");
		goto fail;
	}
	ecfg.json = cfg->webhook_json;
	if (sbx_deliveries_new(&s->ctx.deliveries, s->ctx.store, &ecfg) < 0) {
		util_errf(err, errsz, -1, "could not start the webhook delivery thread");
		goto fail;
	}
	for (i = 0; i < cfg->nfaults; i++) {
		sbx_fault rule;
		char why[200];
		if (sbx_fault_parse(&rule, cfg->faults[i], why, sizeof why) < 0) {
			util_errf(err, errsz, -1, "%s", why);
			goto fail;
		}
		if (sbx_faults_add(s->ctx.faults, &rule) < 0) {
			util_errf(err, errsz, -1, "too many faults: at most %d", SBX_FAULTS_MAX);
			goto fail;
		}
	}
	if (resolve(cfg->bind, cfg->port, &ss, &sslen) < 0) {
		util_errf(err, errsz, -1, "cannot resolve bind address '%s'",
		          cfg->bind ? cfg->bind : "");
		goto fail;
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	threads = cfg->threads > 0 ? (unsigned)cfg->threads : (ncpu > 0 ? (unsigned)ncpu : 1);
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	flags =
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
	    (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL | MHD_USE_TURBO
	                                                            : MHD_USE_AUTO);
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	util_raise_fd_limit(CONN_LIMIT + 256);
	s->guard = util_connguard_new(cfg->request_timeout_s ? cfg->request_timeout_s
	                                                     : SBX_DEFAULT_REQUEST_TIMEOUT);
	if (!s->guard) {
		util_errf(err, errsz, -1, "could not start the request timer thread");
		goto fail;
	}
	/* The logger goes first so that MHD's own complaints about later options reach it. */
	s->d = MHD_start_daemon(
	    flags, (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
	    on_mhd_log, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
	    on_connection, s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)CONN_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    cfg->per_ip_limit < 0   ? 0u
	    : cfg->per_ip_limit > 0 ? (unsigned int)cfg->per_ip_limit
	                            : (unsigned int)SBX_DEFAULT_PER_IP,
	    MHD_OPTION_END);
	if (!s->d) {
		util_errf(err, errsz, -1,
		          "could not listen on %s port %d (in use, or not permitted)",
		          cfg->bind ? cfg->bind : "127.0.0.1", cfg->port);
		goto fail;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : cfg->port;
	*out = s;
	return 0;
fail:
	sbx_server_stop(s);
	return -1;
}

int sbx_server_port(const sbx_server *s)
{
	return s ? s->port : 0;
}

const char *sbx_server_control_token(const sbx_server *s)
{
	return s ? s->token : NULL;
}

void sbx_server_stop(sbx_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	util_connguard_free(s->guard);
	/* No handler runs any more: stop the deliveries before the store they record into. */
	sbx_deliveries_free(s->ctx.deliveries);
	sbx_store_close(s->ctx.store);
	sbx_stats_free(s->ctx.stats);
	sbx_ratelimit_free(s->ctx.limiter);
	sbx_faults_free(s->ctx.faults);
	free(s->app_id);
	free(s->api_key);
	free(s->token);
	free(s);
}
