#!/bin/sh
# bench/run.sh — `make bench` (which builds build/linli, build/bench/hello
# and build/bench/raw_commit first): measures with bench/suite.mjs, then
# prints the table with bench/report.mjs. BENCH_SCALE street|city (city by
# default, ~1,000,000 residents; `street` for a quick run), BENCH_BACKENDS
# ("sqlite postgres"), BENCH_SECONDS per scenario (10); see suite.mjs for
# the rest. The results stay in build/bench/results-SCALE.json;
# `node bench/report.mjs FILE --update docs/scaling.md` puts the table in
# the docs.
set -eu
cd "$(dirname "$0")/.."
scale=${BENCH_SCALE:-city}
mkdir -p build/bench
# A copy of the binary: rebuilding during a long run must not change it.
rm -f build/bench/linli && cp build/linli build/bench/linli
node bench/suite.mjs
node bench/report.mjs "build/bench/results-$scale.json"
