#!/usr/bin/env bash
# Run every libFuzzer target for a number of executions and record the figures.
#
#   scripts/fuzz.sh [RUNS] [TARGET...]     RUNS default 2000000; all targets by default
#
# Builds build-fuzz with clang (-DONTRA_FUZZ=ON: ASan + UBSan + libFuzzer),
# runs each target from its saved corpus (tests/fuzz/corpus/<name>/, read
# only; new inputs go to build-fuzz/corpus-<name>/), and writes a table to
# tests/fuzz/RESULTS.md. A crash stops the script with the reproducer's path:
# add it to the corpus once fixed, so CI replays it forever.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-2000000}
shift || true
scripts/setup.sh >/dev/null
CC=clang cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DONTRA_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi
results=build-fuzz/results.md
{
	echo "| target | executions | seconds | exec/s | corpus (seeds → after) | coverage (cov) | result |"
	echo "| --- | ---: | ---: | ---: | --- | ---: | --- |"
} >"$results"
for t in "${targets[@]}"; do
	name=${t#fuzz_}
	work="build-fuzz/corpus-$name"
	mkdir -p "$work" "build-fuzz/crashes-$name"
	seeds=$(find "tests/fuzz/corpus/$name" -type f | wc -l)
	log="build-fuzz/fuzz-$name.log"
	echo "== $t: $runs runs" >&2
	start=$(date +%s.%N)
	set +e
	"build-fuzz/tests/fuzz/$t" -runs="$runs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="build-fuzz/crashes-$name/" -print_final_stats=1 \
		"$work" "tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	set -e
	end=$(date +%s.%N)
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	eps=$(awk -v n="${execs:-0}" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	after=$(find "$work" -type f | wc -l)
	result=ok
	[ "$rc" -eq 0 ] || result="**crash** (exit $rc, see $log)"
	printf '| %s | %s | %.0f | %s | %s → %s | %s | %s |\n' "$t" "${execs:-?}" "$secs" "${eps:-?}" \
		"$seeds" "$((seeds + after))" "${cov:-?}" "$result" >>"$results"
	if [ "$rc" -ne 0 ]; then
		cat "$results" >&2
		echo "$t failed; reproducer in build-fuzz/crashes-$name/" >&2
		exit 1
	fi
done
{
	echo "# Fuzzing results"
	echo
	echo "\`scripts/fuzz.sh $runs\` on $(date -u +%Y-%m-%d), $(nproc) cores ($(uname -m)), $(clang --version | head -1)."
	echo "Each target starts from its saved corpus (\`tests/fuzz/corpus/<name>/\`); every target checks"
	echo "its parser's contract (abort() on a broken one), under AddressSanitizer and UBSan."
	echo
	cat "$results"
} >tests/fuzz/RESULTS.md
cat tests/fuzz/RESULTS.md
