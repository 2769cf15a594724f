#!/usr/bin/env bash
# `ontraport sandbox fire purchase|form` (issue 16 part 6): a purchase or a form
# fill made outside the API, through the control API, changes the records and
# sends the webhooks a real one would (seen in /_sandbox/deliveries); names
# resolved; no token or bad input refused with one line; `ontraport sandbox`
# alone still runs the server (start_sandbox) and takes its own options.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s
export ONTRAPORT_SANDBOX_CONTROL_TOKEN="$SBX_TOKEN"

op products create name="Gold Plan" price=25 -o json
GOLD=$(jq -r .id <<<"$OUT")
op objects create firstname=Mary email=mary@example.com -o json
MARY=$(jq -r .id <<<"$OUT")
for ev in purchase_product transaction_created_with_product object_submits_form object_create; do
	case $ev in
	purchase_product | transaction_created_with_product) arg=(--product "$GOLD") ;;
	object_submits_form) arg=(--form 1) ;;
	*) arg=() ;;
	esac
	op webhooks subscribe --url http://127.0.0.1:9/hook -e "$ev" "${arg[@]}" -o json
	assert_rc 0 "subscribe $ev"
done

# A purchase by names: a logged sale, its purchase, the totals and both events.
op sandbox fire purchase mary@example.com "Gold Plan" --quantity 2 -o json
assert_rc 0 "fire purchase"
INV=$(jq -r .data.invoice_id <<<"$OUT")
op objects get --type transactions "$INV" -o json
assert_jq "$OUT" '.contact_id' "$MARY"
assert_jq "$OUT" '.status' 1
op purchases list --contact "$MARY" -o json
assert_jq "$OUT" 'length' 1
assert_jq "$OUT" '.[0].quantity' 2
op objects get --type products "$GOLD" -o json
assert_jq "$OUT" '.total_purchases' 1
deliveries_settled || fail "deliveries still pending"
D=$(control GET deliveries)
assert_jq "$D" '[.deliveries[].event] | map(select(startswith("purchase_product"))) | length' 1
assert_jq "$D" '[.deliveries[].event] | map(select(startswith("transaction_created_with_product"))) | length' 1

# A form fill by the form's name: a new contact (object_create), the form event, fillouts.
op sandbox fire form "Contact Us" firstname=Ann email=ann@example.com -o json
assert_rc 0 "fire form"
assert_jq "$OUT" '.created' true
ANN=$(jq -r .id <<<"$OUT")
op objects get "$ANN" -o json
assert_jq "$OUT" '.firstname' Ann
op sandbox fire form 1 firstname=Mary email=mary@example.com -o json
assert_jq "$OUT" '.created' false
assert_jq "$OUT" '.id' "$MARY"
op objects get --type forms 1 -o json
assert_jq "$OUT" '.fillouts' 2
assert_jq "$OUT" '.unique_fillouts' 1
deliveries_settled || fail "deliveries still pending"
D=$(control GET deliveries)
assert_jq "$D" '[.deliveries[] | select(.event | startswith("object_submits_form"))] | length' 2
assert_jq "$D" '[.deliveries[] | select(.event == "object_create(0)" and .object_id == '"$ANN"')] | length' 1

# Refusals: one line each, nothing changed.
op sandbox fire form "No Such Form" email=x@example.com --retries 0
assert_rc 4 "no form of that name"
assert_one_line "$ERR"
op sandbox fire purchase nobody@example.com "Gold Plan" --retries 0
assert_rc 4 "no such contact"
op sandbox fire purchase "$MARY" 999 --retries 0
assert_rc 5 "no such product"
assert_contains "$ERR" "no such product"
assert_one_line "$ERR"
op sandbox fire refund "$MARY" --retries 0
assert_rc 2 "an unknown event"
assert_contains "$ERR" "expected purchase or form"
op sandbox fire purchase "$MARY" --retries 0
assert_rc 2 "no product"
ONTRAPORT_SANDBOX_CONTROL_TOKEN=wrong op sandbox fire form 1 email=y@example.com --retries 0
assert_rc 3 "a wrong token"
assert_contains "$ERR" "invalid sandbox control token"
unset ONTRAPORT_SANDBOX_CONTROL_TOKEN
op sandbox fire form 1 email=y@example.com --retries 0
assert_rc 2 "no token"
assert_contains "$ERR" "no control token"
printf '%s\n' "$SBX_TOKEN" >"$TMP/token"
op sandbox fire form 1 email=z@example.com --control-token-file "$TMP/token" -o json
assert_rc 0 "the token from a file"
assert_not_contains "$(ps -eo args)" "$SBX_TOKEN" "the token in the process list"
op sandbox fire form 1 email=z@example.com --control-token-file "$TMP/token" -vv
assert_rc 0 "-vv"
assert_contains "$ERR" "X-Sandbox-Token: ****" "the token header masked"
assert_not_contains "$ERR$OUT" "$SBX_TOKEN" "the token in the -vv log"
op purchases list --contact "$MARY" -o json
assert_jq "$OUT" 'length' 1

# The server command keeps its options and refuses a stray word.
op sandbox --help
assert_rc 0
assert_contains "$OUT" "fire"
assert_contains "$OUT" "--rate-limit"
op sandbox frie --retries 0
assert_rc 2 "a stray word"
finish
