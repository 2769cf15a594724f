#!/usr/bin/env bash
# Help, man pages and the library page say the same: every command's --help
# options and synopsis appear in its generated man page, every public function
# is listed in libontraport(3), and the man pages render without warnings.
. "$(dirname "$0")/lib.sh"
: "${ONTRA_BUILD_DIR:?}" "${ONTRA_SOURCE_DIR:?}"

pages=$("$OP" __man --list)
for page in $pages; do
	man="$ONTRA_BUILD_DIR/man/$page.1"
	CHECKS=$((CHECKS + 1))
	[ -s "$man" ] || { fail "no generated page $man"; continue; }
	# The page on disk is what the binary generates now (the build is not stale).
	assert_eq "$("$OP" __man "$page" | md5sum)" "$(md5sum <"$man")" "$page.1 is current"
	text=$(MANWIDTH=200 man -l "$man" 2>"$TMP/manerr" | col -b)
	assert_eq "$(grep -v '^$' "$TMP/manerr" || true)" "" "$page renders without warnings"
	cmd=${page#ontraport}
	cmd=${cmd#-}
	# Every subcommand (or the command) and each of its options.
	subs=$("$OP" __complete -- 2 ontraport "$cmd" "" 2>/dev/null || true)
	[ "$cmd" = "" ] && subs=""
	for sub in "" $subs; do
		# shellcheck disable=SC2086
		help=$("$OP" $cmd $sub --help 2>/dev/null) || continue
		for opt in $(printf '%s\n' "$help" | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+'); do
			assert_contains "$text" "$opt" "$page mentions $opt (from '$cmd $sub --help')"
		done
		syn=$(printf '%s\n' "$help" | sed -n '1s/^usage: //p' | tr -s ' ')
		[ -n "$sub" ] && assert_contains "$(printf '%s' "$text" | tr -s ' \n' '  ')" "$syn" "$page synopsis of $sub"
	done
done

# libontraport(3) names every public function of the header.
lib3="$ONTRA_SOURCE_DIR/docs/man/libontraport.3"
for fn in $(grep -oE 'ONTRA_EXTERN [^(]*\(' "$ONTRA_SOURCE_DIR/include/ontraport.h" | grep -oE 'ontra_[a-z0-9_]+ *\($' | tr -d ' ('); do
	assert_contains "$(cat "$lib3")" "$fn" "libontraport.3 lists $fn"
done
assert_eq "$(man -l "$lib3" 2>&1 >/dev/null)" "" "libontraport.3 renders without warnings"

# Every public function has a doc comment right above its declaration (what it
# does, who owns what it returns, its errors).
undocumented=$(awk '/^ONTRA_EXTERN/ { if (prev !~ /\*\/[[:space:]]*$/) print $0 }
	{ if ($0 !~ /^[[:space:]]*$/) prev = $0 }' "$ONTRA_SOURCE_DIR/include/ontraport.h")
assert_eq "$undocumented" "" "public functions without a doc comment"

finish
