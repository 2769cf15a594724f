#!/usr/bin/env bash
# Client cost per request: N (default 2,000; quick 200) GET /object calls
# against the sandbox on loopback, made
#   (a) by one `ontraport objects get` process, through the library,
#   (b) by a shell loop of curl commands with the auth headers,
#   (b2) by one curl process given every URL (-K FILE), keeping its connection
#        alive: the floor for a client of its own (issue 17 §7: the library's CPU
#        per call should be within 1.25x of it),
#   (c) by a Python script with requests.Session (bench/client_requests.py),
#   (d) by a shell loop of `ontraport api` commands, one process per call.
# Wall and CPU time (user + system, children included) from bench/timeit.py,
# connections opened from the sandbox's own count. Prints a markdown section.
. "$(dirname "$0")/lib.sh"

n=${N:-$([ "$QUICK" = 1 ] && echo 200 || echo 2000)}
start_sandbox --rate-limit 1000000000/60s
seed_to "$n"
py=/usr/bin/python3
[ -x "$py" ] && "$py" -c 'import requests' 2>/dev/null || py=python3
"$py" -c 'import requests' 2>/dev/null || bench_die "needs python3-requests (scripts/setup.sh)"

# The curl loop reads its auth headers from a file (curl -H @FILE), so the key
# stays out of the process list; the cost is that of passing them inline.
printf 'Api-Appid: %s\nApi-Key: %s\n' "$SBX_APP" "$SBX_KEY" >"$WORK/headers"
chmod 600 "$WORK/headers"
ids=$(seq 1 "$n" | tr '\n' ' ')
# (b2)'s URLs, one `url = "..."` line each (curl -K), so no argument list limits them.
for i in $(seq 1 "$n"); do printf 'url = "%s/object?objectID=0&id=%s"\n' "$SBX_URL" "$i"; done >"$WORK/urls"

# One run: sets wall, cpu, conns, reqs; checks every record arrived.
run_one() {
	local s0 s1
	s0=$(control GET stats)
	timeit "$@" >"$WORK/out" 2>"$WORK/err" || bench_die "'$1' failed: $(head -c 500 "$WORK/err")"
	s1=$(control GET stats)
	# less one: the stats call after the job is counted in s1
	conns=$(($(jq .connections <<<"$s1") - $(jq .connections <<<"$s0") - 1))
	reqs=$(($(jq .requests <<<"$s1") - $(jq .requests <<<"$s0")))
	local got
	got=$(grep -c '"firstname"' "$WORK/out" || true)
	[ "$got" -eq "$n" ] || bench_die "'$1' gave $got records, expected $n"
}

declare -A W C K Q
measure() {
	local name=$1 i walls=() cpus=()
	shift
	for i in $(seq "$REPEAT"); do
		run_one "$@"
		walls+=("$wall")
		cpus+=("$cpu")
	done
	W[$name]=$(stats "${walls[@]}")
	C[$name]=$(stats "${cpus[@]}")
	K[$name]=$conns
	Q[$name]=$reqs
	log "client: $name: wall $(fmt_spread "${W[$name]}" %s) s, cpu $(fmt_spread "${C[$name]}" %s) s, $conns connections"
}

curl_loop='for i in $(seq 1 "$1"); do curl -sS -H @"$2" "$3/object?objectID=0&id=$i" || exit 1; echo; done'
api_loop='for i in $(seq 1 "$1"); do "$2" api GET /object -q objectID=0 -q id=$i -o ndjson || exit 1; done'
# shellcheck disable=SC2086
measure lib "$OP" objects get -o ndjson $ids
measure curl bash -c "$curl_loop" curl-loop "$n" "$WORK/headers" "$SBX_URL"
measure curlka curl -sS -H @"$WORK/headers" -w '\n' -K "$WORK/urls"
measure requests "$py" "$BENCH_ROOT/bench/client_requests.py" "$SBX_URL" "$n"
measure api bash -c "$api_loop" api-loop "$n" "$OP"
stop_sandbox

row() {
	local name=$1 label=$2 wm cm
	wm=$(cut -d'|' -f1 <<<"${W[$name]}")
	cm=$(cut -d'|' -f1 <<<"${C[$name]}")
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "${Q[$name]}" "${K[$name]}" \
		"$(fmt_spread "${W[$name]}" %s) s" "$(fmt_spread "${C[$name]}" %s) s" \
		"$(ratio "$wm" "$(cut -d'|' -f1 <<<"${W[lib]}")")" "$(ratio "$cm" "$(cut -d'|' -f1 <<<"${C[lib]}")")"
}
per_call() { awk -v t="$(cut -d'|' -f1 <<<"$1")" -v n="$n" 'BEGIN { printf "%.0f µs", t / n * 1e6 }'; }

cat <<EOF
## 1. Client cost per request

\`bench/client.sh\`: $n \`GET /object\` calls (one contact each, about 1.5 kB of JSON) against the sandbox on
loopback, every record checked to arrive; medians of $REPEAT runs, (min–max). CPU = user + system time of
the whole job, child processes included (wait4). Connections = TCP connections the sandbox accepted.

| client | requests | connections | wall time | CPU time | wall / library | CPU / library |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
$(row lib "(a) one \`ontraport objects get\` process (libontraport)")
$(row curl "(b) shell loop of \`curl\` with the auth headers")
$(row curlka "(b2) one \`curl\` process, every URL (\`-K\`), kept alive")
$(row requests "(c) Python \`requests.Session\` (python3-requests)")
$(row api "(d) shell loop of \`ontraport api\` (a process per call)")

Per call: the library $(per_call "${W[lib]}") of wall time and $(per_call "${C[lib]}") of CPU; the curl loop
$(per_call "${W[curl]}") and $(per_call "${C[curl]}"); one kept-alive curl $(per_call "${W[curlka]}") and $(per_call "${C[curlka]}");
requests.Session $(per_call "${W[requests]}") and $(per_call "${C[requests]}"). The library's CPU is
$(ratio "$(cut -d'|' -f1 <<<"${C[lib]}")" "$(cut -d'|' -f1 <<<"${C[curlka]}")")x that of the kept-alive curl (target: at most 1.25x).

What limits it: the library keeps one connection alive for the whole job, so a call costs a request on
an open socket, a checking scan of its JSON (no tree is built: the record is written as the server sent
it, src/util/jsonscan.h), and the sandbox's answer; both run on the same two cores. A shell loop pays
a process start, a dynamic link and a new TCP connection per call, which is
why it costs many times more CPU: the price is in \`fork\`/\`exec\`, not in HTTP. \`requests.Session\`
reuses its connection too but spends its CPU in the Python interpreter. (d) shows what a shell script
that calls \`ontraport\` once per record pays: use one process with many ids (a), or \`objects search\`.
EOF

summary "1. client: $n GET /object" "library $(fmt_spread "${W[lib]}" %s) s wall, $(fmt_spread "${C[lib]}" %s) s CPU, ${K[lib]} connection(s)" \
	"CPU $(ratio "$(cut -d'|' -f1 <<<"${C[lib]}")" "$(cut -d'|' -f1 <<<"${C[curlka]}")")x one kept-alive curl's; curl loop $(ratio "$(cut -d'|' -f1 <<<"${W[curl]}")" "$(cut -d'|' -f1 <<<"${W[lib]}")")x the wall time, requests.Session $(ratio "$(cut -d'|' -f1 <<<"${W[requests]}")" "$(cut -d'|' -f1 <<<"${W[lib]}")")x" \
	"$([ "${K[lib]}" -le 2 ] && echo "one kept-alive connection" || echo "MORE THAN ONE CONNECTION")"
