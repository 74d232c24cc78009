#!/bin/sh
# fuzz.sh DIR SECONDS BIN... — runs each libFuzzer target BIN for SECONDS,
# two at a time, on a working copy of its committed seed corpus
# (tests/fuzz/NAME/corpus/ → DIR/work/NAME/), and prints one line per
# target: executions, corpus size, crashes. A crash, leak or timeout leaves
# the input in DIR/crashes/ and the log in DIR/logs/; the run then fails
# (add the input to the corpus once fixed).
set -u
dir=$1 secs=$2
shift 2
mkdir -p "$dir/logs" "$dir/crashes" "$dir/work"
rm -f "$dir"/status.*
for bin in "$@"; do echo "$bin"; done | xargs -P2 -I{} sh -c '
	dir=$1 secs=$2 bin=$3
	name=$(basename "$bin" | sed "s/^fuzz_//")
	seeds=tests/fuzz/$name/corpus
	work=$dir/work/$name
	mkdir -p "$work"
	[ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$dir/crashes/$name-" "$work" >"$dir/logs/$name.log" 2>&1
	rc=$?
	execs=$(sed -n "s/^stat::number_of_executed_units: *//p" "$dir/logs/$name.log" | tail -n 1)
	crashes=$(ls "$dir/crashes" | grep -c "^$name-")
	note=""
	[ $rc -ne 0 ] && note=" (exit $rc, see $dir/logs/$name.log)"
	printf "  FUZZ    %-12s %12s executions in %ss, corpus %5s, crashes %s%s\n" "$name" "${execs:-?}" "$secs" \
		"$(ls "$work" | wc -l)" "$crashes" "$note"
	echo "$name ${execs:-0} $crashes $rc" >"$dir/status.$name"
' sh "$dir" "$secs" {}
total=0 bad=0
for f in "$dir"/status.*; do
	read -r name execs crashes rc <"$f"
	total=$((total + execs))
	[ "$crashes" -ne 0 ] || [ "$rc" -ne 0 ] && bad=$((bad + 1))
done
echo "  FUZZ    total $total executions; $bad target(s) with crashes or errors"
[ "$bad" -eq 0 ]
