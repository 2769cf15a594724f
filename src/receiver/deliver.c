/*
 * deliver: the delivery thread. It claims one event at a time (the queue
 * enforces arrival order per webhook key), hands it to the handler, and
 * records the outcome: done, retry later (exponential backoff with jitter),
 * or dead after max_attempts failures.
 *
 * At least once: the outcome is recorded only after the handler returned, so
 * a process that dies between the two leaves the event pending and it is
 * delivered again after a restart.
 */
#include "receiver.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deliver_int.h"
#include "banned.h"

struct rcv_deliver {
	rcv_queue *q;
	rcv_deliver_config cfg;
	rcv_forwarder *fwd;
	pthread_t thread;
	atomic_int stop;
	int gone; /* the handler is gone for good: deliver nothing more (delivery thread) */
	unsigned seed;
};

/* xorshift32: jitter needs spread, not secrecy. */
static unsigned next_rand(unsigned *seed)
{
	unsigned x = *seed ? *seed : 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*seed = x;
	return x;
}

long rcv_backoff_ms(int attempts, long base_ms, long cap_ms, unsigned *seed)
{
	long d = base_ms > 0 ? base_ms : 1;
	int i;

	if (cap_ms < d)
		cap_ms = d;
	/* d = min(cap, base * 2^(attempts-1)), doubling without overflow */
	for (i = 1; i < attempts && d < cap_ms; i++)
		d = d > cap_ms / 2 ? cap_ms : d * 2;
	if (d > cap_ms)
		d = cap_ms;
	/* "Equal jitter": half fixed, half random, so retries of events that
	 * failed together spread out but never come sooner than d/2. */
	return d / 2 + (long)(next_rand(seed) % (unsigned long)(d - d / 2 + 1));
}

int rcv_deliver_document(json_t **out, const rcv_item *item)
{
	json_t *ev, *doc, *v;
	const char *k;
	char when[40];

	*out = NULL;
	/* A form value may decode to a NUL ("a=1%002"): stored as \u0000, delivered as such. */
	ev = json_loads(item->event, JSON_ALLOW_NUL, NULL);
	if (!json_is_object(ev)) {
		json_decref(ev);
		return RCV_ERROR;
	}
	rcv_format_time(item->received_at, when, sizeof when);
	doc = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)item->id, "received_at", when,
	                "webhook_key", item->webhook_key);
	if (!doc) {
		json_decref(ev);
		return RCV_ERROR;
	}
	json_object_foreach(ev, k, v)
	{
		if (!json_object_get(doc, k) && json_object_set(doc, k, v)) {
			json_decref(doc);
			json_decref(ev);
			return RCV_ERROR;
		}
	}
	json_decref(ev);
	*out = doc;
	return 0;
}

/* A CALL attempt: the function's RCV_CALL_* mapped to the handlers' returns. */
static int attempt_call(rcv_deliver *d, const rcv_item *item, const json_t *doc, char *err,
                        size_t errsz)
{
	int rc = d->cfg.call(d->cfg.userdata, item, doc, err, errsz);

	if (rc == RCV_CALL_DONE)
		return 0;
	if (!err[0])
		snprintf(err, errsz, "the handler failed");
	return rc == RCV_CALL_DEAD ? RCV_HANDLER_DEAD : -1;
}

/* One attempt. Returns 0 on success, -1 (or RCV_HANDLER_GONE, RCV_HANDLER_DEAD) with err
 * filled otherwise. */
static int attempt(rcv_deliver *d, const rcv_item *item, char *err, size_t errsz)
{
	json_t *doc;
	char *text;
	size_t len;
	int rc;

	if (rcv_deliver_document(&doc, item)) {
		snprintf(err, errsz, "stored event %lld is not a json object", (long long)item->id);
		return -1;
	}
	if (d->cfg.kind == RCV_HANDLER_CALL) {
		rc = attempt_call(d, item, doc, err, errsz);
		json_decref(doc);
		return rc;
	}
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	len = strlen(text);
	switch (d->cfg.kind) {
	case RCV_HANDLER_EXEC:
		rc = rcv_deliver__exec(d->cfg.command, text, len, d->cfg.timeout_ms, item->id,
		                       item->attempts + 1, err, errsz);
		break;
	case RCV_HANDLER_FORWARD:
		rc = rcv_forwarder_post(d->fwd, text, len, err, errsz);
		break;
	default:
		rc = rcv_deliver__file(d->cfg.out ? d->cfg.out : stdout, text, len, err, errsz);
		break;
	}
	free(text);
	return rc;
}

static void logf_queue(rcv_deliver *d, const char *what)
{
	char line[1100]; /* the queue's error, up to 1 KB (a multi-host URL's every failure) */

	if (!d->cfg.log)
		return;
	snprintf(line, sizeof line, "%s: %s", what, rcv_queue_last_error());
	d->cfg.log(d->cfg.userdata, line);
}

/* Write one outcome to the queue. */
static int record(rcv_deliver *d, const rcv_item *item, rcv_outcome outcome, const char *why,
                  int64_t retry_at)
{
	if (outcome == RCV_OUTCOME_DONE)
		return rcv_queue_done(d->q, item->id, rcv_now_ms());
	if (outcome == RCV_OUTCOME_DEAD)
		return rcv_queue_dead(d->q, item->id, why);
	return rcv_queue_retry(d->q, item->id, why, retry_at);
}

/* Sleep until deadline_ms, or less if the delivery is stopping. */
static void pause_until(rcv_deliver *d, int64_t deadline_ms)
{
	for (;;) {
		/* seq before stop: a stop's kick then always ends the wait. */
		uint64_t seen = rcv_queue_seq(d->q);
		if (atomic_load(&d->stop) || rcv_now_ms() >= deadline_ms)
			return;
		rcv_queue_wait(d->q, seen, deadline_ms);
	}
}

/* Log "event ID: what"; returns -1 (record_until_stored gave up). */
static int log_event(rcv_deliver *d, int64_t id, const char *what)
{
	char line[200];

	snprintf(line, sizeof line, "event %lld: %s", (long long)id, what);
	if (d->cfg.log)
		d->cfg.log(d->cfg.userdata, line);
	return -1;
}

/*
 * Record the outcome, however long the queue refuses it (a full disk, a lock held past
 * the busy timeout): the claim stays, so the event is not delivered again meanwhile, and
 * the mark is retried with backoff. Only a stop gives up; the event then stays pending and
 * the next run delivers it once more; a lease lost (RCV_ELEASE, a PostgreSQL queue whose
 * claim another worker took over) gives up at once: the event is theirs. Returns 0 once
 * recorded.
 */
static int record_until_stored(rcv_deliver *d, const rcv_item *item, rcv_outcome outcome,
                               const char *why, int64_t retry_at)
{
	char line[160];
	int tries, rc;

	for (tries = 1; (rc = record(d, item, outcome, why, retry_at)) != 0; tries++) {
		if (rc == RCV_ELEASE) /* PostgreSQL: another worker took the event over */
			return log_event(d, item->id,
			                 "the lease ended before its outcome was "
			                 "recorded: another worker has it now");
		if (tries == 1)
			logf_queue(d,
			           "cannot record a delivery outcome (retrying the mark, not the "
			           "delivery)");
		if (atomic_load(&d->stop)) {
			rcv_queue_release(d->q, item->id);
			return log_event(d, item->id,
			                 "stopping before its outcome was recorded: it stays "
			                 "pending and the next run delivers it again");
		}
		pause_until(d, rcv_now_ms() + rcv_backoff_ms(tries, 100, 5000, &d->seed));
	}
	if (tries > 1 && d->cfg.log) {
		snprintf(line, sizeof line, "event %lld: outcome recorded after %d tries",
		         (long long)item->id, tries);
		d->cfg.log(d->cfg.userdata, line);
	}
	return 0;
}

/* rc: the attempt's (0 done, RCV_HANDLER_DEAD dead now, else failed). */
static void finish(rcv_deliver *d, rcv_item *item, int rc, const char *why)
{
	int attempts = item->attempts + 1, ok = rc == 0;
	rcv_outcome outcome = ok ? RCV_OUTCOME_DONE
	                      : rc == RCV_HANDLER_DEAD || attempts >= d->cfg.max_attempts
	                          ? RCV_OUTCOME_DEAD
	                          : RCV_OUTCOME_RETRY;
	int64_t retry_at = 0;

	if (outcome == RCV_OUTCOME_RETRY)
		retry_at = rcv_now_ms() + rcv_backoff_ms(attempts, d->cfg.backoff_base_ms,
		                                         d->cfg.backoff_cap_ms, &d->seed);
	if (record_until_stored(d, item, outcome, why, retry_at) == 0 && d->cfg.on_result)
		d->cfg.on_result(d->cfg.userdata, item->id, outcome, attempts, ok ? NULL : why);
}

/* The handler cannot take anything any more: give the event back untried, stop delivering. */
static void handler_gone(rcv_deliver *d, const rcv_item *item, const char *why)
{
	char line[400];

	rcv_queue_release(d->q, item->id);
	d->gone = 1;
	snprintf(line, sizeof line, "event %lld: %s: delivery stopped, the event stays pending",
	         (long long)item->id, why);
	if (d->cfg.on_gone)
		d->cfg.on_gone(d->cfg.userdata, line);
	else if (d->cfg.log)
		d->cfg.log(d->cfg.userdata, line);
}

static void *deliver_main(void *arg)
{
	rcv_deliver *d = arg;
	sigset_t set;

	/* A handler that closed its end gives EPIPE here, not a dead process. */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	for (;;) {
		/* Read seq before checking stop: a stop's kick then always ends the wait. */
		uint64_t seen = rcv_queue_seq(d->q);
		int64_t now, wake = 0;
		rcv_item *item = NULL;
		char why[320];
		int rc;

		if (atomic_load(&d->stop))
			break;
		if (d->gone) { /* nothing more can be delivered: wait for the stop */
			rcv_queue_wait(d->q, seen, rcv_now_ms() + 60000);
			continue;
		}
		now = rcv_now_ms();
		rc = rcv_queue_claim(d->q, now, &item, &wake);
		if (rc == RCV_ENOTFOUND || rc) {
			int64_t deadline = now + d->cfg.poll_ms;
			if (rc && rc != RCV_ENOTFOUND)
				logf_queue(d, "cannot read the queue");
			else if (wake && wake < deadline)
				deadline = wake;
			rcv_queue_wait(d->q, seen, deadline);
			continue;
		}
		why[0] = '\0';
		rc = attempt(d, item, why, sizeof why);
		if (rc == RCV_HANDLER_GONE)
			handler_gone(d, item, why);
		else
			finish(d, item, rc, why);
		rcv_item_free(item);
		/* Clear a SIGPIPE left pending by a handler that stopped reading. */
		{
			struct timespec zero = {0, 0};
			while (sigtimedwait(&set, NULL, &zero) > 0)
				;
		}
	}
	return NULL;
}

int rcv_deliver_start(rcv_deliver **out, rcv_queue *q, const rcv_deliver_config *cfg, char *err,
                      size_t errsz)
{
	rcv_deliver_config def = RCV_DELIVER_CONFIG_INIT;
	rcv_deliver *d;
	int rc;

	*out = NULL;
	d = calloc(1, sizeof *d);
	if (!d) {
		if (err && errsz)
			snprintf(err, errsz, "out of memory");
		return RCV_ERROR;
	}
	d->q = q;
	d->cfg = cfg ? *cfg : def;
	if (d->cfg.timeout_ms <= 0)
		d->cfg.timeout_ms = 30000;
	if (d->cfg.max_attempts <= 0)
		d->cfg.max_attempts = 8;
	if (d->cfg.backoff_base_ms <= 0)
		d->cfg.backoff_base_ms = 1000;
	if (d->cfg.backoff_cap_ms <= 0)
		d->cfg.backoff_cap_ms = 300000;
	if (d->cfg.poll_ms <= 0)
		d->cfg.poll_ms = 1000;
	d->seed = (unsigned)rcv_now_ms() ^ (unsigned)(uintptr_t)d;
	atomic_init(&d->stop, 0);

	rc = 0;
	if (d->cfg.kind == RCV_HANDLER_EXEC && (!d->cfg.command || !*d->cfg.command)) {
		if (err && errsz)
			snprintf(err, errsz, "exec handler without a command");
		rc = RCV_EINVALID;
	} else if (d->cfg.kind == RCV_HANDLER_FORWARD) {
		rc = rcv_forwarder_new(&d->fwd, d->cfg.url, d->cfg.timeout_ms, err, errsz);
	} else if (d->cfg.kind == RCV_HANDLER_CALL && !d->cfg.call) {
		if (err && errsz)
			snprintf(err, errsz, "call handler without a function");
		rc = RCV_EINVALID;
	} else if (d->cfg.kind != RCV_HANDLER_FILE && d->cfg.kind != RCV_HANDLER_EXEC &&
	           d->cfg.kind != RCV_HANDLER_CALL) {
		if (err && errsz)
			snprintf(err, errsz, "unknown handler kind %d", (int)d->cfg.kind);
		rc = RCV_EINVALID;
	}
	if (!rc && pthread_create(&d->thread, NULL, deliver_main, d) != 0) {
		if (err && errsz)
			snprintf(err, errsz, "cannot start the delivery thread");
		rc = RCV_ERROR;
	}
	if (rc) {
		rcv_forwarder_free(d->fwd);
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void rcv_deliver_stop(rcv_deliver *d)
{
	if (!d)
		return;
	atomic_store(&d->stop, 1);
	rcv_queue_kick(d->q);
	pthread_join(d->thread, NULL);
	rcv_forwarder_free(d->fwd);
	free(d);
}
