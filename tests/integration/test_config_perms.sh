#!/usr/bin/env bash
# The config file holds API keys. It is refused (exit 1, one line saying why
# and the command that fixes it) when other users can write it or its
# directory, when the user does not own it, or when it is not a regular file;
# a FIFO, a directory or a device is refused at once instead of blocking or
# getting 'chmod 600' advice. A file others can only read is used, with a warning.
. "$(dirname "$0")/lib.sh"
CFG_DIR="$XDG_CONFIG_HOME/ontraport"
CFG="$CFG_DIR/config.json"
ME=$(id -u)

# ok_now: the config is fine again: list works with no warning.
ok_now() {
	op connection list -o json
	assert_rc 0 "${1:-list}"
	assert_eq "$ERR" "" "${1:-list}: no warning"
}
# refused LABEL TEXT...: the last command was refused with exit 1 and one line holding each TEXT.
refused() {
	local label=$1 t
	shift
	assert_rc 1 "refused: $label"
	assert_one_line "$ERR" "$label"
	for t in "$@"; do assert_contains "$ERR" "$t" "$label"; done
}

run bash -c "printf 'k1\n' | '$OP' connection add a --app-id X --api-key-stdin --no-verify --base-url http://127.0.0.1:9/1"
assert_rc 0 "add"
ok_now "a fresh config"

# Writable by others: refused, by every command that reads it.
for mode in 666 620 602; do
	chmod "$mode" "$CFG"
	op connection list -o json
	refused "mode $mode" "refusing config file $CFG: other users can write it (mode 0$mode); run 'chmod 600 $CFG'"
done
op api GET /Contacts --retries 0
refused "api with a writable config" "refusing config file $CFG"
run bash -c "printf 'k2\n' | '$OP' connection add b --app-id X --api-key-stdin --no-verify"
refused "add to a writable config" "refusing config file $CFG"
chmod 600 "$CFG"
ok_now "after chmod 600"
assert_eq "$(jq -r '.connections | keys | join(",")' "$CFG")" "a" "nothing added while refused"

# Readable by others: used, with a warning (the next save makes it 0600 again).
chmod 644 "$CFG"
op connection list -o json
assert_rc 0 "a readable config is used"
assert_contains "$ERR" "warning: $CFG is readable by other users; run 'chmod 600 $CFG'"
chmod 600 "$CFG"

# The directory: writable by others is refused, with the fix; a shared (sticky) one gets no chmod advice.
chmod 777 "$CFG_DIR"
op connection list -o json
refused "dir 777" "refusing config directory $CFG_DIR: other users can write it (mode 0777); run 'chmod go-w $CFG_DIR'"
chmod 770 "$CFG_DIR"
op connection list -o json
refused "dir 770" "refusing config directory $CFG_DIR: other users can write it (mode 0770)"
run bash -c "printf 'k2\n' | '$OP' connection add b --app-id X --api-key-stdin --no-verify"
refused "add in a writable dir" "refusing config directory $CFG_DIR"
chmod 1777 "$CFG_DIR"
op connection list -o json
refused "dir 1777" "refusing config directory $CFG_DIR: other users can write it (mode 1777); keep the config in a directory only you can write"
assert_not_contains "$ERR" "chmod" "no chmod advice for a shared directory"
chmod 700 "$CFG_DIR"
ok_now "after chmod 700"

# A config in a world-writable shared directory like /tmp is refused too.
mkdir -m 1777 "$TMP/shared"
cp "$CFG" "$TMP/shared/config.json"
ONTRAPORT_CONFIG="$TMP/shared/config.json" op connection list -o json
refused "config in a sticky shared dir" "refusing config directory $TMP/shared"

# Not a regular file: refused at once, never blocking, never 'chmod 600' advice.
mkfifo "$TMP/fifo"
ONTRAPORT_CONFIG="$TMP/fifo" run timeout 10 "$OP" connection list -o json
refused "a FIFO" "refusing config file $TMP/fifo: it is a FIFO, expected a regular file"
ONTRAPORT_CONFIG=/tmp op connection list -o json
refused "a directory" "refusing config file /tmp: it is a directory, expected a regular file"
assert_not_contains "$ERR" "chmod" "no chmod advice for /tmp"
ONTRAPORT_CONFIG=/dev/null op connection list -o json
refused "a device" "refusing config file /dev/null: it is a device, expected a regular file"
ln -s "$CFG" "$TMP/link.json"
ONTRAPORT_CONFIG="$TMP/link.json" op connection list -o json
refused "a symbolic link" "refusing config file $TMP/link.json: it is a symbolic link, expected a regular file"
ONTRAPORT_CONFIG="$TMP/fifo" run timeout 10 bash -c "printf 'k\n' | '$OP' connection add f --app-id X --api-key-stdin --no-verify"
refused "add to a FIFO" "it is a FIFO"

# Owned by someone else (only root can make such a file here).
if [ "$ME" = 0 ]; then
	chown 4242 "$CFG"
	op connection list -o json
	refused "a foreign file" "refusing config file $CFG: it belongs to uid 4242, not to you (uid 0); run 'sudo chown 0 $CFG'"
	chown 0 "$CFG"
	chown 4242 "$CFG_DIR"
	op connection list -o json
	refused "a foreign directory" "refusing config directory $CFG_DIR: it belongs to uid 4242, not to you (uid 0); run 'sudo chown 0 $CFG_DIR'"
	chown 0 "$CFG_DIR"
	ok_now "owned again"
fi

finish
