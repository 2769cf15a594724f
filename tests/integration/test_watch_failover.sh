#!/usr/bin/env bash
# Failover (issue 15 §7): two watch processes (receivers and workers) on a
# PostgreSQL primary with a synchronous streaming standby (pg.sh's pg_standby:
# synchronous_commit=on, the standby named in synchronous_standby_names),
# reached through one URL naming both hosts with
# target_session_attrs=read-write. Senders post a stream of events; the
# standby is made to lag (the primary's walsender paused: commits wait for it,
# no 200), the primary is killed with -9 mid-stream, the receivers spool while
# neither server takes writes, the standby is promoted, and the receivers find
# it through the same URL and drain their spools into it.
#   - every event that got a 200 is delivered (at least once) and is in the
#     new primary's table: 0 acknowledged events lost;
#   - duplicates (deliveries, rows) are counted and printed, with the numbers
#     acknowledged, spooled, delivered and the time to recover;
#   - the URL's password is in no note nor the process listing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
export TMP
pg_start
pg_standby
op queue migrate --queue "$PG_URL2"
assert_rc 0 "migrate through the URL naming both hosts"
# synchronous_commit=on waits for the standby's flush, not its replay: the schema shows there soon after.
for _ in $(seq 100); do
	[ "$(pg_standby_sql "SELECT to_regclass('ontraport_schema_version') IS NOT NULL")" = t ] && break
	sleep 0.1
done
assert_eq "$(pg_standby_sql "SELECT count(*) > 0 FROM ontraport_schema_version")" t "the schema on the standby"
SCALE=${ONTRA_TEST_TIME_SCALE:-1}
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# The handler, WORKER its argument: "OBJ SEQ ID WORKER" per delivery.
HANDLER="$TMP/handler.sh"
cat >"$HANDLER" <<'EOF'
#!/bin/sh
ev=$(cat)
obj=$(printf '%s' "$ev" | sed -n 's/.*"obj":"\([a-z0-9]*\)".*/\1/p')
seq=$(printf '%s' "$ev" | sed -n 's/.*"seq":\([0-9]*\).*/\1/p')
echo "$obj $seq $ONTRAPORT_EVENT_ID $1" >>"$TMP/handled"
EOF
chmod +x "$HANDLER"
touch "$TMP/handled" "$TMP/acks" "$TMP/refused"
printf '%s\n' "0123456789abcdef0123456789abcdef" >"$TMP/token"

pg_watch w1 "$PG_URL2"
pg_watch w2 "$PG_URL2"
RECEIVERS=("$URL_w1" "$URL_w2")
assert_contains "$(cat "$TMP/w1.err")" "queue postgresql://***@127.0.0.1:$PG_PORT,127.0.0.1:$PG2_PORT/postgres?target_session_attrs=read-write" "the queue, shown"
if [ -z "${ONTRA_TEST_WRAPPER:-}" ]; then # (a wrapper such as valgrind shows its own argv)
	assert_contains "$(tr '\0' ' ' <"/proc/$PID_w1/cmdline")" "watch --queue" "the process is the one we started"
	assert_not_contains "$(tr '\0' ' ' <"/proc/$PID_w1/cmdline")" "$PG_PASSWORD" "the process listing"
fi

# send OBJ: post OBJ's events 1, 2, ... until $TMP/stop exists, each to the next receiver,
# each after the previous one's 200; a refusal is retried (as Ontraport does) after 50 ms.
# Acknowledged: "OBJ SEQ ID RECEIVER MS" (ID 0: stored in the receiver's spool).
send() {
	local obj=$1 seq=0 code n=0 r id
	while [ ! -f "$TMP/stop" ]; do
		seq=$((seq + 1))
		while :; do
			r=$((n % 2))
			n=$((n + 1))
			code=$(curl -s --max-time $((20 * SCALE)) -o "$TMP/curl.$obj" -w '%{http_code}' \
				-H 'Content-Type: application/json' -d "{\"obj\":\"$obj\",\"seq\":$seq}" \
				"${RECEIVERS[$r]}" || true)
			[ "$code" = 200 ] && break
			echo "$obj $seq $code" >>"$TMP/refused"
			sleep 0.05
		done
		id=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$TMP/curl.$obj")
		echo "$obj $seq ${id:-?} $r $(now_ms)" >>"$TMP/acks"
	done
}
SENDERS=()
for o in a b c; do
	send "$o" &
	SENDERS+=("$!")
	PIDS+=("$!")
done
wait_lines "$TMP/handled" 12 30 || fail "the stream was not delivered before the failover"

# The standby lags: the primary's walsender paused, as over a slow link. With
# synchronous_commit=on every commit now waits for it (no 200); wait until both receivers'
# commits do. (With asynchronous replication the receivers would go on answering 200 for
# events the standby never gets: waited for up to 20 of those.)
walsender=$(pg_sql "SELECT pid FROM pg_stat_replication WHERE application_name = 'ontra_standby'")
acks_before=$(wc -l <"$TMP/acks")
kill -STOP "$walsender"
for _ in $(seq 1 $((200 * SCALE))); do
	[ "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")" -ge 2 ] && break
	[ "$(wc -l <"$TMP/acks")" -ge $((acks_before + 20)) ] && break
	sleep 0.05
done
waiting=$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")

# The primary lost mid-stream; while neither server takes writes, the receivers spool.
acks_kill=$(wc -l <"$TMP/acks")
killed_at=$(now_ms)
pg_kill_primary
wait_lines "$TMP/acks" $((acks_kill + 6)) 20 || fail "nothing acknowledged while no server took writes"
acks_away=$(($(wc -l <"$TMP/acks") - acks_kill))
# Meanwhile a command on the queue: exit 8, each host's refusal said, no password.
op events list --queue "$PG_URL2"
assert_rc 8 "events list while no server takes writes"
assert_contains "$ERR" "port $PG_PORT failed: Connection refused" "the error (the primary)"
assert_contains "$ERR" "port $PG2_PORT failed: " "the error (the standby)"
assert_not_contains "$ERR" "$PG_PASSWORD" "the error"
assert_one_line "$ERR" "the error"
promote_at=$(now_ms)
pg_promote
promoted_at=$(now_ms)

# Recovered: each receiver stores events in the new primary again (a receiver spools every
# event while its spool holds any, so a direct id means its spool was drained).
back() { awk -v t="$promoted_at" -v r="$1" '$4 == r && $3 > 0 && $5 > t { print $5; exit }' "$TMP/acks"; }
for _ in $(seq 1 $((400 * SCALE))); do
	[ -n "$(back 0)" ] && [ -n "$(back 1)" ] && break
	sleep 0.05
done
b0=$(back 0)
b1=$(back 1)
[ -n "$b0" ] && [ -n "$b1" ] || fail "the receivers did not store into the new primary (w1: ${b0:-no}, w2: ${b1:-no})"
recovered_at=$((b0 > b1 ? b0 : b1))
touch "$TMP/stop"
wait "${SENDERS[@]}"

# Every acknowledged event delivered (at least once) and in the new primary's table.
missing() { comm -23 <(awk '{print $1, $2}' "$TMP/acks" | sort -u) <(awk '{print $1, $2}' "$TMP/handled" | sort -u) | wc -l; }
for _ in $(seq 1 $((600 * SCALE))); do [ "$(missing)" -eq 0 ] && break; sleep 0.05; done
assert_eq "$(missing)" 0 "acknowledged events not delivered"
pg_standby_sql "SELECT j->>'obj' || ' ' || (j->>'seq')
	FROM (SELECT convert_from(body, 'UTF8')::json AS j FROM ontraport_events) e" | sort >"$TMP/rows"
lost=$(comm -23 <(awk '{print $1, $2}' "$TMP/acks" | sort -u) <(sort -u "$TMP/rows") | wc -l)
assert_eq "$lost" 0 "acknowledged events missing from the new primary"
acked=$(wc -l <"$TMP/acks")
spooled=$(awk '$3 == 0' "$TMP/acks" | wc -l)
delivered=$(awk '{print $1, $2}' "$TMP/handled" | sort -u | wc -l)
dup_deliveries=$(($(wc -l <"$TMP/handled") - delivered))
dup_rows=$(($(wc -l <"$TMP/rows") - $(sort -u "$TMP/rows" | wc -l)))
CHECKS=$((CHECKS + 1))
[ "$spooled" -ge 1 ] || fail "no event was spooled while no server took writes"
echo "acknowledged $acked (spooled $spooled; $acks_away while no server took writes), refused $(wc -l <"$TMP/refused"), commits waiting for the standby at the kill: $waiting"
echo "delivered $delivered ($dup_deliveries duplicate deliveries), in the new primary $(sort -u "$TMP/rows" | wc -l) ($dup_rows duplicate rows), lost $lost"
echo "promoted $((promoted_at - killed_at)) ms after the kill (pg_ctl promote: $((promoted_at - promote_at)) ms); both receivers storing into the new primary $((recovered_at - promoted_at)) ms after the promotion ($((recovered_at - killed_at)) ms after the kill)"
for w in w1 w2; do
	assert_not_contains "$(cat "$TMP/$w.err")" "$PG_PASSWORD" "the notes of $w"
	op events list --db "$TMP/spool.$w" --status pending -o json
	assert_jq "$OUT" 'length' 0 "spool of $w drained"
done

for w in w1 w2; do
	pid=$(eval "echo \$PID_$w")
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq "$rc" 0 "watch $w stops cleanly"
done
finish
