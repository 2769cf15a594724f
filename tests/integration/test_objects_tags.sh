#!/usr/bin/env bash
# Tags (by name and by id), list with tag, untag; sequences and campaigns.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

ids=()
for n in 1 2 3; do
	op objects create firstname="T$n" email="t$n@example.com" -o json
	ids+=("$(printf '%s' "$OUT" | jq -r .id)")
done

# By name: a tag that does not exist is created.
op tags list -o json
assert_jq "$OUT" '[.[] | select(.tag_name == "VIP")] | length' 0
op objects tag --tag VIP --tag Webinar "${ids[0]}" "${ids[1]}"
assert_rc 0 "tag by name"
op tags list -o json
assert_jq "$OUT" '[.[] | select(.tag_name == "VIP")] | length' 1
VIP=$(printf '%s' "$OUT" | jq -r '.[] | select(.tag_name == "VIP") | .tag_id')
WEB=$(printf '%s' "$OUT" | jq -r '.[] | select(.tag_name == "Webinar") | .tag_id')

op objects with-tag --tag VIP -o json
assert_rc 0 "with-tag by name"
assert_jq "$OUT" '[.[].id] | sort | join(",")' "$(printf '%s\n' "${ids[0]}" "${ids[1]}" | sort | paste -sd,)"
op objects with-tag --tag "$WEB" -o json
assert_rc 0 "with-tag by id"
assert_jq "$OUT" 'length' 2
op objects with-tag --tag VIP --search t1@ -o json
assert_jq "$OUT" 'length' 1
op objects with-tag --tag VIP --limit 1 -o json
assert_jq "$OUT" 'length' 1

# By id.
op objects tag --tag "$VIP" "${ids[2]}"
assert_rc 0 "tag by id"
op objects with-tag --tag VIP -o json
assert_jq "$OUT" 'length' 3
op objects get "${ids[2]}" -o json
assert_contains "$(printf '%s' "$OUT" | jq -r .contact_cat)" "*/*$VIP*/*" "contact_cat"

# Untag by name and by id.
op objects untag --tag VIP "${ids[0]}"
assert_rc 0 "untag by name"
op objects untag --tag "$WEB" "${ids[1]}"
assert_rc 0 "untag by id"
op objects with-tag --tag VIP -o json
assert_jq "$OUT" 'length' 2
op objects with-tag --tag Webinar -o json
assert_jq "$OUT" '[.[].id] | join(",")' "${ids[0]}"

# Untagging with a tag that does not exist: not found, before anything changes.
before=$(control GET "requests?limit=1000" | jq '[.[] | select(.method != "GET")] | length')
op objects untag --tag NoSuchTag "${ids[0]}"
assert_rc 4 "untag unknown name"
assert_contains "$ERR" "no tag named 'NoSuchTag'"
assert_one_line "$ERR"
op objects untag --tag 999999 "${ids[0]}"
assert_rc 4 "untag unknown id"
assert_one_line "$ERR"
after=$(control GET "requests?limit=1000" | jq '[.[] | select(.method != "GET")] | length')
assert_eq "$after" "$before" "no write was sent"
op objects with-tag --tag Webinar -o json
assert_jq "$OUT" 'length' 1

# Sequences and campaigns (the sandbox starts with two of each).
op sequences list -o json
assert_rc 0
SEQ=$(printf '%s' "$OUT" | jq -r '.[0].id')
op campaigns list -o json
assert_rc 0
CAMP=$(printf '%s' "$OUT" | jq -r '.[0].id')
[ -n "$SEQ" ] && [ "$SEQ" != null ] || fail "no sequence in the sandbox"
[ -n "$CAMP" ] && [ "$CAMP" != null ] || fail "no campaign in the sandbox"

op objects subscribe --sequence "$SEQ" "${ids[0]}" "${ids[1]}"
assert_rc 0 "add to sequence"
op objects get "${ids[0]}" -o json
assert_contains "$(printf '%s' "$OUT" | jq -r .updateSequence)" "*/*$SEQ*/*" "in the sequence"
op objects unsubscribe --sequence "$SEQ" "${ids[0]}"
assert_rc 0 "remove from sequence"
op objects get "${ids[0]}" -o json
assert_not_contains "$(printf '%s' "$OUT" | jq -r .updateSequence)" "*/*$SEQ*/*" "out of the sequence"
op objects get "${ids[1]}" -o json
assert_contains "$(printf '%s' "$OUT" | jq -r .updateSequence)" "*/*$SEQ*/*" "the other stays"

op objects subscribe --campaign "$CAMP" "${ids[2]}"
assert_rc 0 "add to campaign"
op objects get "${ids[2]}" -o json
assert_contains "$(printf '%s' "$OUT" | jq -r .updateCampaign)" "*/*$CAMP*/*" "in the campaign"
op objects unsubscribe --campaign "$CAMP" "${ids[2]}"
assert_rc 0 "remove from campaign"
op objects get "${ids[2]}" -o json
assert_not_contains "$(printf '%s' "$OUT" | jq -r .updateCampaign)" "*/*$CAMP*/*" "out of the campaign"

# By name: the library resolves a sequence's or campaign's name to its id (one search).
op sequences list -o json
SEQ_NAME=$(printf '%s' "$OUT" | jq -r --arg id "$SEQ" '.[] | select(.id == $id) | .name')
op objects subscribe --sequence "$SEQ_NAME" "${ids[2]}"
assert_rc 0 "add to a sequence by name"
op objects get "${ids[2]}" -o json
assert_contains "$(printf '%s' "$OUT" | jq -r .updateSequence)" "*/*$SEQ*/*" "in the sequence named"
op objects unsubscribe --sequence "$SEQ_NAME" "${ids[2]}"
assert_rc 0 "remove from a sequence by name"
op objects subscribe --campaign "No Such Automation" "${ids[2]}"
assert_rc 4 "an unknown campaign name"
assert_contains "$ERR" "no campaign named 'No Such Automation'"
assert_one_line "$ERR"
op objects subscribe --sequence 0 "${ids[2]}"
assert_rc 2 "sequence 0 is an id, not a name"

# The wire: tag and subscribe calls answer with the API's "being processed" strings.
op api PUT /objects/tag -d objectID=0 -d ids="${ids[0]}" -d add_list="$VIP"
assert_jq "$OUT" '.data' "The tag is now being processed."
op api PUT /objects/subscribe -d objectID=0 -d ids="${ids[0]}" -d add_list="$SEQ" -d sub_type=Sequence
assert_jq "$OUT" '.data' "The subscription is now being processed."

op forms list -o json
assert_rc 0 "forms list"
assert_jq "$OUT" 'length > 0' true

finish
