#!/bin/sh
# pg.sh start|stop|restart|url|data|status — a private PostgreSQL server for tests and
# benchmarks, from Debian's packages: its own data directory and
# port (LINLI_PG_PORT, default 55432), listening on loopback only; data in
# /tmp/linli-pg-UID-PORT unless LINLI_PG_DIR says otherwise. Runs the
# server as the "postgres" system user when started as root (initdb refuses
# root). `url` prints the URL of the server's maintenance database;
# `restart [fast|immediate]` restarts it (immediate = as after a crash);
# `data` prints its data directory (postmaster.pid there names the server
# process, whose children are the backends: bench/suite.mjs sums their
# memory).
set -eu
cd "$(dirname "$0")/.."
port=${LINLI_PG_PORT:-55432}
dir=${LINLI_PG_DIR:-/tmp/linli-pg-$(id -u)-$port} # outside the tree: the server user must reach it
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "pg.sh: PostgreSQL server not installed (scripts/deps.sh test)" >&2; exit 1; }
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-}" in
start)
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		mkdir -p "$dir"
		[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
		as_pg "$bin/initdb" -D "$dir/data" -U linli --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
	fi
	if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
			-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c fsync=on" >/dev/null
	fi
	echo "postgres://linli@127.0.0.1:$port/postgres"
	;;
stop)
	[ -f "$dir/data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	;;
restart)
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m "${2:-fast}" -w -t 60 restart \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB" >/dev/null
	;;
url) echo "postgres://linli@127.0.0.1:$port/postgres" ;;
data) echo "$dir/data" ;;
status) as_pg "$bin/pg_ctl" -D "$dir/data" status ;;
*) echo "usage: $0 start|stop|restart [fast|immediate]|url|data|status" >&2; exit 2 ;;
esac
