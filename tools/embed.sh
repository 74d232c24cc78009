#!/bin/sh
# embed.sh FILE... — writes a C file embedding each FILE as a byte array,
# so one binary carries its migrations, OpenAPI document and UI assets.
set -eu
echo '#include "base/embedded.h"'
i=0
for f in "$@"; do
	echo "static const unsigned char ef_$i[] = {"
	od -An -v -tx1 "$f" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
	echo "0};"
	i=$((i + 1))
done
echo "const struct embedded_file embedded_files[] = {"
i=0
for f in "$@"; do
	size=$(wc -c < "$f")
	echo "	{\"$f\", ef_$i, $size},"
	i=$((i + 1))
done
echo "	{0, 0, 0}};"
echo "const size_t embedded_count = $i;"
