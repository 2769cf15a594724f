#!/usr/bin/env bash
# `ontraport run --queue postgresql://...`: a watch trigger's events are queued
# on a throw-away PostgreSQL (pg.sh) and each becomes one run; the queue and
# the journal are the database's (events list --queue, runs list --queue); the
# password is never shown.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
start_sandbox
pg_start_queue
cd "$TMP"
op objects create --type tags tag_name=VIP object_type_id=0
assert_rc 0 "create the tag"
cat >watch.yaml <<YAML
version: 1
name: tagged-vip
trigger:
  watch: {event: tagged, tag: VIP}
steps:
  - id: note
    do: exec
    with: {command: [/bin/sh, -c, 'jq -r "[.data.id, .event.tag_id] | @tsv" >> "\$0"', $TMP/watch.log]}
YAML
ONTRAPORT_QUEUE="$PG_URL" "$OP" run watch.yaml --lease 5s >"$TMP/run.out" 2>"$TMP/run.err" &
RUN_PID=$!
PIDS+=("$RUN_PID")
for _ in $(seq 1 $((100 * ${ONTRA_TEST_TIME_SCALE:-1}))); do grep -q "listening on" "$TMP/run.err" && break; sleep 0.05; done
assert_contains "$(cat "$TMP/run.err")" "queue postgresql://***@127.0.0.1:$PG_PORT/postgres"
op objects create email=a@example.org
A=$(jq -r .id <<<"$OUT")
op objects tag "$A" --tag VIP
op objects untag "$A" --tag VIP
op objects tag "$A" --tag VIP
deliveries_settled || fail "the sandbox did not deliver its webhooks"
wait_lines "$TMP/watch.log" 2 20 || fail "2 runs did not finish: $(cat "$TMP/run.err")"
assert_eq "$(cut -f1 "$TMP/watch.log" | tr '\n' ' ')" "$A $A " "one run per event"
op events list --queue "$PG_URL" -o json
assert_rc 0 "events list --queue"
assert_jq "$OUT" '[.[] | .status + " " + .webhook_key] | join(",")' "done run:tagged-vip,done run:tagged-vip"
op runs list --queue "$PG_URL" -o json
assert_jq "$OUT" '[.[] | .status + " " + .source] | map(test("^done queue:")) | all' true "2 runs done, one per event"
assert_jq "$OUT" 'length' 2
CHECKS=$((CHECKS + 1))
[ ! -e "$XDG_DATA_HOME/ontraport/runs.db" ] || fail "a local journal was made"
kill -TERM "$RUN_PID"
rc=0
wait "$RUN_PID" || rc=$?
assert_eq "$rc" 0 "run stops cleanly"
assert_not_contains "$(cat "$TMP/run.err" "$TMP/run.out")" "$PG_PASSWORD" "run's output"
finish
