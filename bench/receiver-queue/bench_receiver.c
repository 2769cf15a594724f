/*
 * bench_receiver: how many webhook events per second the receiver accepts
 * durably, and how long a sender waits for its 200, on loopback.
 *
 *   bench_receiver serve --db FILE [--threads N] [--port P]
 *       Run the receiver (HTTP endpoint + queue; no delivery) on one hook.
 *       Prints its URL on stdout; on SIGINT/SIGTERM prints the group-commit
 *       figures (events, transactions, mean batch) on stderr and exits.
 *
 *   bench_receiver fsync --dir DIR [--count N]
 *       The disk's flush latency (4 KiB pwrite + fdatasync, N times): the
 *       floor under every acknowledgement, and so the ceiling of one
 *       sender's events/s. Prints p50/p99 in ms.
 *
 *   bench_receiver send --url URL [--concurrency C] [--seconds S] [--warmup S]
 *       C sender threads, each with one kept-alive libcurl handle, post the
 *       support article's sub_tag form body in a loop. Prints events/s (200s
 *       only), the acknowledgement time percentiles, and non-200 answers.
 *
 * A 200 is only sent after the event's transaction committed with a flush
 * (WAL, synchronous=FULL), so events/s here is durable events/s.
 */
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "receiver.h"

static const char BODY[] = "webhook_id=3&object_type_id=0&event%5Btype%5D=sub_tag"
                           "&event%5Btag_id%5D=4&data%5Bid%5D=8&data%5Bfirstname%5D=Mary"
                           "&data%5Blastname%5D=Smith&data%5Bemail%5D=mary%40ontraport.com"
                           "&timestamp=1514940140";
static const char TOKEN[] = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *arg(int argc, char **argv, const char *name, const char *def)
{
	int i;

	for (i = 2; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return def;
}

static int serve(int argc, char **argv)
{
	rcv_server_config cfg = RCV_SERVER_CONFIG_INIT;
	const char *db = arg(argc, argv, "--db", NULL);
	rcv_queue *q = NULL;
	rcv_server *s = NULL;
	uint64_t commits = 0, events = 0;
	char err[256];
	struct sigaction sa;

	if (!db) {
		fprintf(stderr, "bench_receiver serve: --db FILE is required\n");
		return 2;
	}
	cfg.threads = (unsigned)strtoul(arg(argc, argv, "--threads", "0"), NULL, 10);
	cfg.port = (int)strtol(arg(argc, argv, "--port", "0"), NULL, 10);
	cfg.max_connections = 2048;
	if (rcv_queue_open(&q, db, err, sizeof err) ||
	    rcv_server_start(&s, q, &cfg, err, sizeof err) ||
	    rcv_server_add_hook(s, TOKEN, "bench", RCV_MODE_ONTRAPORT)) {
		fprintf(stderr, "bench_receiver serve: %s\n", err);
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("http://127.0.0.1:%d/hooks/%s\n", rcv_server_port(s), TOKEN);
	fflush(stdout);
	while (!stop_flag)
		pause();
	rcv_server_stop(s);
	rcv_queue_commit_stats(q, &commits, &events);
	fprintf(stderr, "serve: %llu events in %llu transactions (mean batch %.1f)\n",
	        (unsigned long long)events, (unsigned long long)commits,
	        commits ? (double)events / (double)commits : 0.0);
	rcv_queue_close(q);
	return 0;
}

typedef struct sender {
	pthread_t th;
	const char *url;
	double until, measure_from;
	double *lat; /* seconds, for requests started after measure_from */
	size_t n, cap;
	long ok, bad, failed;
} sender;

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

static void *send_loop(void *arg)
{
	sender *s = arg;
	CURL *h = curl_easy_init();
	struct curl_slist *hs =
	    curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");

	hs = curl_slist_append(hs, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, s->url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, BODY);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(BODY));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	for (;;) {
		double t0 = mono_s(), t1;
		long status = 0;

		if (t0 >= s->until)
			break;
		if (curl_easy_perform(h) == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		t1 = mono_s();
		if (t0 < s->measure_from)
			continue;
		if (status == 200) {
			s->ok++;
			if (s->n == s->cap) {
				size_t nc = s->cap ? s->cap * 2 : 4096;
				double *l = realloc(s->lat, nc * sizeof *l);
				if (!l)
					break;
				s->lat = l;
				s->cap = nc;
			}
			s->lat[s->n++] = t1 - t0;
		} else if (status) {
			s->bad++;
		} else {
			s->failed++;
		}
	}
	curl_slist_free_all(hs);
	curl_easy_cleanup(h);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static int send_cmd(int argc, char **argv)
{
	const char *url = arg(argc, argv, "--url", NULL);
	int c = (int)strtol(arg(argc, argv, "--concurrency", "1"), NULL, 10), i;
	double secs = strtod(arg(argc, argv, "--seconds", "10"), NULL);
	double warm = strtod(arg(argc, argv, "--warmup", "1"), NULL);
	double start, end;
	sender *ss;
	double *all;
	size_t n = 0;
	long ok = 0, bad = 0, failed = 0;

	if (!url || c < 1 || c > 1024 || secs <= 0) {
		fprintf(stderr, "bench_receiver send: --url URL [--concurrency 1..1024] "
		                "[--seconds S] [--warmup S]\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ss = calloc((size_t)c, sizeof *ss);
	start = mono_s();
	for (i = 0; i < c; i++) {
		ss[i].url = url;
		ss[i].measure_from = start + warm;
		ss[i].until = start + warm + secs;
		pthread_create(&ss[i].th, NULL, send_loop, &ss[i]);
	}
	for (i = 0; i < c; i++) {
		pthread_join(ss[i].th, NULL);
		n += ss[i].n;
		ok += ss[i].ok;
		bad += ss[i].bad;
		failed += ss[i].failed;
	}
	end = mono_s();
	(void)end;
	all = malloc((n ? n : 1) * sizeof *all);
	n = 0;
	for (i = 0; i < c; i++) {
		memcpy(all + n, ss[i].lat, ss[i].n * sizeof *all);
		n += ss[i].n;
		free(ss[i].lat);
	}
	qsort(all, n, sizeof *all, cmp_double);
	printf("senders=%d seconds=%.0f events=%ld events_per_s=%.0f p50_ms=%.2f p90_ms=%.2f "
	       "p99_ms=%.2f max_ms=%.2f non200=%ld failed=%ld\n",
	       c, secs, ok, (double)ok / secs, pct(all, n, 50) * 1e3, pct(all, n, 90) * 1e3,
	       pct(all, n, 99) * 1e3, n ? all[n - 1] * 1e3 : 0.0, bad, failed);
	free(all);
	free(ss);
	curl_global_cleanup();
	return bad || failed ? 1 : 0;
}

static int fsync_cmd(int argc, char **argv)
{
	const char *dir = arg(argc, argv, "--dir", ".");
	long n = strtol(arg(argc, argv, "--count", "500"), NULL, 10), i;
	char path[4096], block[4096];
	double *lat;
	int fd;

	if (n < 1 || n > 1000000)
		return 2;
	snprintf(path, sizeof path, "%s/fsync.probe", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	lat = malloc((size_t)n * sizeof *lat);
	memset(block, 'x', sizeof block);
	for (i = 0; i < n; i++) {
		double t0 = mono_s();
		if (pwrite(fd, block, sizeof block, (off_t)(i % 256) * 4096) !=
		        (ssize_t)sizeof block ||
		    fdatasync(fd) != 0) {
			perror("fdatasync");
			break;
		}
		lat[i] = mono_s() - t0;
	}
	close(fd);
	unlink(path);
	qsort(lat, (size_t)i, sizeof *lat, cmp_double);
	printf("fdatasync_4k n=%ld p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f\n", i,
	       pct(lat, (size_t)i, 50) * 1e3, pct(lat, (size_t)i, 90) * 1e3,
	       pct(lat, (size_t)i, 99) * 1e3);
	free(lat);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "fsync") == 0)
		return fsync_cmd(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return serve(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "send") == 0)
		return send_cmd(argc, argv);
	fprintf(stderr, "usage: bench_receiver serve --db FILE [--threads N] [--port P]\n"
	                "       bench_receiver fsync --dir DIR [--count N]\n"
	                "       bench_receiver send --url URL [--concurrency C] [--seconds S]\n");
	return 2;
}
