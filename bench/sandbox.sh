#!/usr/bin/env bash
# Sandbox throughput and scaling, with wrk on loopback: requests per second and
# p50/p99 latency of GET /object, GET /objects pages, POST /objects and
# condition searches, at 10,000, 100,000 and 1,000,000 seeded contacts (quick:
# 10,000 only, 1 s runs), and the sandbox's peak RSS. Target: 20,000 req/s for
# GET /object on 2 cores. Every answer must be a 2xx (wrk's non-2xx count is checked).
. "$(dirname "$0")/lib.sh"

if [ "$QUICK" = 1 ]; then sizes=${SIZES:-10000} secs=${SECS:-1}; else
	sizes=${SIZES:-"10000 100000 1000000"} secs=${SECS:-5}; fi
threads=2 conns=16

# The wrk scripts, written once: the credentials (start_sandbox exports them) and
# N come from the environment; each request picks a random contact of the N seeded.
lua=$WORK/lua
mkdir -p "$lua"
common='wrk.headers["Api-Appid"] = os.getenv("ONTRAPORT_APP_ID")
wrk.headers["Api-Key"] = os.getenv("ONTRAPORT_API_KEY")
local n = tonumber(os.getenv("BENCH_N"))
function setup(thread) thread:set("seed", math.random(1, 1000000)) end
function init(args) math.randomseed(seed) end
local function cond(field, value)
  return "%5B%7B%22field%22%3A%7B%22field%22%3A%22" .. field .. "%22%7D%2C%22op%22%3A%22" .. value .. "%7D%7D%5D"
end'
# get_lua NAME PATH-EXPRESSION: a script of GETs of that (Lua) path.
get_lua() { printf '%s\nrequest = function() return wrk.format("GET", %s) end\n' "$common" "$2" >"$lua/$1.lua"; }
get_lua get_object '"/1/object?objectID=0&id=" .. math.random(1, n)'
get_lua page_first '"/1/objects?objectID=0&start=0&range=50"'
get_lua page_keyset '"/1/objects?objectID=0&condition=" ..
  cond("id", "%3E%22%2C%22value%22%3A%7B%22value%22%3A" .. math.random(0, n - 50)) ..
  "&sort=id&sortDir=asc&start=0&range=50"'
get_lua page_offset '"/1/objects?objectID=0&start=" .. math.random(0, n - 50) .. "&range=50"'
get_lua cond_email '"/1/objects?objectID=0&condition=" ..
  cond("email", "%3D%22%2C%22value%22%3A%7B%22value%22%3A%22contact" .. math.random(1, n) .. "%40seed.example%22")'
get_lua cond_lastname '"/1/objects?objectID=0&condition=" ..
  cond("lastname", "%3D%22%2C%22value%22%3A%7B%22value%22%3A%22Last" .. math.random(1, n) .. "%22")'
cat >"$lua/create.lua" <<EOF
$common
local k = 0
request = function()
  k = k + 1
  return wrk.format("POST", "/1/objects", {["Api-Appid"] = wrk.headers["Api-Appid"], ["Api-Key"] =
    wrk.headers["Api-Key"], ["Content-Type"] = "application/x-www-form-urlencoded"},
    "objectID=0&firstname=Bench&lastname=Writer&email=w" .. seed .. "." .. k .. "%40bench.example")
end
EOF

# create last: the contacts it adds must not swell the table the reads measure
endpoints="get_object page_first page_keyset page_offset cond_email cond_lastname create"
declare -A LABEL=(
	[get_object]="\`GET /object\` (a random contact)"
	[page_first]="\`GET /objects\`, the first page of 50"
	[page_keyset]="\`GET /objects\`, a page of 50 after a random id (how \`objects search\` pages)"
	[page_offset]="\`GET /objects\`, a page of 50 at a random offset (\`start=\`)"
	[create]="\`POST /objects\` (a new contact; WAL, synchronous=NORMAL)"
	[cond_email]="condition \`email = …\` (indexed, one match)"
	[cond_lastname]="condition \`lastname = …\` (not indexed: a full scan)"
)

declare -A RPS P50 P99 RSS DB
for size in $sizes; do
	# a fresh sandbox per size: exactly $size contacts, and its own peak RSS
	start_sandbox --rate-limit 1000000000/60s
	log "sandbox: seeding $size contacts"
	seed_to "$size"
	for ep in $endpoints; do
		rps=() p50=() p99=()
		for i in $(seq "$REPEAT"); do
			BENCH_N=$size wrk_run "$ep at $size" -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s \
				-s "$lua/$ep.lua" "$SBX_ROOT"
			rps+=("$wrk_rps") p50+=("$wrk_p50") p99+=("$wrk_p99")
		done
		RPS[$ep,$size]=$(stats "${rps[@]}")
		P50[$ep,$size]=$(stats "${p50[@]}")
		P99[$ep,$size]=$(stats "${p99[@]}")
		log "sandbox: $ep at $size: $(fmt_spread "${RPS[$ep,$size]}" %s) req/s, p50 $(median "${p50[@]}") ms, p99 $(median "${p99[@]}") ms"
	done
	RSS[$size]=$(peak_rss_kb "$SBX_PID")
	DB[$size]=$(du -sk "$WORK"/sandbox.db* | awk '{ s += $1 } END { print s }')
	stop_sandbox
done

ms() { printf '%.2f' "$(cut -d'|' -f1 <<<"$1")"; }

first=${sizes%% *}
last=${sizes##* }
get_rps=$(cut -d'|' -f1 <<<"${RPS[get_object,$first]}")
get_verdict=$(awk -v r="$get_rps" 'BEGIN { print (r >= 20000) ? "met" : "NOT met" }')

echo "## 3. Sandbox throughput and scaling"
echo
echo "\`bench/sandbox.sh\`: \`wrk -t$threads -c$conns -d${secs}s --latency\` on loopback against a sandbox (a fresh one per"
echo "size, its database a file, WAL) holding that many contacts, each request picking a random one (creates last); $REPEAT run(s) per cell, requests/s as median (min–max),"
echo "latencies as the median of the runs' p50 and p99. wrk and the sandbox share the two cores. Every answer"
echo "was checked to be a 2xx."
echo
for size in $sizes; do
	echo "### $(thousands "$size") contacts"
	echo
	echo "| request | requests/s | p50 | p99 |"
	echo "| --- | ---: | ---: | ---: |"
	for ep in $endpoints; do
		printf '| %s | %s | %s ms | %s ms |\n' "${LABEL[$ep]}" "$(spread_int "${RPS[$ep,$size]}")" \
			"$(ms "${P50[$ep,$size]}")" "$(ms "${P99[$ep,$size]}")"
	done
	echo
done
if [ "$first" != "$last" ]; then
	echo "### How latency grows with the data (p50, $(thousands "$first") → $(thousands "$last") contacts, $((last / first))x)"
	echo
	echo "| request | p50 at $(thousands "$first") | p50 at $(thousands "$last") | growth |"
	echo "| --- | ---: | ---: | ---: |"
	for ep in $endpoints; do
		a=$(ms "${P50[$ep,$first]}") b=$(ms "${P50[$ep,$last]}")
		printf '| %s | %s ms | %s ms | %sx |\n' "${LABEL[$ep]}" "$a" "$b" "$(ratio "$b" "$a")"
	done
	echo
fi
echo "Sandbox peak RSS (VmHWM) over each size's runs, and its database on disk after them (the creates add"
echo "contacts): $(for s in $sizes; do printf '%s and %s at %s; ' "$(mb "${RSS[$s]}")" "$(mb "${DB[$s]}")" "$(thousands "$s")"; done | sed 's/; $//')."
echo "Most of that RSS is SQLite's page cache (\`PRAGMA cache_size\`, at most 64 MB), filled by the scans."
echo
echo "Target: at least 20,000 req/s for \`GET /object\` on 2 cores: **$get_verdict** ($(thousands "$get_rps") req/s at $(thousands "$first") contacts)."
echo
cat <<'EOF'
What limits it: CPU. A `GET /object` is a primary-key lookup (microseconds in SQLite's page cache); the
rest is HTTP parsing (libmicrohttpd), building the ~1.5 kB JSON answer (jansson) and wrk itself, all on two
cores. SQLite runs on one connection under a lock, so two workers cannot both be inside the database: that
caps the page and search rows, whose time is spent reading 50 rows and serialising 75 kB of JSON. Reads by
key (the id, an indexed email, a keyset page) stay flat as the data grows: B-tree depth grows by one level
per ~100x. A page at a random `start=` offset walks that many rows first, and an unindexed condition reads
every row, so both grow with the data: linearly, then faster once the table outgrows SQLite's 64 MB page
cache and rows come from the OS cache instead; that is why `objects search` pages by id (keyset) after
the first page. Creates pay a WAL append per request (synchronous=NORMAL: no flush per commit).
EOF

summary "3. sandbox GET /object" "$(thousands "$get_rps") req/s, p99 $(ms "${P99[get_object,$first]}") ms ($(thousands "$first") contacts)" \
	"target ≥ 20,000 req/s on 2 cores" "$get_verdict"
if [ "$first" != "$last" ]; then
	summary "3. indexed condition, $(thousands "$first") → $(thousands "$last")" \
		"p50 $(ms "${P50[cond_email,$first]}") → $(ms "${P50[cond_email,$last]}") ms" \
		"unindexed: $(ms "${P50[cond_lastname,$first]}") → $(ms "${P50[cond_lastname,$last]}") ms" \
		"$(awk -v a="$(ms "${P50[cond_email,$first]}")" -v b="$(ms "${P50[cond_email,$last]}")" 'BEGIN { print (b < 3 * a + 0.5) ? "near constant" : "GROWS" }')"
fi
