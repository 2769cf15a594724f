#!/usr/bin/env bash
# The API key appears nowhere: not in `connection list`, not in -v/-vv request
# logs, not in error messages, not in the process list, not in a world-readable file.
. "$(dirname "$0")/lib.sh"
KEY="sk-live-9f8e7d6c5b4a3210-TOPSECRET"
# The binary itself: a wrapper (valgrind) would show the key in its own argv.
OP="$ONTRAPORT_BIN" start_sandbox --api-key "$KEY"

op api GET /Contacts -vv
assert_rc 0 "-vv call"
assert_contains "$ERR" "> GET $SBX_URL/Contacts" "request log"
assert_contains "$ERR" "Api-Key: ****" "masked key header"
assert_contains "$ERR" "Api-Appid: $SBX_APP" "app id is not secret"
assert_contains "$ERR" "< 200" "response log"
assert_not_contains "$ERR" "$KEY" "-vv log"
assert_not_contains "$OUT" "$KEY" "-vv output"

# Errors: wrong key, unreachable server, server error text.
ONTRAPORT_API_KEY="$KEY-wrong" op api GET /Contacts -vv
assert_rc 3
assert_not_contains "$ERR$OUT" "$KEY" "auth error output"
op api GET /Contacts -vv --retries 0 --base-url http://127.0.0.1:9/1
assert_rc 8
assert_not_contains "$ERR$OUT" "$KEY" "network error output"

# Saved connection: list, test and the config file's mode.
unset ONTRAPORT_API_KEY
run bash -c "printf '%s\n' '$KEY' | '$OP' connection add s --app-id '$SBX_APP' --api-key-stdin -vv"
assert_rc 0 "add"
assert_not_contains "$ERR$OUT" "$KEY" "add output and log"
op connection list -o json
assert_not_contains "$OUT$ERR" "$KEY" "list"
op connection list -o csv
assert_not_contains "$OUT$ERR" "$KEY" "list csv"
op connection test s -vv
assert_rc 0
assert_not_contains "$OUT$ERR" "$KEY" "test"
assert_eq "$(stat -c %a "$XDG_CONFIG_HOME/ontraport/config.json")" 600 "config mode"

# The process list: a key given with --api-key is scrubbed from argv at once.
# A listener that accepts but never answers keeps the command waiting long enough to look.
port_file="$TMP/port"
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1])); time.sleep(30)' "$port_file" &
PIDS+=($!)
for i in $(seq 1 $((100 * ${ONTRA_TEST_TIME_SCALE:-1}))); do [ -s "$port_file" ] && break; sleep 0.05; done
# The binary itself, not $OP: a wrapper (valgrind) would show the key in its own argv.
"$ONTRAPORT_BIN" connection add hang --app-id X --api-key "$KEY" --base-url "http://127.0.0.1:$(cat "$port_file")/1" --timeout 3 --retries 0 >/dev/null 2>"$TMP/hang.err" &
hang=$!
PIDS+=("$hang")
sleep 0.5
if [ -r "/proc/$hang/cmdline" ]; then
	cmdline=$(tr '\0' ' ' <"/proc/$hang/cmdline")
	assert_contains "$cmdline" "connection add hang" "the process is the one we started"
	assert_not_contains "$cmdline" "$KEY" "process list"
	assert_not_contains "$(ps -eo args)" "$KEY" "ps output"
else
	fail "the waiting process ended too early to inspect"
fi
wait "$hang" || true
assert_not_contains "$(cat "$TMP/hang.err")" "$KEY" "timeout error"

finish
