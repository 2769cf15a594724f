#!/usr/bin/env bash
# Campaign builder items (automations, object 140; REFERENCE-MORE §M7): GET
# only, as the API has them; the single read, list, getInfo and meta in the
# examples' shapes; `campaigns list` shows the subscriber counts.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

op api GET /CampaignBuilderItem -q id=1
assert_rc 0 "single"
assert_jq "$OUT" '.data | [.id, .name, .object_type_id, .pause, .deleted] | join("|")' "1|Example: High Level Customer Lifecycle|0|0|false"
assert_jq "$OUT" '.data | has("date") and has("dlm")' true
op api GET /CampaignBuilderItems -q listFields=id,name,subs
assert_jq "$OUT" '.data | length' 2
assert_jq "$OUT" '.data[1] | keys | join(",")' "id,name,subs"
assert_jq "$OUT" '.misc' "[]"
op api GET /CampaignBuilderItems/getInfo
assert_jq "$OUT" '.data.listFields | join(",")' "name,state,date,dlm,subs,subs_ever,element_num,todos"
assert_jq "$OUT" '.data.count' 2
op api GET /CampaignBuilderItems/meta
assert_jq "$OUT" '.data."140".name' "CampaignBuilder"
assert_jq "$OUT" '.data."140".fields.name.unique' 1
op api GET /campaignbuilderitem -q id=99 --retries 0
assert_rc 4 "no such automation"
op api POST /CampaignBuilderItems -d name=x --retries 0
assert_rc 11 "GET only: no create"
op api DELETE /CampaignBuilderItem -q id=1 --retries 0
assert_rc 11 "GET only: no delete"

# The listing shows subscribers, and follows a subscription.
op objects create firstname=Ann email=ann@example.com -o json
ANN=$(jq -r .id <<<"$OUT")
op objects subscribe --campaign "Onboarding Automation" "$ANN"
assert_rc 0 "subscribe by name"
op campaigns list -o json
assert_jq "$OUT" '.[] | select(.name == "Onboarding Automation") | .subs' 1
op campaigns list -o table
assert_contains "$OUT" "subs_ever"
assert_contains "$(printf '%s\n' "$OUT" | grep Onboarding)" "1"
op campaigns list --search Onboarding -o json
assert_jq "$OUT" 'length' 1
finish
