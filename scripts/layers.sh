#!/bin/sh
# layers.sh — the layers hold: nothing under src/api/ reaches the store,
# directly or through a header it includes (api/ goes through the domain),
# and neither does src/cli/, but for the files below whose job is the
# database itself.
set -eu
cd "$(dirname "$0")/.."
flags="-std=c11 -D_GNU_SOURCE -Isrc -Ibuild/gen $(pkg-config --cflags jansson libmicrohttpd 2>/dev/null)"

# src/cli/ files that may include store headers, each with its reason.
cli_store_ok='
src/cli/common.c	opens, creates, migrates and closes the database (store_open, store_migrate)
src/cli/background.c	opens the background job'"'"'s own connection
src/cli/cmd_migrate.c	copies one database into another and verifies the copy (store_copy.h)
src/cli/cmd_maint.c	backup and check work on the database itself, below the domain
'

reaches_store() {
	# shellcheck disable=SC2086
	cc $flags -MM "$1" | tr ' \\' '\n\n' | grep -q '^src/store/'
}

bad=0
for f in $(find src/api -name '*.[ch]' | sort); do
	if reaches_store "$f"; then
		echo "layers: $f reaches src/store/ (api/ must go through the domain)" >&2
		bad=1
	fi
done
for f in $(find src/cli -name '*.[ch]' | sort); do
	allowed=$(printf '%s\n' "$cli_store_ok" | awk -F '\t' -v f="$f" '$1 == f { print "yes" }')
	if reaches_store "$f"; then
		if [ -z "$allowed" ]; then
			echo "layers: $f reaches src/store/ (cli/ goes through the domain; see cli_store_ok in $0)" >&2
			bad=1
		fi
	elif [ -n "$allowed" ]; then
		# Keep the list honest: an exception no longer needed goes.
		echo "layers: $f no longer reaches src/store/: remove it from cli_store_ok in $0" >&2
		bad=1
	fi
done
exit $bad
