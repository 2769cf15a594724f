#!/usr/bin/env bash
# The rolling rate limit: X-Rate-Limit-* on every response, 429 for the 181st
# request in a window, the CLI's exit code for it, and recovery after the window.
. "$(dirname "$0")/lib.sh"
start_sandbox

# 180 requests inside one minute are served...
codes=$(for i in $(seq 1 180); do
	curl -s -o /dev/null -w '%{http_code}\n' -H "Api-Key: $SBX_KEY" -H "Api-Appid: $SBX_APP" "$SBX_URL/Contacts?range=1"
done | sort | uniq -c | awk '{print $2":"$1}' | tr '\n' ' ')
assert_eq "$codes" "200:180 " "first 180 requests"

# ...and the 181st gets a 429 that carries the rate-limit headers.
op api -i GET /Contacts --retries 0
assert_rc 6 "181st request"
assert_contains "$OUT" "HTTP 429"
assert_contains "$OUT" "X-Rate-Limit-Limit: 180"
assert_contains "$OUT" "X-Rate-Limit-Remaining: 0"
assert_contains "$OUT" "X-Rate-Limit-Reset:"
assert_contains "$OUT" "Too Many Requests - You have exceeded your maximum rate limit of 180 requests per minute."
assert_contains "$ERR" "429"
assert_one_line "$ERR"
reset=$(printf '%s\n' "$OUT" | sed -n 's/^X-Rate-Limit-Reset: //p' | tr -d '\r')
[ "$reset" -ge 1 ] && [ "$reset" -le 60 ] || fail "reset '$reset' should be 1..60 seconds"
assert_eq "$(control GET stats | jq -r '.rate_limited')" 1 "one request was rate limited"
stop_sandbox

# A compressed window: 5 per 2 s (longer when the run is slowed, e.g. under
# valgrind: ONTRA_TEST_TIME_SCALE). Remaining counts down; the window frees up again.
# Under valgrind six process starts take seconds each, so the window grows faster than the scale.
W=$((2 * ${ONTRA_TEST_TIME_SCALE:-1} * ${ONTRA_TEST_TIME_SCALE:-1}))
start_sandbox --rate-limit "5/${W}s"
for i in 1 2 3 4 5; do
	op api -i GET /Contacts -q range=1
	assert_rc 0 "request $i of 5"
	assert_contains "$OUT" "X-Rate-Limit-Remaining: $((5 - i))"
done
op api GET /Contacts --retries 0
assert_rc 6 "sixth request in the window"
# With retries (the default), the client waits for the window and succeeds.
op api -i GET /Contacts -v
assert_rc 0 "a 429 is waited out and retried"
assert_contains "$ERR" "retry 1/5"
assert_contains "$ERR" "429"
sleep "$W.2"
op api -i GET /Contacts
assert_rc 0 "after the window"
assert_eq "$(control GET stats | jq -r '.rate_limited')" 2 "429s seen by the sandbox"
assert_contains "$OUT" "X-Rate-Limit-Limit: 5"

finish
