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

/* Run sql on the database at url: its result (PQclear it), or NULL (printed) when the connection
 * or the statement failed. */
static PGresult *query(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r = NULL;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "pgtest: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "pgtest: %s: %s", sql, PQerrorMessage(c));
		PQclear(r);
		r = NULL;
	}
	PQfinish(c);
	return r;
}

int pgtest_sql(const char *url, const char *sql)
{
	PGresult *r = query(url, sql);
	int rc = r ? 0 : -1;

	PQclear(r);
	return rc;
}

int pgtest_new_db(const pgtest *pg, const char *prefix, char *name, size_t namesz, char *out,
                  size_t outsz)
{
	static int n;
	char db[64], sql[128];

	snprintf(db, sizeof db, "%s%d", prefix, ++n);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
	if (pgtest_sql(pg->url, sql) != 0)
		return -1;
	if (name)
		snprintf(name, namesz, "%s", db);
	pgtest_url(pg, db, out, outsz);
	return 0;
}

int pgtest_int(const char *url, const char *sql, long long *out)
{
	PGresult *r = query(url, sql);
	int rc = -1;

	if (r && PQntuples(r) > 0 && PQnfields(r) > 0) {
		*out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		rc = 0;
	} else if (r) {
		fprintf(stderr, "pgtest: %s: no value\n", sql);
	}
	PQclear(r);
	return rc;
}

pgtest pgtest_cluster;
static long time_scale = 1;

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
