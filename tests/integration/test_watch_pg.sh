#!/usr/bin/env bash
# `ontraport watch --queue postgresql://...`: three watch processes (each a
# receiver and a worker) on one throw-away PostgreSQL (pg.sh), sharing one
# token (--token-file) so one URL reaches any of them.
#   - every acknowledged event is delivered once, and one webhook key's events
#     in the order they were acknowledged, whichever receiver took them;
#   - a worker killed with -9 mid-delivery: its event is taken over once its
#     lease (--lease 2s) ends, not before, delivered once more (the one
#     duplicate), and the events behind it follow in order; a delivery longer
#     than the lease is renewed, never taken over; a worker paused past its
#     lease cannot mark the event another took over (the fencing token);
#   - the database stopped during a flood: receivers keep answering 200, each
#     after a commit to its local spool (--spool), and once the database is
#     back the spools drain into it: every acknowledged event delivered (once,
#     but the one in flight at the stop), in the order its receiver
#     acknowledged them;
#   - events list / replay / purge --queue; a bad URL (2), a server nobody
#     answers at (8), --queue with --db (2): one line, no password.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
export TMP
pg_start_queue
SCALE=${ONTRA_TEST_TIME_SCALE:-1}
N=15 # events per object from the three senders
F=30 # events per object in the flood
no_secret() { assert_not_contains "$1" "$PG_PASSWORD" "$2"; }

# The handler: WORKER as its argument. Records "ID WORKER PID" when it starts and
# "OBJ SEQ ID WORKER" when done; holds while $TMP/slow.WORKER exists.
HANDLER="$TMP/handler.sh"
cat >"$HANDLER" <<'EOF'
#!/bin/sh
ev=$(cat)
obj=$(printf '%s' "$ev" | sed -n 's/.*"obj":"\([a-z0-9]*\)".*/\1/p')
seq=$(printf '%s' "$ev" | sed -n 's/.*"seq":\([0-9]*\).*/\1/p')
echo "$ONTRAPORT_EVENT_ID $1 $$" >>"$TMP/starts"
while [ -f "$TMP/slow.$1" ]; do sleep 0.05; done
echo "$obj $seq $ONTRAPORT_EVENT_ID $1" >>"$TMP/handled"
EOF
chmod +x "$HANDLER"
touch "$TMP/starts" "$TMP/handled" "$TMP/acks" "$TMP/refused"
printf '%s\n' "0123456789abcdef0123456789abcdef" >"$TMP/token"

pg_watch w1 "$PG_URL"
pg_watch w2 "$PG_URL"
pg_watch w3 "$PG_URL"
RECEIVERS=("$URL_w1" "$URL_w2" "$URL_w3")
assert_not_contains "$(cat "$TMP/w1.err")" "$PG_PASSWORD" "the watch's notes"
assert_contains "$(cat "$TMP/w1.err")" "queue postgresql://***@127.0.0.1:$PG_PORT/postgres" "the queue, shown"
# The process listing (not under a wrapper such as valgrind: it shows the URL in its own argv).
if [ -z "${ONTRA_TEST_WRAPPER:-}" ]; then
	assert_contains "$(tr '\0' ' ' <"/proc/$PID_w1/cmdline")" "watch --queue" "the process is the one we started"
	assert_not_contains "$(tr '\0' ' ' <"/proc/$PID_w1/cmdline")" "$PG_PASSWORD" "the process listing"
fi

# send OBJ FROM TO: post OBJ's events FROM..TO in turn, each to the next receiver, each
# after the previous one's 200; a refusal is retried (as Ontraport does) after 50 ms.
send() {
	local obj=$1 seq code n=0
	for seq in $(seq "$2" "$3"); do
		while :; do
			code=$(curl -s -o "$TMP/curl.$obj" -w '%{http_code}' -H 'Content-Type: application/json' \
				-d "{\"obj\":\"$obj\",\"seq\":$seq}" "${RECEIVERS[$(((seq + n) % 3))]}" || true)
			n=$((n + 1))
			[ "$code" = 200 ] && break
			echo "$obj $seq $code" >>"$TMP/refused"
			sleep 0.05
		done
		echo "$obj $seq" >>"$TMP/acks"
	done
}

# in_order OBJ: OBJ's sequence numbers as handled, in the order they were handled.
in_order() { awk -v o="$1" '$1 == o { printf "%s ", $2 }' "$TMP/handled"; }

# ---- three senders, three receivers, three workers ----
send a 1 "$N" &
s1=$!
send b 1 "$N" &
s2=$!
send c 1 "$N" &
s3=$!
wait $s1 $s2 $s3
assert_eq "$(wc -l <"$TMP/acks")" $((3 * N)) "events acknowledged"
wait_lines "$TMP/handled" $((3 * N)) 30 || fail "only $(wc -l <"$TMP/handled") of $((3 * N)) delivered"
assert_eq "$(awk '{print $1, $2}' "$TMP/handled" | sort | uniq -d | wc -l)" 0 "no event delivered twice"
assert_eq "$(awk '{print $1, $2}' "$TMP/handled" | sort)" "$(sort "$TMP/acks")" "every acknowledged event delivered"
for o in a b c; do
	assert_eq "$(in_order $o)" "$(seq -s ' ' 1 "$N") " "object $o in order"
done
echo "deliveries per worker: $(awk '{print $4}' "$TMP/handled" | sort | uniq -c | tr -s ' \n' ' ')"

# ---- a worker killed with -9 mid-delivery ----
touch "$TMP/slow.w1" "$TMP/slow.w2" "$TMP/slow.w3"
send z 1 1
zid=$(jq -r .id "$TMP/curl.z")
send z 2 3
for _ in $(seq 1 $((200 * SCALE))); do grep -q "^$zid " "$TMP/starts" && break; sleep 0.05; done
read -r _ victim hpid <<<"$(grep "^$zid " "$TMP/starts")"
[ -n "$victim" ] || fail "event $zid was not claimed"
for w in w1 w2 w3; do [ "$w" = "$victim" ] || rm -f "$TMP/slow.$w"; done
victim_pid=$(eval "echo \$PID_$victim")
kill -9 "$victim_pid" "$hpid"
killed_at=$(date +%s%3N)
wait "$victim_pid" 2>/dev/null || true
rm -f "$TMP/slow.$victim"
for _ in $(seq 1 $((200 * SCALE))); do grep -q "^z 1 " "$TMP/handled" && break; sleep 0.05; done
taken_at=$(date +%s%3N)
wait_lines "$TMP/handled" $((3 * N + 3)) || fail "the events behind the killed worker's were not delivered"
assert_eq "$(in_order z)" "1 2 3 " "the object's events in order after the takeover"
assert_eq "$(grep -c "^$zid " "$TMP/starts")" 2 "event $zid: started twice (the one duplicate)"
assert_not_contains "$(grep "^z 1 " "$TMP/handled")" " $victim" "taken over by another worker"
CHECKS=$((CHECKS + 1))
[ $((taken_at - killed_at)) -ge 1000 ] || fail "taken over $((taken_at - killed_at)) ms after the kill: before the lease could end"
echo "takeover after $((taken_at - killed_at)) ms (lease 2 s, renewed every third)"
# A delivery longer than the lease: renewed, never taken over.
touch "$TMP/slow.w1" "$TMP/slow.w2" "$TMP/slow.w3"
send y 1 1
yid=$(jq -r .id "$TMP/curl.y")
for _ in $(seq 1 $((200 * SCALE))); do grep -q "^$yid " "$TMP/starts" && break; sleep 0.05; done
first_lease=$(pg_sql "SELECT lease_until FROM ontraport_events WHERE id = $yid")
# Until the first lease is 1.5 s over, on the database's clock.
for _ in $(seq 1 $((200 * SCALE))); do
	[ "$(pg_sql "SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint > $first_lease + 1500")" = t ] && break
	sleep 0.05
done
assert_eq "$(pg_sql "SELECT fence FROM ontraport_events WHERE id = $yid")" 1 "a long delivery keeps its claim"
CHECKS=$((CHECKS + 1))
[ "$(pg_sql "SELECT lease_until FROM ontraport_events WHERE id = $yid")" -gt "$first_lease" ] || fail "the lease was not renewed"
rm -f "$TMP/slow.w1" "$TMP/slow.w2" "$TMP/slow.w3"
wait_lines "$TMP/handled" $((3 * N + 4)) || fail "the long delivery did not finish"
assert_eq "$(grep -c "^$yid " "$TMP/starts")" 1 "the long delivery started once"

# A worker paused past its lease (SIGSTOP: its renewals stop too) while its handler runs: the
# event is taken over; resumed, the paused worker's handler finishes (the one duplicate) but its
# mark is refused by the fencing token, and it says so.
touch "$TMP/slow.w1" "$TMP/slow.w2" "$TMP/slow.w3"
send x 1 1
xid=$(jq -r .id "$TMP/curl.x")
for _ in $(seq 1 $((200 * SCALE))); do grep -q "^$xid " "$TMP/starts" && break; sleep 0.05; done
read -r _ paused _ <<<"$(grep "^$xid " "$TMP/starts")"
paused_pid=$(eval "echo \$PID_$paused")
kill -STOP "$paused_pid"
for w in w1 w2 w3; do [ "$w" = "$paused" ] || rm -f "$TMP/slow.$w"; done
wait_lines "$TMP/handled" $((3 * N + 5)) || fail "the paused worker's event was not taken over"
rm -f "$TMP/slow.$paused"
wait_lines "$TMP/handled" $((3 * N + 6)) || fail "the paused worker's handler did not finish"
kill -CONT "$paused_pid"
for _ in $(seq 1 $((200 * SCALE))); do grep -q "event $xid: the lease ended" "$TMP/$paused.err" && break; sleep 0.05; done
assert_contains "$(cat "$TMP/$paused.err")" "event $xid: the lease ended before its outcome was recorded: another worker has it now" "the stale mark refused"
assert_eq "$(pg_sql "SELECT status || ' ' || fence || ' ' || attempts FROM ontraport_events WHERE id = $xid")" "done 2 0" "done once, by the worker that took it over"

RECEIVERS=()
for w in w1 w2 w3; do [ "$w" = "$victim" ] || RECEIVERS+=("$(eval "echo \$URL_$w")"); done
RECEIVERS+=("${RECEIVERS[0]}")

# ---- the database stopped during a flood, then back ----
# One sender per receiver: what one receiver acknowledged is delivered in that order.
send_to() { RECEIVERS=("$1" "$1" "$1"); send "$2" 1 "$F"; }
send_to "${RECEIVERS[0]}" d &
s1=$!
send_to "${RECEIVERS[1]}" e &
s2=$!
wait_lines "$TMP/handled" $((3 * N + 14)) || fail "the flood did not start"
pg_down
# Sent while the database is away: each answered 200 at once, from a receiver's spool. (Not
# counted from the flood: by the stop its senders may have little left to send.)
codes=""
for seq in 1 2 3 4 5 6; do
	code=$(curl -s -o "$TMP/curl.g" -w '%{http_code}' -H 'Content-Type: application/json' \
		-d "{\"obj\":\"g\",\"seq\":$seq}" "${RECEIVERS[$((seq % 2))]}" || true)
	codes+="$code "
	[ "$code" = 200 ] && echo "g $seq" >>"$TMP/acks"
done
assert_eq "$codes" "200 200 200 200 200 200 " "what was sent while the database was away acknowledged"
spooled=$(for w in w1 w2 w3; do "$OP" events list --db "$TMP/spool.$w" --status pending -o json 2>/dev/null || echo '[]'; done | jq -s 'map(length) | add')
echo "spooled while the database was away: $spooled"
CHECKS=$((CHECKS + 1))
[ "$spooled" -ge 1 ] || fail "nothing in the spools while the database was away"
pg_up
wait $s1 $s2
# Until every acknowledged event was handled (a duplicate would fool a count of lines).
missing() { comm -23 <(sort -u "$TMP/acks") <(awk '{print $1, $2}' "$TMP/handled" | sort -u) | wc -l; }
for _ in $(seq 1 $((600 * SCALE))); do [ "$(missing)" -eq 0 ] && break; sleep 0.05; done
assert_eq "$(missing)" 0 "acknowledged events not delivered after the restart"
# The event being delivered when the database went away may be delivered again (its worker
# could not renew the lease nor mark it): at most that one, next to itself; none from a spool.
squeeze() { tr ' ' '\n' | uniq | tr '\n' ' '; }
assert_eq "$(in_order d | squeeze)" "$(seq -s ' ' 1 "$F") " "object d in order across the outage"
assert_eq "$(in_order e | squeeze)" "$(seq -s ' ' 1 "$F") " "object e in order across the outage"
CHECKS=$((CHECKS + 1))
dups=$(awk '$1 == "d" || $1 == "e" {print $1, $2}' "$TMP/handled" | sort | uniq -d | wc -l)
[ "$dups" -le 1 ] || fail "$dups events delivered twice across the outage: at most the one in flight"
assert_eq "$(awk '{print $1, $2}' "$TMP/handled" | sort -u)" "$(sort -u "$TMP/acks")" "every acknowledged event delivered"
for w in w1 w2 w3; do
	[ "$w" = "$victim" ] && continue
	op events list --db "$TMP/spool.$w" -o json
	assert_jq "$OUT" 'length' 0 "spool of $w drained (and what moved, forgotten)"
done

# ---- events list / replay / purge --queue, while the watches run ----
op events list --queue "$PG_URL" --status pending -o json
assert_rc 0 "events list --queue"
assert_jq "$OUT" 'length' 0
op events list --queue "$PG_URL" --status done -o json
assert_jq "$OUT" 'length' "$(awk '{print $3}' "$TMP/handled" | sort -u | wc -l)"
no_secret "$OUT$ERR" "events list"
before=$(wc -l <"$TMP/handled")
op events replay "$zid" --queue "$PG_URL"
assert_rc 0 "events replay --queue"
wait_lines "$TMP/handled" $((before + 1)) || fail "the replayed event was not delivered"
assert_eq "$(tail -1 "$TMP/handled" | cut -d' ' -f1-3)" "z 1 $zid" "the replayed event delivered again"
ONTRAPORT_QUEUE="$PG_URL" op events show "$zid" -o json
assert_rc 0 "events show with ONTRAPORT_QUEUE"
assert_jq "$OUT" '.status' done
op events purge --before 0s --queue "$PG_URL"
assert_rc 0 "events purge --queue"
assert_contains "$ERR" "purged $((3 * N + 5 + 2 * F + 6)) events" # + the 6 sent while the database was away
op events replay 99999 --queue "$PG_URL"
assert_rc 4 "replay of an unknown id"

# ---- bad URLs ----
op events list --queue "postgresql://ontra:Bad%ZZSecret@127.0.0.1:$PG_PORT/postgres"
assert_rc 2 "an undecodable URL"
assert_not_contains "$ERR" "ZZSecret" "the error"
assert_one_line "$ERR" "the error"
port=$(pg__free_port)
op events list --queue "postgresql://ontra:Unused5678@127.0.0.1:$port/postgres"
assert_rc 8 "nobody listening"
assert_contains "$ERR" "postgresql://***@127.0.0.1:$port/postgres"
assert_not_contains "$ERR" "Unused5678" "the error"
assert_one_line "$ERR" "the error"
"$OP" watch --queue "postgresql://ontra:Unused5678@127.0.0.1:$port/postgres" --no-subscribe >"$TMP/out" 2>"$TMP/err" && RC=0 || RC=$?
ERR=$(cat "$TMP/err")
assert_rc 8 "watch: nobody listening"
assert_not_contains "$ERR" "Unused5678" "the watch's error"
op events list --queue "$PG_URL" --db "$TMP/x.db"
assert_rc 2 "--queue with --db"
assert_contains "$ERR" "not both"

for w in w1 w2 w3; do
	[ "$w" = "$victim" ] && continue
	pid=$(eval "echo \$PID_$w")
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq "$rc" 0 "watch $w stops cleanly"
done
finish
