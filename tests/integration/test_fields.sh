#!/usr/bin/env bash
# Custom fields through the field editor (REFERENCE-MORE §M5): `fields create |
# update | delete | sections` against a real sandbox; the new field is in the
# metadata and takes record values at once (the cache is invalidated); the
# wire forms on /objects/fieldeditor (JSON) and /Contacts/fieldeditor (form);
# a custom object's fields; bad input refused before any field editor request.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s
# The metadata is cached on disk between runs, as a user's would be.
export XDG_CACHE_HOME="$TMP/cache"

op fields -o json
assert_rc 0 "list (prime the metadata cache)"
assert_jq "$OUT" '[.[] | select(.alias == "Shoe size")] | length' 0

op fields create --type contacts --section Extra --name "Shoe size" --kind numeric -o json
assert_rc 0 "create a numeric field"
assert_jq "$OUT" '.[0].alias' "Shoe size"
SHOE=$(printf '%s' "$OUT" | jq -r '.[0].field')
assert_contains "$SHOE" "f15" "a custom field's name"
op fields create -t contacts --section Extra --name "Shirt size" --kind drop --option S --option M --column 2 -o json
assert_rc 0 "create a drop field with options"
SHIRT=$(printf '%s' "$OUT" | jq -r '.[0].field')

# The metadata follows at once: listed, and a record takes the new fields by label.
op fields -o json
assert_jq "$OUT" "[.[] | select(.field == \"$SHOE\")][0].type" numeric
assert_jq "$OUT" "[.[] | select(.field == \"$SHIRT\")][0].options | [.[]] | join(\",\")" "S,M"
op objects create firstname=Ann shoe_size=42 "Shirt size=M" -o json
assert_rc 0 "a record with the new fields"
assert_jq "$OUT" ".$SHOE" 42
assert_jq "$OUT" ".$SHIRT" 2
ANN=$(printf '%s' "$OUT" | jq -r .id)
op objects get "$ANN" -o json
assert_jq "$OUT" ".$SHOE" 42
op objects create firstname=Bad shoe_size=big --retries 0
assert_rc 5 "a value of the wrong kind"
assert_contains "$ERR" "expected a number"

# Sections: the built-in one and ours, columns as asked.
op fields sections --section extra -o json
assert_rc 0 "one section"
assert_jq "$OUT" 'map(.field) | join(",")' "$SHOE,$SHIRT"
assert_jq "$OUT" 'map(.column) | join(",")' "1,2"
op fields sections -o json
assert_jq "$OUT" '[.[].section] | unique | join(",")' "Contact Information,Extra"

# Update: options added and removed (ids kept), the label, required.
op fields update --section Extra --field "Shirt size" --add-option L -o json
assert_rc 0 "add an option"
op fields update --section Extra --field "$SHIRT" --remove-option S --name "Shirt" --required yes -o json
assert_rc 0 "remove an option, relabel"
assert_jq "$OUT" ".[0].alias" Shirt
op fields -o json
assert_jq "$OUT" "[.[] | select(.field == \"$SHIRT\")][0].options | tojson" '{"2":"M","3":"L"}'
assert_jq "$OUT" "[.[] | select(.field == \"$SHIRT\")][0].required" 1
op fields update --section Extra --field "$SHIRT" --option XL --option M -o json
assert_rc 0 "replace the options"
op fields -o json
assert_jq "$OUT" "[.[] | select(.field == \"$SHIRT\")][0].options | tojson" '{"4":"XL","2":"M"}'
op fields update --section Nowhere --field "$SHIRT" --add-option Q --retries 0
assert_rc 4 "update in a section that does not exist"

# Delete: a non-empty section is refused; a field goes, with its values.
op fields delete --section Extra --retries 0
assert_rc 5 "a section with fields"
assert_contains "$ERR" "not empty"
op fields delete --field "Shoe size"
assert_rc 0 "delete a field by its label"
op fields delete --field "$SHIRT"
assert_rc 0 "delete a field by its name"
op objects get "$ANN" -o json
assert_jq "$OUT" "has(\"$SHOE\")" false
op fields delete --section Extra
assert_rc 0 "the empty section"
op fields sections --section Extra --retries 0
assert_rc 4 "gone"
op objects create firstname=Late shoe_size=1 --retries 0
assert_rc 5 "the deleted field is unknown"

# Bad input: refused with one line and no field editor request.
fe_requests() { control GET 'requests?limit=1000' | jq '[.[] | select(.path | test("fieldeditor"))] | length'; }
before=$(fe_requests)
op fields create --section Extra --name Bad --kind bogus
assert_rc 5 "unknown kind"
assert_one_line "$ERR"
assert_contains "$ERR" "invalid kind 'bogus'"
op fields create --section Extra --name "First Name" --kind text
assert_rc 5 "a label another field has"
assert_contains "$ERR" "already exists for Contact (firstname)"
op fields create --section Extra --name Colour --kind text --option red
assert_rc 5 "options on a text field"
op fields create --section Extra --name Colour --kind drop --option ""
assert_rc 5 "an empty option"
op fields update --section Extra --field firstname --name Given
assert_rc 5 "a built-in field"
op fields update --section Extra --field f99999 --add-option A
assert_rc 5 "an unknown field"
assert_contains "$ERR" "unknown field 'f99999'"
op fields delete --field email
assert_rc 5 "delete a built-in field"
op fields delete --field nosuchfield
assert_rc 4 "delete an unknown field"
op fields create --section Extra --name X
assert_rc 2 "no --kind"
op fields update --section Extra --field x --option A --add-option B
assert_rc 2 "two option operations"
op fields create --section Extra --name X --kind text --column 4
assert_rc 2 "column out of range"
assert_eq "$(fe_requests)" "$before" "no field editor request for bad input"

# The wire: JSON on /objects/fieldeditor; the SDK's form encoding on a named path.
op api POST /Contacts/fieldeditor -d name=Wire -d 'fields[0][0][alias]=Hat' -d 'fields[0][0][type]=list' \
	-d 'fields[0][0][required]=0' -d 'fields[0][0][unique]=0' -d 'fields[0][0][options][add][0]=Cap' \
	-d 'fields[0][0][options][add][1]=Beret' -o json
assert_rc 0 "form-encoded create on /Contacts/fieldeditor"
assert_jq "$OUT" '.data.error' '[]'
HAT=$(printf '%s' "$OUT" | jq -r '.data.success | keys[0]')
op api GET /objects/fieldeditor -q objectID=0 -q "field=$HAT" -o json
assert_jq "$OUT" '.data.options | tojson' '{"1":"Cap","2":"Beret"}'
assert_jq "$OUT" '.data.deletable' 1
op api PUT /objects/fieldeditor --json '{"objectID":0,"name":"Wire","description":"hats","fields":[[{"alias":"Hat","options":{"remove":["Cap"]}}]]}' -o json
assert_rc 0 "JSON update matched by alias"
assert_jq "$OUT" '.data.success.description' hats
assert_jq "$OUT" ".data.success.$HAT" Hat
op api POST /objects/fieldeditor --json '{"objectID":0,"name":"Wire","fields":[[{"alias":"hat","type":"text"},{"alias":"Scarf","type":"nope"}]]}' -o json
assert_rc 0 "refusals come in the error map"
assert_jq "$OUT" '.data.success' '{}'
assert_jq "$OUT" '.data.error | keys | join(",")' "Scarf,hat"
op api DELETE /objects/fieldeditor -q objectID=0 --retries 0
assert_rc 5 "delete needs a section or a field"

# A custom object's fields, through its own named path.
DOG=$(control POST object-types -H 'Content-Type: application/json' -d '{"name":"Dog","fields":{"name":{"alias":"Name","type":"text"}}}' | jq -r .id)
op fields create --type Dog --section Care --name "Vet visits" --kind numeric -o json
assert_rc 0 "a custom object's field"
VET=$(printf '%s' "$OUT" | jq -r '.[0].field')
op objects create --type Dog name=Rex vet_visits=3 -o json
assert_jq "$OUT" ".$VET" 3
op api GET /Dogs/fieldeditor -q section=Care -o json
assert_jq "$OUT" '.data.fields[0][0].alias' "Vet visits"
assert_jq "$OUT" "(.data.id | tostring) != \"\"" true
[ "$DOG" -ge 10000 ] || fail "custom type id $DOG"

# A sandbox on a file keeps the sections and fields (and the counter) across a restart.
stop_sandbox
SBX_DB="$TMP/fields.db" start_sandbox
op fields create --section Kept --name "Kept field" --kind text -o json
assert_rc 0 "create on a file database"
KEPT=$(printf '%s' "$OUT" | jq -r '.[0].field')
stop_sandbox
SBX_DB="$TMP/fields.db" start_sandbox
op fields sections --section Kept --refresh -o json
assert_jq "$OUT" '.[0].field' "$KEPT"
op fields create --section Kept --name "Next field" --kind text -o json
assert_jq "$OUT" ".[0].field != \"$KEPT\"" true

finish
