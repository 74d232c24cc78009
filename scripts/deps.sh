#!/bin/sh
# deps.sh build|lint|test|fuzz|bench|run — installs the Debian packages linli needs
# for that purpose when they are missing (apt-get; root or sudo). Safe to
# run repeatedly: it does nothing when everything is present.
set -eu
purpose=${1:-build}
build="gcc make pkg-config libc6-dev libmicrohttpd-dev libsqlite3-dev libjansson-dev libsodium-dev
libpq-dev libxlsxwriter-dev libcsv-dev libopencc-dev libopencc-data libqrencode-dev libzip-dev libexpat1-dev libcurl4-openssl-dev libutf8proc-dev
unicode-data john-data bzip2 gzip nodejs npm"
lint="$build clang-tidy clang-format cppcheck"
# clang + libclang-rt-dev: libFuzzer and clang's sanitizers (tests/fuzz).
fuzz="$build clang libclang-rt-dev"
test="$lint libcmocka-dev sqlite3 postgresql postgresql-client chromium fonts-noto-cjk clang libclang-rt-dev"
bench="$build sqlite3 postgresql postgresql-client"
case "$purpose" in
build | run) want=$build ;;
lint) want=$lint ;;
test) want=$test ;;
fuzz) want=$fuzz ;;
bench) want=$bench ;;
*) echo "usage: $0 build|lint|test|fuzz|bench|run" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# Node.js and npm may come from elsewhere than Debian (nvm, a tarball):
# accept any node >= 18 with its npm.
if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ]; then
	missing=$(echo "$missing" | sed 's/ nodejs//')
fi
if command -v npm >/dev/null 2>&1; then
	missing=$(echo "$missing" | sed 's/ npm//')
fi
[ -z "$missing" ] && exit 0
echo "installing:$missing"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
