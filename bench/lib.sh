# Shared helpers of the benchmark scripts (bench/*.sh). Source it first.
#
# Each section script prints its part of docs/BENCHMARKS.md (markdown) on
# stdout, progress on stderr, and one line per headline figure to
# $BENCH_SUMMARY ("item|figure|baseline or target|verdict"), which run.sh
# gathers into the summary table. Run alone, a section prints to the terminal.
#
# Environment: BUILD_DIR (default build-bench, a Release tree built on first
# use), BENCH_DIR (work files, default bench/out), QUICK=1 (small sizes, one
# run each: CI's smoke run), REPEAT (runs per figure; default 3, quick 1).
set -euo pipefail

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$BENCH_ROOT/build-bench}
case $BUILD in /*) ;; *) BUILD=$BENCH_ROOT/$BUILD ;; esac
QUICK=${QUICK:-0}
REPEAT=${REPEAT:-$([ "$QUICK" = 1 ] && echo 1 || echo 3)}
BENCH_SUMMARY=${BENCH_SUMMARY:-/dev/null}

bench_die() {
	echo "bench: $*" >&2
	exit 1
}

for tool in curl jq wrk python3; do
	command -v "$tool" >/dev/null || bench_die "needs $tool (scripts/setup.sh installs it)"
done

if [ ! -x "$BUILD/ontraport" ]; then
	echo "bench: building a Release tree in $BUILD" >&2
	cmake -S "$BENCH_ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	cmake --build "$BUILD" -j"$(nproc)" --target ontraport_cli >/dev/null
fi
OP=$BUILD/ontraport

# bench_helper TARGET: builds a bench helper program (a CMake target outside `all`, e.g.
# bench_scenario) in the tree, if it is not up to date, and prints its path.
bench_helper() {
	cmake --build "$BUILD" --target "$1" >"$WORK/$1.build" 2>&1 ||
		bench_die "cannot build $1: $(tail -5 "$WORK/$1.build")"
	echo "$BUILD/$1"
}

mkdir -p "${BENCH_DIR:-$BENCH_ROOT/bench/out}"
WORK=$(mktemp -d "${BENCH_DIR:-$BENCH_ROOT/bench/out}/run.XXXXXX")
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"
mkdir -p "$HOME"
unset ONTRAPORT_PROFILE ONTRAPORT_APP_ID ONTRAPORT_API_KEY ONTRAPORT_BASE_URL ONTRAPORT_CONFIG
BENCH_PIDS=()
bench_cleanup() {
	local p
	for p in "${BENCH_PIDS[@]:-}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap bench_cleanup EXIT

log() { echo "bench: $*" >&2; }

# summary ITEM FIGURE BASELINE VERDICT: one row of the summary table.
summary() { printf '%s|%s|%s|%s\n' "$1" "$2" "$3" "$4" >>"$BENCH_SUMMARY"; }

# wait_ready PID FILE PATTERN WHAT: waits (30 s at most) until FILE, which the
# process PID writes as it starts, matches PATTERN; dies if PID exits first.
# FILE must not exist before PID starts: a stale one would name a dead server.
wait_ready() {
	local i
	for i in $(seq 600); do
		grep -q "$3" "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	bench_die "$4 did not start: $(cat "$WORK/$4.err" 2>/dev/null)"
}

# start_sandbox [sandbox args...]: a sandbox on a free port, its database a file
# under $WORK (WAL, as users run it), no contacts yet. Sets SBX_PID, SBX_URL,
# SBX_ROOT, SBX_APP, SBX_KEY, SBX_TOKEN and exports the ONTRAPORT_* connection variables.
start_sandbox() {
	local out="$WORK/sandbox.out"
	rm -f "$WORK"/sandbox.db* "$out"
	"$OP" sandbox --port 0 --db "$WORK/sandbox.db" --quiet "$@" >"$out" 2>"$WORK/sandbox.err" &
	SBX_PID=$!
	BENCH_PIDS+=("$SBX_PID")
	SEEDED=0
	wait_ready "$SBX_PID" "$out" '^ONTRAPORT_SANDBOX_TOKEN=' sandbox
	SBX_URL=$(sed -n 's/^ONTRAPORT_BASE_URL=//p' "$out")
	SBX_APP=$(sed -n 's/^ONTRAPORT_APP_ID=//p' "$out")
	SBX_KEY=$(sed -n 's/^ONTRAPORT_API_KEY=//p' "$out")
	SBX_TOKEN=$(sed -n 's/^ONTRAPORT_SANDBOX_TOKEN=//p' "$out")
	SBX_ROOT=${SBX_URL%/1}
	export ONTRAPORT_BASE_URL="$SBX_URL" ONTRAPORT_APP_ID="$SBX_APP" ONTRAPORT_API_KEY="$SBX_KEY"
}

stop_sandbox() {
	kill -TERM "$SBX_PID" 2>/dev/null || true
	wait "$SBX_PID" 2>/dev/null || true
}

# control METHOD PATH: the sandbox's control API; prints the body, fails on an HTTP error.
control() { curl -sfS -X "$1" -H "X-Sandbox-Token: $SBX_TOKEN" "$SBX_ROOT/_sandbox/$2"; }
stat_of() { control GET stats | jq -r ".$1"; }

# seed_to N: adds seeded contacts until the sandbox holds N (seeding is by the sandbox, in batches).
seed_to() {
	local want=$1 step
	while [ "$SEEDED" -lt "$want" ]; do
		step=$((want - SEEDED))
		[ "$step" -gt 200000 ] && step=200000
		control POST "seed/contacts?count=$step" >/dev/null
		SEEDED=$((SEEDED + step))
	done
}

# wrk_run WHAT WRK-ARGS...: runs wrk --latency; dies unless every answer was a
# 2xx. Sets wrk_rps, wrk_p50 and wrk_p99 (ms) and wrk_total (answers read).
wrk_run() {
	local what=$1
	shift
	wrk --latency "$@" >"$WORK/wrk" 2>&1 || bench_die "wrk failed ($what): $(cat "$WORK/wrk")"
	if grep -qE 'Non-2xx|Socket errors' "$WORK/wrk"; then
		bench_die "$what: $(grep -E 'Non-2xx|Socket errors' "$WORK/wrk")"
	fi
	read -r wrk_rps wrk_p50 wrk_p99 wrk_total < <(awk '
		function ms(v, u) { u = v; sub(/^[0-9.]+/, "", u); v += 0
			return u == "us" ? v / 1000 : u == "s" ? v * 1000 : u == "m" ? v * 60000 : v }
		/^Requests\/sec:/ { r = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
		/ requests in / { n = $1 }
		END { printf "%s %.3f %.3f %s\n", r, p50, p99, n }' "$WORK/wrk")
}

# peak_rss_kb PID: the process's peak resident set (VmHWM), in kB.
peak_rss_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
# timeit CMD...: runs CMD; sets wall and cpu (seconds) and rss_kb (peak RSS of the
# largest process), to the microsecond, from bench/timeit.py.
timeit() {
	local rc=0
	python3 "$BENCH_ROOT/bench/timeit.py" "$WORK/timeit" "$@" || rc=$?
	read -r wall cpu rss_kb <"$WORK/timeit"
	wall=$(printf '%.3f' "$wall") cpu=$(printf '%.3f' "$cpu")
	return $rc
}
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }

# stats V...: "median|min|max" of the numbers given.
stats() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%s|%s|%s\n", m, v[1], v[NR] }'
}
# fmt_spread "median|min|max" FORMAT: "median (min–max)", or just the median for one run.
fmt_spread() {
	local m lo hi
	IFS='|' read -r m lo hi <<<"$1"
	if [ "$REPEAT" -le 1 ]; then
		printf "$2" "$m"
	else
		printf "$2 ($2–$2)" "$m" "$lo" "$hi"
	fi
}
# spread_int "median|min|max": "12,345 (12,001–12,900)", whole numbers with separators.
spread_int() {
	local m lo hi
	IFS='|' read -r m lo hi <<<"$1"
	if [ "$REPEAT" -le 1 ]; then thousands "$m"; else
		printf '%s (%s–%s)' "$(thousands "$m")" "$(thousands "$lo")" "$(thousands "$hi")"; fi
}
median() { stats "$@" | cut -d'|' -f1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# thousands N: 12345.6 -> 12,346
thousands() { printf "%.0f" "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

machine() {
	printf '%s cores (%s), %s RAM, %s; disk under bench/out: %s' "$(nproc)" \
		"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
		"$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)" "$(uname -sr)" \
		"$(findmnt -no SOURCE,FSTYPE -T "$WORK" 2>/dev/null || echo '?')"
}
