#!/bin/sh
# bench/run.sh — `make bench`: builds the demo at BENCH_SCALE (city by
# default, ~1,000,000 residents; `street` for a quick run), then loads
# linli and a bare libmicrohttpd hello-world with wrk on loopback, one
# after the other in the same run, and prints req/s, p99 and the ratio to
# the baseline. Also: import (demo generation) time, database size, RSS
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

port=$((20000 + $$ % 20000))
hport=$((port + 1))
# --tick 3600: the figures are for serving; the clocks' catch-up on the
# demo's history is not part of them.
"$dir/linli" serve --db "$db" --listen 127.0.0.1:$port --rate 0 --tick 3600 2> "$dir/serve.log" &
srv=$!
"$dir/hello" $hport &
hello=$!
trap 'kill $srv $hello 2>/dev/null' EXIT
for i in $(seq 100); do curl -sf http://127.0.0.1:$port/api/v1/health > /dev/null && break; sleep 0.1; done

token=$(curl -sf -X POST http://127.0.0.1:$port/api/v1/auth/login -H 'Content-Type: application/json' \
	-d '{"username":"admin","password":"admin1234","kind":"api","name":"bench"}' | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
q() { sqlite3 "$db" "$1"; }
person=$(q "SELECT id FROM people ORDER BY id LIMIT 1 OFFSET (SELECT count(*)/2 FROM people)")
grid=$(q "SELECT id FROM nodes WHERE kind IN ('area','grid') ORDER BY id LIMIT 1")
community=$(q "SELECT id FROM nodes WHERE kind = 'community' ORDER BY id LIMIT 1")
street=$(q "SELECT id FROM nodes WHERE kind = 'street' ORDER BY id LIMIT 1")
circle=$(q "SELECT id FROM nodes WHERE kind = 'circle' ORDER BY id LIMIT 1")
requests=$(q "SELECT count(*) FROM cases")
rss() { awk '/VmRSS/ {print int($2/1024)}' /proc/$srv/status; }
idle_rss=$(rss)

# run NAME URL [auth [connections [script]]]: prints "req/s p99 non2xx"
run() {
	c=${4:-$conns}
	t=2
	[ "$c" -lt 2 ] && t=1
	if [ -n "${5:-}" ]; then
		out=$(LINLI_TOKEN=$token LINLI_PLACE=$circle wrk -t$t -c"$c" -d"${secs}s" --latency -s "$5" "$2")
	elif [ -n "${3:-}" ]; then
		out=$(wrk -t$t -c"$c" -d"${secs}s" --latency -H "Authorization: Bearer $token" "$2")
	else
		out=$(wrk -t$t -c"$c" -d"${secs}s" --latency "$2")
	fi
	rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	errs=$(echo "$out" | awk '/Non-2xx/ {print $5}')
	echo "$rps $p99 ${errs:-0}"
}

echo "linli bench — scale $scale: $people residents, $requests requests, wrk -c$conns -d${secs}s on 127.0.0.1 ($(nproc) cores)"
base=$(run hello "http://127.0.0.1:$hport/")
base_rps=$(echo "$base" | cut -d' ' -f1)
printf "%-36s %12s %10s %8s %6s\n" scenario req/s p99 ratio non2xx
printf "%-36s %12s %10s %8s %6s\n" "hello-world (libmicrohttpd)" $(echo "$base" | cut -d' ' -f1,2) "1.00" $(echo "$base" | cut -d' ' -f3)
peak=0
for sc in "GET one person|/api/v1/people/$person" \
	"list a grid's residents (50)|/api/v1/people?node=$grid&limit=50" \
	"stats: community|/api/v1/stats?node=$community" \
	"stats: street|/api/v1/stats?node=$street" \
	"requests: list a grid's open (50)|/api/v1/requests?node=$grid&status=open&limit=50" \
	"requests: stats of a community|/api/v1/requests/stats?node=$community" \
	"requests: stats of the street|/api/v1/requests/stats?node=$street" \
	"requests: create, 1 connection|/api/v1/requests|1|bench/post_request.lua" \
	"requests: create, 16 connections|/api/v1/requests|16|bench/post_request.lua"; do
	name=${sc%%|*}
	rest=${sc#*|}
	path=${rest%%|*}
	extra=""
	[ "$path" != "$rest" ] && extra=${rest#*|}
	if [ -n "$extra" ]; then
		res=$(run "$name" "http://127.0.0.1:$port$path" auth "${extra%%|*}" "${extra#*|}")
	else
		res=$(run "$name" "http://127.0.0.1:$port$path" auth)
	fi
	r=$(rss)
	[ "$r" -gt "$peak" ] && peak=$r
	rps=$(echo "$res" | cut -d' ' -f1)
	printf "%-36s %12s %10s %8s %6s\n" "$name" $(echo "$res" | cut -d' ' -f1,2) \
		"$(echo "$rps $base_rps" | awk '{printf "%.3f", $1 / $2}')" $(echo "$res" | cut -d' ' -f3)
done
# First request after a write: the statistics are computed, not cached.
cold() {
	curl -sf -o /dev/null -X PATCH -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		-d '{"note":"bench"}' "http://127.0.0.1:$port/api/v1/people/$person"
	curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/stats?node=$1" |
		awk '{printf "%.1f ms", $1 * 1000}'
}
echo
echo "stats computed after a write (cache miss): community $(cold "$community"), street $(cold "$street")"
coldreq() {
	curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		-d "{\"category\":\"other\",\"description\":\"bench\",\"place_node_id\":$circle}" "http://127.0.0.1:$port/api/v1/requests"
	curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/requests/stats?node=$1" |
		awk '{printf "%.1f ms", $1 * 1000}'
}
echo "request stats computed after a new request (cache miss): community $(coldreq "$community"), street $(coldreq "$street")"
echo "import (demo generation): ${import_s} s for $people residents; database ${db_mb} MiB"
echo "server RSS: idle ${idle_rss} MiB, after load ${peak} MiB"
