#!/usr/bin/env bash
# Issue 17 §2 and §3: output for people and names wherever a user types one.
# Tables show dates as date-times and tags by name, never cut a column with
# '~' (a record at a time when the columns do not fit); objects get shows the
# filled fields (--all every one); json keeps the raw epoch unless --dates;
# ids are strings; sequences, campaigns, task owners and forms, and
# subscription fields take names; a repeated --tag means any (--all-tags:
# every one); --type with tag/form events is refused.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "no script(1) (util-linux)" >&2; exit 1; }
start_sandbox

op objects create firstname=Ann email=ann@x.org -o json
assert_rc 0 "create ann"
ANN=$(printf '%s' "$OUT" | jq -r .id)
op objects create firstname=Bob "lastname=$(printf 'L%.0s' $(seq 70))" email=bob@x.org -o json
BOB=$(printf '%s' "$OUT" | jq -r .id)
op objects create firstname=Cy email=cy@x.org -o json
CY=$(printf '%s' "$OUT" | jq -r .id)
op objects tag --tag VIP --tag Webinar "$ANN"
assert_rc 0 "tag ann"
op objects tag --tag VIP "$CY"
op objects tag --tag Webinar "$BOB"
op objects search --type tags -o json
VIP=$(printf '%s' "$OUT" | jq -r '.[] | select(.tag_name=="VIP") | .tag_id')

# ---- §2 dates: local in a table, epoch in json unless --dates ----
op objects get "$ANN" -o json
DATE=$(printf '%s' "$OUT" | jq -r .date)
assert_contains "$DATE" "17" "json keeps the epoch"
want_local=$(TZ=Asia/Tokyo date -d "@$DATE" '+%Y-%m-%d %H:%M:%S')
want_utc=$(date -u -d "@$DATE" '+%Y-%m-%dT%H:%M:%SZ')
run env TZ=Asia/Tokyo "$OP" objects get "$ANN" -o table
assert_rc 0 "get as a table"
assert_contains "$OUT" "date           $want_local" "a table's date is local"
assert_not_contains "$OUT" "$DATE" "a table shows no epoch"
op objects get "$ANN" -o json --dates utc
assert_jq "$OUT" .date "$want_utc"
run env TZ=Asia/Tokyo "$OP" objects search -o csv --dates local
assert_contains "$OUT" "$(TZ=Asia/Tokyo date -d "@$DATE" '+%Y-%m-%dT%H:%M:%S')+09:00" "csv --dates local"
op objects get "$ANN" -o table --dates epoch
assert_contains "$OUT" "$DATE" "--dates epoch in a table"
op objects get "$ANN" --dates yesterday
assert_rc 2 "a bad --dates"
assert_contains "$ERR" "expected local, utc or epoch"

# ---- §2 names in tables; filled fields; --all ----
op objects get "$ANN" -o table
assert_contains "$OUT" "contact_cat    VIP, Webinar" "tags by name in a table"
assert_not_contains "$OUT" "address" "an empty field in get's table"
op objects get "$ANN" -o table --all
assert_contains "$OUT" "address" "--all shows every field"
op objects get "$ANN" -o json
assert_jq "$OUT" '.contact_cat' "*/*1*/*2*/*"
assert_jq "$OUT" 'has("address")' "true"

# ---- §2 no column cut with '~': wide enough, every cell whole; too narrow, vertical ----
run script -qec "COLUMNS=200 '$OP' objects search --quiet" "$TMP/ts"
OUT=$(printf '%s' "$OUT" | tr -d '\r')
assert_contains "$OUT" "$(printf 'L%.0s' $(seq 70))" "a wide terminal shows the whole cell"
assert_not_contains "$OUT" "~" "no cut"
assert_contains "$(printf '%s' "$OUT" | head -1)" "firstname" "a table with a header row"
run script -qec "COLUMNS=60 '$OP' objects search --quiet" "$TMP/ts"
OUT=$(printf '%s' "$OUT" | tr -d '\r')
assert_not_contains "$OUT" "~" "no cut when narrow"
assert_contains "$OUT" "lastname   $(printf 'L%.0s' $(seq 70))" "narrow: a record at a time"
assert_contains "$OUT" "firstname  Cy" "narrow: every record"
op objects search -o table
assert_contains "$OUT" "$(printf 'L%.0s' $(seq 70))" "to a file: never cut"

# ---- §2 ids as strings ----
op messages create -t email --name M1 --subject S --html '<p>hi</p>' -o json
assert_rc 0 "message create"
assert_jq "$OUT" '.id | type' "string"
op webhooks subscribe --url http://127.0.0.1:9/hook -o json
assert_rc 0 "webhooks subscribe"
assert_jq "$OUT" '.[0].id | type' "string"

# ---- §3 with-tag: any, --all-tags ----
op objects with-tag --tag VIP --tag Webinar -o json
assert_jq "$OUT" '[.[].id] | sort | join(",")' "$(printf '%s\n' "$ANN" "$BOB" "$CY" | sort | paste -sd,)"
op objects with-tag --tag VIP --tag Webinar --all-tags -o json
assert_jq "$OUT" '[.[].id] | join(",")' "$ANN"
op objects with-tag --tag "$VIP" --tag Webinar --limit 1 -o json
assert_jq "$OUT" 'length' "1"

# ---- §3 subscription fields: ids and names stored in the star-slash form ----
op objects update "$BOB" contact_cat=VIP -o json
assert_rc 0 "contact_cat=VIP"
assert_jq "$OUT" .contact_cat "*/*$VIP*/*"
op objects update "$BOB" "contact_cat=$VIP,Webinar" -o json
assert_jq "$OUT" .contact_cat "*/*$VIP*/*2*/*"
op objects with-tag --tag VIP --tag Webinar --all-tags -o json
assert_jq "$OUT" '[.[].id] | sort | join(",")' "$(printf '%s\n' "$ANN" "$BOB" | sort | paste -sd,)"
op objects update "$BOB" contact_cat=NoSuchTag --retries 0
assert_rc 4 "an unknown tag name"
assert_contains "$ERR" "no tag named 'NoSuchTag'"

# ---- §3 sequences, campaigns, task owners and forms by name ----
op objects search --type sequences -o json
SEQ=$(printf '%s' "$OUT" | jq -r '.[0].name')
SEQID=$(printf '%s' "$OUT" | jq -r '.[0].id')
if [ -n "$SEQ" ] && [ "$SEQ" != null ]; then
	op objects subscribe --sequence "$SEQ" "$ANN"
	assert_rc 0 "subscribe by sequence name"
	op objects get "$ANN" -o json
	assert_contains "$(printf '%s' "$OUT" | jq -r .updateSequence)" "*$SEQID*" "subscribed to the sequence"
	op objects get "$ANN" -o table
	assert_contains "$OUT" "updateSequence  $SEQ" "a sequence by name in a table"
fi
op objects search --type 2 -o json
USER_NAME=$(printf '%s' "$OUT" | jq -r '.[0] | .firstname + " " + .lastname')
USER_ID=$(printf '%s' "$OUT" | jq -r '.[0].id')
op forms list -o json
FORM=$(printf '%s' "$OUT" | jq -r '.[0].formname')
FORM_ID=$(printf '%s' "$OUT" | jq -r '.[0].form_id')
op messages create -t task --name T1 --subject Call --due-date 2 --task-owner "$USER_NAME" --task-form "$FORM" -o json
assert_rc 0 "task with owner and form by name"
TASK=$(printf '%s' "$OUT" | jq -r .id)
op messages get "$TASK" -o json
assert_jq "$OUT" .task_owner "$USER_ID"
assert_jq "$OUT" .task_form "$FORM_ID"
op messages create -t task --name T2 --subject Call --task-owner "Nobody Here" --retries 0
assert_rc 4 "an unknown task owner"
assert_contains "$ERR" "--task-owner: no user named 'Nobody Here'"

# ---- §3 --type with tag and form events: refused, not ignored ----
op webhooks subscribe --url http://127.0.0.1:9/h --event tagged --tag VIP --type 2
assert_rc 2 "--type with a tag event"
assert_contains "$ERR" "--type applies to the created event only"
op watch --event form-submitted --form 1 --type 2 --no-subscribe
assert_rc 2 "watch: --type with a form event"
op webhooks list -o json
assert_jq "$OUT" '[.[] | select(.url=="http://127.0.0.1:9/h")] | length' "0"

stop_sandbox
finish
