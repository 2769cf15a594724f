/*
 * schema: the versioned migrations, and the check made on open.
 *
 * Migration N (1-based) is MIGRATIONS[N - 1]; a database at version V has had
 * 1..V applied, recorded as rows of ontraport_schema_version. pgq_migrate
 * applies V+1..PGQ_SCHEMA_VERSION in one transaction, under a transaction-level
 * advisory lock (two migrating processes take turns; the second finds nothing
 * to do). Migrations only ever get added at the end: a released one is never
 * edited. Plain SQL, no extension: it runs on managed PostgreSQL.
 */
#include "pgq_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* pg_advisory_xact_lock's key for migrations: "ONTQ". */
#define PGQ_MIGRATE_LOCK "1330533457"

static const char *const MIGRATIONS[PGQ_SCHEMA_VERSION] = {
    /* 1: the events and their keys. */
    "CREATE TABLE " PGQ_T_KEYS " ("
    " webhook_key text PRIMARY KEY,"
    " lease_until bigint NOT NULL DEFAULT 0," /* ms; the key is leased while > now */
    " event_id bigint,"                       /* the event of the current claim */
    " fence bigint NOT NULL DEFAULT 0);"      /* that claim's fencing token */
    "CREATE TABLE " PGQ_T_EVENTS " ("
    " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " received_at bigint NOT NULL,"
    " webhook_key text NOT NULL,"
    " event text NOT NULL,"
    " body bytea NOT NULL,"
    " content_type text,"
    " status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),"
    " attempts integer NOT NULL DEFAULT 0,"
    " next_attempt_at bigint NOT NULL DEFAULT 0,"
    " last_error text,"
    " delivered_at bigint,"
    " fence bigint NOT NULL DEFAULT 0,"
    " lease_until bigint NOT NULL DEFAULT 0);"
    /* Each key's head (its oldest pending event) in one probe. */
    "CREATE INDEX ontraport_events_pending ON " PGQ_T_EVENTS " (webhook_key, id)"
    " WHERE status = 'pending';"
    /* Listing and counting by status. */
    "CREATE INDEX ontraport_events_status ON " PGQ_T_EVENTS " (status, id);",
    /* 2: an event a receiver spooled locally while the database was away carries its spool
     * reference, unique, so that draining it twice stores it once (pgq_enqueue_spooled). */
    "ALTER TABLE " PGQ_T_EVENTS " ADD COLUMN spool_ref text;"
    "CREATE UNIQUE INDEX ontraport_events_spool_ref ON " PGQ_T_EVENTS " (spool_ref);",
    /* 3: one rate budget per account (budget.c): the send times of its last `lim`
     * requests, a ring of ms on the database's clock, oldest at `head`. */
    "CREATE TABLE " PGQ_T_BUDGET " ("
    " account text PRIMARY KEY,"             /* the app id */
    " lim integer NOT NULL DEFAULT 180,"     /* requests per window */
    " window_ms bigint NOT NULL DEFAULT 0,"  /* learned; 0 = not yet (a minute) */
    " sent bigint[] NOT NULL,"               /* lim send times */
    " head integer NOT NULL DEFAULT 1,"      /* the oldest's index (1-based) */
    " hold_until bigint NOT NULL DEFAULT 0," /* nothing goes before (a 429) */
    " wait_ms bigint NOT NULL DEFAULT 0,"    /* the last take's answer */
    " taken bigint NOT NULL DEFAULT 0,"      /* requests let through, ever */
    " refused bigint NOT NULL DEFAULT 0);",  /* 429 answers told, ever */
    /* 4: the events partitioned by range of id (parts.c), so that retiring history drops
     * whole partitions. The version-3 table is renamed, its rows copied (MIGRATE4_COPY, once
     * the partitions are made) and it is dropped. Ids go on from its identity's last value:
     * never reused. The spool references move to a table of their own: a unique index on a
     * partitioned table must hold the partition key. */
    "ALTER TABLE " PGQ_T_EVENTS " RENAME TO " PGQ_T_EVENTS "_v3;"
    "CREATE SEQUENCE " PGQ_T_IDS " AS bigint;"
    "SELECT setval('" PGQ_T_IDS "', greatest(1, m.v), m.v > 0) FROM (SELECT greatest("
    " (SELECT coalesce(max(id), 0) FROM " PGQ_T_EVENTS "_v3), coalesce(pg_sequence_last_value("
    " pg_get_serial_sequence('" PGQ_T_EVENTS "_v3', 'id')::regclass), 0)) AS v) m;"
    "CREATE TABLE " PGQ_T_SETTINGS " ("
    " one boolean PRIMARY KEY DEFAULT true CHECK (one),"
    " partition_ids bigint NOT NULL DEFAULT 100000 CHECK (partition_ids >= 10));"
    "INSERT INTO " PGQ_T_SETTINGS " DEFAULT VALUES;"
    "CREATE TABLE " PGQ_T_PARTS " (lo bigint PRIMARY KEY, hi bigint NOT NULL, name text NOT NULL);"
    "CREATE TABLE " PGQ_T_REFS " (spool_ref text PRIMARY KEY, event_id bigint NOT NULL);"
    "CREATE INDEX " PGQ_T_REFS "_event ON " PGQ_T_REFS " (event_id);"
    "CREATE TABLE " PGQ_T_EVENTS " ("
    " id bigint NOT NULL DEFAULT nextval('" PGQ_T_IDS "'),"
    " received_at bigint NOT NULL,"
    " webhook_key text NOT NULL,"
    " event text NOT NULL,"
    " body bytea NOT NULL,"
    " content_type text,"
    " status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),"
    " attempts integer NOT NULL DEFAULT 0,"
    " next_attempt_at bigint NOT NULL DEFAULT 0,"
    " last_error text,"
    " delivered_at bigint,"
    " fence bigint NOT NULL DEFAULT 0,"
    " lease_until bigint NOT NULL DEFAULT 0,"
    " spool_ref text) PARTITION BY RANGE (id);"
    "ALTER SEQUENCE " PGQ_T_IDS " OWNED BY " PGQ_T_EVENTS ".id;",
    /* 5: the scenario runs' ledger (runs.c): one run per (scenario, source), claimed as a
     * lease with a fencing token as an event is; each step's outcome; the triggers' state. */
    "CREATE TABLE " PGQ_T_RUNS " ("
    " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY," /* order of arrival */
    " scenario text NOT NULL,"
    " source text NOT NULL," /* what made it: one run per source and scenario */
    " order_key text,"       /* NULL: no order */
    " event text NOT NULL,"  /* compact JSON */
    " status text NOT NULL DEFAULT 'pending'"
    "  CHECK (status IN ('pending', 'done', 'dead', 'filtered')),"
    " step integer NOT NULL DEFAULT 0," /* the next step to run */
    " attempts integer NOT NULL DEFAULT 0,"
    " next_attempt_at bigint NOT NULL DEFAULT 0,"
    " last_error text,"
    " created_at bigint NOT NULL,"
    " updated_at bigint NOT NULL,"
    " lease_until bigint NOT NULL DEFAULT 0," /* ms; claimed while > now; 0 = not claimed */
    " fence bigint NOT NULL DEFAULT 0,"       /* the number of claims so far */
    " UNIQUE (scenario, source));"
    /* A claim's candidates: a scenario's pending runs in id order. */
    "CREATE INDEX ontraport_runs_pending ON " PGQ_T_RUNS " (scenario, id)"
    " WHERE status = 'pending';"
    /* Whether an order key has an earlier pending run, or a claimed one: one probe. */
    "CREATE INDEX ontraport_runs_order ON " PGQ_T_RUNS " (scenario, order_key, id)"
    " WHERE status = 'pending' AND order_key IS NOT NULL;"
    /* Counting by status. */
    "CREATE INDEX ontraport_runs_status ON " PGQ_T_RUNS " (scenario, status);"
    "CREATE TABLE " PGQ_T_STEPS " ("
    " run_id bigint NOT NULL REFERENCES " PGQ_T_RUNS " (id) ON DELETE CASCADE,"
    " idx integer NOT NULL,"
    " step_id text NOT NULL,"
    " status text NOT NULL CHECK (status IN ('sending', 'done', 'skipped', 'failed')),"
    " output text,"
    " error text,"
    " attempts integer NOT NULL DEFAULT 0,"
    " idem_key text,"
    " started_at bigint NOT NULL DEFAULT 0,"
    " finished_at bigint NOT NULL DEFAULT 0,"
    " PRIMARY KEY (run_id, idx));"
    "CREATE TABLE " PGQ_T_STATE " ("
    " scenario text NOT NULL,"
    " key text NOT NULL,"
    " value text NOT NULL,"
    " updated_at bigint NOT NULL,"
    " PRIMARY KEY (scenario, key));",
};

/* Migration 4, once the partitions are made: the version-3 rows copied, then the indexes. */
#define EVENT_COLUMNS                                                                              \
	"id, received_at, webhook_key, event, body, content_type, status, attempts,"               \
	" next_attempt_at, last_error, delivered_at, fence, lease_until, spool_ref"
static const char MIGRATE4_COPY[] =
    "INSERT INTO " PGQ_T_EVENTS " (" EVENT_COLUMNS ") SELECT " EVENT_COLUMNS " FROM " PGQ_T_EVENTS
    "_v3;"
    "INSERT INTO " PGQ_T_REFS " (spool_ref, event_id) SELECT spool_ref, id FROM " PGQ_T_EVENTS
    "_v3 WHERE spool_ref IS NOT NULL;"
    "DROP TABLE " PGQ_T_EVENTS "_v3;"
    "ALTER TABLE " PGQ_T_EVENTS " ADD PRIMARY KEY (id);"
    "CREATE INDEX ontraport_events_pending ON " PGQ_T_EVENTS " (webhook_key, id)"
    " WHERE status = 'pending';"
    "CREATE INDEX ontraport_events_status ON " PGQ_T_EVENTS " (status, id);";

/* Migration 4's partitions: from the oldest version-3 event to one partition past the last id. */
static int migrate4(pgq *q)
{
	PGresult *res = pgq__exec(q, PGRES_TUPLES_OK, "read the events' ids",
	                          "SELECT coalesce((SELECT min(id) FROM " PGQ_T_EVENTS
	                          "_v3), 0), (SELECT last_value FROM " PGQ_T_IDS
	                          "), (SELECT partition_ids FROM " PGQ_T_SETTINGS ")",
	                          0, NULL);
	int64_t first, last, w;

	if (!res)
		return PGQ_ERROR;
	first = pgq__int(res, 0, 0);
	last = pgq__int(res, 0, 1);
	w = pgq__int(res, 0, 2);
	PQclear(res);
	if (pgq__parts_add(q, first, last + w))
		return PGQ_ERROR;
	return pgq__cmd(q, "copy the events", MIGRATE4_COPY);
}

int pgq__version(pgq *q, int *version)
{
	PGresult *res;
	long long v = 0;

	*version = 0;
	res = pgq__exec(q, PGRES_TUPLES_OK, "read the schema version",
	                "SELECT to_regclass('" PGQ_T_VERSION "') IS NOT NULL", 0, NULL);
	if (!res)
		return PGQ_ERROR;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		return 0;
	}
	PQclear(res);
	res = pgq__exec(q, PGRES_TUPLES_OK, "read the schema version",
	                "SELECT coalesce(max(version), 0) FROM " PGQ_T_VERSION, 0, NULL);
	if (!res)
		return PGQ_ERROR;
	v = pgq__int(res, 0, 0);
	PQclear(res);
	*version = (int)v;
	return 0;
}

static int newer(int version)
{
	return pgq__seterr(PGQ_ENEWER,
	                   "queue: the database's schema version %d is newer than this program's "
	                   "%d: upgrade ontraport",
	                   version, PGQ_SCHEMA_VERSION);
}

/* Apply migrations version+1..PGQ_SCHEMA_VERSION, recording each. Inside the transaction. */
static int apply(pgq *q, int version, int target)
{
	char sql[160];
	int v;

	for (v = version + 1; v <= target; v++) {
		snprintf(sql, sizeof sql, "INSERT INTO " PGQ_T_VERSION " (version) VALUES (%d)", v);
		if (pgq__cmd(q, "apply a migration", MIGRATIONS[v - 1]) ||
		    (v == 4 && migrate4(q)) || pgq__cmd(q, "record a migration", sql))
			return PGQ_ERROR;
	}
	return 0;
}

/* Take the migrations' advisory lock until the transaction ends. */
static int lock_schema(pgq *q)
{
	PGresult *res = pgq__exec(q, PGRES_TUPLES_OK, "lock the schema",
	                          "SELECT pg_advisory_xact_lock(" PGQ_MIGRATE_LOCK ")", 0, NULL);

	PQclear(res);
	return res ? 0 : PGQ_ERROR;
}

static int migrate_locked(pgq *q, int *from, int target)
{
	int rc;

	if (pgq__cmd(q, "begin the migration", "BEGIN") || lock_schema(q) ||
	    pgq__cmd(q, "create the version table",
	             "CREATE TABLE IF NOT EXISTS " PGQ_T_VERSION " (version integer PRIMARY KEY,"
	             " applied_at timestamptz NOT NULL DEFAULT now())"))
		return PGQ_ERROR;
	rc = pgq__version(q, from);
	if (rc == 0 && *from > PGQ_SCHEMA_VERSION)
		rc = newer(*from);
	if (rc == 0)
		rc = apply(q, *from, target);
	if (rc == 0)
		rc = pgq__cmd(q, "commit the migration", "COMMIT");
	return rc;
}

int pgq_migrate(const char *url, int *from, int *to)
{
	return pgq_migrate_to(url, PGQ_SCHEMA_VERSION, from, to);
}

int pgq_migrate_to(const char *url, int version, int *from, int *to)
{
	pgq *q = NULL;
	int rc, found = 0;

	if (version < 1 || version > PGQ_SCHEMA_VERSION)
		return pgq__seterr(PGQ_EINVALID, "queue: a schema version is 1 to %d",
		                   PGQ_SCHEMA_VERSION);
	if (from)
		*from = 0;
	if (to)
		*to = 0;
	rc = pgq__connect(&q, url);
	if (rc)
		return rc;
	rc = migrate_locked(q, &found, version);
	if (rc) {
		PGresult *res = PQexec(q->conn, "ROLLBACK");
		PQclear(res);
	}
	if (from)
		*from = found;
	if (rc == 0 && to)
		*to = found > version ? found : version;
	else if (to)
		*to = found;
	pgq_close(q);
	return rc;
}

int pgq_open(pgq **out, const char *url)
{
	pgq *q = NULL;
	int rc, version = 0;

	*out = NULL;
	rc = pgq__connect(&q, url);
	if (rc)
		return rc;
	rc = pgq__version(q, &version);
	if (rc == 0 && version > PGQ_SCHEMA_VERSION)
		rc = newer(version);
	else if (rc == 0 && version < PGQ_SCHEMA_VERSION)
		rc = pgq__seterr(
		    PGQ_ESCHEMA,
		    "queue: the database's schema version is %d, this program needs %d: "
		    "run 'ontraport queue migrate'",
		    version, PGQ_SCHEMA_VERSION);
	/* Partitions ahead of the ids (one whole partition), made now if missing. */
	if (rc == 0)
		rc = pgq__parts_ensure(q, 0);
	if (rc) {
		pgq_close(q);
		return rc;
	}
	*out = q;
	return 0;
}
