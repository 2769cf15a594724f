# A throw-away PostgreSQL cluster for the tests (docs/postgresql.md, "The
# test cluster"). Two ways to use it:
#
#   . tests/integration/pg.sh; pg_start      sourced (after lib.sh): starts one
#       cluster, sets PG_URL (postgresql://ontra:PASSWORD@127.0.0.1:PORT/postgres),
#       PG_PORT, PG_DIR, PG_SOCK, PG_USER, PG_PASSWORD; stops and removes it at exit
#       (before lib.sh's cleanup). pg_sql SQL runs SQL through psql on the socket;
#       pg_down and pg_up stop the server and start it again (same port, same data).
#       pg_standby adds a synchronous streaming standby (PG2_*, PG_URL2 naming both),
#       pg_kill_primary kills the primary with -9, pg_promote promotes the standby.
#       pg_watch NAME URL starts a watch on the queue (a receiver and a worker);
#       pg_start_queue is pg_start with the queue's schema made in PG_URL's database.
#   bash tests/integration/pg.sh start       prints those as NAME=VALUE lines; the
#       cluster runs until `bash tests/integration/pg.sh stop DIR` (the C tests'
#       helper, tests/integration/pgtest.c).
#
# The cluster: Debian's initdb and pg_ctl (the newest of pg_config --bindir and
# /usr/lib/postgresql/*/bin), in a temp dir, listening on 127.0.0.1 at a free
# port and on a unix socket inside the temp dir, no systemd. TCP needs the
# password (scram-sha-256), the socket trusts its local user. As root the
# server runs as the `postgres` system user (runuser), which owns the temp dir:
# the server refuses to run as root. fsync is off (a test cluster is thrown
# away, never crashed and reused; PG_FSYNC=on keeps it). PG_SERVER_FLAGS adds
# server flags ("-c name=value ...").

pg__bindir() {
	local d
	for d in "$(pg_config --bindir 2>/dev/null || true)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { printf '%s\n' "$d"; return 0; }
	done
	echo "pg.sh: no PostgreSQL server binaries (initdb, pg_ctl): install postgresql (scripts/setup.sh)" >&2
	return 1
}

# pg__as CMD...: run as the cluster's owner (postgres when we are root).
pg__as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg__free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# pg__server_start BIN PORT [DIR [FLAGS]]: start the cluster of DIR (default $PG_DIR, its
# socket in DIR/sock) listening on PORT, with more server FLAGS.
pg__server_start() {
	local dir=${3:-$PG_DIR}
	pg__as "$1/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-h 127.0.0.1 -p $2 -k $dir/sock -c fsync=${PG_FSYNC:-off} -c shared_buffers=16MB -c max_connections=60 ${PG_SERVER_FLAGS:-} ${4:-}" \
		start >"$dir/pg_ctl.log" 2>&1
}

# pg_down / pg_up: stop the server of a running cluster (fast: clients are cut off) and
# start it again on the same port, its data kept: a database that goes away and comes back.
pg_down() {
	pg__as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
}
pg_up() {
	pg__server_start "$PG_BIN" "$PG_PORT" || { cat "$PG_DIR/server.log" >&2; echo "pg.sh: the cluster did not start again" >&2; exit 1; }
}

# pg__tempdir: print a new temp dir for a cluster (mode 0700, owned by the server's user, with
# an empty DIR/sock for its socket).
pg__tempdir() {
	local parent=${TMPDIR:-/tmp} dir
	# The socket's path must fit in 107 bytes, and the server's user must reach the dir:
	# else /tmp.
	if [ ${#parent} -gt 60 ] ||
		{ [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$parent"; }; then
		parent=/tmp
	fi
	dir=$(mktemp -d "$parent/ontra-pg.XXXXXX")
	chmod 0700 "$dir"
	if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
	pg__as mkdir -m 0700 "$dir/sock"
	printf '%s\n' "$dir"
}

# pg__listen BIN DIR [FLAGS]: start the cluster of DIR at a free port, printed; another port
# when the probed one was taken meanwhile. Exits the shell when it does not start.
pg__listen() {
	local i port
	for i in 1 2 3 4 5; do
		port=$(pg__free_port)
		if pg__server_start "$1" "$port" "$2" "${3:-}"; then
			printf '%s\n' "$port"
			return 0
		fi
		# Another process took the port between the probe and the bind: try another.
		grep -q 'could not bind\|already in use' "$2/server.log" 2>/dev/null || break
	done
	cat "$2/pg_ctl.log" "$2/server.log" >&2 2>/dev/null || true
	echo "pg.sh: the cluster did not start" >&2
	exit 1
}

# pg_start: start a cluster; sets PG_* (see the top). Exits the shell on failure.
# pg_start_queue: pg_start, then the queue's schema made in PG_URL's database (a check).
pg_start_queue() {
	pg_start
	op queue migrate --queue "$PG_URL"
	assert_rc 0 "migrate"
}

pg_start() {
	local bin
	bin=$(pg__bindir) || exit 1
	PG_DIR=$(pg__tempdir)
	PG_SOCK="$PG_DIR/sock"
	PG_USER=ontra
	PG_PASSWORD="pw-$RANDOM$RANDOM$RANDOM"
	printf '%s\n' "$PG_PASSWORD" | pg__as tee "$PG_DIR/pwfile" >/dev/null
	if ! pg__as "$bin/initdb" -D "$PG_DIR/data" -U "$PG_USER" --pwfile="$PG_DIR/pwfile" \
		--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync \
		>"$PG_DIR/initdb.log" 2>&1; then
		cat "$PG_DIR/initdb.log" >&2
		echo "pg.sh: initdb failed" >&2
		exit 1
	fi
	PG_PORT=$(pg__listen "$bin" "$PG_DIR") || exit 1
	PG_URL="postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
	PG_BIN=$bin
}

# pg__until TEXT SECONDS CMD...: until CMD prints TEXT, for at most SECONDS (scaled by
# ONTRA_TEST_TIME_SCALE). 0 when it did.
pg__until() {
	local want=$1 n=$(($2 * 20 * ${ONTRA_TEST_TIME_SCALE:-1})) i
	shift 2
	for ((i = 0; i < n; i++)); do
		[ "$("$@" 2>/dev/null || true)" = "$want" ] && return 0
		sleep 0.05
	done
	return 1
}

# pg_standby: a synchronous streaming standby of the running cluster (pg_start first): a base
# backup of it (pg_basebackup -R: the standby streams from the primary's socket) in a second
# temp dir, started at another free port as cluster_name ontra_standby; then the primary names
# it in synchronous_standby_names, with synchronous_commit=on, so that a commit on the primary
# returns only once the standby has its WAL. The standby's own settings are the primary's of
# before (no synchronous standby of its own): promoted, it commits alone. Sets PG2_DIR,
# PG2_PORT, PG2_SOCK and PG_URL2, the URL naming both hosts the libpq way:
#   postgresql://ontra:PASSWORD@127.0.0.1:PG_PORT,127.0.0.1:PG2_PORT/postgres?target_session_attrs=read-write
pg_standby() {
	PG2_DIR=$(pg__tempdir)
	PG2_SOCK="$PG2_DIR/sock"
	if ! pg__as "$PG_BIN/pg_basebackup" -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" \
		-D "$PG2_DIR/data" -R -X stream -c fast --no-sync >"$PG2_DIR/basebackup.log" 2>&1; then
		cat "$PG2_DIR/basebackup.log" >&2
		echo "pg.sh: pg_basebackup failed" >&2
		exit 1
	fi
	PG2_PORT=$(pg__listen "$PG_BIN" "$PG2_DIR" "-c cluster_name=ontra_standby") || exit 1
	PG_URL2="postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT,127.0.0.1:$PG2_PORT/postgres?target_session_attrs=read-write"
	pg_sql "ALTER SYSTEM SET synchronous_standby_names = 'ontra_standby'" &&
		pg_sql "ALTER SYSTEM SET synchronous_commit = on" && pg_sql "SELECT pg_reload_conf()" >/dev/null ||
		exit 1
	if ! pg__until sync 30 pg_sql "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'ontra_standby'"; then
		cat "$PG2_DIR/server.log" >&2
		echo "pg.sh: the standby did not become synchronous" >&2
		exit 1
	fi
}

# pg_standby_sql SQL: pg_sql on the standby.
pg_standby_sql() {
	PG_SOCK=$PG2_SOCK PG_PORT=$PG2_PORT pg_sql "$1"
}

# pg_kill_primary: the primary lost at once: its postmaster and every process of it killed
# with -9 (no shutdown, nothing more written), waited for; its shared memory segment removed
# (a postmaster killed so leaves it). Its clients' connections break.
pg_kill_primary() {
	local pm shmid p st
	pm=$(head -1 "$PG_DIR/data/postmaster.pid")
	shmid=$(sed -n '7p' "$PG_DIR/data/postmaster.pid" | awk '{print $2}')
	local pids=("$pm" $(ps -o pid= --ppid "$pm"))
	kill -9 "${pids[@]}" 2>/dev/null || true
	for p in "${pids[@]}"; do # gone, or a zombie (its sockets closed) nobody reaped yet
		while read -r _ _ st _ 2>/dev/null <"/proc/$p/stat" && [ "$st" != Z ]; do sleep 0.02; done
	done
	[ -n "$shmid" ] && ipcrm -m "$shmid" 2>/dev/null || true
	rm -f "$PG_DIR/data/postmaster.pid"
}

# pg_promote: promote the standby (pg_ctl promote), and wait until it takes writes.
pg_promote() {
	pg__as "$PG_BIN/pg_ctl" -D "$PG2_DIR/data" -w -t 60 promote >"$PG2_DIR/promote.log" 2>&1 &&
		pg__until f 30 pg_standby_sql "SELECT pg_is_in_recovery()" || {
		cat "$PG2_DIR/promote.log" >&2
		echo "pg.sh: the standby was not promoted" >&2
		exit 1
	}
}

# pg_stop [DIR]: stop the cluster (immediately: nothing in it is kept) and remove its dir.
pg_stop() {
	local dir=${1:-${PG_DIR:-}} bin
	if [ $# -eq 0 ] && [ -n "${PG2_DIR:-}" ]; then # the standby too (pg_standby)
		pg_stop "$PG2_DIR"
		PG2_DIR=""
	fi
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	bin=$(pg__bindir) || return 0
	if [ -f "$dir/data/postmaster.pid" ]; then
		pg__as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	[ "$dir" = "${PG_DIR:-}" ] && PG_DIR=""
	return 0
}

# pg_sql SQL: run SQL as the cluster's superuser over the unix socket; output unaligned, tuples only.
pg_sql() {
	"${PG_BIN:-$(pg__bindir)}/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" \
		-U "$PG_USER" -d postgres -c "$1"
}

# pg_watch NAME URL: (sourced, after lib.sh) an `ontraport watch` on the queue at URL, a
# receiver and a worker: no subscription, the token of $TMP/token, --lease 2s (scaled), its
# spool $TMP/spool.NAME, delivering to "$HANDLER NAME"; its notes in $TMP/NAME.err. Once it
# listens, sets PID_NAME and URL_NAME (its webhook URL). Exits the shell when it dies.
pg_watch() {
	local name=$1 scale=${ONTRA_TEST_TIME_SCALE:-1} i
	"$OP" watch --queue "$2" --no-subscribe --token-file "$TMP/token" --lease "$((2 * scale))s" \
		--spool "$TMP/spool.$name" --exec "$HANDLER $name" >>"$TMP/$name.out" 2>>"$TMP/$name.err" &
	PIDS+=("$!")
	printf -v "PID_$name" '%s' "$!"
	for i in $(seq 1 $((300 * scale))); do
		grep -q 'listening on ' "$TMP/$name.err" 2>/dev/null && break
		kill -0 "$!" 2>/dev/null || { cat "$TMP/$name.err" >&2; echo "watch $name died" >&2; exit 1; }
		sleep 0.05
	done
	printf -v "URL_$name" '%s' "$(sed -n 's/^ontraport watch: listening on //p' "$TMP/$name.err")"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	case "${1:-}" in
	start)
		pg_start
		printf 'PG_DIR=%s\nPG_PORT=%s\nPG_SOCK=%s\nPG_USER=%s\nPG_PASSWORD=%s\nPG_URL=%s\n' \
			"$PG_DIR" "$PG_PORT" "$PG_SOCK" "$PG_USER" "$PG_PASSWORD" "$PG_URL"
		;;
	stop)
		pg_stop "${2:?usage: pg.sh stop DIR}"
		;;
	*)
		echo "usage: pg.sh start | stop DIR" >&2
		exit 2
		;;
	esac
else
	# Sourced: stop the cluster at exit, then run lib.sh's cleanup (if any).
	if declare -F cleanup >/dev/null; then
		trap 'pg_stop; cleanup' EXIT
	else
		trap 'pg_stop' EXIT
	fi
fi
