#!/usr/bin/env bash
# A file-backed sandbox keeps its data across a restart; the control API resets it.
. "$(dirname "$0")/lib.sh"
SBX_DB="$TMP/sandbox.db"
start_sandbox

op api POST /objects --json '{"objectID":0,"firstname":"Persist","email":"persist@example.com"}'
assert_rc 0 "create"
ID=$(printf '%s' "$OUT" | jq -r .data.id)
stop_sandbox

start_sandbox
op api GET /object -q objectID=0 -q id="$ID"
assert_rc 0 "read after restart"
assert_jq "$OUT" '.data.firstname' Persist
assert_jq "$OUT" '.data.email' persist@example.com

# The control API is not reachable with the Ontraport credentials alone.
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Api-Key: $SBX_KEY" -H "Api-Appid: $SBX_APP" "$SBX_ROOT/_sandbox/reset")
assert_eq "$code" 401 "control API without its token"
op api GET /object -q objectID=0 -q id="$ID"
assert_rc 0 "data still there"

control POST reset >/dev/null
op api GET /object -q objectID=0 -q id="$ID"
assert_rc 4 "gone after reset"
stop_sandbox

# An in-memory sandbox starts empty every time.
SBX_DB=":memory:"
start_sandbox
op api GET /object -q objectID=0 -q id="$ID"
assert_rc 4 "memory sandbox starts empty"

finish
