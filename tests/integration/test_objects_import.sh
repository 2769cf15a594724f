#!/usr/bin/env bash
# objects import: 2,000 CSV rows killed twice (kill -9) at random moments and
# resumed, every row then present exactly once; --create-only through a
# dropped connection and two kills, no create sent twice (the sandbox's
# request log); the rejects report; NDJSON; another key; --update-only;
# --where on tag, untag, subscribe, unsubscribe and delete.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

# kill_at PID CHECKPOINT N: kill -9 PID once its checkpoint records N rows (or it ended).
kill_at() {
	local i r
	for i in $(seq 1 6000); do
		r=$(sed -n 's/^records //p' "$2" 2>/dev/null || true)
		[ -n "$r" ] && [ "$r" -ge "$3" ] && break
		kill -0 "$1" 2>/dev/null || break
		sleep 0.005
	done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	records=$(sed -n 's/^records //p' "$2")
}

# ---- 2,000 rows, upserted on email, killed twice ----
csv="$TMP/people.csv"
{
	echo 'email,First Name,lastname,tags'
	for i in $(seq 1 2000); do
		e="u$i@imp.example" f="F$i" t=""
		[ $((i % 400)) -eq 0 ] && e="bad$i"
		[ $((i % 7)) -eq 0 ] && f="\"F$i, Jr\""
		[ $((i % 50)) -eq 0 ] && t="Imported;Batch$((i % 3))"
		echo "$e,$f,L$i,$t"
	done
} >"$csv"

for round in 1 2; do
	"$OP" objects import "$csv" >"$TMP/imp.out" 2>"$TMP/imp.err" &
	pid=$!
	# a random moment: somewhere in the first or the second half
	kill_at "$pid" "$csv.checkpoint" $((round * 700 - 600 + RANDOM % 500))
	CHECKS=$((CHECKS + 1))
	[ "$records" -lt 2001 ] || fail "round $round: the import ended before the kill ($records)"
done
assert_eq "$(stat -c %a "$csv.checkpoint")" 600 "checkpoint mode"
op objects import "$csv"
assert_rc 5 "the resumed import (rows were rejected)"
assert_contains "$ERR" "2000 rows read" "summary"
skipped=$(printf '%s' "$ERR" | sed -n 's/.* \([0-9]*\) skipped as already done.*/\1/p')
CHECKS=$((CHECKS + 1))
[ "${skipped:-0}" -gt 0 ] || fail "the resumed import skipped nothing: $ERR"
assert_contains "$ERR" "$csv.rejects.csv" "summary names the report"

# Every good row exactly once, counted by key.
op objects search --where "email LIKE '%@imp.example'" -o json
assert_rc 0 "search the imported"
assert_jq "$OUT" 'length' 1995
assert_jq "$OUT" '[group_by(.email)[] | length] | max' 1
assert_jq "$OUT" '[.[] | select(.email == "u14@imp.example")][0].firstname' "F14, Jr"
assert_jq "$OUT" '[.[] | select(.email == "u3@imp.example")][0].lastname' "L3"
op objects with-tag --tag Imported -o json
assert_jq "$OUT" 'length' 35

# The rejects report: a header, then row (the header is row 1), field, reason.
assert_eq "$(head -1 "$csv.rejects.csv" | tr -d '\r')" "row,field,reason" "rejects header"
assert_eq "$(tail -n +2 "$csv.rejects.csv" | cut -d, -f1-2 | tr '\n' ' ')" \
	"401,email 801,email 1201,email 1601,email 2001,email " "rejected rows"
assert_contains "$(sed -n 2p "$csv.rejects.csv")" "expected an email address" "reason"
assert_eq "$(stat -c %a "$csv.rejects.csv")" 600 "rejects mode"

# Done is done: a second run sends nothing and rejects nothing more.
before=$(requests_seen)
op objects import "$csv"
assert_rc 0 "an import already done"
assert_contains "$ERR" "2000 skipped as already done"
assert_eq "$(($(requests_seen) - before))" 0 "requests for an import already done (the metadata is cached)"
assert_eq "$(tail -n +2 "$csv.rejects.csv" | wc -l)" 5 "reject lines after a rerun"

# Another input under the same checkpoint is refused.
sed 's/^u1@/x1@/' "$csv" >"$TMP/changed.csv"
op objects import "$TMP/changed.csv" --checkpoint "$csv.checkpoint"
assert_rc 5 "a changed input"
assert_contains "$ERR" "is not the input checkpoint"

# ---- --create-only: a dropped connection and two kills, no create sent twice ----
co="$TMP/co.csv"
{
	echo 'email,firstname'
	for i in $(seq 1 300); do echo "co$i@co.example,C$i"; done
} >"$co"
control POST 'faults?fault=drop=after,path=/1/objects,method=POST,count=1' >/dev/null
op objects import --create-only "$co" --retries 0
assert_rc 10 "create-only: the answer to a create was lost"
assert_eq "$(sed -n 's/^records //p' "$co.checkpoint")" 1 "the lost row is not recorded"
for round in 1 2; do
	"$OP" objects import --create-only "$co" >"$TMP/imp.out" 2>"$TMP/imp.err" &
	pid=$!
	kill_at "$pid" "$co.checkpoint" $((round * 100 + RANDOM % 80))
done
op objects import --create-only "$co"
assert_rc 0 "create-only resumed"
assert_contains "$ERR" "300 rows read"
op objects search --where "email LIKE '%@co.example'" -o json
assert_jq "$OUT" 'length' 300
assert_jq "$OUT" '[group_by(.email)[] | length] | max' 1
control GET 'requests?limit=1000' >"$TMP/log.json"
assert_jq "$(cat "$TMP/log.json")" \
	'[.[] | select(.method == "POST" and .path == "/1/objects") | .body | fromjson? |
	  .email | select(. != null and endswith("@co.example"))] | (length == 300 and (unique | length) == 300)' true

# ---- NDJSON: aliases, drop-down labels, tag arrays, rejects by line ----
nd="$TMP/people.ndjson"
cat >"$nd" <<'EOF'
{"email":"n1@nd.example","First Name":"Nina","status":"Qualified Lead","tags":["Nd","VIP"]}
{"email":"n2@nd.example","firstname":"Ned","emial":"x"}
{"email":"n3@nd.example","firstname":"Noor","tags":"Nd; Other"}
not json

{"email":"n1@nd.example","lastname":"Updated"}
EOF
op objects import "$nd"
assert_rc 5 "ndjson with rejects"
assert_contains "$ERR" "5 rows read: 2 created, 1 updated, 2 rejected"
assert_contains "$(cat "$nd.rejects.csv")" "2,emial,unknown field 'emial' for Contact (did you mean 'email'?)"
assert_contains "$(cat "$nd.rejects.csv")" "4,,not a JSON object"
op objects search --where "email = 'n1@nd.example'" -o json
assert_jq "$OUT" '.[0].firstname + " " + .[0].lastname + " " + .[0].status' "Nina Updated 6"
op objects with-tag --tag Nd -o json
assert_jq "$OUT" '[.[].email] | sort | join(",")' "n1@nd.example,n3@nd.example"

# Another key: looked up, then updated or created.
printf '{"lastname":"Keyed","firstname":"A"}\n' >"$TMP/k1.ndjson"
printf '{"lastname":"Keyed","firstname":"B"}\n' >"$TMP/k2.ndjson"
op objects import --key lastname "$TMP/k1.ndjson"
assert_rc 0 "key lastname (create)"
op objects import --key "Last Name" "$TMP/k2.ndjson"
assert_rc 0 "key by its label (update)"
assert_contains "$ERR" "1 updated"
op objects search --where "lastname = 'Keyed'" -o json
assert_jq "$OUT" '[length, .[0].firstname] | join(" ")' "1 B"

# --update-only: a row that matches nothing is rejected, nothing created.
printf 'email,firstname\nnobody@nd.example,Z\nn3@nd.example,Noor2\n' | "$OP" objects import --update-only - \
	--rejects "$TMP/uo.csv" >"$TMP/out" 2>"$TMP/err" && RC=0 || RC=$?
ERR=$(cat "$TMP/err")
assert_rc 5 "update-only"
assert_contains "$ERR" "1 updated, 1 rejected"
assert_contains "$(cat "$TMP/uo.csv")" "2,email,no object has this email (--update-only)"
op objects search --where "email = 'nobody@nd.example'" --count -o json
assert_jq "$OUT" '.count' 0

# Bad input before anything is written: an unknown column, no key column.
printf 'email,frstname\na@b.example,X\n' >"$TMP/bad.csv"
op objects import "$TMP/bad.csv"
assert_rc 5 "unknown column"
assert_contains "$ERR" "column 'frstname': unknown field 'frstname' for Contact (did you mean 'firstname'?)"
assert_one_line "$ERR"
printf 'firstname\nX\n' >"$TMP/nokey.csv"
op objects import "$TMP/nokey.csv"
assert_rc 5 "no key column"
assert_contains "$ERR" "no column for the key field 'email'"
op objects import --create-only --update-only "$TMP/nokey.csv"
assert_rc 2 "create-only and update-only"

# ---- --where on tag, untag, subscribe, unsubscribe, delete ----
op objects tag --tag CoTag --where "email LIKE '%@co.example'"
assert_rc 0 "tag --where"
op objects with-tag --tag CoTag --count -o json
op objects with-tag --tag CoTag -o json
assert_jq "$OUT" 'length' 300
op objects untag --tag CoTag --where "email LIKE 'co1%@co.example'"
assert_rc 0 "untag --where"
op objects with-tag --tag CoTag -o json
assert_jq "$OUT" 'length' 189
op objects tag --tag CoTag 5 --where "id = 5"
assert_rc 2 "ids and --where together"
op objects subscribe --sequence 1 --where "email = 'co5@co.example'"
assert_rc 0 "subscribe --where"
op objects search --where "email = 'co5@co.example'" -o json
assert_contains "$(printf '%s' "$OUT" | jq -r '.[0].updateSequence')" "*/*1*/*" "subscribed"
op objects unsubscribe --sequence 1 --where "email = 'co5@co.example'"
assert_rc 0 "unsubscribe --where"
op objects search --where "email = 'co5@co.example'" -o json
assert_not_contains "$(printf '%s' "$OUT" | jq -r '.[0].updateSequence')" "*/*1*/*" "unsubscribed"
op objects delete --where "id > 0" --yes
assert_rc 2 "delete of everything without --all"
op objects delete --where "email LIKE '%@co.example'" --yes
assert_rc 0 "delete --where"
op objects search --where "email LIKE '%@co.example'" --count -o json
assert_jq "$OUT" '.count' 0

finish
