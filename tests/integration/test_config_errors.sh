#!/usr/bin/env bash
# A malformed config file is reported with its path, line and column, and
# never with text from the file: the text near a fault can be the API key.
. "$(dirname "$0")/lib.sh"
SECRET="sk-live-4f3e2d1c-CONFIGSECRET"
CFG_DIR="$XDG_CONFIG_HOME/ontraport"
CFG="$CFG_DIR/config.json"
mkdir -p -m 700 "$CFG_DIR"

# bad NAME EXPECTED-TEXT: with the config written by the last printf to $TMP/cfg, check that
# list fails with one line that names the file and holds EXPECTED-TEXT but not the key.
bad() {
	local name=$1 want=$2
	cp "$TMP/cfg" "$CFG"
	chmod 600 "$CFG"
	op connection list -o json
	assert_rc 1 "$name"
	assert_one_line "$ERR" "$name"
	assert_contains "$ERR" "ontraport: invalid config file $CFG: " "$name"
	assert_contains "$ERR" "$want" "$name"
	assert_not_contains "$ERR$OUT" "$SECRET" "$name"
	assert_not_contains "$ERR$OUT" "CONFIGSECRET" "$name"
}

printf '{"connections": {"p": {"app_id": "x", "api_key": %s}}}\n' "$SECRET" >"$TMP/cfg"
bad "an unquoted key" "line 1, column "
printf '{\n  "default": "p",\n  "connections": {\n    "p": {"app_id": "x", "api_key": %s}\n  }\n}\n' "$SECRET" >"$TMP/cfg"
bad "an unquoted key on line 4" "line 4, column "
printf '{"connections": {"p": {"app_id": "x", "api_key": "%s\tX"}}}\n' "$SECRET" >"$TMP/cfg"
bad "a tab in the key" "line 1, column "
printf '{"connections": {"p": {"app_id": "x", "api_key": "%s"}}} %s\n' "$SECRET" "$SECRET" >"$TMP/cfg"
bad "the key after the object" "line 1, column 86: not valid JSON (text after the end of the object)"
printf '{"connections": {"p": {"app_id": "x", "api_key": "%s"\n' "$SECRET" >"$TMP/cfg"
bad "cut short" "line 2, column 0: not valid JSON (the text ends too early)"
printf '{"connections": {"%s": {"app_id": "x", "api_key": "k"}}}\n' "$SECRET x" >"$TMP/cfg"
bad "the key as a name" "connection #1 has an invalid name"
printf '{"connections": {"p": {"app_id": "x", "api_key": "%s", "api_key": "%s"}}}\n' "$SECRET" "$SECRET" >"$TMP/cfg"
bad "a key given twice" "line 1, column 91: not valid JSON (a key given twice)"

# Every command that reads the config says the same.
op api GET /Contacts --retries 0
assert_rc 1 "api with a bad config"
assert_contains "$ERR" "invalid config file $CFG: line 1, column "
assert_not_contains "$ERR" "CONFIGSECRET" "api"

finish
