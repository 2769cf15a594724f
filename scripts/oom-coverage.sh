#!/usr/bin/env bash
# How many out-of-memory branches the tests run: lines of src/ that name one
# (ontra__error_oom(), *ENOMEM, "out of memory") with a gcov count above 0.
#   CC=gcc scripts/build.sh build-cov -DONTRA_COVERAGE=ON -DCMAKE_BUILD_TYPE=Debug
#   ctest --test-dir build-cov -L unit; scripts/torture.sh -b build-cov
#   scripts/oom-coverage.sh build-cov [-v]     (-v lists the lines run)
# A few such lines also run on success (a ternary such as `x ? 0 : oom`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$(cd "${1:?usage: scripts/oom-coverage.sh BUILD_DIR [-v]}" && pwd)
verbose=${2:-}
pattern='ontra__error_oom\(\)|ENOMEM|out of memory'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
find "$build" -name "*.gcda" | while read -r f; do
	gcov -p -o "$(dirname "$f")" "$f" >/dev/null 2>&1 || true
done
total=0
hit=0
for src in $(grep -rlE "$pattern" "$root/src"); do
	g="$tmp/$(echo "$src" | tr / '#').gcov"
	while IFS=: read -r ln _; do
		total=$((total + 1))
		[ -f "$g" ] || continue
		c=$(awk -F: -v l="$ln" '{gsub(/ /, "", $2)} $2 == l {gsub(/ /, "", $1); print $1; exit}' "$g")
		case "$c" in '' | '-' | '#####' | '=====') ;;
		*)
			hit=$((hit + 1))
			[ "$verbose" = "-v" ] && echo "  ${src#"$root"/}:$ln"
			;;
		esac
	done < <(grep -nE "$pattern" "$src")
done
echo "out-of-memory lines run: $hit of $total"
