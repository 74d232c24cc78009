#!/bin/sh
# run-unit.sh BIN... — runs each cmocka unit test binary (built with
# ASan+UBSan) and prints one closing "N passed, N failed" line.
set -u
passed=0
failed=0
for t in "$@"; do
	if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAILED: $t"
	fi
done
echo "unit test programs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
