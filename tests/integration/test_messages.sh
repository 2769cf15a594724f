#!/usr/bin/env bash
# Messages (the seed's Message modules, REFERENCE.md §6): a message of each type is
# created with every field of its type, read back field by field, updated and read
# again; list and get in every output format; the sandbox's /message, /Message and
# /Messages endpoints at the wire level; bad input refused with nothing sent.
. "$(dirname "$0")/lib.sh"
start_sandbox

# get_field ID FIELD: one field of a message as stored.
get_field() { "$OP" messages get "$1" -o json | jq -r ".$2"; }
# expect_fields ID FIELD=VALUE...: each field of the stored message, one by one.
expect_fields() {
	local id=$1 kv f v got
	shift
	op messages get "$id" -o json
	assert_rc 0 "messages get $id"
	for kv in "$@"; do
		f=${kv%%=*}
		v=${kv#*=}
		CHECKS=$((CHECKS + 1))
		got=$(printf '%s' "$OUT" | jq -r --arg f "$f" '.[$f] // "(absent)"')
		[ "$got" == "$v" ] || fail "message $id field $f: got '$got', expected '$v'"
	done
}

printf '<h1>Hello [First Name]</h1>\n<p>Welcome & thanks, "friend".</p>\n' >"$TMP/mail.html"
printf 'Hello [First Name],\nwelcome.\n' >"$TMP/mail.txt"
printf '<h1>New</h1>\n' >"$TMP/new.html"
printf '{"blocks":[{"type":"text","text":"Sale, 20%% off"}],"theme":{"color":"#fff"}}' >"$TMP/promo.json"

# ---- e-mail (legacy HTML): every field of the type ----
op messages create --type e-mail --name Welcome --subject 'Hi [First Name]' \
	--send-from me@example.com --from custom --send-out-name 'Mary Jones' --reply-to help@example.com \
	--plain-text @"$TMP/mail.txt" --html @"$TMP/mail.html" --email-title 'Welcome!' \
	--email-type transactional --spam-score 1.5 --object-type 0 -o json
assert_rc 0 "create e-mail"
assert_jq "$OUT" '.id | type' string # ids are strings in every answer (issue 17)
assert_jq "$OUT" '.date | test("^[0-9]+$")' true
EMAIL=$(printf '%s' "$OUT" | jq -r .id)
expect_fields "$EMAIL" id="$EMAIL" alias=Welcome type=e-mail 'subject=Hi [First Name]' \
	send_from=me@example.com from=custom 'send_out_name=Mary Jones' reply_to_email=help@example.com \
	"plaintext=$(cat "$TMP/mail.txt")" "message_body=$(cat "$TMP/mail.html")" 'email_title=Welcome!' \
	transactional_email=1 spam_score=1.5 object_type_id=0
op messages update "$EMAIL" --type email --subject 'New subject' --html @"$TMP/new.html" --email-type marketing -o json
assert_rc 0 "update e-mail"
assert_jq "$OUT" '.id' "$EMAIL"
assert_jq "$OUT" '.id | type' string
# It prints the message as it now is, not the API's {id, date}.
assert_jq "$OUT" '.subject' "New subject"
assert_jq "$OUT" '.alias' "Welcome"
assert_jq "$OUT" '.transactional_email' "0"
expect_fields "$EMAIL" alias=Welcome type=e-mail 'subject=New subject' "message_body=$(cat "$TMP/new.html")" \
	transactional_email=0 "plaintext=$(cat "$TMP/mail.txt")" send_from=me@example.com 'email_title=Welcome!'

# ---- template (ONTRAmail) ----
op messages create --type template --name Promo --subject Sale --send-from me@example.com --from owner \
	--reply-to help@example.com --email-title 'The sale' --email-type marketing --spam-score 0.4 \
	--template @"$TMP/promo.json" --plain-text 'Sale: 20% off'
assert_rc 0 "create template"
TEMPLATE=$(printf '%s' "$OUT" | jq -r .id)
expect_fields "$TEMPLATE" alias=Promo type=Template subject=Sale from=owner send_from=me@example.com \
	reply_to_email=help@example.com 'email_title=The sale' transactional_email=0 spam_score=0.4 \
	"resource=$(cat "$TMP/promo.json")" 'plaintext=Sale: 20% off'
# Without --type, the stored type is read first: a template takes --template.
printf '{"blocks":[]}' >"$TMP/empty.json"
op messages update "$TEMPLATE" --name 'Promo 2' --template @"$TMP/empty.json"
assert_rc 0 "update template without --type"
expect_fields "$TEMPLATE" 'alias=Promo 2' type=Template subject=Sale 'resource={"blocks":[]}'

# ---- sms ----
op messages create --type sms --name Reminder --sms-content 'See you at 5, [First Name]' --send-to sms_number
assert_rc 0 "create sms"
SMS=$(printf '%s' "$OUT" | jq -r .id)
expect_fields "$SMS" alias=Reminder type=sms 'plaintext=See you at 5, [First Name]' send_to=sms_number
op messages update "$SMS" --type sms --sms-content 'Moved to 6'
assert_rc 0 "update sms"
expect_fields "$SMS" alias=Reminder type=sms 'plaintext=Moved to 6' send_to=sms_number

# ---- task ----
op messages create --type task --name Call --subject 'Call them' --task-data @- --due-date 2 \
	--task-owner 1 --task-form 3 <<<'Ask about the order'
assert_rc 0 "create task (task data on stdin)"
TASK=$(printf '%s' "$OUT" | jq -r .id)
expect_fields "$TASK" alias=Call type=task 'subject=Call them' 'task_data=Ask about the order' \
	due_date=2 task_owner=1 task_form=3
op messages update "$TASK" --due-date 5 --task-owner 2
assert_rc 0 "update task without --type"
expect_fields "$TASK" alias=Call type=task due_date=5 task_owner=2 task_form=3 'subject=Call them'

# ---- list and get, in every output format ----
op messages list -o ndjson
assert_rc 0 "list ndjson"
assert_eq "$(printf '%s\n' "$OUT" | grep -c '"id"')" 4 "messages listed"
op messages list -o json
assert_jq "$OUT" 'length' 4
assert_jq "$OUT" '[.[].alias] | sort | join(",")' 'Call,Promo 2,Reminder,Welcome'
op messages list -o csv
assert_rc 0 "list csv"
assert_contains "$(printf '%s' "$OUT" | head -1)" "alias"
assert_contains "$OUT" "Reminder"
op messages list -o table
assert_rc 0 "list table"
assert_contains "$(printf '%s' "$OUT" | head -1)" "subject"
assert_contains "$OUT" "Promo 2"
op messages list --search Remind -o json
case "$ERR" in
*"not supported by the sandbox yet"*) echo "note: the sandbox does not search yet; --search not checked" ;;
*)
	assert_rc 0 "list --search"
	assert_jq "$OUT" 'length' 1
	;;
esac
op messages list --limit 2 -o json
assert_jq "$OUT" 'length' 2
op messages get "$SMS" "$TASK" -o ndjson
assert_rc 0 "get two"
assert_eq "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 2 "two records"
op messages get "$TASK" -o csv
assert_contains "$OUT" "task_data"
op messages create --type sms --name Fmt --sms-content x -o table
assert_rc 0 "create, table output"
assert_contains "$OUT" "date"
op messages get 999999
assert_rc 4 "missing message"
assert_one_line "$ERR"

# ---- the wire: what the sandbox answers real clients (REFERENCE §6.1) ----
op api POST /message -d type=e-mail -d alias=Wire -d subject=S
assert_rc 0 "POST /message form"
assert_jq "$OUT" '.data.id | type' number
WIRE=$(printf '%s' "$OUT" | jq -r .data.id)
op api PUT /message -d id="$WIRE" -d type=e-mail -d subject=T
assert_rc 0 "PUT /message form"
assert_jq "$OUT" '.data.id' "$WIRE"
assert_jq "$OUT" '.data.id | type' string
assert_jq "$OUT" '.data | has("attrs")' false
op api PUT /message --json "{\"id\":$WIRE,\"type\":\"email\",\"alias\":\"Wire JSON\"}"
assert_rc 0 "PUT /message JSON"
op api POST /Messages --json '{"type":"sms","alias":"Net","plaintext":"hi"}'
assert_rc 0 "POST /Messages JSON (.NET)"
NET=$(printf '%s' "$OUT" | jq -r .data.id)
op api PUT /Messages --json "{\"id\":$NET,\"type\":\"sms\",\"plaintext\":\"hey\"}"
assert_rc 0 "PUT /Messages JSON (.NET)"
op api GET /Message -q id="$NET"
assert_jq "$OUT" '.data.plaintext' hey
assert_jq "$OUT" '.data.alias' Net
op api GET /Messages -q listFields=id,alias,type
assert_rc 0 "GET /Messages"
assert_jq "$OUT" '.misc' '[]'
assert_jq "$OUT" '.data[0] | keys | sort | join(",")' 'alias,id,type'
op api GET /Messages/getInfo
assert_rc 0 "getInfo"
assert_jq "$OUT" '.data.count | type' string
assert_jq "$OUT" '.data.listFields | index("subject") != null' true
op api GET /Messages/meta
assert_rc 0 "meta"
assert_jq "$OUT" '.data."7".name' Message
assert_jq "$OUT" '.data."7".fields.alias.type' text
op api POST /message -d type=fax -d alias=x
assert_rc 5 "server refuses an unknown type"
# An empty create succeeds, as a suite run against a live account expects (§M13): e-mail.
op api POST /message -d alias=x
assert_rc 0 "no type: an e-mail message"
op api GET /Message -q id="$(printf '%s' "$OUT" | jq -r .data.id)"
assert_jq "$OUT" '.data.type' "e-mail"
op api POST /Messages --json '{}'
assert_rc 0 "an empty create"
assert_jq "$OUT" '.data.id | type' "number"
op api PUT /message -d type=sms -d alias=x
assert_rc 5 "server requires an id to update"
op api DELETE /Message -q id="$WIRE"
assert_rc 0 "DELETE /Message"
op api GET /Message -q id="$WIRE"
assert_rc 4 "deleted message"

# ---- bad input: refused before anything is sent ----
check_local() { # expected-rc words-in-error description -- command...
	local want=$1 says=$2 what=$3
	shift 4
	op "$@"
	assert_rc "$want" "$what"
	assert_contains "$ERR" "$says" "$what"
	assert_one_line "$(printf '%s' "$ERR" | grep -v "^Run 'ontraport")" "$what"
}
before=$(requests_seen)
check_local 5 "unknown message type 'fax'" "unknown message type" -- messages create --type fax --name x
check_local 5 "did you mean 'email'" "type typo" -- messages create --type emial --subject s
check_local 5 "html (message_body) is not a field of sms messages" "field of another type" -- \
	messages create --type sms --sms-content hi --html '<p>x</p>'
check_local 5 "task_data (task_data) is not a field of e-mail messages" "task field on an e-mail" -- \
	messages create --type e-mail --subject s --task-data x
check_local 5 "sms_content (plaintext) is not a field of template messages" "sms field on a template" -- \
	messages create --type template --sms-content x
check_local 5 "template_content (resource) is not a field of task messages" "template field on a task, update" -- \
	messages update "$TASK" --type task --template '{}'
check_local 5 "missing subject" "e-mail without a subject" -- messages create --type e-mail --name x
check_local 5 "missing message type" "create without a type" -- messages create --name x
check_local 2 "missing arguments" "update without an id" -- messages update
check_local 2 "invalid message id 'x'" "update with a bad id" -- messages update x --subject s
check_local 5 "invalid spam_score 'high'" "bad spam score" -- messages create --type e-mail --subject s --spam-score high
check_local 5 "invalid send_from" "bad address" -- messages create --type e-mail --subject s --send-from nobody
check_local 5 "invalid due_date" "bad due date" -- messages create --type task --due-date soon
check_local 5 "not JSON" "template content not JSON" -- messages create --type template --template '{"a":'
check_local 2 "invalid --email-type 'spam'" "bad e-mail type" -- messages create --type e-mail --subject s --email-type spam
check_local 1 "cannot read" "missing file" -- messages create --type e-mail --subject s --html @"$TMP/nope.html"
check_local 5 "postcard" "postcards cannot be created" -- messages create --type postcard
assert_eq "$(requests_seen)" "$before" "nothing was sent for refused messages"

# --help everywhere
for c in messages "messages create" "messages update" "messages get" "messages list"; do
	# shellcheck disable=SC2086
	op $c --help
	assert_rc 0 "'$c --help'"
	assert_contains "$OUT" "usage: ontraport $c"
done

finish
