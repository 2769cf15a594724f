#!/usr/bin/env bash
# Every object module for a custom object type, whose fields come from the account's metadata.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

DOG=$(control POST object-types -H 'Content-Type: application/json' -d '{
  "name": "Dog",
  "fields": {
    "name":        {"alias": "Name", "type": "text"},
    "breed":       {"alias": "Breed", "type": "drop", "options": {"1": "Labrador", "2": "Poodle"}},
    "weight":      {"alias": "Weight", "type": "numeric"},
    "born":        {"alias": "Born", "type": "fulldate"},
    "owner_email": {"alias": "Owner Email", "type": "email"}
  }}' | jq -r .id)
[ "$DOG" -ge 10000 ] || fail "custom object type id '$DOG' should be >= 10000"

op object-types -o json
assert_rc 0
assert_jq "$OUT" "[.[] | select(.id == $DOG)] | .[0].name" Dog
op fields --type dogs -o json
assert_rc 0 "fields by plural name"
assert_jq "$OUT" '[.[].field] | index("breed") != null' true
op fields --type "$DOG" -o json
assert_rc 0 "fields by number"

op objects create --type Dog name=Rex breed=Labrador weight=30 born=2019-04-01 owner_email=o@example.com -o json
assert_rc 0 "create"
REX=$(printf '%s' "$OUT" | jq -r .id)
op objects create --type dog name=Fifi breed=2 weight=7.5 -o json
assert_rc 0 "create by option id"
FIFI=$(printf '%s' "$OUT" | jq -r .id)
op objects get --type dogs "$REX" -o json
assert_jq "$OUT" '.breed' 1
assert_jq "$OUT" '.born' 1554076800
op objects update --type dogs "$REX" weight=32 -o json
assert_rc 0 "update"
assert_jq "$OUT" '.weight' 32

op objects search --type dogs --where "weight > 10" -o json
assert_rc 0 "search with a condition on a custom field"
assert_jq "$OUT" '[.[].name] | join(",")' Rex
op objects search --type dogs --search fifi -o json
assert_jq "$OUT" 'length' 1

op objects tag --type dogs --tag GoodBoy "$REX"
assert_rc 0 "tag a custom object by name"
op objects with-tag --type dogs --tag GoodBoy -o json
assert_jq "$OUT" '[.[].id] | join(",")' "$REX"
op objects untag --type dogs --tag GoodBoy "$REX"
assert_rc 0 "untag"
op objects with-tag --type dogs --tag GoodBoy -o json
assert_jq "$OUT" 'length' 0

op campaigns list -o json
CAMP=$(printf '%s' "$OUT" | jq -r '.[0].id')
op objects subscribe --type dogs --campaign "$CAMP" "$FIFI"
assert_rc 0 "custom object into a campaign"
op objects unsubscribe --type dogs --campaign "$CAMP" "$FIFI"
assert_rc 0

op objects upsert --type dogs name=Rex owner_email=new@example.com -o json
assert_rc 0 "upsert on a custom type"

op objects delete --type dogs "$FIFI"
assert_rc 0 "delete"
op objects get --type dogs "$FIFI"
assert_rc 4 "gone"

# Values of the wrong kind for the custom fields are refused before sending.
op objects create --type dogs breed=Beagle
assert_rc 5 "unknown option"
assert_contains "$ERR" "expected one of 1 (Labrador), 2 (Poodle)"
op objects create --type dogs weight=heavy
assert_rc 5 "not a number"
op objects create --type dogs owner_email=nope
assert_rc 5 "not an email"
op objects create --type dogs born=yesterday
assert_rc 5 "not a date"
op objects create --type dogs nmae=Rex
assert_rc 5 "unknown field"
assert_contains "$ERR" "did you mean 'name'"
op objects search --type dogs --count -o json
assert_jq "$OUT" '.count' 2

finish
