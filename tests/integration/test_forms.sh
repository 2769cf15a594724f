#!/usr/bin/env bash
# Forms and landing pages (REFERENCE-MORE §M6, §M13): `forms list|blocks|html`
# and `landing-pages list|url` by id and by name; the wire forms (blocks paged
# by 50, lower-case /form is the HTML while /Form is the record, form records
# carry their full set of fields, getHostedURL in any case); bad input refused.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

# A SmartForm (type 10) with a name that needs escaping, and 55 more forms: past a page.
recs='{"formname":"Quote <Request>","type":"10","redirect":"https://example.com/thanks"}'
for i in $(seq 1 55); do recs="$recs,{\"formname\":\"Bulk $i\",\"type\":\"11\"}"; done
control POST seed/objects -H 'Content-Type: application/json' \
	-d '{"objectID":122,"records":['"$recs"']}' >"$TMP/seed"
SMART=$(jq -r '.ids[0]' "$TMP/seed")
control POST seed/objects -H 'Content-Type: application/json' \
	-d '{"objectID":20,"records":[{"name":"Secure Page","domain":"pages.example.com","uri_id":"77","ssl_enabled":"1"}]}' >/dev/null

# Records: every field of §M6.1, in lists and in the single read.
op forms list -o json
assert_rc 0 "forms list"
assert_jq "$OUT" 'length' 58
assert_jq "$OUT" '.[0] | [has("owner"), has("date"), has("dlm"), has("fillouts"), has("visits"), has("json_raw_object"), has("object_type_id"), has("deleted")] | all' true
assert_jq "$OUT" '.[0].formname' "Contact Us"
op forms list --search "Bulk 5" -o json
assert_jq "$OUT" '[.[].formname] | sort | join(",")' "Bulk 5,Bulk 50,Bulk 51,Bulk 52,Bulk 53,Bulk 54,Bulk 55"
op api GET /Form -q id="$SMART"
assert_rc 0 "GET /Form is the record"
assert_jq "$OUT" '.data.formname' "Quote <Request>"
assert_jq "$OUT" '.data.deleted' "false"

# Blocks: 58 forms over two pages of 50, in order; by name.
op forms blocks -o json
assert_rc 0 "forms blocks"
assert_jq "$OUT" 'length' 58
assert_jq "$OUT" '.[0].block_id + "=" + .[0].formname' "f1=Contact Us"
assert_jq "$OUT" '.[57].block_id' "f58"
op forms blocks --limit 3 -o json
assert_jq "$OUT" 'length' 3
op api GET /Form/getAllFormBlocks -q page=1
assert_jq "$OUT" '.data | length' 8
op api GET /form/getallformblocks -q page=5
assert_jq "$OUT" '.data' "[]"
op forms blocks "Quote <Request>" -o json
assert_rc 0 "blocks by name"
assert_jq "$OUT" '[.[].block_id] | join(",")' "f$SMART"
op forms blocks "Secure Page" -o json
assert_rc 0 "a landing page's name"
assert_jq "$OUT" 'length' 0
op forms blocks "No Such Form" --retries 0
assert_rc 4 "no form of that name"
assert_one_line "$ERR"
assert_contains "$ERR" "No Such Form"

# HTML: lower-case /form only; a SmartForm's markup (escaped), an ONTRAform's script.
op forms html "Quote <Request>"
assert_rc 0 "forms html by name"
assert_contains "$OUT" '<form class="moonray-form"'
assert_contains "$OUT" "<h2>Quote &lt;Request&gt;</h2>"
assert_contains "$OUT" 'value="https://example.com/thanks"'
op forms html 1
assert_contains "$OUT" "<script"
assert_not_contains "$OUT" "<form"
op api GET /form -q id="$SMART"
assert_jq "$OUT" '.data | type' "string"
op forms html 9999 --retries 0
assert_rc 4 "no such form"
assert_one_line "$ERR"

# Landing pages: records, the hosted URL by id and by name, any case of the path.
op landing-pages list -o json
assert_rc 0 "landing-pages list"
assert_jq "$OUT" '[.[].name] | join(",")' "Spring Sale,Secure Page"
assert_jq "$OUT" '.[0] | [has("uri_id"), has("visits_0"), has("unique_convert_3"), has("design_type")] | all' true
op landing-pages url "Spring Sale"
assert_rc 0 "url by name"
assert_eq "$OUT" "http://sandbox.pages.ontraport.net/1"
op landing-pages url 2
assert_eq "$OUT" "https://pages.example.com/77" "ssl_enabled gives https"
op api GET /LANDINGPAGE/gethostedurl -q id=1
assert_jq "$OUT" '.data' "http://sandbox.pages.ontraport.net/1"
op api GET /LandingPages/getInfo
assert_jq "$OUT" '.data.count' 2
op api GET /LandingPages/meta
assert_jq "$OUT" '.data."20".name' "LandingPage"
op landing-pages url 9999 --retries 0
assert_rc 4 "no such landing page"
op landing-pages url "Nowhere" --retries 0
assert_rc 4 "no landing page of that name"
assert_contains "$ERR" "Nowhere"

# Bad input: nothing is sent.
before=$(requests_seen)
op forms html 0 --retries 0
assert_rc 2 "id 0"
assert_one_line "$(printf '%s' "$ERR" | grep -v "^Run 'ontraport")"
op forms blocks "" --retries 0
assert_rc 2 "empty name"
op landing-pages url --retries 0
assert_rc 2 "no argument"
op forms blocks --limit 0 --retries 0
assert_rc 2 "limit 0"
assert_eq "$(requests_seen)" "$before" "nothing was sent"
op api GET /form --retries 0
assert_rc 5 "id is required"
assert_contains "$ERR" "id"
finish
