/*
 * A throw-away PostgreSQL cluster for the C tests: tests/integration/pg.sh
 * run as a command (`pg.sh start`, then `pg.sh stop DIR`). One per test file.
 */
#ifndef PGTEST_H
#define PGTEST_H

#include <stddef.h>

typedef struct pgtest {
	char dir[256];
	char url[512]; /* postgresql://ontra:PASSWORD@127.0.0.1:PORT/postgres */
	char password[128];
	char port[16];
} pgtest;

/* Start a cluster; 0, or -1 with the reason on stderr. */
int pgtest_start(pgtest *pg);
/* Stop it and remove its directory. */
void pgtest_stop(pgtest *pg);
/* The URL of database `db` on the cluster (same user and password) into out. */
void pgtest_url(const pgtest *pg, const char *db, char *out, size_t outsz);
/* Run SQL (no results wanted) on the database at url; 0 or -1 (printed). */
int pgtest_sql(const char *url, const char *sql);
/*
 * A new empty database on the cluster, named `prefix` and a number counting up in this
 * process: its URL into out (its name into name, when given). 0 or -1 (printed).
 */
int pgtest_new_db(const pgtest *pg, const char *prefix, char *name, size_t namesz, char *out,
                  size_t outsz);
/* The first column of the first row of sql on the database at url, as a number into *out; 0 or
 * -1 (printed). */
int pgtest_int(const char *url, const char *sql, long long *out);

/*
 * For a test file's one cluster (cmocka's group setup and teardown): start
 * pgtest_cluster, or stop it. The setup also reads ONTRA_TEST_TIME_SCALE
 * (valgrind.sh sets 4) for pgtest_ms.
 */
extern pgtest pgtest_cluster;
int pgtest_group_setup(void **state);
int pgtest_group_teardown(void **state);
/* ms times the time scale (1 unless ONTRA_TEST_TIME_SCALE says more). */
long pgtest_ms(long ms);
void pgtest_sleep_ms(long ms);
/* Run fn(NULL) in n threads (at most 16) until all end; how many returned non-NULL or did not
 * start. */
int pgtest_threads(int n, void *(*fn)(void *));

#endif
