#!/usr/bin/env bash
# Resilience: the CLI (through libontraport) against a sandbox that injects
# the failures of real networks and servers -- 5xx, 429, dropped connections
# before and after the work is done, truncated and malformed bodies, latency.
# Safe requests are retried until they succeed; a create whose answer was
# lost is never repeated.
. "$(dirname "$0")/lib.sh"

# Bad fault specs are usage errors, before anything listens.
op sandbox --port 0 --db :memory: --fault 'status=5000'
assert_rc 2 "bad --fault"
assert_contains "$ERR" "expected an HTTP status"
assert_one_line "$(printf '%s' "$ERR" | head -1)"

start_sandbox --rate-limit 100000/60s --fault-seed 12345
fault() { control POST faults --data-urlencode "fault=$1" >/dev/null; }
clear_faults() { control DELETE faults >/dev/null; }
hits() { control GET faults | jq '[.[].hits] | add // 0'; }
count_email() {
	"$OP" objects search --where "email = '$1'" --count -o json | jq -r .count
}

run control POST faults --data-urlencode "fault=drop=sideways"
assert_contains "$OUT" "expected before or after" "control API refuses a bad fault"

# 1. A search of 2,000 contacts (40 pages) through every kind of failure.
control POST "seed/contacts?count=2000" >/dev/null
for f in 'status=500,path=/1/objects,p=0.08' 'status=503,path=/1/objects,p=0.04' \
	'status=429,path=/1/objects,p=0.03' 'drop=before,path=/1/objects,p=0.03' \
	'drop=after,path=/1/objects,p=0.03' 'truncate,path=/1/objects,p=0.03' \
	'malformed,path=/1/objects,p=0.03'; do
	fault "$f"
done
op --retries 12 objects search -o ndjson
assert_rc 0 "search through faults"
assert_eq "$(printf '%s\n' "$OUT" | wc -l)" 2000 "every contact"
assert_eq "$(printf '%s\n' "$OUT" | jq -r .id | sort -u | wc -l)" 2000 "no duplicates, no gaps"
h=$(hits)
CHECKS=$((CHECKS + 1))
[ "$h" -ge 3 ] || fail "only $h faults fired: the test did not test much"
echo "search: $h faults injected and survived"
clear_faults

# 2. Tag 500 contacts by name, and list them, through 5xx and lost answers.
ids=$("$OP" objects search --limit 500 --fields id -o json | jq -r '[.[].id] | join(" ")')
fault 'status=503,path=/1/objects/tag*,count=2'
fault 'drop=after,path=/1/objects/tag*,count=1'
fault 'status=500,path=/1/objects/tag,method=GET,p=0.2'
# shellcheck disable=SC2086
op --retries 8 objects tag --tag Bulk $ids
assert_rc 0 "bulk tag through faults"
op --retries 8 objects with-tag --tag Bulk -o ndjson
assert_rc 0 "with-tag through faults"
assert_eq "$(printf '%s\n' "$OUT" | jq -r .id | sort -u | wc -l)" 500 "all 500 tagged"
clear_faults

# 3. A create whose answer is lost is not repeated: exactly one contact, exit 10.
fault 'drop=after,method=POST,path=/1/objects,count=1'
op objects create firstname=Once email=once@example.com
assert_rc 10 "create with its answer lost"
assert_contains "$ERR" "not repeated"
assert_one_line "$ERR"
assert_eq "$(count_email once@example.com)" 1 "the create happened once"

# ... and one cut before the server did anything is not repeated either (the
# client cannot tell the two apart): no contact.
fault 'drop=before,method=POST,path=/1/objects,count=1'
op objects create firstname=Never email=never@example.com
assert_rc 10 "create cut before it was handled"
assert_eq "$(count_email never@example.com)" 0 "no contact"

# A 503 to a create is reported, not repeated.
fault 'status=503,method=POST,path=/1/objects,count=1'
op objects create firstname=Busy email=busy@example.com
assert_rc 7 "create answered 503"
assert_contains "$ERR" "not repeated"
assert_eq "$(count_email busy@example.com)" 0 "no contact"

# An upsert is safe to repeat: retried after a lost answer, one contact.
fault 'drop=after,method=POST,path=/1/objects/saveorupdate,count=1'
op objects upsert firstname=Safe email=safe@example.com
assert_rc 0 "upsert retried after a lost answer"
assert_eq "$(count_email safe@example.com)" 1 "exactly one contact"

# 4. A slow answer times out and is asked again.
fault 'latency=2500,method=GET,path=/1/object,count=1'
op --timeout 1 objects get 1 -o json
assert_rc 0 "get after a timeout"
assert_jq "$OUT" '.id' 1

# 5. Without retries, each failure has its documented exit status.
fault 'status=500,method=GET,path=/1/object,count=1'
op --retries 0 objects get 1
assert_rc 7 "500 without retries"
fault 'malformed,method=GET,path=/1/object,count=1'
op --retries 0 objects get 1
assert_rc 9 "malformed without retries"
fault 'truncate,method=GET,path=/1/object,count=1'
op --retries 0 objects get 1
assert_rc 8 "truncated without retries"
fault 'status=429,method=GET,path=/1/object,count=2'
op --retries 0 objects get 1
assert_rc 6 "429 without retries"
clear_faults

# A listing that fails says so and prints nothing: an empty answer ("[]",
# "(no results)", a csv header) would read as "there are none".
fault 'status=500,method=GET,path=/1/objects*'
for cmd in "tags list" "objects search" "sequences list" "objects with-tag --tag VIP"; do
	for fmt in json csv ndjson; do
		# shellcheck disable=SC2086
		op --retries 0 $cmd -o $fmt
		assert_rc 7 "$cmd -o $fmt on a 500"
		assert_eq "$OUT" "" "stdout of $cmd -o $fmt on a 500"
		assert_one_line "$ERR"
	done
done
clear_faults
op --retries 0 tags list --base-url http://127.0.0.1:1/1
assert_rc 8 "tags list, nothing listening"
assert_eq "$OUT" "" "stdout of tags list, nothing listening"
op --retries 0 objects get 1 2 --base-url http://127.0.0.1:1/1
assert_rc 8 "objects get of two, nothing listening"
assert_eq "$OUT" "" "stdout of objects get of two, nothing listening"
op tags list -o json
assert_rc 0 "tags list once the faults are gone"
assert_jq "$OUT" 'type' "array"

finish
