#!/usr/bin/env bash
# `ontraport scenario check` and `scenario eval`: a clean file exits 0 with a
# summary; a bad one exits 5 with every problem as FILE:LINE:COL in file
# order; a missing file is an error (1); with --offline nothing is sent (the
# sandbox's request count does not move). eval prints a value as JSON, and a
# wrong expression exits 5 naming its column.
. "$(dirname "$0")/lib.sh"

start_sandbox
cd "$TMP"
cat >good.yaml <<'YAML'
version: 1
name: vip-onboarding
trigger:
  watch: {event: tagged, tag: VIP}
filter: "{{ not (data.email | ends_with('@example.com')) }}"
steps:
  - id: contact
    do: objects.upsert
    with: {fields: {email: "{{ data.email }}"}}
  - id: notify
    if: steps.contact.id != null
    do: exec
    with: {command: [/bin/true]}
YAML
cat >bad.yaml <<'YAML'
version: 1
name: nightly
trigger: {schedule: "0 3 * * *"}
steps:
  - id: find
    do: objects.serch
  - id: hook
    do: http
    with: {url: "https://example.com/h", body: "{{ steps.fnd.id }}", retries: 3}
on_error: stopp
YAML
before=$(requests_seen)

op scenario check --offline good.yaml
assert_rc 0 "check of a clean file"
assert_eq "$OUT" "good.yaml: ok: vip-onboarding, watch trigger, 2 steps, 2 names to resolve" "summary"

op --retries 0 scenario check bad.yaml
assert_rc 5 "check of a bad file"
assert_eq "$ERR" "bad.yaml:6:9: do: unknown step kind 'objects.serch' (did you mean 'objects.search'?); expected objects.*, messages.*, rules.*, api, exec or http
bad.yaml:9:58: steps.fnd: not an earlier step (a step sees only the steps before it) (did you mean 'find'?)
bad.yaml:9:70: http: unknown key 'retries'; expected url, method, headers, body, timeout
bad.yaml:10:11: on_error: 'stopp' is not one of dead, skip, stop (did you mean 'stop'?)" "every problem, in file order"
assert_eq "$OUT" "" "nothing on stdout for a bad file"

# Several files: each is checked; any problem makes the exit 5.
op --retries 0 scenario check --offline good.yaml bad.yaml
assert_rc 5 "check of a good and a bad file"
assert_contains "$OUT" "good.yaml: ok"

printf 'version: 1\nname: x\nname: y\n' >dup.yaml
op --retries 0 scenario check dup.yaml
assert_rc 5 "duplicate key"
assert_eq "$ERR" "dup.yaml:3:1: duplicate key 'name' (first at line 2, column 1)" "duplicate key line"

op --retries 0 scenario check missing.yaml
assert_rc 1 "a missing file"
assert_contains "$ERR" "cannot read 'missing.yaml'"

op scenario check
assert_rc 2 "no file is a usage error"

assert_eq "$(requests_seen)" "$before" "check sends nothing"

# eval
echo '{"event": {"type": "tagged"}, "data": {"email": "Ann@Example.com", "total": "600"}}' >e.json
op scenario eval "data.total > 500 and event.type == 'tagged'" --event @e.json
assert_rc 0 "eval"
assert_eq "$OUT" "true" "eval result"
op scenario eval "Hi {{ data.email | lower }}" --event @e.json
assert_eq "$OUT" '"Hi ann@example.com"' "eval of a template"
MY_VAR=secret-ish op scenario eval "env.MY_VAR | length" --env MY_VAR
assert_eq "$OUT" "10" "eval with an allowed env variable"
MY_VAR=x op scenario eval "env.MY_VAR"
assert_eq "$OUT" "null" "env not listed is not visible"
op --retries 0 scenario eval "data.email | lowr" --event @e.json
assert_rc 5 "eval of a wrong expression"
assert_eq "$ERR" "ontraport: expression:1:14: unknown filter 'lowr' (did you mean 'lower'?)" "eval error"
op --retries 0 scenario eval "data.x" --event '[1'
assert_rc 5 "eval with a bad event"
assert_one_line "$ERR"
finish
