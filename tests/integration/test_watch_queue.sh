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

finish
