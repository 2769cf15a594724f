#!/usr/bin/env bash
# Connections: add (verified by a real call), list (masked), test, use, remove,
# selection by --profile / ONTRAPORT_PROFILE, and a wrong key refused with 401.
. "$(dirname "$0")/lib.sh"

KEY="sk-test-0123456789abcdefSECRET42"
start_sandbox --api-key "$KEY" --app-id "2_AppID_777"
# Connections come from the config file here, not from the environment.
unset ONTRAPORT_APP_ID ONTRAPORT_API_KEY

op connection list -o json
assert_rc 0 "list with no config"
assert_eq "$OUT" "[]" "empty list"

# A wrong key is refused with the auth exit code and the sandbox's 401 text; nothing saved.
run bash -c "printf '%s\n' wrong-key | '$OP' connection add bad --app-id 2_AppID_777 --api-key-stdin"
assert_rc 3 "add with a wrong key"
assert_contains "$ERR" "Your App ID and API Key do not authenticate." "401 text"
assert_contains "$ERR" "connection 'bad' not saved" "error names the connection"
assert_one_line "$ERR" "auth error"
op connection list -o json
assert_jq "$OUT" 'length' 0

# A wrong app id with the right key is refused too (the pair must belong together).
run bash -c "printf '%s\n' '$KEY' | '$OP' connection add bad --app-id 2_AppID_000 --api-key-stdin"
assert_rc 3 "add with a wrong app id"

# The right pair is verified and saved; the first connection becomes the default.
run bash -c "printf '%s\n' '$KEY' | '$OP' connection add sbx --app-id 2_AppID_777 --api-key-stdin -o json"
assert_rc 0 "add"
assert_jq "$OUT" '.name' sbx
assert_jq "$OUT" '.default' true
assert_jq "$OUT" '.verified' true
assert_not_contains "$OUT" "$KEY" "add output"
assert_eq "$(stat -c %a "$XDG_CONFIG_HOME/ontraport/config.json")" 600 "config file mode"
assert_eq "$(stat -c %a "$XDG_CONFIG_HOME/ontraport")" 700 "config dir mode"
before=$(requests_seen)

op connection list -o json
assert_rc 0
assert_jq "$OUT" '.[0].name' sbx
assert_jq "$OUT" '.[0].app_id' 2_AppID_777
assert_jq "$OUT" '.[0].api_key' '****ET42'
assert_jq "$OUT" '.[0].base_url' "$SBX_URL"
assert_not_contains "$OUT" "$KEY" "list output"
op connection list -o table
assert_contains "$OUT" "sbx"
assert_not_contains "$OUT" "$KEY" "table output"
assert_eq "$(requests_seen)" "$before" "list makes no request"

op connection test sbx -o json
assert_rc 0 "test"
assert_jq "$OUT" '.ok' true
assert_jq "$OUT" '.rate_limit_remaining | type' number

# Commands use the default connection.
unset ONTRAPORT_BASE_URL
op api GET /Contacts
assert_rc 0 "api through the default connection"
assert_jq "$OUT" '.code' 0

# --no-verify saves offline (nothing sent), --default switches.
before=$(requests_seen)
run bash -c "printf 'offline-key\n' | '$OP' connection add other --app-id X --api-key-stdin --no-verify --base-url http://127.0.0.1:9/1"
assert_rc 0 "add --no-verify"
assert_eq "$(requests_seen)" "$before" "--no-verify sends nothing"
op connection list -o json
assert_jq "$OUT" 'length' 2
assert_jq "$OUT" '[.[] | select(.default)] | .[0].name' sbx

# Selecting a connection: --profile beats the default, ONTRAPORT_PROFILE too.
op api GET /Contacts --profile other --timeout 2 --retries 0
assert_rc 8 "the offline connection cannot be reached"
ONTRAPORT_PROFILE=other op api GET /Contacts --timeout 2 --retries 0
assert_rc 8 "ONTRAPORT_PROFILE selects"
op connection use other
assert_rc 0
op connection list -o json
assert_jq "$OUT" '[.[] | select(.default)] | .[0].name' other
op api GET /Contacts --profile sbx
assert_rc 0 "--profile sbx"

# Environment variables override the selected connection's values.
ONTRAPORT_BASE_URL="$SBX_URL" ONTRAPORT_APP_ID=2_AppID_777 ONTRAPORT_API_KEY="$KEY" op api GET /Contacts
assert_rc 0 "env overrides the default's values"

# Unknown names: not found, with a suggestion.
op api GET /Contacts --profile sbz
assert_rc 4 "unknown profile"
assert_contains "$ERR" "did you mean 'sbx'"
assert_one_line "$ERR"
op connection remove nope
assert_rc 4 "remove unknown"
op connection add 'bad name!' --app-id x --api-key-stdin
assert_rc 2 "invalid name"

op connection remove other
assert_rc 0
op connection list -o json
assert_jq "$OUT" 'length' 1
assert_jq "$OUT" '[.[] | select(.default)] | length' 0

# A config file that is not valid JSON is reported with its path, not a crash.
printf '{"connections": [' >"$XDG_CONFIG_HOME/ontraport/config.json"
op connection list
assert_rc 1 "corrupt config"
assert_contains "$ERR" "invalid config file"
assert_one_line "$ERR"

finish
