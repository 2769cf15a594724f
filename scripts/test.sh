#!/usr/bin/env bash
# Install what is missing, build, and run every test:
#   0. scripts/lint.sh: every C file formatted as .clang-format says, banned.h last in src/*.c
#   1. gcc build, -Werror: unit + integration tests
#   2. clang build, -Werror: unit + integration tests under AddressSanitizer + UBSan, and the
#      allocation-failure loop over the unit tests (label torture, scripts/torture.sh)
#   3. the suite again under valgrind memcheck, but for the API modules' tours (scripts/valgrind.sh
#      says which and why; --no-valgrind skips it
#      for a quick local run -- CI always runs it)
#   4. the benchmark suite in its quick mode (bench/run.sh --quick), so it cannot rot
set -euo pipefail
valgrind=1
[ "${1:-}" = "--no-valgrind" ] && valgrind=0
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)

echo "== format and banned functions (scripts/lint.sh)" >&2
scripts/lint.sh

echo "== gcc build and tests" >&2
CC=gcc scripts/build.sh build
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== clang build with AddressSanitizer + UndefinedBehaviorSanitizer, and tests" >&2
CC=clang scripts/build.sh build-asan -DONTRA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan --output-on-failure -j"$jobs"

if [ "$valgrind" -eq 1 ]; then
	echo "== the suite under valgrind memcheck" >&2
	scripts/valgrind.sh build
fi

echo "== the benchmark suite, quick (figures in bench/out/BENCHMARKS.quick.md)" >&2
BUILD_DIR=build bench/run.sh --quick

echo "== all tests passed" >&2
