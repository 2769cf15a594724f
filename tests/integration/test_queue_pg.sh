#!/usr/bin/env bash
# `ontraport queue migrate` against a real throw-away PostgreSQL (pg.sh):
# creates the schema, again changes nothing, refuses a newer schema (exit 5)
# and leaves it, maps a refused login to exit 8; the URL's password never
# appears in the output or an error (docs/postgresql.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start
V=2 # the program's schema version (PGQ_SCHEMA_VERSION); V1 = one newer
V1=$((V + 1))
url_of() { printf 'postgresql://%s:%s@127.0.0.1:%s/%s' "$PG_USER" "${2:-$PG_PASSWORD}" "$PG_PORT" "$1"; }
no_secret() {
	assert_not_contains "$OUT$ERR" "$PG_PASSWORD" "$1: output and errors"
}

# A new database: migrated from 0; again, nothing to do.
pg_sql "CREATE DATABASE q1"
op queue migrate --queue "$(url_of q1)" -o json
assert_rc 0 "first migrate"
assert_jq "$OUT" '.schema_version' $V
assert_jq "$OUT" '.was' 0
assert_jq "$OUT" '.applied' $V
assert_contains "$ERR" "migrated from version 0 to $V"
no_secret "first migrate"
assert_eq "$(pg_sql "SELECT to_regclass('ontraport_schema_version') IS NULL")" "t" "no queue in the postgres database"
assert_eq "$("$PG_BIN/psql" -X -A -t -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" -d q1 -c 'SELECT max(version) FROM ontraport_schema_version')" "$V" "the version row"
op queue migrate --queue "$(url_of q1)" -o json
assert_rc 0 "second migrate"
assert_jq "$OUT" '.was' $V
assert_jq "$OUT" '.applied' 0
assert_contains "$ERR" "at version $V already"
no_secret "second migrate"
# The URL from the environment.
ONTRAPORT_QUEUE="$(url_of q1)" op queue migrate -o json
assert_rc 0 "ONTRAPORT_QUEUE"
assert_jq "$OUT" '.schema_version' $V

# A newer program migrated it: refused, exit 5, one line, the database left as it is.
"$PG_BIN/psql" -X -q -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" -d q1 -c "INSERT INTO ontraport_schema_version (version) VALUES ($V1)"
op queue migrate --queue "$(url_of q1)"
assert_rc 5 "migrate of a newer schema"
assert_contains "$ERR" "schema version $V1 is newer than this program's $V"
assert_one_line "$ERR" "the refusal"
assert_eq "$OUT" "" "nothing on stdout"
no_secret "newer schema"
assert_eq "$("$PG_BIN/psql" -X -A -t -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" -d q1 -c 'SELECT string_agg(version::text, $$,$$ ORDER BY version) FROM ontraport_schema_version')" "$(seq -s, 1 $V1)" "versions left as they were"

# A wrong password: exit 8; neither password is shown, the URL is, masked.
op queue migrate --queue "$(url_of q1 WrongPass1234)"
assert_rc 8 "wrong password"
assert_contains "$ERR" "password authentication failed"
assert_contains "$ERR" "postgresql://***@127.0.0.1:$PG_PORT/q1"
assert_not_contains "$ERR" "WrongPass1234" "the error"
assert_one_line "$ERR" "the error"
no_secret "wrong password"
# A password libpq cannot decode (it quotes what it cannot parse): still not shown.
op queue migrate --queue "postgresql://ontra:Bad%ZZSecret@127.0.0.1:$PG_PORT/q1"
assert_rc 2 "undecodable URL"
assert_not_contains "$ERR" "ZZSecret" "the error"
# Nobody listening: exit 8.
port=$(pg__free_port)
op queue migrate --queue "postgresql://ontra:Unused5678@127.0.0.1:$port/q1"
assert_rc 8 "nobody listening"
assert_not_contains "$ERR" "Unused5678" "the error"

# Usage: no database, or not a PostgreSQL URL.
op queue migrate
assert_rc 2 "no --queue"
assert_contains "$ERR" "give the database: --queue postgresql://"
op queue migrate --queue "https://user:HttpSecret@example.com/"
assert_rc 2 "an https URL"
assert_contains "$ERR" "is not a PostgreSQL URL"
assert_not_contains "$ERR" "HttpSecret" "the error"

finish
