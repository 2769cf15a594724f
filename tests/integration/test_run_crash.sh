#!/usr/bin/env bash
# kill -9 at every step boundary of a run (issue 14): with
# ONTRAPORT_TEST_CRASH_AT=N the runner SIGKILLs itself at its Nth crash point
# (after each step's call returns, and after each journal commit). A run of
# upsert -> create -> exec is crashed at each of its 7 points, then resumed
# by a plain `ontraport run`. Every run ends done; the create is never made
# twice (after a crash between its send and its journaling it is looked
# up); a step whose outcome was committed is never repeated; only a step
# crashed between its effect and its commit runs again (the upsert, which is
# idempotent, and the command, which is at-least-once: documented).
. "$(dirname "$0")/lib.sh"

start_sandbox
cd "$TMP"
J="$TMP/runs.db"
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
upserts_of() {
	control GET "requests?limit=1000" |
		jq --arg e "$1" '[.[] | select(.path == "/1/objects/saveorupdate" and (.body | test($e)))] | length'
}

for k in 1 2 3 4 5 6 7; do
	set +e
	ONTRAPORT_TEST_CRASH_AT=$k "$OP" run crash.yaml --event "{\"data\": {\"email\": \"c$k@example.org\", \"k\": $k}}" \
		--journal "$J" >"$TMP/crash.out" 2>"$TMP/crash.err"
	rc=$?
	set -e
	assert_eq "$rc" 137 "point $k: killed"
	op runs list --journal "$J" --status pending --output json
	pending=1
	[ "$k" -eq 7 ] && pending=0 # after the last commit the run is done
	assert_jq "$OUT" 'length' "$pending" "point $k: runs left pending"
	op run crash.yaml --journal "$J"
	assert_rc 0 "point $k: resume"
	op runs list --journal "$J" --status pending --status dead --output json
	assert_jq "$OUT" 'length' 0
	op objects search --where "email = 'made-$k@example.org'" --output json
	assert_jq "$OUT" 'length' 1 "point $k: contacts made"
	expected_upserts=1
	[ "$k" -eq 1 ] && expected_upserts=2
	assert_eq "$(upserts_of "c$k(@|%40)example")" "$expected_upserts" "point $k: upserts"
	expected_notes=1
	[ "$k" -eq 6 ] && expected_notes=2
	assert_eq "$(grep -c "^$k\$" exec.log || true)" "$expected_notes" "point $k: commands run"
done
op runs list --journal "$J" --status done --output json --limit 100
assert_jq "$OUT" 'length' 7

stop_sandbox
finish
