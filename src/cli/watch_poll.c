/*
 * The poll source of `ontraport watch --poll` (watch_poll.h). The poller
 * watches one field of contacts, contact_cat (the tag ids between "*" "/" "*" marks),
 * reads every contact once as the baseline, then hands over each contact
 * whose tags changed or that it had never seen. A contact never seen after
 * the baseline is new: "created", then "tagged" for each tag it came with
 * (as Ontraport's sandbox fires them); else one "tagged" or "untagged" per
 * tag added or removed. Each event is the document a webhook of that kind
 * would have queued (rcv_body_parse of the same body), plus "source":
 * "poll"; the record's data is as read at the poll.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_log.h"
#include "poll_store.h"
#include "runner.h"
#include "watch_poll.h"
#include "util.h"
#include "banned.h"

#define TAGS_FIELD "contact_cat"
#define TAGS_MAX 4096 /* tags on one contact compared */
#define FORM_TYPE "application/x-www-form-urlencoded"

struct cli_watch_poll {
	cli_ctx *ctx;
	cli_watch *w;
	cli_watch_poll_settings set;
	ontra_client *client;
	run_poller *core;
	cli_poll_store *store;
	pthread_t thread;
	int running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stopping; /* (mu) */
	int rc;       /* the poll's failure (--once), an exit code */
	/* the events of the change being handed over */
	cli_poll_event *ev;
	size_t nev, evcap;
};

/* ---- the events ---- */

static int wanted(const cli_watch_poll *p, ontra_webhook_event e, long long target)
{
	for (size_t i = 0; i < p->set.hooks->n; i++)
		if (p->set.hooks->v[i].event == e && p->set.hooks->v[i].target == target)
			return 1;
	return 0;
}

/* "prefix[key]=value" of a body, escaped as Ontraport's are. */
static void pair(util_buf *b, const char *prefix, const char *key, const char *value)
{
	util_form_pair(b, prefix, key, value, strlen(value));
}

/* A field's value as a form carries it: strings as they are, numbers in decimal, anything
 * else (null) empty. */
static void value_text(const json_t *v, char *out, size_t n)
{
	if (json_is_integer(v))
		snprintf(out, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, n, "%.17g", json_real_value(v));
	else
		out[0] = '\0';
}

/* The record's data[...] pairs as the --data-format says (as a subscription would send it:
 * full = every field, lightweight = id and the name and email, notify = the id, the rest
 * empty). */
static void data_pairs(const cli_watch_poll *p, util_buf *b, const json_t *rec)
{
	static const char *const light[] = {"firstname", "lastname", "email"};
	ontra_webhook_format f = p->set.hooks->format;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)rec, k, v)
	{
		int is_id = !strcmp(k, "id"), keep = 1;
		char num[64];
		if (f == ONTRA_WEBHOOK_LIGHTWEIGHT && !is_id) {
			keep = 0;
			for (size_t i = 0; i < 3; i++)
				keep |= !strcmp(k, light[i]);
		}
		if (!keep)
			continue;
		value_text(v, num, sizeof num);
		pair(b, "data", k,
		     f == ONTRA_WEBHOOK_NOTIFY && !is_id ? ""
		     : json_is_string(v)                 ? json_string_value(v)
		                                         : num);
	}
}

/* The body a subscription would have posted (form-encoded, as Ontraport sends it; no
 * webhook_id: none was subscribed), malloc'd. */
static char *hook_body(const cli_watch_poll *p, const run_poller_change *ch, const char *type,
                       const char *target_key, long long target)
{
	util_buf b = UTIL_BUF_INIT;
	char num[32];

	pair(&b, NULL, "object_type_id", "0");
	pair(&b, "event", "type", type);
	snprintf(num, sizeof num, "%lld", target);
	if (target_key)
		pair(&b, "event", target_key, num);
	data_pairs(p, &b, ch->record);
	snprintf(num, sizeof num, "%lld", ch->dlm);
	pair(&b, NULL, "timestamp", num);
	if (util_buf_ensure(&b) < 0 || util_buf_failed(&b)) {
		util_buf_release(&b);
		return NULL;
	}
	return util_buf_detach(&b);
}

/* One event: the body a subscription would have posted, and the document the receiver
 * makes of it (rcv_body_parse), marked "source": "poll". */
static int add_event(cli_watch_poll *p, const run_poller_change *ch, const char *type,
                     const char *target_key, long long target, char *err, size_t errsz)
{
	char *body = hook_body(p, ch, type, target_key, target), *text = NULL;
	json_t *norm = NULL;
	int rc = -1;

	if (body &&
	    rcv_body_parse(&norm, body, strlen(body), FORM_TYPE, RCV_MODE_ONTRAPORT, NULL, err,
	                   errsz) == 0 &&
	    json_object_set_new(norm, "source", json_string("poll")) == 0)
		text = json_dumps(norm, JSON_COMPACT);
	if (text && p->nev == p->evcap) {
		size_t cap = p->evcap ? p->evcap * 2 : 8;
		cli_poll_event *nv = realloc(p->ev, cap * sizeof *nv);
		if (nv)
			p->ev = nv, p->evcap = cap;
	}
	if (text && p->nev < p->evcap) {
		p->ev[p->nev++] = (cli_poll_event){text, body};
		text = body = NULL;
		rc = 0;
	} else if (err && !*err) {
		util_errf(err, errsz, -1, "poll: out of memory");
	}
	free(text);
	free(body);
	json_decref(norm);
	return rc;
}

/* The tag ids of a contact_cat value (ids between star-slash-star marks) into v (cap TAGS_MAX). */
static size_t tag_ids(const json_t *val, long long *v)
{
	const char *s = json_string_value(val);
	size_t n = 0;

	while (s && *s && n < TAGS_MAX) {
		char *end;
		long long id;
		s += strspn(s, "*/ ");
		if (!*s)
			break;
		id = strtoll(s, &end, 10);
		if (end == s) {
			s++;
			continue;
		}
		if (id > 0)
			v[n++] = id;
		s = end;
	}
	return n;
}

static int has(const long long *v, size_t n, long long id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return 1;
	return 0;
}

/* Tagged for each tag in `now` not in `was`, or untagged (the other way round). */
static int tag_events(cli_watch_poll *p, const run_poller_change *ch, const long long *a, size_t na,
                      const long long *b, size_t nb, ontra_webhook_event e, char *err, size_t errsz)
{
	const char *type = e == ONTRA_EVENT_SUB_TAG ? "sub_tag" : "unsub_tag";

	for (size_t i = 0; i < na; i++)
		if (!has(b, nb, a[i]) && !has(a, i, a[i]) && wanted(p, e, a[i]) &&
		    add_event(p, ch, type, "tag_id", a[i], err, errsz) < 0)
			return -1;
	return 0;
}

static int events_of(cli_watch_poll *p, const run_poller_change *ch, char *err, size_t errsz)
{
	long long *was = malloc(2 * TAGS_MAX * sizeof *was), *now = was ? was + TAGS_MAX : NULL;
	size_t nw, nn;
	int rc = -1;

	if (!was)
		return util_errf(err, errsz, -1, "poll: out of memory");
	nw = ch->old ? tag_ids(json_object_get(ch->old, TAGS_FIELD), was) : 0;
	nn = tag_ids(json_object_get(ch->now, TAGS_FIELD), now);
	if (!ch->old && wanted(p, ONTRA_EVENT_OBJECT_CREATE, 0) &&
	    add_event(p, ch, "object_create", NULL, 0, err, errsz) < 0)
		goto out;
	if (tag_events(p, ch, now, nn, was, nw, ONTRA_EVENT_SUB_TAG, err, errsz) == 0 &&
	    tag_events(p, ch, was, nw, now, nn, ONTRA_EVENT_UNSUB_TAG, err, errsz) == 0)
		rc = 0;
out:
	free(was);
	return rc;
}

static void clear_events(cli_watch_poll *p)
{
	for (size_t i = 0; i < p->nev; i++) {
		free(p->ev[i].event);
		free(p->ev[i].body);
	}
	p->nev = 0;
}

/* ---- the poller's store ---- */

static int state_get(void *ud, const char *key, char **value, char *err, size_t errsz)
{
	cli_watch_poll *p = ud;
	return cli_poll_store_get(p->store, key, value, err, errsz);
}

/* The snapshot or cursor; with a change, its events in the same transaction. */
static int state_set(void *ud, const char *key, const char *value, const run_poller_change *ch,
                     char *err, size_t errsz)
{
	cli_watch_poll *p = ud;
	int rc = 0;
	size_t n;

	if (err && errsz)
		err[0] = '\0';
	if (ch)
		rc = events_of(p, ch, err, errsz);
	if (rc == 0)
		rc = cli_poll_store_set(p->store, key, value, p->ev, p->nev, err, errsz);
	n = p->nev;
	clear_events(p);
	return rc < 0 ? -1 : (int)n;
}

/* ---- the thread ---- */

/* Sleep until `at` (ms since the epoch) or a stop. Returns whether stopping. */
static int sleep_until(cli_watch_poll *p, int64_t at)
{
	struct timespec ts = {(time_t)(at / 1000), (long)(at % 1000) * 1000000L};
	int stopping;

	pthread_mutex_lock(&p->mu);
	while (!p->stopping && rcv_now_ms() < at)
		if (pthread_cond_timedwait(&p->cv, &p->mu, &ts) != 0 && rcv_now_ms() >= at)
			break;
	stopping = p->stopping;
	pthread_mutex_unlock(&p->mu);
	return stopping;
}

static int stopping(cli_watch_poll *p)
{
	int s;

	pthread_mutex_lock(&p->mu);
	s = p->stopping;
	pthread_mutex_unlock(&p->mu);
	return s;
}

/* --once: wait until nothing is pending (every event delivered or dead), or a stop. */
static void wait_delivered(cli_watch_poll *p)
{
	rcv_queue *q = cli_watch_queue(p->w);

	while (!stopping(p)) {
		uint64_t seq = rcv_queue_seq(q);
		int64_t pending = 0;
		if (rcv_queue_counts(q, &pending, NULL, NULL) == 0 && pending == 0)
			return;
		rcv_queue_wait(q, seq, rcv_now_ms() + 200);
	}
}

/* One poll and its events into the queue. Returns EXIT_OK or an exit code (said). */
static int poll_once(cli_watch_poll *p)
{
	char err[512] = "";
	size_t added = 0, moved = 0;
	int done = 0;

	if (run_poller_baseline_done(p->core, &done, err, sizeof err) < 0 ||
	    run_poller_once(p->core, p->client, &added, err, sizeof err) < 0 ||
	    cli_poll_store_drain(p->store, cli_watch_queue(p->w), p->set.key, &moved, err,
	                         sizeof err) < 0) {
		int code = ontra_error_last()->code;
		cli_logf(CLI_LOG_ERROR, "%s", err);
		return code < 0 ? cli_exit_code(code) : EXIT_ERROR;
	}
	if (!done && run_poller_baseline_done(p->core, &done, err, sizeof err) == 0)
		cli_note(p->ctx, "ontraport watch: %s",
		         done
		             ? "baseline recorded: changes from now on are reported"
		             : "baseline: the share ran out before every contact was read; it goes "
		               "on at the next poll");
	if (p->ctx->verbose)
		cli_logf_with(CLI_LOG_DEBUG, json_pack("{sI}", "queued", (json_int_t)moved),
		              "poll: %zu event%s queued", moved, moved == 1 ? "" : "s");
	return EXIT_OK;
}

static void *poll_main(void *ud)
{
	cli_watch_poll *p = ud;
	char err[512] = "";

	/* What a crash left in the outbox goes first (once). */
	if (cli_poll_store_drain(p->store, cli_watch_queue(p->w), p->set.key, NULL, err,
	                         sizeof err) < 0) {
		cli_logf(CLI_LOG_ERROR, "%s", err);
		p->rc = EXIT_ERROR;
		cli_watch_request_stop(p->w);
		return NULL;
	}
	for (int first = 1; !stopping(p); first = 0) {
		int rc = poll_once(p); /* a failure is said, and the next poll tries again */
		if (first)             /* the share, once the account said its limit */
			cli_note(
			    p->ctx,
			    "ontraport watch: %s (the limit the account reports); no webhook is "
			    "subscribed",
			    run_poller_describe(p->core));
		if (p->set.once) {
			p->rc = rc;
			if (rc == EXIT_OK)
				wait_delivered(p);
			cli_watch_request_stop(p->w);
			break;
		}
		if (sleep_until(p, run_poller_next_ms(p->core)))
			break;
	}
	return NULL;
}

/* ---- start, stop ---- */

static void announce(const cli_watch_poll *p)
{
	char what[512];
	size_t len = 0;

	what[0] = '\0';
	for (size_t i = 0; i < p->set.hooks->n && len < sizeof what; i++) {
		int n = snprintf(what + len, sizeof what - len, "%s%s", i ? ", " : "",
		                 p->set.hooks->v[i].what);
		len += n > 0 ? (size_t)n : 0;
	}
	cli_note(p->ctx,
	         "ontraport watch: polling sees contacts created, tagged and untagged (reporting "
	         "%s); the first poll reads every contact as the baseline and reports nothing",
	         what);
	cli_note(p->ctx, "ontraport watch: polling cannot see forms submitted, purchases, "
	                 "transactions, deletions, other object types, or a change undone "
	                 "between two polls (a tag added and removed again)");
}

int cli_watch_poll_start(cli_watch_poll **out, cli_ctx *ctx, cli_watch *w,
                         const cli_watch_poll_settings *set)
{
	static const char *const fields[] = {TAGS_FIELD};
	run_poller_config cfg = {0};
	cli_watch_poll *p = calloc(1, sizeof *p);
	char err[512];
	int rc;

	*out = NULL;
	if (!p)
		return cli_error(EXIT_ERROR, "out of memory");
	p->ctx = ctx;
	p->w = w;
	p->set = *set;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	cfg = (run_poller_config){.type = "contacts",
	                          .fields = fields,
	                          .nfields = 1,
	                          .every_s = (set->interval_ms + 999) / 1000,
	                          .share = set->share,
	                          .full_baseline = 1,
	                          .get = state_get,
	                          .set = state_set,
	                          .ud = p};
	if ((rc = cli_client(ctx, &p->client)) != EXIT_OK)
		return cli_watch_poll_stop(p, rc);
	if (run_poller_new(&p->core, &cfg, err, sizeof err) < 0 ||
	    cli_poll_store_open(&p->store, set->state_path, err, sizeof err) < 0)
		return cli_watch_poll_stop(p, cli_error(EXIT_ERROR, "%s", err));
	announce(p);
	if (pthread_create(&p->thread, NULL, poll_main, p) != 0)
		return cli_watch_poll_stop(p,
		                           cli_error(EXIT_ERROR, "cannot start the poll thread"));
	p->running = 1;
	*out = p;
	return EXIT_OK;
}

int cli_watch_poll_stop(cli_watch_poll *p, int rc)
{
	if (!p)
		return rc;
	if (p->running) {
		pthread_mutex_lock(&p->mu);
		p->stopping = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
	}
	if (rc == EXIT_OK)
		rc = p->rc;
	clear_events(p);
	free(p->ev);
	run_poller_free(p->core);
	cli_poll_store_close(p->store);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
	return rc;
}
