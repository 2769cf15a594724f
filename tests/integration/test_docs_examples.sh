#!/usr/bin/env bash
# Every example in the user guide works as read: each ```sh block of
# docs/guide/*.md is run, a page at a time in one shell (so later blocks see
# what earlier ones made), exactly as a reader who followed getting-started.md
# would run it: a fresh HOME, no ONTRAPORT_* or XDG_* variables, `ontraport` on
# PATH, and `ontraport sandbox` started with no options, so at its default
# address (127.0.0.1:8517) with its default credentials and data under the
# fresh HOME. Nothing points the commands at it: they find it the way a
# reader's commands do, as the fallback with no connection configured.
# A block fails the test when any of its commands fails (set -e): examples
# that show a failure say so with `|| echo`.
#
# The default port is one per machine, so two runs at once (ctest -j2, or two
# worktrees) would collide. The test runs in a network namespace of its own
# (unshare -rn: a private loopback, as a reader's own machine has) when the
# system allows one; else it holds a lock on the port
# (${TMPDIR:-/tmp}/ontraport-sandbox-8517.lock, flock) and CMake gives it
# RESOURCE_LOCK sandbox_default_port, so ctest never starts two such tests at once.
if [ -z "${ONTRA_DOCS_NETNS:-}" ] && [ -z "${ONTRA_DOCS_NO_NETNS:-}" ] &&
	unshare -rn sh -c 'ip link set lo up' 2>/dev/null; then
	exec env ONTRA_DOCS_NETNS=1 unshare -rn bash -c 'ip link set lo up && exec bash "$0"' "$0"
fi
. "$(dirname "$0")/lib.sh"
: "${ONTRA_SOURCE_DIR:?}"
PORT=8517

if [ -z "${ONTRA_DOCS_NETNS:-}" ]; then
	exec 9>"${TMPDIR:-/tmp}/ontraport-sandbox-$PORT.lock"
	flock -w 540 9 || { echo "port $PORT: another run held the lock for 9 minutes" >&2; exit 1; }
fi
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; then
	echo "port $PORT is in use (a sandbox of your own?): stop it, or run where unshare -rn works" >&2
	exit 1
fi

mkdir -p "$TMP/bin"
ln -s "$OP" "$TMP/bin/ontraport"
# What the reader's shell has: their PATH (with ontraport on it), a new HOME;
# none of the toolkit's variables, nor those lib.sh sets for the other tests.
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME NO_COLOR
unset ONTRAPORT_PROFILE ONTRAPORT_APP_ID ONTRAPORT_API_KEY ONTRAPORT_BASE_URL ONTRAPORT_CONFIG
export PATH="$TMP/bin:$PATH"

# reader_sandbox DIR: `ontraport sandbox &` as getting-started.md shows it, run
# from DIR with HOME=DIR; its printed lines in DIR/sandbox.out, its log in $TMP/sandbox.err. Sets SBX_PID and SBX_TOKEN.
reader_sandbox() {
	local i
	(cd "$1" && HOME="$1" exec ontraport sandbox >sandbox.out 2>>"$TMP/sandbox.err") &
	SBX_PID=$!
	PIDS+=("$SBX_PID")
	for i in $(seq 1 $((200 * ${ONTRA_TEST_TIME_SCALE:-1}))); do
		grep -q '^ONTRAPORT_SANDBOX_TOKEN=' "$1/sandbox.out" 2>/dev/null && break
		kill -0 "$SBX_PID" 2>/dev/null || { cat "$TMP/sandbox.err" >&2; echo "sandbox died" >&2; exit 1; }
		sleep 0.05
	done
	SBX_TOKEN=$(sed -n 's/^ONTRAPORT_SANDBOX_TOKEN=//p' "$1/sandbox.out")
	[ -n "$SBX_TOKEN" ] || { echo "sandbox did not start" >&2; exit 1; }
	SBX_ROOT="http://127.0.0.1:$PORT"
	assert_eq "$(sed -n 's/^ONTRAPORT_BASE_URL=//p' "$1/sandbox.out")" "$SBX_ROOT/1" "the sandbox's default address"
}

pages=0
blocks=0
requests=0
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
	work="$TMP/work-$name"
	mkdir -p "$work"
	reader_sandbox "$work"
	# The control API's token is the one thing the reader copies from what the
	# sandbox printed (objects.md says so where it uses it).
	set +e
	(
		cd "$work"
		export HOME="$work" ONTRAPORT_SANDBOX_TOKEN="$SBX_TOKEN"
		PS4='+ ' bash -eux "$script"
	) >"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
	set -e
	OUT=$(tail -c 2000 "$TMP/$name.out")
	ERR=$(tail -c 2000 "$TMP/$name.err")
	assert_rc 0 "docs/guide/$name.md examples (the trace ends with the failing command)"
	requests=$((requests + $(control GET stats | jq -r .requests)))
	stop_sandbox
done

# The fallback as a reader meets it: silent while it works, said with -v, and
# named in the error when no sandbox runs there.
work="$TMP/work-fallback"
mkdir -p "$work"
reader_sandbox "$work"
run env HOME="$work" ontraport objects search --count
assert_rc 0 "objects search with nothing configured"
assert_eq "$ERR" "" "stderr of a command that found the sandbox by itself"
run env HOME="$work" ontraport -v objects search --count
assert_contains "$ERR" "no connection configured; using the local sandbox at http://127.0.0.1:$PORT/1" "-v"
stop_sandbox
run env HOME="$work" ontraport objects search --count --retries 0
assert_rc 8 "objects search with no sandbox running"
assert_one_line "$ERR"
assert_contains "$ERR" "cannot reach http://127.0.0.1:$PORT/1"
assert_contains "$ERR" "no connection is configured, so this was the local sandbox: start it with 'ontraport sandbox &'"

CHECKS=$((CHECKS + 1))
[ "$pages" -ge 5 ] && [ "$blocks" -ge 10 ] || fail "found only $blocks example blocks in $pages pages"
# The commands found the sandbox by themselves (not, say, by failing early).
CHECKS=$((CHECKS + 1))
[ "$requests" -ge 50 ] || fail "the examples made only $requests requests to the sandbox"
echo "ran $blocks example blocks from $pages pages, $requests requests to the sandbox"
finish
