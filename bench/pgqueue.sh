#!/usr/bin/env bash
# The queue on PostgreSQL side by side with the SQLite queue, in the same run
# (issue 15 §9). A throw-away cluster (tests/integration/pg.sh) with fsync on
# (PG_FSYNC=on) and the server's default synchronous_commit (on): a commit is
# flushed to disk before the receiver's 200, as SQLite's synchronous=FULL is.
#
#   Ingest: `ontraport watch --no-subscribe` with --db FILE, then with --queue
#   (a fresh database each run), loaded by wrk with 64 connections posting the
#   sub_tag webhook body; events/s acknowledged, p50 and p99. After each run
#   the queue is counted: every acknowledged event must be in it. Then the
#   same at the target's rate: each sender waits PACE_MS (9) between its
#   requests, about 5,500 events/s in all: the latency a sender sees at that
#   load (flat out, p99 is mostly the time a request waits its turn).
#
#   Claim plus delivery: a backlog of N events over KEYS webhook keys (one
#   --name each: one key's events are delivered one at a time, in order),
#   delivered to the standard output handler (a file) by 1, 2 and 4 watch
#   processes on the shared PostgreSQL queue (one on the SQLite file, its only
#   owner); events/s from the workers' start until no event is pending.
#
# The server is measured as one that has been running: min_wal_size 2GB and
# WAL_AHEAD (96) segments made and recycled before the runs, so commits reuse
# segments, as a server's do once its checkpoints recycle them (QUICK: 24). A fresh
# cluster makes each 16 MB segment as it goes, zero-filled and flushed while
# commits wait (here 25 to 50 ms of stalled commits every ~1.3 s at 5,500
# events/s: docs/BENCHMARKS.md §8 has such a run); WAL_AHEAD=0 measures that.
#
# Environment: as lib.sh, plus SECS (ingest seconds), N (backlog), KEYS, WAL_AHEAD.
# Targets (issue 15 §9): ingest ≥ 5,000 events/s with p99 ≤ 20 ms at 64
# senders (the rate flat out, the p99 at the paced rate, which must be at
# least 5,000 events/s too); claim plus delivery ≥ 5,000 events/s.
. "$(dirname "$0")/lib.sh"
. "$BENCH_ROOT/tests/integration/pg.sh"
trap 'pg_stop; bench_cleanup' EXIT

secs=${SECS:-$([ "$QUICK" = 1 ] && echo 1 || echo 5)}
backlog=${N:-$([ "$QUICK" = 1 ] && echo 600 || echo 4000)}
keys=${KEYS:-$([ "$QUICK" = 1 ] && echo 4 || echo 8)}
senders=64
pace_ms=${PACE_MS:-9}
workers_list="1 2 4"

wal_ahead=${WAL_AHEAD:-$([ "$QUICK" = 1 ] && echo 24 || echo 96)}
PG_FSYNC=on PG_SERVER_FLAGS="-c min_wal_size=2GB -c max_wal_size=4GB" pg_start
PSQL=("$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER")
pg_settings=$(pg_sql "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings
	WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers', 'commit_delay',
		'min_wal_size', 'max_wal_size', 'wal_init_zero')")
log "pgqueue: PostgreSQL $(pg_sql 'SHOW server_version'): $pg_settings"
# WAL segments made ahead: each switch after a record begins a new one; the checkpoint recycles
# them all (min_wal_size keeps them) as the segments the runs will write.
if [ "$wal_ahead" -gt 0 ]; then
	pg_sql "DO \$\$ BEGIN FOR i IN 1..$wal_ahead LOOP
		PERFORM pg_logical_emit_message(false, 'ontraport-bench', 'warm'); PERFORM pg_switch_wal();
		END LOOP; END \$\$" >/dev/null
	pg_sql "CHECKPOINT" >/dev/null
fi
wal_segments=$(pg_sql "SELECT count(*) FROM pg_ls_waldir()")
log "pgqueue: $wal_segments WAL segments ready"

cat >"$WORK/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "webhook_id=3&object_type_id=0&event%5Btype%5D=sub_tag&event%5Btag_id%5D=4&data%5Bid%5D=8&data%5Bfirstname%5D=Mary&data%5Blastname%5D=Smith&data%5Bemail%5D=mary%40ontraport.com&timestamp=1514940140"
EOF
{
	cat "$WORK/post.lua"
	echo "function delay() return $pace_ms end"
} >"$WORK/paced.lua"

# fresh_db: a new database with the queue's schema; sets DB (its name) and
# exports ONTRAPORT_QUEUE (the URL, kept out of the process listing).
ndb=0
fresh_db() {
	ndb=$((ndb + 1))
	DB=bench$ndb
	pg_sql "CREATE DATABASE $DB" >/dev/null
	export ONTRAPORT_QUEUE="${PG_URL%/postgres}/$DB"
	"$OP" queue migrate >/dev/null 2>"$WORK/migrate.err" ||
		bench_die "queue migrate failed: $(cat "$WORK/migrate.err")"
}
pg_count() { "${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM ontraport_events $1"; }
sq_count() {
	python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM rcv_events " + sys.argv[2]).fetchone()[0])' "$WORK/events.db" "$1"
}
# count BACKEND [WHERE...]: events in the queue of the run.
count() { if [ "$1" = pg ]; then pg_count "${2:-}"; else sq_count "${2:-}"; fi; }

# watch_start BACKEND TAG [ARGS...]: a watch on the run's queue; sets W_PID, W_URL.
watch_start() {
	local be=$1 tag=$2
	shift 2
	local q=(--db "$WORK/events.db")
	[ "$be" = pg ] && q=(--spool "$WORK/spool-$tag.db")
	rm -f "$WORK/$tag.err"
	"$OP" watch --no-subscribe "${q[@]}" "$@" >"$WORK/$tag.out" 2>"$WORK/$tag.err" &
	W_PID=$!
	BENCH_PIDS+=("$W_PID")
	wait_ready "$W_PID" "$WORK/$tag.err" 'listening on' "$tag"
	W_URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$WORK/$tag.err")
}
watch_stop() {
	kill -TERM "$1"
	wait "$1" || bench_die "watch exited with status $?: $(tail -3 "$WORK/$2.err")"
}
fresh_queue() {
	rm -f "$WORK"/events.db* "$WORK"/spool-*
	[ "$1" = sqlite ] || fresh_db
}

# ---- ingest: 64 senders, each backend, flat out and paced ----
# ingest BACKEND SCRIPT: REPEAT runs; sets eps, p50, p99 (a value per run).
ingest() {
	local be=$1 script=$2 i stored
	eps=() p50=() p99=()
	for i in $(seq "$REPEAT"); do
		fresh_queue "$be"
		watch_start "$be" ingest
		wrk_run "$be ingest" -t2 -c$senders -d"${secs}s" -s "$script" "$W_URL"
		watch_stop "$W_PID" ingest
		stored=$(count "$be")
		[ "$stored" -ge "$wrk_total" ] || bench_die "$be: $wrk_total events acknowledged but $stored in the queue"
		eps+=("$wrk_rps") p50+=("$wrk_p50") p99+=("$wrk_p99")
	done
}
declare -A EPS P50 P99
for be in sqlite pg; do
	for mode in "" paced; do
		ingest "$be" "$WORK/${mode:-post}.lua"
		EPS[$be$mode]=$(stats "${eps[@]}") P50[$be$mode]=$(stats "${p50[@]}") P99[$be$mode]=$(stats "${p99[@]}")
		log "pgqueue: $be ingest${mode:+ ($mode)}: $(fmt_spread "${EPS[$be$mode]}" %s) events/s, p50 $(median "${p50[@]}") ms, p99 $(median "${p99[@]}") ms"
	done
done

# ---- claim plus delivery ----
# make_backlog BACKEND: about $backlog events over $keys keys, all pending. Each
# key's receiver hands its events to a handler that cannot be reached, with one
# attempt: they are dead at once (or still pending); `events replay --dead`
# makes them pending again.
make_backlog() {
	local be=$1 k per=$((backlog / keys)) n db=()
	[ "$be" = sqlite ] && db=(--db "$WORK/events.db")
	fresh_queue "$be"
	for k in $(seq "$keys"); do
		watch_start "$be" fill --name "key$k" --forward-to http://127.0.0.1:9/ --max-attempts 1
		# wrk runs for a time, not a count: post in short rounds until this key has its share
		while [ "$(count "$be" "WHERE webhook_key = 'key$k'")" -lt "$per" ]; do
			wrk_run "$be backlog" -t1 -c2 -d1s -s "$WORK/post.lua" "$W_URL"
		done
		watch_stop "$W_PID" fill
	done
	"$OP" events replay --dead "${db[@]}" >/dev/null 2>"$WORK/replay.err" ||
		bench_die "events replay failed: $(cat "$WORK/replay.err")"
	n=$(count "$be" "WHERE status = 'pending'")
	[ "$n" = "$(count "$be")" ] || bench_die "$be: the backlog is not all pending ($n of $(count "$be"))"
	BACKLOG=$n
}

# deliver BACKEND WORKERS: sets d_eps, events/s until the queue has none pending.
deliver() {
	local be=$1 w=$2 i pids=() t0 t1 got
	make_backlog "$be"
	t0=$(date +%s.%N)
	for i in $(seq "$w"); do
		watch_start "$be" "worker$i" --name "worker$i"
		pids+=("$W_PID")
	done
	while [ "$(count "$be" "WHERE status <> 'done'")" -gt 0 ]; do
		for i in "${pids[@]}"; do kill -0 "$i" 2>/dev/null || bench_die "a $be worker died: $(cat "$WORK"/worker*.err)"; done
		sleep 0.1
	done
	t1=$(date +%s.%N)
	for i in $(seq "$w"); do watch_stop "${pids[$((i - 1))]}" "worker$i"; done
	got=$(cat "$WORK"/worker*.out | wc -l)
	[ "$got" -ge "$BACKLOG" ] || bench_die "$be: $BACKLOG events in the backlog but $got delivered"
	rm -f "$WORK"/worker*.out
	d_eps=$(awk -v n="$BACKLOG" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
	log "pgqueue: $be delivery, $w worker(s): $BACKLOG events, $d_eps events/s"
}

declare -A DEL
for w in $workers_list; do
	for be in sqlite pg; do
		# the SQLite file has one owner: one worker
		[ "$be" = sqlite ] && [ "$w" != 1 ] && continue
		v=()
		for i in $(seq "$REPEAT"); do
			deliver "$be" "$w"
			v+=("$d_eps")
		done
		DEL[$be$w]=$(stats "${v[@]}")
	done
done

# ---- the report ----
m() { cut -d'|' -f1 <<<"$1"; }
ms() { printf '%.2f ms' "$(m "$1")"; }
ing_pg=$(m "${EPS[pg]}") paced_pg=$(m "${EPS[pgpaced]}") p99_pg=$(m "${P99[pgpaced]}")
del_best=0
for w in $workers_list; do
	v=$(m "${DEL[pg$w]}")
	del_best=$(awk -v a="$del_best" -v b="$v" 'BEGIN { print (b > a) ? b : a }')
done
ing_verdict=$(awk -v e="$ing_pg" -v r="$paced_pg" -v p="$p99_pg" 'BEGIN { print (e >= 5000 && r >= 5000 && p <= 20) ? "met" : "NOT met" }')
del_verdict=$(awk -v e="$del_best" 'BEGIN { print (e >= 5000) ? "met" : "NOT met" }')
cat <<EOF
## 8. The queue on PostgreSQL, side by side with SQLite

\`bench/pgqueue.sh\` (issue 15 §9). PostgreSQL $(pg_sql 'SHOW server_version'), a throw-away cluster on
this machine (tests/integration/pg.sh, \`PG_FSYNC=on\`): $pg_settings. With fsync and
\`synchronous_commit\` on, an event's commit is flushed to disk before its 200, as SQLite's
\`synchronous=FULL\` does. The receiver reaches the server over TCP on loopback. The server is
measured as one that has been running: $wal_segments WAL segments made and recycled before the runs
(\`WAL_AHEAD=$wal_ahead\`), so that commits reuse segments instead of waiting while a new one is
zero-filled and flushed, as on a fresh cluster (\`WAL_AHEAD=0\`).

**Ingest**: \`ontraport watch --no-subscribe\` with \`--db FILE\` and with \`--queue\` (a fresh queue
each run), loaded by \`wrk\` with $senders connections for $secs s posting the 196-byte \`sub_tag\` form body,
every event delivered to the standard output handler meanwhile; $REPEAT run(s) each, flat out (each sender
sends its next request when the last is answered) and paced (each sender waits $pace_ms ms between its
requests: about the target's rate; flat out, a request's latency is mostly its wait for its turn).
After each run the queue held every event acknowledged.

| backend | senders | load | durable events/s | p50 | p99 (of the runs' p99s) | ratio to SQLite (events/s) |
| --- | ---: | --- | ---: | ---: | ---: | ---: |
$(for be in sqlite pg; do
	for mode in "" paced; do
		printf '| %s | %s | %s | %s | %s | %s ms | %s |\n' "$([ "$be" = pg ] && echo PostgreSQL || echo SQLite)" \
			"$senders" "${mode:-flat out}" "$(spread_int "${EPS[$be$mode]}")" "$(ms "${P50[$be$mode]}")" \
			"$(fmt_spread "${P99[$be$mode]}" %.2f)" "$(ratio "$(m "${EPS[$be$mode]}")" "$(m "${EPS[sqlite$mode]}")")"
	done
done)

**Claim plus delivery**: a backlog of about $backlog events over $keys webhook keys (one \`--name\` each;
a key's events go one at a time, in order, whatever the number of workers), all pending, delivered to
the standard output handler by 1, 2 and 4 \`watch\` processes sharing the PostgreSQL queue, and by the
one process that owns the SQLite file. Events/s from the workers' start (their start-up included) until
none is pending; $REPEAT run(s) each.

| backend | workers | events/s | ratio to SQLite (1 worker) |
| --- | ---: | ---: | ---: |
| SQLite | 1 | $(spread_int "${DEL[sqlite1]}") | 1.00 |
$(for w in $workers_list; do
	printf '| PostgreSQL | %s | %s | %s |\n' "$w" "$(spread_int "${DEL[pg$w]}")" "$(ratio "$(m "${DEL[pg$w]}")" "$(m "${DEL[sqlite1]}")")"
done)

Targets (issue 15 §9): ingest ≥ 5,000 events/s with p99 ≤ 20 ms at $senders senders (flat out
$(thousands "$ing_pg")/s; paced $(thousands "$paced_pg")/s with p99 $(printf '%.2f' "$p99_pg") ms): **$ing_verdict**;
claim plus delivery ≥ 5,000 events/s (best of 1 to 4 workers): **$del_verdict**.
EOF

summary "8. PostgreSQL queue ingest, $senders senders" "$(thousands "$ing_pg") durable events/s; p99 $(printf '%.2f' "$p99_pg") ms at $(thousands "$paced_pg")/s" \
	"target ≥ 5,000/s, p99 ≤ 20 ms; SQLite $(thousands "$(m "${EPS[sqlite]}")")/s" "$ing_verdict"
summary "8. PostgreSQL queue claim + delivery" "$(thousands "$del_best") events/s (best of 1–4 workers)" \
	"target ≥ 5,000/s; SQLite $(thousands "$(m "${DEL[sqlite1]}")")/s" "$del_verdict"
