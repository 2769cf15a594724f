#!/usr/bin/env bash
# Shell completion: the bash script registers itself and completes commands,
# subcommands, flags, flag values and saved connection names; the zsh script parses.
. "$(dirname "$0")/lib.sh"
: "${ONTRA_SOURCE_DIR:?}"

comp() { # words... -> COMPREPLY joined by spaces (completing the last word)
	bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_ontraport
		printf "%s " "${COMPREPLY[@]}"' _ "$ONTRA_SOURCE_DIR/completions/ontraport.bash" "$@"
}

run bash -c ". '$ONTRA_SOURCE_DIR/completions/ontraport.bash'; complete -p ontraport"
assert_rc 0 "complete -p"
assert_contains "$OUT" "-F _ontraport" "registered"

assert_eq "$(comp "$OP" obj)" "objects object-types " "ontraport obj<TAB>"
assert_eq "$(comp "$OP" connection r)" "remove " "subcommand"
assert_contains "$(comp "$OP" objects search --wh)" "--where" "flag"
assert_contains "$(comp "$OP" objects search --li)" "--limit" "flag"
assert_contains "$(comp "$OP" api GET /x --out)" "--output" "global flag"
assert_eq "$(comp "$OP" objects search --type con)" "contacts " "object type names"
assert_eq "$(comp "$OP" api GET /x -o n)" "ndjson " "output formats"
assert_contains "$(comp "$OP" watch --log)" "--log-format" "watch's --log-format"
assert_eq "$(comp "$OP" run x.yaml --log-format j)" "json " "log formats"
assert_not_contains "$(comp "$OP" "")" "__man" "hidden commands stay hidden"

printf 'k\n' | "$OP" connection add prod-eu --app-id A --api-key-stdin --no-verify >/dev/null
printf 'k\n' | "$OP" connection add prod-us --app-id A --api-key-stdin --no-verify >/dev/null
assert_eq "$(comp "$OP" api GET /x --profile prod)" "prod-eu prod-us " "profile names"

run zsh -n "$ONTRA_SOURCE_DIR/completions/_ontraport"
assert_rc 0 "zsh script parses"

finish
