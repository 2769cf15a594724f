#!/usr/bin/env bash
# Visible waits (issue 17 §5): when the client's own pacing holds a request for
# a second or more (not only after a 429), a command on a terminal says how
# long and why on stderr; --quiet hides it, and so does stderr not being a
# terminal. Through a pseudo-terminal (script(1)) against a sandbox whose
# limit is 3 requests per W seconds: the fourth `objects get` waits.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "script(1) is missing (bsdutils)" >&2; exit 1; }
W=$((3 * ${ONTRA_TEST_TIME_SCALE:-1}))
start_sandbox --rate-limit "3/${W}s"

# afresh: an empty rate window (the sandbox's reset) and four contacts, ids 1 to 4.
afresh() {
	control POST reset >/dev/null
	control POST "seed/contacts?count=4" >/dev/null
}

# on_tty ARGS...: `ontraport ARGS` in a pty; $OUT is what the terminal showed, $RC its status.
on_tty() {
	local cmd
	printf -v cmd '%q ' "$OP" "$@"
	OUT=$(script -qec "$cmd" /dev/null 2>&1 </dev/null | tr -d '\r') && RC=0 || RC=$?
	# script(1) does not pass the status on everywhere: the records tell success.
}

afresh
on_tty objects get 1 2 3 4 -o ndjson
assert_contains "$OUT" "ontraport: waiting " "a pacing hold on a terminal"
assert_contains "$OUT" " s for the rate limit: 3 requests were sent in the last ${W} s; the limit is 3" \
	"the line says how long and why"
assert_eq "$(printf '%s\n' "$OUT" | grep -c '"id"')" 4 "all four records, the fourth after the wait"
assert_eq "$(control GET stats | jq -r .rate_limited)" 0 "held by the pacer: no 429 was needed"

assert_eq "$(control GET stats | jq -r .requests)" 4 "four requests: the records only"

afresh
T0=$(date +%s%N)
on_tty --quiet objects get 1 2 3 4 -o ndjson
HELD=$((($(date +%s%N) - T0) / 1000000))
assert_eq "$((HELD >= 1000))" 1 "--quiet: held as long (${HELD} ms), only silent"
assert_not_contains "$OUT" "waiting" "--quiet"
assert_eq "$(printf '%s\n' "$OUT" | grep -c '"id"')" 4 "--quiet: all four records"

afresh
op objects get 1 2 3 4 -o ndjson
assert_rc 0 "not on a terminal"
assert_not_contains "$ERR" "waiting" "stderr not a terminal"
assert_eq "$(control GET stats | jq -r .rate_limited)" 0 "no 429"

finish
