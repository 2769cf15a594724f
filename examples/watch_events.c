/*
 * watch_events: subscribe a webhook for new contacts, receive N events with
 * the library's receiver (no HTTP code of our own), print one line each,
 * unsubscribe. `ontraport watch` is the full version (handlers, a CLI).
 *
 *   watch_events [N] [QUEUE_FILE]
 *
 * With QUEUE_FILE the receiver answers Ontraport once an event is on disk
 * and calls back from the queue (again after a failure or a restart);
 * without one it answers after the callback. It subscribes its own loopback
 * address, which only a sandbox can reach: a real account needs a public
 * https address forwarded to the receiver's port.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

struct state {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int received;
};

/* From a receiver thread, one event at a time; 0 = handled. */
static int on_event(const ontra_event *ev, void *userdata)
{
	struct state *st = userdata;
	const char *email = ontra_event_field(ev, "email");

	pthread_mutex_lock(&st->mu);
	printf("%s contact %lld %s\n", ontra_event_type(ev), ontra_event_object_id(ev),
	       email ? email : "-");
	fflush(stdout);
	st->received++;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
	return 0;
}

int main(int argc, char **argv)
{
	struct state st = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
	ontra_receiver_options ro = ONTRA_RECEIVER_OPTIONS_INIT;
	ontra_webhook_options wo = ONTRA_WEBHOOK_OPTIONS_INIT;
	ontra_receiver *r = NULL;
	ontra_client *c;
	json_t *sub = NULL;
	char url[512];
	int want = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 1, rc = 0;
	long long id;

	if (want < 1 || argc > 3) {
		fprintf(stderr, "usage: %s [N] [QUEUE_FILE]\n", argv[0]);
		return 2;
	}
	if (!(c = client_from_env()))
		return 1;
	ro.on_event = on_event;
	ro.userdata = &st;
	ro.queue_path = argc > 2 ? argv[2] : NULL;
	if (ontra_receiver_start(&r, &ro) < 0) { /* port 0: any free one */
		rc = fail("receiver");
		goto out;
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", ontra_receiver_port(r),
	         ontra_receiver_path(r));
	wo.url = url;
	wo.event = ONTRA_EVENT_OBJECT_CREATE;
	wo.target = ONTRA_CONTACT;
	if (ontra_webhook_subscribe(&sub, c, &wo) < 0) {
		rc = fail("subscribe");
		goto out;
	}
	id = json_integer_value(json_object_get(sub, "id"));
	/* The URL holds the receiver's secret token: not printed. */
	fprintf(stderr, "subscribed webhook %lld: new contacts to port %d\n", id,
	        ontra_receiver_port(r));

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
	ontra_receiver_free(r);
	ontra_client_free(c);
	return rc;
}
