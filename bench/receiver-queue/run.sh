#!/usr/bin/env bash
# Receiver benchmark: durable events/s and acknowledgement percentiles with
# 1, 8 and 64 concurrent senders on loopback. Not a test; see RESULTS.md.
#
#   bench/receiver-queue/run.sh            # builds a Release tree in build-bench/
#   BUILD_DIR=build-rel SECONDS_PER_RUN=20 bench/receiver-queue/run.sh
#
# Each level gets a fresh receiver and database (on the disk under $BENCH_DIR,
# default bench/out/, so the flush goes to a real disk, not tmpfs). Two load
# generators: bench_receiver's own (threads with kept-alive libcurl handles)
# and wrk (if installed; event-driven, so it costs the two cores less).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
out=${BENCH_DIR:-$root/bench/out}
secs=${SECONDS_PER_RUN:-10}
levels=${LEVELS:-"1 8 64"}

if [ ! -f "$build/libontra_receiver.a" ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	cmake --build "$build" -j2 --target ontra_receiver >/dev/null
fi
mkdir -p "$out"
bin="$out/bench_receiver"
# shellcheck disable=SC2046
cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra \
	-I"$root/src/receiver" -I"$root/src/receiver/include" -I"$root/src/util/include" "$here/bench_receiver.c" \
	"$build/libontra_receiver.a" "$build/libontra_util.a" \
	$(pkg-config --libs libmicrohttpd sqlite3 jansson libcurl) -lpthread -o "$bin"

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# disk under $out: $(df -h "$out" | awk 'NR==2 {print $1, $2}') ($(findmnt -no FSTYPE -T "$out" 2>/dev/null || echo '?'))"
echo "# $secs s per run after 1 s warm-up; load average $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the figures)"
echo "# flush latency before: $("$bin" fsync --dir "$out")"

start_server() {
	rm -f "$out/bench.db" "$out/bench.db-wal" "$out/bench.db-shm"
	"$bin" serve --db "$out/bench.db" >"$out/url" 2>"$out/serve.log" &
	server=$!
	for _ in $(seq 100); do [ -s "$out/url" ] && break; sleep 0.05; done
	url=$(cat "$out/url")
}

stop_server() {
	kill -TERM "$server"
	wait "$server" || true
	sed 's/^/  /' "$out/serve.log"
}

for c in $levels; do
	start_server
	echo "== curl senders: $c"
	"$bin" send --url "$url" --concurrency "$c" --seconds "$secs" --warmup 1 || true
	stop_server
done

if command -v wrk >/dev/null; then
	cat >"$out/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "webhook_id=3&object_type_id=0&event%5Btype%5D=sub_tag&event%5Btag_id%5D=4&data%5Bid%5D=8&data%5Bfirstname%5D=Mary&data%5Blastname%5D=Smith&data%5Bemail%5D=mary%40ontraport.com&timestamp=1514940140"
EOF
	for c in $levels; do
		t=$((c < 2 ? 1 : 2))
		start_server
		echo "== wrk connections: $c (threads $t)"
		wrk -t"$t" -c"$c" -d"${secs}s" --latency -s "$out/post.lua" "$url" |
			grep -E 'Requests/sec|Latency  |50%|90%|99%|Non-2xx|Socket errors' | sed 's/^/  /'
		stop_server
	done
fi
echo "# flush latency after:  $("$bin" fsync --dir "$out"); load average $(cut -d' ' -f1-3 /proc/loadavg)"
