#!/usr/bin/env bash
# Notes (object type 12, REFERENCE-MORE §M4): `notes add` and `notes list` for
# a contact by id or e-mail and for another object type; the wire forms
# (POST /Notes, GET /Notes with a contact_id condition); bad input refused.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

op objects create firstname=Nora email=nora@example.com -o json
NORA=$(printf '%s' "$OUT" | jq -r .id)
op objects create firstname=Olaf email=olaf@example.com -o json
OLAF=$(printf '%s' "$OUT" | jq -r .id)

op notes add "$NORA" "First call: wants a quote" -o json
assert_rc 0 "add by id"
assert_jq "$OUT" '.data' "First call: wants a quote"
assert_jq "$OUT" '.contact_id' "$NORA"
assert_jq "$OUT" '.object_type_id' 0
N1=$(printf '%s' "$OUT" | jq -r .id)
op notes add nora@example.com "Quote sent" -o json
assert_rc 0 "add by e-mail"
assert_jq "$OUT" '.contact_id' "$NORA"
op notes add "$OLAF" "Olaf's only note" -o json
assert_rc 0

op notes list "$NORA" -o json
assert_rc 0 "list"
assert_jq "$OUT" 'length' 2
assert_jq "$OUT" '[.[].data] | join("|")' "First call: wants a quote|Quote sent"
assert_jq "$OUT" '.[0].id' "$N1"
assert_jq "$OUT" '.[0].time | tonumber > 0' true
op notes list olaf@example.com -o json
assert_jq "$OUT" 'length' 1
op notes list nora@example.com --limit 1 -o json
assert_jq "$OUT" 'length' 1
op notes list "$NORA" -o table
assert_contains "$OUT" "Quote sent" "table"

# Past a page: the list streams (60 notes, pages of 50).
for i in $(seq 1 60); do printf 'objectID=12&contact_id=%s&data=bulk+%s\n' "$OLAF" "$i"; done >"$TMP/bulk"
while read -r body; do
	curl -s -o /dev/null -H "Api-Appid: $SBX_APP" -H "Api-Key: $SBX_KEY" -X POST --data "$body" "$SBX_URL/objects"
done <"$TMP/bulk"
op notes list "$OLAF" -o json
assert_jq "$OUT" 'length' 61

# Another object type: notes are kept by object_type_id as well as the id.
op objects create --type tags tag_name=Noted -o json
TAG=$(printf '%s' "$OUT" | jq -r .tag_id)
op notes add --type tags "$TAG" "about the tag" -o json
assert_rc 0 "a note on a tag"
assert_jq "$OUT" '.object_type_id' 14
op notes list --type tags "$TAG" -o json
assert_jq "$OUT" 'length' 1
op notes list "$TAG" -o json
assert_jq "$OUT" '[.[] | select(.data == "about the tag")] | length' 0

# The wire: POST /Notes (form) and the documented condition on GET /Notes.
op api POST /Notes -d contact_id="$NORA" -d data="from the wire" -d time=4102444800
assert_rc 0
assert_jq "$OUT" '.data.data' "from the wire"
assert_jq "$OUT" '.data.time' 4102444800
op api GET /Notes -q 'condition=[{"field":{"field":"contact_id"},"op":"=","value":{"value":"'"$NORA"'"}}]' -q sort=time -q sortDir=desc
assert_rc 0
assert_jq "$OUT" '[.data[] | select(.object_type_id == "0")] | length' 3
assert_jq "$OUT" '[.data[] | select(.object_type_id == "0")][0].data' "from the wire"
op api POST /Notes -d data="no contact" --retries 0
assert_rc 5 "contact_id is required"
assert_contains "$ERR" "contact_id"

# Bad input: nothing is sent.
before=$(requests_seen)
op notes add "$NORA" "" --retries 0
assert_rc 2 "empty text"
assert_contains "$ERR" "empty note"
assert_one_line "$(printf '%s' "$ERR" | grep -v "^Run 'ontraport")"
op notes add --type tags abc "x" --retries 0
assert_rc 2 "a name where an id is needed"
assert_one_line "$(printf '%s' "$ERR" | grep -v "^Run 'ontraport")"
op notes list 0 --retries 0
assert_rc 2 "id 0"
assert_eq "$(requests_seen)" "$before" "nothing was sent"
op notes add 99999 "to nobody" --retries 0
assert_rc 4 "no such contact"
assert_one_line "$ERR"
op notes add nobody@example.com "to nobody" --retries 0
assert_rc 4 "no contact with that e-mail"
assert_contains "$ERR" "no contact with e-mail 'nobody@example.com'"
op notes list "$NORA" -o json
assert_jq "$OUT" 'length' 3
finish
