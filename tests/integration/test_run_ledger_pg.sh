#!/usr/bin/env bash
# The run journal on PostgreSQL (issue 15 §4): `ontraport run --queue postgresql://...`
# journals its runs in the database, shared by every process running the scenario. A process
# killed with -9 right after a create was sent, before it was journaled, leaves its run
# claimed; once the claim's lease ends, another process takes the run over and goes on from
# the ledger: the create is looked up, never sent twice, and every run ends done, once.
# `runs list/show/replay/purge --queue` read the same ledger; the password never shows; a journal URL
# in --journal, a database not migrated and a wrong password are refused with their codes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
start_sandbox
pg_start_queue
cd "$TMP"

cat >crash.yaml <<YAML
version: 1
name: crash
trigger: {manual: {}}
steps:
  - id: contact
    do: objects.upsert
    with: {fields: {email: "{{ data.email }}"}}
  - id: made
    do: objects.create
    with: {fields: {email: "made-{{ data.k }}@example.org", lastname: Made}}
  - id: note
    do: exec
    with: {command: [/bin/sh, -c, 'jq -r .data.k >> "\$0"', $TMP/exec.log]}
YAML
event() { printf '{"data": {"email": "c%s@example.org", "k": %s}}' "$1" "$1"; }
creates_of() {
	control GET "requests?limit=1000" |
		jq --arg e "made-$1" '[.[] | select(.method == "POST" and .path == "/1/objects" and (.body | test($e)))] | length'
}

# Killed at its 4th crash point (the upsert's call and commit, the create's SENDING commit,
# then its call): the create was sent, its outcome not journaled.
set +e
ONTRAPORT_TEST_CRASH_AT=4 "$OP" run crash.yaml --event "$(event 1)" --queue "$PG_URL" --lease 1s \
	>"$TMP/crash.out" 2>"$TMP/crash.err"
rc=$?
set -e
assert_eq "$rc" 137 "killed at the create"
assert_eq "$(creates_of 1)" 1 "the create was sent"
op runs list --queue "$PG_URL" --status pending -o json
assert_rc 0 "runs list --queue"
assert_jq "$OUT" 'length' 1 "the killed run is pending"
RUN1=$(jq -r '.[0].id' <<<"$OUT")
op runs show "$RUN1" --queue "$PG_URL" -o json
assert_jq "$OUT" '[.steps[] | .id + ":" + .status] | join(",")' "contact:done,made:sending" "the ledger"

# Two other processes, each with an event of its own: between them they take the killed
# run over once its lease ends, and each waits until no run of the scenario is left.
"$OP" run crash.yaml --event "$(event 2)" --queue "$PG_URL" >"$TMP/p2.out" 2>"$TMP/p2.err" &
P2=$!
"$OP" run crash.yaml --event "$(event 3)" --queue "$PG_URL" >"$TMP/p3.out" 2>"$TMP/p3.err" &
P3=$!
PIDS+=("$P2" "$P3")
rc2=0
rc3=0
wait "$P2" || rc2=$?
wait "$P3" || rc3=$?
assert_eq "$rc2 $rc3" "0 0" "both exit 0: $(cat "$TMP/p2.err" "$TMP/p3.err")"
op runs list --queue "$PG_URL" -o json
assert_jq "$OUT" '[.[] | .status] | join(",")' "done,done,done" "every run done"
for k in 1 2 3; do
	assert_eq "$(creates_of "$k")" 1 "run $k: one create sent"
	op objects search --where "email = 'made-$k@example.org'" -o json
	assert_jq "$OUT" 'length' 1 "run $k: one contact made"
	assert_eq "$(grep -c "^$k\$" exec.log || true)" 1 "run $k: the command ran once"
done
op runs show "$RUN1" --queue "$PG_URL" -o json
assert_jq "$OUT" '[.steps[] | .id + ":" + .status] | join(",")' "contact:done,made:done,note:done" "the ledger, finished"
assert_jq "$OUT" '.steps[1].output.id != null' true "the create's output: the contact looked up"
assert_not_contains "$(cat "$TMP"/*.err "$TMP"/*.out)" "$PG_PASSWORD" "the processes' output"

# A process that stalls (SIGSTOP) in a step for longer than its lease loses its claim: another
# process takes the run over and finishes it; the stalled one, let go on, writes nothing (the
# fence refuses its step) and says so. The command itself ran twice: a command step is at
# least once (docs/guide/scenarios.md).
SLOW=$((2 * ${ONTRA_TEST_TIME_SCALE:-1}))
cat >stall.yaml <<YAML
version: 1
name: stall
trigger: {manual: {}}
steps:
  - id: slow
    do: exec
    with: {command: [/bin/sh, -c, 'k=\$(jq -r .data.k); echo "\$k" >> "\$0.started"; sleep $SLOW; echo "\$k" >> "\$0"', $TMP/stall.log]}
YAML
"$OP" run stall.yaml --event "$(event 1)" --queue "$PG_URL" --lease 1s >"$TMP/s1.out" 2>"$TMP/s1.err" &
S1=$!
PIDS+=("$S1")
wait_lines "$TMP/stall.log.started" 1 || fail "the first step did not start: $(cat "$TMP/s1.err")"
kill -STOP "$S1"
op run stall.yaml --event "$(event 2)" --queue "$PG_URL"
assert_rc 0 "the other process finishes both runs"
kill -CONT "$S1"
rc=0
wait "$S1" || rc=$?
assert_contains "$(cat "$TMP/s1.err")" "was lost" "the stalled process's refused step"
assert_one_line "$(cat "$TMP/s1.err")" "the stalled process: the journal's one line, nothing reported"
echo "the stalled process exited $rc"
op runs list --queue "$PG_URL" --scenario stall -o json
assert_jq "$OUT" '[.[] | .status] | join(",")' "done,done" "both runs done"
assert_eq "$(sort "$TMP/stall.log" | tr '\n' ' ')" "1 1 2 " "the command: twice for the taken-over run"
STALL1=$(jq -r '[.[] | select(.source | test("manual"))] | last | .id' <<<"$OUT")
op runs show "$STALL1" --queue "$PG_URL" -o json
assert_jq "$OUT" '[.steps[] | .id + ":" + .status] | join(",")' "slow:done" "the ledger: one outcome"

# A dead run (no tag of that name): kept with its reason, replayed from the failed step once
# the tag exists, and finished by the next run; replaying it again is refused (4).
cat >dead.yaml <<'YAML'
version: 1
name: dead
trigger: {manual: {}}
steps:
  - id: contact
    do: objects.upsert
    with: {fields: {email: "{{ data.email }}"}}
  - id: tag
    do: objects.tag
    with: {ids: ["{{ steps.contact.id }}"], tags: ["{{ data.tag }}"]}
YAML
op run dead.yaml --event '{"data": {"email": "eve@example.org", "tag": "Gold"}}' --queue "$PG_URL"
assert_rc 1 "a dead run"
DEAD=$(jq -r .id <<<"$OUT")
op runs list --queue "$PG_URL" --status dead -o json
assert_jq "$OUT" '[.[] | .id] | join(",")' "$DEAD" "the dead run listed"
assert_jq "$OUT" '.[0].last_error | test("no tag named .Gold.")' true "its reason"
op objects create --type tags tag_name=Gold object_type_id=0
op runs replay "$DEAD" --queue "$PG_URL"
assert_rc 0 "replay"
assert_contains "$ERR" "1 run pending again"
op run dead.yaml --queue "$PG_URL"
assert_rc 0 "the replayed run resumed"
op runs show "$DEAD" --queue "$PG_URL" -o json
assert_jq "$OUT" '.status + " " + ([.steps[] | .status] | join(","))' "done done,done" "done, from the failed step"
op runs replay "$DEAD" --queue "$PG_URL"
assert_rc 4 "replay of a run that is not dead"

# From $ONTRAPORT_QUEUE too; purge empties the ledger of done runs.
ONTRAPORT_QUEUE="$PG_URL" op runs list --status done -o json
assert_jq "$OUT" 'length' 6 "runs list from ONTRAPORT_QUEUE"
op runs purge --queue "$PG_URL" --before 0s
assert_rc 0 "runs purge"
assert_contains "$ERR" "6 runs"
op runs list --queue "$PG_URL" -o json
assert_jq "$OUT" 'length' 0 "purged"

# Refusals: a URL in --journal (it would show in the process list), both --queue and
# --journal, a database not migrated (5), a wrong password (8, and never shown).
op run crash.yaml --event "$(event 4)" --journal "$PG_URL"
assert_rc 2 "--journal URL"
assert_not_contains "$ERR" "$PG_PASSWORD" "--journal URL: the error"
op runs list --queue "$PG_URL" --journal "$TMP/j.db"
assert_rc 2 "--queue and --journal"
pg_sql "CREATE DATABASE bare"
BARE="postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/bare"
op runs list --queue "$BARE"
assert_rc 5 "a database not migrated"
assert_contains "$ERR" "ontraport queue migrate"
op run crash.yaml --event "$(event 4)" --queue "postgresql://$PG_USER:WrongPass1234@127.0.0.1:$PG_PORT/postgres"
assert_rc 8 "a wrong password"
assert_not_contains "$ERR" "WrongPass1234" "the refusal"
assert_eq "$(creates_of 4)" 0 "nothing sent by a refused run"
finish
