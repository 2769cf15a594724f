#!/usr/bin/env bash
# Delivery by `ontraport watch`: a failing --exec handler is retried with
# exponential backoff and ends dead after --max-attempts; `events replay`
# delivers it once the handler works, to the watch that is running. A graceful
# stop finishes the delivery in flight and leaves the rest pending; a restart
# delivers them, once each. --forward-to posts each event to another receiver
# and retries while it is down.
. "$(dirname "$0")/lib.sh"
export TMP

start_sandbox

# The handler: records each attempt (time in ns, the attempt number), fails with status 3
# unless $TMP/ok exists, sleeps $TMP/slow seconds if that file exists; on success keeps the
# event it got on stdin.
HANDLER="$TMP/handler.sh"
cat >"$HANDLER" <<'EOF'
#!/bin/sh
event=$(cat)
echo "$(date +%s%N) $ONTRAPORT_EVENT_ID $ONTRAPORT_EVENT_ATTEMPT" >>"$TMP/attempts"
[ -f "$TMP/slow" ] && sleep "$(cat "$TMP/slow")"
[ -f "$TMP/ok" ] || { echo "not ready" >&2; exit 3; }
printf '%s\n' "$event" >>"$TMP/handled"
EOF
chmod +x "$HANDLER"
touch "$TMP/handled" "$TMP/attempts"

# ---- retries with backoff, then dead; replay delivers ----
start_watch w -e created --exec "$HANDLER" --max-attempts 3 --retry-delay 100ms --retry-max 1s
op objects create firstname=Dora -o json
DORA=$(jq -r .id <<<"$OUT")
for _ in $(seq 1 $((100 * ${ONTRA_TEST_TIME_SCALE:-1}))); do grep -q 'is dead after 3 attempts' "$TMP/w.err" && break; sleep 0.05; done
assert_contains "$(cat "$TMP/w.err")" "event 1: attempt 1 of 3 failed: " "first failure"
assert_contains "$(cat "$TMP/w.err")" "event 1: attempt 2 of 3 failed: " "second failure"
assert_contains "$(cat "$TMP/w.err")" "exited with status 3" "the handler's status"
assert_contains "$(cat "$TMP/w.err")" "event 1 is dead after 3 attempts" "dead"
assert_contains "$(cat "$TMP/w.err")" "'ontraport events replay 1'" "hint"
assert_eq "$(wc -l <"$TMP/attempts")" 3 "attempts made"
assert_eq "$(awk '{print $2 "/" $3}' "$TMP/attempts" | tr '\n' ' ')" "1/1 1/2 1/3 " "event id and attempt in the environment"
# Equal jitter: the n-th retry waits at least half of 100ms * 2^(n-1).
gaps=$(awk 'NR > 1 { printf "%d ", ($1 - prev) / 1000000 } { prev = $1 }' "$TMP/attempts")
read -r gap1 gap2 <<<"$gaps"
CHECKS=$((CHECKS + 1))
[ "$gap1" -ge 50 ] && [ "$gap2" -ge 100 ] || fail "backoff gaps ${gaps}ms, expected >= 50 and >= 100"
echo "backoff gaps: ${gaps}ms (base 100ms, doubling, equal jitter)"
op events list --db "$TMP/w.db" --status dead -o json
assert_rc 0 "events list --status dead"
assert_jq "$OUT" 'length' 1
assert_jq "$OUT" '.[0] | [.id, .attempts, .status, .event, .object_id] | map(tostring) | join(" ")' "1 3 dead object_create $DORA"
assert_jq "$OUT" '.[0].last_error | test("status 3")' true
assert_eq "$(wc -l <"$TMP/handled")" 0 "nothing handled yet"

# The handler is fixed: replay the dead event; the running watch picks it up.
touch "$TMP/ok"
op events replay --dead --db "$TMP/w.db"
assert_rc 0 "events replay --dead"
assert_contains "$ERR" "1 event pending again" "replay note"
wait_lines "$TMP/handled" 1 || fail "the replayed event was not delivered"
assert_jq "$(cat "$TMP/handled")" '.id' 1
assert_jq "$(cat "$TMP/handled")" '.data.firstname + " " + .event.type' "Dora object_create"
op events list --db "$TMP/w.db" --status done -o json
assert_jq "$OUT" '.[0].attempts' 0
op events replay 42 --db "$TMP/w.db"
assert_rc 4 "replay of an unknown id"
assert_contains "$ERR" "no event 42 in the queue" "replay of an unknown id"

# ---- graceful stop: the delivery in flight finishes, the rest stays pending ----
echo $((2 * ${ONTRA_TEST_TIME_SCALE:-1})) >"$TMP/slow" # long enough for the other two to arrive meanwhile
for name in Eve Fay Gus; do op objects create "firstname=$name"; done
deliveries_settled || fail "the sandbox did not deliver the three events"
for _ in $(seq 1 $((100 * ${ONTRA_TEST_TIME_SCALE:-1}))); do [ "$(wc -l <"$TMP/attempts")" -ge 4 ] && break; sleep 0.05; done
stop_watch w TERM
assert_eq "$(wc -l <"$TMP/handled")" 2 "the delivery in flight finished"
assert_contains "$(cat "$TMP/w.err")" "2 events left pending for the next run" "pending note"
op events list --db "$TMP/w.db" --status pending -o json
assert_jq "$OUT" '[.[].id] | join(",")' "3,4"
rm -f "$TMP/slow"
start_watch w -e created --exec "$HANDLER"
assert_contains "$(cat "$TMP/w.err")" "(2 pending)" "restart sees the pending events"
wait_lines "$TMP/handled" 4 || fail "the restart did not deliver the pending events"
sleep 0.3
assert_eq "$(jq -r .id "$TMP/handled" | tr '\n' ' ')" "1 2 3 4 " "each delivered once, in order"
assert_eq "$(jq -r .data.firstname "$TMP/handled" | tr '\n' ' ')" "Dora Eve Fay Gus " "the events"
stop_watch w

# ---- --forward-to: another receiver (a watch with --no-subscribe); retried while it is down ----
start_watch target --no-subscribe --token-file "$TMP/target.token" --name target
TARGET_URL=$WATCH_URL
TPORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\)\/hooks.*/\1/p' <<<"$TARGET_URL")
start_watch fwd -e created --forward-to "$TARGET_URL" --retry-delay 100ms --retry-max 300ms --max-attempts 100
op objects create firstname=Hal
wait_lines "$TMP/target.out" 1 || fail "not forwarded"
T=$(jq -s . "$TMP/target.out")
assert_jq "$T" '.[0].encoding' json
assert_jq "$T" '.[0].fields.event.type + " " + .[0].fields.data.firstname' "object_create Hal"
assert_jq "$T" '.[0].fields.webhook_key' watch
stop_watch target
op objects create firstname=Ida
for _ in $(seq 1 $((100 * ${ONTRA_TEST_TIME_SCALE:-1}))); do grep -q 'event 2: attempt 2 of 100 failed' "$TMP/fwd.err" && break; sleep 0.05; done
assert_contains "$(cat "$TMP/fwd.err")" "event 2: attempt 1 of 100 failed" "forward target down"
start_watch target --no-subscribe --token-file "$TMP/target.token" --port "$TPORT" --name target
wait_lines "$TMP/target.out" 2 || fail "not forwarded after the target came back"
assert_jq "$(jq -s . "$TMP/target.out")" '.[1].fields.data.firstname' Ida
stop_watch fwd
stop_watch target

finish
