#!/usr/bin/env bash
# The main job: install what is missing, build, start a sandbox, and take a
# tour of the modules against it with the real `ontraport` command.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build >&2

OP="$PWD/build/ontraport"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ontraport-tour.XXXXXX")
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"
mkdir -p "$HOME"
unset ONTRAPORT_PROFILE ONTRAPORT_APP_ID ONTRAPORT_API_KEY ONTRAPORT_BASE_URL
SANDBOX_PID=""
WATCH_PID=""
cleanup() {
	[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null
	[ -n "$SANDBOX_PID" ] && kill "$SANDBOX_PID" 2>/dev/null && wait "$SANDBOX_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "Start the sandbox (a local emulator of the Ontraport API) on a free port"
"$OP" sandbox --port 0 --db "$WORK/sandbox.db" --quiet >"$WORK/sandbox.env" &
SANDBOX_PID=$!
for _ in $(seq 1 100); do grep -q SANDBOX_TOKEN "$WORK/sandbox.env" 2>/dev/null && break; sleep 0.05; done
cat "$WORK/sandbox.env" | grep -v SANDBOX_TOKEN
# shellcheck disable=SC1090
. <(sed 's/^/export /' "$WORK/sandbox.env")
URL=$ONTRAPORT_BASE_URL KEY=$ONTRAPORT_API_KEY APP=$ONTRAPORT_APP_ID
unset ONTRAPORT_BASE_URL ONTRAPORT_API_KEY ONTRAPORT_APP_ID

step "Create a connection: the App ID + API key pair is checked with a real call"
printf '$ printf "$KEY" | ontraport connection add sandbox --base-url %s --app-id %s --api-key-stdin\n' "$URL" "$APP"
printf '%s\n' "$KEY" | "$OP" connection add sandbox --base-url "$URL" --app-id "$APP" --api-key-stdin -o table
show "$OP" connection list -o table
show "$OP" connection test -o table

step "A wrong key is refused (exit code 3, the API's own 401 text)"
printf '$ printf "wrong" | ontraport connection add typo --base-url %s --app-id %s --api-key-stdin\n' "$URL" "$APP"
printf 'wrong\n' | "$OP" connection add typo --base-url "$URL" --app-id "$APP" --api-key-stdin || echo "(exit code $?)"

step "Make an API call: the seed's example, GET /1/Messages"
show "$OP" api GET /1/Messages

step "Make an API call: create a contact with a JSON body, then read it back"
show "$OP" api POST /objects --json '{"objectID":0,"firstname":"Mary","lastname":"Smith","email":"mary@example.com"}'
show "$OP" api POST /Contacts -d firstname=Ann -d lastname=Jones -d email=ann@example.com -o ndjson
show "$OP" api GET /Contacts -q listFields=id,firstname,lastname,email -o table

step "Every response carries the rate-limit headers (-i shows them)"
"$OP" api -i GET /Contacts -q range=1 | sed -n '1,/^$/p' | grep -E 'HTTP|X-Rate-Limit'

step "Messages: one of each type, with the fields of its type; a field of another type is refused"
# keep: show a command and its output, and keep the output for the next step's ids.
keep() { printf '$ %s\n' "$*"; "$@" | tee "$WORK/last.json"; }
printf '<h1>Hello [First Name]</h1><p>Welcome aboard.</p>\n' >"$WORK/mail.html"
keep "$OP" messages create --type e-mail --name Welcome --subject 'Hi [First Name]' --html @"$WORK/mail.html" \
	--from owner --email-type marketing -o ndjson
MSG=$(jq -r .id "$WORK/last.json")
show "$OP" messages create --type sms --name Reminder --sms-content 'See you at 5' -o ndjson
show "$OP" messages create --type task --name Call --subject 'Call them' --due-date 2 --task-owner 1 -o ndjson
show "$OP" messages update "$MSG" --subject 'Welcome, [First Name]' -o ndjson
show "$OP" messages list -o table
show "$OP" messages create --type sms --name Oops --html '<p>hi</p>' || echo "(exit code $?: refused, nothing sent)"

step "Rules: written in Ontraport's rule language, checked against the catalogue before sending"
show "$OP" rules catalogue actions -o table
keep "$OP" rules create --name 'Welcome flow' -e 'Contact_added_to_campaign(1);Contact_added_to_category(2)' \
	-c 'Is_in_category(2);Is_not_subscribed_to_drip(3)|Is_in_category(5)' \
	-a "Add_contact_to_category(4);Send_contact_an_emailmbs($MSG)" -o ndjson
RULE=$(jq -r .id "$WORK/last.json")
show "$OP" rules pause "$RULE"
show "$OP" rules get "$RULE" -o json
show "$OP" rules create -e 'Contact_added_to_campaign(1)' -a 'Add_contact_to_categry(4)' || echo "(exit code $?: refused, nothing sent)"

step "Objects: create, search with --where, tag by name, list with a tag, subscribe to a sequence"
keep "$OP" objects create firstname=Lee lastname=Park email=lee@example.com status='Qualified Lead' -o ndjson
LEE=$(jq -r .id "$WORK/last.json")
show "$OP" objects search --where "email LIKE '%@example.com' AND status = 6 OR firstname = 'Ann'" \
	--fields id,firstname,email,status -o table
show "$OP" objects tag --tag VIP --tag 'Webinar 2024' "$LEE" 2
show "$OP" objects with-tag --tag VIP -o table
show "$OP" sequences list -o table
show "$OP" objects subscribe --sequence 1 "$LEE"
printf '$ ontraport objects get %s -o json | jq "{id, contact_cat, updateSequence}"\n' "$LEE"
"$OP" objects get "$LEE" -o json | jq -c '{id, contact_cat, updateSequence}'
show "$OP" objects untag --tag Ghost "$LEE" || echo "(exit code $?: no such tag, nothing sent)"

step "Watch Events: a receiver subscribed to the sandbox; a new contact, a tag and a form fill each arrive once"
printf '$ ontraport watch --event created --event tagged --tag VIP --event form-submitted --form \"Contact Us\" --data-format lightweight > events.ndjson &\n'
"$OP" watch --event created --event tagged --tag VIP --event form-submitted --form "Contact Us" --data-format lightweight \
	--db "$WORK/events.db" >"$WORK/events.ndjson" 2>"$WORK/watch.err" &
WATCH_PID=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$WORK/watch.err" 2>/dev/null && break; sleep 0.05; done
cat "$WORK/watch.err"
keep "$OP" objects create firstname=Mia lastname=Ross email=mia@example.com -o ndjson
MIA=$(jq -r .id "$WORK/last.json")
show "$OP" objects tag --tag VIP "$MIA"
SANDBOX_ROOT=${URL%/1}
printf '$ curl -X POST %s/_sandbox/forms/submit -d form_id=1 -d email=mia@example.com -d city=Lyon   # a visitor fills in "Contact Us"\n' "$SANDBOX_ROOT"
curl -sS -X POST -H "X-Sandbox-Token: $ONTRAPORT_SANDBOX_TOKEN" "$SANDBOX_ROOT/_sandbox/forms/submit" \
	-d form_id=1 -d email=mia@example.com -d city=Lyon
echo
for _ in $(seq 1 100); do [ "$(wc -l <"$WORK/events.ndjson")" -ge 3 ] && break; sleep 0.05; done
echo "--- what arrived on the watch's standard output:"
cat "$WORK/events.ndjson"
show "$OP" webhooks list -o table
kill -INT "$WATCH_PID" && wait "$WATCH_PID"
WATCH_PID=""
tail -n 3 "$WORK/watch.err"
show "$OP" events list --db "$WORK/events.db" -o table

step "Scenarios: a trigger, a filter and steps, checked, then run by 'ontraport run'"
cat >"$WORK/signup.yaml" <<'YAML'
version: 1
name: signup-nurture
trigger:
  watch: {event: form-submitted, form: Contact Us}
filter: "not (data.email | ends_with('@test.example'))"
steps:
  - id: nurture
    do: objects.subscribe
    with: {ids: ["{{ data.id }}"], sequences: [Welcome Sequence]}
  - id: tag
    do: objects.tag
    with: {ids: ["{{ data.id }}"], tags: [VIP]}
YAML
cat "$WORK/signup.yaml"
show "$OP" scenario check "$WORK/signup.yaml"
echo '{"event": {"type": "object_submits_form"}, "data": {"id": "1", "email": "ann@example.com"}}' >"$WORK/e.json"
show "$OP" run "$WORK/signup.yaml" --event @"$WORK/e.json" --dry-run
printf '$ ontraport run signup.yaml &   # subscribes its webhook, runs each event, until Ctrl-C\n'
"$OP" run "$WORK/signup.yaml" --journal "$WORK/runs.db" --db "$WORK/run-events.db" 2>"$WORK/run.err" &
RUN_PID=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$WORK/run.err" && break; sleep 0.05; done
cat "$WORK/run.err"
printf '$ curl -X POST %s/_sandbox/forms/submit -d form_id=1 -d email=noah@example.com   # a visitor fills in "Contact Us"\n' "$SANDBOX_ROOT"
curl -sS -X POST -H "X-Sandbox-Token: $ONTRAPORT_SANDBOX_TOKEN" "$SANDBOX_ROOT/_sandbox/forms/submit" \
	-d form_id=1 -d email=noah@example.com >/dev/null
for _ in $(seq 1 100); do
	"$OP" runs list --journal "$WORK/runs.db" --status done -o json 2>/dev/null | grep -q '"id"' && break
	sleep 0.05
done
kill -INT "$RUN_PID" && wait "$RUN_PID" || true
show "$OP" runs list --journal "$WORK/runs.db" -o table
sed -i 's/objects.subscribe/objects.subscrib/' "$WORK/signup.yaml"
"$OP" scenario check "$WORK/signup.yaml" || echo "(exit code $?: a problem, with its line and column)"
show "$OP" scenario eval "data.email | lower" --event '{"data":{"email":"Mary@Example.COM"}}'

step "Errors are one line with a documented exit code"
show "$OP" api GET /object -q objectID=0 -q id=999 >/dev/null || echo "(exit code $?: not found)"
show "$OP" api GET /Contacts -q range || echo "(exit code $?: usage)"

printf '\nTour complete.\n'
