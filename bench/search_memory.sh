#!/usr/bin/env bash
# Search memory benchmark: peak RSS of `ontraport objects search -o ndjson`
# streaming every contact of a sandbox, at 1,000 contacts (the baseline) and
# at 100,000, in the same run. The issue's target: under 20 MB at 100,000
# (the search streams page by page; nothing holds the whole result).
# Not a test (not in ctest); writes bench/results/search_memory.md.
#
#   bench/search_memory.sh                      # builds a Release tree in build-bench/
#   BUILD_DIR=build-rel COUNT=200000 bench/search_memory.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
count=${COUNT:-100000}
base=${BASELINE:-1000}
results=${RESULTS:-$here/results/search_memory.md}
TIME=/usr/bin/time

[ -x "$TIME" ] || { echo "search_memory: needs GNU time (Debian package 'time'; scripts/setup.sh)" >&2; exit 1; }
if [ ! -x "$build/ontraport" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	cmake --build "$build" -j2 --target ontraport_cli >/dev/null
fi
OP="$build/ontraport"
work=$(mktemp -d "${TMPDIR:-/tmp}/search-memory.XXXXXX")
sandbox=""
cleanup() {
	[ -n "$sandbox" ] && kill "$sandbox" 2>/dev/null && wait "$sandbox" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/config"
mkdir -p "$HOME"
unset ONTRAPORT_PROFILE

# A sandbox whose rate limit does not pace the 2,000 page requests.
"$OP" sandbox --port 0 --db :memory: --quiet --rate-limit 100000000/60s >"$work/env" 2>"$work/sandbox.err" &
sandbox=$!
for _ in $(seq 200); do grep -q '^ONTRAPORT_SANDBOX_TOKEN=' "$work/env" 2>/dev/null && break; sleep 0.05; done
grep -q '^ONTRAPORT_SANDBOX_TOKEN=' "$work/env" || { cat "$work/sandbox.err" >&2; exit 1; }
export ONTRAPORT_BASE_URL=$(sed -n 's/^ONTRAPORT_BASE_URL=//p' "$work/env")
export ONTRAPORT_APP_ID=$(sed -n 's/^ONTRAPORT_APP_ID=//p' "$work/env")
export ONTRAPORT_API_KEY=$(sed -n 's/^ONTRAPORT_API_KEY=//p' "$work/env")
token=$(sed -n 's/^ONTRAPORT_SANDBOX_TOKEN=//p' "$work/env")

seed() {
	curl -sfS -X POST -H "X-Sandbox-Token: $token" \
		"${ONTRAPORT_BASE_URL%/1}/_sandbox/seed/contacts?count=$1" >/dev/null
}

# measure N: search every contact (N in the sandbox) to ndjson; sets rss_kb, secs, lines.
measure() {
	lines=$("$TIME" -v -o "$work/time" "$OP" objects search -o ndjson | wc -l)
	rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/time")
	secs=$(sed -n 's/^[[:space:]]*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time")
	[ "$lines" -eq "$1" ] || { echo "search_memory: streamed $lines contacts, expected $1" >&2; exit 1; }
}

seed "$base"
measure "$base"
base_kb=$rss_kb base_secs=$secs
seed $((count - base))
measure "$count"
big_kb=$rss_kb big_secs=$secs

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio=$(awk -v a="$big_kb" -v b="$base_kb" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v k="$big_kb" 'BEGIN { print (k < 20 * 1024) ? "met" : "NOT met" }')
mkdir -p "$(dirname "$results")"
{
	echo "# Search memory: \`ontraport objects search -o ndjson\` over a sandbox"
	echo
	echo "Written by \`bench/search_memory.sh\` on $(date -u +%Y-%m-%d). Peak RSS of the \`ontraport\`"
	echo "process (GNU time, \"Maximum resident set size\") while it streams every contact of a sandbox"
	echo "(50 per request, written as they arrive) to a pipe. Both runs in the same session, same"
	echo "binary ($(basename "$build"), Release), same sandbox (in memory, its own process)."
	echo
	echo "| contacts streamed | peak RSS | wall time |"
	echo "| ---: | ---: | ---: |"
	echo "| $base (baseline) | $(mb "$base_kb") MB ($base_kb kB) | $base_secs |"
	echo "| $count | $(mb "$big_kb") MB ($big_kb kB) | $big_secs |"
	echo
	echo "Ratio $count / $base: **$ratio** for $((count / base))x the contacts: memory stays flat."
	echo "Target (under 20 MB at 100,000): **$verdict**."
	echo
	echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
	echo "$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo) RAM, $(uname -sr); shared with other work"
	echo "(load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)), so wall times vary; RSS does not."
} >"$results"
cat "$results"
