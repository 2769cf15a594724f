#!/usr/bin/env bash
# Connections changed by parallel processes: each change is a locked
# read-modify-write of the config file, so twelve parallel adds leave twelve
# connections (not the last few writers' view) and twelve parallel removes
# leave none.
. "$(dirname "$0")/lib.sh"
N=12

# wait_all WHAT: each background command in $pids exits 0 (its stderr in $TMP/WHAT<n>.err).
wait_all() {
	local i
	for i in "${!pids[@]}"; do
		RC=0
		wait "${pids[$i]}" || RC=$?
		ERR=$(cat "$TMP/$1$((i + 1)).err") OUT=""
		assert_rc 0 "parallel $1 #$((i + 1))"
	done
}

pids=()
for i in $(seq 1 $N); do
	ONTRAPORT_API_KEY="key-$i" "$OP" connection add "c$i" --app-id "2_AppID_$i" --no-verify \
		--base-url http://127.0.0.1:9/1 --quiet >/dev/null 2>"$TMP/add$i.err" &
	pids+=($!)
done
wait_all add
op connection list -o json
assert_rc 0 "list"
assert_jq "$OUT" 'length' $N
assert_jq "$OUT" '[.[].name] | sort | join(",")' "$(seq 1 $N | sed 's/^/c/' | sort | paste -sd,)"
assert_jq "$OUT" '[.[] | select(.default)] | length' 1
# Each kept its own values.
assert_jq "$OUT" '[.[] | select(.app_id == "2_AppID_" + (.name | ltrimstr("c")))] | length' $N
assert_eq "$(stat -c %a "$XDG_CONFIG_HOME/ontraport/config.json")" 600 "config mode"
assert_eq "$(stat -c %a "$XDG_CONFIG_HOME/ontraport/config.json.lock")" 600 "lock file mode"
CHECKS=$((CHECKS + 1))
ls "$XDG_CONFIG_HOME/ontraport" | grep -q '\.tmp\.' && fail "temporary files left behind"

pids=()
for i in $(seq 1 $N); do
	"$OP" connection remove "c$i" --quiet >/dev/null 2>"$TMP/remove$i.err" &
	pids+=($!)
done
wait_all remove
op connection list -o json
assert_jq "$OUT" 'length' 0

finish
