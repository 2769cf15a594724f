#!/usr/bin/env bash
# `ontraport watch --poll` against a real sandbox: the first poll records the baseline and
# reports nothing; contacts created, tagged and untagged afterwards come out once each, as
# the documents a webhook brings (plus "source": "poll"), through the event queue to
# --exec; a restart repeats nothing; --event and --tag filter; an event left in the outbox
# by a crash after its enqueue is not queued twice; a running watch polls every
# --interval; the share of the rate limit holds (the process's requests, counted with -v);
# nothing is subscribed; bad options are refused with one line and exit 2.
. "$(dirname "$0")/lib.sh"
export TMP

start_sandbox --rate-limit 300/60s
H="$TMP/handled"
touch "$H"
# poll NAME ARGS...: one poll of the queue $TMP/NAME.db, each event to $H as one line.
poll() {
	local name=$1
	shift
	op watch --poll --once --db "$TMP/$name.db" --exec "jq -c . >>'$H'" "$@"
}
# events: the handled events as "type tag firstname" lines, sorted.
events() { jq -r '[.event.type, (.event.tag_id // "-"), .data.firstname] | join(" ")' "$H" | sort; }

op objects create firstname=Ann email=ann@example.com -o json
ANN=$(jq -r .id <<<"$OUT")
op objects tag --tag VIP --tag Lead "$ANN"
assert_rc 0 "tag Ann before the baseline"
op tags list -o json
VIP=$(jq -r '.[] | select(.tag_name == "VIP") | .tag_id' <<<"$OUT")
LEAD=$(jq -r '.[] | select(.tag_name == "Lead") | .tag_id' <<<"$OUT")

# ---- the baseline: nothing reported; what polling sees and cannot see is said ----
ALL=(-e created -e tagged -e untagged --tag VIP --tag Lead)
poll p "${ALL[@]}"
assert_rc 0 "the first poll"
assert_contains "$ERR" "polls contacts every 1m, using at most 60 of the account's 300 requests a minute (20%) (the limit the account reports); no webhook is subscribed" "the share"
assert_contains "$ERR" "polling sees contacts created, tagged and untagged" "what it sees"
assert_contains "$ERR" "the first poll reads every contact as the baseline and reports nothing" "the baseline"
assert_contains "$ERR" "polling cannot see forms submitted, purchases, transactions, deletions, other object types, or a change undone between two polls" "what it cannot see"
assert_contains "$ERR" "baseline recorded" "baseline done"
assert_not_contains "$ERR" "listening on" "no receiver"
assert_eq "$(wc -l <"$H")" 0 "events from the baseline"

# ---- changes after it: created, tagged, untagged, once each ----
op objects create firstname=Bob email=bob@example.com -o json
BOB=$(jq -r .id <<<"$OUT")
op objects tag --tag VIP --tag Lead "$BOB"
op objects untag --tag VIP "$ANN"
op objects create firstname=Eve "contact_cat=*/*$LEAD*/*"
assert_rc 0 "create Eve with a tag"
poll p "${ALL[@]}"
assert_rc 0 "the second poll"
assert_eq "$(events | tr '\n' ',')" "$(printf '%s\n' "object_create - Bob" "sub_tag $LEAD Bob" "sub_tag $VIP Bob" "unsub_tag $VIP Ann" "object_create - Eve" "sub_tag $LEAD Eve" | sort | tr '\n' ',')" "events after the baseline"
# The document a webhook of the kind would have queued, marked as polled.
CREATED=$(jq -c 'select(.event.type == "object_create" and .data.firstname == "Bob")' "$H")
assert_jq "$CREATED" '[.source, .webhook_key, .object_type_id, .encoding, (.webhook_id|tostring)] | join(" ")' "poll watch 0 form null"
assert_jq "$CREATED" '[.data.id, .data.email, .data.lastname] | join(",")' "$BOB,bob@example.com,"
assert_jq "$CREATED" '.timestamp | test("^[0-9]+$")' true
assert_jq "$CREATED" '.id > 0 and (.received_at | test("Z$"))' true
assert_jq "$(jq -c 'select(.event.type == "unsub_tag")' "$H")" '.data.contact_cat' "*/*$LEAD*/*"
op events list --db "$TMP/p.db" --status done -o json
assert_jq "$OUT" 'length' 6
assert_jq "$OUT" '[.[].object_id | select(. == "'"$BOB"'" or . == "'"$ANN"'")] | sort | join(",")' "$ANN,$BOB,$BOB,$BOB"

# ---- a restart repeats nothing ----
poll p "${ALL[@]}"
assert_rc 0 "a poll with nothing new"
assert_eq "$(wc -l <"$H")" 6 "events after a restart"

# ---- filters: --event and --tag as for webhooks ----
: >"$H"
op objects untag --tag Lead "$BOB"
op objects tag --tag VIP "$ANN"
op objects create firstname=Cy -o json
poll p -e tagged --tag VIP
assert_rc 0 "a filtered poll"
assert_eq "$(events | tr '\n' ',')" "sub_tag $VIP Ann," "only tagged VIP"

# ---- --data-format lightweight: id, names and email only ----
: >"$H"
op objects untag --tag Lead "$ANN"
poll p -e untagged --tag Lead --data-format lightweight
assert_jq "$(cat "$H")" '.data | keys | join(",")' "email,firstname,id,lastname"

# ---- a crash between the enqueue and the outbox's delete: not queued twice ----
: >"$H"
# The last event queued is put back in the outbox, and the id recorded with it undone.
QID=$(sqlite3 "$TMP/p.db.poll" "SELECT value FROM state WHERE key = 'queue.last_id'")
EV=$(sqlite3 "$TMP/p.db" "SELECT event FROM rcv_events WHERE id = $QID")
BODY=$(sqlite3 "$TMP/p.db" "SELECT body FROM rcv_events WHERE id = $QID")
sqlite3 "$TMP/p.db.poll" "UPDATE state SET value = $((QID - 1)) WHERE key = 'queue.last_id';
  INSERT INTO outbox(event, body) VALUES ('$(sed "s/'/''/g" <<<"$EV")', '$(sed "s/'/''/g" <<<"$BODY")')"
op events list --db "$TMP/p.db" -o json
BEFORE=$(jq length <<<"$OUT")
poll p "${ALL[@]}"
assert_rc 0 "a poll after the crash"
op events list --db "$TMP/p.db" -o json
assert_eq "$(jq length <<<"$OUT")" "$BEFORE" "events in the queue after recovery"
assert_eq "$(sqlite3 "$TMP/p.db.poll" "SELECT count(*) FROM outbox")" 0 "the outbox after recovery"

# ---- a running watch polls every --interval and stops on SIGINT ----
: >"$H"
"$OP" watch --poll --interval 1s --db "$TMP/p.db" --exec "jq -c . >>'$H'" -e created >"$TMP/run.out" 2>"$TMP/run.err" &
RUN=$!
PIDS+=("$RUN")
op objects create firstname=Dee -o json
wait_lines "$H" 1 20 || fail "the running watch did not report Dee"
# Its state is its own: another queue with the same --poll-state is refused.
op watch --poll --once --db "$TMP/other.db" --poll-state "$TMP/p.db.poll"
assert_rc 1 "a second poller on one state"
assert_contains "$ERR" "another 'ontraport watch --poll' uses the poll state '$TMP/p.db.poll'" "why"
kill -INT "$RUN"
RC=0
wait "$RUN" || RC=$?
ERR=$(cat "$TMP/run.err")
assert_rc 0 "watch --poll stopped by SIGINT"
assert_eq "$(events | tr '\n' ',')" "object_create - Dee," "the running watch's events"

# ---- nothing was subscribed ----
op webhooks list -o json
assert_jq "$OUT" 'length' 0

# ---- the share: the first poll of 120 more contacts stops at 1% of 300 = 3 requests ----
for i in $(seq 1 120); do printf '{"firstname":"P%d","email":"p%d@example.com"}\n' "$i" "$i"; done >"$TMP/rows.ndjson"
op objects import "$TMP/rows.ndjson"
assert_rc 0 "import"
SEEN=$(requests_seen)
op -v watch --poll --once --poll-share 1 --db "$TMP/s.db"
assert_rc 0 "a poll with a 1% share"
assert_eq "$(($(requests_seen) - SEEN))" 3 "requests the sandbox saw from a 1% poll"
assert_contains "$ERR" "using at most 3 of the account's 300 requests a minute (1%)" "the share said"
assert_contains "$ERR" "the share ran out before every contact was read" "the share ran out"
assert_eq "$(grep -c '^> ' <<<"$ERR")" 3 "requests sent by a 1% poll"
op -v watch --poll --once --db "$TMP/s.db"
assert_contains "$ERR" "baseline recorded" "the baseline goes on from its cursor"
assert_eq "$OUT" "" "events from the baseline (standard output)"

# ---- bad options ----
for bad in "--poll --port 8600" "--poll --public-url https://x.example" "--poll --no-subscribe" \
	"--poll --keep" "--poll --token-file $TMP/t" "--interval 5s" "--poll-share 5" "--once" "--poll-state $TMP/x" \
	"--poll --poll-share 0" "--poll --poll-share 101" "--poll --interval 0s" \
	"--poll -e form-submitted --form 1" "--poll -e purchased --product 1" \
	"--poll -e created --type tags"; do
	# shellcheck disable=SC2086
	op watch --db "$TMP/bad.db" $bad
	assert_rc 2 "watch $bad"
	assert_one_line "$(grep -v "^Run 'ontraport watch --help'" <<<"$ERR")" "watch $bad"
done
op watch --poll -e form-submitted --form 1 --db "$TMP/bad.db"
assert_contains "$ERR" "--poll cannot see 'form-submitted': polling sees created, tagged and untagged only" "why"
op watch --poll -e transaction-created --db "$TMP/bad.db"
assert_rc 2 "transaction-created by polling"
assert_contains "$ERR" "--poll cannot see 'transaction-created'" "why"
op watch --poll --form 1 --db "$TMP/bad.db"
assert_contains "$ERR" "--form has no effect with --poll: forms submitted and purchases cannot be seen by polling" "--form"
op watch --poll -e created --type tags --db "$TMP/bad.db"
assert_contains "$ERR" "--poll sees contacts only" "another type"

# ---- a poll that cannot reach the API: --once exits with the network's code ----
stop_sandbox
op watch --poll --once --retries 0 --db "$TMP/p.db"
assert_rc 8 "a poll with the API gone"
assert_contains "$ERR" "ontraport watch: poll: search by dlm: " "the failure said"

finish
