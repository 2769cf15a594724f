#!/usr/bin/env bash
# `ontraport run`'s triggers end to end against a real sandbox (issue 14):
# watch (subscribed at start, each event one run, one object's runs in
# order while different objects run at once, unsubscribed at SIGTERM, the
# step in flight finished), schedule (--once: a run now), poll (--once:
# the first poll sets the cursor, the next reports the changed fields with
# old and new values), and a manual scenario's pending runs resumed.
. "$(dirname "$0")/lib.sh"

start_sandbox
cd "$TMP"
J="$TMP/runs.db"
op objects create --type tags tag_name=VIP object_type_id=0
assert_rc 0 "create the tag"

# ---- watch: tagged VIP; two objects tagged several times each ----
cat >watch.yaml <<YAML
version: 1
name: tagged-vip
trigger:
  watch: {event: tagged, tag: VIP}
steps:
  - id: get
    do: objects.get
    with: {id: "{{ data.id }}"}
  - id: note
    do: exec
    with: {command: [/bin/sh, -c, 'sleep 0.\$((\$\$ % 3)); jq -r "[.data.id, .event.tag_id, .steps.get.email] | @tsv" >> "\$0"', $TMP/watch.log]}
YAML
"$OP" run watch.yaml --journal "$J" --workers 4 >"$TMP/run.out" 2>"$TMP/run.err" &
RUN_PID=$!
PIDS+=("$RUN_PID")
wait_for "$TMP/run.err" "listening on" || fail "run did not start: $(cat "$TMP/run.err")"
assert_contains "$(cat "$TMP/run.err")" "subscribed webhook"
op webhooks list --output json
assert_jq "$OUT" 'length' 1 "subscriptions while running"
op objects create email=a@example.org
A=$(printf '%s' "$OUT" | jq -r .id)
op objects create email=b@example.org
B=$(printf '%s' "$OUT" | jq -r .id)
for round in 1 2 3; do
	op objects tag "$A" "$B" --tag VIP
	op objects untag "$A" "$B" --tag VIP
done
deliveries_settled || fail "the sandbox did not deliver its webhooks"
wait_lines "$TMP/watch.log" 6 20 || fail "6 runs did not finish: $(cat "$TMP/watch.log" 2>/dev/null)"
kill -TERM "$RUN_PID"
wait "$RUN_PID"
assert_eq "$?" 0 "run exits 0 on SIGTERM"
assert_contains "$(cat "$TMP/run.err")" "unsubscribed webhook"
op webhooks list --output json
assert_jq "$OUT" 'length' 0 "subscriptions after the stop"
assert_eq "$(grep -c "^$A	" watch.log)" 3 "runs for A"
assert_eq "$(grep -c "^$B	" watch.log)" 3 "runs for B"
assert_contains "$(cat watch.log)" "a@example.org"
# one object's runs ran in the order their events arrived
op runs list --journal "$J" --scenario tagged-vip --output json
assert_jq "$OUT" '[.[] | .status] | unique | join(",")' done
for obj in "$A" "$B"; do
	ids=$(printf '%s' "$OUT" | jq -r --arg k "0:$obj" '[.[] | select(.order_key == $k) | .id] | reverse | join(" ")')
	finished=$(printf '%s' "$OUT" | jq -r --arg k "0:$obj" '[.[] | select(.order_key == $k)] | sort_by(.updated_at) | [.[].id] | join(" ")')
	assert_eq "$finished" "$ids" "object $obj: runs finished in arrival order"
done

# ---- watch: a product purchased (the sandbox fires it when a sale is made) ----
op products create name=Widget price=10
assert_rc 0 "create the product"
cat >bought.yaml <<YAML
version: 1
name: bought
trigger:
  watch: {event: purchased, product: Widget}
steps:
  - id: note
    do: exec
    with: {command: [/bin/sh, -c, 'jq -r ".event.type + \" \" + .event.product_id" >> "\$0"', $TMP/bought.log]}
YAML
"$OP" run bought.yaml --journal "$J" >/dev/null 2>"$TMP/bought.err" &
BOUGHT=$!
PIDS+=("$BOUGHT")
wait_for "$TMP/bought.err" "listening on" || fail "run did not start: $(cat "$TMP/bought.err")"
assert_contains "$(cat "$TMP/bought.err")" "purchase_product"
op transactions charge -c a@example.org -g 1 -p 'Widget*2'
assert_rc 0 "a sale"
deliveries_settled || fail "the sandbox did not deliver the purchase"
wait_lines "$TMP/bought.log" 1 20 || fail "no run for the purchase: $(cat "$TMP/bought.err")"
kill -TERM "$BOUGHT"
wait "$BOUGHT" || fail "run exited $? after SIGTERM"
assert_contains "$(head -1 bought.log)" "purchase_product"

# ---- schedule: --once runs it now ----
cat >nightly.yaml <<'YAML'
version: 1
name: nightly
trigger: {schedule: "0 3 * * *"}
steps:
  - id: stale
    do: objects.search
    with: {where: "email LIKE '%@example.org'"}
  - id: report
    do: exec
    with: {command: [/bin/sh, -c, 'jq -r ".event.type, .steps.stale.count" > "$0"', nightly.out]}
YAML
op run nightly.yaml --once --journal "$J"
assert_rc 0 "schedule --once"
assert_eq "$(tr '\n' ' ' <nightly.out)" "schedule 2 " "the scheduled run's event and search"

# ---- poll: the first poll sets the cursor; a change then comes out with old and new ----
cat >poll.yaml <<'YAML'
version: 1
name: changes
trigger:
  poll: {type: contacts, changed: [firstname], every: 10s}
steps:
  - id: out
    do: exec
    with: {command: [/bin/sh, -c, 'jq -c ".event.changes" >> "$0"', changes.log]}
YAML
op run poll.yaml --once --journal "$J"
assert_rc 0 "the first poll"
[ ! -s changes.log ] || fail "the first poll reported old objects: $(cat changes.log)"
sleep 1.1 # a later second for date last modified
op objects update "$A" firstname=Ann
op objects update "$B" lastname=Unwatched
op run poll.yaml --once --journal "$J"
assert_rc 0 "the second poll"
# an object not seen before reports old as null (the first poll does not read the whole account)
assert_eq "$(cat changes.log)" '{"firstname":{"old":null,"new":"Ann"}}' "changes reported"
sleep 1.1
op objects update "$A" firstname=Anna
op run poll.yaml --once --journal "$J"
assert_eq "$(tail -1 changes.log)" '{"firstname":{"old":"Ann","new":"Anna"}}' "the next change, old and new"

# ---- a manual scenario's pending runs are resumed by a plain run ----
cat >manual.yaml <<'YAML'
version: 1
name: manual
trigger: {manual: {}}
steps:
  - id: c
    do: objects.upsert
    with: {fields: {email: "{{ data.email }}"}}
YAML
set +e
ONTRAPORT_TEST_CRASH_AT=1 "$OP" run manual.yaml --event '{"data": {"email": "m@example.org"}}' \
	--journal "$J" >/dev/null 2>&1
set -e
op runs list --journal "$J" --scenario manual --status pending --output json
assert_jq "$OUT" 'length' 1
op run manual.yaml --journal "$J"
assert_rc 0 "resume"
op runs list --journal "$J" --scenario manual --status done --output json
assert_jq "$OUT" 'length' 1

# ---- SIGTERM finishes the step in flight and leaves the rest pending ----
cat >slow.yaml <<YAML
version: 1
name: slow
trigger: {manual: {}}
steps:
  - id: slow
    do: exec
    with: {command: [/bin/sh, -c, 'echo started > "\$0.started"; sleep 1; echo ran >> "\$0"', $TMP/slow.log]}
  - id: c
    do: objects.upsert
    with: {fields: {email: "slow@example.org"}}
YAML
"$OP" run slow.yaml --event '{}' --journal "$J" >/dev/null 2>"$TMP/slow.err" &
SLOW=$!
for i in $(seq 1 $((200 * ${ONTRA_TEST_TIME_SCALE:-1}))); do [ -e slow.log.started ] && break; sleep 0.05; done
kill -TERM "$SLOW"
set +e
wait "$SLOW"
rc=$?
set -e
assert_eq "$rc" 130 "interrupted"
assert_eq "$(cat slow.log)" ran "the step in flight finished"
op runs list --journal "$J" --scenario slow --output json
assert_jq "$OUT" '.[0].status + " " + (.[0].next_step | tostring)' "pending 1"
op run slow.yaml --journal "$J"
assert_rc 0 "resume after SIGTERM"
assert_eq "$(wc -l <slow.log)" 1 "the finished step is not run again"

stop_sandbox

# ---- two scenarios in one process share the account's rate budget: no 429 ----
start_sandbox --rate-limit 6/2s
for name in one two; do
	cat >"$name.yaml" <<YAML
version: 1
name: $name
trigger: {manual: {}}
steps:
  - {id: a, do: objects.search, with: {limit: 1}}
  - {id: b, do: objects.search, with: {limit: 1}}
  - {id: c, do: objects.search, with: {limit: 1}}
YAML
done
op run one.yaml two.yaml --event '{}' --journal "$TMP/shared.db" --retries 0
assert_rc 0 "two scenarios paced together"
assert_jq "$OUT" '[.[].status] | join(",")' "done,done"
assert_eq "$(control GET stats | jq -r .rate_limited)" 0 "429s"

# ---- on a terminal: a progress line with each scenario's counters ----
if command -v script >/dev/null; then
	script -qec "$OP run one.yaml two.yaml --event '{}' --journal $TMP/tty.db" /dev/null >tty.out 2>&1 || true
	assert_contains "$(cat tty.out)" "one: 1 done, 0 dead, 0 filtered, 0 waiting"
	assert_contains "$(cat tty.out)" "two: 1 done"
fi
stop_sandbox
finish
