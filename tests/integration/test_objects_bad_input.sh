#!/usr/bin/env bash
# Bad input to the object commands: one line, the documented exit code, and
# the sandbox's data unchanged afterwards.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

op objects create firstname=Keep email=keep@example.com -o json
KEEP=$(printf '%s' "$OUT" | jq -r .id)
snapshot() { "$OP" objects search -o json | jq -c 'sort_by(.id | tonumber)'; }
before=$(snapshot)

check() { # rc says what -- args
	local want=$1 says=$2 what=$3
	shift 4
	op "$@"
	assert_rc "$want" "$what"
	assert_contains "$ERR" "$says" "$what"
	assert_one_line "$(printf '%s' "$ERR" | grep -v "^Run 'ontraport")" "$what"
}

check 4 "unknown object type 'contcts' (did you mean 'contacts'?)" "unknown type" -- objects search --type contcts
check 4 "unknown object type 99999" "unknown type number" -- objects get --type 99999 1
check 5 "unknown field 'emial' for Contact (did you mean 'email'?)" "unknown field" -- objects create emial=a@b.c
check 5 "unknown field 'frstname'" "unknown field on update" -- objects update "$KEEP" frstname=X
check 5 "expected an email address" "bad email" -- objects update "$KEEP" email=not-an-email
check 5 "expected a date" "bad date" -- objects update "$KEEP" birthday=2020-13-45
check 5 "expected one of" "bad drop-down value" -- objects update "$KEEP" status=Maybe
check 5 "read-only" "read-only field" -- objects update "$KEEP" dlm=5
check 5 "unknown field 'emial'" "unknown field in --where" -- objects search --where "emial = 'x'"
check 2 "invalid condition at column" "malformed --where" -- objects search --where "email = "
check 2 "expected AND or OR" "malformed --where join" -- objects search --where "id = 1 id = 2"
check 2 "invalid id 'abc'" "non-numeric id" -- objects get abc
check 2 "invalid id '-5'" "negative id" -- objects get -5
check 2 "invalid id '0'" "zero id" -- objects delete 0
check 2 "invalid id '1.5'" "fractional id" -- objects update 1.5 firstname=X
check 2 "expected name=value" "field without =" -- objects update "$KEEP" firstname
check 2 "invalid value '-3' for --limit" "negative limit" -- objects search --limit -3
check 4 "404" "delete a missing object" -- objects delete 424242
check 4 "404" "get a missing object" -- objects get 424242
check 4 "404" "update a missing object" -- objects update 424242 firstname=X
check 4 "no tag named 'Ghost'" "untag a tag that does not exist" -- objects untag --tag Ghost "$KEEP"
check 2 "--sequence ID or --campaign ID" "subscribe without a list" -- objects subscribe "$KEEP"
check 2 "invalid JSON in --json" "bad --json" -- objects create --json '{"firstname":'
check 2 "must hold a JSON object" "--json not an object" -- objects create --json '[1]'

assert_eq "$(snapshot)" "$before" "the sandbox's data is unchanged"

finish
