#!/usr/bin/env bash
# Colour only where it helps: on a terminal (a pty from script(1)), never when
# piped, never with NO_COLOR set (https://no-color.org) or TERM=dumb.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "script(1) is missing (bsdutils)" >&2; exit 1; }
start_sandbox
op objects create firstname=Tess email=tess@example.com

ESC=$(printf '\033')
# tty CMD...: run CMD on a pseudo-terminal; OUT holds what the terminal showed.
tty_run() {
	local cmd
	printf -v cmd '%q ' "$@"
	OUT=$(env -u NO_COLOR TERM=xterm script -qec "$cmd" /dev/null 2>&1 </dev/null || true)
}

tty_run "$OP" objects get x
assert_contains "$OUT" "${ESC}[1;31montraport:${ESC}[0m" "error prefix in red on a terminal"
tty_run "$OP" objects search -o table
assert_contains "$OUT" "${ESC}[1m" "bold table header on a terminal"
assert_contains "$OUT" "tess@example.com"

# NO_COLOR and TERM=dumb turn it off on a terminal too.
printf -v cmd '%q ' "$OP" objects get x
OUT=$(NO_COLOR=1 script -qec "$cmd" /dev/null 2>&1 </dev/null || true)
assert_not_contains "$OUT" "$ESC" "NO_COLOR"
assert_contains "$OUT" "ontraport: invalid id"
OUT=$(env -u NO_COLOR TERM=dumb script -qec "$cmd" /dev/null 2>&1 </dev/null || true)
assert_not_contains "$OUT" "$ESC" "TERM=dumb"

# Piped: never, even without NO_COLOR.
run env -u NO_COLOR "$OP" objects get x
assert_not_contains "$ERR" "$ESC" "stderr to a pipe"
run env -u NO_COLOR "$OP" objects search -o table
assert_not_contains "$OUT" "$ESC" "stdout to a pipe"

finish
