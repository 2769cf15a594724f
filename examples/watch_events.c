/*
 * watch_events: subscribe a webhook for new contacts, receive N events on a
 * small libmicrohttpd endpoint, print each body as one line, unsubscribe.
 * A minimal illustration of the library's webhook calls; `ontraport watch`
 * is the durable version (a queue on disk, retries, handlers).
 *
 *   watch_events [N] [PUBLIC_URL]
 *
 * Without PUBLIC_URL it subscribes its own loopback address, which only a
 * sandbox can reach; a real account needs an https address forwarded here.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

struct state {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int received;
};

struct body {
	char buf[65536];
	size_t len;
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **ctx)
{
	struct state *st = cls;
	struct body *b = *ctx;
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)url;
	(void)version;
	if (strcmp(method, "POST") != 0)
		return MHD_NO;
	if (!b) { /* headers arrived */
		*ctx = calloc(1, sizeof *b);
		return *ctx ? MHD_YES : MHD_NO;
	}
	if (*size) { /* a piece of the body */
		size_t n = *size < sizeof b->buf - 1 - b->len ? *size : sizeof b->buf - 1 - b->len;
		memcpy(b->buf + b->len, data, n);
		b->len += n;
		*size = 0;
		return MHD_YES;
	}
	/* The whole body: print it on one line, answer 200. */
	pthread_mutex_lock(&st->mu);
	printf("%.*s\n", (int)b->len, b->buf);
	fflush(stdout);
	st->received++;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
	free(b);
	*ctx = NULL;
	r = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(con, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	struct state st = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
	ontra_webhook_options wo = ONTRA_WEBHOOK_OPTIONS_INIT;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	ontra_client *c;
	json_t *sub = NULL;
	char url[512];
	int want = argc > 1 ? atoi(argv[1]) : 1, rc = 0;
	long long id;

	if (want < 1 || argc > 3) {
		fprintf(stderr, "usage: %s [N] [PUBLIC_URL]\n", argv[0]);
		return 2;
	}
	if (!(c = client_from_env()))
		return 1;
	/* Port 0: any free one; MHD tells which. */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	                     on_request, &st, MHD_OPTION_END);
	if (!d || !(info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT))) {
		fprintf(stderr, "error: cannot listen\n");
		ontra_client_free(c);
		return 1;
	}
	if (argc > 2)
		snprintf(url, sizeof url, "%s", argv[2]);
	else
		snprintf(url, sizeof url, "http://127.0.0.1:%u/hook", (unsigned)info->port);
	wo.url = url;
	wo.event = ONTRA_EVENT_OBJECT_CREATE;
	wo.target = ONTRA_CONTACT;
	if (ontra_webhook_subscribe(&sub, c, &wo) < 0) {
		rc = fail("subscribe");
		goto out;
	}
	id = json_integer_value(json_object_get(sub, "id"));
	fprintf(stderr, "subscribed webhook %lld: new contacts to %s\n", id, url);

	pthread_mutex_lock(&st.mu);
	while (st.received < want)
		pthread_cond_wait(&st.cv, &st.mu);
	pthread_mutex_unlock(&st.mu);

	if (ontra_webhook_unsubscribe(c, id) < 0)
		rc = fail("unsubscribe");
	else
		fprintf(stderr, "received %d, unsubscribed\n", want);
out:
	json_decref(sub);
	MHD_stop_daemon(d);
	ontra_client_free(c);
	return rc;
}
