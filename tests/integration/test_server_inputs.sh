#!/usr/bin/env bash
# Request bodies both servers used to get wrong (issue 12):
#  - an integer beyond 2^63 in valid JSON was refused as malformed; it is
#    accepted and kept as a string of its exact digits (sandbox and receiver);
#  - a form value holding %00 was stored cut at the NUL and answered 200; it is
#    a 400, as JSON's \u0000 is (sandbox and receiver);
#  - a search or LIKE value past SQLite's 50,000-byte LIKE pattern limit was a
#    500 that the CLI retried; it is a 400 naming the cap, and the cap works.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s
AUTH=(-H "Api-Appid: $SBX_APP" -H "Api-Key: $SBX_KEY")
call() { # METHOD PATH CONTENT-TYPE BODY-FILE -> $CODE, $BODY
	CODE=$(curl -sS -o "$TMP/resp" -w '%{http_code}' -X "$1" "${AUTH[@]}" \
		-H "Content-Type: $3" --data-binary @"$4" "$SBX_URL$2" || true)
	BODY=$(cat "$TMP/resp" 2>/dev/null || true)
}
repeat() { head -c "$2" /dev/zero | tr '\0' "$1"; } # CHAR N

# ---- big integers: the exact digits, stored and read back ----
big=123456789012345678901234567890
printf '{"objectID":0,"firstname":%s,"lastname":-%s,"email":"big@example.com"}' "$big" "$big" >"$TMP/big.json"
call POST /objects application/json "$TMP/big.json"
assert_eq "$CODE" 200 "JSON with integers beyond 2^63 ($BODY)"
op objects get 1 -o json
assert_jq "$OUT" '.firstname + " " + .lastname' "$big -$big"
# The limits of int64 themselves still parse as integers; a real stays a real.
printf '{"objectID":0,"firstname":9223372036854775807,"lastname":-9223372036854775808,"email":"e@example.com"}' >"$TMP/edge.json"
call POST /objects application/json "$TMP/edge.json"
assert_eq "$CODE" 200 "JSON with the int64 limits"
assert_jq "$BODY" '.data.firstname + " " + .data.lastname' "9223372036854775807 -9223372036854775808"
# Quoting numbers does not turn malformed JSON into valid JSON.
printf '{"objectID":0,"firstname":0%s}' "$big" >"$TMP/bad.json"
call POST /objects application/json "$TMP/bad.json"
assert_eq "$CODE" 400 "a big integer with a leading zero"
assert_contains "$BODY" "Malformed JSON body"

# ---- %00 in a form value (body or query): 400, as \u0000 in JSON ----
printf 'objectID=0&firstname=a%%00b&email=nul@example.com' >"$TMP/nul.form"
call POST /objects application/x-www-form-urlencoded "$TMP/nul.form"
assert_eq "$CODE" 400 "a form value holding %00"
assert_contains "$BODY" "form field 'firstname' holds a nul byte (%00)"
assert_one_line "$BODY"
printf '{"objectID":0,"firstname":"a\\u0000b","email":"nul@example.com"}' >"$TMP/nul.json"
call POST /objects application/json "$TMP/nul.json"
assert_eq "$CODE" 400 "JSON holding \\u0000"
: >"$TMP/empty"
call GET "/objects?objectID=0&search=a%00b" application/x-www-form-urlencoded "$TMP/empty"
assert_eq "$CODE" 400 "a query value holding %00"
op objects search --search nul@ -o json
assert_jq "$OUT" 'length' 0

# ---- long search and LIKE values: 400 beyond the cap, 200 within ----
printf '{"objectID":0,"search":"%s"}' "$(repeat a 50001)" >"$TMP/s.json"
call GET /objects application/json "$TMP/s.json"
assert_eq "$CODE" 400 "a 50,001-byte search"
assert_contains "$BODY" "Invalid search: longer than 49998 bytes"
printf '{"objectID":0,"search":"%s"}' "$(repeat % 30000)" >"$TMP/s.json"
call GET /objects application/json "$TMP/s.json"
assert_eq "$CODE" 400 "a search of 30,000 escaped wildcards"
printf '{"objectID":0,"search":"%s"}' "$(repeat a 49998)" >"$TMP/s.json"
call GET /objects application/json "$TMP/s.json"
assert_eq "$CODE" 200 "a search at the cap"
printf '{"objectID":0,"condition":[{"field":{"field":"email"},"op":"LIKE","value":{"value":"%s"}}]}' \
	"$(repeat a 65536)" >"$TMP/c.json"
call GET /objects application/json "$TMP/c.json"
assert_eq "$CODE" 400 "a 65,536-byte LIKE value"
assert_contains "$BODY" "a LIKE pattern longer than 50000 bytes"
# Through the CLI: exit 5 (invalid input), no retry of a server error.
op objects search --search "$(repeat b 50001)" --retries 0
assert_rc 5 "a long search through the CLI"
assert_contains "$ERR" "longer than 49998 bytes"

# ---- the receiver: big integers kept exactly, %00 refused ----
start_watch r --no-subscribe
rpost() { # CONTENT-TYPE BODY-FILE
	CODE=$(curl -sS -o "$TMP/resp" -w '%{http_code}' -X POST -H "Content-Type: $1" \
		--data-binary @"$2" "$WATCH_URL" || true)
	BODY=$(cat "$TMP/resp" 2>/dev/null || true)
}
printf '{"n":%s,"m":-%s,"small":5}' "$big" "$big" >"$TMP/rbig.json"
rpost application/json "$TMP/rbig.json"
assert_eq "$CODE" 200 "receiver: JSON with integers beyond 2^63 ($BODY)"
wait_lines "$TMP/r.out" 1 || fail "the big-integer event was not delivered"
assert_jq "$(head -1 "$TMP/r.out")" '.fields.n + " " + .fields.m + " " + (.fields.small | tostring)' "$big -$big 5"
rpost application/x-www-form-urlencoded "$TMP/nul.form"
assert_eq "$CODE" 400 "receiver: a form value holding %00"
assert_contains "$BODY" "holds a nul byte"
stop_watch r
op events list --db "$TMP/r.db" -o json
assert_jq "$OUT" 'length' 1
finish
