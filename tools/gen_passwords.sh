#!/bin/sh
# gen_passwords.sh — the list of common passwords that the password policy
# refuses (src/domain/accounts/password.c), embedded in the binary.
#
# Usage: tools/gen_passwords.sh /usr/share/john/password.lst LIST... > build/gen/common_passwords.txt
#
# Joins John the Ripper's list of the passwords most often seen (package
# john-data; public domain, comment lines "#!comment:" dropped) with the
# lists committed beside the policy (Chinese-common passwords: pinyin words,
# 520/1314 love numbers, keyboard walks …), lower-cased, one a line, sorted
# bytewise and without duplicates, so the server looks one up by binary
# search in the embedded text.
set -eu
if [ $# -lt 1 ]; then
	echo "usage: $0 password.lst [LIST...]" >&2
	exit 2
fi
for f in "$@"; do
	if [ ! -r "$f" ]; then
		echo "$0: cannot read $f (john-data installs /usr/share/john/password.lst: scripts/deps.sh build)" >&2
		exit 1
	fi
done
cat "$@" | tr -d '\r' | grep -v '^#' | LC_ALL=C tr 'A-Z' 'a-z' | grep -v '^$' | LC_ALL=C sort -u
