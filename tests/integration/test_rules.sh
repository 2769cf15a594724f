#!/usr/bin/env bash
# Rules (the seed's Rule modules, REFERENCE.md §7): a rule with several events,
# mixed AND/OR conditions and several actions is created, updated, paused and read
# back unchanged; pause/unpause; the catalogue in every output format; the sandbox's
# /Rules, /Rule and /objects/pause endpoints at the wire level, with its own
# validation of rule strings; bad input refused with nothing sent.
. "$(dirname "$0")/lib.sh"
start_sandbox

EVENTS='Contact_added_to_campaign(1);Contact_added_to_category(2);relative_date_field(3,1,0,f1234)'
CONDS='Is_in_category(2);Is_not_subscribed_to_drip(3)|field_is_condition_fieldvalue(firstname,Equal To,Mary)'
ACTIONS='Add_contact_to_category(4);Send_contact_an_emailmbs(7);Change_field_to_fieldvalue(lastname,Smith,)'

# ---- create: written loosely, stored canonically; the reply is the full record ----
op rules create --name 'Welcome flow' --tags 'onboarding' \
	--events 'Contact_added_to_campaign( 1 ); Contact_added_to_category(2);relative_date_field(3, 1, 0, f1234)' \
	--conditions "Is_in_category(2) ; Is_not_subscribed_to_drip(3) | field_is_condition_fieldvalue(firstname,Equal To,Mary)" \
	--actions "$ACTIONS" -o json
assert_rc 0 "rules create"
assert_jq "$OUT" '.name' 'Welcome flow'
assert_jq "$OUT" '.events' "$EVENTS"
assert_jq "$OUT" '.conditions' "$CONDS"
assert_jq "$OUT" '.actions' "$ACTIONS"
assert_jq "$OUT" '.pause' 0
assert_jq "$OUT" '.object_type_id' 0
assert_jq "$OUT" '.tags' onboarding
assert_jq "$OUT" '.id | type' string
assert_jq "$OUT" '.drip_id' null
assert_jq "$OUT" '.last_action' 0
assert_jq "$OUT" '.date | test("^[0-9]+$")' true
ID=$(printf '%s' "$OUT" | jq -r .id)

# expect_rule ID NAME EVENTS CONDITIONS ACTIONS PAUSE: read back, field by field.
expect_rule() {
	op rules get "$1" -o json
	assert_rc 0 "rules get $1"
	assert_jq "$OUT" '.id' "$1"
	assert_jq "$OUT" '.name' "$2"
	assert_jq "$OUT" '.events' "$3"
	assert_jq "$OUT" '.conditions' "$4"
	assert_jq "$OUT" '.actions' "$5"
	assert_jq "$OUT" '.pause' "$6"
	assert_jq "$OUT" '.object_type_id' 0
}
expect_rule "$ID" 'Welcome flow' "$EVENTS" "$CONDS" "$ACTIONS" 0

# ---- update: what changed comes back in attrs; the rest reads back unchanged ----
CONDS2='Is_in_category(2)|Is_in_category(5);Has_opened_email_condition_n_times(7,Greater Than,2)'
op rules update "$ID" --name 'Welcome flow 2' --conditions "$CONDS2" -o json
assert_rc 0 "rules update"
assert_jq "$OUT" '.id' "$ID"
assert_jq "$OUT" '.name' 'Welcome flow 2'
assert_jq "$OUT" '.conditions' "$CONDS2"
assert_jq "$OUT" '.dlm | test("^[0-9]+$")' true
assert_jq "$OUT" 'has("events")' false
expect_rule "$ID" 'Welcome flow 2' "$EVENTS" "$CONDS2" "$ACTIONS" 0

# ---- pause: by update, by pause/unpause; the rule strings stay as they are ----
op rules update "$ID" --pause -o json
assert_rc 0 "update --pause"
assert_jq "$OUT" '.pause' 1
expect_rule "$ID" 'Welcome flow 2' "$EVENTS" "$CONDS2" "$ACTIONS" 1
op rules unpause "$ID"
assert_rc 0 "rules unpause"
assert_contains "$ERR" "unpaused 1 rule"
expect_rule "$ID" 'Welcome flow 2' "$EVENTS" "$CONDS2" "$ACTIONS" 0
op rules pause "$ID"
assert_rc 0 "rules pause"
expect_rule "$ID" 'Welcome flow 2' "$EVENTS" "$CONDS2" "$ACTIONS" 1
op rules update "$ID" --unpause
assert_rc 0 "update --unpause"
expect_rule "$ID" 'Welcome flow 2' "$EVENTS" "$CONDS2" "$ACTIONS" 0

# created paused; no conditions at all
op rules create --name Paused --events 'Contact_added_to_my_database()' --actions 'Assign_contact_to_drip(3)' --pause -o json
assert_rc 0 "create --pause"
assert_jq "$OUT" '.pause' 1
P=$(printf '%s' "$OUT" | jq -r .id)
expect_rule "$P" Paused 'Contact_added_to_my_database()' '' 'Assign_contact_to_drip(3)' 1
# a rule for a custom object type may not use contacts-only items, but others are fine
DOG=$(control POST object-types -H 'Content-Type: application/json' -d '{"name":"Dog"}' | jq -r .id)
op rules create --name Custom --object-type "$DOG" --events 'field_is_updated(f1)' --actions 'Add_contact_to_category(1)' -o json
assert_rc 0 "rule for a custom object type"
assert_jq "$OUT" '.object_type_id' "$DOG"
CUSTOM=$(printf '%s' "$OUT" | jq -r .id)
# updating its actions without --object-type reads the rule's type first, then refuses
before=$(requests_seen)
op rules update "$CUSTOM" --actions 'Send_contact_a_postcard(2)'
assert_rc 5 "contacts-only action on a custom-object rule"
assert_contains "$ERR" "actions item 1 'Send_contact_a_postcard(2)'"
assert_contains "$ERR" "object type $DOG"
assert_eq "$(requests_seen)" "$((before + 1))" "only the read of the rule was sent"
op rules create --object-type Dogs --events 'Contact_purchases_product(3)' --actions 'Add_contact_to_category(1)'
assert_rc 5 "contacts-only event, the type given by name"
assert_contains "$ERR" "object type $DOG"

# ---- list and get in every format ----
op rules list -o json
assert_rc 0 "rules list"
assert_jq "$OUT" 'length' 3
op rules list -o ndjson
assert_eq "$(printf '%s\n' "$OUT" | grep -c '"id"')" 3 "ndjson lines"
op rules list -o csv
assert_contains "$(printf '%s' "$OUT" | head -1)" "name"
op rules list -o table
assert_contains "$OUT" "Welcome flow 2"
op rules get "$ID" "$P" -o json
assert_jq "$OUT" 'length' 2
op rules get 999999
assert_rc 4 "missing rule"

# ---- the catalogue, in every format ----
op rules catalogue -o json
assert_rc 0 "catalogue json"
assert_jq "$OUT" 'length' 90
assert_jq "$OUT" '[.[] | select(.part == "events")] | length' 34
assert_jq "$OUT" '.[] | select(.name == "relative_date_field") | .signature' 'relative_date_field(numberOf,units,option,date_field)'
assert_jq "$OUT" '.[] | select(.name == "relative_date_field") | .args[1].values' '0 days, 1 weeks, 2 months'
assert_jq "$OUT" '.[] | select(.name == "Send_contact_a_postcard") | .contacts_only' true
op rules catalogue conditions -o ndjson
assert_eq "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 29 "conditions"
op rules catalogue actions -o csv
assert_eq "$(printf '%s\n' "$OUT" | head -1 | tr -d '\r')" "part,signature,contacts_only,summary" "csv header"
assert_eq "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 28 "csv rows"
op rules catalogue events -o table
assert_contains "$OUT" "Contact_added_to_campaign(sequence_id)"
op rules catalogue values -o json
assert_jq "$OUT" '[.[] | select(.vocabulary == "conditional")] | length' 10
op rules catalogue triggers
assert_rc 2 "unknown catalogue part"
op rules check --events "$EVENTS" --conditions "$CONDS" --actions "$ACTIONS" -o json
assert_rc 0 "rules check"
assert_jq "$OUT" '.conditions' "$CONDS"

# ---- the wire, and the sandbox's own validation (REFERENCE §7.1-7.2) ----
op api POST /Rules --json '{"object_type_id":0,"name":"Wire","events":"Contact_added_to_campaign(1)","conditions":"","actions":"Add_contact_to_category(1)"}'
assert_rc 0 "POST /Rules JSON"
assert_jq "$OUT" '.data.name' Wire
W=$(printf '%s' "$OUT" | jq -r .data.id)
op api PUT /Rules -d id="$W" -d pause=1
assert_rc 0 "PUT /Rules form"
assert_jq "$OUT" '.data.attrs.pause' 1
assert_jq "$OUT" '.data.attrs.id' "$W"
assert_jq "$OUT" '.data.attrs | has("dlm")' true
op api POST /objects/unpause -d objectID=6 -d ids="$W"
assert_rc 0 "POST /objects/unpause"
assert_jq "$OUT" 'has("data")' false
assert_jq "$OUT" '.code' 0
op api GET /Rule -q id="$W"
assert_jq "$OUT" '.data.pause' 0
op api POST /objects/pause -d objectID=6 -d ids="$W,$ID"
assert_rc 0 "POST /objects/pause, two rules"
op api GET /Rule -q id="$ID"
assert_jq "$OUT" '.data.pause' 1
op api GET /Rules/getInfo
assert_rc 0 "GET /Rules/getInfo"
assert_jq "$OUT" '.data.count' 4
assert_jq "$OUT" '.data.listFields | join(",")' 'name,last_action,pause,date,dlm'
op api GET /Rules/meta
assert_jq "$OUT" '.data."6".fields.pause.options."1"' Paused
op api POST /Rules --json '{"object_type_id":0,"events":"Contact_added_to_campain(1)","actions":"Add_contact_to_category(1)"}'
assert_rc 5 "server refuses an unknown event"
assert_contains "$ERR" "400"
assert_contains "$ERR" "Contact_added_to_campain"
op api POST /Rules --json '{"object_type_id":0,"events":"Contact_added_to_campaign(1,2)","actions":"Add_contact_to_category(1)"}'
assert_rc 5 "server refuses a wrong argument count"
assert_contains "$ERR" "Contact_added_to_campaign"
op api PUT /Rules -d id="$W" -d actions='Add_contact_to_category(1'
assert_rc 5 "server refuses a malformed update"
# Parts not given are empty (§M13: a suite run against a live account creates {}).
op api POST /Rules --json '{"object_type_id":0,"events":"Contact_added_to_campaign(1)"}'
assert_rc 0 "no actions: an empty part"
assert_jq "$OUT" '.data.actions' ""
op api POST /Rules --json '{}'
assert_rc 0 "an empty create"
assert_jq "$OUT" '.data | [.events, .conditions, .actions] | join("|")' "||"
# No tags key unless tags were sent (§7.1, §M13), on create and on every read.
assert_jq "$OUT" '.data | has("tags")' false
EMPTY_RULE=$(printf '%s' "$OUT" | jq -r .data.id)
op api GET /Rule -q id="$EMPTY_RULE"
assert_jq "$OUT" '.data | has("tags")' false
op api GET /objects -q objectID=6 -q ids="$EMPTY_RULE"
assert_jq "$OUT" '.data[0] | has("tags")' false
assert_jq "$OUT" '.data[0] | has("name")' true
op api POST /Rules --json '{"events":"Contact_added_to_campaign(1)","actions":"Add_contact_to_category(1)","tags":"a,b"}'
assert_jq "$OUT" '.data.tags' "a,b"
op api GET /Rules -q ids="$(printf '%s' "$OUT" | jq -r .data.id)"
assert_jq "$OUT" '.data[0].tags' "a,b"
op api DELETE /Rules -q ids="$EMPTY_RULE"
op api POST /Rules --json '{"object_type_id":0,"events":"Contact_added_to_campaign(1)|Contact_added_to_campaign(2)","actions":"Add_contact_to_category(1)"}'
assert_rc 5 "server refuses '|' between events"
op api POST /Rules --json '{"object_type_id":0,"events":"Contact_added_to_campaign(1)","actions":"Is_in_category(1)"}'
assert_rc 5 "server refuses a condition among actions"
assert_contains "$ERR" "Is_in_category"
op api PUT /Rules -d id="$W" -d conditions='Is_in_category(1);;Is_in_category(2)'
assert_rc 5 "server refuses an empty item"
op api PUT /Rules -d id="$W" -d actions='Ping_APIURL(https://hooks.example/x::a=1,b=2::1)'
assert_rc 0 "server takes the legacy Ping_APIURL form"
op api PUT /Rules -d id="$W" -d conditions=''
assert_rc 0 "server takes empty conditions"
op api PUT /Rules -d id=999999 -d name=x
assert_rc 4 "update of a missing rule"
op api DELETE /Rule -q id="$W"
assert_rc 0 "DELETE /Rule"
op api GET /Rule -q id="$W"
assert_rc 4 "deleted rule"

# ---- bad input: refused before anything is sent, naming the item ----
check_local() { # expected-rc words-in-error description -- command...
	local want=$1 says=$2 what=$3
	shift 4
	op "$@"
	assert_rc "$want" "$what"
	assert_contains "$ERR" "$says" "$what"
	assert_one_line "$(printf '%s' "$ERR" | grep -v "^Run 'ontraport")" "$what"
}
E='Contact_added_to_campaign(1)'
A='Add_contact_to_category(4)'
before=$(requests_seen)
check_local 5 "actions item 2 'Add_contact_to_categry(4)': unknown action (did you mean 'Add_contact_to_category'?)" \
	"unknown action" -- rules create --events "$E" --actions "Send_contact_an_emailmbs(7);Add_contact_to_categry(4)"
check_local 5 "events item 1 'Contact_added_to_campain(1)': unknown event" "unknown event" -- \
	rules create --events 'Contact_added_to_campain(1)' --actions "$A"
check_local 5 "conditions item 3 'Is_in_category(1,2)': wrong number of arguments: 2 given, expected 1: Is_in_category(tag_id)" \
	"too many arguments" -- rules create --events "$E" --conditions 'Is_in_category(1);Is_in_category(2)|Is_in_category(1,2)' --actions "$A"
check_local 5 "events item 1 'relative_date_field(3,1,f1)': wrong number of arguments: 3 given, expected 4" \
	"too few arguments" -- rules create --events 'relative_date_field(3,1,f1)' --actions "$A"
check_local 5 "argument 2 (units) '5'" "bad units" -- rules create --events 'relative_date_field(3,5,1,f1)' --actions "$A"
check_local 5 "argument 2 (conditional) 'Equals'" "bad conditional" -- \
	rules create --events "$E" --conditions 'field_is_condition_fieldvalue(firstname,Equals,Mary)' --actions "$A"
check_local 5 "argument 2 (outcome) '3'" "bad outcome" -- rules create --events 'object_submits_form(1,3)' --actions "$A"
check_local 5 "argument 1 (option) '2'" "bad option" -- rules create --events "$E" --actions 'pause_or_unpause_on_camp(2,1)'
check_local 5 "argument 1 (tag_id) 'VIP'" "id not a number" -- rules create --events "$E" --actions 'Add_contact_to_category(VIP)'
check_local 5 "events item 1 'Contact_purchases_product(3)': event is for contacts only, but the rule is for object type 10000" \
	"contacts-only event" -- rules create --object-type 10000 --events 'Contact_purchases_product(3)' --actions "$A"
check_local 5 "'|' (or) joins conditions only" "or in events" -- rules create --events "$E|$E" --actions "$A"
check_local 5 "missing ')'" "unclosed item" -- rules create --events "$E" --actions 'Add_contact_to_category(4'
check_local 5 "missing events" "no events" -- rules create --actions "$A"
check_local 5 "missing actions" "no actions" -- rules create --events "$E"
check_local 5 "events: at least one event is required" "empty events" -- rules create --events ' ' --actions "$A"
check_local 5 "'Is_in_category' is a condition, not an event" "item of another part" -- \
	rules create --events 'Is_in_category(1)' --actions "$A"
check_local 5 "argument 1 (sequence_id) 'x'" "update, bad value" -- rules update "$ID" --events 'Contact_added_to_campaign(x)'
check_local 5 "nothing to update" "update nothing" -- rules update "$ID"
check_local 2 "give --pause or --unpause, not both" "pause and unpause" -- rules update "$ID" --pause --unpause
check_local 2 "invalid id 'x'" "pause a bad id" -- rules pause x
check_local 5 "unknown action" "check" -- rules check --actions 'Frob(1)'
assert_eq "$(requests_seen)" "$before" "nothing was sent for refused rules"

for c in rules "rules create" "rules update" "rules get" "rules list" "rules pause" "rules unpause" \
	"rules check" "rules catalogue"; do
	# shellcheck disable=SC2086
	op $c --help
	assert_rc 0 "'$c --help'"
	assert_contains "$OUT" "usage: ontraport $c"
done

finish
