#!/usr/bin/env bash
# The seed's object modules for contacts, end to end through the CLI:
# create, get, update, upsert, search (pages, limit, --where), delete.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

# Create, with values checked and normalised (drop-down label -> id, date -> Unix seconds).
op objects create firstname=Mary lastname=Smith email=mary@example.com status='Qualified Lead' birthday=1990-05-17 -o json
assert_rc 0 "create"
MARY=$(printf '%s' "$OUT" | jq -r .id)
assert_jq "$OUT" '.firstname' Mary
op objects get "$MARY" -o json
assert_rc 0 "get"
assert_jq "$OUT" '.email' mary@example.com
assert_jq "$OUT" '.status' 6
assert_jq "$OUT" '.birthday' 642902400
assert_jq "$OUT" '.id' "$MARY"

# Update prints what changed; the record shows it.
op objects update "$MARY" lastname=Jones office_phone='+1 555 0100' -o json
assert_rc 0 "update"
assert_jq "$OUT" '.lastname' Jones
assert_jq "$OUT" '.id' "$MARY"
assert_jq "$OUT" 'has("dlm")' true
op objects get "$MARY" -o json
assert_jq "$OUT" '.lastname' Jones
assert_jq "$OUT" '.office_phone' '+1 555 0100'

# Upsert: creates the first time, merges by email the second time (no duplicate).
op objects upsert email=ann@example.com firstname=Ann -o json
assert_rc 0 "upsert create"
assert_contains "$ERR" "created"
ANN=$(printf '%s' "$OUT" | jq -r .id)
op objects upsert email=ann@example.com firstname=Annie lastname= -o json
assert_rc 0 "upsert merge"
assert_contains "$ERR" "merged"
assert_jq "$OUT" '.firstname' Annie
op objects search --where "email = 'ann@example.com'" -o json
assert_jq "$OUT" 'length' 1
assert_jq "$OUT" '.[0].id' "$ANN"
# --ignore-blanks: an empty value leaves the stored one alone.
op objects upsert email=ann@example.com firstname= --ignore-blanks -o json
assert_rc 0
op objects get "$ANN" -o json
assert_jq "$OUT" '.firstname' Annie

# Many pages: 120 more contacts, searched in full and with a limit, no duplicates.
control POST "seed/contacts?count=120" >/dev/null
op objects search -o ndjson
assert_rc 0 "search all"
assert_eq "$(printf '%s\n' "$OUT" | wc -l)" 122 "every contact"
assert_eq "$(printf '%s\n' "$OUT" | jq -r .id | sort -u | wc -l)" 122 "no duplicates across pages"
op objects search --limit 70 -o ndjson
assert_eq "$(printf '%s\n' "$OUT" | wc -l)" 70 "limit 70 over two pages"
op objects search --limit 3 --fields id,email -o json
assert_jq "$OUT" 'length' 3
assert_jq "$OUT" '.[0] | keys | sort | join(",")' "email,id"
op objects search --count -o json
assert_jq "$OUT" '.count' 122
# The request log proves the pages were 50 at a time.
pages=$(control GET "requests?limit=20" | jq '[.[] | select(.path | test("^/1/objects$"; "i"))] | length')
[ "$pages" -ge 3 ] || fail "expected at least 3 page requests, saw $pages"

# --where compiles to the API's condition; AND/OR, LIKE, IN, IS NULL.
op objects search --where "email LIKE '%@example.com'" -o json
assert_rc 0 "where LIKE"
assert_jq "$OUT" 'length' 2
op objects search --where "status = 6 OR id = $ANN" --sort id -o json
assert_jq "$OUT" '[.[].id] | join(",")' "$MARY,$ANN"
op objects search --where "id IN ($MARY, $ANN)" -o json
assert_jq "$OUT" 'length' 2
op objects search --where "lastname = 'Jones' AND firstname = 'Nobody'" -o json
assert_jq "$OUT" 'length' 0
op objects search --search mary@example -o json
assert_jq "$OUT" 'length' 1
op objects search --sort id --desc --limit 1 -o json
assert_jq "$OUT" '.[0].id | tonumber > '"$ANN" true

# Table and csv output.
op objects search --limit 2 -o csv
assert_contains "$(printf '%s' "$OUT" | head -1)" "firstname"
op objects get "$MARY" -o table
assert_contains "$OUT" "Jones"

# Deleting several asks for confirmation; without a terminal it needs --yes.
op objects delete "$MARY" "$ANN"
assert_rc 2 "delete two without --yes"
assert_contains "$ERR" "--yes"
op objects search --count -o json
assert_jq "$OUT" '.count' 122
op objects delete "$MARY" "$ANN" --yes
assert_rc 0 "delete two with --yes"
op objects get "$MARY"
assert_rc 4 "deleted"
# A condition that selects everything is refused, even with --yes; --all says so.
op objects delete --where "id > 0" --yes
assert_rc 2 "an always-true condition"
assert_contains "$ERR" "--all"
op objects delete --where "id > 0" --all --yes
assert_rc 2 "--all with a condition"
op objects search --count -o json
assert_jq "$OUT" '.count' 120
op objects delete --where "email LIKE '%@seed.example'" --yes
assert_rc 0 "delete by condition"
op objects search --count -o json
assert_jq "$OUT" '.count' 0
op objects create email=last@example.com
op objects delete --all --yes
assert_rc 0 "delete --all"
op objects search --count -o json
assert_jq "$OUT" '.count' 0

finish
