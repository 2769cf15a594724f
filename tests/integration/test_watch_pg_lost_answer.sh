#!/usr/bin/env bash
# A watch on PostgreSQL whose store was committed but whose answer was lost with the
# connection (pgproxy.py cuts it after the server's commit): the event is in the queue once,
# and delivered once (docs/postgresql.md, "A store whose answer was lost").
#   - the database still there: the store is tried again on a new connection under the same
#     reference, which the first try took: nothing stored twice, 200 with id 0;
#   - the database away at once after (new connections refused): the event is spooled with
#     the store's reference and acknowledged; once the database is back the drainer finds the
#     store made and does not move the event again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
export TMP
pg_start_queue

CTL="$TMP/proxy"
mkdir -p "$CTL"
PROXY_PORT=$(pg__free_port)
python3 "$(dirname "$0")/pgproxy.py" "$PROXY_PORT" "$PG_PORT" "$CTL" >"$TMP/proxy.out" 2>&1 &
PIDS+=("$!")
wait_for "$TMP/proxy.out" ready || fail "the proxy did not start"
PROXY_URL="postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PROXY_PORT/postgres"

# The handler records each event's "k" as it is delivered.
HANDLER="$TMP/handler.sh"
cat >"$HANDLER" <<'EOF'
#!/bin/sh
sed -n 's/.*"k":"\([a-z0-9]*\)".*/\1/p' >>"$TMP/handled"
EOF
chmod +x "$HANDLER"
touch "$TMP/handled"
printf '%s\n' "0123456789abcdef0123456789abcdef" >"$TMP/token"
pg_watch w "$PROXY_URL"

post() { curl -s -H 'Content-Type: application/json' -d "{\"k\":\"$1\"}" "$URL_w"; }
stored() { pg_sql "SELECT count(*) FROM ontraport_events WHERE convert_from(body, 'UTF8') LIKE '%\"$1\"%'"; }

assert_jq "$(post a0)" '.id > 0' true "an event stored as usual"

# Lost answer, the database still there: tried again under the same reference.
: >"$CTL/lose-answer"
answer=$(post a1)
assert_eq "$(cat "$CTL/log" 2>/dev/null)" "lost" "the proxy lost the store's answer"
assert_jq "$answer" '.ok' true "acknowledged"
assert_jq "$answer" '.id' 0 "its id not known (the first try made it)"
assert_eq "$(stored a1)" 1 "the store whose answer was lost: in the queue once"

# Lost answer, then the database away: spooled with the store's reference, settled later.
echo refuse >"$CTL/lose-answer"
answer=$(post b1)
assert_eq "$(cat "$CTL/log")" "lost
lost" "the proxy lost the second store's answer"
assert_jq "$answer" '.id' 0 "acknowledged from the spool"
op events list --db "$TMP/spool.w" --status pending -o json
assert_jq "$OUT" 'length' 1 "one event in the spool"
assert_jq "$OUT" '.[0].id' 1
assert_eq "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT store_ref FROM rcv_events").fetchone()[0][:1])' "$TMP/spool.w")" "#" "spooled with its store's reference"
assert_eq "$(stored b1)" 1 "the store committed before the cut"
rm -f "$CTL/refuse"
assert_jq "$(post c1)" '.ok' true "one more, the database back"
wait_lines "$TMP/handled" 4 || fail "not every event was delivered"
assert_eq "$(stored b1)" 1 "the spooled event not moved again: its store had been made"
assert_eq "$(stored c1)" 1 "the event spooled after it moved"
op events list --db "$TMP/spool.w" --status pending -o json
assert_jq "$OUT" 'length' 0 "the spool drained"
assert_eq "$(tr '\n' ' ' <"$TMP/handled")" "a0 a1 b1 c1 " "each delivered once, in order"
assert_not_contains "$(cat "$TMP/w.err")" "$PG_PASSWORD" "the watch's notes"
finish
