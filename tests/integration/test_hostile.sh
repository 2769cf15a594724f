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

# The receiver (ontraport watch --no-subscribe accepts any JSON or form body):
# only the battery's well-formed probes (one after each case) are stored.
start_watch rcv --no-subscribe
run python3 "$(dirname "$0")/hostile.py" receiver "$WATCH_URL"
assert_rc 0 "hostile battery against the receiver: $OUT"
printf '%s\n' "$OUT" | tail -1
ncases=$(printf '%s\n' "$OUT" | sed -n 's/^hostile: \([0-9]*\) cases.*/\1/p')
stop_watch rcv
op events list --db "$TMP/rcv.db" -o json
assert_jq "$OUT" 'length' "$ncases"
finish
