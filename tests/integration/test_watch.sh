#!/usr/bin/env bash
# Watch Events end to end: a sandbox, several `ontraport watch` processes
# subscribed to it, and CLI calls that make things happen. Each event arrives
# exactly once on the right watch, with the right type, ids and data; filters
# by event, tag and form drop the others (tags by id, in bulk and by name); each data format carries the fields
# the reference says; form and JSON deliveries give the same events; watches
# unsubscribe on exit, or keep their subscriptions with --keep and reuse them
# after a restart with --token-file.
. "$(dirname "$0")/lib.sh"

# lines NAME: the events a watch printed, as one JSON array.
lines() { jq -s . "$TMP/$1.out"; }
# settle N...: wait for the sandbox to finish delivering, then for each watch to have printed
# the number of lines given (names and counts alternate), then a little more to see extras.
settle() {
	deliveries_settled || fail "the sandbox kept deliveries pending"
	while [ $# -gt 0 ]; do
		wait_lines "$TMP/$1.out" "$2" || fail "watch $1 printed $(wc -l <"$TMP/$1.out") events, expected $2"
		shift 2
	done
	sleep 0.3
}
count() { CHECKS=$((CHECKS + 1)); local n; n=$(wc -l <"$TMP/$1.out"); [ "$n" -eq "$2" ] || fail "watch $1 printed $n events, expected $2: $(cat "$TMP/$1.out")"; }

start_sandbox

# ---- three watches with different filters and formats ----
start_watch all -e created -e form-submitted --form 1 --name all
start_watch form2 -e form-submitted --form 'Newsletter Signup' --data-format notify --name form2
start_watch light -e created --data-format lightweight --name light
assert_contains "$(cat "$TMP/form2.err")" "object_submits_form(2) (form Newsletter Signup), notify data" "form by name"
case "$WATCH_URL" in *"/hooks/"????"...") ;; *) fail "the token is not masked: $WATCH_URL" ;; esac

op webhooks list -o json
assert_rc 0 "webhooks list"
assert_jq "$OUT" 'length' 4
assert_jq "$OUT" '[.[].event] | sort | join(" ")' "object_create(0) object_create(0) object_submits_form(1) object_submits_form(2)"
assert_jq "$OUT" '[.[] | select(.event == "object_submits_form(2)") | .data] | .[0]' '{"format":"notify"}'
assert_jq "$OUT" '[.[].url | test("^http://127.0.0.1:[0-9]+/hooks/[0-9a-f]{32}$")] | all' true

# 1. A contact is created: "all" (full) and "light" (lightweight) get it; form2 does not.
op objects create firstname=Mary lastname=Smith email=mary@example.com city=Paris -o json
assert_rc 0 "create"
MARY=$(jq -r .id <<<"$OUT")
settle all 1 light 1
count all 1
count light 1
count form2 0
E=$(lines all)
assert_jq "$E" '.[0].event.type' object_create
assert_jq "$E" '.[0].object_type_id' 0
assert_jq "$E" '.[0].data.id' "$MARY"
assert_jq "$E" '.[0].data.firstname + " " + .[0].data.lastname + " " + .[0].data.city' "Mary Smith Paris"
assert_jq "$E" '.[0].data | length > 30' true
assert_jq "$E" '.[0].webhook_key' all
assert_jq "$E" '.[0].encoding' form
assert_jq "$E" '.[0].id' 1
assert_jq "$E" '.[0].timestamp | test("^[0-9]{10}$")' true
assert_jq "$E" '.[0].received_at | test("^20[0-9-]+T[0-9:.]+Z$")' true
L=$(lines light)
assert_jq "$L" '.[0].data | keys | join(",")' "email,firstname,id,lastname"
assert_jq "$L" '.[0].data.email' mary@example.com
assert_jq "$L" '.[0].webhook_key' light

# 2. Mary fills in form 1: only "all" hears it (form2 filters on form 2); no contact is created.
run curl -sS -X POST -H "X-Sandbox-Token: $SBX_TOKEN" "$SBX_ROOT/_sandbox/forms/submit" \
	-d form_id=1 -d email=mary@example.com -d office_phone=555-0100
assert_jq "$OUT" '.created' false
settle all 2
count all 2
count light 1
count form2 0
E=$(lines all)
assert_jq "$E" '.[1].event.type + " " + .[1].event.form_id' "object_submits_form 1"
assert_jq "$E" '.[1].data.id + " " + .[1].data.office_phone' "$MARY 555-0100"

# 3. A new visitor fills in form 2: a contact is created (all, light) and form2 hears the form,
# in the notify format: every field there, only the id filled.
run curl -sS -X POST -H "X-Sandbox-Token: $SBX_TOKEN" "$SBX_ROOT/_sandbox/forms/submit" \
	-d form_id=2 -d email=ann@example.org -d firstname=Ann
assert_jq "$OUT" '.created' true
ANN=$(jq -r .id <<<"$OUT")
settle all 3 light 2 form2 1
count all 3
count light 2
count form2 1
F=$(lines form2)
assert_jq "$F" '.[0].event.type + " " + .[0].event.form_id' "object_submits_form 2"
assert_jq "$F" '.[0].data.id' "$ANN"
assert_jq "$F" '[.[0].data | to_entries[] | select(.key != "id") | .value] | unique | tojson' '[""]'
assert_jq "$F" '.[0].data | has("firstname") and has("email")' true
E=$(lines all)
assert_jq "$E" '.[2].event.type + " " + .[2].data.id + " " + .[2].data.firstname' "object_create $ANN Ann"
assert_jq "$(lines light)" '.[1].data | [.id, .firstname, .email] | join(" ")' "$ANN Ann ann@example.org"
# Ids are unique and in arrival order.
assert_jq "$E" '[.[].id] | join(",")' "1,2,3"

# 4. Tags added and removed, by id (PUT/DELETE /objects/tag, in bulk) and by name (tagByName):
# one event per object that gained or lost the tag; other tags, and no-op calls, give none.
op api POST /Tags -d tag_name=VIP -o json
VIP=$(jq -r '.data.tag_id // .data.id' <<<"$OUT")
op api POST /Tags -d tag_name=Other -o json
OTHER=$(jq -r '.data.tag_id // .data.id' <<<"$OUT")
start_watch tags -e tagged -e untagged --tag VIP --data-format lightweight --name tags
assert_contains "$(cat "$TMP/tags.err")" "sub_tag($VIP) (tag VIP)" "tag by name"
op objects tag --tag "$VIP" "$MARY" "$ANN"
assert_rc 0 "tag two contacts by tag id"
op objects tag --tag Other "$MARY"
op objects tag --tag VIP "$MARY" # by name, and Mary has it already: nothing
op objects untag --tag VIP "$MARY"
assert_rc 0 "untag by name"
op objects untag --tag VIP "$MARY" # gone already: nothing
op objects untag --tag "$OTHER" "$MARY"
settle tags 3
count tags 3
T=$(lines tags)
assert_jq "$T" '[.[] | .event.type + ":" + .data.id] | join(" ")' "sub_tag:$MARY sub_tag:$ANN unsub_tag:$MARY"
assert_jq "$T" '[.[].event.tag_id] | unique | join(",")' "$VIP"
assert_jq "$T" '.[1].data | [.id, .firstname, .email] | join(" ")' "$ANN Ann ann@example.org"
assert_jq "$T" '.[0].data | keys | join(",")' "email,firstname,id,lastname"
count all 3 # tags are not created objects of type 0
stop_watch tags

# The subscriptions record their last delivery.
op webhooks list -o json
assert_jq "$OUT" '[.[] | select(.event == "object_create(0)") | .last_code] | unique | join(",")' 200
assert_jq "$OUT" '[.[] | select(.event == "object_submits_form(2)") | .last_payload | test("Ann") | not] | all' true

# The receiver's queue: everything delivered.
op events list --db "$TMP/all.db" -o json
assert_rc 0 "events list"
assert_jq "$OUT" '[.[].status] | unique | join(",")' done
assert_jq "$OUT" '[.[].event] | join(" ")' "object_create object_submits_form object_create"
op events show 2 --db "$TMP/all.db" -o json
assert_jq "$OUT" '.event.form_id + " " + .status' "1 done"

# Stopping unsubscribes.
stop_watch all
stop_watch form2
stop_watch light
assert_contains "$(cat "$TMP/all.err")" "unsubscribed webhook" "unsubscribe note"
op webhooks list -o json
assert_jq "$OUT" 'length' 0
stop_sandbox

# ---- JSON deliveries give the same events ----
start_sandbox --webhook-json
start_watch json -e created -e form-submitted --form 1 --name all
op objects create firstname=Mary lastname=Smith email=mary@example.com city=Paris -o json
run curl -sS -X POST -H "X-Sandbox-Token: $SBX_TOKEN" "$SBX_ROOT/_sandbox/forms/submit" \
	-d form_id=1 -d email=mary@example.com -d office_phone=555-0100
settle json 2
count json 2
# Same events as the form-encoded run, but for the times and the encoding.
strip='[.[] | del(.received_at, .timestamp, .encoding, .data.date, .data.dlm, .data.dla)]'
assert_eq "$(lines json | jq -c "$strip")" "$(lines all | jq -c ".[0:2] | $strip")" "json and form events"
assert_jq "$(lines json)" '[.[].encoding] | unique | join(",")' json
stop_watch json

# ---- --keep, then a restart with --token-file reuses the subscription ----
start_watch keep -e created --token-file "$TMP/token" --keep --name kept
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\)\/hooks.*/\1/p' <<<"$WATCH_URL")
stop_watch keep
assert_contains "$(cat "$TMP/keep.err")" "--keep: 1 subscription left in place" "--keep note"
assert_eq "$(stat -c %a "$TMP/token")" 600 "token file mode"
op webhooks list -o json
assert_jq "$OUT" 'length' 1
KEPT=$(jq -r '.[0].id' <<<"$OUT")
# Events while nobody listens are lost to the sender's at-most-once delivery, not to us.
start_watch keep -e created --token-file "$TMP/token" --port "$PORT" --name kept
assert_contains "$(cat "$TMP/keep.err")" "webhook $KEPT already sends object_create(0) here" "reused"
op webhooks list -o json
assert_jq "$OUT" 'length' 1
op objects create firstname=Kim -o json
KIM=$(jq -r .id <<<"$OUT")
settle keep 1
count keep 1
assert_jq "$(lines keep)" '.[0].data.firstname + " " + .[0].data.id' "Kim $KIM"
stop_watch keep
op webhooks list -o json
assert_jq "$OUT" 'length' 0

finish
