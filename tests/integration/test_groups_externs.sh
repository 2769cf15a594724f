#!/usr/bin/env bash
# Saved groups and externs (REFERENCE-MORE §M8, §M13): `objects search --group
# NAME|ID` and `--extern PARENT//FIELD`; on the wire, group_id and group_ids
# select a group's members (its stored condition) on reads, counts and bulk
# writes, and externs join a related record's field into each row.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

op objects create firstname=Ann email=ann@vip.example -o json
ANN=$(jq -r .id <<<"$OUT")
op objects create firstname=Bob email=bob@vip.example -o json
op objects create firstname=Cy email=cy@other.example -o json
CY=$(jq -r .id <<<"$OUT")
cond='[{\"field\":{\"field\":\"email\"},\"op\":\"LIKE\",\"value\":{\"value\":\"%@vip.example\"}}]'
control POST seed/objects -H 'Content-Type: application/json' -d '{"objectID":3,"records":[
	{"name":"VIP","object_type_id":"0","condition":"'"$cond"'"},
	{"name":"Everyone","object_type_id":"0","condition":""},
	{"name":"Tag group","object_type_id":"14","condition":""}]}' >"$TMP/groups"
assert_jq "$(cat "$TMP/groups")" '.ids | length' 3

# Groups by name and by id; with a condition too; counts.
op objects search --group VIP -o json
assert_rc 0 "search --group by name"
assert_jq "$OUT" '[.[].firstname] | join(",")' "Ann,Bob"
op objects search --group 2 -o json
assert_jq "$OUT" 'length' 3
op objects search --group VIP --where "firstname = 'Bob'" -o json
assert_jq "$OUT" '[.[].firstname] | join(",")' "Bob"
op objects search --group VIP --count -o json
assert_jq "$OUT" '.count' 2
op api GET /Contacts -q group_ids=1,2
assert_jq "$OUT" '.data | length' 3
op api GET /Groups
assert_jq "$OUT" '[.data[].name] | join(",")' "VIP,Everyone,Tag group"
# A bulk write by group: tag every VIP (performAll, as clients send it).
op objects create --type tags tag_name=Gold -o json
GOLD=$(jq -r .tag_id <<<"$OUT")
op api PUT /objects/tag -d objectID=0 -d add_list="$GOLD" -d group_id=1 -d performAll=1
assert_rc 0 "tag by group"
op objects search --where "contact_cat IS NOT NULL" --fields id -o json
assert_jq "$OUT" 'length' 2
op objects search --group "No Such Group" --retries 0
assert_rc 4 "no group of that name"
assert_one_line "$ERR"
op api GET /Contacts -q group_id=3 --retries 0
assert_rc 5 "a group of another type"
assert_contains "$ERR" "object type 14"
op api GET /Contacts -q group_id=99 --retries 0
assert_rc 5 "no such group"

# Externs: the owner's fields on contacts, a note's author; unknown ones are null.
op objects search --extern owner//email --extern owner//firstname --fields id,firstname -o json
assert_rc 0 "search --extern"
assert_jq "$OUT" '.[0]["owner//email"]' "owner@sandbox.example"
assert_jq "$OUT" '.[0]["owner//firstname"]' "Sandbox"
assert_jq "$OUT" '.[0] | keys | join(",")' "firstname,id,owner//email,owner//firstname"
op notes add "$CY" "met at the fair" -o json
op api GET /Notes -q externs=author//lastname,contact_id//email,nothing//x
assert_jq "$OUT" '.data[0]["author//lastname"]' "Owner"
assert_jq "$OUT" '.data[0]["nothing//x"]' "null"
op api GET /Contact -q id="$ANN" -q externs=owner//email
assert_jq "$OUT" '.data | has("owner//email")' false
before=$(requests_seen)
op objects search --extern "owner email" --retries 0
assert_rc 5 "a malformed extern"
assert_contains "$ERR" "invalid extern 'owner email'"
assert_one_line "$ERR"
assert_eq "$(requests_seen)" "$before" "nothing was sent"
finish
