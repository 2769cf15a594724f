#!/usr/bin/env bash
# Bulk work under the rate limit: with the sandbox at 180 requests per 6 s
# (Ontraport's 180 a minute, compressed tenfold), export N contacts (default
# 20,000) with `ontraport objects search -o ndjson`, tag M of them (default
# 5,000) and list the tagged; each job's time against the least the limit
# allows, and the 429s. Quick: 10,000 and 1,000 at 180 per 2 s.
#
# The least time: a job of R requests under L per rolling window W, starting
# on an empty window, needs at least floor((R - 1) / L) * W seconds: request k
# cannot go before request k - L has left the window, so the first L go at
# once, the next L one window later, and so on. Target: no 429, within 10%.
. "$(dirname "$0")/lib.sh"

if [ "$QUICK" = 1 ]; then n=${N:-10000} m=${M:-1000} window=${WINDOW:-2}; else
	n=${N:-20000} m=${M:-5000} window=${WINDOW:-6}; fi
limit=180
start_sandbox --rate-limit "$limit/${window}s"
seed_to "$n"

declare -A T Q L R429
# job NAME CMD...: REPEAT runs, each from an empty window; records time, requests, least time, 429s.
job() {
	local name=$1 i secs=() s0 s1 reqs=0 r429=0
	shift
	for i in $(seq "$REPEAT"); do
		sleep "$window" # an empty window, as the formula assumes
		s0=$(control GET stats)
		timeit "$@" >"$WORK/out" 2>"$WORK/err" || bench_die "'$*' failed: $(head -c 500 "$WORK/err")"
		s1=$(control GET stats)
		secs+=("$wall")
		reqs=$(($(jq .requests <<<"$s1") - $(jq .requests <<<"$s0")))
		r429=$((r429 + $(jq .rate_limited <<<"$s1") - $(jq .rate_limited <<<"$s0")))
	done
	T[$name]=$(stats "${secs[@]}")
	Q[$name]=$reqs
	L[$name]=$(awk -v r="$reqs" -v l="$limit" -v w="$window" 'BEGIN { printf "%.2f", (r > 0 ? int((r - 1) / l) * w : 0) }')
	R429[$name]=$r429
	log "bulk: $name: $reqs requests, $(fmt_spread "${T[$name]}" %s) s, least ${L[$name]} s, $r429 429s"
}

job export "$OP" objects search -o ndjson
[ "$(wc -l <"$WORK/out")" -eq "$n" ] || bench_die "the export gave $(wc -l <"$WORK/out") lines, expected $n"
head -n "$m" "$WORK/out" | jq -r .id >"$WORK/ids"
# shellcheck disable=SC2046
job tag "$OP" objects tag --tag Bench $(cat "$WORK/ids")
job with-tag "$OP" objects with-tag --tag Bench -o ndjson
[ "$(wc -l <"$WORK/out")" -eq "$m" ] || bench_die "with-tag gave $(wc -l <"$WORK/out") lines, expected $m"
stop_sandbox

row() {
	local name=$1 label=$2 med least r
	med=$(cut -d'|' -f1 <<<"${T[$name]}")
	least=${L[$name]}
	r=$(awk -v s="$med" -v m="$least" 'BEGIN { if (m > 0) printf "%.3f", s / m; else print "–" }')
	printf '| %s | %s | %s s | %s s | %s | %s |\n' "$label" "${Q[$name]}" "$(fmt_spread "${T[$name]}" %s)" \
		"$least" "$r" "${R429[$name]}"
}
exp_ratio=$(awk -v s="$(cut -d'|' -f1 <<<"${T[export]}")" -v m="${L[export]}" 'BEGIN { printf "%.3f", s / m }')
total429=$((R429[export] + R429[tag] + R429[with-tag]))
verdict=$(awk -v r="$exp_ratio" -v z="$total429" 'BEGIN { print (r <= 1.10 && z == 0) ? "met" : "NOT met" }')

cat <<EOF
## 2. Bulk work under the rate limit

\`bench/bulk.sh\`: the sandbox allows $limit requests per ${window} s (Ontraport's 180 a minute, compressed
$((60 / window))-fold so the run takes seconds, not minutes). Each job runs $REPEAT time(s), each from an empty window;
time = median (min–max). Least time = floor((requests − 1) / $limit) × $window s: request k cannot go before
request k − $limit has left the window, so that is what the limit allows. 429s are summed over the runs.

| job | requests | time | least the limit allows | time / least | 429s |
| --- | ---: | ---: | ---: | ---: | ---: |
$(row export "export $n contacts (\`objects search -o ndjson\`)")
$(row tag "tag $m of them (\`objects tag --tag Bench ID...\`)")
$(row with-tag "list the $m tagged (\`objects with-tag -o ndjson\`)")

Target: no 429 and within 10% of the least time: **$verdict** (export at $exp_ratio of the least, $total429 429s).

What limits it: the rate limit, by design. The client paces itself from the \`X-Rate-Limit-*\` headers
(src/lib/pacer.c): it spends the window's allowance at full speed, then waits for the oldest request to
leave the window, with a margin of the longest recent round trip, so it neither gets a 429 nor waits
longer than it must. Tagging is one \`PUT /objects/tagByName\` carrying every id (after the metadata
lookup every command makes), so it is bounded by that request's work on the server, not by the limit.
At Ontraport's real 180 a minute the export of $n needs $(awk -v r="${Q[export]}" 'BEGIN { printf "%.0f", int((r - 1) / 180) }') minute(s): the same pacing, $((60 / window)) times slower.
EOF

summary "2. bulk at 180/${window}s" "export of $n: $(fmt_spread "${T[export]}" %s) s for ${Q[export]} requests, $total429 429s" \
	"least ${L[export]} s (ratio $exp_ratio); target ≤ 1.10 and 0 429s" "$verdict"
