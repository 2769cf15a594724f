#!/usr/bin/env bash
# GET /metrics and GET /healthz of `ontraport watch --metrics` and `ontraport run
# --metrics` (issue 15 §8): the text format parses (promcheck.py), the numbers follow
# the events and the handler's failures, /healthz turns 503 when the queue file goes.
. "$(dirname "$0")/lib.sh"
export TMP
SCALE=${ONTRA_TEST_TIME_SCALE:-1}
CHECK="$(dirname "$0")/promcheck.py"

# scrape: the samples of $BASE/metrics, checked for format, in $M.
scrape() {
	local text
	text=$(curl -sS "$BASE/metrics")
	M=$(python3 "$CHECK" <<<"$text") || fail "the metrics do not parse: $M"
}
# value NAME: the sample's value in $M.
value() { awk -v n="$1" '$1 == n { print $2 }' <<<"$M"; }
# wait_metric NAME OP N: until NAME OP N (awk comparison), 10 s scaled; 1 on timeout.
wait_metric() {
	local i
	for i in $(seq 1 $((200 * SCALE))); do
		scrape
		awk -v v="$(value "$1")" -v n="$3" "BEGIN { exit !(v != \"\" && v $2 n) }" && return 0
		sleep 0.05
	done
	return 1
}

# ---- without --metrics the paths are 404, like any path but a hook's ----
start_watch plain --no-subscribe
BASE=${WATCH_URL%/hooks/*}
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/metrics")" 404 "/metrics without --metrics"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" 404 "/healthz without --metrics"
stop_watch plain

# ---- watch: a handler that holds "hold" events until $TMP/go, and fails "boom" ones ----
HANDLER='e=$(cat); case "$e" in *hold*) while [ ! -e "$TMP/go" ]; do sleep 0.05; done;; *boom*) exit 1;; esac'
start_watch w --no-subscribe --metrics --max-attempts 1 --exec "$HANDLER"
# The line follows the listening line start_watch waited for.
wait_for "$TMP/w.err" "metrics on http://127.0.0.1:" || fail "no metrics line: $(cat "$TMP/w.err")"
BASE=$(sed -n 's/^ontraport watch: metrics on \(.*\)\/metrics (and \/healthz)$/\1/p' "$TMP/w.err")
assert_eq "${WATCH_URL%/hooks/*}" "$BASE" "metrics on the receiver's address"
scrape
assert_eq "$(value 'ontraport_info{cmd="watch",version="0.1.0"}')" 1 "info"
for m in ontraport_queue_pending ontraport_queue_dead ontraport_deliveries_total \
	ontraport_delivery_failures_total ontraport_dead_total ontraport_queue_oldest_pending_age_seconds \
	ontraport_lease_takeovers_total; do
	assert_eq "$(value $m)" 0 "$m at start"
done
assert_eq "$(value ontraport_queue_up)" 1 "queue up"
assert_not_contains "$(curl -sS "$BASE/metrics")" "${WATCH_URL##*/}" "the token in the metrics"

curl -sS -o /dev/null --data 'a=1' "$WATCH_URL"
curl -sS -o /dev/null --data 'a=boom' "$WATCH_URL"
curl -sS -o /dev/null --data 'a=2' "$WATCH_URL"
wait_metric ontraport_deliveries_total == 2 || fail "2 deliveries not counted: $M"
wait_metric ontraport_queue_dead == 1 || fail "the dead event not counted: $M"
assert_eq "$(value ontraport_delivery_failures_total)" 1 "failures"
assert_eq "$(value ontraport_dead_total)" 1 "dead"
assert_eq "$(value ontraport_queue_pending)" 0 "nothing pending"

# A held event and one behind it: pending, and the oldest one ages.
curl -sS -o /dev/null --data 'a=hold' "$WATCH_URL"
curl -sS -o /dev/null --data 'a=3' "$WATCH_URL"
wait_metric ontraport_queue_pending == 2 || fail "2 pending not shown: $M"
wait_metric ontraport_queue_oldest_pending_age_seconds '>=' 1 || fail "the oldest does not age: $M"
touch "$TMP/go"
wait_metric ontraport_deliveries_total == 4 || fail "the held events not delivered: $M"
wait_metric ontraport_queue_pending == 0 || fail "still pending: $M"
assert_eq "$(value ontraport_queue_oldest_pending_age_seconds)" 0 "no age once none is pending"

# /healthz: ok, then 503 with one line while the queue file is not where it was.
assert_eq "$(curl -s -w ' %{http_code}' "$BASE/healthz")" "ok
 200" "healthz"
mv "$TMP/w.db" "$TMP/w-moved.db"
run curl -s -w '%{http_code}' -o "$TMP/h.txt" "$BASE/healthz"
assert_eq "$OUT" 503 "healthz with the queue file gone"
assert_eq "$(cat "$TMP/h.txt")" "the queue file '$TMP/w.db' was removed or replaced" "the reason"
mv "$TMP/w-moved.db" "$TMP/w.db"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" 200 "healthz with it back"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/metrics")" 404 "POST /metrics"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/metricsx")" 404 "another path"
stop_watch w

# ---- run: runs done and dead, on the receiver of its watch trigger ----
start_sandbox
op objects create --type tags tag_name=VIP object_type_id=0
assert_rc 0 "create the tag"
op objects create email=a@example.org
A=$(jq -r .id <<<"$OUT")
cat >"$TMP/scen.yaml" <<YAML
version: 1
name: tagged
trigger:
  watch: {event: tagged, tag: VIP}
steps:
  - id: s
    do: exec
    with: {command: [/bin/sh, -c, 'cat >/dev/null']}
YAML
"$OP" run "$TMP/scen.yaml" --journal "$TMP/runs.db" --metrics >"$TMP/run.out" 2>"$TMP/run.err" &
RUN_PID=$!
PIDS+=("$RUN_PID")
wait_for "$TMP/run.err" "metrics on" || fail "run printed no metrics line: $(cat "$TMP/run.err")"
BASE=$(sed -n 's/^ontraport run: metrics on \(.*\)\/metrics (and \/healthz)$/\1/p' "$TMP/run.err")
[ -n "$BASE" ] || { fail "run printed no metrics line: $(cat "$TMP/run.err")"; finish; }
op objects tag "$A" --tag VIP
wait_metric 'ontraport_runs_total{result="done"}' == 1 || fail "the run not counted: $M $(cat "$TMP/run.err")"
assert_eq "$(value 'ontraport_runs_total{result="dead"}')" 0 "no dead run"
assert_eq "$(value 'ontraport_info{cmd="run",version="0.1.0"}')" 1 "run's info"
assert_eq "$(curl -s "$BASE/healthz")" ok "run's healthz"
kill -TERM "$RUN_PID"
rc=0
wait "$RUN_PID" || rc=$?
assert_eq "$rc" 0 "run stops cleanly"

# ---- watch --poll: no receiver, so a listener for the two paths only ----
"$OP" watch --poll --metrics --db "$TMP/poll.db" --event created >"$TMP/poll.out" 2>"$TMP/poll.err" &
POLL_PID=$!
PIDS+=("$POLL_PID")
wait_for "$TMP/poll.err" "metrics on" || fail "watch --poll printed no metrics line: $(cat "$TMP/poll.err")"
BASE=$(sed -n 's/^ontraport watch: metrics on \(.*\)\/metrics (and \/healthz)$/\1/p' "$TMP/poll.err")
assert_eq "$(curl -s "$BASE/healthz")" ok "the poller's healthz"
scrape
assert_eq "$(value ontraport_queue_up)" 1 "the poller's queue"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data a=1 "$BASE/hooks/0123456789abcdef0123456789abcdef")" 404 "no hook on the poller's listener"
kill -INT "$POLL_PID"
rc=0
wait "$POLL_PID" || rc=$?
assert_eq "$rc" 0 "the poller stops cleanly"
finish
