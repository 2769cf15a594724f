#!/usr/bin/env bash
# Hostile input battery against the sandbox (and, in test_watch_hostile, the
# receiver): malformed HTTP, oversized and deeply nested bodies, SQL in every
# parameter, traversal paths, bad encodings. Each gets its 4xx (or the
# connection is cut), the error is one line, the server keeps serving, and
# the data is unchanged. Under the ASan build any memory error in the sandbox
# makes its exit status non-zero, which stop_sandbox checks.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s
op objects create firstname=Kept email=kept@example.com
run python3 "$(dirname "$0")/hostile.py" sandbox "$SBX_URL" "$SBX_APP" "$SBX_KEY"
assert_rc 0 "hostile battery: $OUT"
printf '%s\n' "$OUT" | tail -1
op objects get 1 -o json
assert_jq "$OUT" '.email' kept@example.com
finish
