#!/usr/bin/env bash
# The two purchase events (REFERENCE-MORE §M1): `watch -e purchased -e transaction-created
# --product NAME|ID` subscribes purchase_product(P) and transaction_created_with_product(P);
# the sandbox fires them when a transaction is charged or logged through its API: one
# purchased event per paid purchase of the product (the purchase record), one
# transaction-created event per transaction holding it (the transaction record), none for
# other products, none purchased for a declined charge. Bad combinations are refused before
# anything is subscribed.
. "$(dirname "$0")/lib.sh"

lines() { jq -s . "$TMP/$1.out"; }
count() { CHECKS=$((CHECKS + 1)); local n; n=$(wc -l <"$TMP/$1.out"); [ "$n" -eq "$2" ] || fail "watch $1 printed $n events, expected $2: $(cat "$TMP/$1.out")"; }
settle() {
	deliveries_settled || fail "the sandbox kept deliveries pending"
	while [ $# -gt 0 ]; do
		wait_lines "$TMP/$1.out" "$2" || fail "watch $1 printed $(wc -l <"$TMP/$1.out") events, expected $2"
		shift 2
	done
	sleep 0.3
}

start_sandbox
op products create name=Widget price=10 -o json
assert_rc 0 "create Widget"
WIDGET=$(jq -r .id <<<"$OUT")
op products create name=Gadget price=4.25 -o json
GADGET=$(jq -r .id <<<"$OUT")
op objects create firstname=Mary lastname=Smith email=mary@example.com -o json
MARY=$(jq -r .id <<<"$OUT")

# ---- usage: each event needs its product, and --product needs one of them ----
op watch -e purchased
assert_rc 2 "purchased without --product"
assert_contains "$ERR" "the purchased and transaction-created events need --product NAME|ID"
op watch -e created --product Widget
assert_rc 2 "--product with created"
assert_contains "$ERR" "--product is for the purchased and transaction-created events"
op watch -e purchase --product Widget
assert_rc 2 "a misspelt event"
assert_contains "$ERR" "(did you mean 'purchased'?)"
op webhooks subscribe --url http://127.0.0.1:9/x -e purchased --product Nothing
assert_rc 4 "an unknown product name"
assert_contains "$ERR" "no product named 'Nothing'"
assert_one_line "$ERR"
op webhooks subscribe --url http://127.0.0.1:9/x -e purchased --product 0
assert_rc 2 "product id 0"
op webhooks list -o json
assert_jq "$OUT" 'length' 0

# ---- webhooks subscribe: the API's event strings, the product by name or id ----
op webhooks subscribe --url http://127.0.0.1:9/x -e purchase_product --product "$GADGET" -e transaction_created_with_product -o json
assert_rc 0 "subscribe by the API's names"
op webhooks list -o json
assert_jq "$OUT" '[.[].event] | sort | join(" ")' "purchase_product($GADGET) transaction_created_with_product($GADGET)"
for id in $(jq -r '.[].id' <<<"$OUT"); do "$OP" webhooks unsubscribe "$id" 2>/dev/null; done

# ---- a watch of each event on Widget (by name), and one of both on Gadget (by id) ----
start_watch bought -e purchased --product Widget --name bought
assert_contains "$(cat "$TMP/bought.err")" "purchase_product($WIDGET) (product Widget)" "the product by name in the notes"
start_watch txn -e transaction-created --product Widget --name txn
start_watch gadget -e purchased -e transaction-created --product "$GADGET" --name gadget

# 1. A charge of two Widget lines and a Gadget: two purchases of Widget, one transaction.
op transactions charge -c mary@example.com -g 1 -p 'Widget*2' -p 'Widget@7.50' -p Gadget -o json
assert_rc 0 "charge"
T1=$(jq -r .invoice_id <<<"$OUT")
settle bought 2 txn 1 gadget 2
count bought 2
count txn 1
count gadget 2
E=$(lines bought)
assert_jq "$E" '[.[].event.type] | unique | join(",")' purchase_product
assert_jq "$E" '[.[].event.product_id] | unique | join(",")' "$WIDGET"
assert_jq "$E" '[.[].object_type_id] | unique | join(",")' 17
assert_jq "$E" '[.[].data.invoice_id] | unique | join(",")' "$T1"
assert_jq "$E" '[.[].data.contact_id] | unique | join(",")' "$MARY"
assert_jq "$E" '[.[].data.total_price] | sort | join(",")' "20,7.5"
assert_jq "$E" '[.[].data.status] | unique | join(",")' 1
E=$(lines txn)
assert_jq "$E" '.[0].event.type' transaction_created_with_product
assert_jq "$E" '.[0].event.product_id' "$WIDGET"
assert_jq "$E" '.[0].object_type_id' 46
assert_jq "$E" '.[0].data.id' "$T1"
assert_jq "$E" '.[0].data.total' 31.75
assert_jq "$E" '.[0].data.contact_name' "Mary Smith"
E=$(lines gadget)
assert_jq "$E" '[.[].event.type] | sort | join(",")' "purchase_product,transaction_created_with_product"
assert_jq "$E" '[.[].event.product_id] | unique | join(",")' "$GADGET"

# 2. A logged sale of Gadget only: nothing for the Widget watches.
op transactions log -c "$MARY" -p Gadget --external-order-id WC-1 -o json
assert_rc 0 "log"
T2=$(jq -r .invoice_id <<<"$OUT")
settle gadget 4
count bought 2
count txn 1
count gadget 4
assert_jq "$(lines gadget)" '[.[2:][].data | (.invoice_id // .id)] | unique | join(",")' "$T2"

# 3. A declined charge of Widget: the transaction event, no purchased event.
op transactions charge -c "$MARY" -g 1 -p Widget --payer '{"ccnumber":"4000000000000002","code":"123","expire_month":1,"expire_year":2035}' -o json
assert_rc 0 "declined charge"
assert_jq "$OUT" '.result_code' 0
settle txn 2
count txn 2
count bought 2
assert_jq "$(lines txn)" '.[1].data.status' 5

stop_watch bought
stop_watch txn
stop_watch gadget
op webhooks list -o json
assert_jq "$OUT" 'length' 0
finish
