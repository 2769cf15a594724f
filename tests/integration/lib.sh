# Shared helpers for the shell integration tests: each test drives the real
# `ontraport` binary against a real sandbox process on a free loopback port.
# Source it first thing; it sets `set -euo pipefail` and a private $HOME.
set -euo pipefail

: "${ONTRAPORT_BIN:?set ONTRAPORT_BIN to the ontraport binary (ctest does)}"
OP="$ONTRAPORT_BIN"
TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ontra-$TEST_NAME.XXXXXX")
# ONTRA_TEST_WRAPPER (scripts/valgrind.sh): run every ontraport process, the
# sandbox included, as `WRAPPER BINARY ARGS...`.
if [ -n "${ONTRA_TEST_WRAPPER:-}" ]; then
	printf '#!/bin/sh\nexec %q %q "$@"\n' "$ONTRA_TEST_WRAPPER" "$ONTRAPORT_BIN" >"$TMP/ontraport"
	chmod +x "$TMP/ontraport"
	OP="$TMP/ontraport"
fi
export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data"
mkdir -p "$HOME"
unset ONTRAPORT_PROFILE ONTRAPORT_APP_ID ONTRAPORT_API_KEY ONTRAPORT_BASE_URL ONTRAPORT_CONFIG
export NO_COLOR=1
PIDS=()
FAILS=0
CHECKS=0

cleanup() {
	local p
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
	done
	if [ "$FAILS" -eq 0 ] && [ -z "${KEEP_TMP:-}" ]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT

fail() {
	FAILS=$((FAILS + 1))
	printf 'FAIL [%s:%s] %s\n' "$TEST_NAME" "${BASH_LINENO[1]:-?}" "$*" >&2
}

# run CMD...: runs it, capturing $OUT, $ERR and $RC; never aborts the test.
run() {
	set +e
	"$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	set -e
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

# op ARGS...: run the ontraport binary.
op() { run "$OP" "$@"; }

assert_rc() {
	CHECKS=$((CHECKS + 1))
	if [ "$RC" -ne "$1" ]; then
		fail "${2:-command} exited $RC, expected $1; stderr: $ERR; stdout: ${OUT:0:300}"
	fi
}
assert_eq() {
	CHECKS=$((CHECKS + 1))
	[ "$1" == "$2" ] || fail "${3:-value}: got '$1', expected '$2'"
}
assert_contains() {
	CHECKS=$((CHECKS + 1))
	case "$1" in *"$2"*) ;; *) fail "${3:-text} does not contain '$2': ${1:0:400}" ;; esac
}
assert_not_contains() {
	CHECKS=$((CHECKS + 1))
	case "$1" in *"$2"*) fail "${3:-text} contains '$2': ${1:0:400}" ;; *) ;; esac
}
# assert_one_line TEXT: an error message is exactly one line.
assert_one_line() {
	CHECKS=$((CHECKS + 1))
	local n
	n=$(printf '%s' "$1" | grep -c '' || true)
	[ "$n" -le 1 ] || fail "${2:-message} is $n lines, expected one: $1"
}
# assert_jq JSON FILTER EXPECTED
assert_jq() {
	CHECKS=$((CHECKS + 1))
	local got
	got=$(printf '%s' "$1" | jq -r "$2" 2>&1) || { fail "jq '$2' failed on: ${1:0:300}"; return; }
	[ "$got" == "$3" ] || fail "jq '$2': got '$got', expected '$3'"
}

# start_sandbox [extra sandbox args...]: starts a sandbox on a free port and
# exports ONTRAPORT_BASE_URL/APP_ID/API_KEY for the commands that follow.
# Sets SBX_PID, SBX_URL, SBX_TOKEN. DB defaults to :memory: (set SBX_DB to a file).
start_sandbox() {
	local out="$TMP/sandbox.$RANDOM.out" i
	"$OP" sandbox --port 0 --db "${SBX_DB:-:memory:}" --quiet "$@" >"$out" 2>>"$TMP/sandbox.err" &
	SBX_PID=$!
	PIDS+=("$SBX_PID")
	for i in $(seq 1 $((200 * ${ONTRA_TEST_TIME_SCALE:-1}))); do
		grep -q '^ONTRAPORT_SANDBOX_TOKEN=' "$out" 2>/dev/null && break
		kill -0 "$SBX_PID" 2>/dev/null || { cat "$TMP/sandbox.err" >&2; echo "sandbox died" >&2; exit 1; }
		sleep 0.05
	done
	grep -q '^ONTRAPORT_SANDBOX_TOKEN=' "$out" || { echo "sandbox did not start" >&2; exit 1; }
	SBX_URL=$(sed -n 's/^ONTRAPORT_BASE_URL=//p' "$out")
	SBX_APP=$(sed -n 's/^ONTRAPORT_APP_ID=//p' "$out")
	SBX_KEY=$(sed -n 's/^ONTRAPORT_API_KEY=//p' "$out")
	SBX_TOKEN=$(sed -n 's/^ONTRAPORT_SANDBOX_TOKEN=//p' "$out")
	SBX_ROOT=${SBX_URL%/1}
	export ONTRAPORT_BASE_URL="$SBX_URL" ONTRAPORT_APP_ID="$SBX_APP" ONTRAPORT_API_KEY="$SBX_KEY"
}

# stop_sandbox: SIGTERM, and check it shut down cleanly (under ASan, a leak
# or memory error in the sandbox makes its exit status non-zero).
stop_sandbox() {
	local rc=0
	[ -n "${SBX_PID:-}" ] || return 0
	kill -TERM "$SBX_PID" 2>/dev/null || true
	wait "$SBX_PID" 2>/dev/null || rc=$?
	CHECKS=$((CHECKS + 1))
	if [ "$rc" -ne 0 ]; then
		fail "sandbox exited with status $rc: $(tail -c 3000 "$TMP/sandbox.err")"
	fi
	SBX_PID=""
}

# control METHOD PATH [curl args...]: call the sandbox's control API; prints the body.
control() {
	local m=$1 p=$2
	shift 2
	curl -sS -X "$m" -H "X-Sandbox-Token: $SBX_TOKEN" "$SBX_ROOT/_sandbox/$p" "$@"
}

# requests_seen: the number of API requests the sandbox has seen.
requests_seen() { control GET stats | jq -r .requests; }

# start_watch NAME [watch args...]: runs `ontraport watch --db $TMP/NAME.db ARGS` in the
# background, stdout to $TMP/NAME.out, stderr to $TMP/NAME.err, and waits for its
# "listening on URL" line. Sets WATCH_PID and WATCH_URL (the URL as printed; the token is
# masked unless --no-subscribe) and records the pid as W_<NAME>.
start_watch() {
	local name=$1 i before
	shift
	before=$(grep -c 'listening on ' "$TMP/$name.err" 2>/dev/null || true)
	"$OP" watch --db "$TMP/$name.db" "$@" >>"$TMP/$name.out" 2>>"$TMP/$name.err" &
	WATCH_PID=$!
	PIDS+=("$WATCH_PID")
	printf -v "W_$name" '%s' "$WATCH_PID"
	for i in $(seq 1 $((300 * ${ONTRA_TEST_TIME_SCALE:-1}))); do
		[ "$(grep -c 'listening on ' "$TMP/$name.err" 2>/dev/null || true)" -gt "${before:-0}" ] && break
		kill -0 "$WATCH_PID" 2>/dev/null || { cat "$TMP/$name.err" >&2; echo "watch $name died" >&2; exit 1; }
		sleep 0.05
	done
	WATCH_URL=$(sed -n 's/^ontraport watch: listening on //p' "$TMP/$name.err" | tail -1)
	[ -n "$WATCH_URL" ] || { cat "$TMP/$name.err" >&2; echo "watch $name did not start" >&2; exit 1; }
}

# stop_watch NAME [SIGNAL]: stop it (SIGINT by default) and check it exits 0.
stop_watch() {
	local name=$1 sig=${2:-INT} pid rc=0
	pid=$(eval "echo \${W_$name:-}")
	[ -n "$pid" ] || return 0
	kill "-$sig" "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || rc=$?
	CHECKS=$((CHECKS + 1))
	[ "$rc" -eq 0 ] || fail "watch $name exited with status $rc: $(tail -c 2000 "$TMP/$name.err")"
	printf -v "W_$name" '%s' ""
}

# wait_lines FILE N [SECONDS]: until FILE has at least N lines (default 10 s); 1 on timeout.
wait_lines() {
	local i limit=$(( ${3:-10} * 20 * ${ONTRA_TEST_TIME_SCALE:-1} ))
	for i in $(seq 1 "$limit"); do
		[ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# wait_for FILE TEXT: until FILE holds TEXT (10 s, scaled); 1 on timeout.
wait_for() {
	local i
	for i in $(seq 1 $((200 * ${ONTRA_TEST_TIME_SCALE:-1}))); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# deliveries_settled: wait until the sandbox has no webhook delivery queued or in flight.
deliveries_settled() {
	local i
	for i in $(seq 1 $((200 * ${ONTRA_TEST_TIME_SCALE:-1}))); do
		[ "$(control GET deliveries | jq -r .pending)" = 0 ] && return 0
		sleep 0.05
	done
	return 1
}

finish() {
	stop_sandbox
	if [ "$FAILS" -ne 0 ]; then
		echo "$TEST_NAME: $FAILS of $CHECKS checks failed" >&2
		exit 1
	fi
	echo "$TEST_NAME: all $CHECKS checks passed"
}
