# A throw-away PostgreSQL cluster for the tests (docs/postgresql.md, "The
# test cluster"). Two ways to use it:
#
#   . tests/integration/pg.sh; pg_start      sourced (after lib.sh): starts one
#       cluster, sets PG_URL (postgresql://ontra:PASSWORD@127.0.0.1:PORT/postgres),
#       PG_PORT, PG_DIR, PG_SOCK, PG_USER, PG_PASSWORD; stops and removes it at exit
#       (before lib.sh's cleanup). pg_sql SQL runs SQL through psql on the socket;
#       pg_down and pg_up stop the server and start it again (same port, same data).
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
# away, never crashed and reused; PG_FSYNC=on keeps it).

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

# pg_start: start a cluster; sets PG_* (see the top). Exits the shell on failure.
# pg__server_start BIN PORT: start the cluster of $PG_DIR listening on PORT.
pg__server_start() {
	pg__as "$1/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-h 127.0.0.1 -p $2 -k $PG_SOCK -c fsync=${PG_FSYNC:-off} -c shared_buffers=16MB -c max_connections=60" \
		start >"$PG_DIR/pg_ctl.log" 2>&1
}

# pg_down / pg_up: stop the server of a running cluster (fast: clients are cut off) and
# start it again on the same port, its data kept: a database that goes away and comes back.
pg_down() {
	pg__as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
}
pg_up() {
	pg__server_start "$PG_BIN" "$PG_PORT" || { cat "$PG_DIR/server.log" >&2; echo "pg.sh: the cluster did not start again" >&2; exit 1; }
}

pg_start() {
	local bin i port
	bin=$(pg__bindir) || exit 1
	local parent=${TMPDIR:-/tmp}
	# The socket's path must fit in 107 bytes, and the server's user must reach the dir:
	# else /tmp.
	if [ ${#parent} -gt 60 ] ||
		{ [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$parent"; }; then
		parent=/tmp
	fi
	PG_DIR=$(mktemp -d "$parent/ontra-pg.XXXXXX")
	chmod 0700 "$PG_DIR"
	if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PG_DIR"; fi
	PG_SOCK="$PG_DIR/sock"
	PG_USER=ontra
	PG_PASSWORD="pw-$RANDOM$RANDOM$RANDOM"
	pg__as mkdir -m 0700 "$PG_SOCK"
	printf '%s\n' "$PG_PASSWORD" | pg__as tee "$PG_DIR/pwfile" >/dev/null
	if ! pg__as "$bin/initdb" -D "$PG_DIR/data" -U "$PG_USER" --pwfile="$PG_DIR/pwfile" \
		--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync \
		>"$PG_DIR/initdb.log" 2>&1; then
		cat "$PG_DIR/initdb.log" >&2
		echo "pg.sh: initdb failed" >&2
		exit 1
	fi
	for i in 1 2 3 4 5; do
		port=$(pg__free_port)
		if pg__server_start "$bin" "$port"; then
			PG_PORT=$port
			PG_URL="postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
			PG_BIN=$bin
			return 0
		fi
		# Another process took the port between the probe and the bind: try another.
		grep -q 'could not bind\|already in use' "$PG_DIR/server.log" 2>/dev/null || break
	done
	cat "$PG_DIR/pg_ctl.log" "$PG_DIR/server.log" >&2 2>/dev/null || true
	echo "pg.sh: the cluster did not start" >&2
	exit 1
}

# pg_stop [DIR]: stop the cluster (immediately: nothing in it is kept) and remove its dir.
pg_stop() {
	local dir=${1:-${PG_DIR:-}} bin
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
