#!/usr/bin/env bash
# Help, man pages and the library page say the same: every command has a
# generated man page (ontraport-GROUP-COMMAND(1) for a command of a group, as
# git), whose options and synopsis are those of its --help; every public function
# is listed in libontraport(3), and the man pages render without warnings.
. "$(dirname "$0")/lib.sh"
: "${ONTRA_BUILD_DIR:?}" "${ONTRA_SOURCE_DIR:?}"

# The command words of each page, from the command tree as completion walks
# it: ontraport, ontraport-CMD, ontraport-GROUP-CMD (one page a command, as git).
declare -A words=([ontraport]="")
for cmd in $("$OP" __complete -- 1 ontraport ""); do
	words[ontraport-$cmd]=$cmd
	for sub in $("$OP" __complete -- 2 ontraport "$cmd" ""); do
		words[ontraport-$cmd-$sub]="$cmd $sub"
	done
done
pages=$("$OP" __man --list)
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' $pages | sort)" = "$(printf '%s\n' "${!words[@]}" | sort)" ] ||
	fail "pages and commands differ: $(diff <(printf '%s\n' $pages | sort) <(printf '%s\n' "${!words[@]}" | sort) | tr '\n' ' ')"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' $pages | grep -c -- '-.*-')" -ge 30 ] || fail "too few pages of commands of a group: $pages"
# The build made exactly these pages (none left of a command that went).
assert_eq "$(cd "$ONTRA_BUILD_DIR/man" && ls -- *.1 | sort)" "$(printf '%s.1\n' $pages | sort)" "the pages in the build"
for page in $pages; do
	man="$ONTRA_BUILD_DIR/man/$page.1"
	CHECKS=$((CHECKS + 1))
	[ -s "$man" ] || { fail "no generated page $man"; continue; }
	# The page on disk is what the binary generates now (the build is not stale).
	assert_eq "$("$OP" __man "$page" | md5sum)" "$(md5sum <"$man")" "$page.1 is current"
	text=$(MANWIDTH=200 man -l "$man" 2>"$TMP/manerr" | col -b)
	assert_eq "$(grep -v '^$' "$TMP/manerr" || true)" "" "$page renders without warnings"
	flat=$(printf '%s' "$text" | tr -s ' \n' '  ')
	# Help names the module a command stands for, not the spec it was written from.
	assert_not_contains "$flat" "the seed" "$page"
	assert_not_contains "$flat" "seed's" "$page"
	cmd=${words[$page]-}
	# shellcheck disable=SC2086
	help=$("$OP" $cmd --help 2>/dev/null) || { fail "'ontraport $cmd --help' failed"; continue; }
	# Each option of the command's --help; its synopsis, and its summary in NAME.
	for opt in $(printf '%s\n' "$help" | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+'); do
		assert_contains "$text" "$opt" "$page mentions $opt (from '$cmd --help')"
	done
	case "$cmd" in
	*" "*)
		syn=$(printf '%s\n' "$help" | sed -n '1s/^usage: //p' | tr -s ' ')
		assert_contains "$flat" "$syn" "$page synopsis"
		# The group's page has it too, and points here.
		group=$(MANWIDTH=200 man -l "$ONTRA_BUILD_DIR/man/ontraport-${cmd%% *}.1" 2>/dev/null | col -b | tr -s ' \n' '  ')
		assert_contains "$group" "$syn" "ontraport-${cmd%% *} has the synopsis of $cmd"
		assert_contains "$group" "See $page(1)." "ontraport-${cmd%% *} points to $page"
		assert_contains "$flat" "SEE ALSO ontraport(1), ontraport-${cmd%% *}(1)," "$page points back"
		;;
	esac
done
# A page is found by any of the names a reader would type.
for name in objects-search ontraport-objects-search "objects search"; do
	op __man "$name"
	assert_rc 0 "__man '$name'"
	assert_contains "$OUT" '.TH "ONTRAPORT-OBJECTS-SEARCH" 1' "__man '$name'"
done
op __man objects-serch
assert_rc 2 "__man of no page"
assert_contains "$ERR" "no manual page 'objects-serch'"

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
