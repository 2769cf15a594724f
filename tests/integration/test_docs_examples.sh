#!/usr/bin/env bash
# Every example in the user guide works as written: each ```sh block of
# docs/guide/*.md is run, a page at a time in one shell (so later blocks see
# what earlier ones made), against a fresh sandbox, with `ontraport` on PATH.
# A block fails the test when any of its commands fails (set -e): examples
# that show a failure say so with `|| echo`.
. "$(dirname "$0")/lib.sh"
: "${ONTRA_SOURCE_DIR:?}"

mkdir -p "$TMP/bin"
ln -s "$OP" "$TMP/bin/ontraport"
pages=0
blocks=0
for page in "$ONTRA_SOURCE_DIR"/docs/guide/*.md; do
	name=$(basename "$page" .md)
	script="$TMP/$name.sh"
	# The sh blocks, in order; a line "# -- block N" between them for the log.
	awk '/^```sh[[:space:]]*$/ { inblk = 1; n++; print "# -- block " n; next }
	     /^```/ { inblk = 0; next }
	     inblk { print }' "$page" >"$script"
	n=$(grep -c '^# -- block' "$script" || true)
	[ "$n" -gt 0 ] || continue
	pages=$((pages + 1))
	blocks=$((blocks + n))
	start_sandbox --rate-limit 100000/60s
	work="$TMP/work-$name"
	mkdir -p "$work"
	# Each page runs in its own directory with its own config, as a new user would.
	set +e
	(
		cd "$work"
		export PATH="$TMP/bin:$PATH" XDG_CONFIG_HOME="$work/config" HOME="$work"
		PS4='+ ' bash -eux "$script"
	) >"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
	set -e
	OUT=$(tail -c 2000 "$TMP/$name.out")
	ERR=$(tail -c 2000 "$TMP/$name.err")
	assert_rc 0 "docs/guide/$name.md examples (the trace ends with the failing command)"
	stop_sandbox
done
CHECKS=$((CHECKS + 1))
[ "$pages" -ge 5 ] && [ "$blocks" -ge 10 ] || fail "found only $blocks example blocks in $pages pages"
echo "ran $blocks example blocks from $pages pages"
finish
