#!/usr/bin/env bash
# An empty --base-url (an unset shell variable, say) is a usage error (exit 2)
# that sends nothing, never a silent switch to the production API. An empty
# ONTRAPORT_BASE_URL counts as unset: the saved connection's URL, else the
# local sandbox, is used, never the production API.
. "$(dirname "$0")/lib.sh"
start_sandbox

for args in "--base-url=" "--base-url ''"; do
	eval "op api GET /Contacts $args --retries 0 --timeout 5"
	assert_rc 2 "api GET with $args"
	assert_contains "$ERR" "--base-url is empty: expected an http:// or https:// URL" "$args"
	assert_not_contains "$ERR" "api.ontraport.com" "$args"
	assert_contains "$ERR" "Run 'ontraport api --help' for usage." "$args"
done
op connection add e --app-id X --api-key-stdin --no-verify --base-url '' </dev/null
assert_rc 2 "connection add --base-url ''"
assert_contains "$ERR" "--base-url is empty"
op connection list -o json
assert_eq "$OUT" "[]" "nothing saved"
op objects search --type contacts --base-url '' --retries 0 --timeout 5
assert_rc 2 "objects search --base-url ''"
assert_contains "$ERR" "--base-url is empty"

# ONTRAPORT_BASE_URL='' is unset: the saved connection's URL is used.
run bash -c "printf '%s\n' '$SBX_KEY' | '$OP' connection add sbx --app-id '$SBX_APP' --api-key-stdin --base-url '$SBX_URL'"
assert_rc 0 "add"
unset ONTRAPORT_APP_ID ONTRAPORT_API_KEY
ONTRAPORT_BASE_URL= op api GET /Contacts -v --retries 0 --timeout 5
assert_rc 0 "empty ONTRAPORT_BASE_URL: the saved connection"
assert_contains "$ERR" "> GET $SBX_URL/Contacts" "the saved connection's URL"
# ... and with nothing configured, the local sandbox's default address.
op connection remove sbx
ONTRAPORT_BASE_URL= op api GET /Contacts -v --retries 0 --timeout 5
assert_contains "$ERR" "using the local sandbox at http://127.0.0.1:8517/1" "nothing configured"
assert_not_contains "$ERR" "api.ontraport.com" "nothing configured"

finish
