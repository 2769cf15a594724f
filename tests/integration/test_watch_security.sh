#!/usr/bin/env bash
# The receiver of `ontraport watch` faces the network: it binds loopback
# unless told otherwise, answers only POST on its secret token path, refuses
# oversized and malformed bodies with a 4xx (storing nothing) and keeps
# serving; --no-subscribe takes any JSON or form body. Bad input to watch,
# webhooks and events: one line naming the problem, the documented exit code.
# The API key never shows.
. "$(dirname "$0")/lib.sh"

post() { # URL CONTENT-TYPE BODY-FILE -> $CODE, $BODY
	CODE=$(curl -sS -o "$TMP/resp" -w '%{http_code}' -X POST -H "Content-Type: $2" \
		--data-binary @"$3" "$1" || true)
	BODY=$(cat "$TMP/resp" 2>/dev/null || true)
}
stored() { "$OP" events list --db "$TMP/m.db" -o json | jq length; }
# listening ADDR-HEX PORT: whether /proc/net/tcp shows a listening socket on ADDR:PORT.
listening() { awk -v a="$(printf '%s:%04X' "$1" "$2")" '$2 == a && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp; }

# ---- --no-subscribe: any body, on the secret path only ----
start_watch m --no-subscribe --name manual
URL=$WATCH_URL
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\)\/hooks.*/\1/p' <<<"$URL")
TOKEN=${URL##*/hooks/}
assert_contains "$URL" "http://127.0.0.1:" "the printed URL"
CHECKS=$((CHECKS + 1))
[[ "$TOKEN" =~ ^[0-9a-f]{32}$ ]] || fail "token '$TOKEN' is not 128 random bits in hex"
CHECKS=$((CHECKS + 1))
listening 0100007F "$PORT" || fail "not listening on 127.0.0.1:$PORT"
CHECKS=$((CHECKS + 1))
! listening 00000000 "$PORT" || fail "listening on every address"

printf '{"name":"Mary","n":1,"tags":["a","b"],"nested":{"x":true}}' >"$TMP/json"
post "$URL" application/json "$TMP/json"
assert_eq "$CODE" 200 "JSON body"
assert_jq "$BODY" '.ok' true
printf 'contact%%5Bname%%5D=Ann&ids%%5B%%5D=1&ids%%5B%%5D=2&plain=x+y' >"$TMP/form"
post "$URL" application/x-www-form-urlencoded "$TMP/form"
assert_eq "$CODE" 200 "form body"
wait_lines "$TMP/m.out" 2 || fail "generic events not delivered"
E=$(jq -s . "$TMP/m.out")
assert_jq "$E" '.[0].encoding + " " + .[0].fields.name + " " + (.[0].fields.n | tostring)' "json Mary 1"
assert_jq "$E" '.[0].fields.nested.x' true
assert_jq "$E" '.[1].encoding + " " + .[1].fields.contact.name + " " + .[1].fields.plain' "form Ann x y"
assert_jq "$E" '.[1].fields.ids | join(",")' "1,2"
assert_jq "$E" '.[1].webhook_key' manual

# Wrong paths: 404, nothing stored. Another method on the hook: 405.
other=$(printf '%032x' 12345)
post "http://127.0.0.1:$PORT/hooks/$other" application/json "$TMP/json"
assert_eq "$CODE" 404 "a wrong token"
post "http://127.0.0.1:$PORT/hooks/${TOKEN:0:31}" application/json "$TMP/json"
assert_eq "$CODE" 404 "a short token"
post "http://127.0.0.1:$PORT/hooks/" application/json "$TMP/json"
assert_eq "$CODE" 404 "no token"
post "http://127.0.0.1:$PORT/" application/json "$TMP/json"
assert_eq "$CODE" 404 "the root"
CODE=$(curl -sS -o /dev/null -w '%{http_code}' "$URL")
assert_eq "$CODE" 405 "GET on the hook"
assert_eq "$(stored)" 2 "nothing stored for the refused requests"

# Bodies it cannot take: 4xx with one line, nothing stored, and it keeps serving.
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'a' | sed 's/^/a=/' >"$TMP/big"
post "$URL" application/x-www-form-urlencoded "$TMP/big"
assert_eq "$CODE" 413 "a 2 MiB body"
printf '{"a":' >"$TMP/bad"
post "$URL" application/json "$TMP/bad"
assert_eq "$CODE" 400 "malformed JSON"
assert_contains "$BODY" "malformed json" "malformed JSON answer"
assert_one_line "$BODY" "malformed JSON answer"
printf 'a=\xff\xfe' >"$TMP/bad"
post "$URL" application/x-www-form-urlencoded "$TMP/bad"
assert_eq "$CODE" 400 "not UTF-8"
python3 -c 'print("[" * 100 + "]" * 100)' >"$TMP/bad"
post "$URL" application/json "$TMP/bad"
assert_eq "$CODE" 400 "nested 100 deep"
printf '' >"$TMP/bad"
post "$URL" application/json "$TMP/bad"
assert_eq "$CODE" 400 "empty"
printf 'x' >"$TMP/bad"
post "$URL" image/png "$TMP/bad"
assert_eq "$CODE" 415 "another media type"
post "$URL" application/json "$TMP/json"
assert_eq "$CODE" 200 "still serving"
assert_eq "$(stored)" 3 "only the good bodies stored"
stop_watch m

# Told otherwise, it binds every address.
start_watch any --no-subscribe --bind 0.0.0.0
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\)\/hooks.*/\1/p' <<<"$WATCH_URL")
CHECKS=$((CHECKS + 1))
listening 00000000 "$PORT" || fail "--bind 0.0.0.0 is not listening on every address"
stop_watch any

# ---- an Ontraport-mode hook refuses what is not an Ontraport event ----
KEY="sk-live-0123456789abcdef-SECRET"
start_sandbox --api-key "$KEY"
start_watch o -e created -vv
TOKEN_URL=$(op webhooks list -o json && jq -r '.[0].url' <<<"$OUT")
post "$TOKEN_URL" application/json "$TMP/json"
assert_eq "$CODE" 400 "not an event"
assert_contains "$BODY" "'event'" "names what is missing"
op objects create firstname=Quinn
wait_lines "$TMP/o.out" 1 || fail "not delivered"
stop_watch o
assert_not_contains "$(cat "$TMP/o.err" "$TMP/o.out")" "$KEY" "watch -vv output"
assert_contains "$(cat "$TMP/o.err")" "Api-Key: ****" "the key is masked in the request log"
assert_eq "$(stat -c %a "$TMP/o.db")" 600 "the queue is private"

# ---- bad input: one line, the documented exit code, nothing left running ----
check() { # expected-rc what-the-error-says description -- command...
	local want=$1 says=$2 what=$3
	shift 4
	run timeout 20 "$OP" "$@"
	assert_rc "$want" "$what"
	assert_contains "$ERR" "$says" "$what"
	assert_one_line "$(printf '%s' "$ERR" | grep -v "^Run 'ontraport")" "$what"
}
before=$(requests_seen)
check 2 "unknown event 'tagd'" "unknown event" -- watch -e tagd --db "$TMP/x.db"
check 2 "did you mean 'tagged'" "event suggestion" -- watch -e tagd --db "$TMP/x.db"
check 2 "need --tag" "tagged without a tag" -- watch -e tagged --db "$TMP/x.db"
check 2 "needs --form" "form-submitted without a form" -- watch -e form-submitted --db "$TMP/x.db"
check 2 "--tag is for the tagged and untagged events" "a tag without a tag event" -- watch --tag 3 --db "$TMP/x.db"
check 2 "--form is for the form-submitted event" "a form without a form event" -- watch --form 1 --db "$TMP/x.db"
check 2 "invalid --data-format 'huge'" "bad data format" -- watch --data-format huge --db "$TMP/x.db"
check 2 "exclusive" "two handlers" -- watch --exec true --forward-to http://x/ --db "$TMP/x.db"
check 2 "--event has no effect with --no-subscribe" "no-subscribe and an event" -- watch --no-subscribe -e created --db "$TMP/x.db"
check 2 "--keep has no effect with --no-subscribe" "no-subscribe and keep" -- watch --no-subscribe --keep --db "$TMP/x.db"
check 2 "invalid --retry-delay 'soon'" "bad duration" -- watch --retry-delay soon --db "$TMP/x.db"
check 2 "invalid value '0' for --max-attempts" "zero attempts" -- watch --max-attempts 0 --db "$TMP/x.db"
check 2 "invalid value '70000' for --port" "bad port" -- watch --port 70000 --db "$TMP/x.db"
check 2 "invalid --public-url 'ftp://x'" "bad public url" -- watch --public-url ftp://x --db "$TMP/x.db"
check 2 "invalid --name" "bad name" -- watch --name '' --db "$TMP/x.db"
check 2 "cannot post to this machine's local address: give --public-url" "remote API, no public URL" -- watch --base-url https://api.ontraport.com/1 --db "$TMP/x.db"
check 2 "forward url must start with http:// or https://" "bad forward URL" -- watch --no-subscribe --forward-to ftp://x --db "$TMP/x.db"
check 1 "cannot start the receiver" "a bad bind address" -- watch --no-subscribe --bind 999.1.1.1 --db "$TMP/x.db"
printf 'not-a-token\n' >"$TMP/bad.token"
check 5 "does not hold a token" "a token file with garbage" -- watch --no-subscribe --token-file "$TMP/bad.token" --db "$TMP/x.db"
check 2 "missing --url URL" "subscribe without a URL" -- webhooks subscribe -e created
check 5 "expected an http:// or https:// url" "subscribe with a bad URL" -- webhooks subscribe --url x.example -e created
check 2 "invalid id 'abc'" "unsubscribe a bad id" -- webhooks unsubscribe abc
check 4 "no event queue at" "events on a missing queue" -- events list --db "$TMP/none.db"
check 2 "invalid --status 'lost'" "bad status" -- events list --status lost --db "$TMP/m.db"
check 2 "give event ids or --dead" "replay nothing" -- events replay --db "$TMP/m.db"
check 2 "missing --before" "purge without --before" -- events purge --db "$TMP/m.db"
check 2 "invalid --before '7'" "purge with a bare number" -- events purge --before 7 --db "$TMP/m.db"
check 2 "invalid --status 'pending'" "purging pending events" -- events purge --before 1d --status pending --db "$TMP/m.db"
check 4 "no event 99 in the queue" "show an unknown event" -- events show 99 --db "$TMP/m.db"
assert_eq "$(requests_seen)" "$before" "nothing was sent for local mistakes"
check 4 "no Webhook with id 99" "unsubscribe an unknown id" -- webhooks unsubscribe 99
check 4 "no form named 'Nope'" "an unknown form" -- watch -e form-submitted --form Nope --db "$TMP/x.db"

# One delivering watch per queue.
start_watch one --no-subscribe
run timeout 20 "$OP" watch --no-subscribe --db "$TMP/one.db"
assert_rc 1 "a second watch on one queue"
assert_contains "$ERR" "another 'ontraport watch' is delivering from" "a second watch on one queue"
stop_watch one

# Purge: done events before a time go; pending ones never do.
op events purge --before 2000-01-01 --db "$TMP/m.db"
assert_rc 0
assert_contains "$ERR" "purged 0 events" "purge before 2000"
op events purge --before 0s --db "$TMP/m.db"
assert_contains "$ERR" "purged 3 events" "purge everything done"
assert_eq "$(stored)" 0 "purged"

finish
