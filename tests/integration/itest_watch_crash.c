/*
 * Crash safety of `ontraport watch`, end to end: the sandbox delivers 1,000
 * object_create events (one per contact the test creates) to a watch that is
 * killed with SIGKILL twice part-way and restarted each time on the same
 * queue, port and token (--token-file, so it reuses its subscription).
 *
 * The sandbox's delivery log says which deliveries got a 200 from the
 * receiver. The rule checked (docs/receiver.md, "At least once"):
 *   - every event the receiver answered 200 reaches the handler (stdout);
 *   - a queue id is delivered more than once only across a crash: at most
 *     one id per kill (the one the handler had when the process died);
 *   - no line is torn, and nothing is left pending after a graceful stop.
 * Deliveries made while the watch was down got no 200: Ontraport (and the
 * sandbox) do not retry them, which is the sender's at-most-once, not a loss
 * by the receiver; the test reports how many there were.
 *
 * The receiver's own crash test (tests/unit/test_rcv_crash.c) covers
 * concurrent senders that re-send; this one covers the CLI's process: its
 * signal handling, queue lock, token file and subscription reuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define EVENTS 1000
#define KILLS 2

#define BATCH 50

static sandbox_proc sp;
static pid_t watch_pid;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int watch_down; /* the creator waits while the watch restarts (mu) */
static char dir[256], db[320], out_path[320], err_path[320], token_path[320];
static int port;

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return calloc(1, 1);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static int count_str(const char *path, const char *needle)
{
	char *text = slurp(path), *p = text;
	int n = 0;

	while (p && (p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	free(text);
	return n;
}

static int lines(const char *path)
{
	return count_str(path, "\n");
}

/* Start the watch; wait for its "listening on" line; learn the port the first time. */
static pid_t start_watch(void)
{
	const char *bin = getenv("ONTRAPORT_BIN");
	int before = count_str(err_path, "listening on "), i;
	char portarg[16];
	pid_t pid;

	snprintf(portarg, sizeof portarg, "%d", port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int e = open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (o < 0 || e < 0)
			_exit(126);
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test leaves nothing running */
		dup2(o, STDOUT_FILENO);
		dup2(e, STDERR_FILENO);
		execl(bin, bin, "watch", "-e", "created", "--data-format", "lightweight", "--db",
		      db, "--token-file", token_path, "--port", portarg, "--name", "crash",
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 2000 && count_str(err_path, "listening on ") == before; i++)
		sleep_ms(10);
	assert_true(count_str(err_path, "listening on ") > before);
	if (!port) {
		char *text = slurp(err_path), *p = strstr(text, "127.0.0.1:");
		assert_non_null(p);
		port = atoi(p + strlen("127.0.0.1:"));
		free(text);
		assert_true(port > 0);
	}
	return pid;
}

static int is_down(void)
{
	int d;

	pthread_mutex_lock(&mu);
	d = watch_down;
	pthread_mutex_unlock(&mu);
	return d;
}

static void set_down(int d)
{
	pthread_mutex_lock(&mu);
	watch_down = d;
	pthread_mutex_unlock(&mu);
}

/* The sandbox's deliveries queued or in flight. */
static long long sandbox_pending(void)
{
	json_t *log = sandbox_control(&sp, "GET", "deliveries?limit=0");
	long long n = log ? json_integer_value(json_object_get(log, "pending")) : -1;

	json_decref(log);
	return n;
}

/*
 * Create the contacts in batches, letting the sandbox deliver each batch before the next,
 * and pausing while the watch restarts: the kills land mid-batch, with deliveries in flight,
 * and only the deliveries the sandbox had queued at that moment find nobody listening.
 */
static void *creator(void *arg)
{
	ontra_client *c = sandbox_client(&sp);
	int i;

	(void)arg;
	for (i = 0; i < EVENTS; i++) {
		json_t *fields = json_pack("{s:s}", "firstname", "Crash"), *rec = NULL;
		while (i % BATCH == 0 && is_down())
			sleep_ms(5);
		if (ontra_object_create(&rec, c, ONTRA_CONTACT, fields) < 0) {
			fprintf(stderr, "create %d: %s\n", i, ontra_error_last()->message);
			abort();
		}
		json_decref(rec);
		json_decref(fields);
		while ((i + 1) % BATCH == 0 && sandbox_pending() > 0)
			sleep_ms(5);
	}
	ontra_client_free(c);
	return NULL;
}

typedef struct seen {
	int lines, bad;
	int by_contact[EVENTS + 1]; /* deliveries of each contact id */
	int by_id[4 * EVENTS + 1];  /* deliveries of each queue id */
	int id_dups;
} seen;

static void read_output(seen *s)
{
	char *text = slurp(out_path), *p = text;

	memset(s, 0, sizeof *s);
	while (*p) {
		char *nl = strchr(p, '\n');
		json_t *doc;
		if (!nl)
			break; /* a line being written */
		*nl = '\0';
		s->lines++;
		doc = json_loads(p, 0, NULL);
		if (!doc) {
			s->bad++;
		} else {
			long long id = json_integer_value(json_object_get(doc, "id"));
			const char *cid =
			    json_string_value(json_object_get(json_object_get(doc, "data"), "id"));
			long long c = cid ? atoll(cid) : 0;
			if (c >= 1 && c <= EVENTS)
				s->by_contact[c]++;
			if (id >= 1 && id <= 4 * EVENTS && s->by_id[id]++)
				s->id_dups++;
			json_decref(doc);
		}
		p = nl + 1;
	}
	free(text);
}

static int all_acked_seen(const unsigned char *acked, seen *s)
{
	int i;

	read_output(s);
	for (i = 1; i <= EVENTS; i++)
		if (acked[i] && !s->by_contact[i])
			return 0;
	return 1;
}

static void sigkill_loses_nothing_acknowledged(void **state)
{
	static unsigned char acked[EVENTS + 1];
	static seen s;
	int kill_at[KILLS] = {300, 650}, i, status, nacked = 0, failed = 0, ok;
	json_t *log, *d;
	pthread_t th;
	pid_t pid;
	long long t0;
	size_t k;

	(void)state;
	watch_pid = pid = start_watch();
	assert_int_equal(pthread_create(&th, NULL, creator, NULL), 0);
	for (i = 0; i < KILLS; i++) {
		t0 = now_ms();
		while (lines(out_path) < kill_at[i] && now_ms() - t0 < 60000)
			sleep_ms(5);
		assert_true(lines(out_path) >= kill_at[i]);
		set_down(1);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		watch_pid = pid = start_watch(); /* same queue, port and token */
		set_down(0);
	}
	pthread_join(th, NULL);

	/* The sandbox's word on which deliveries the receiver acknowledged. */
	for (i = 0; i < 1000; i++) {
		log = sandbox_control(&sp, "GET", "deliveries?limit=100000");
		assert_non_null(log);
		if (json_integer_value(json_object_get(log, "pending")) == 0)
			break;
		json_decref(log);
		sleep_ms(20);
	}
	assert_int_equal(json_array_size(json_object_get(log, "deliveries")), EVENTS);
	json_array_foreach(json_object_get(log, "deliveries"), k, d)
	{
		long long c = json_integer_value(json_object_get(d, "object_id"));
		assert_true(c >= 1 && c <= EVENTS);
		if (json_integer_value(json_object_get(d, "code")) == 200) {
			acked[c] = 1;
			nacked++;
		} else {
			failed++;
		}
	}
	json_decref(log);

	/* Every acknowledged event reaches the handler. */
	t0 = now_ms();
	while (!(ok = all_acked_seen(acked, &s)) && now_ms() - t0 < 60000)
		sleep_ms(20);
	assert_true(ok);
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	watch_pid = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	read_output(&s);
	assert_int_equal(s.bad, 0);
	for (i = 1; i <= EVENTS; i++) {
		if (acked[i])
			assert_true(s.by_contact[i] >= 1);
		assert_true(s.by_contact[i] <= 1 + KILLS);
	}
	assert_true(s.id_dups <= KILLS);
	/* Nothing pending; the subscription was reused, then removed at the graceful stop. */
	assert_int_equal(count_str(err_path, "already sends object_create(0) here"), KILLS);
	assert_int_equal(count_str(err_path, "unsubscribed webhook"), 1);
	fprintf(stderr,
	        "watch crash test: %d events sent by the sandbox, %d acknowledged by the watch (%d "
	        "sent while it was down), %d lines delivered, %d ids delivered twice, %d kills\n",
	        EVENTS, nacked, failed, s.lines, s.id_dups, KILLS);
	assert_true(nacked >= kill_at[KILLS - 1]);
	assert_true(failed <= KILLS * BATCH);
}

static void pending_left_none(void **state)
{
	const char *bin = getenv("ONTRAPORT_BIN");
	char cmd[1200];
	FILE *p;
	char buf[64] = "";

	(void)state;
	snprintf(cmd, sizeof cmd, "'%s' events list --status pending --db '%s' -o json | jq length",
	         bin, db);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(buf, sizeof buf, p));
	pclose(p);
	assert_int_equal(atoi(buf), 0);
}

static int setup(void **state)
{
	static const char *const extra[] = {"--rate-limit", "1000000/1s", NULL};
	char env[300];

	(void)state;
	snprintf(dir, sizeof dir, "%s/itest-watch-crash.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(db, sizeof db, "%s/events.db", dir);
	snprintf(out_path, sizeof out_path, "%s/out.ndjson", dir);
	snprintf(err_path, sizeof err_path, "%s/watch.err", dir);
	snprintf(token_path, sizeof token_path, "%s/token", dir);
	setenv("HOME", dir, 1);
	snprintf(env, sizeof env, "%s/config", dir);
	setenv("XDG_CONFIG_HOME", env, 1);
	snprintf(env, sizeof env, "%s/data", dir);
	setenv("XDG_DATA_HOME", env, 1);
	unsetenv("ONTRAPORT_PROFILE");
	if (sandbox_start(&sp, extra) < 0)
		return -1;
	setenv("ONTRAPORT_BASE_URL", sp.base_url, 1);
	setenv("ONTRAPORT_APP_ID", sp.app_id, 1);
	setenv("ONTRAPORT_API_KEY", sp.api_key, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[400];

	(void)state;
	if (watch_pid > 0) { /* a failed assertion left it running */
		kill(watch_pid, SIGKILL);
		waitpid(watch_pid, NULL, 0);
	}
	sandbox_stop(&sp);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sigkill_loses_nothing_acknowledged),
	    cmocka_unit_test(pending_left_none),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
