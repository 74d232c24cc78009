#!/bin/sh
# check-hardening.sh BIN — reads the hardening of an ELF binary back from
# the file and fails (exit 1, naming what is missing) unless it has all of:
#   PIE             ELF type DYN with an INTERP program header
#   full RELRO      a GNU_RELRO segment and BIND_NOW (or FLAGS_1 NOW)
#   stack canaries  a reference to __stack_chk_fail
#   FORTIFY         at least one fortified libc call (__*_chk)
# check-hardening.sh --self-test builds one unhardened program and checks
# that every one of these is reported missing, so the check cannot pass
# vacuously (make test runs both).
set -u
LC_ALL=C
export LC_ALL

check() {
	bin=$1
	missing=""
	[ -f "$bin" ] || { echo "check-hardening: no such file: $bin" >&2; return 2; }
	hdr=$(readelf -h "$bin") || return 2
	dyn=$(readelf -d "$bin" 2>/dev/null)
	seg=$(readelf -lW "$bin" 2>/dev/null)
	syms=$(readelf -sW --dyn-syms "$bin" 2>/dev/null | awk '{print $8}' | sed 's/@.*//' | sort -u)
	echo "$hdr" | grep -Eq 'Type:[[:space:]]+DYN' && echo "$seg" | grep -q 'INTERP' || missing="$missing PIE"
	echo "$seg" | grep -q 'GNU_RELRO' || missing="$missing GNU_RELRO"
	echo "$dyn" | grep -Eq '\(BIND_NOW\)|\(FLAGS_1\).*NOW' || missing="$missing BIND_NOW"
	echo "$syms" | grep -qx '__stack_chk_fail' || missing="$missing __stack_chk_fail"
	echo "$syms" | grep -Eqx '__[a-z0-9_]+_chk' || missing="$missing __*_chk(FORTIFY)"
	if [ -n "$missing" ]; then
		echo "check-hardening: $bin lacks:$missing" >&2
		return 1
	fi
	echo "check-hardening: $bin: PIE, full RELRO, stack protector, FORTIFY ($(echo "$syms" | grep -Ec '^__[a-z0-9_]+_chk$') fortified calls)"
	return 0
}

if [ "${1:-}" = "--self-test" ]; then
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
	cat >"$dir/plain.c" <<'EOF'
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
	char b[64];
	strcpy(b, argc > 1 ? argv[1] : "x");
	printf("%s\n", b);
	return 0;
}
EOF
	${CC:-cc} -O2 -fno-stack-protector -U_FORTIFY_SOURCE -fno-PIE -no-pie -Wl,-z,norelro -Wl,-z,lazy \
		-o "$dir/plain" "$dir/plain.c" || exit 2
	out=$(check "$dir/plain" 2>&1)
	for want in PIE GNU_RELRO BIND_NOW __stack_chk_fail 'FORTIFY'; do
		case "$out" in
		*"$want"*) ;;
		*) echo "check-hardening self-test: an unhardened binary was not reported for $want: $out" >&2; exit 1 ;;
		esac
	done
	echo "check-hardening self-test: an unhardened binary is refused for each of the five"
	exit 0
fi

[ $# -ge 1 ] || { echo "usage: $0 BIN... | --self-test" >&2; exit 2; }
rc=0
for b in "$@"; do
	check "$b" || rc=1
done
exit $rc
