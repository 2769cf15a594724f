#!/usr/bin/env bash
# A password written into a URL (http://user:secret@host/...) is shown nowhere:
# not in -v request logs, "cannot reach" and invalid-URL errors, connection
# list / add / test, or watch's --forward-to and --public-url messages. The
# userinfo is shown as "***@"; the URL still works.
. "$(dirname "$0")/lib.sh"
PW="pw-9d8c7b6a-URLSECRET"
start_sandbox
HOSTPORT=${SBX_URL#http://}

# -v request log and a successful call through a URL with userinfo.
op api GET /Contacts -v --base-url "http://bob:$PW@$HOSTPORT"
assert_rc 0 "a call through a URL with userinfo"
assert_contains "$ERR" "> GET http://***@$HOSTPORT/Contacts" "the request log masks the userinfo"
assert_not_contains "$ERR$OUT" "$PW" "-v log"
op api GET /Contacts -vv --base-url "http://$PW@$HOSTPORT"
assert_rc 0 "a token as the user name"
assert_not_contains "$ERR$OUT" "$PW" "-vv log, token as user"

# "cannot reach" errors and the retry log.
op api GET /Contacts -v --retries 0 --timeout 5 --base-url "http://bob:$PW@127.0.0.1:9/1"
assert_rc 8 "unreachable"
assert_contains "$ERR" "cannot reach http://***@127.0.0.1:9/1" "network error"
assert_not_contains "$ERR$OUT" "$PW" "network error"

# Invalid base URLs are quoted masked.
op api GET /Contacts --base-url "ftp://bob:$PW@example.com/1"
assert_rc 5 "invalid scheme"
assert_contains "$ERR" "invalid base url 'ftp://***@example.com/1'" "invalid base url"
assert_not_contains "$ERR$OUT" "$PW" "invalid base url"
op api GET /Contacts --base-url "http://bob:$PW@example.com/1?x=1"
assert_rc 5 "a query in the base url"
assert_not_contains "$ERR$OUT" "$PW" "base url with a query"

# A full URL given as the path is refused, quoted masked.
op api GET "http://bob:$PW@example.com/1/Contacts"
assert_rc 5 "a URL from elsewhere as the path"
assert_not_contains "$ERR$OUT" "$PW" "invalid path"

# Saved connections: add, list, test.
run bash -c "printf '%s\n' '$SBX_KEY' | '$OP' connection add creds --app-id '$SBX_APP' --api-key-stdin --base-url 'http://bob:$PW@$HOSTPORT' -o json -v"
assert_rc 0 "add"
assert_jq "$OUT" '.base_url' "http://***@$HOSTPORT"
assert_not_contains "$ERR$OUT" "$PW" "add"
op connection list -o json
assert_rc 0 "list"
assert_jq "$OUT" '.[0].base_url' "http://***@$HOSTPORT"
assert_not_contains "$ERR$OUT" "$PW" "list"
op connection list -o table
assert_not_contains "$ERR$OUT" "$PW" "list as a table"
unset ONTRAPORT_BASE_URL
op connection test creds -o json -v
assert_rc 0 "test"
assert_jq "$OUT" '.base_url' "http://***@$HOSTPORT"
assert_not_contains "$ERR$OUT" "$PW" "test"
op api GET /Contacts --profile creds -vv
assert_rc 0 "a call through the saved connection"
assert_not_contains "$ERR$OUT" "$PW" "a call through the saved connection"
export ONTRAPORT_BASE_URL="$SBX_URL"

# watch: the --forward-to note, --public-url's listening line and its usage error.
start_watch fwd --no-subscribe --forward-to "http://bob:$PW@127.0.0.1:9/in"
stop_watch fwd # the note follows the listening line: read it once watch has ended
assert_contains "$(cat "$TMP/fwd.err")" "delivering to http://***@127.0.0.1:9/in" "forward note"
assert_not_contains "$(cat "$TMP/fwd.err")" "$PW" "watch --forward-to"
start_watch pub --public-url "https://bob:$PW@hooks.example.com/x" --event object_create
assert_contains "$WATCH_URL" "https://***@hooks.example.com/x/hooks/" "listening line"
stop_watch pub
assert_not_contains "$(cat "$TMP/pub.err")" "$PW" "watch --public-url"
op watch --public-url "ftp://bob:$PW@hooks.example.com/x" --event object_create --db "$TMP/bad.db"
assert_rc 2 "a --public-url that is not http"
assert_contains "$ERR" "invalid --public-url 'ftp://***@hooks.example.com/x'"
assert_not_contains "$ERR$OUT" "$PW" "invalid --public-url"

# The library's webhook URL check quotes the URL masked.
op webhooks subscribe --url "ftp://bob:$PW@hooks.example.com/x" --event object_create
assert_rc 5 "webhook url that is not http"
assert_not_contains "$ERR$OUT" "$PW" "invalid webhook url"

finish
