/*
 * bench_scenario: the scenario runner's own cost, and the backlog helpers of
 * bench/scenario.sh (issue 14, section 8 "Performance").
 *
 *   bench_scenario overhead --scenario FILE --dir DIR [--runs N] [--workers W]
 *       The runner's CPU per run without the API calls. Two measures, each on
 *       a fresh journal in DIR (on disk: every commit is flushed):
 *       - engine: N runs of the scenario journaled with run_journal_add, then
 *         an engine (W workers, default 4 as `ontraport run`) with dry_run=1
 *         and dry_out=/dev/null started and waited on until idle. Everything
 *         but the API call runs: claims, the context, the filter, `if`s,
 *         template rendering, the dry run's one line per step, a journal
 *         commit per step.
 *       - journal: the same N run_journal_add, then per run one claim, one
 *         run_journal_step_done per step and the release, on one thread: the
 *         journal's share of the above.
 *       Prints one line per measure and phase on stdout:
 *         "MEASURE PHASE CPU_US WALL_US SYS_US" (PHASE add or run; totals
 *       over N), CPU being getrusage(RUSAGE_SELF) user + system (every
 *       thread), SYS_US its system part (mostly the flushes of the commits).
 *
 *   bench_scenario fill --journal FILE --scenario NAME [--runs N] [--first K]
 *       Journal N runs (sources "bench:K".."bench:K+N-1", no order key) whose
 *       events are {"event": {"type": "manual"}, "data": {"email":
 *       "benchK@example.org", "name": "NameK", "total": 600}}: a backlog for
 *       `ontraport run FILE --journal J` (a manual scenario resumes them).
 *
 *   bench_scenario counts --journal FILE --scenario NAME
 *       "PENDING DONE DEAD FILTERED" of the scenario's runs.
 *
 * Exit status 0, or 1 with one line on stderr (a run dead, a journal error).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "runner.h"

/* One line on stderr: "bench_scenario: WHAT ARG", and exit 1. */
static void die(const char *what, const char *arg)
{
	fprintf(stderr, "bench_scenario: %s%s\n", what, arg ? arg : "");
	exit(1);
}

static const char *opt(int argc, char **argv, const char *name, const char *def)
{
	int i;

	for (i = 2; i + 1 < argc; i += 2)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return def;
}

static long opt_long(int argc, char **argv, const char *name, long def)
{
	const char *v = opt(argc, argv, name, NULL);
	char *end;
	long n;

	if (!v)
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < 0)
		die("expected a whole number after ", name);
	return n;
}

/* CPU of the process (every thread) in µs: user + system, or system alone. */
static double cpu_us_of(int sys_only)
{
	struct rusage ru;
	double sys;

	getrusage(RUSAGE_SELF, &ru);
	sys = (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec;
	return sys_only ? sys
	                : sys + (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec;
}

static double cpu_us(void)
{
	return cpu_us_of(0);
}

static double wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static run_journal *open_fresh(const char *path)
{
	char err[512], side[4096];
	run_journal *j;

	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	if (run_journal_open(&j, path, err, sizeof err) < 0)
		die("", err);
	return j;
}

static scen_scenario *load(const char *file)
{
	static char text[1 << 16];
	scen_problems p;
	scen_scenario *s;
	FILE *f = fopen(file, "r");
	size_t len;

	if (!f)
		die("cannot read ", file);
	len = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	if (scen_load(file, text, len, &s, &p) < 0)
		die("", p.n ? p.lines[0] : "the scenario does not load");
	return s;
}

/* N runs journaled, as fill's. */
static void add_runs(run_journal *j, const char *scenario, long first, long n)
{
	char source[64], event[256];
	long i;

	for (i = first; i < first + n; i++) {
		snprintf(source, sizeof source, "bench:%ld", i);
		snprintf(
		    event, sizeof event,
		    "{\"event\":{\"type\":\"manual\"},\"data\":{\"email\":\"bench%ld@example.org\","
		    "\"name\":\"Name%ld\",\"total\":600}}",
		    i, i);
		if (run_journal_add(j, scenario, source, NULL, event, NULL, NULL) < 0)
			die("cannot journal a run: ", run_journal_last_error());
	}
}

static double sys0;

static void start_phase(double *c0, double *w0)
{
	*c0 = cpu_us();
	*w0 = wall_us();
	sys0 = cpu_us_of(1);
}

static void print_phase(const char *measure, const char *phase, double c0, double w0)
{
	printf("%s %s %.0f %.0f %.0f\n", measure, phase, cpu_us() - c0, wall_us() - w0,
	       cpu_us_of(1) - sys0);
}

static void check_done(run_journal *j, const char *scenario, long n)
{
	int64_t pending, done, dead, filtered;

	if (run_journal_counts(j, scenario, &pending, &done, &dead, &filtered) < 0)
		die("", run_journal_last_error());
	if (done != n) {
		fprintf(stderr,
		        "bench_scenario: %lld runs done of %ld (%lld pending, %lld dead, %lld "
		        "filtered)\n",
		        (long long)done, n, (long long)pending, (long long)dead,
		        (long long)filtered);
		exit(1);
	}
}

/* Until the scenario has no pending run (what `ontraport run --event` waits for). */
static void wait_idle(run_journal *j, const char *scenario)
{
	struct timespec nap = {0, 2 * 1000000L};
	int64_t pending = 1;

	while (run_journal_counts(j, scenario, &pending, NULL, NULL, NULL) == 0 && pending)
		nanosleep(&nap, NULL);
}

static void measure_engine(const scen_scenario *s, const char *dir, long n, unsigned workers)
{
	char path[4096], err[512];
	run_engine_config cfg = {0};
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_client **clients = calloc(workers, sizeof *clients);
	FILE *null = fopen("/dev/null", "w");
	run_journal *j;
	run_engine *e;
	double c0, w0;
	unsigned i;

	/* the clients are never used: a dry run sends nothing */
	o.base_url = "http://127.0.0.1:9/1";
	o.app_id = "bench";
	o.api_key = "bench";
	for (i = 0; clients && i < workers; i++)
		if (ontra_client_new(&clients[i], &o) < 0)
			die("", "cannot make a client");
	if (!clients || !null)
		die("", "out of memory");
	snprintf(path, sizeof path, "%s/engine.db", dir);
	j = open_fresh(path);
	start_phase(&c0, &w0);
	add_runs(j, s->name, 0, n);
	print_phase("engine", "add", c0, w0);
	cfg.journal = j;
	cfg.scenario = s;
	cfg.file = "bench";
	cfg.clients = clients;
	cfg.workers = workers;
	cfg.dry_run = 1;
	cfg.dry_out = null;
	start_phase(&c0, &w0);
	if (run_engine_start(&e, &cfg, err, sizeof err) < 0)
		die("", err);
	wait_idle(j, s->name);
	run_engine_stop(e);
	print_phase("engine", "run", c0, w0);
	check_done(j, s->name, n);
	run_journal_close(j);
	for (i = 0; i < workers; i++)
		ontra_client_free(clients[i]);
	free(clients);
	fclose(null);
}

static void measure_journal(const scen_scenario *s, const char *dir, long n)
{
	char path[4096];
	run_journal *j;
	run_record *r;
	int64_t wake;
	double c0, w0;
	size_t k;
	long i;

	snprintf(path, sizeof path, "%s/journal.db", dir);
	j = open_fresh(path);
	start_phase(&c0, &w0);
	add_runs(j, s->name, 0, n);
	print_phase("journal", "add", c0, w0);
	start_phase(&c0, &w0);
	for (i = 0; i < n; i++) {
		if (run_journal_claim(j, s->name, now_ms(), &r, &wake) != 0)
			die("cannot claim a run: ", run_journal_last_error());
		for (k = 0; k < s->nsteps; k++)
			if (run_journal_step_done(j, r->id, (int)k, s->steps[k].id, RUN_STEP_DONE,
			                          "{}", k + 1 == s->nsteps) < 0)
				die("", run_journal_last_error());
		run_journal_release(j, r->id);
		run_record_free(r);
	}
	print_phase("journal", "run", c0, w0);
	check_done(j, s->name, n);
	run_journal_close(j);
}

static run_journal *open_existing(int argc, char **argv)
{
	const char *path = opt(argc, argv, "--journal", NULL);
	char err[512];
	run_journal *j;

	if (!path)
		die("", "--journal FILE is required");
	if (run_journal_open(&j, path, err, sizeof err) < 0)
		die("", err);
	return j;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "", *name;
	scen_scenario *s;
	run_journal *j;
	int64_t c[4];

	if (!strcmp(cmd, "overhead")) {
		const char *file = opt(argc, argv, "--scenario", NULL);
		const char *dir = opt(argc, argv, "--dir", NULL);
		long n = opt_long(argc, argv, "--runs", 1000);
		long w = opt_long(argc, argv, "--workers", 4);

		if (!file || !dir || n < 1 || w < 1)
			die("",
			    "overhead: needs --scenario FILE --dir DIR, --runs and --workers >= 1");
		s = load(file);
		measure_journal(s, dir, n);
		measure_engine(s, dir, n, (unsigned)w);
		scen_free(s);
		return 0;
	}
	if (!strcmp(cmd, "fill") || !strcmp(cmd, "counts")) {
		if (!(name = opt(argc, argv, "--scenario", NULL)))
			die("", "--scenario NAME is required");
		j = open_existing(argc, argv);
		if (!strcmp(cmd, "fill"))
			add_runs(j, name, opt_long(argc, argv, "--first", 0),
			         opt_long(argc, argv, "--runs", 1000));
		else if (run_journal_counts(j, name, &c[0], &c[1], &c[2], &c[3]) < 0)
			die("", run_journal_last_error());
		else
			printf("%lld %lld %lld %lld\n", (long long)c[0], (long long)c[1],
			       (long long)c[2], (long long)c[3]);
		run_journal_close(j);
		return 0;
	}
	fprintf(stderr, "usage: bench_scenario overhead|fill|counts ... (see the source's head)\n");
	return 2;
}
