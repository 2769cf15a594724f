#!/usr/bin/env bash
# The sandbox's control token stays out of the process list: --control-token
# is scrubbed from argv as --api-key is, and --control-token-file FILE or
# ONTRAPORT_SANDBOX_CONTROL_TOKEN give it without putting it on the command line.
. "$(dirname "$0")/lib.sh"
# The binary itself: a wrapper (valgrind) would show the token in its own argv.
OP="$ONTRAPORT_BIN"
TOK="ctl-5e4d3c2b1a-TOKENSECRET"
KEY="sbx-key-0f1e2d3c-KEYSECRET"

# control_ok TOKEN: the control API answers 200 to TOKEN and 401 to another.
control_ok() {
	local code
	code=$(curl -sS -o /dev/null -w '%{http_code}' -H "X-Sandbox-Token: $1" "$SBX_ROOT/_sandbox/stats")
	assert_eq "$code" 200 "control API with the token"
	code=$(curl -sS -o /dev/null -w '%{http_code}' -H "X-Sandbox-Token: $1-not" "$SBX_ROOT/_sandbox/stats")
	assert_eq "$code" 401 "control API with another token"
}
# argv_clean WHAT SECRET...: the sandbox's command line holds none of the secrets.
argv_clean() {
	local what=$1 cmdline s
	shift
	cmdline=$(tr '\0' ' ' <"/proc/$SBX_PID/cmdline")
	assert_contains "$cmdline" "sandbox --port 0" "$what: the process is the sandbox"
	for s in "$@"; do
		assert_not_contains "$cmdline" "$s" "$what: /proc/PID/cmdline"
		assert_not_contains "$(ps -eo args)" "$s" "$what: ps"
	done
}

start_sandbox --control-token "$TOK" --api-key "$KEY"
assert_eq "$SBX_TOKEN" "$TOK" "the token printed for scripts"
argv_clean "--control-token" "$TOK" "$KEY"
control_ok "$TOK"
stop_sandbox

printf '%s\n' "$TOK-file" >"$TMP/token"
chmod 600 "$TMP/token"
start_sandbox --control-token-file "$TMP/token"
assert_eq "$SBX_TOKEN" "$TOK-file" "--control-token-file: the first line"
control_ok "$TOK-file"
stop_sandbox

ONTRAPORT_SANDBOX_CONTROL_TOKEN="$TOK-env" start_sandbox
assert_eq "$SBX_TOKEN" "$TOK-env" "ONTRAPORT_SANDBOX_CONTROL_TOKEN"
control_ok "$TOK-env"
stop_sandbox
# The command line beats the environment.
ONTRAPORT_SANDBOX_CONTROL_TOKEN="$TOK-env" start_sandbox --control-token "$TOK-arg"
assert_eq "$SBX_TOKEN" "$TOK-arg" "--control-token over the environment"
stop_sandbox
# An empty variable is unset: a random token.
ONTRAPORT_SANDBOX_CONTROL_TOKEN= start_sandbox
CHECKS=$((CHECKS + 1))
[[ "$SBX_TOKEN" =~ ^[0-9a-f]{32}$ ]] || fail "empty variable: token '$SBX_TOKEN' is not random hex"
stop_sandbox

# Bad token sources: a usage error naming the source, never the token.
sbx() { op sandbox --port 0 --db :memory: --quiet "$@"; }
sbx --control-token "$TOK" --control-token-file "$TMP/token"
assert_rc 2 "both --control-token and --control-token-file"
assert_contains "$ERR" "--control-token and --control-token-file are exclusive"
assert_not_contains "$ERR$OUT" "$TOK" "exclusive"
: >"$TMP/empty"
sbx --control-token-file "$TMP/empty"
assert_rc 2 "an empty token file"
assert_contains "$ERR" "invalid control token from --control-token-file: expected 1 to 1023 printable characters without blanks"
sbx --control-token-file "$TMP/missing"
assert_rc 1 "a missing token file"
assert_contains "$ERR" "cannot read '$TMP/missing'"
ONTRAPORT_SANDBOX_CONTROL_TOKEN="two words" sbx
assert_rc 2 "a token with a blank"
assert_contains "$ERR" "invalid control token from ONTRAPORT_SANDBOX_CONTROL_TOKEN"
assert_not_contains "$ERR" "two words" "the bad token is not quoted"
sbx --control-token "$(printf 'x%.0s' $(seq 1 1100))"
assert_rc 2 "a token too long"
assert_contains "$ERR" "--control-token is too long (at most 1023 bytes)"

finish
