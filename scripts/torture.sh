#!/usr/bin/env bash
# The allocation-failure loop (curl's "torture" runs) over unit tests:
#   scripts/torture.sh [-b BUILD_DIR] [-m MAX_RUNS] [-s] [TEST...]
#
# Each unit test executable is linked with tests/unit/alloc_fail.c, which can
# fail the Nth allocation of the project's code (ONTRA_FAIL_ALLOC=N). For each
# TEST (default: every test_lib_*, test_util_* and test_rcv_event), this counts
# its allocations, then reruns it failing N = 1..count. A test may well fail
# its own assertions then (it asserts success; the run then exits at the
# failed assertion, status 77); what must never happen is a crash, a hang, a
# sanitizer report or a leak. Run it on the ASan build (-DONTRA_SANITIZE=ON) to catch leaks and
# use-after-free on the error paths; on a plain build it catches crashes only.
#
# Cost is bounded: a test is rerun at most MAX_RUNS times (default 150, env
# TORTURE_MAX_RUNS); beyond that it is run with a stride, failing every
# (count/MAX_RUNS)th allocation instead of each, so the runs are the same from
# one machine to the next. TORTURE_BUDGET=S also caps each test at about S
# seconds (from the length of its first run; the allocations tried then
# depend on the machine's speed). -m 100000 tries every allocation.
# -s lists the distinct failing sites (function, file:line) at the end.
# Exit status: 0 clean, 1 a run crashed/hung/leaked (its log is kept and named).
set -uo pipefail
cd "$(dirname "$0")/.."
build=build
max_runs=${TORTURE_MAX_RUNS:-150}
budget=${TORTURE_BUDGET:-0}
sites=0
while getopts "b:m:s" opt; do
	case $opt in
	b) build=$OPTARG ;;
	m) max_runs=$OPTARG ;;
	s) sites=1 ;;
	*) echo "usage: scripts/torture.sh [-b BUILD_DIR] [-m MAX_RUNS] [-s] [TEST...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
bindir=$build/tests
if [ ! -d "$bindir" ]; then
	echo "torture: no $bindir: build first (scripts/build.sh $build)" >&2
	exit 2
fi
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	for t in "$bindir"/test_lib_* "$bindir"/test_util_* "$bindir"/test_rcv_event; do
		[ -x "$t" ] && tests+=("$(basename "$t")")
	done
fi
timeout_s=$((60 * ${ONTRA_TEST_TIME_SCALE:-1}))
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
logdir=$(mktemp -d "${TMPDIR:-/tmp}/torture.XXXXXX")
sitefile=$logdir/sites
: >"$sitefile"
bad=0

# What went wrong in a run's output (empty when nothing did).
verdict() {
	local rc=$1 log=$2
	if [ "$rc" -eq 124 ]; then echo "hung (killed after ${timeout_s} s)"; return; fi
	if grep -q "ERROR: AddressSanitizer" "$log"; then echo "AddressSanitizer error"; return; fi
	if grep -q "runtime error:" "$log"; then echo "UndefinedBehaviorSanitizer error"; return; fi
	if grep -q "Test failed with exception" "$log"; then echo "crashed"; return; fi
	# A failed assertion exits where it stands (alloc_fail.c), so what the test held is
	# still reachable: any leak reported is the code's own.
	if grep -q "ERROR: LeakSanitizer" "$log"; then echo "leaked"; return; fi
	if [ "$rc" -ge 128 ]; then echo "killed by signal $((rc - 128))"; return; fi
}

for t in "${tests[@]}"; do
	exe=$bindir/$t
	if [ ! -x "$exe" ]; then
		echo "torture: no test $exe" >&2
		exit 2
	fi
	t0=$(date +%s%N)
	out=$(ONTRA_ALLOC_COUNT=1 timeout "$timeout_s" "$exe" 2>&1)
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000 + 1))
	count=$(printf '%s\n' "$out" | sed -n 's/^alloc_fail: \([0-9]*\) allocations$/\1/p' | tail -1)
	if [ "$rc" -ne 0 ] || [ -z "$count" ]; then
		printf '%s\n' "$out" | tail -20 >&2
		echo "torture: $t fails without any injected failure (exit $rc)" >&2
		exit 1
	fi
	runs_max=$max_runs
	if [ "$budget" -gt 0 ] && [ $((budget * 1000 / ms)) -lt "$runs_max" ]; then
		runs_max=$((budget * 1000 / ms))
	fi
	[ "$runs_max" -lt 1 ] && runs_max=1
	stride=$(((count + runs_max - 1) / runs_max))
	[ "$stride" -lt 1 ] && stride=1
	runs=0
	for ((n = 1; n <= count; n += stride)); do
		log=$logdir/$t.$n.log
		ONTRA_FAIL_ALLOC=$n timeout "$timeout_s" "$exe" >"$log" 2>&1
		rc=$?
		runs=$((runs + 1))
		sed -n 's/^alloc_fail: failing allocation [0-9]* at //p' "$log" >>"$sitefile"
		why=$(verdict "$rc" "$log")
		if [ -n "$why" ]; then
			echo "torture: $t with allocation $n failed: $why (log: $log)" >&2
			bad=1
		else
			rm -f "$log"
		fi
	done
	echo "torture: $t: $count allocations, $runs runs (stride $stride)" >&2
done

nsites=$(sort -u "$sitefile" | wc -l)
echo "torture: $nsites distinct allocation sites failed" >&2
if [ "$sites" -eq 1 ]; then
	sort -u "$sitefile" | while read -r site; do
		file=${site%+*}
		addr2line -f -i -e "$file" "${site##*+}" 2>/dev/null | paste -sd' ' -
	done
fi
if [ "$bad" -eq 0 ]; then
	rm -rf "$logdir"
	echo "torture: clean" >&2
fi
exit "$bad"
