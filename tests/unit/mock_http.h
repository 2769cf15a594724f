/*
 * A scripted HTTP server for unit tests: it listens on a free loopback port,
 * answers each request with the next canned reply, and records what it was
 * sent (method, target, content type, body) so a test can assert the exact
 * wire form of a library call. One connection per request (it answers
 * "Connection: close"). Test code only: header-only, static functions.
 */
#ifndef MOCK_HTTP_H
#define MOCK_HTTP_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MOCK_MAX 16
#define MOCK_BUF (256 * 1024)
#define MOCK_DROP (-1)

/* The allocation-failure shim (tests/unit/alloc_fail.c) never fails this thread. */
void alloc_fail_exempt_thread(void);

typedef struct mock_req {
	char method[16];
	char target[1024];
	char content_type[128];
	char head[4096]; /* the request line and headers, as sent (truncated) */
	char *body;      /* NUL-terminated */
} mock_req;

typedef struct mock_http {
	int fd;
	int port;
	pthread_t thread;
	int stop;
	const char *replies[MOCK_MAX]; /* bodies, answered with 200 and application/json */
	int statuses[MOCK_MAX];        /* 0 = 200; MOCK_DROP = close without answering */
	const char *extra[MOCK_MAX];   /* extra header lines ("A: 1\r\nB: 2\r\n"), or NULL */
	size_t nreplies;
	mock_req reqs[MOCK_MAX];
	size_t nreqs;
	char base_url[64];
} mock_http;

/*
 * The server running now, outside the test's mock_http: a test that fails midway
 * (cmocka jumps out of it) never calls mock_stop, and its mock_http on the stack is
 * reused by the next test. mock_start stops such an abandoned server first, from
 * what is kept here; the thread never reads the stale struct once abandoned. One
 * server at a time.
 */
static struct {
	int live;
	int fd;
	pthread_t thread;
	volatile int stop;
} mock_running;

static size_t mock_header_len(const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i + 3 < n; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
			return i + 4;
	return 0;
}

static void mock_header(const char *head, size_t hlen, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name), i = 0;

	out[0] = '\0';
	while (i < hlen) {
		const char *line = head + i, *eol = strstr(line, "\r\n");
		size_t len = eol ? (size_t)(eol - line) : hlen - i;
		if (len > nl + 1 && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1;
			while (*v == ' ')
				v++;
			snprintf(out, outsz, "%.*s", (int)(len - (size_t)(v - line)), v);
			return;
		}
		i += len + 2;
	}
}

static void *mock_run(void *arg)
{
	mock_http *m = arg;
	char *buf;

	alloc_fail_exempt_thread();
	buf = malloc(MOCK_BUF + 1);

	while (buf && !mock_running.stop) {
		int cfd = accept(mock_running.fd, NULL, NULL);
		size_t n = 0, hlen = 0, want = 0;
		char clen[32], resp[1024];
		const char *reply;
		mock_req *r;

		if (cfd < 0)
			break;
		if (mock_running.stop) {
			close(cfd);
			break;
		}
		for (;;) {
			ssize_t got = recv(cfd, buf + n, MOCK_BUF - n, 0);
			if (got <= 0)
				break;
			n += (size_t)got;
			if (!hlen && (hlen = mock_header_len(buf, n)) != 0) {
				buf[hlen - 2] = '\0';
				mock_header(buf, hlen, "Content-Length", clen, sizeof clen);
				want = hlen + (size_t)strtoul(clen, NULL, 10);
			}
			if (hlen && n >= want)
				break;
		}
		if (!hlen || m->nreqs >= MOCK_MAX) {
			close(cfd);
			continue;
		}
		r = &m->reqs[m->nreqs];
		sscanf(buf, "%15s %1023s", r->method, r->target);
		snprintf(r->head, sizeof r->head, "%s", buf);
		mock_header(buf, hlen, "Content-Type", r->content_type, sizeof r->content_type);
		r->body = calloc(1, n - hlen + 1);
		if (r->body)
			memcpy(r->body, buf + hlen, n - hlen);
		reply =
		    m->nreqs < m->nreplies ? m->replies[m->nreqs] : "{\"code\":0,\"account_id\":1}";
		if (m->statuses[m->nreqs] == MOCK_DROP) {
			m->nreqs++;
			close(cfd);
			continue;
		}
		snprintf(
		    resp, sizeof resp,
		    "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		    "%sConnection: close\r\n\r\n",
		    m->statuses[m->nreqs] ? m->statuses[m->nreqs] : 200, strlen(reply),
		    m->extra[m->nreqs] ? m->extra[m->nreqs] : "");
		m->nreqs++;
		if (send(cfd, resp, strlen(resp), MSG_NOSIGNAL) < 0 ||
		    send(cfd, reply, strlen(reply), MSG_NOSIGNAL) < 0) {
			/* the client went away: nothing to do */
		}
		close(cfd);
	}
	free(buf);
	return NULL;
}

/* Start the server; replies[] (NULL-terminated, borrowed) are answered in order. */
static int mock_start(mock_http *m, const char *const *replies)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;

	if (mock_running.live) {
		/* Left running by a test that failed: stop it without touching its struct. */
		mock_running.stop = 1;
		shutdown(mock_running.fd, SHUT_RDWR);
		pthread_join(mock_running.thread, NULL);
		close(mock_running.fd);
		mock_running.live = 0;
	}
	memset(m, 0, sizeof *m);
	while (replies && replies[m->nreplies] && m->nreplies < MOCK_MAX) {
		m->replies[m->nreplies] = replies[m->nreplies];
		m->nreplies++;
	}
	m->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (m->fd < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(m->fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(m->fd, 8) < 0 ||
	    getsockname(m->fd, (struct sockaddr *)&a, &alen) < 0) {
		close(m->fd);
		return -1;
	}
	m->port = ntohs(a.sin_port);
	snprintf(m->base_url, sizeof m->base_url, "http://127.0.0.1:%d/1", m->port);
	mock_running.fd = m->fd;
	mock_running.stop = 0;
	if (pthread_create(&m->thread, NULL, mock_run, m) != 0) {
		close(m->fd);
		return -1;
	}
	mock_running.thread = m->thread;
	mock_running.live = 1;
	return 0;
}

static void mock_stop(mock_http *m)
{
	struct sockaddr_in a;
	int fd;

	m->stop = 1;
	mock_running.stop = 1;
	/* Wake the accept() with one last connection. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)m->port);
	if (fd >= 0) {
		if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
			/* the thread is gone already */
		}
		close(fd);
	}
	pthread_join(m->thread, NULL);
	close(m->fd);
	mock_running.live = 0;
}

/* Free what the server recorded (after mock_stop, once the test has looked at it). */
static void mock_free(mock_http *m)
{
	size_t i;

	for (i = 0; i < m->nreqs; i++)
		free(m->reqs[i].body);
	m->nreqs = 0;
}

/* A client made from options with the mock's key pair and a 5 s timeout filled in; fails
 * the test if it cannot be made (under scripts/torture.sh, an allocation may fail). */
static inline ontra_client *mock_client_with(const char *base_url, ontra_client_options o)
{
	ontra_client *c = NULL;

	o.base_url = base_url;
	o.app_id = "2_AppID_12345678";
	o.api_key = "Key5678";
	o.timeout_ms = 5000;
	if (ontra_client_new(&c, &o) != 0)
		fail_msg("cannot create a client: %s", ontra_error_last()->message);
	return c;
}

/* A client for the mock server (or any base URL), default options. Include cmocka.h first. */
static inline ontra_client *mock_client(const char *base_url)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	return mock_client_with(base_url, o);
}

/* A client with these retry settings and no pacing (the mock sends no rate headers). */
static inline ontra_client *mock_client_retry(const char *base_url, int max_retries,
                                              long retry_max_ms)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;

	o.max_retries = max_retries;
	o.retry_max_ms = retry_max_ms;
	o.no_pacing = 1;
	return mock_client_with(base_url, o);
}

#endif
