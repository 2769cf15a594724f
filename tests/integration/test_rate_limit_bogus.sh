#!/usr/bin/env bash
# A server's rate-limit headers cannot stall the client for days: a 200 with
# X-Rate-Limit-Remaining: 0 and X-Rate-Limit-Reset: 999999 holds the next
# request at most the API's 60 s window plus 10% (66 s); --max-wait bounds the
# wait further and fails (exit 6, nothing sent) rather than wait longer; on a
# terminal, a wait of a second or more is announced with its reason. The searches are of
# a custom object type (widgets), whose name takes the metadata request first: the
# request whose headers make the search wait. So no metadata from the disk cache here.
. "$(dirname "$0")/lib.sh"
export ONTRAPORT_CACHE_TTL=0
command -v script >/dev/null || { echo "script(1) is missing (bsdutils)" >&2; exit 1; }

# serve REMAINING RESET [STATUS]: a stand-in API answering every request with
# those rate-limit headers; sets ONTRAPORT_BASE_URL and SRV_LOG (one line a request).
serve() {
	local port
	SERVES=$((${SERVES:-0} + 1))
	SRV_LOG="$TMP/requests.$SERVES"
	port="$TMP/port.$SERVES"
	: >"$SRV_LOG"
	python3 - "$1" "$2" "${3:-200}" "$SRV_LOG" >"$port" <<'PY' &
import http.server, json, sys
remaining, reset, status, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
META = {"0": {"name": "Contact", "fields": {"firstname": {"alias": "First Name", "type": "text"}}},
        "10000": {"name": "Widget", "fields": {"name": {"alias": "Name", "type": "text"}}}}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log, "a") as f:
            f.write(self.path + "\n")
        meta = self.path.startswith("/1/objects/meta")
        code = 200 if meta else status
        body = json.dumps({"code": 0, "data": META if meta else [], "account_id": 1}).encode()
        if code == 429:
            body = b"Too Many Requests"
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Rate-Limit-Limit", "180")
        self.send_header("X-Rate-Limit-Remaining", remaining)
        self.send_header("X-Rate-Limit-Reset", reset)
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
	PIDS+=($!)
	for _ in $(seq 1 $((200 * ${ONTRA_TEST_TIME_SCALE:-1}))); do [ -s "$port" ] && break; sleep 0.05; done
	[ -s "$port" ] || { echo "the stand-in server did not start" >&2; exit 1; }
	export ONTRAPORT_BASE_URL="http://127.0.0.1:$(cat "$port")/1" ONTRAPORT_APP_ID=app ONTRAPORT_API_KEY=key
}

# A bogus 11.6-day reset, and --max-wait 5: refused at once, with the capped wait and why.
serve 0 999999
run timeout 60 "$OP" --max-wait 5 objects search --type widgets -o json
assert_rc 6 "a wait beyond --max-wait"
assert_one_line "$ERR"
assert_contains "$ERR" "would wait 66 s"
assert_contains "$ERR" "X-Rate-Limit-Reset: 999999, more than the API's 60 s window: capped at 66 s"
assert_contains "$ERR" "longer than the maximum wait of 5 s; nothing was sent"
assert_eq "$(wc -l <"$SRV_LOG")" 1 "requests the server saw (the metadata only)"

# A 429 with the same bogus reset is not waited out beyond --max-wait either.
serve 0 999999 429
run timeout 60 "$OP" --max-wait 5 api GET /Contacts
assert_rc 6 "a 429 whose reset is beyond --max-wait"
assert_eq "$(wc -l <"$SRV_LOG")" 1 "the 429 was not retried"

# A real, short hold (Reset: 2 s): waited out, and said on a terminal...
W=$((2 * ${ONTRA_TEST_TIME_SCALE:-1}))
serve 0 "$W"
printf -v cmd '%q ' "$OP" objects search --type widgets -o json
OUT=$(script -qec "$cmd" /dev/null 2>&1 </dev/null) && RC=0 || RC=$?
assert_rc 0 "a short hold is waited out"
assert_contains "$OUT" "ontraport: waiting $W s for the rate limit: the server said X-Rate-Limit-Remaining: 0 with X-Rate-Limit-Reset: $W"
# ...but not into a pipe or a file.
run "$OP" objects search --type widgets -o json
assert_rc 0 "the same, not on a terminal"
assert_not_contains "$ERR" "waiting"
# --max-wait 0: never wait.
run "$OP" --max-wait 0 objects search --type widgets -o json
assert_rc 6 "--max-wait 0"
assert_contains "$ERR" "longer than the maximum wait of 0 s"

# Bad values are usage errors.
run "$OP" --max-wait -1 objects search
assert_rc 2 "--max-wait -1"
assert_contains "$ERR" "--max-wait"
finish
