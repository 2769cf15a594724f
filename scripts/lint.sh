#!/usr/bin/env bash
# Source checks that need no build:
#   1. every C file is formatted as .clang-format says (clang-format --dry-run --Werror);
#   2. every .c file under src/ includes "banned.h" as its last #include (src/util/include/banned.h).
# scripts/lint.sh [--fix]   (--fix formats in place; the banned.h rule is fixed by hand)
set -euo pipefail
cd "$(dirname "$0")/.."
fix=0
[ "${1:-}" = "--fix" ] && fix=1
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
mapfile -t files < <(git ls-files 'src/*.[ch]' 'include/*.h' 'tests/*.[ch]' 'examples/*.c' 2>/dev/null ||
	find src include tests examples -name '*.[ch]' -not -path '*/corpus/*')
status=0

if [ "$fix" -eq 1 ]; then
	"$CLANG_FORMAT" -i "${files[@]}"
elif ! "$CLANG_FORMAT" --dry-run --Werror "${files[@]}" 2>"${TMPDIR:-/tmp}/lint-format.$$"; then
	grep -E '^[^ ]+:[0-9]+:[0-9]+: (error|warning)' "${TMPDIR:-/tmp}/lint-format.$$" |
		sed 's/: \(error\|warning\): .*/: not formatted as .clang-format says/' | sort -u | head -40 >&2
	echo "lint: run 'scripts/lint.sh --fix' (clang-format -i) and commit" >&2
	status=1
fi
rm -f "${TMPDIR:-/tmp}/lint-format.$$"

for f in "${files[@]}"; do
	case "$f" in src/*.c) ;; *) continue ;; esac
	last=$(grep -E '^#include' "$f" | tail -1 || true)
	if [ "$last" != '#include "banned.h"' ]; then
		echo "$f: the last #include must be \"banned.h\" (after the system headers it overrides)" >&2
		status=1
	fi
done
[ "$status" -eq 0 ] && echo "lint: ${#files[@]} files formatted; banned.h last in every src/*.c" >&2
exit "$status"
