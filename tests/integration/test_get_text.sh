#!/usr/bin/env bash
# `objects get -o json|ndjson` writes each record from the server's text (a
# checking scan, no tree: issue 17 §7); the bytes are those the parsed path
# writes (`objects search` of the same records), escapes and non-ASCII
# included, and an answer that is not JSON is still refused, with the same
# message and exit status as the parsed path gives (-o csv). `api` too.
. "$(dirname "$0")/lib.sh"
start_sandbox

op --retries 0 objects create 'firstname=Zoë / "q" \ é 😀 <x>' lastname=$'tab\there' email=z@example.com -o json
assert_rc 0 "create a contact with escapes"
A=$(printf '%s' "$OUT" | jq -r .id)
op --retries 0 objects create firstname=Al lastname=B email=al@example.com -o json
B=$(printf '%s' "$OUT" | jq -r .id)

for fmt in json ndjson; do
	op --retries 0 objects search -o $fmt
	assert_rc 0 "search -o $fmt"
	want=$OUT
	op --retries 0 objects get "$A" "$B" -o $fmt
	assert_rc 0 "get of two -o $fmt"
	assert_eq "$OUT" "$want" "get of two -o $fmt, against search"
done
op --retries 0 objects get "$A" -o json
assert_eq "$OUT" "$(printf '%s' "$OUT" | jq .)" "one record -o json, laid out as jq does"
assert_jq "$OUT" .firstname 'Zoë / "q" \ é 😀 <x>'
op --retries 0 objects get "$A" -o ndjson
assert_eq "$OUT" "$(printf '%s' "$OUT" | jq -c .)" "one record -o ndjson"

# `api` writes the whole answer from its text too, laid out as before.
op --retries 0 api GET /object -q objectID=0 -q id="$A" -o json
assert_rc 0 "api GET -o json"
assert_eq "$OUT" "$(printf '%s' "$OUT" | jq .)" "api -o json, laid out as jq does"
api_data=$(printf '%s' "$OUT" | jq -c .data)
op --retries 0 objects get "$A" -o ndjson
assert_eq "$api_data" "$OUT" "api's data is the record objects get writes"
op --retries 0 api GET /object -q objectID=0 -q id="$A" -o ndjson
assert_eq "$OUT" "$(printf '%s' "$OUT" | jq -c .)" "api -o ndjson"

# Refusals: a garbled answer, and a record that is not there.
control POST 'faults?fault=malformed,method=GET,path=/1/object,count=1' >/dev/null
op --retries 0 objects get "$A" -o csv
assert_rc 9 "malformed answer, parsed path"
want=$ERR
control POST 'faults?fault=malformed,method=GET,path=/1/object,count=1' >/dev/null
op --retries 0 objects get "$A" "$B" -o ndjson
assert_rc 9 "malformed answer, text path"
assert_eq "$ERR" "$want" "the same message"
assert_eq "$OUT" "" "nothing on stdout"
op --retries 0 objects get "$B" 999 -o json
assert_rc 4 "a record that is not there"
assert_contains "$ERR" "404" "404 named"
assert_jq "$OUT" '.[0].firstname' Al
finish
