#!/usr/bin/env bash
# Requests per command (issue 13 §3): built-in object types (contacts, tags, messages, ...) map
# name <-> id without the 23 KB metadata request; custom object types still fetch it.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

# count CMD...: runs `ontraport CMD...` and sets N to the number of API requests it made.
count() {
	local before
	before=$(requests_seen)
	op "$@"
	N=$(($(requests_seen) - before))
}

op objects create firstname=Ann email=ann@example.com -o json
ID=$(printf '%s' "$OUT" | jq -r .id)

count objects get "$ID" -o json
assert_rc 0 "objects get"
assert_jq "$OUT" .firstname Ann
assert_eq "$N" 1 "objects get of a contact: the record only, no metadata"
count objects get --type contacts "$ID" -o json
assert_eq "$N" 1 "objects get --type contacts"
count objects get --type 0 "$ID" -o json
assert_eq "$N" 1 "objects get --type 0"

op objects tag --tag Seen "$ID"
assert_rc 0 "tag by name"
count objects untag --tag Seen "$ID"
assert_rc 0 "untag by name"
assert_eq "$N" 2 "untag by name: the tag looked up once, then the DELETE"
count objects tag --tag Seen "$ID"
assert_rc 0 "tag by name"
assert_eq "$N" 1 "tag by name: the PUT only"
op tags list -o json
SEEN=$(printf '%s' "$OUT" | jq -r '.[] | select(.tag_name == "Seen") | .tag_id')
count objects untag --tag "$SEEN" "$ID"
assert_rc 0 "untag by id"
assert_eq "$N" 2 "untag by id: the tag read once (it must exist), then the DELETE"

count objects get --type tags 999999 -o json --retries 0
assert_rc 4 "a missing tag"
assert_eq "$N" 1 "a missing record of a built-in type: one request"

op messages create --type sms --name Reminder --sms-content 'See you at 5' -o json
assert_rc 0 "messages create"
MID=$(printf '%s' "$OUT" | jq -r .id)
count messages get "$MID" -o json
assert_rc 0 "messages get"
assert_eq "$N" 1 "messages get: the message only"
count objects get --type messages "$MID" -o json
assert_rc 0 "objects get --type messages"
assert_eq "$N" 1 "objects get --type messages: the record only"

# Fields checked: creating a contact needs the contact fields (metadata), read from the disk
# cache that the first create wrote (issue 17 §4); --refresh fetches them again.
count objects create firstname=Bob -o json
assert_rc 0 "create"
assert_eq "$N" 1 "create checks fields from the cache: the POST only"
count --refresh objects create firstname=Bob -o json
assert_rc 0 "create --refresh"
assert_eq "$N" 2 "create --refresh: metadata, then the POST"

# A custom object type is known from the metadata only.
count objects get --type 99999 1 --retries 0
assert_rc 4 "an unknown type number"
assert_contains "$ERR" "unknown object type 99999"
assert_eq "$N" 1 "an unknown type number: the metadata (fetched again: the cached copy lacks it), nothing else"
count objects get --type widgets 1 --retries 0
assert_rc 4 "an unknown type name"
assert_eq "$N" 1 "an unknown type name: the metadata, nothing else"

finish
