#!/usr/bin/env bash
# "Make an API call": any method and path, headers, query and body, auth added.
. "$(dirname "$0")/lib.sh"
start_sandbox

op api GET /Contacts
assert_rc 0 "GET /Contacts"
assert_jq "$OUT" '.code' 0
assert_jq "$OUT" '.account_id | type' number
assert_jq "$OUT" '.data | type' array
assert_jq "$OUT" '.misc' '[]'

# The seed's example, written as the docs write it (/1/Messages).
op api GET /1/Messages
assert_rc 0 "GET /1/Messages"
assert_jq "$OUT" '.code' 0
assert_jq "$OUT" '.data | type' array

# Create with a JSON body, read back with a query string.
op api POST /objects --json '{"objectID":0,"firstname":"Mary","lastname":"Smith","email":"mary@example.com"}'
assert_rc 0 "POST /objects json"
ID=$(printf '%s' "$OUT" | jq -r .data.id)
assert_jq "$OUT" '.data.firstname' Mary
op api GET /object -q objectID=0 -q id="$ID"
assert_rc 0 "GET /object"
assert_jq "$OUT" '.data.email' mary@example.com
assert_jq "$OUT" '.data.id' "$ID"

# A form body with -d; values with spaces and symbols are encoded.
op api POST /Contacts -d firstname='Ann Marie' -d lastname="O'Neil & Co" -d email=ann@example.com
assert_rc 0 "POST /Contacts form"
ID2=$(printf '%s' "$OUT" | jq -r .data.id)
op api GET /Contact -q id="$ID2"
assert_jq "$OUT" '.data.firstname' 'Ann Marie'
assert_jq "$OUT" '.data.lastname' "O'Neil & Co"

# --json @file and @- (stdin)
printf '{"objectID":0,"firstname":"Filed"}' >"$TMP/body.json"
op api POST /objects --json @"$TMP/body.json"
assert_rc 0 "--json @file"
assert_jq "$OUT" '.data.firstname' Filed
run bash -c "printf '{\"objectID\":0,\"firstname\":\"Piped\"}' | '$OP' api POST /objects --json @-"
assert_rc 0 "--json @-"
assert_jq "$OUT" '.data.firstname' Piped

# -i prints status and headers (the rate-limit headers among them) before the body.
op api -i GET /Contacts -q range=1
assert_rc 0
assert_contains "$OUT" "HTTP 200"
assert_contains "$OUT" "X-Rate-Limit-Limit: 180"
assert_contains "$OUT" "X-Rate-Limit-Remaining:"

# Table and csv output show the envelope's data as rows.
op api GET /Contacts -o csv
assert_rc 0
assert_contains "$OUT" "firstname"
assert_contains "$OUT" "Ann Marie"
op api GET /Contacts -o table
assert_contains "$OUT" "Mary"

# Extra headers are sent; the caller cannot replace the auth headers.
op api GET /Contacts -H 'X-Trace: abc' -H 'Api-Key: stolen'
assert_rc 0 "custom header, auth header kept"

# Errors from the server: the body on stdout, one line on stderr, the mapped exit code.
op api GET /object -q objectID=0 -q id=999999
assert_rc 4 "missing object"
assert_one_line "$ERR"
assert_contains "$ERR" "404"
op api GET /nonexistent/path
assert_rc 4 "unknown path"
op api POST /objects --json '{"objectID":0,"email":"not-an-email"}'
assert_rc 5 "invalid email -> 422"
assert_contains "$ERR" "422"
op api GET /objects
assert_rc 5 "missing objectID -> 400"
# 403 (a type that does not take the verb) is not a credentials problem: its own code.
op api POST /Tasks -d subject=Call --retries 0
assert_rc 11 "POST of a task -> 403"
assert_contains "$ERR" "403"
op objects create --type tasks subject=Call --retries 0
assert_rc 11 "objects create of a task -> 403"
# PATCH: the API takes GET, POST, PUT and DELETE; the sandbox answers 403 as for a
# verb a type does not take (UNCONFIRMED, docs/sandbox.md); nothing is changed.
op api PATCH /objects --json '{"objectID":0,"id":1,"firstname":"Patched"}' --retries 0
assert_rc 11 "PATCH -> 403"
assert_one_line "$ERR"
assert_contains "$ERR" "the server answered 403 to PATCH: the Ontraport API takes GET, POST, PUT and DELETE"
assert_contains "$OUT" "Forbidden: the API does not take PATCH (/1/objects takes GET, POST, PUT, DELETE)"
op api GET /object -q objectID=0 -q id=1
assert_not_contains "$OUT" "Patched" "the record after a PATCH"
op api PATCH /nonexistent/path --retries 0
assert_rc 4 "PATCH of an unknown path -> 404"
op api PUT /objects/meta --retries 0
assert_rc 5 "PUT where the path takes GET -> 405, as before"
# A wrong key pair is still exit 3.
ONTRAPORT_API_KEY=wrong op api GET /Contacts --retries 0
assert_rc 3 "wrong key -> 401"

finish
