#!/usr/bin/env bash
# Commerce (REFERENCE-MORE §M2) through the CLI against a real sandbox: products CRUD with
# their fields checked against the metadata; offers saved from --product lines; charges and
# logged sales making transactions, purchases, orders and open orders; refund, void, write
# off, mark paid, rerun and resend-invoice moving the statuses (and only from the statuses
# they apply to); orders read and changed; lists that stream past a page with filters; names
# and e-mails resolved; bad input refused with nothing sent; the wire forms other clients
# send (objectID left out, form-encoded markPaid) accepted.
. "$(dirname "$0")/lib.sh"
start_sandbox

# field ID FIELD: one field of a transaction (46), purchase (17) or product (16) record.
field() { "$OP" api GET /object -q "objectID=$1" -q "id=$2" -o json | jq -r ".data.$3"; }

# ---- products ----
op products create name=Widget price=10 sku=W-1 description='A widget' -o json
assert_rc 0 "create Widget"
WIDGET=$(jq -r .id <<<"$OUT")
assert_jq "$OUT" '.name + " " + .sku' "Widget W-1"
op products create name=Membership price=29 -o json
MEMBER=$(jq -r .id <<<"$OUT")
op products create name=Course price=100 -o json
COURSE=$(jq -r .id <<<"$OUT")
before=$(requests_seen)
op products create name=Bad prise=3
assert_rc 5 "an unknown field"
assert_contains "$ERR" "unknown field 'prise' for Product (did you mean 'price'?)"
assert_one_line "$ERR"
op products create name=Bad price=cheap
assert_rc 5 "a price that is not a number"
op products create price=3
assert_rc 2 "no name"
op products update Widget total_purchases=9
assert_rc 5 "a read-only field"
op products update Widget price=12.5 -o json
assert_rc 0 "update by name"
assert_jq "$OUT" '.price' 12.5
op products get Widget "$COURSE" -o json
assert_rc 0 "get by name and id"
assert_jq "$OUT" '[.[].name] | join(",")' "Widget,Course"
op products get Nothing
assert_rc 4 "get an unknown name"
assert_contains "$ERR" "no product named 'Nothing'"
op products create name=Twin -o json
op products create name=Twin -o json
op products get Twin
assert_rc 5 "an ambiguous name"
assert_contains "$ERR" "2 products are named 'Twin': give the product's id"
op products delete Twin
assert_rc 5 "delete an ambiguous name"
op products list -o json
assert_jq "$OUT" '[.[].name] | join(",")' "Widget,Membership,Course,Twin,Twin"
op products list --search Member -o json
assert_jq "$OUT" '[.[].name] | join(",")' "Membership"
TWIN=$(jq -r '.[3].id' <<<"$("$OP" products list -o json)")
op products delete "$TWIN"
assert_rc 0 "delete by id"
op products get "$TWIN"
assert_rc 4 "a deleted product"

# ---- contacts ----
op objects create firstname=Mary lastname=Smith email=mary@example.com -o json
MARY=$(jq -r .id <<<"$OUT")
op objects create firstname=Bob email=bob@example.com -o json
BOB=$(jq -r .id <<<"$OUT")

# ---- offers ----
op offers create 'Starter pack' -p 'Widget*2' -p 'Membership@29/month' -o json
assert_rc 0 "create an offer"
OFFER=$(jq -r .id <<<"$OUT")
assert_jq "$OUT" '.data | fromjson | .products | map("\(.id):\(.quantity):\(.type):\(.price[0].price):\(.price[0].unit // "")") | join(" ")' \
	"$WIDGET:2:single:12.5: $MEMBER:1:subscription:29:month"
op offers get 'Starter pack' -o json
assert_jq "$OUT" '.offer.products[1].name' Membership
op offers update 'Starter pack' --name 'Big pack' -p 'Widget*3@11' -o json
assert_rc 0 "update an offer"
op offers get "$OFFER" -o json
assert_jq "$OUT" '.name' 'Big pack'
assert_jq "$OUT" '.offer.products | map("\(.quantity)@\(.price[0].price)") | join(",")' "3@11"
op offers list -o json
assert_jq "$OUT" '[.[].name] | join(",")' "Big pack"
before=$(requests_seen)
op offers create X -p 'Widget*0'
assert_rc 2 "quantity 0"
assert_contains "$ERR" "invalid quantity '0'"
op offers create X -p 'Widget@1.999'
assert_rc 2 "three decimals"
op offers create X -p 'Course@100/fortnight'
assert_rc 2 "an unknown unit"
op offers create X -p 'Course@100/month/1'
assert_rc 2 "a plan of one payment"
op offers create X -p Widget --offer '{"products":[]}'
assert_rc 2 "--product and --offer"
op offers create X --offer '{"products":[]}'
assert_rc 5 "an empty offer"
assert_contains "$ERR" "expected \"products\", a list of one product or more"
op offers create X --offer '{"products":[{"id":1,"quantity":1,"type":"subscription"}]}'
assert_rc 5 "a subscription without a price"
assert_eq "$(requests_seen)" "$before" "requests sent for bad offers"
op offers create X -p Nothing
assert_rc 4 "an unknown product in a line"
op offers create X -p 999
assert_rc 4 "an unknown product id in a line"
op offers update 'Big pack'
assert_rc 2 "nothing to change"

# ---- a charge: a one-time line, a subscription, a payment plan ----
before=$(requests_seen)
op transactions charge -c mary@example.com -p Widget
assert_rc 2 "charge without a gateway"
op transactions charge -g 1 -p Widget
assert_rc 2 "charge without a contact"
op transactions charge -c mary@example.com -g 1
assert_rc 2 "charge without products"
op transactions charge -c mary@example.com -g 1 -p Widget --payer '{bad'
assert_rc 2 "a bad --payer"
assert_eq "$(requests_seen)" "$before" "requests sent for bad charges"
op transactions charge -c nobody@example.com -g 1 -p Widget
assert_rc 4 "an unknown e-mail"
assert_contains "$ERR" "no contact with e-mail 'nobody@example.com'"
op transactions charge -c 999 -g 1 -p Widget --retries 0
assert_rc 5 "an unknown contact id"
assert_contains "$ERR" "Invalid Contact ID"
op transactions charge -c "$MARY" -g 99 -p Widget --retries 0
assert_rc 5 "an unknown gateway"
op transactions list -o json
assert_jq "$OUT" 'length' 0

op transactions charge -c mary@example.com -g 1 -p 'Widget*2' -p 'Membership@29/month' -p 'Course@100/month/3' --external-order-id A-1 -o json
assert_rc 0 "charge"
T1=$(jq -r .invoice_id <<<"$OUT")
assert_jq "$OUT" '.result_code' 1
op transactions get "$T1" -o json
assert_jq "$OUT" '.status + " " + .total + " " + .contact_name + " " + .external_order_id' "1 154 Mary Smith A-1"
ORDER=$(jq -r .order_id <<<"$OUT")
assert_jq "$OUT" '.order_id != "0"' true
op purchases list --transaction "$T1" -o json
assert_jq "$OUT" 'map("\(.name):\(.quantity):\(.total_price):\(.type):\(.status)") | join(" ")' \
	"Widget:2:25:0:1 Membership:1:29:1:1 Course:1:100:2:1"
op purchases open-orders -c mary@example.com -o json
assert_jq "$OUT" 'map("\(.product_id):\(.payment_amount):\(.payment_remaining):\(.type)") | join(" ")' \
	"$MEMBER:29:0:0 $COURSE:100:2:1"
assert_jq "$OUT" '[.[].order_id] | unique | join(",")' "$ORDER"
assert_eq "$(field 16 "$WIDGET" total_purchases) $(field 16 "$WIDGET" total_income)" "1 25" "Widget's totals"
assert_eq "$(field 0 "$MARY" spent)" 154 "Mary's spent"

# ---- the order ----
op transactions order "$ORDER" -o json
assert_rc 0 "order"
assert_jq "$OUT" '.order_id' "$ORDER"
assert_jq "$OUT" '[.products[].id] | join(",")' "$MEMBER,$COURSE"
op transactions order "$T1" -o json
assert_rc 0 "order by its transaction's id"
assert_jq "$OUT" '.order_id' "$ORDER"
op transactions order-update "$ORDER" --card-id 7 -o json
assert_rc 0 "order-update card"
assert_jq "$OUT" '.cc_id + " " + .next_charge' "7 129"
op transactions order-update "$ORDER" -p 'Membership@35/month' -o json
assert_rc 0 "order-update products"
assert_jq "$OUT" '.next_charge' 35
op transactions order "$ORDER" -o json
assert_jq "$OUT" '.cc_id + " " + ([.products[].price[0].price] | join(","))' "7 35"
op transactions order-update "$ORDER"
assert_rc 2 "order-update with nothing to change"
op transactions order 999
assert_rc 4 "an unknown order"

# ---- actions ----
op transactions refund "$T1" -o json
assert_rc 0 "refund"
assert_jq "$OUT" '.status' 2
op purchases list --transaction "$T1" -o json
assert_jq "$OUT" '[.[].status] | unique | join(",")' 4
assert_eq "$(field 16 "$WIDGET" total_purchases) $(field 16 "$WIDGET" total_income)" "0 0" "Widget's totals after the refund"
op transactions refund "$T1" --retries 0
assert_rc 5 "refund twice"
assert_contains "$ERR" "Cannot refund transaction $T1: it is refunded"
op transactions log -c "$BOB" -p Widget --date 2026-01-31 -o json
T2=$(jq -r .invoice_id <<<"$OUT")
assert_eq "$(field 46 "$T2" date)" 1769817600 "a logged sale's date"
op transactions log -c "$BOB" -p Widget -o json
T3=$(jq -r .invoice_id <<<"$OUT")
op transactions charge -c "$BOB" -g 1 -p Widget --payer '{"ccnumber":"4000000000000002","code":"1","expire_month":1,"expire_year":2035}' -o json
T4=$(jq -r .invoice_id <<<"$OUT")
assert_eq "$(field 46 "$T4" status)" 5 "a declined charge"
op transactions void "$T2" -o json
assert_jq "$OUT" '.status' 4
op transactions write-off "$T2" --retries 0
assert_rc 5 "write off a void one"
op transactions write-off "$T4" -o json
assert_jq "$OUT" '.status' 6
op transactions mark-paid "$T4" --retries 0
assert_rc 5 "mark a written-off one paid"
op transactions charge -c "$BOB" -g 1 -p Widget --payer '{"ccnumber":"4000000000000002","code":"1","expire_month":1,"expire_year":2035}' -o json
T5=$(jq -r .invoice_id <<<"$OUT")
op transactions rerun "$T5" -o json
assert_jq "$OUT" '.status' 1
assert_eq "$(jq -r '.[0].status' <<<"$("$OP" purchases list --transaction "$T5" -o json)")" 1 "a rerun purchase"
op transactions resend-invoice "$T5" "$T3" -o json
assert_rc 0 "resend"
assert_jq "$OUT" '[.[].status] | join(",")' "1,1"
op transactions refund "$T3" "$T1" --retries 0
assert_rc 5 "a refund of two, one not paid"
assert_eq "$(field 46 "$T3" status)" 1 "nothing changed on a refused refund"
op transactions refund 999 --retries 0
assert_rc 4 "an unknown transaction"
op transactions refund 0
assert_rc 2 "id 0"

# ---- lists and filters ----
op transactions list --status paid -o json
assert_jq "$OUT" '[.[].id] | join(",")' "$T3,$T5"
op transactions list -c bob@example.com -o json
assert_jq "$OUT" 'length' 4
op transactions list --status payd
assert_rc 2 "a misspelt status"
assert_contains "$ERR" "did you mean 'paid'"
op purchases list --product Course -o json
assert_jq "$OUT" '[.[].invoice_id] | join(",")' "$T1"
# A sale of 60 lines (given as --offer JSON): the list streams past a page of 50.
jq -n --argjson id "$WIDGET" '{products: [range(60) | {id: $id, quantity: 1, type: "single", price: [{price: 1}]}]}' >"$TMP/sixty.json"
op transactions log -c "$BOB" --offer @"$TMP/sixty.json" -o json
assert_rc 0 "a sale of 60 lines"
T6=$(jq -r .invoice_id <<<"$OUT")
op purchases list --transaction "$T6" -o ndjson
assert_eq "$(printf '%s\n' "$OUT" | grep -c .)" 60 "purchases of a 60-line sale"
op purchases list --limit 3 -o json
assert_jq "$OUT" 'length' 3
op purchases get 1 -o json
assert_jq "$OUT" '.name' Widget

# ---- the wire forms other clients send ----
op api PUT /transaction/refund --json "{\"ids\":[$T3]}" -o json
assert_rc 0 "refund without objectID ([WPF])"
assert_jq "$OUT" '.data' Refunded
op api PUT /transaction/markPaid -d "id=$T2" --retries 0
assert_rc 5 "markPaid of a void one"
op api PUT /transaction/writeOff -d "objectID=0" -d "ids=$T2" --retries 0
assert_rc 5 "another objectID"
op api PUT /transaction/void --json '{"objectID":46,"performAll":1}' --retries 0
assert_rc 5 "performAll"
op api PUT /transaction/order --json '{}' --retries 0
assert_rc 5 "an order update without the offer"
op api POST /transaction/processManual --json "{\"contact_id\":$MARY,\"chargeNow\":\"chargeLog\",\"offer\":{\"products\":[{\"id\":999,\"quantity\":1}]}}" --retries 0
assert_rc 5 "an unknown product on the wire"
op api POST /transaction/processManual --json "{\"contact_id\":$MARY,\"chargeNow\":\"chargeLog\",\"offer\":{\"products\":[{\"id\":$WIDGET,\"quantity\":1}]}}" -o json
assert_rc 0 "a line without a price: the product's"
assert_eq "$(field 46 "$(jq -r .data.invoice_id <<<"$OUT")" total)" 12.5 "the product's price"
op api GET /Transactions/meta -o json
assert_jq "$OUT" '.data["46"].name' Invoice
op api DELETE /Offer -q "id=$OFFER" --retries 0
assert_rc 11 "offers cannot be deleted"
finish
