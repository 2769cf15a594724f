#!/usr/bin/env bash
# The programs in examples/ as a user builds them: against an installed
# libontraport, through pkg-config and the examples' own Makefile, then run
# against a sandbox and checked by what they print and what they changed.
. "$(dirname "$0")/lib.sh"
: "${ONTRA_BUILD_DIR:?}" "${ONTRA_SOURCE_DIR:?}"

PREFIX="$TMP/prefix"
run cmake --install "$ONTRA_BUILD_DIR" --prefix "$PREFIX"
assert_rc 0 "cmake --install"
LIBDIR=$(dirname "$(find "$PREFIX" -name 'libontraport.so' | head -1)")
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$ONTRA_BUILD_DIR/CMakeCache.txt")
san=""
grep -q '^ONTRA_SANITIZE:BOOL=ON' "$ONTRA_BUILD_DIR/CMakeCache.txt" && san="-fsanitize=address,undefined"
cp -r "$ONTRA_SOURCE_DIR/examples" "$TMP/examples"
run env PKG_CONFIG_PATH="$LIBDIR/pkgconfig" make -C "$TMP/examples" CC="${cc:-cc}" \
	LDFLAGS="$san -Wl,-rpath,$LIBDIR" CFLAGS="-std=c17 -O1 -Wall -Wextra -Werror $san"
assert_rc 0 "make -C examples against the installed library"
EX="$TMP/examples"

start_sandbox --rate-limit 100000/60s
control POST "seed/contacts?count=120" >/dev/null
op objects create firstname=Mary email=mary@example.com
op objects create firstname=Ann email=ann@example.com

# search_contacts: every contact, streamed over three pages; then a condition.
run "$EX/search_contacts"
assert_rc 0 "search_contacts"
assert_eq "$(printf '%s\n' "$OUT" | wc -l)" 122 "every contact printed"
assert_contains "$ERR" "122 contacts"
run "$EX/search_contacts" "email LIKE '%@example.com'"
assert_rc 0 "search_contacts with a condition"
assert_eq "$(printf '%s\n' "$OUT" | cut -f2 | sort | paste -sd,)" "ann@example.com,mary@example.com" "the two"
run "$EX/search_contacts" "email LIKE"
assert_rc 1 "a malformed condition"
assert_contains "$ERR" "invalid condition"

# tag_by_name: creates the tag and tags the two contacts.
run "$EX/tag_by_name" Speaker mary@example.com ann@example.com
assert_rc 0 "tag_by_name"
assert_contains "$OUT" "tagged 2 contacts with 'Speaker'"
op objects with-tag --tag Speaker -o json
assert_jq "$OUT" '[.[].email] | sort | join(",")' "ann@example.com,mary@example.com"
run "$EX/tag_by_name" Speaker nobody@example.com
assert_rc 1 "no such address"

# watch_events: subscribes, receives two new contacts through the library's
# receiver (no queue, then a queue file), unsubscribes.
watch() {
	local sfx=$1
	shift
	"$EX/watch_events" 2 "$@" >"$TMP/events.out" 2>"$TMP/events.err" &
	wpid=$!
	PIDS+=("$wpid")
	for _ in $(seq 1 $((100 * ${ONTRA_TEST_TIME_SCALE:-1}))); do grep -q subscribed "$TMP/events.err" && break; sleep 0.05; done
	assert_contains "$(cat "$TMP/events.err")" "subscribed webhook" "watch_events subscribed"
	op webhooks list -o json
	assert_jq "$OUT" 'length' 1
	op objects create firstname=Hook1 email="hook1$sfx@example.com"
	op objects create firstname=Hook2 email="hook2$sfx@example.com"
	rc=0
	wait "$wpid" || rc=$?
	assert_eq "$rc" 0 "watch_events exit status"
	assert_eq "$(wc -l <"$TMP/events.out")" 2 "two events printed"
	assert_contains "$(cat "$TMP/events.out")" "object_create contact" "the event's type"
	assert_contains "$(cat "$TMP/events.out")" "hook2$sfx@example.com" "the second contact's e-mail"
	op webhooks list -o json
	assert_jq "$OUT" 'length' 0
}
watch ""
watch "q" "$TMP/events.db"
CHECKS=$((CHECKS + 1))
[ -s "$TMP/events.db" ] || fail "watch_events made no queue file"

# parse_event: a recorded body on stdin, in each encoding; a refused one.
D="$ONTRA_SOURCE_DIR/tests/data/webhooks"
run "$EX/parse_event" application/x-www-form-urlencoded <"$D/sub_tag-support-article.form"
assert_rc 0 "parse_event on a form body"
assert_contains "$OUT" "event sub_tag (form body)"
assert_contains "$OUT" "record 8 of object type 0"
assert_contains "$OUT" "tag 4"
assert_contains "$OUT" "  email=mary@ontraport.com"
run "$EX/parse_event" <"$D/sandbox/purchase.json"
assert_rc 0 "parse_event on a JSON body, sniffed"
assert_contains "$OUT" "event purchase_product (json body)"
assert_contains "$OUT" "product 1"
run "$EX/parse_event" text/xml <"$D/sandbox/purchase.json"
assert_rc 1 "parse_event on a body of another type"
assert_eq "$ERR" "error: unsupported content type 'text/xml' (a receiver answers 415)"

finish
