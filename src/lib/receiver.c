/*
 * ontra_receiver_*: a thin layer over the receiver's parts (src/receiver):
 * rcv_server for HTTP, and with a queue file rcv_queue and rcv_deliver with
 * a CALL handler; without one, the server's handle hook answers after the
 * callback. Either way the callback runs under one mutex: one at a time.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "receiver.h"
#include "util.h"
#include "banned.h"

#define HOOK_KEY "ontra_receiver" /* the one webhook key its events are stored under */

struct ontra_receiver {
	rcv_queue *q; /* NULL without a queue */
	rcv_deliver *deliver;
	rcv_server *server;
	ontra_event_fn fn;
	void *userdata;
	ontra_log_fn log;
	void *log_userdata;
	pthread_mutex_t mu; /* held around each callback */
	char path[sizeof "/hooks/" + RCV_TOKEN_MAX];
};

static void log_line(void *userdata, const char *line)
{
	ontra_receiver *r = userdata;

	if (r->log)
		r->log(r->log_userdata, ONTRA_LOG_INFO, line);
}

/* The callback, one at a time, on an event made from a normalized document (stolen). */
static int call_back(ontra_receiver *r, json_t *doc)
{
	ontra_event *ev;
	int rc;

	if (ontra__event_new(&ev, doc) != 0)
		return -1;
	pthread_mutex_lock(&r->mu);
	rc = r->fn(ev, r->userdata);
	pthread_mutex_unlock(&r->mu);
	ontra_event_free(ev);
	return rc;
}

/* No queue: from a server thread; non-zero answers 500. */
static int handle_now(void *userdata, const char *webhook_key, json_t *event)
{
	ontra_receiver *r = userdata;

	(void)webhook_key;
	return call_back(r, json_incref(event)); /* the server logs a 500 */
}

/* With a queue: from the delivery thread; a failure is retried later. */
static int handle_queued(void *userdata, const rcv_item *item, const json_t *doc, char *err,
                         size_t errsz)
{
	ontra_receiver *r = userdata;
	int rc = call_back(r, json_deep_copy(doc));

	(void)item;
	if (rc == 0)
		return RCV_CALL_DONE;
	snprintf(err, errsz, "the callback returned %d", rc);
	return RCV_CALL_RETRY;
}

static void on_result(void *userdata, int64_t id, rcv_outcome outcome, int attempts,
                      const char *error)
{
	char line[320];

	if (outcome == RCV_OUTCOME_DONE)
		return;
	snprintf(line, sizeof line, "event %lld %s after %d attempt%s: %s", (long long)id,
	         outcome == RCV_OUTCOME_DEAD ? "given up" : "to be retried", attempts,
	         attempts == 1 ? "" : "s", error ? error : "failed");
	log_line(userdata, line);
}

static int check_options(const ontra_receiver_options *o)
{
	if (!o || o->version < 1)
		return ontra__error(ONTRA_EINVALID, "no receiver options (or no version: use "
		                                    "ONTRA_RECEIVER_OPTIONS_INIT)");
	if (!o->on_event)
		return ontra__error(ONTRA_EINVALID, "no event callback (on_event is null)");
	if (o->token && !rcv_token_valid(o->token))
		return ontra__error(ONTRA_EINVALID,
		                    "invalid receiver token (expected %d to %d hex "
		                    "digits)",
		                    RCV_TOKEN_MIN, RCV_TOKEN_MAX);
	if (o->max_attempts < 0 || o->retry_base_ms < 0 || o->retry_cap_ms < 0 || o->listen_fd < 0)
		return ontra__error(ONTRA_EINVALID, "negative receiver option (expected 0 for the "
		                                    "default, or more)");
	return 0;
}

/* An error from a receiver part: its line, and the code callers branch on. */
static int part_error(int rc, const char *err)
{
	int code = rc == RCV_EINVALID || rc == RCV_ENOTQUEUE ? ONTRA_EINVALID : ONTRA_ERROR;

	return ontra__error(code, "%s", err[0] ? err : rcv_strerror(rc));
}

static int start_queue(ontra_receiver *r, const ontra_receiver_options *o)
{
	rcv_deliver_config dc = RCV_DELIVER_CONFIG_INIT;
	char err[256] = "";
	int rc;

	if ((rc = rcv_queue_open(&r->q, o->queue_path, err, sizeof err)) != 0)
		return part_error(rc, err);
	dc.kind = RCV_HANDLER_CALL;
	dc.call = handle_queued;
	dc.on_result = on_result;
	dc.log = log_line;
	dc.userdata = r;
	dc.max_attempts = o->max_attempts;
	dc.backoff_base_ms = o->retry_base_ms;
	dc.backoff_cap_ms = o->retry_cap_ms;
	if ((rc = rcv_deliver_start(&r->deliver, r->q, &dc, err, sizeof err)) != 0)
		return part_error(rc, err);
	return 0;
}

static int start_server(ontra_receiver *r, const ontra_receiver_options *o)
{
	rcv_server_config sc = RCV_SERVER_CONFIG_INIT;
	char err[256] = "", token[RCV_TOKEN_MAX + 1];
	int rc;

	sc.bind = o->bind;
	sc.port = o->port;
	sc.listen_fd = o->listen_fd;
	sc.threads = o->threads;
	sc.limits.max_body = o->max_body ? o->max_body : ONTRA_EVENT_MAX_BODY;
	sc.limits.max_depth = ONTRA_EVENT_MAX_DEPTH;
	sc.limits.max_fields = ONTRA_EVENT_MAX_FIELDS;
	sc.log = log_line;
	sc.log_userdata = r;
	sc.handle = handle_now;
	sc.handle_userdata = r;
	if (o->token)
		snprintf(token, sizeof token, "%s", o->token);
	else if (rcv_token_new(token, sizeof token) != 0)
		return ontra__error(ONTRA_ERROR, "cannot make a receiver token (no randomness)");
	if ((rc = rcv_server_start(&r->server, r->q, &sc, err, sizeof err)) != 0)
		return part_error(rc, err);
	if ((rc = rcv_server_add_hook(r->server, token, HOOK_KEY, RCV_MODE_ONTRAPORT)) != 0)
		return part_error(rc, "");
	snprintf(r->path, sizeof r->path, "/hooks/%s", token);
	return 0;
}

int ontra_receiver_start(ontra_receiver **out, const ontra_receiver_options *o)
{
	ontra_receiver *r;
	int rc;

	if (!out)
		return ontra__error(ONTRA_EINVALID, "no place for the receiver (out is null)");
	*out = NULL;
	if ((rc = check_options(o)) != 0)
		return rc;
	if (!(r = calloc(1, sizeof *r)))
		return ontra__error_oom();
	r->fn = o->on_event;
	r->userdata = o->userdata;
	r->log = o->log;
	r->log_userdata = o->log_userdata;
	pthread_mutex_init(&r->mu, NULL);
	rc = o->queue_path ? start_queue(r, o) : 0;
	if (rc == 0)
		rc = start_server(r, o);
	if (rc != 0) {
		ontra_receiver_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int ontra_receiver_port(const ontra_receiver *r)
{
	return r->server ? rcv_server_port(r->server) : 0;
}

const char *ontra_receiver_path(const ontra_receiver *r)
{
	return r->path;
}

void ontra_receiver_free(ontra_receiver *r)
{
	if (!r)
		return;
	rcv_server_stop(r->server);
	rcv_deliver_stop(r->deliver);
	rcv_queue_close(r->q);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
