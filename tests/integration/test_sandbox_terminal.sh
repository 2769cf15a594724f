#!/usr/bin/env bash
# `ontraport sandbox` on a terminal (a pty from script(1)): in the foreground
# it says where it listens and logs each request; started in the background
# (`ontraport sandbox &` with job control) it prints its address lines on
# stdout and nothing on the terminal the user goes on typing in, unless -v or
# --log asks for the log.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "no script(1) (util-linux)" >&2; exit 1; }
SCALE=${ONTRA_TEST_TIME_SCALE:-1} # the waits below stretch under valgrind

# on_terminal MONITOR SANDBOX-ARGS...: in a pty, start a sandbox (as a
# background job when MONITOR is -m, else in the shell's own process group),
# make one API request, stop it. $OUT is what the terminal showed. When the
# request's log line is expected (the foreground, -v, --log), the sandbox is
# stopped once the terminal shows it (under memcheck it can come late); else
# after a pause.
on_terminal() {
	local monitor=$1 logged=0 a
	shift
	[ "$monitor" = +m ] && logged=1
	for a in "$@"; do case $a in -v | --log) logged=1 ;; esac; done
	cat >"$TMP/term.sh" <<SH
set $monitor
'$OP' sandbox --port 0 --db :memory: $* >'$TMP/term.env' &
pid=\$!
for i in \$(seq $((100 * SCALE))); do grep -q SANDBOX_TOKEN '$TMP/term.env' 2>/dev/null && break; sleep 0.05; done
url=\$(sed -n 's/^ONTRAPORT_BASE_URL=//p' '$TMP/term.env')
curl -s -o /dev/null -H 'Api-Key: Key5678' -H 'Api-Appid: 2_AppID_12345678' "\$url/Contacts"
if [ $logged = 1 ]; then
	for i in \$(seq $((100 * SCALE))); do grep -q 'GET /1/Contacts' '$TMP/typescript' && break; sleep 0.05; done
else
	sleep $(awk "BEGIN { print 0.2 * $SCALE }")
fi
kill -TERM \$pid; wait \$pid
echo "exit \$?"
SH
	run script -qfec "bash '$TMP/term.sh'" "$TMP/typescript"
	OUT=$(printf '%s' "$OUT" | tr -d '\r')
}

on_terminal +m
assert_contains "$OUT" "exit 0" "foreground"
assert_contains "$OUT" "ontraport sandbox: listening on http://127.0.0.1:" "foreground"
assert_contains "$OUT" "GET /1/Contacts 200" "foreground: the request log"

on_terminal -m
assert_contains "$OUT" "exit 0" "background"
assert_eq "$(printf '%s' "$OUT" | grep -v '^exit ' || true)" "" "what a background sandbox shows on the terminal"
assert_contains "$(cat "$TMP/term.env")" "ONTRAPORT_BASE_URL=http://127.0.0.1:" "background: the address on stdout"

on_terminal -m -v
assert_contains "$OUT" "ontraport sandbox: listening on" "background with -v"
assert_contains "$OUT" "GET /1/Contacts 200" "background with -v: the request log"
on_terminal -m --log
assert_contains "$OUT" "GET /1/Contacts 200" "background with --log: the request log"

finish
