#!/usr/bin/env bash
# Bad input of every kind: a one-line error naming the problem, the documented
# exit code, no crash, and nothing sent when the mistake is caught locally.
. "$(dirname "$0")/lib.sh"
start_sandbox

check() { # expected-rc what-the-error-says description -- command...
	local want=$1 says=$2 what=$3
	shift 4
	op "$@"
	assert_rc "$want" "$what"
	assert_contains "$ERR" "$says" "$what"
	assert_one_line "$(printf '%s' "$ERR" | grep -v "^Run 'ontraport")" "$what"
	[ "$RC" -lt 128 ] || fail "$what crashed with signal $((RC - 128))"
}

before=$(requests_seen)
check 2 "unknown command 'contcts'" "unknown command" -- contcts
check 2 "unknown command 'connection lst'" "unknown subcommand" -- connection lst
check 2 "unknown option '--jsn'" "unknown flag" -- api GET /Contacts --jsn '{}'
check 2 "did you mean '--json'" "flag suggestion" -- api GET /Contacts --jsn '{}'
check 2 "unknown option '-Z'" "unknown short flag" -- api GET /Contacts -Z
check 2 "needs a value" "flag without its value" -- api GET /Contacts -H
check 2 "malformed header 'NoColon'" "malformed -H" -- api GET /Contacts -H NoColon
check 2 "malformed header" "-H with a space in the name" -- api GET /Contacts -H 'Bad Name: x'
check 2 "malformed parameter 'range'" "malformed -q" -- api GET /Contacts -q range
check 2 "malformed parameter '=5'" "-q with an empty key" -- api GET /Contacts -q =5
check 2 "malformed parameter 'firstname'" "malformed -d" -- api POST /Contacts -d firstname
check 2 "invalid JSON in --json" "invalid JSON" -- api POST /objects --json '{"objectID":0,'
check 2 "use one" "-d and --json together" -- api POST /objects --json '{}' -d a=b
check 2 "invalid method 'FETCH'" "unknown method" -- api FETCH /Contacts
check 2 "missing arguments" "missing path" -- api GET
check 2 "unexpected argument" "extra argument" -- api GET /Contacts extra
check 2 "invalid output format 'xml'" "bad --output" -- api GET /Contacts -o xml
check 2 "invalid value 'soon' for --timeout" "bad --timeout" -- api GET /Contacts --timeout soon
check 1 "cannot read" "missing --json file" -- api POST /objects --json @/nonexistent/file.json
check 5 "invalid base url" "base url without scheme" -- api GET /Contacts --base-url 127.0.0.1:1
assert_eq "$(requests_seen)" "$before" "nothing was sent for local mistakes"

# An unreachable base URL: network error.
check 8 "cannot reach http://127.0.0.1:9/1" "unreachable base url" -- --retries 0 api GET /Contacts --base-url http://127.0.0.1:9/1
check 8 "cannot reach" "unreachable, connection test" -- --retries 0 connection test --base-url http://127.0.0.1:9/1

# A server that answers something that is not the API's JSON: bad response.
mkdir -p "$TMP/www/1/objects"
printf '<html><head><title>Gateway</title></head><body>hi</body></html>\n' >"$TMP/www/1/objects/meta"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$TMP/www" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
PIDS+=($!)
for i in $(seq 1 $((100 * ${ONTRA_TEST_TIME_SCALE:-1}))); do curl -s "http://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.05; done
check 9 "not JSON" "non-JSON response" -- --retries 0 connection test --base-url "http://127.0.0.1:$port/1"

# A wrong key: auth, with the server's text.
ONTRAPORT_API_KEY=wrong op api GET /Contacts
assert_rc 3 "wrong key"
assert_contains "$ERR" "Your App ID and API Key do not authenticate."
assert_one_line "$ERR"

# Help works everywhere and exits 0.
for c in "" "connection" "connection add" "connection list" "connection test" \
	"connection remove" "connection use" "api" "sandbox"; do
	# shellcheck disable=SC2086
	op $c --help
	assert_rc 0 "'$c --help'"
	assert_contains "$OUT" "usage: ontraport" "'$c --help'"
done
# A group without a subcommand: its help on stderr, usage exit code.
op connection
assert_rc 2 "group without subcommand"
assert_contains "$ERR" "Commands:"

finish
