#!/usr/bin/env bash
# --log-format json (and $ONTRAPORT_LOG_FORMAT) of `watch`, `watch --poll` and `run` (issue
# 15 §8): every stderr line is one JSON object with ts, level, cmd and msg; a delivery's line
# carries the event id, a run's its scenario and run id; no line holds the API key or the
# hook's token; a bad value is a one-line usage error. And `run --metrics` with polls and
# schedules only answers /metrics and /healthz on a listener of its own.
. "$(dirname "$0")/lib.sh"

# check_log FILE CMD: every line of FILE is a JSON object of CMD with ts, level and msg,
# and none holds the API key (nor the token, when $TOKEN is set).
check_log() {
	local file=$1 cmd=$2 bad
	CHECKS=$((CHECKS + 1))
	[ -s "$file" ] || { fail "$file is empty"; return; }
	bad=$(jq -R -c --arg cmd "$cmd" 'fromjson? // "not json" |
		if type == "object" and (.ts | test("^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"))
			and (.level | IN("debug", "info", "warn", "error")) and .cmd == $cmd
			and (.msg | type == "string" and length > 0)
		then empty else . end' "$file")
	assert_eq "$bad" "" "lines of $file that are not JSON log lines of $cmd"
	assert_not_contains "$(cat "$file")" "$SBX_KEY" "$file (the API key)"
	[ -z "${TOKEN:-}" ] || assert_not_contains "$(cat "$file")" "$TOKEN" "$file (the hook's token)"
	assert_not_contains "$(cat "$file")" $'\r' "$file (a progress line)"
}
# stop PID NAME: SIGTERM, and it exits 0.
stop() {
	local rc=0
	kill -TERM "$1"
	wait "$1" || rc=$?
	assert_eq "$rc" 0 "$2 stops cleanly"
}

start_sandbox

# ---- a bad value: one line, naming it and what is expected, exit 2 as other bad flags ----
for cmd in "watch --db $TMP/bad.db" "run $TMP/none.yaml"; do
	# shellcheck disable=SC2086
	op $cmd --log-format xml
	assert_rc 2 "$cmd --log-format xml"
	assert_one_line "$ERR" "$cmd --log-format xml"
	assert_eq "$ERR" "ontraport: invalid value 'xml' for --log-format: expected text or json" "$cmd's error"
	# shellcheck disable=SC2086
	ONTRAPORT_LOG_FORMAT=xml op $cmd
	assert_rc 2 "ONTRAPORT_LOG_FORMAT=xml $cmd"
	assert_eq "$ERR" "ontraport: invalid value 'xml' for ONTRAPORT_LOG_FORMAT: expected text or json" "$cmd's error for the variable"
done

# ---- watch: subscribed (the token masked); -vv for the delivery lines and the headers (the key masked) ----
"$OP" watch --log-format json -vv -e created --db "$TMP/w.db" --token-file "$TMP/token" \
	>"$TMP/w.out" 2>"$TMP/w.err" &
W=$!
PIDS+=("$W")
wait_for "$TMP/w.err" "listening on" || fail "watch did not start: $(cat "$TMP/w.err")"
TOKEN=$(cat "$TMP/token")
[ ${#TOKEN} -ge 32 ] || fail "no token in the token file: $TOKEN"
op objects create firstname=Log email=log@example.org
assert_rc 0 "create a contact"
wait_lines "$TMP/w.out" 1 || fail "the event was not delivered: $(cat "$TMP/w.err")"
wait_for "$TMP/w.err" "delivered" || fail "no delivery line: $(cat "$TMP/w.err")"
stop "$W" watch
check_log "$TMP/w.err" watch
EVENT=$(jq -r .id "$TMP/w.out")
assert_eq "$(jq -r --argjson id "$EVENT" 'select(.event_id == $id) | .msg' "$TMP/w.err")" \
	"event $EVENT delivered" "the delivery line and its event id"
assert_eq "$(jq -r 'select(.msg | startswith("listening on ")) | .level + " " + .webhook_key' "$TMP/w.err")" \
	"info watch" "the listening line"
assert_contains "$(jq -r 'select(.msg | startswith("unsubscribed webhook")) | .msg' "$TMP/w.err")" \
	"unsubscribed webhook" "a note is a JSON line too"

# ---- watch --poll from $ONTRAPORT_LOG_FORMAT; the flag wins over it ----
ONTRAPORT_LOG_FORMAT=json op watch --poll --once -e created --db "$TMP/p.db"
assert_rc 0 "watch --poll --once"
printf '%s\n' "$ERR" >"$TMP/p.err"
check_log "$TMP/p.err" watch
ONTRAPORT_LOG_FORMAT=json op watch --poll --once -e created --db "$TMP/p.db" --log-format text
assert_rc 0 "watch --poll --once --log-format text"
assert_contains "$ERR" "ontraport watch: queue $TMP/p.db" "text with --log-format text"
assert_eq "$(grep -c '^{' <<<"$ERR" || true)" 0 "no JSON line with --log-format text"

# ---- run: a schedule's run once, its lines with scenario and run id ----
cat >"$TMP/nightly.yaml" <<'YAML'
version: 1
name: nightly
trigger: {schedule: "0 3 * * *"}
steps:
  - id: stale
    do: objects.search
    with: {where: "email LIKE '%@example.org'"}
YAML
ONTRAPORT_LOG_FORMAT=json op run "$TMP/nightly.yaml" --once -v --journal "$TMP/runs.db"
assert_rc 0 "run --once"
printf '%s\n' "$ERR" >"$TMP/once.err"
check_log "$TMP/once.err" run
assert_eq "$(jq -r 'select(.run_id) | "\(.scenario) \(.run_id) \(.status)"' "$TMP/once.err")" \
	"nightly 1 done" "the run's line"

# ---- run --metrics with polls and schedules only: a listener for the two paths ----
cat >"$TMP/poll.yaml" <<'YAML'
version: 1
name: changes
trigger:
  poll: {type: contacts, changed: [firstname], every: 10s}
steps:
  - id: out
    do: exec
    with: {command: [/bin/sh, -c, 'cat >/dev/null']}
YAML
"$OP" run "$TMP/poll.yaml" "$TMP/nightly.yaml" --metrics --log-format json --journal "$TMP/runs.db" \
	--db "$TMP/run-events.db" >"$TMP/run.out" 2>"$TMP/run.err" &
R=$!
PIDS+=("$R")
wait_for "$TMP/run.err" "metrics on" || fail "run printed no metrics line: $(cat "$TMP/run.err")"
BASE=$(jq -r 'select(.msg | startswith("metrics on ")) | .msg | capture("^metrics on (?<u>.*)/metrics \\(and /healthz\\)$").u' "$TMP/run.err")
assert_eq "$(curl -s "$BASE/healthz")" ok "run's healthz"
M=$(curl -sS "$BASE/metrics")
assert_contains "$M" 'ontraport_info{cmd="run",version="' "run's metrics"
assert_contains "$M" 'ontraport_runs_total{result="done"} 0' "run's runs"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data a=1 "$BASE/hooks/0123456789abcdef0123456789abcdef")" 404 "no hook on run's listener"
stop "$R" run
check_log "$TMP/run.err" run
finish
