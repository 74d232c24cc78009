#!/bin/sh
# bench/run.sh — `make bench`: builds the demo at BENCH_SCALE (city by
# default, ~1,000,000 residents; `street` for a quick run), copies it to
# PostgreSQL with `linli migrate` (a private server, scripts/pg.sh), then
# loads a bare libmicrohttpd hello-world and linli on each backend
# (BENCH_BACKENDS, default "sqlite postgres") with wrk on loopback, one
# after the other in the same run, and prints req/s, p99 and the ratio to
# the baseline side by side. Also: import time (the street demo generated
# through the domain code on each backend), copy time, database size, RSS
# idle and under load.
set -eu
cd "$(dirname "$0")/.."
scale=${BENCH_SCALE:-city}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-32}
dir=build/bench
mkdir -p "$dir"
db="$dir/$scale.db"
cc -O2 -o "$dir/hello" bench/hello.c $(pkg-config --cflags --libs libmicrohttpd)
# A copy of the binary: rebuilding during a long run must not change it.
cp build/linli "$dir/linli"

if [ ! -f "$db" ]; then
	start=$(date +%s.%N)
	"$dir/linli" demo --db "$db" --scale "$scale" > "$dir/demo.log"
	end=$(date +%s.%N)
	echo "$start $end" | awk '{printf "%.1f\n", $2 - $1}' > "$dir/$scale.import-seconds"
fi
import_s=$(cat "$dir/$scale.import-seconds")
people=$(sqlite3 "$db" "SELECT count(*) FROM people")
db_mb=$(du -m "$db" | cut -f1)
backends=${BENCH_BACKENDS:-sqlite postgres}
q() { sqlite3 "$db" "$1"; }
person=$(q "SELECT id FROM people ORDER BY id LIMIT 1 OFFSET (SELECT count(*)/2 FROM people)")
grid=$(q "SELECT id FROM nodes WHERE kind IN ('area','grid') ORDER BY id LIMIT 1")
community=$(q "SELECT id FROM nodes WHERE kind = 'community' ORDER BY id LIMIT 1")
street=$(q "SELECT id FROM nodes WHERE kind = 'street' ORDER BY id LIMIT 1")
circle=$(q "SELECT id FROM nodes WHERE kind = 'circle' ORDER BY id LIMIT 1")
requests=$(q "SELECT count(*) FROM cases")

# The PostgreSQL copy: the same rows (same ids), made once per SQLite file.
case " $backends " in *" postgres "*)
	pg=$(scripts/pg.sh start)
	pgdb="bench_$scale"
	pgurl=$(echo "$pg" | sed "s#/postgres\$#/$pgdb#")
	if [ ! -f "$dir/$scale.pg-copied" ] || [ "$dir/$scale.pg-copied" -ot "$dir/$scale.import-seconds" ]; then
		psql -qX "$pg" -c "DROP DATABASE IF EXISTS $pgdb" -c "CREATE DATABASE $pgdb"
		start=$(date +%s.%N)
		# In $dir: the copy's key and photo directory go beside the SQLite file's.
		(cd "$dir" && ./linli migrate --from "sqlite:$scale.db" --to "$pgurl") > "$dir/migrate.log"
		end=$(date +%s.%N)
		echo "$start $end" | awk '{printf "%.1f\n", $2 - $1}' > "$dir/$scale.pg-copied"
	fi
	copy_s=$(cat "$dir/$scale.pg-copied")
	pg_mb=$(psql -qXAt "$pg" -c "SELECT pg_database_size('$pgdb') / 1048576")
	# Import through the domain code, both backends, street scale.
	for b in sqlite postgres; do
		if [ ! -f "$dir/import-$b.seconds" ]; then
			if [ $b = sqlite ]; then idb="$dir/import.db"; rm -f "$idb" "$idb.key"; else
				psql -qX "$pg" -c "DROP DATABASE IF EXISTS bench_import" -c "CREATE DATABASE bench_import"
				idb=$(echo "$pg" | sed "s#/postgres\$#/bench_import#"); rm -rf "$dir/bench_import.key"; fi
			(cd "$dir" && ./linli demo --db "$(case $idb in postgres*) echo $idb;; *) basename $idb;; esac)" --requests 5000) |
				sed -n 's/.*(\([0-9.]*\) s)$/\1/p' > "$dir/import-$b.seconds"
		fi
	done
	;;
esac

port=$((20000 + $$ % 20000))
hport=$((port + 1))
"$dir/hello" $hport &
hello=$!
srv=""
trap 'kill $srv $hello 2>/dev/null' EXIT

# run URL [auth [connections [script]]]: prints "req/s p99 non2xx"
run() {
	c=${3:-$conns}
	t=2
	[ "$c" -lt 2 ] && t=1
	if [ -n "${4:-}" ]; then
		out=$(LINLI_TOKEN=$token LINLI_PLACE=$circle wrk -t$t -c"$c" -d"${secs}s" --latency -s "$4" "$1")
	elif [ -n "${2:-}" ]; then
		out=$(wrk -t$t -c"$c" -d"${secs}s" --latency -H "Authorization: Bearer $token" "$1")
	else
		out=$(wrk -t$t -c"$c" -d"${secs}s" --latency "$1")
	fi
	rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	errs=$(echo "$out" | awk '/Non-2xx/ {print $5}')
	echo "$rps $p99 ${errs:-0}"
}
rss() { awk '/VmRSS/ {print int($2/1024)}' /proc/$srv/status; }

scenarios="GET one person|/api/v1/people/$person
list a grid's residents (50)|/api/v1/people?node=$grid&limit=50
stats: community|/api/v1/stats?node=$community
stats: street|/api/v1/stats?node=$street
requests: list a grid's open (50)|/api/v1/requests?node=$grid&status=open&limit=50
requests: stats of a community|/api/v1/requests/stats?node=$community
requests: stats of the street|/api/v1/requests/stats?node=$street
requests: create, 1 connection|/api/v1/requests|1|bench/post_request.lua
requests: create, 16 connections|/api/v1/requests|16|bench/post_request.lua"

# First request after a write: the statistics are computed, not cached.
cold() {
	curl -sf -o /dev/null -X PATCH -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		-d '{"note":"bench"}' "http://127.0.0.1:$port/api/v1/people/$person"
	curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/stats?node=$1" |
		awk '{printf "%.1f ms", $1 * 1000}'
}
coldreq() {
	curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		-d "{\"category\":\"other\",\"description\":\"bench\",\"place_node_id\":$circle}" "http://127.0.0.1:$port/api/v1/requests"
	curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/requests/stats?node=$1" |
		awk '{printf "%.1f ms", $1 * 1000}'
}

# bench_backend NAME DB: serves DB and writes $dir/result-NAME.txt
bench_backend() {
	# --tick 3600: the figures are for serving; the clocks' catch-up on the
	# demo's history is not part of them.
	(cd "$dir" && exec ./linli serve --db "$2" --key "$(pwd)/$scale.db.key" --listen 127.0.0.1:$port --rate 0 --tick 3600 2> "serve-$1.log") &
	srv=$!
	for i in $(seq 100); do curl -sf http://127.0.0.1:$port/api/v1/health > /dev/null && break; sleep 0.1; done
	token=$(curl -sf -X POST http://127.0.0.1:$port/api/v1/auth/login -H 'Content-Type: application/json' \
		-d '{"username":"admin","password":"linli-admin-1","kind":"api","name":"bench"}' | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
	idle=$(rss)
	peak=0
	out="$dir/result-$1.txt"
	: > "$out"
	echo "$scenarios" | while IFS= read -r sc; do
		name=${sc%%|*}
		rest=${sc#*|}
		path=${rest%%|*}
		extra=""
		[ "$path" != "$rest" ] && extra=${rest#*|}
		if [ -n "$extra" ]; then
			res=$(run "http://127.0.0.1:$port$path" auth "${extra%%|*}" "${extra#*|}")
		else
			res=$(run "http://127.0.0.1:$port$path" auth)
		fi
		echo "$name|$res" >> "$out"
	done
	peak=$(rss)
	echo "cold|community $(cold "$community"), street $(cold "$street")|request stats community $(coldreq "$community"), street $(coldreq "$street")" >> "$out"
	echo "rss|$idle|$peak" >> "$out"
	kill $srv
	wait $srv 2>/dev/null || true
	srv=""
}

for i in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:$hport/ && break; sleep 0.1; done
base=$(run "http://127.0.0.1:$hport/")
base_rps=$(echo "$base" | cut -d' ' -f1)
for b in $backends; do
	if [ $b = sqlite ]; then bench_backend sqlite "$(pwd)/$db"; else bench_backend postgres "$pgurl"; fi
done

echo "linli bench — scale $scale: $people residents, $requests requests, wrk -c$conns -d${secs}s on 127.0.0.1 ($(nproc) cores)"
printf "%-36s" scenario
for b in $backends; do printf " %12s %10s %6s" "$b req/s" p99 ratio; done
echo
printf "%-36s" "hello-world (libmicrohttpd)"
for b in $backends; do printf " %12s %10s %6s" $(echo "$base" | cut -d' ' -f1,2) 1.00; done
echo
echo "$scenarios" | while IFS= read -r sc; do
	name=${sc%%|*}
	printf "%-36s" "$name"
	for b in $backends; do
		res=$(grep -F "$name|" "$dir/result-$b.txt" | head -1 | cut -d'|' -f2)
		rps=$(echo "$res" | cut -d' ' -f1)
		printf " %12s %10s %6s" "$rps" "$(echo "$res" | cut -d' ' -f2)" "$(echo "$rps $base_rps" | awk '{printf "%.3f", $1 / $2}')"
		[ "$(echo "$res" | cut -d' ' -f3)" != 0 ] && printf " (non-2xx: %s)" "$(echo "$res" | cut -d' ' -f3)"
	done
	echo
done
echo
for b in $backends; do
	echo "$b: stats computed after a write (cache miss): $(grep '^cold|' "$dir/result-$b.txt" | cut -d'|' -f2); $(grep '^cold|' "$dir/result-$b.txt" | cut -d'|' -f3)"
	echo "$b: server RSS idle $(grep '^rss|' "$dir/result-$b.txt" | cut -d'|' -f2) MiB, after load $(grep '^rss|' "$dir/result-$b.txt" | cut -d'|' -f3) MiB"
done
echo "demo database ($scale, SQLite): generated in ${import_s} s; ${db_mb} MiB"
if [ -n "${copy_s:-}" ]; then
	echo "PostgreSQL copy (linli migrate, verified): ${copy_s} s; ${pg_mb} MiB"
	echo "import through the domain code, street demo (35,687 residents, 5,000 requests): sqlite $(cat "$dir/import-sqlite.seconds") s, postgres $(cat "$dir/import-postgres.seconds") s"
fi
