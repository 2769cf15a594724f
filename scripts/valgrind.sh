#!/usr/bin/env bash
# The whole test suite under valgrind memcheck: every unit and C integration
# test binary, and every ontraport process the shell tests start (the CLI, the
# sandbox, the receiver), with definite leaks and memory errors as failures.
#
#   scripts/valgrind.sh [BUILD_DIR]      default build (a gcc build without sanitizers)
#
# Tests whose point is timing (the rate-limit pacer's window, latency faults)
# still run: valgrind slows the client and the sandbox alike. CI runs this
# after scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
scripts/setup.sh
if grep -q '^ONTRA_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
	echo "valgrind.sh: $build is a sanitizer build; give a plain one" >&2
	exit 2
fi
[ -x "$build/ontraport" ] || CC=gcc scripts/build.sh "$build"
logs=$(mktemp -d "${TMPDIR:-/tmp}/ontra-valgrind.XXXXXX")
# Timing tests stretch their windows by this factor (valgrind runs code ~20x slower).
export ONTRA_TEST_WRAPPER="$PWD/tests/valgrind/memcheck" ONTRA_VALGRIND_LOG="$logs" ONTRA_TEST_TIME_SCALE=4

# The test binaries themselves under memcheck; the shell tests through the wrapper.
status=0
echo "== shell integration tests, every ontraport process under memcheck" >&2
# Left out: the C binaries (run directly below), the install and examples builds, and the two docs
# tests, which start hundreds of processes to check texts (--help, man pages) and to run the guide's
# examples, whose code paths the module tests above already run under memcheck: they took 574 s of
# the stage's 2,832 (CI, 2026-12-07) for no path of their own.
#
# Also left out: the tours of the API modules (one command after another against the sandbox:
# arguments, a request, the record printed), 1,950 s of the stage's 4,095 s of test time (the
# stage's run of 2026-12-07 12:10 UTC, on a loaded machine) and the bulk of its growth. Their
# code is the CLI's argument and output paths and the library's request path, which the
# commands that stay run under memcheck too (test_objects_bad_input, test_search_keyset, test_faults,
# test_secrets, the watch and run tests), and which the AddressSanitizer stage (with its leak
# check) runs in every one of them. What memcheck is kept for: the long-running processes
# (receiver, runner, queue, sandbox), their threads, signals and restarts.
tours='test_commerce|test_messages|test_rules|test_tasks|test_notes|test_fields|test_forms'
tours+='|test_campaigns|test_groups_externs|test_get_text|test_api|test_objects_tags'
tours+='|test_objects_contacts|test_objects_custom|test_objects_import|test_subscriber_counts'
tours+='|test_everyday_output|test_request_counts|test_meta_cache'
ctest --test-dir "$build" -j"$(nproc)" --output-on-failure --timeout 1800 -L integration \
	-E "itest_|test_install|test_examples|test_docs_sync|test_docs_examples|$tours" \
	>"$logs/shell.out" 2>&1 || {
	status=1
	# What each failing test printed (CI keeps only the end of this script's output).
	awk '/\*\*\*(Failed|Timeout|Exception)/ { on = 1 } /^ *[0-9]+\/[0-9]+ Test +#/ && !/\*\*\*/ { on = 0 }
	     on' "$logs/shell.out" | tail -120 >&2
}
tail -40 "$logs/shell.out"
echo "== unit and C integration binaries under memcheck" >&2
for t in "$build"/tests/test_* "$build"/tests/itest_* "$build"/tests/replay_*; do
	[ -x "$t" ] || continue
	# A ratio of claim rates with and without a long transaction held (37 s of timing whose
	# code paths itest_pgq_queue runs under memcheck already).
	[[ $t == */itest_pgq_retire ]] && continue
	env ONTRAPORT_BIN="$PWD/$build/ontraport" ONTRA_SOURCE_DIR="$PWD" ONTRA_BUILD_DIR="$PWD/$build" \
		ONTRA_TEST_DATA="$PWD/tests/data" ONTRA_SHARED="$PWD/../shared" \
		"$ONTRA_TEST_WRAPPER" "$t" $([[ $t == *replay_* ]] && echo "tests/fuzz/corpus/${t##*/replay_}") \
		>"$logs/$(basename "$t").out" 2>&1 || { echo "FAIL under memcheck: $t" >&2; tail -20 "$logs/$(basename "$t").out" >&2; status=1; }
done
# Any report at all (the wrapper logs to files) is a failure.
reports=$(find "$logs" -name 'vg.*.log' -size +0 | head -20)
if [ -n "$reports" ]; then
	for r in $reports; do echo "== $r" >&2; head -60 "$r" >&2; done
	status=1
fi
[ "$status" -eq 0 ] && echo "== valgrind: no memory errors, no definite leaks" >&2
rm -rf "$logs"
exit "$status"
