#!/usr/bin/env bash
# Receiver ingest: durable events per second and acknowledgement latency of
# `ontraport watch --no-subscribe` (the real command: the receiver, its SQLite
# queue with a flush per commit, and delivery of every event to its handler,
# here standard output to a file) with 1, 8 and 64 concurrent senders (wrk
# connections) posting Ontraport's form-encoded webhook body. After each run
# the queue is counted: every acknowledged event must be in it. Also the
# receiver's peak RSS. Target (issue 5): 10,000 events/s, p99 under 20 ms.
. "$(dirname "$0")/lib.sh"

levels=${LEVELS:-"1 8 64"}
secs=${SECS:-$([ "$QUICK" = 1 ] && echo 1 || echo 5)}
cat >"$WORK/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "webhook_id=3&object_type_id=0&event%5Btype%5D=sub_tag&event%5Btag_id%5D=4&data%5Bid%5D=8&data%5Bfirstname%5D=Mary&data%5Blastname%5D=Smith&data%5Bemail%5D=mary%40ontraport.com&timestamp=1514940140"
EOF
count_events() {
	python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM rcv_events").fetchone()[0])' "$1"
}

declare -A EPS P50 P99 RSS
for c in $levels; do
	eps=() p50=() p99=() rss=()
	for i in $(seq "$REPEAT"); do
		db=$WORK/events.db
		rm -f "$db" "$db"-* "$WORK/watch.err"
		"$OP" watch --no-subscribe --db "$db" >"$WORK/delivered" 2>"$WORK/watch.err" &
		pid=$!
		BENCH_PIDS+=("$pid")
		wait_ready "$pid" "$WORK/watch.err" 'listening on' watch
		url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$WORK/watch.err")
		wrk_run "receiver at $c senders" -t$((c < 2 ? 1 : 2)) -c"$c" -d"${secs}s" -s "$WORK/post.lua" "$url"
		rss+=("$(peak_rss_kb "$pid")")
		kill -TERM "$pid"
		wait "$pid" || bench_die "watch exited with status $?: $(tail -3 "$WORK/watch.err")"
		stored=$(count_events "$db")
		# wrk counts the answers it read; a request in flight at the end may be stored unanswered
		[ "$stored" -ge "$wrk_total" ] || bench_die "$wrk_total events acknowledged but $stored in the queue"
		eps+=("$wrk_rps") p50+=("$wrk_p50") p99+=("$wrk_p99")
	done
	EPS[$c]=$(stats "${eps[@]}")
	P50[$c]=$(stats "${p50[@]}")
	P99[$c]=$(stats "${p99[@]}")
	RSS[$c]=$(median "${rss[@]}")
	log "receiver: $c senders: $(fmt_spread "${EPS[$c]}" %s) events/s, p50 $(median "${p50[@]}") ms, p99 $(median "${p99[@]}") ms, $(mb "${RSS[$c]}")"
done

flush=$(python3 - "$WORK" <<'EOF'
import os, sys, time
p = os.path.join(sys.argv[1], "flush")
fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o600)
ts = []
for i in range(200):
    os.pwrite(fd, b"x" * 4096, 0)
    t = time.perf_counter(); os.fdatasync(fd); ts.append(time.perf_counter() - t)
os.close(fd); os.unlink(p)
ts.sort()
print("%.2f ms median, %.2f ms p99" % (ts[len(ts) // 2] * 1000, ts[int(len(ts) * 0.99)] * 1000))
EOF
)

top=${levels##* }
eps_top=$(cut -d'|' -f1 <<<"${EPS[$top]}")
p99_top=$(cut -d'|' -f1 <<<"${P99[$top]}")
verdict=$(awk -v e="$eps_top" -v p="$p99_top" 'BEGIN { print (e >= 10000 && p < 20) ? "met" : "NOT met" }')
cat <<EOF
## 4. Receiver ingest

\`bench/receiver.sh\`: \`ontraport watch --no-subscribe\` (receiver, SQLite queue with WAL and
\`synchronous=FULL\`: the 200 goes out only after the event's commit is flushed to disk, and every event
delivered to the stdout handler meanwhile), loaded by \`wrk\` for ${secs} s with 1, 8 and 64 connections, each
posting the 196-byte form body of Ontraport's \`sub_tag\` webhook; $REPEAT run(s) per level, a fresh queue each.
After each run the queue was counted: it held every event acknowledged. Flush latency of this disk
(4 KiB write + fdatasync): $flush.

| concurrent senders | durable events/s | p50 acknowledgement | p99 acknowledgement | receiver peak RSS |
| ---: | ---: | ---: | ---: | ---: |
$(for c in $levels; do
	printf '| %s | %s | %s ms | %s ms | %s |\n' "$c" "$(spread_int "${EPS[$c]}")" \
		"$(printf '%.2f' "$(cut -d'|' -f1 <<<"${P50[$c]}")")" "$(printf '%.2f' "$(cut -d'|' -f1 <<<"${P99[$c]}")")" "$(mb "${RSS[$c]}")"
done)

Target (issue 5: 10,000 durable events/s with p99 under 20 ms, with $top senders): **$verdict**.

What limits it: the disk flush. One sender waits for its own flush each time, so its rate is about one
event per flush. With more senders the committer thread groups every event that arrived during the last
flush into the next transaction (group commit), so the rate grows with concurrency until CPU (HTTP
parsing, form decoding, SQLite inserts, and the handler's delivery) on the two shared cores takes over.
Memory stays small and flat: the queue is on disk and the HTTP buffers are bounded per connection.
EOF

summary "4. receiver, $top senders" "$(thousands "$eps_top") durable events/s, p99 $(printf '%.2f' "$p99_top") ms" \
	"target ≥ 10,000/s, p99 < 20 ms; 1 sender: $(printf '%.0f' "$(cut -d'|' -f1 <<<"${EPS[${levels%% *}]}")")/s" "$verdict"
