#!/usr/bin/env bash
# The benchmark suite: every section, one after the other (they share the two
# cores, so never in parallel), assembled into one report.
#
#   bench/run.sh                 full run (about 25 minutes); writes docs/BENCHMARKS.md
#   bench/run.sh --quick         small sizes, one run each, under 2 minutes (CI runs it);
#                                writes bench/out/BENCHMARKS.quick.md
#   bench/run.sh [--out FILE] [SECTION...]   only some sections: client bulk sandbox receiver memory
#                                scenario pgqueue
#   bench/run.sh --merge SECTION...   rerun only those sections and put them into the
#                                existing report (their part and summary rows replaced,
#                                the others kept; the header notes the rerun): bench/merge_report.py
#
# Environment: BUILD_DIR (default build-bench: a Release tree, built when
# missing), REPEAT (runs per figure: default 3, quick 1), BENCH_DIR (work
# files, default bench/out/, on disk so flushes are real). Exit status: 0 when
# every section ran and every correctness check held (all answers 2xx, every
# record and event accounted for); 1 otherwise. A missed performance target is
# reported in the file, not as a failure: figures depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0 merge=0 out="" sections=()
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--merge) merge=1 ;;
	--out) out=$2; shift ;;
	--out=*) out=${1#--out=} ;;
	-h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	client | bulk | sandbox | receiver | memory | scenario | pgqueue) sections+=("$1") ;;
	*) echo "bench/run.sh: unknown argument '$1': expected --quick, --merge, --out FILE or a section (client bulk sandbox receiver memory scenario pgqueue)" >&2; exit 2 ;;
	esac
	shift
done
[ "$merge" = 0 ] || [ ${#sections[@]} -gt 0 ] || { echo "bench/run.sh: --merge needs the sections to rerun" >&2; exit 2; }
[ ${#sections[@]} -gt 0 ] || sections=(client bulk sandbox receiver memory scenario pgqueue)
if [ -z "$out" ]; then
	if [ "$quick" = 1 ]; then out=bench/out/BENCHMARKS.quick.md; else out=docs/BENCHMARKS.md; fi
fi
export QUICK=$quick
mkdir -p bench/out "$(dirname "$out")"
. bench/lib.sh # checks the tools, builds the Release tree once
export BENCH_SUMMARY=$WORK/summary
: >"$BENCH_SUMMARY"
parts=$WORK/parts
mkdir -p "$parts"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)
for s in "${sections[@]}"; do
	echo "== bench: $s" >&2
	ts=$(date +%s)
	bash "bench/$s.sh" >"$parts/$s.md"
	echo "== bench: $s took $(($(date +%s) - ts)) s" >&2
done
elapsed=$(($(date +%s) - t0))

final=$out
[ "$merge" = 1 ] && [ -f "$out" ] && out=$WORK/new.md
cmd=bench/run.sh
[ "$quick" = 1 ] && cmd+=" --quick"
[ "$merge" = 1 ] && cmd+=" --merge"
[ ${#sections[@]} -lt 7 ] && cmd+=" ${sections[*]}"
{
	echo "# Benchmarks"
	echo
	echo "Written by \`$cmd\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with local changes)'),"
	echo "in $elapsed s. Binary: $(basename "$BUILD") ($(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || echo '?') build)."
	echo
	echo "Machine: $(machine)."
	echo "Load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg). Everything (load generators,"
	echo "servers, clients) runs on this one machine over loopback, so the figures are for the whole system on"
	echo "these cores; a busy machine lowers them. Reproduce with \`$cmd\` (README: Benchmarks)."
	echo
	echo "## Summary"
	echo
	echo "| item | figure | baseline or target | verdict |"
	echo "| --- | --- | --- | --- |"
	awk -F'|' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$BENCH_SUMMARY"
	echo
	for s in "${sections[@]}"; do
		cat "$parts/$s.md"
		echo
	done
} >"$out"
if [ "$out" != "$final" ]; then
	python3 bench/merge_report.py "$out" "$final"
	echo "bench: merged ${sections[*]} into $final in $elapsed s" >&2
else
	echo "bench: wrote $out in $elapsed s" >&2
fi
