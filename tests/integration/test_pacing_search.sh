#!/usr/bin/env bash
# A search of 20,000 contacts against the sandbox at 180 requests per 6 s
# (Ontraport's limit, a minute compressed tenfold): 402 requests, paced from
# the rate-limit headers, not one 429. How close it comes to the least time
# the limit allows is a benchmark (bench/bulk.sh), not checked here.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit "180/$((6 * ${ONTRA_TEST_TIME_SCALE:-1}))s"
control POST "seed/contacts?count=20000" >/dev/null
op objects search -o ndjson
assert_rc 0 "search of 20,000"
assert_eq "$(printf '%s\n' "$OUT" | wc -l)" 20000 "every contact"
assert_eq "$(printf '%s\n' "$OUT" | jq -r .id | sort -u | wc -l)" 20000 "no duplicates"
assert_eq "$(control GET stats | jq -r .rate_limited)" 0 "429s"
CHECKS=$((CHECKS + 1))
[ "$(control GET stats | jq -r .requests)" -gt 180 ] || fail "the search did not go past one window"
finish
