#!/usr/bin/env bash
# The account's metadata cached on disk per connection (issue 17 §4): under
# $XDG_CACHE_HOME/ontraport (else ~/.cache/ontraport), the folder 0700 and the
# file 0600, named without the key; used for ONTRAPORT_CACHE_TTL seconds
# (default 3600; 0 = no cache); --refresh fetches afresh. So `objects get` of a
# custom object costs one request on the second run, not two. A corrupt file is
# ignored and rewritten; a type added since (outside the tool) is still found.
. "$(dirname "$0")/lib.sh"
start_sandbox --rate-limit 100000/60s

count() {
	local before
	before=$(requests_seen)
	op "$@"
	N=$(($(requests_seen) - before))
}

control POST object-types -H 'Content-Type: application/json' \
	-d '{"name": "Property", "fields": {"address": {"alias": "Address", "type": "text"}}}' >/dev/null
CACHE="$HOME/.cache/ontraport"

count objects create --type Property address='1 Main St' -o json
assert_rc 0 "create a Property"
assert_eq "$N" 2 "the first run: the metadata, then the POST"
ID=$(printf '%s' "$OUT" | jq -r .id)

count objects get --type Property "$ID" -o json
assert_rc 0 "objects get"
assert_jq "$OUT" .address "1 Main St"
assert_eq "$N" 1 "the second run: the record only"

# The files: one, private, named by a hash (no key, app id or address in the name or text).
assert_eq "$(stat -c %a "$CACHE")" 700 "the cache folder's mode"
FILES=$(ls "$CACHE")
assert_eq "$(printf '%s\n' "$FILES" | wc -l)" 1 "cache files"
F="$CACHE/$FILES"
assert_eq "$(stat -c %a "$F")" 600 "the cache file's mode"
assert_not_contains "$FILES" "$ONTRAPORT_APP_ID" "the file name"
assert_not_contains "$FILES" "127.0.0.1" "the file name"
assert_not_contains "$(cat "$F")" "$ONTRAPORT_API_KEY" "the cache file"
assert_jq "$(cat "$F")" '.meta["0"].name' Contact

count --refresh objects get --type Property "$ID" -o json
assert_rc 0 "--refresh"
assert_eq "$N" 2 "--refresh: the metadata again, then the record"

# A corrupt file is not trusted: fetched again (2), and rewritten (then 1).
printf '{"format": "ontraport-meta/1", "meta": ' >"$F"
count objects get --type Property "$ID" -o json
assert_rc 0 "a corrupt cache file"
assert_eq "$N" 2 "a corrupt cache file is ignored"
count -v objects get --type Property "$ID" -o json
assert_eq "$N" 1 "and rewritten"
assert_contains "$ERR" "* metadata from the cache $F" "-v says where the metadata came from"

# A type added since, outside the tool: the cached copy lacks it, so it is fetched again.
control POST object-types -H 'Content-Type: application/json' \
	-d '{"name": "Dog", "fields": {"breed": {"alias": "Breed", "type": "text"}}}' >/dev/null
count fields --type Dog -o json
assert_rc 0 "a type added since the cache was written"
assert_eq "$N" 1 "fetched once"
assert_contains "$OUT" breed

# Expired: a copy older than the TTL is fetched again.
sleep 2
count objects get --type Property "$ID" -o json
assert_eq "$N" 1 "fresh enough for an hour"
ONTRAPORT_CACHE_TTL=1 count objects get --type Property "$ID" -o json
assert_rc 0 "ONTRAPORT_CACHE_TTL=1"
assert_eq "$N" 2 "older than ONTRAPORT_CACHE_TTL: fetched again"

# ONTRAPORT_CACHE_TTL=0: no cache at all (read or written); bad values are usage errors.
rm -rf "$CACHE"
ONTRAPORT_CACHE_TTL=0 count objects get --type Property "$ID" -o json
assert_eq "$N" 2 "ONTRAPORT_CACHE_TTL=0"
assert_eq "$(ls -A "$HOME/.cache" 2>/dev/null)" "" "nothing written with ONTRAPORT_CACHE_TTL=0"
ONTRAPORT_CACHE_TTL=soon op objects get --type Property "$ID"
assert_rc 2 "ONTRAPORT_CACHE_TTL=soon"
assert_contains "$ERR" "invalid ONTRAPORT_CACHE_TTL 'soon'"

# XDG_CACHE_HOME is honoured.
XDG_CACHE_HOME="$TMP/xdgcache" op objects get --type Property "$ID" -o json
assert_rc 0 "with XDG_CACHE_HOME"
assert_eq "$(ls "$TMP/xdgcache/ontraport" | wc -l)" 1 "a file under XDG_CACHE_HOME/ontraport"

finish
