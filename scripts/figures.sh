#!/usr/bin/env bash
# The house's figures, as docs/ARCHITECTURE.md quotes them, from a clean build:
#   scripts/figures.sh [DIR]     (default build-figures/; needs gcovr and pmccabe: scripts/setup.sh)
# Prints: files per folder, the 15 most complex functions, function count and median length,
# serial ctest time (one test at a time, gcc, RelWithDebInfo), and line coverage of src/
# (a second build with --coverage, the whole suite run once). Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-figures}

echo "== files per folder (src/)"
find src -name '*.[ch]' -printf '%h\n' | sort | uniq -c | awk '{printf "%-28s %s\n", $2, $1}'

echo "== the 15 most complex functions (pmccabe: modified McCabe, statements, lines)"
find src -name '*.c' -print0 | xargs -0 pmccabe 2>/dev/null | sort -k1 -nr | awk 'NR <= 15' |
	awk '{printf "%3s %4s %4s  %s %s\n", $1, $3, $5, $6, $7}'
find src -name '*.c' -print0 | xargs -0 pmccabe 2>/dev/null | awk '{print $5}' | sort -n |
	awk '{a[NR]=$1} END {printf "functions: %d, median length %d lines\n", NR, a[int((NR+1)/2)]}'

if [ -z "${FIGURES_NO_SERIAL:-}" ]; then # FIGURES_NO_SERIAL=1: skip it (a busy machine)
echo "== serial ctest time (gcc, -j1)"
CC=gcc scripts/build.sh "$dir" >/dev/null
start=$(date +%s.%N)
ctest --test-dir "$dir" -j1 >"$dir/ctest-serial.log" 2>&1 || { tail -20 "$dir/ctest-serial.log"; exit 1; }
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "serial ctest: %.1f s\n", e - s}'
fi

echo "== line coverage of src/ (gcc --coverage, whole suite)"
CC=gcc scripts/build.sh "$dir-cov" -DONTRA_COVERAGE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
find "$dir-cov" -name '*.gcda' -delete
# test_install links programs against the installed library, which --coverage leaves needing libgcov.
ctest --test-dir "$dir-cov" -j"$(nproc)" -E 'test_install|test_examples' >"$dir-cov/ctest.log" 2>&1 ||
	{ tail -20 "$dir-cov/ctest.log"; exit 1; }
# Not -o /dev/null: gcovr replaces its output file, and as root that turns /dev/null into a file.
gcovr -r . --filter 'src/' --object-directory "$dir-cov" --print-summary -o "$dir-cov/coverage.txt" |
	grep -E '^(lines|functions|branches):'
