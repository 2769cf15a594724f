#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "pgtest.h"

static void script(char *out, size_t outsz)
{
	const char *src = getenv("ONTRA_SOURCE_DIR");

	snprintf(out, outsz, "%s/tests/integration/pg.sh", src ? src : ".");
}

static void take(char *dst, size_t n, const char *line, const char *prefix)
{
	size_t k = strlen(prefix);

	if (strncmp(line, prefix, k) == 0)
		snprintf(dst, n, "%.*s", (int)strcspn(line + k, "\n"), line + k);
}

int pgtest_start(pgtest *pg)
{
	char cmd[600], path[512], line[1024];
	FILE *p;

	memset(pg, 0, sizeof *pg);
	script(path, sizeof path);
	snprintf(cmd, sizeof cmd, "bash '%s' start", path);
	p = popen(cmd, "r");
	if (!p) {
		perror("popen");
		return -1;
	}
	while (fgets(line, sizeof line, p)) {
		take(pg->dir, sizeof pg->dir, line, "PG_DIR=");
		take(pg->url, sizeof pg->url, line, "PG_URL=");
		take(pg->password, sizeof pg->password, line, "PG_PASSWORD=");
		take(pg->port, sizeof pg->port, line, "PG_PORT=");
	}
	if (pclose(p) != 0 || !pg->url[0]) {
		fprintf(stderr, "pgtest: the cluster did not start\n");
		return -1;
	}
	return 0;
}

void pgtest_stop(pgtest *pg)
{
	char cmd[900], path[512];

	if (!pg->dir[0])
		return;
	script(path, sizeof path);
	snprintf(cmd, sizeof cmd, "bash '%s' stop '%s'", path, pg->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "pgtest: could not stop the cluster in %s\n", pg->dir);
	pg->dir[0] = '\0';
}

void pgtest_url(const pgtest *pg, const char *db, char *out, size_t outsz)
{
	snprintf(out, outsz, "postgresql://ontra:%s@127.0.0.1:%s/%s", pg->password, pg->port, db);
}

int pgtest_sql(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r;
	int rc = -1;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "pgtest: %s", PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
		rc = 0;
	else
		fprintf(stderr, "pgtest: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return rc;
}

pgtest pgtest_cluster;
static long time_scale = 1;
static int ndbs;

int pgtest_group_setup(void **state)
{
	const char *scale = getenv("ONTRA_TEST_TIME_SCALE");

	(void)state;
	if (scale && strtol(scale, NULL, 10) > 1)
		time_scale = strtol(scale, NULL, 10);
	return pgtest_start(&pgtest_cluster);
}

int pgtest_group_teardown(void **state)
{
	(void)state;
	pgtest_stop(&pgtest_cluster);
	return 0;
}

long pgtest_ms(long ms)
{
	return ms * time_scale;
}

void pgtest_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int pgtest_new_db(const char *prefix, char *url, size_t outsz)
{
	char name[64], sql[96];

	snprintf(name, sizeof name, "%s%d", prefix, ++ndbs);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	if (pgtest_sql(pgtest_cluster.url, sql))
		return -1;
	pgtest_url(&pgtest_cluster, name, url, outsz);
	return 0;
}

int pgtest_threads(int n, void *(*fn)(void *))
{
	pthread_t t[16];
	int i, started = 0, bad = 0;

	for (i = 0; i < n && i < 16; i++, started++)
		if (pthread_create(&t[i], NULL, fn, NULL) != 0)
			break;
	for (i = 0; i < started; i++) {
		void *ret = NULL;
		pthread_join(t[i], &ret);
		bad += ret != NULL;
	}
	return bad + (n - started);
}
