#!/usr/bin/env bash
# `ontraport run --rate-budget postgresql://...` (or $ONTRAPORT_QUEUE) against a
# real sandbox and a throw-away PostgreSQL (pg.sh): every API request of the run
# is taken from the account's budget row (its count equals the sandbox's), the
# URL's password never appears; bad URLs, an unmigrated database and an
# unreachable server are refused with their exit codes before anything is sent.
# The 3-worker sharing test is itest_pgq_budget.c.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start
start_sandbox
cd "$TMP"
url_of() { printf 'postgresql://%s:%s@127.0.0.1:%s/%s' "$PG_USER" "${2:-$PG_PASSWORD}" "$PG_PORT" "$1"; }
db_sql() { "$PG_BIN/psql" -X -A -t -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" -d "$1" -c "$2"; }
pg_sql "CREATE DATABASE rb"
pg_sql "CREATE DATABASE bare"
op queue migrate --queue "$(url_of rb)"
assert_rc 0 "migrate"

cat >tag.yaml <<'YAML'
version: 1
name: tagger
trigger: {manual: {}}
steps:
  - id: contact
    do: objects.upsert
    with: {fields: {email: "{{ data.email }}"}}
YAML
echo '{"event": {"type": "manual"}, "data": {"email": "ann@example.org"}}' >ann.json

# Every request of the run (the names resolved, the step) went through the budget.
control POST reset >/dev/null
op run tag.yaml --event @ann.json --journal "$TMP/j.db" --rate-budget "$(url_of rb)"
assert_rc 0 "run with the budget"
assert_not_contains "$OUT$ERR" "$PG_PASSWORD" "run: output and errors"
seen=$(requests_seen)
assert_eq "$(db_sql rb "SELECT taken FROM ontraport_rate_budget WHERE account = '$SBX_APP'")" "$seen" "taken = the sandbox's requests"
CHECKS=$((CHECKS + 1))
[ "$seen" -ge 2 ] || fail "the run made $seen requests"
# The limit and window were learned from the answers (the sandbox's default: 180 a minute).
assert_eq "$(db_sql rb "SELECT lim || ' ' || window_ms FROM ontraport_rate_budget")" "180 60000" "learned"

# From the environment, as the queue's URL.
ONTRAPORT_QUEUE="$(url_of rb)" op run tag.yaml --event @ann.json --journal "$TMP/j.db"
assert_rc 0 "ONTRAPORT_QUEUE"
assert_eq "$(db_sql rb "SELECT taken FROM ontraport_rate_budget")" "$(requests_seen)" "taken, again"

# GET /metrics of a long-running run (--metrics; a watch trigger): the budget's figures, this
# process's equal to what it took from the row, the account's as the row holds them.
cat >watcher.yaml <<'YAML'
version: 1
name: watcher
trigger:
  watch: {event: created}
steps:
  - id: s
    do: exec
    with: {command: [/bin/sh, -c, 'cat >/dev/null']}
YAML
before=$(db_sql rb "SELECT taken FROM ontraport_rate_budget")
"$OP" run watcher.yaml --journal "$TMP/w.db" --rate-budget "$(url_of rb)" --metrics >run.out 2>run.err &
RUN_PID=$!
PIDS+=("$RUN_PID")
wait_for run.err "listening on" || fail "run did not start: $(cat run.err)"
BASE=$(sed -n 's/^ontraport run: metrics on \(.*\)\/metrics (and \/healthz)$/\1/p' run.err)
M=$(curl -sS "$BASE/metrics" | python3 "$(dirname "$0")/promcheck.py") || fail "the metrics do not parse: $M"
value() { awk -v n="$1" '$1 == n { print $2 }' <<<"$M"; }
taken=$(( $(db_sql rb "SELECT taken FROM ontraport_rate_budget") - before ))
CHECKS=$((CHECKS + 1))
[ "$taken" -ge 1 ] || fail "the run took $taken requests from the budget on starting"
assert_eq "$(value ontraport_rate_budget_up)" 1 "budget up"
assert_eq "$(value ontraport_rate_budget_requests_total)" "$taken" "this process's requests = what it took"
assert_eq "$(value ontraport_rate_budget_waits_total) $(value ontraport_rate_budget_wait_seconds_total)" "0 0" "no wait"
assert_eq "$(value "ontraport_rate_budget_limit{account=\"$SBX_APP\"}")" 180 "the account's limit"
assert_eq "$(value "ontraport_rate_budget_window_seconds{account=\"$SBX_APP\"}")" 60 "its window"
used=$(value "ontraport_rate_budget_used{account=\"$SBX_APP\"}")
CHECKS=$((CHECKS + 1))
# Within the last minute: this run's requests and the two runs' above, at most the limit.
[ -n "$used" ] && [ "$used" -ge "$taken" ] && [ "$used" -le 180 ] || fail "used $used, expected $taken..180"
assert_eq "$(value "ontraport_rate_budget_refused_total{account=\"$SBX_APP\"}")" 0 "no 429"
assert_not_contains "$M" "$PG_PASSWORD" "the metrics"
kill -TERM "$RUN_PID"
rc=0
wait "$RUN_PID" || rc=$?
assert_eq "$rc" 0 "run stops cleanly"

# Refusals, before any request: not a postgresql:// URL (2), not migrated (5), no server (8).
before=$(requests_seen)
op run tag.yaml --event @ann.json --journal "$TMP/j.db" --rate-budget "https://example.com/x"
assert_rc 2 "an https URL"
assert_one_line "$ERR" "the refusal"
op run tag.yaml --event @ann.json --journal "$TMP/j.db" --rate-budget "$(url_of bare)"
assert_rc 5 "an unmigrated database"
assert_contains "$ERR" "ontraport queue migrate"
assert_not_contains "$ERR" "$PG_PASSWORD" "unmigrated: the error"
op run tag.yaml --event @ann.json --journal "$TMP/j.db" --rate-budget "$(url_of rb WrongPass1234)"
assert_rc 8 "a refused login"
assert_not_contains "$ERR" "WrongPass1234" "refused login: the error"
assert_contains "$ERR" "postgresql://***@127.0.0.1:$PG_PORT/rb"
assert_eq "$(requests_seen)" "$before" "nothing sent by a refused run"
finish
