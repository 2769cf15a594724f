#!/usr/bin/env bash
# The queue behind `ontraport watch` (issue 12): one deliverer per database file
# whatever name it is reached by; a failed "done" mark is retried, not the delivery;
# a vanished stdout reader stops the acknowledgements; read-only commands leave a
# foreign SQLite file as it was. Tests that expect a failure use fast retries.
. "$(dirname "$0")/lib.sh"
export TMP
SCALE=${ONTRA_TEST_TIME_SCALE:-1}

# ---- one delivering watch per database file, not per name (symlink, hard link) ----
start_watch one --no-subscribe
ln -s "$TMP/one.db" "$TMP/sym.db"
ln "$TMP/one.db" "$TMP/hard.db"
for alias in sym hard; do
	run timeout $((10 * SCALE)) "$OP" watch --no-subscribe --db "$TMP/$alias.db"
	assert_rc 1 "a second watch on a $alias link of the queue"
	assert_contains "$ERR" "another 'ontraport watch' is delivering from '$TMP/$alias.db'" "$alias link"
	assert_one_line "$ERR" "$alias link refusal"
done
stop_watch one
# Once the first one stopped, the link works.
start_watch sym --no-subscribe
stop_watch sym

# ---- read-only commands open read-only; a file that is not a queue is refused, unchanged ----
python3 - "$TMP/foreign.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"
                 "INSERT INTO notes (text) VALUES ('keep me'); PRAGMA user_version = 7;")
db.commit()
db.close()
PY
digest() { sha256sum "$1" | cut -d' ' -f1; }
BEFORE=$(digest "$TMP/foreign.db")
for cmd in "events list" "events show 1" "events replay --dead" "events purge --before 1d"; do
	# shellcheck disable=SC2086
	op $cmd --db "$TMP/foreign.db"
	assert_rc 5 "$cmd on a foreign SQLite file"
	assert_contains "$ERR" "'$TMP/foreign.db' is not an event queue" "$cmd on a foreign file"
	assert_one_line "$ERR" "$cmd refusal"
	assert_eq "$(digest "$TMP/foreign.db")" "$BEFORE" "the foreign file after $cmd"
done
run timeout $((10 * SCALE)) "$OP" watch --no-subscribe --db "$TMP/foreign.db"
assert_rc 5 "watch on a foreign SQLite file"
assert_contains "$ERR" "is not an event queue" "watch on a foreign file"
assert_eq "$(digest "$TMP/foreign.db")" "$BEFORE" "the foreign file after watch"
CHECKS=$((CHECKS + 1))
[ ! -e "$TMP/foreign.db-wal" ] || fail "a WAL was made beside the foreign file"
printf 'plain text, not SQLite\n' >"$TMP/text.db"
op events list --db "$TMP/text.db"
assert_rc 5 "events list on a text file"
assert_contains "$ERR" "is not an event queue" "a text file"

# A queue made before queues were marked (application_id 0) is still one: read as it
# is by list, stamped by the first command that writes.
start_watch old --no-subscribe
curl -sS -o /dev/null -X POST --data 'a=1' "$WATCH_URL"
wait_lines "$TMP/old.out" 1 || fail "the event was not delivered"
stop_watch old
appid() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA application_id").fetchone()[0])' "$1"; }
assert_eq "$(appid "$TMP/old.db")" 1330533457 "a new queue's application_id (ONTQ)"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA application_id=0"); c.commit()' "$TMP/old.db"
op events list --db "$TMP/old.db" -o json
assert_rc 0 "events list on an unmarked queue"
assert_jq "$OUT" 'length' 1
assert_eq "$(appid "$TMP/old.db")" 0 "events list leaves the unmarked queue as it is"
op events replay 1 --db "$TMP/old.db"
assert_rc 0 "events replay on an unmarked queue"
assert_eq "$(appid "$TMP/old.db")" 1330533457 "a write stamps the unmarked queue"

finish
