#!/usr/bin/env bash
# `ontraport scenario check` resolves a scenario's names against the account
# (issue 14): a file naming a real tag, sequence, campaign, form, custom
# object type, field aliases and dropdown/list labels passes with the count
# of names resolved; mistyped ones are each reported as FILE:LINE:COL with
# the nearest name, exit 5. The check only reads (every request it makes is
# a GET; nothing is created), --offline sends nothing at all, and a refused
# key pair or an unreachable server gives the usual exit codes (3, 8).
. "$(dirname "$0")/lib.sh"

start_sandbox
cd "$TMP"

# The account: a custom object with a dropdown and a list field, a tag made
# through the API, and a sequence, a campaign and a form (types the API
# cannot create; seeded through the sandbox's control API).
control POST object-types -H 'Content-Type: application/json' -d '{"name": "Dog",
  "fields": {"size": {"alias": "Size", "type": "drop", "options": {"1": "Small", "2": "Large"}},
             "toys": {"alias": "Toys", "type": "list", "options": {"1": "Ball", "2": "Rope"}},
             "nickname": {"alias": "Nick Name", "type": "text"}}}' >/dev/null
op objects create --type tags tag_name=VIP object_type_id=0
assert_rc 0 "create the tag"
seed() { control POST seed/objects -H 'Content-Type: application/json' -d "$1" >/dev/null; }
seed '{"objectID": 5, "records": [{"name": "VIP Nurture"}]}'
seed '{"objectID": 140, "records": [{"name": "VIP Onboarding"}]}'
seed '{"objectID": 122, "records": [{"formname": "VIP Signup", "type": "11"}]}'

cat >good.yaml <<'YAML'
version: 1
name: vip-dogs
trigger:
  watch: {event: tagged, tag: VIP}
steps:
  - id: dog
    if: "'VIP' | tag_id > 0"
    do: objects.upsert
    with:
      type: Dogs
      fields: {Size: Large, toys: "Ball, rope", "Nick Name": Rex, nickname: "{{ data.x }}"}
  - id: contact
    do: objects.upsert
    with: {fields: {email: "{{ data.email }}", First Name: Ann}}
  - id: nurture
    do: objects.subscribe
    with: {ids: ["{{ steps.contact.id }}"], sequences: VIP Nurture, campaigns: [VIP Onboarding]}
  - id: tag
    do: objects.tag
    with: {ids: ["{{ steps.contact.id }}"], tags: [VIP, "{{ data.more }}"]}
YAML
cat >form.yaml <<'YAML'
version: 1
name: signup
trigger:
  watch: {event: form-submitted, form: VIP Signup}
steps:
  - id: t
    do: objects.tag
    with: {ids: ["{{ data.id }}"], tags: VIP}
YAML
cat >bad.yaml <<'YAML'
version: 1
name: vip-typos
trigger:
  watch: {event: tagged, tag: VIPP}
steps:
  - id: dog
    do: objects.upsert
    with: {type: Dogs, fields: {Size: Larg, Nick Nme: Rex, toys: "Ball, Rop"}}
  - id: nurture
    do: objects.subscribe
    with: {ids: [1], sequences: VIP Nurtur, campaigns: VIP Onboardin}
  - id: cat
    do: objects.get
    with: {type: Dgos, id: 1}
YAML
# What the checks below may send: nothing but reads.
reqs_before=$(control GET 'requests?limit=100000' | jq length)
op -o json tags list
tags_before=$(printf '%s' "$OUT" | jq length)

op --retries 0 scenario check good.yaml form.yaml
assert_rc 0 "check of files naming what the account has"
# good: tag VIP (trigger), tag_id('VIP'), Dogs, Size, Large, toys, "Ball, rope", Nick Name,
# nickname, email, First Name, VIP Nurture, VIP Onboarding, VIP (tag step): 14 (Rex and Ann
# are values of text fields, not labels; templates are for run time).
assert_eq "$OUT" "good.yaml: ok: vip-dogs, watch trigger, 4 steps, 14 names resolved
form.yaml: ok: signup, watch trigger, 1 step, 2 names resolved" "summaries"

op --retries 0 scenario check bad.yaml
assert_rc 5 "check of a file with mistyped names"
assert_eq "$ERR" "bad.yaml:4:31: no tag named 'VIPP' (did you mean 'VIP'?)
bad.yaml:8:39: no option 'Larg' for field 'size' of Dog (did you mean 'Large'?)
bad.yaml:8:45: unknown field 'Nick Nme' for Dog (did you mean 'Nick Name'?)
bad.yaml:8:66: no option 'Rop' for field 'toys' of Dog (did you mean 'Rope'?)
bad.yaml:11:33: no sequence named 'VIP Nurtur' (did you mean 'VIP Nurture'?)
bad.yaml:11:56: no campaign named 'VIP Onboardin' (did you mean 'VIP Onboarding'?)
bad.yaml:14:18: unknown object type 'Dgos' (did you mean 'Dog'?)" "every mistyped name, in file order"
assert_eq "$OUT" "" "nothing on stdout for a bad file"

# The checks only read: every request was a GET, and no tag was made (not even 'VIPP').
assert_eq "$(control GET 'requests?limit=100000' | jq -r --argjson n "$reqs_before" \
	'[.[$n:][] | select(.method != "GET")] | length')" "0" "requests other than GET"
assert_eq "$(control GET 'requests?limit=100000' | jq -r --argjson n "$reqs_before" \
	'[.[$n:][] | select(.path == "/1/objects/meta")] | length')" "1" \
	"metadata asked once in both runs: read from the disk cache the create above wrote, and fetched again once for a type it lacks ('Dgos')"
op -o json tags list
assert_eq "$(printf '%s' "$OUT" | jq length)" "$tags_before" "tags after the checks"

# --offline: nothing is sent, names are only counted.
before=$(requests_seen)
op --retries 0 scenario check --offline bad.yaml
assert_rc 0 "offline check of a file whose names are wrong"
assert_eq "$OUT" "bad.yaml: ok: vip-typos, watch trigger, 3 steps, 11 names to resolve" "offline summary"
assert_eq "$(requests_seen)" "$before" "offline sends nothing"

# An id instead of a name: checked to exist when the kind is listed.
sed 's/sequences: VIP Nurtur, campaigns: VIP Onboardin/sequences: "1", campaigns: "9999"/' bad.yaml >ids.yaml
op --retries 0 scenario check ids.yaml
assert_rc 5 "check with a missing id"
assert_contains "$ERR" "ids.yaml:11:49: no campaign with id 9999"
assert_not_contains "$ERR" "no sequence"

# The account cannot be asked: the CLI's exit codes for it, no problem lines.
ONTRAPORT_API_KEY=wrong op --retries 0 scenario check good.yaml
assert_rc 3 "a refused key pair"
assert_one_line "$ERR" "auth error"
ONTRAPORT_BASE_URL=http://127.0.0.1:1/1 op --retries 0 scenario check good.yaml
assert_rc 8 "an unreachable server"
assert_contains "$ERR" "cannot reach"

finish
