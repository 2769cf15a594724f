#!/usr/bin/env bash
# Output that cannot be written is a failure, as in git and coreutils: a full
# disk (/dev/full) or a closed stdout gives exit 1 and one line "write error:
# ...", whatever the command; a reader that went away (EPIPE) ends the process
# quietly by SIGPIPE.
. "$(dirname "$0")/lib.sh"
[ -w /dev/full ] || { echo "no /dev/full" >&2; exit 1; }

# full CMD...: run CMD with stdout on /dev/full.
full() {
	set +e
	"$@" >/dev/full 2>"$TMP/err"
	RC=$?
	set -e
	OUT=""
	ERR=$(cat "$TMP/err")
}

for args in "--help" "objects --help" "objects search --help" "version" "--version"; do
	# shellcheck disable=SC2086
	full "$OP" $args
	assert_rc 1 "ontraport $args >/dev/full"
	assert_eq "$ERR" "ontraport: write error: No space left on device" "ontraport $args >/dev/full"
done

# A closed stdout.
set +e
# The binary itself: a wrapper (valgrind) would take the free descriptor 1 for its own files.
"$ONTRAPORT_BIN" --help >&- 2>"$TMP/err"
RC=$?
set -e
ERR=$(cat "$TMP/err")
assert_rc 1 "ontraport --help with stdout closed"
assert_eq "$ERR" "ontraport: write error: Bad file descriptor" "stdout closed"

# A data command against a sandbox: the answer arrived, but could not be written.
start_sandbox
op objects create firstname=Wendy email=wendy@example.com
assert_rc 0 "create"
full "$OP" --retries 0 objects search -o json
assert_rc 1 "objects search >/dev/full"
assert_eq "$ERR" "ontraport: write error: No space left on device" "objects search >/dev/full"
# A failure that has its own exit code keeps it; the write error is still said.
full "$OP" --retries 0 objects get 999999 -o json
assert_rc 4 "objects get (not found) >/dev/full"

# The reader has gone: with SIGPIPE ignored (inherited), the write fails with
# EPIPE, and the process ends by SIGPIPE without a word, as git does; with
# SIGPIPE at its default, the write itself ends it, also without a word.
epipe() {
	python3 - "$OP" "$1" "$2" <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)  # no reader, before the process starts: no race
p = subprocess.run(sys.argv[1:2] + sys.argv[3].split(), stdout=w, stderr=subprocess.PIPE,
                   restore_signals=(sys.argv[2] == "default"))
print(p.returncode, repr(p.stderr.decode()))
PY
}
OUT=$(epipe ignored "--help")
assert_eq "$OUT" "-13 ''" "--help into a closed pipe, SIGPIPE ignored"
OUT=$(epipe default "--help")
assert_eq "$OUT" "-13 ''" "--help into a closed pipe, SIGPIPE default"
OUT=$(epipe ignored "--retries 0 objects search -o ndjson")
assert_eq "$OUT" "-13 ''" "search into a closed pipe, SIGPIPE ignored"

# Ordinary output still works and exits 0.
op --help
assert_rc 0 "--help to a file"
assert_contains "$OUT" "usage: ontraport"
finish
