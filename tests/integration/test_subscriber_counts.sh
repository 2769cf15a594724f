#!/usr/bin/env bash
# Subscriber counts: a sequence's subscriber_count and an automation's subs
# follow `objects subscribe/unsubscribe`; subs_ever counts each object once and
# never goes down (REFERENCE-MORE §M7 emulator rules, docs/sandbox.md).
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

ids=()
for n in 1 2 3; do
	op objects create firstname="S$n" email="s$n@example.com" -o json
	ids+=("$(printf '%s' "$OUT" | jq -r .id)")
done

seq_count() {
	op sequences list -o json
	assert_rc 0 "sequences list"
	printf '%s' "$OUT" | jq -r --arg id "$1" '.[] | select(.id == $id) | .subscriber_count'
}
camp_field() {
	op campaigns list -o json
	assert_rc 0 "campaigns list"
	printf '%s' "$OUT" | jq -r --arg id "$1" --arg f "$2" '.[] | select(.id == $id) | .[$f]'
}

op sequences list -o json
SEQ=$(printf '%s' "$OUT" | jq -r '.[0].id')
OTHER_SEQ=$(printf '%s' "$OUT" | jq -r '.[1].id')
op campaigns list -o json
CAMP=$(printf '%s' "$OUT" | jq -r '.[0].id')
[ -n "$SEQ" ] && [ "$SEQ" != null ] || fail "no sequence in the sandbox"
[ -n "$CAMP" ] && [ "$CAMP" != null ] || fail "no campaign in the sandbox"

assert_eq "$(seq_count "$SEQ")" 0 "a new sequence has no subscribers"
op objects subscribe --sequence "$SEQ" "${ids[0]}" "${ids[1]}"
assert_rc 0 "subscribe two"
assert_eq "$(seq_count "$SEQ")" 2 "two subscribed"
assert_eq "$(seq_count "$OTHER_SEQ")" 0 "the other sequence is untouched"
op objects subscribe --sequence "$SEQ" "${ids[0]}"
assert_eq "$(seq_count "$SEQ")" 2 "subscribing a member again counts once"
op objects unsubscribe --sequence "$SEQ" "${ids[0]}"
assert_rc 0 "unsubscribe one"
assert_eq "$(seq_count "$SEQ")" 1 "one left"
op objects unsubscribe --sequence "$SEQ" "${ids[2]}"
assert_eq "$(seq_count "$SEQ")" 1 "unsubscribing a non-member changes nothing"

assert_eq "$(camp_field "$CAMP" subs)" 0 "a new automation has no subscribers"
op objects subscribe --campaign "$CAMP" "${ids[0]}" "${ids[1]}" "${ids[2]}"
assert_rc 0 "subscribe three"
assert_eq "$(camp_field "$CAMP" subs)" 3 "three subscribed"
assert_eq "$(camp_field "$CAMP" subs_ever)" 3 "three ever"
op objects unsubscribe --campaign "$CAMP" "${ids[0]}" "${ids[1]}"
assert_eq "$(camp_field "$CAMP" subs)" 1 "one left"
assert_eq "$(camp_field "$CAMP" subs_ever)" 3 "ever does not go down"
op objects subscribe --campaign "$CAMP" "${ids[0]}"
assert_eq "$(camp_field "$CAMP" subs)" 2 "back again"
assert_eq "$(camp_field "$CAMP" subs_ever)" 3 "a returning object is not counted twice in ever"

# The raw API agrees (sub_type=Sequence on /objects/subscribe, then DELETE).
op api PUT /objects/subscribe -d objectID=0 -d ids="${ids[2]}" -d add_list="$SEQ" -d sub_type=Sequence
assert_rc 0
assert_eq "$(seq_count "$SEQ")" 2 "the wire call counts too"
op api DELETE /objects/subscribe -d objectID=0 -d ids="${ids[2]}" -d remove_list="$SEQ" -d sub_type=Sequence
assert_rc 0
assert_eq "$(seq_count "$SEQ")" 1 "and its removal"

# A refused call changes no count.
op objects subscribe --campaign 999 "${ids[0]}" --retries 0
[ "$RC" -ne 0 ] || fail "subscribing to a missing automation should fail"
assert_eq "$(camp_field "$CAMP" subs)" 2 "unchanged after a refused call"
# Other writes that change membership: a created object that names its
# sequences, an update of updateSequence, and a delete.
op objects create firstname=S4 email=s4@example.com updateSequence="*/*$SEQ*/*" -o json
assert_rc 0 "create in a sequence"
S4=$(printf '%s' "$OUT" | jq -r .id)
assert_eq "$(seq_count "$SEQ")" 2 "a create that names the sequence counts"
op api PUT /objects -d objectID=0 -d id="${ids[1]}" -d updateSequence=""
assert_rc 0 "update the list"
assert_eq "$(seq_count "$SEQ")" 1 "an update that empties the list counts"
op objects delete "$S4"
assert_rc 0 "delete a member"
assert_eq "$(seq_count "$SEQ")" 0 "a deleted member is no longer counted"
op objects delete "${ids[0]}"
assert_eq "$(camp_field "$CAMP" subs)" 1 "deleting an automation member too"
assert_eq "$(camp_field "$CAMP" subs_ever)" 3 "and ever stays"
finish
