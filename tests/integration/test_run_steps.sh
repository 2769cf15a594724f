#!/usr/bin/env bash
# Each kind of scenario step not covered by test_run.sh, through `ontraport
# run --event` against a real sandbox, each checked by reading the account
# back: objects.update, untag, unsubscribe, with-tag, search, get, delete;
# messages.create and update; rules.create, update and pause; api. And the
# outputs later steps read (steps.ID...).
. "$(dirname "$0")/lib.sh"

start_sandbox
cd "$TMP"
J="$TMP/runs.db"
op objects create --type tags tag_name=VIP object_type_id=0
op objects create email=ann@example.org firstname=Ann
ANN=$(printf '%s' "$OUT" | jq -r .id)
op objects tag "$ANN" --tag VIP
op objects subscribe "$ANN" --sequence 1
assert_rc 0 "subscribe Ann"

cat >objects.yaml <<'YAML'
version: 1
name: objects
trigger: {manual: {}}
steps:
  - id: found
    do: objects.search
    with: {where: "email = 'ann@example.org'", fields: [id, email]}
  - id: vips
    do: objects.with-tag
    with: {tag: VIP}
  - id: upd
    do: objects.update
    with: {id: "{{ steps.found.ids[0] }}", fields: {lastname: "{{ data.last }}"}}
  - id: got
    do: objects.get
    with: {id: "{{ steps.found.ids[0] }}"}
  - id: untag
    do: objects.untag
    with: {ids: "{{ steps.vips.ids }}", tags: [VIP]}
  - id: unsub
    do: objects.unsubscribe
    with: {ids: ["{{ steps.got.id }}"], sequences: [Welcome Sequence]}
  - id: api
    do: api
    with: {method: GET, path: /object, query: {objectID: 0, id: "{{ steps.got.id }}"}}
YAML
op run objects.yaml --event '{"data": {"last": "Smith"}}' --journal "$J"
assert_rc 0 "the objects scenario"
assert_jq "$OUT" '[.steps[].status] | unique | join(",")' done
assert_jq "$OUT" '.steps[0].output.count' 1
assert_jq "$OUT" '.steps[0].output.objects[0].email' ann@example.org
assert_jq "$OUT" '.steps[1].output.ids | length' 1
assert_jq "$OUT" '.steps[3].output.lastname' Smith
assert_jq "$OUT" '.steps[6].output.status' 200
assert_jq "$OUT" '.steps[6].output.data.lastname' Smith
op objects get "$ANN" --output json
assert_jq "$OUT" '.lastname' Smith
assert_jq "$OUT" '.contact_cat' ""
assert_jq "$OUT" '.updateSequence' ""

cat >messages.yaml <<'YAML'
version: 1
name: messages
trigger: {manual: {}}
steps:
  - id: msg
    do: messages.create
    with: {type: e-mail, name: "Note for {{ data.who }}", subject: Hello, send_from: a@example.org, html: "<p>Hi</p>"}
  - id: upd
    do: messages.update
    with: {id: "{{ steps.msg.id }}", subject: "Hello {{ data.who }}"}
  - id: rule
    do: rules.create
    with: {name: "Rule for {{ data.who }}", events: "Contact_added_to_category(1)", actions: "Add_contact_to_category(1)"}
  - id: rename
    do: rules.update
    with: {id: "{{ steps.rule.id }}", name: "Renamed for {{ data.who }}"}
  - id: pause
    do: rules.pause
    with: {ids: ["{{ steps.rule.id }}"]}
YAML
op run messages.yaml --event '{"data": {"who": "Bo"}}' --journal "$J"
assert_rc 0 "the messages and rules scenario"
assert_jq "$OUT" '[.steps[].status] | unique | join(",")' done
MSG=$(printf '%s' "$OUT" | jq -r .steps[0].output.id)
RULE=$(printf '%s' "$OUT" | jq -r .steps[2].output.id)
op messages get "$MSG" --output json
assert_jq "$OUT" '.subject' "Hello Bo"
assert_jq "$OUT" '.alias' "Note for Bo"
op rules get "$RULE" --output json
assert_jq "$OUT" '.name' "Renamed for Bo"
assert_jq "$OUT" '.pause' 1

# objects.delete: by where, and a selection of everything is refused (dead, nothing deleted)
cat >delete.yaml <<'YAML'
version: 1
name: delete
trigger: {manual: {}}
steps:
  - id: del
    do: objects.delete
    with: {where: "{{ data.where }}"}
YAML
op objects create email=gone@example.org
op run delete.yaml --event '{"data": {"where": "email = '"'"'gone@example.org'"'"'"}}' --journal "$J"
assert_rc 0 "delete by where"
op objects search --where "email = 'gone@example.org'" --count --output json
assert_jq "$OUT" '.count' 0
op run delete.yaml --event '{"data": {"where": "id > 0"}}' --journal "$J"
assert_rc 1 "a delete of everything"
assert_contains "$(printf '%s' "$OUT" | jq -r .last_error)" "refusing to delete every object"
op objects search --count --output json
assert_jq "$OUT" '.count' 1

stop_sandbox
finish
