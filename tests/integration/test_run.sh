#!/usr/bin/env bash
# `ontraport run` (issue 14) against a real sandbox: an event through a
# scenario of every kind of object step plus exec and http; --dry-run sends
# nothing; a filter and an `if`; a retryable failure retried with backoff; a
# refusal dead at once, replayed from the failed step without repeating the
# steps before it; a create whose answer was lost (looked up, not sent
# again); `runs list/show/replay`; bad input.
. "$(dirname "$0")/lib.sh"

start_sandbox
cd "$TMP"
J="$TMP/runs.db"

seed() { control POST seed/objects -H 'Content-Type: application/json' -d "$1" >/dev/null; }
seed '{"objectID": 5, "records": [{"name": "VIP Nurture"}]}'
op objects create --type tags tag_name=VIP object_type_id=0
assert_rc 0 "create the tag"
# writes: the API calls that change something, from the sandbox's request log
writes() {
	control GET "requests?limit=1000" | jq -r '.[] | select(.method != "GET") | "\(.method) \(.path)"'
}
count_writes() { writes | grep -c "^$1\$" || true; }

# An HTTP target for the http step: a receiver that stores what it gets.
start_watch hook --no-subscribe
HOOK_URL=$WATCH_URL

cat >vip.yaml <<YAML
version: 1
name: vip
env: [RUN_TEST_LABEL]
trigger: {manual: {}}
filter: "data.email | ends_with('@example.org')"
steps:
  - id: contact
    do: objects.upsert
    with: {fields: {email: "{{ data.email }}", firstname: "{{ data.name }}"}}
  - id: tag
    do: objects.tag
    with: {ids: ["{{ steps.contact.id }}"], tags: [VIP]}
  - id: seq
    if: "data.total > 500"
    do: objects.subscribe
    with: {ids: ["{{ steps.contact.id }}"], sequences: [VIP Nurture]}
  - id: note
    do: objects.create
    with: {type: tags, fields: {tag_name: "note-{{ data.name }}", object_type_id: 0}}
  - id: notify
    do: exec
    with: {command: [/bin/sh, -c, 'cat > "\$0"; printf "{\\"label\\": \\"%s\\"}" "\$RUN_TEST_LABEL"', $TMP/stdin.json]}
  - id: hook
    do: http
    with: {url: "$HOOK_URL", body: {contact: "{{ steps.contact.id }}", who: "{{ data.name }}"}}
YAML
cat >ann.json <<'JSON'
{"event": {"type": "manual"}, "data": {"email": "ann@example.org", "name": "Ann", "total": "600"}}
JSON

# --dry-run: the calls, nothing written, nothing journaled
before=$(writes | wc -l)
op run vip.yaml --event @ann.json --dry-run --journal "$J"
assert_rc 0 "dry run"
assert_contains "$OUT" 'objects.upsert POST /objects/saveorupdate {"fields":{"email":"ann@example.org","firstname":"Ann"}}'
assert_contains "$OUT" 'objects.subscribe PUT /objects/subscribe'
assert_contains "$OUT" 'exec exec {"command":["/bin/sh"'
assert_eq "$(writes | wc -l)" "$before" "writes during a dry run"
[ ! -e "$J" ] || fail "a dry run made the journal"

# A real run: every step done, in order, with its output
RUN_TEST_LABEL=from-env op run vip.yaml --event @ann.json --journal "$J"
assert_rc 0 "run"
assert_jq "$OUT" '.status' done
assert_jq "$OUT" '[.steps[].status] | join(",")' "done,done,done,done,done,done"
assert_jq "$OUT" '.steps[0].output.created' true
assert_jq "$OUT" '.steps[4].output.label' from-env
assert_jq "$OUT" '.steps[3].idempotency_key' "vip/$(printf '%s' "$OUT" | jq -r .id)/note"
assert_jq "$OUT" '.steps[5].output.status' 200
CID=$(printf '%s' "$OUT" | jq -r '.steps[0].output.id')
op objects get "$CID" --output json
assert_jq "$OUT" '.contact_cat' "*/*1*/*"
assert_jq "$OUT" '.firstname' Ann
# exec: the event and the outputs on stdin, nothing of the event in argv
assert_jq "$(cat stdin.json)" '.data.email' ann@example.org
assert_jq "$(cat stdin.json)" '.steps.contact.id' "$CID"
# http: the rendered body reached the receiver
wait_lines "$TMP/hook.out" 1 || fail "the http step's post did not arrive"
assert_jq "$(head -1 "$TMP/hook.out")" '.fields.who' Ann
assert_eq "$(count_writes 'POST /1/objects/saveorupdate')" 1 "upserts"
assert_eq "$(count_writes 'PUT /1/objects/subscribe')" 1 "subscribes"

# The event from standard input
printf '{"data": {"email": "stdin@example.org", "name": "In", "total": 1}}' >stdin-event.json
run "$OP" run vip.yaml --event - --journal "$J" <stdin-event.json
assert_rc 0 "an event on stdin"
assert_jq "$OUT" '.steps[0].output.email' stdin@example.org

# The filter says no: filtered, nothing sent; `if` false: the step skipped
op run vip.yaml --event '{"data": {"email": "bob@elsewhere.com"}}' --journal "$J"
assert_rc 0 "filtered run"
assert_jq "$OUT" '.status' filtered
op run vip.yaml --event '{"data": {"email": "cy@example.org", "name": "Cy", "total": 10}}' --journal "$J"
assert_rc 0 "run with a skipped step"
assert_jq "$OUT" '[.steps[].status] | join(",")' "done,done,skipped,done,done,done"
assert_eq "$(count_writes 'PUT /1/objects/subscribe')" 1 "subscribes after a skipped step"

# A retryable failure (two 500s on tagging): retried with backoff, then done
cat >retry.yaml <<'YAML'
version: 1
name: retry
trigger: {manual: {}}
retry: {max_attempts: 4, first: 1s, max: 2s}
steps:
  - id: contact
    do: objects.upsert
    with: {fields: {email: "{{ data.email }}"}}
  - id: tag
    do: objects.tag
    with: {ids: ["{{ steps.contact.id }}"], tags: [VIP]}
YAML
control POST "faults?fault=status=500,path=/1/objects/tag,count=2" >/dev/null
tags=$(count_writes 'PUT /1/objects/tag')
op run retry.yaml --event '{"data": {"email": "dee@example.org"}}' --journal "$J" --retries 0
assert_rc 0 "run through two 500s"
assert_jq "$OUT" '.status' done
assert_contains "$ERR" "retrying in"
assert_eq "$(count_writes 'PUT /1/objects/tag')" "$((tags + 3))" "tag attempts (2 failed, 1 done)"

# Attempts count per step: a step that needed its two attempts does not use up the next one's
cat >twice.yaml <<'YAML'
version: 1
name: twice
trigger: {manual: {}}
retry: {max_attempts: 2, first: 1s}
steps:
  - id: contact
    do: objects.upsert
    with: {fields: {email: "{{ data.email }}"}}
  - id: tag
    do: objects.tag
    with: {ids: ["{{ steps.contact.id }}"], tags: [VIP]}
YAML
control POST "faults?fault=status=503,path=/1/objects/saveorupdate,count=1" >/dev/null
control POST "faults?fault=status=503,path=/1/objects/tag,count=1" >/dev/null
op run twice.yaml --event '{"data": {"email": "tw@example.org"}}' --journal "$J" --retries 0
assert_rc 0 "one failure in each of two steps, two attempts each"
assert_jq "$OUT" '[.steps[].attempts] | join(",")' "1,1"

# A refusal: dead at once (no retry), exit 1, the reason kept; replayed from the failed step
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
ups=$(count_writes 'POST /1/objects/saveorupdate')
op run dead.yaml --event '{"data": {"email": "eve@example.org", "tag": "Gold"}}' --journal "$J"
assert_rc 1 "a dead run"
assert_jq "$OUT" '.status' dead
assert_contains "$(printf '%s' "$OUT" | jq -r .last_error)" "step tag (objects.tag): no tag named 'Gold'"
assert_contains "$ERR" "dead"
DEAD=$(printf '%s' "$OUT" | jq -r .id)
op runs list --journal "$J" --status dead --output json
assert_jq "$OUT" '.[0].id' "$DEAD"
assert_jq "$OUT" 'length' 1
op runs show "$DEAD" --journal "$J"
assert_rc 0 "runs show"
assert_jq "$OUT" '.steps[1].status' failed
assert_jq "$OUT" '.event.data.tag' Gold
op objects create --type tags tag_name=Gold object_type_id=0
op runs replay "$DEAD" --journal "$J"
assert_rc 0 "replay"
assert_contains "$ERR" "1 run pending again"
op run dead.yaml --journal "$J"
assert_rc 0 "resume the replayed run"
op runs show "$DEAD" --journal "$J"
assert_jq "$OUT" '.status' done
assert_eq "$(count_writes 'POST /1/objects/saveorupdate')" "$((ups + 1))" "upserts (not repeated by the replay)"
op runs replay "$DEAD" --journal "$J"
assert_rc 4 "replay of a run that is not dead"

# on_error: skip (a dead run that is not a failure) and stop (the scenario stops)
sed 's/^name: dead$/name: skipper/; $a on_error: skip' dead.yaml >skip.yaml
op run skip.yaml --event '{"data": {"email": "sk@example.org", "tag": "Nope"}}' --journal "$J"
assert_rc 0 "on_error: skip"
assert_jq "$OUT" '.status' dead
assert_contains "$ERR" "skipped (dead, on_error: skip)"
sed 's/^name: dead$/name: stopper/; $a on_error: stop' dead.yaml >stop.yaml
op run stop.yaml --event '{"data": {"email": "st@example.org", "tag": "Nope"}}' --journal "$J"
assert_rc 1 "on_error: stop"
assert_contains "$ERR" "stopped by a failed run (on_error: stop)"

# A filter that fails (a number compared with a list): dead; replayed, it is asked again
cat >badfilter.yaml <<'YAML'
version: 1
name: badfilter
trigger: {manual: {}}
filter: "data.n > 1"
steps:
  - {id: c, do: objects.upsert, with: {fields: {email: "bf@example.org"}}}
YAML
op run badfilter.yaml --event '{"data": {"n": [1]}}' --journal "$J"
assert_rc 1 "a filter that cannot be evaluated"
BF=$(printf '%s' "$OUT" | jq -r .id)
assert_contains "$(printf '%s' "$OUT" | jq -r .last_error)" "badfilter.yaml:4:"
op runs replay "$BF" --journal "$J"
op run badfilter.yaml --journal "$J"
assert_rc 1 "the replayed run meets the filter again"
op runs show "$BF" --journal "$J"
assert_jq "$OUT" '.status' dead

# A create whose answer is lost (the sandbox acts, then drops the connection): looked up, not resent
cat >create.yaml <<'YAML'
version: 1
name: create
trigger: {manual: {}}
steps:
  - id: made
    do: objects.create
    with: {fields: {email: "{{ data.email }}", lastname: Lost}}
YAML
control POST "faults?fault=drop=after,path=/1/objects,method=POST,count=1" >/dev/null
creates=$(count_writes 'POST /1/objects')
op run create.yaml --event '{"data": {"email": "lost@example.org"}}' --journal "$J" --retries 0
assert_rc 0 "a create with a lost answer"
assert_jq "$OUT" '.steps[0].status' done
assert_eq "$(count_writes 'POST /1/objects')" "$((creates + 1))" "creates sent"
op objects search --where "email = 'lost@example.org'" --output json
assert_jq "$OUT" 'length' 1
assert_jq "$OUT" '.[0].lastname' Lost

# purge: finished runs before a time; pending and (by default) dead runs stay
op runs list --journal "$J" --limit 1000 --output json
all=$(printf '%s' "$OUT" | jq length)
dead=$(printf '%s' "$OUT" | jq '[.[] | select(.status == "dead")] | length')
op runs purge --before 1h --journal "$J"
assert_rc 0 "purge of nothing that old"
assert_contains "$ERR" "purged 0 runs"
op runs purge --before 2099-01-01 --journal "$J"
assert_rc 0 "purge"
op runs list --journal "$J" --limit 1000 --output json
assert_jq "$OUT" 'length' "$dead" "runs left (the dead ones)"
op runs purge --before 2099-01-01 --status pending --journal "$J"
assert_rc 2 "pending runs are never purged"
[ "$all" -gt "$dead" ] || fail "nothing to purge: $all runs, $dead dead"

# Bad input
op run vip.yaml --dry-run --journal "$J"
assert_rc 2 "--dry-run without --event"
op run vip.yaml --event '[1' --journal "$J"
assert_rc 5 "an event that is not JSON"
assert_one_line "$ERR"
printf 'version: 1\nname: bad\ntrigger: {manual: {}}\nsteps:\n  - {id: a, do: objects.tag, with: {ids: [1], tags: [VIPP]}}\n' >bad.yaml
op run bad.yaml --event '{}' --journal "$J"
assert_rc 5 "a scenario naming a missing tag"
assert_contains "$ERR" "bad.yaml:5:"
assert_contains "$ERR" "did you mean 'VIP'"
sed 's/^name: dead$/name: elsewhere\nconnection: prdo/' dead.yaml >conn.yaml
op connection add prod --app-id "$SBX_APP" --api-key-stdin --base-url "$SBX_URL" <<<"$SBX_KEY"
op run conn.yaml --event '{}' --journal "$J"
assert_rc 4 "a scenario naming an unknown connection"
assert_contains "$ERR" "unknown connection 'prdo' (did you mean 'prod'?)"
op runs show 999 --journal "$J"
assert_rc 4 "an unknown run"
op runs list --journal "$TMP/nothing.db"
assert_rc 4 "no journal"

stop_watch hook
stop_sandbox
finish
