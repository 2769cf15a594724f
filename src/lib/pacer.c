/*
 * The rate-limit pacer: spaces requests so a long job runs as fast as the
 * account's rolling window allows, without a 429.
 *
 * Ontraport allows X-Rate-Limit-Limit requests per rolling window (a minute;
 * the sandbox can compress it). The pacer keeps the send times of the last
 * `limit` requests it let through and lets request k go when request k-limit
 * has left the window: t_k >= t_(k-limit) + window. That is exactly the
 * server's rule, so a lone client never meets a 429 and is never slower than
 * the window allows. The window length is not in any header; it is learned
 * as the largest X-Rate-Limit-Reset seen (reset <= window, and equals it for
 * the first request of an empty window), else taken as 60 s.
 *
 * Other clients of the same account also use the window: when the server
 * says Remaining: 0 although this pacer's own count is under the limit, the
 * pacer holds everything until Reset has passed. A 429 does the same.
 *
 * A Reset is never taken beyond the API's documented window (60 s, REFERENCE
 * §1.5) plus a margin, MAX_RESET_S: a bogus "Reset: 999999" would otherwise
 * hold every later request for 11.6 days. A caller can bound the wait further
 * (ontra__pacer_reserve_within) and is told why a wait is needed.
 *
 * Thread-safe: clients that share an ontra_share share one pacer.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "util.h"
#include "banned.h"

#define DEFAULT_WINDOW 60.0
/* The API's documented rolling window is a minute: a Reset above it plus 10% is capped. */
#define MAX_RESET_S (DEFAULT_WINDOW * 1.1)
#define RING_MAX 100000
/*
 * Margin for the scheduling jitter between this clock and the server's, so a
 * request lands after its slot frees: 5 ms plus 1% of the window (0.6 s of a
 * minute: well inside a 10% budget) -- plus the longest recent round trip
 * (below), capped at 10% of the window.
 */
#define MARGIN_S(window) (0.005 + (window)*0.01)
/*
 * The server counts a request when it arrives, somewhere between our send
 * and the answer; two requests a window apart by our clock can be less than
 * a window apart by the server's by up to a round trip. So the pacer adds the
 * longest recent round trip (a maximum that decays by DECAY per answer).
 */
#define RTT_DECAY 0.95

struct ontra_pacer {
	pthread_mutex_t mu;
	long limit;    /* 0 until a response said */
	double window; /* learned; 0 = not yet */
	double *ring;  /* send times, oldest at head */
	size_t cap, head, count;
	double hold_until;   /* nothing goes before this (server said wait) */
	double rtt;          /* decaying maximum of recent round trips, seconds */
	unsigned long waits; /* requests that had to wait */
	char hold_why[192];  /* why hold_until was set, for the caller's notice */
};

double ontra__now(void)
{
	return util_mono_s();
}

void ontra__sleep(double seconds)
{
	struct timespec ts;

	if (seconds <= 0)
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Until a response gives the limit, send times are kept for Ontraport's documented 180. */
#define DEFAULT_LIMIT 180

static void resize(ontra_pacer *p, long limit);

ontra_pacer *ontra__pacer_new(void)
{
	ontra_pacer *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return NULL;
	}
	resize(p, DEFAULT_LIMIT);
	if (!p->ring) {
		ontra__pacer_free(p);
		return NULL;
	}
	return p;
}

void ontra__pacer_free(ontra_pacer *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->mu);
	free(p->ring);
	free(p);
}

/* Resize the ring to the limit, keeping the newest send times. Lock held. */
static void resize(ontra_pacer *p, long limit)
{
	size_t cap = (size_t)(limit > RING_MAX ? RING_MAX : limit), keep, i;
	double *ring;

	if (cap == p->cap)
		return;
	ring = calloc(cap ? cap : 1, sizeof *ring);
	if (!ring)
		return; /* keep pacing with the old ring */
	keep = p->count < cap ? p->count : cap;
	for (i = 0; i < keep; i++)
		ring[i] = p->ring[(p->head + p->count - keep + i) % p->cap];
	/* (p->cap is 0 on the first call, when p->count is 0 too.) */
	free(p->ring);
	p->ring = ring;
	p->cap = cap;
	p->head = 0;
	p->count = keep;
}

/* The time a request may go, from now; why says what holds it. Lock held. */
static double next_slot(ontra_pacer *p, double now, char *why, size_t whysz)
{
	double at = now;

	if (p->hold_until > at) {
		at = p->hold_until;
		if (why)
			snprintf(why, whysz, "%s", p->hold_why);
	}
	/* Throttle only once the server has told the limit. */
	if (p->limit > 0 && p->cap && p->count == p->cap) {
		double window = p->window > 0 ? p->window : DEFAULT_WINDOW;
		double rtt = p->rtt < window * 0.1 ? p->rtt : window * 0.1;
		double free_at = p->ring[p->head] + window + MARGIN_S(window) + rtt;
		if (free_at > at) {
			at = free_at;
			if (why)
				snprintf(
				    why, whysz,
				    "%zu requests were sent in the last %.0f s; the limit is %ld",
				    p->count, window, p->limit);
		}
	}
	return at;
}

/* Take the slot at `at` in the ring. Lock held. */
static void take_slot(ontra_pacer *p, double at)
{
	if (!p->cap)
		return;
	if (p->count == p->cap) {
		p->ring[p->head] = at;
		p->head = (p->head + 1) % p->cap;
	} else {
		p->ring[(p->head + p->count) % p->cap] = at;
		p->count++;
	}
}

int ontra__pacer_reserve_within(ontra_pacer *p, double max, double *wait, char *why, size_t whysz)
{
	double now, at;

	*wait = 0;
	if (why && whysz)
		why[0] = '\0';
	if (!p)
		return 0;
	pthread_mutex_lock(&p->mu);
	now = ontra__now();
	at = next_slot(p, now, why, whysz);
	*wait = at > now ? at - now : 0;
	if (max >= 0 && *wait > max) {
		pthread_mutex_unlock(&p->mu);
		return -1; /* nothing taken: the request is not sent */
	}
	take_slot(p, at);
	if (*wait > 0)
		p->waits++;
	pthread_mutex_unlock(&p->mu);
	return 0;
}

double ontra__pacer_reserve(ontra_pacer *p)
{
	double wait;

	ontra__pacer_reserve_within(p, -1, &wait, NULL, 0);
	return wait;
}

/* A Reset header as seconds to hold, capped at MAX_RESET_S; 1 s when absent. */
double ontra__reset_seconds(long reset)
{
	if (reset <= 0)
		return 1.0;
	return (double)reset < MAX_RESET_S ? (double)reset : MAX_RESET_S;
}

/* Say why the pacer holds: the server's headers, and whether Reset was capped. Lock held. */
static void hold_reason(ontra_pacer *p, const ontra_rate_limit *rl, int status)
{
	const char *what = status == 429 ? "answered 429" : "said X-Rate-Limit-Remaining: 0";
	int n;

	if (rl->reset <= 0) {
		snprintf(p->hold_why, sizeof p->hold_why, "the server %s, without a reset time",
		         what);
		return;
	}
	n = snprintf(p->hold_why, sizeof p->hold_why, "the server %s with X-Rate-Limit-Reset: %ld",
	             what, rl->reset);

	if (n > 0 && (size_t)n < sizeof p->hold_why && (double)rl->reset > MAX_RESET_S)
		snprintf(p->hold_why + n, sizeof p->hold_why - (size_t)n,
		         ", more than the API's %.0f s window: capped at %.0f s", DEFAULT_WINDOW,
		         MAX_RESET_S);
}

void ontra__pacer_update(ontra_pacer *p, const ontra_rate_limit *rl, int status, double rtt)
{
	double now;
	long mine;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	now = ontra__now();
	p->rtt *= RTT_DECAY;
	if (rtt > p->rtt && isfinite(rtt))
		p->rtt = rtt;
	if (rl->limit > 0 && rl->limit != p->limit) {
		p->limit = rl->limit;
		resize(p, rl->limit);
	}
	if (rl->reset > 0 && ontra__reset_seconds(rl->reset) > p->window)
		p->window = ontra__reset_seconds(rl->reset);
	/* How many of our own requests are inside the window now. */
	mine = 0;
	if (p->cap) {
		double window = p->window > 0 ? p->window : DEFAULT_WINDOW;
		for (size_t i = 0; i < p->count; i++)
			if (p->ring[(p->head + i) % p->cap] > now - window)
				mine++;
	}
	if (status == 429 || (rl->remaining == 0 && p->limit > 0 && mine < p->limit)) {
		/* The server knows of requests we did not send, or we were refused: wait it out. */
		double until = now + ontra__reset_seconds(rl->reset);
		if (until > p->hold_until) {
			p->hold_until = until;
			hold_reason(p, rl, status);
		}
	}
	pthread_mutex_unlock(&p->mu);
}

unsigned long ontra__pacer_waits(ontra_pacer *p)
{
	unsigned long w;

	if (!p)
		return 0;
	pthread_mutex_lock(&p->mu);
	w = p->waits;
	pthread_mutex_unlock(&p->mu);
	return w;
}
