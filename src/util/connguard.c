/* connguard: per-connection request deadlines (contract in connguard.h). */
#include "connguard.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "banned.h"

#define SWEEP_MS 250

struct util_connguard_entry {
	util_connguard_entry *prev, *next;
	int fd;
	int started;           /* a request line arrived: a cut answers 408 */
	long long deadline_ms; /* monotonic; 0 = disarmed */
};

struct util_connguard {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* signalled to stop the sweeper */
	pthread_t thread;
	util_connguard_entry *head;
	long long timeout_ms;
	int stopping;
};

/* Answer 408 if a request began (best effort: the socket never blocks); end the stream. */
static void cut(int fd, int started, long long timeout_ms)
{
	char body[96], msg[256];
	int blen, n;

	if (!started) {
		shutdown(fd, SHUT_RDWR);
		return;
	}
	blen = snprintf(body, sizeof body, "request not received in full within %lld s\n",
	                timeout_ms / 1000);
	n = snprintf(msg, sizeof msg,
	             "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
	             "Connection: close\r\nContent-Length: %d\r\n\r\n%s",
	             blen, body);
	(void)send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(fd, SHUT_RDWR);
}

static void sweep(util_connguard *g)
{
	long long now = util_mono_ms();
	util_connguard_entry *e;

	for (e = g->head; e; e = e->next) {
		if (e->deadline_ms && e->deadline_ms <= now) {
			e->deadline_ms = 0;
			cut(e->fd, e->started, g->timeout_ms);
		}
	}
}

static void *sweeper(void *arg)
{
	util_connguard *g = arg;

	pthread_mutex_lock(&g->mu);
	while (!g->stopping) {
		struct timespec ts;

		sweep(g);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += SWEEP_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->cv, &g->mu, &ts);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

util_connguard *util_connguard_new(unsigned timeout_s)
{
	util_connguard *g = calloc(1, sizeof *g);

	if (!g)
		return NULL;
	g->timeout_ms = (long long)(timeout_s ? timeout_s : 1) * 1000;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	if (pthread_create(&g->thread, NULL, sweeper, g) != 0) {
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
		free(g);
		return NULL;
	}
	return g;
}

void util_connguard_free(util_connguard *g)
{
	util_connguard_entry *e, *next;

	if (!g)
		return;
	pthread_mutex_lock(&g->mu);
	g->stopping = 1;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->thread, NULL);
	for (e = g->head; e; e = next) {
		next = e->next;
		free(e);
	}
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

util_connguard_entry *util_connguard_add(util_connguard *g, int fd)
{
	util_connguard_entry *e;

	if (!g || !(e = calloc(1, sizeof *e)))
		return NULL;
	e->fd = fd;
	pthread_mutex_lock(&g->mu);
	e->deadline_ms = util_mono_ms() + g->timeout_ms;
	e->next = g->head;
	if (g->head)
		g->head->prev = e;
	g->head = e;
	pthread_mutex_unlock(&g->mu);
	return e;
}

static void set(util_connguard *g, util_connguard_entry *e, int started)
{
	if (!g || !e)
		return;
	pthread_mutex_lock(&g->mu);
	e->started = started;
	e->deadline_ms = util_mono_ms() + g->timeout_ms;
	pthread_mutex_unlock(&g->mu);
}

void util_connguard_arm(util_connguard *g, util_connguard_entry *e)
{
	set(g, e, 0);
}

void util_connguard_start(util_connguard *g, util_connguard_entry *e)
{
	set(g, e, 1);
}

void util_connguard_disarm(util_connguard *g, util_connguard_entry *e)
{
	if (!g || !e)
		return;
	pthread_mutex_lock(&g->mu);
	e->deadline_ms = 0;
	pthread_mutex_unlock(&g->mu);
}

void util_connguard_remove(util_connguard *g, util_connguard_entry *e)
{
	if (!g || !e)
		return;
	pthread_mutex_lock(&g->mu);
	if (e->prev)
		e->prev->next = e->next;
	else
		g->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	pthread_mutex_unlock(&g->mu);
	free(e);
}

void util_raise_fd_limit(unsigned long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}
