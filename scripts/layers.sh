#!/bin/sh
# layers.sh — the layers hold: nothing under src/api/ reaches the store,
# directly or through a header it includes (api/ goes through the domain).
set -eu
cd "$(dirname "$0")/.."
flags="-std=c11 -D_GNU_SOURCE -Isrc -Ibuild/gen $(pkg-config --cflags jansson libmicrohttpd 2>/dev/null)"
bad=0
for f in $(find src/api -name '*.[ch]' | sort); do
	# shellcheck disable=SC2086
	if cc $flags -MM "$f" | tr ' \\' '\n\n' | grep -q '^src/store/'; then
		echo "layers: $f reaches src/store/ (api/ must go through the domain)" >&2
		bad=1
	fi
done
exit $bad
