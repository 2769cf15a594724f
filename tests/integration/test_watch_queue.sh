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

# A queue made before queues were marked (application_id 0, schema 1: no store_ref) is
# still one: read as it is by list, stamped and brought to schema 2 by the first command
# that writes.
start_watch old --no-subscribe
curl -sS -o /dev/null -X POST --data 'a=1' "$WATCH_URL"
wait_lines "$TMP/old.out" 1 || fail "the event was not delivered"
stop_watch old
appid() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA application_id").fetchone()[0])' "$1"; }
assert_eq "$(appid "$TMP/old.db")" 1330533457 "a new queue's application_id (ONTQ)"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA application_id=0"); c.execute("ALTER TABLE rcv_events DROP COLUMN store_ref"); c.execute("PRAGMA user_version=1"); c.commit()' "$TMP/old.db"
op events list --db "$TMP/old.db" -o json
assert_rc 0 "events list on an unmarked queue"
assert_jq "$OUT" 'length' 1
assert_eq "$(appid "$TMP/old.db")" 0 "events list leaves the unmarked queue as it is"
op events replay 1 --db "$TMP/old.db"
assert_rc 0 "events replay on an unmarked queue"
assert_eq "$(appid "$TMP/old.db")" 1330533457 "a write stamps the unmarked queue"
assert_eq "$(python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("PRAGMA user_version").fetchone()[0], [r[1] for r in c.execute("PRAGMA table_info(rcv_events)")][-1])' "$TMP/old.db")" "2 store_ref" "the unmarked queue brought to schema 2"

# ---- a "done" mark that cannot be written is retried; the event is not delivered again ----
# The handler: waits for $TMP/NAME.go, then appends the event to $TMP/NAME.got.
HANDLER="$TMP/handler.sh"
cat >"$HANDLER" <<'SH'
#!/bin/sh
event=$(cat)
while [ ! -e "$TMP/$1.go" ]; do sleep 0.05; done
printf '%s\n' "$event" >>"$TMP/$1.got"
SH
touch "$TMP/lk.got" "$TMP/full.got"
done_count() { "$OP" events list --db "$1" --status "done" -o json | jq length; }
wait_done() { # DB: until its one event is done (30 s)
	for _ in $(seq 1 $((600 * SCALE))); do
		[ "$(done_count "$1")" = 1 ] && return 0
		sleep 0.05
	done
	return 1
}

# Another process holds BEGIN EXCLUSIVE past the 5 s busy timeout while the mark is due.
start_watch lk --no-subscribe --exec "sh $HANDLER lk"
curl -sS -o /dev/null -X POST --data 'a=1' "$WATCH_URL"
python3 - "$TMP/lk.db" "$TMP/lk.locked" "$TMP/lk.release" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
db.execute("COMMIT")
PY
LOCKER=$!
PIDS+=("$LOCKER")
for _ in $(seq 1 $((200 * SCALE))); do [ -e "$TMP/lk.locked" ] && break; sleep 0.05; done
touch "$TMP/lk.go"
wait_lines "$TMP/lk.got" 1 || fail "the event was not delivered"
sleep 6.5 # the mark waits out the busy timeout (5 s) and fails
assert_eq "$(wc -l <"$TMP/lk.got")" 1 "deliveries while the queue is locked"
touch "$TMP/lk.release"
wait "$LOCKER" || true
wait_done "$TMP/lk.db" || fail "the mark was not recorded once the lock went"
assert_eq "$(wc -l <"$TMP/lk.got")" 1 "deliveries after the lock went"
assert_contains "$(cat "$TMP/lk.err")" "cannot record a delivery outcome (retrying the mark, not the delivery)" "locked: the log"
assert_contains "$(cat "$TMP/lk.err")" "event 1: outcome recorded after" "locked: recorded"
stop_watch lk

# A full disk: a real tmpfs of 4 MiB (we run as root in CI's container); elsewhere skipped.
mkdir -p "$TMP/small"
if mount -t tmpfs -o size=4m tmpfs "$TMP/small" 2>/dev/null; then
	trap 'umount "$TMP/small" 2>/dev/null || true; cleanup' EXIT
	# The queue is on the tmpfs (SQLite follows the link: its WAL is made beside the file).
	ln -s "$TMP/small/full.db" "$TMP/full.db"
	start_watch full --no-subscribe --exec "sh $HANDLER full"
	CHECKS=$((CHECKS + 1))
	[ -e "$TMP/small/full.db-wal" ] || fail "the WAL is not on the small tmpfs"
	curl -sS -o /dev/null -X POST --data 'a=1' "$WATCH_URL"
	dd if=/dev/zero of="$TMP/small/fill" bs=64k 2>/dev/null || true # until ENOSPC
	touch "$TMP/full.go"
	wait_lines "$TMP/full.got" 1 || fail "the event was not delivered"
	sleep 2 # the disk stays full: the mark fails and is retried
	assert_eq "$(wc -l <"$TMP/full.got")" 1 "deliveries while the disk is full"
	rm -f "$TMP/small/fill"
	wait_done "$TMP/small/full.db" || fail "the mark was not recorded once space came back"
	assert_eq "$(wc -l <"$TMP/full.got")" 1 "deliveries after space came back"
	stop_watch full
	umount "$TMP/small"
else
	echo "$TEST_NAME: cannot mount a tmpfs here (not root): the full-disk case is skipped"
fi

# ---- standard output's reader goes away (watch | head -1): stop acknowledging, exit 1 ----
mkfifo "$TMP/pipe.fifo"
"$OP" watch --no-subscribe --db "$TMP/pipe.db" --max-attempts 1 >"$TMP/pipe.fifo" 2>"$TMP/pipe.err" &
PIPE_WATCH=$!
PIDS+=("$PIPE_WATCH")
head -1 <"$TMP/pipe.fifo" >"$TMP/pipe.first" &
HEAD=$!
for _ in $(seq 1 $((300 * SCALE))); do grep -q 'listening on ' "$TMP/pipe.err" && break; sleep 0.05; done
URL=$(sed -n 's/^ontraport watch: listening on //p' "$TMP/pipe.err")
code() { curl -sS -o /dev/null -w '%{http_code}' -X POST --data "$1" "$URL" 2>/dev/null || true; }
assert_eq "$(code n=1)" 200 "the first event"
wait "$HEAD" || true # head printed it and left
assert_jq "$(cat "$TMP/pipe.first")" '.fields.n' 1
assert_eq "$(code n=2)" 200 "the second event (stored; its delivery finds the reader gone)"
for _ in $(seq 1 $((200 * SCALE))); do kill -0 "$PIPE_WATCH" 2>/dev/null || break; sleep 0.05; done
C3=$(code n=3)
CHECKS=$((CHECKS + 1))
[ "$C3" != 200 ] || fail "an event was acknowledged after the reader went away"
if kill -0 "$PIPE_WATCH" 2>/dev/null; then
	fail "watch still runs with its reader gone"
	kill -TERM "$PIPE_WATCH"
fi
set +e
wait "$PIPE_WATCH"
RC=$?
set -e
ERR=$(cat "$TMP/pipe.err")
assert_rc 1 "watch whose reader went away"
assert_contains "$ERR" "standard output was closed (its reader went away): stopped taking events; 1 left pending for the next run" "the exit message"
assert_not_contains "$ERR" "is dead" "no event went dead"
op events list --db "$TMP/pipe.db" -o json
assert_jq "$OUT" 'map(.status + "/" + (.attempts | tostring)) | join(" ")' "done/0 pending/0"

finish
