#!/usr/bin/env bash
# Tasks (REFERENCE-MORE §M3): assign from a task message (by name or id) to
# contacts, then complete, cancel, reopen and reschedule; the records show
# each change; a status given by name on PUT /Tasks is stored as its code
# (§M13); bad input is refused with nothing sent; the wire forms.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

op objects create firstname=Tia email=tia@example.com -o json
TIA=$(printf '%s' "$OUT" | jq -r .id)
op objects create firstname=Ugo email=ugo@example.com -o json
UGO=$(printf '%s' "$OUT" | jq -r .id)
op messages create --type task --name "Call back" --subject "Call them back" --task-data "Ask about the quote" --due-date 2 -o json
assert_rc 0 "a task message"
MSG=$(printf '%s' "$OUT" | jq -r .id)
op messages create --type e-mail --name "Hello" --subject "Hi" --html "<p>hi</p>" -o json
MAIL=$(printf '%s' "$OUT" | jq -r .id)

now=$(date +%s)
op tasks assign --message "Call back" "$TIA" "$UGO"
assert_rc 0 "assign by message name"
assert_contains "$ERR" "2 tasks assigned"
op tasks list -o json
assert_rc 0 "list"
assert_jq "$OUT" 'length' 2
assert_jq "$OUT" '[.[].contact_id] | sort | join(",")' "$(printf '%s\n' "$TIA" "$UGO" | sort | paste -sd,)"
assert_jq "$OUT" '.[0].subject' "Call them back"
assert_jq "$OUT" '.[0].details' "Ask about the quote"
assert_jq "$OUT" '.[0].status' 0
assert_jq "$OUT" '.[0].item_id' "$MSG"
assert_jq "$OUT" '.[0].owner' 1
assert_jq "$OUT" ".[0].date_due | tonumber | . >= $now + 2*86400 and . <= $now + 2*86400 + 60" true
T1=$(printf '%s' "$OUT" | jq -r --arg c "$TIA" '.[] | select(.contact_id == $c) | .id')
T2=$(printf '%s' "$OUT" | jq -r --arg c "$UGO" '.[] | select(.contact_id == $c) | .id')

op tasks assign --message "$MSG" --due 5d --owner owner@sandbox.example "$TIA" -o json
assert_rc 0 "assign by id with due and owner"
op tasks list --contact tia@example.com -o json
assert_jq "$OUT" 'length' 2
assert_jq "$OUT" ".[1].date_due | tonumber | . >= $now + 5*86400" true
T3=$(printf '%s' "$OUT" | jq -r '.[1].id')

# Complete, cancel, reopen, reschedule: each shows in the record.
op tasks complete "$T1"
assert_rc 0 "complete"
op objects get --type tasks "$T1" -o json
assert_jq "$OUT" '.status' 1
assert_jq "$OUT" '.date_complete | tonumber >= '"$now" true
op tasks list --status complete -o json
assert_jq "$OUT" '[.[].id] | join(",")' "$T1"
op tasks cancel "$T2" "$T3"
assert_rc 0 "cancel two"
op tasks list --status cancelled -o json
assert_jq "$OUT" 'length' 2
op tasks reopen "$T1"
assert_rc 0 "reopen"
op objects get --type tasks "$T1" -o json
assert_jq "$OUT" '.status' 0
assert_jq "$OUT" '.date_complete' null
op tasks reschedule "$T1" 4102444800
assert_rc 0 "reschedule to a time"
op objects get --type tasks "$T1" -o json
assert_jq "$OUT" '.date_due' 4102444800
op tasks reschedule "$T1" 1d
op objects get --type tasks "$T1" -o json
assert_jq "$OUT" ".date_due | tonumber | . >= $now + 86400 and . < 4102444800" true
op tasks list --status pending -o table
assert_contains "$OUT" "Call them back" "table"

# §M13: a status given by name is stored as its code.
op api PUT /Tasks -d id="$T2" -d status=complete
assert_rc 0
op objects get --type tasks "$T2" -o json
assert_jq "$OUT" '.status' 1
op api PUT /Tasks -d id="$T2" -d status=Pending
op objects get --type tasks "$T2" -o json
assert_jq "$OUT" '.status' 0
op api PUT /Tasks -d id="$T2" -d status=done --retries 0
assert_rc 5 "an unknown status name"
assert_contains "$ERR" "Invalid status 'done'"

# The server refuses, nothing changes.
op tasks assign --message "$MAIL" "$TIA" --retries 0
assert_rc 5 "an e-mail is not a task message"
assert_contains "$ERR" "is not a task message"
op tasks assign --message "$MSG" "$TIA" 99999 --retries 0
assert_rc 5 "an object that does not exist"
assert_contains "$ERR" "no Contact with id 99999"
op tasks complete "$T1" 99999 --retries 0
assert_rc 5 "a task that does not exist"
op tasks list -o json
assert_jq "$OUT" 'length' 3
op objects get --type tasks "$T1" -o json
assert_jq "$OUT" '.status' 0

# Bad input: refused before anything is sent.
before=$(requests_seen)
op tasks assign "$TIA" --retries 0
assert_rc 2 "no --message"
op tasks assign --message "$MSG" --due soon "$TIA" --retries 0
assert_rc 2 "a bad --due"
assert_contains "$ERR" "invalid --due 'soon'"
op tasks complete 0 --retries 0
assert_rc 2 "task id 0"
op tasks reschedule "$T1" yesterday --retries 0
assert_rc 2 "a bad time"
op tasks list --status open --retries 0
assert_rc 2 "a bad status"
assert_eq "$(requests_seen)" "$before" "nothing was sent"
op tasks assign --message "No Such Message" "$TIA" --retries 0
assert_rc 4 "an unknown message name"
assert_contains "$ERR" "no message named 'No Such Message'"

# The wire: the SDKs' JSON bodies, and no data key in the replies.
op api POST /task/assign --json '{"object_type_id":0,"ids":['"$UGO"'],"message":{"id":'"$MSG"',"type":0,"due_date":4,"task_owner":1}}'
assert_rc 0
assert_jq "$OUT" 'has("data")' false
op api POST /task/complete --json '{"objectID":0,"ids":['"$T2"'],"data":{"outcome":":=Done"}}'
assert_rc 0
assert_jq "$OUT" 'has("data")' false
op api POST /task/reschedule --json '{"id":'"$T2"',"newtime":4102444800}'
assert_rc 0
op api POST /task/reopen --json '{"ids":['"$T2"']}'
assert_rc 0
op objects get --type tasks "$T2" -o json
assert_jq "$OUT" '.status' 0
assert_jq "$OUT" '.date_due' 4102444800
finish
